#include "conformance/runner/child_process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>

extern char** environ;

namespace conform {
namespace {

using Clock = std::chrono::steady_clock;

// Whether the environment entry `e` sets a variable that one of `overrides`
// ("K=V") sets too.
bool Overridden(const char* e, const std::vector<std::string>& overrides) {
  for (const std::string& o : overrides) {
    const size_t eq = o.find('=');
    if (std::strncmp(e, o.c_str(), eq + 1) == 0) return true;
  }
  return false;
}

// The parent's environment with GOMAXPROCS and `extra` applied; built before
// spawning because a child of a multithreaded parent must not allocate.
std::vector<std::string> ChildEnvironment(std::optional<int64_t> gomaxprocs,
                                          const std::vector<std::string>& extra) {
  std::vector<std::string> env;
  for (char** e = environ; *e; ++e)
    if (std::strncmp(*e, "GOMAXPROCS=", 11) != 0 && !Overridden(*e, extra)) env.emplace_back(*e);
  if (gomaxprocs) env.push_back("GOMAXPROCS=" + std::to_string(*gomaxprocs));
  env.insert(env.end(), extra.begin(), extra.end());
  return env;
}

std::vector<char*> CStrings(std::vector<std::string>& v) {
  std::vector<char*> out;
  for (auto& s : v) out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

// Reads both pipes until they close or the deadline passes.
void Drain(int out_fd, int err_fd, Clock::time_point deadline, ChildResult& r) {
  pollfd fds[2] = {{out_fd, POLLIN, 0}, {err_fd, POLLIN, 0}};
  std::string* bufs[2] = {&r.out, &r.err};
  int open_fds = 2;
  while (open_fds > 0) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    if (left <= 0) {
      r.timed_out = true;
      break;
    }
    int n = poll(fds, 2, static_cast<int>(std::min<int64_t>(left, 1000)));
    if (n < 0 && errno != EINTR) break;
    for (int k = 0; k < 2; ++k) {
      if (fds[k].fd < 0 || !(fds[k].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      char buf[65536];
      ssize_t got = read(fds[k].fd, buf, sizeof buf);
      if (got > 0) {
        bufs[k]->append(buf, static_cast<size_t>(got));
      } else if (got == 0 || errno != EINTR) {
        close(fds[k].fd);
        fds[k].fd = -1;
        --open_fds;
      }
    }
  }
  for (auto& f : fds)
    if (f.fd >= 0) close(f.fd);
}

// Waits for pid to exit, killing its process group once the deadline (plus a
// grace period for a driver whose pipes closed early) has passed. The group
// is killed before the leader is reaped, so its id cannot have been reused.
void Reap(pid_t pid, Clock::time_point deadline, ChildResult& r) {
  if (r.timed_out) kill(-pid, SIGKILL);
  siginfo_t info;
  for (;;) {
    info.si_pid = 0;
    if (waitid(P_PID, pid, &info, WEXITED | WNOHANG | WNOWAIT) != 0) break;
    if (info.si_pid == pid) break;
    if (Clock::now() > deadline + std::chrono::seconds(2)) {
      r.timed_out = true;
      kill(-pid, SIGKILL);
    }
    usleep(1000);
  }
  kill(-pid, SIGKILL);  // leftovers of the group (a driver's own children)
  waitpid(pid, &r.wait_status, 0);
}

}  // namespace

ChildResult RunChild(const std::vector<std::string>& argv, std::optional<int64_t> gomaxprocs,
                     int64_t timeout_ms, const std::vector<std::string>& extra_env) {
  ChildResult r;
  int out_pipe[2], err_pipe[2];
  if (pipe2(out_pipe, O_CLOEXEC) != 0) {
    r.spawn_error = std::strerror(errno);
    return r;
  }
  if (pipe2(err_pipe, O_CLOEXEC) != 0) {
    r.spawn_error = std::strerror(errno);
    close(out_pipe[0]);
    close(out_pipe[1]);
    return r;
  }
  std::vector<std::string> args = argv, env = ChildEnvironment(gomaxprocs, extra_env);
  std::vector<char*> c_args = CStrings(args), c_env = CStrings(env);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, out_pipe[1], 1);
  posix_spawn_file_actions_adddup2(&actions, err_pipe[1], 2);
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP);
  posix_spawnattr_setpgroup(&attr, 0);
  pid_t pid = 0;
  int rc = posix_spawn(&pid, c_args[0], &actions, &attr, c_args.data(), c_env.data());
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  close(out_pipe[1]);
  close(err_pipe[1]);
  if (rc != 0) {
    r.spawn_error = std::strerror(rc);
    close(out_pipe[0]);
    close(err_pipe[0]);
    return r;
  }
  auto deadline = Clock::now() + std::chrono::milliseconds(timeout_ms);
  Drain(out_pipe[0], err_pipe[0], deadline, r);
  Reap(pid, deadline, r);
  return r;
}

}  // namespace conform
