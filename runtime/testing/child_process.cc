#include "runtime/testing/child_process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>

namespace goruntime::testing {
namespace {

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// Reads both pipes until they close or the deadline passes.
bool Drain(int out_fd, int err_fd, std::string* out, std::string* err, int64_t deadline) {
  pollfd fds[2] = {{out_fd, POLLIN, 0}, {err_fd, POLLIN, 0}};
  std::string* dst[2] = {out, err};
  int open = 2;
  while (open > 0) {
    const int64_t left = deadline - NowMs();
    if (left <= 0) return false;
    if (poll(fds, 2, static_cast<int>(left)) < 0) continue;
    for (int i = 0; i < 2; i++) {
      if (fds[i].fd < 0 || fds[i].revents == 0) continue;
      char buf[4096];
      ssize_t n = read(fds[i].fd, buf, sizeof(buf));
      if (n > 0) {
        dst[i]->append(buf, static_cast<size_t>(n));
      } else {
        close(fds[i].fd);
        fds[i].fd = -1;
        open--;
      }
    }
  }
  return true;
}

}  // namespace

ChildResult RunInChild(const std::function<void()>& body, std::chrono::milliseconds timeout,
                       const std::vector<std::string>& env) {
  int out_pipe[2], err_pipe[2];
  if (pipe(out_pipe) != 0 || pipe(err_pipe) != 0) abort();
  fflush(nullptr);
  pid_t pid = fork();
  if (pid == 0) {
    dup2(out_pipe[1], 1);
    dup2(err_pipe[1], 2);
    close(out_pipe[0]);
    close(err_pipe[0]);
    close(out_pipe[1]);
    close(err_pipe[1]);
    for (const auto& kv : env) putenv(strdup(kv.c_str()));
    body();
    fflush(nullptr);
    _exit(0);
  }
  close(out_pipe[1]);
  close(err_pipe[1]);
  ChildResult r;
  const int64_t deadline = NowMs() + timeout.count();
  if (!Drain(out_pipe[0], err_pipe[0], &r.out, &r.err, deadline)) {
    r.timed_out = true;
    kill(pid, SIGKILL);
    Drain(out_pipe[0], err_pipe[0], &r.out, &r.err, NowMs() + 1000);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  if (WIFEXITED(status)) r.exit_code = WEXITSTATUS(status);
  if (WIFSIGNALED(status)) r.signal = WTERMSIG(status);
  return r;
}

void Emit(const std::string& line) {
  std::string s = line + "\n";
  ssize_t unused = write(1, s.data(), s.size());
  (void)unused;
}

}  // namespace goruntime::testing
