#include "conformance/runner/runner.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <sstream>

#include "conformance/interp/driver.h"
#include "conformance/lang/parser.h"

namespace conform {
namespace {

struct ChildResult {
  std::string out, err;
  int wait_status = 0;
  bool timed_out = false;
  bool spawn_failed = false;
};

// Runs argv with GOMAXPROCS set (or removed), collecting stdout and stderr,
// killing it after timeout_ms.
ChildResult RunChild(const std::vector<std::string>& argv, std::optional<int64_t> gomaxprocs,
                     int64_t timeout_ms) {
  ChildResult r;
  int out_pipe[2], err_pipe[2];
  if (pipe2(out_pipe, O_CLOEXEC) != 0 || pipe2(err_pipe, O_CLOEXEC) != 0) {
    r.spawn_failed = true;
    return r;
  }
  pid_t pid = fork();
  if (pid < 0) {
    r.spawn_failed = true;
    return r;
  }
  if (pid == 0) {
    dup2(out_pipe[1], 1);
    dup2(err_pipe[1], 2);
    if (gomaxprocs) setenv("GOMAXPROCS", std::to_string(*gomaxprocs).c_str(), 1);
    else unsetenv("GOMAXPROCS");
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    execv(args[0], args.data());
    _exit(127);
  }
  close(out_pipe[1]);
  close(err_pipe[1]);
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  pollfd fds[2] = {{out_pipe[0], POLLIN, 0}, {err_pipe[0], POLLIN, 0}};
  std::string* bufs[2] = {&r.out, &r.err};
  int open_fds = 2;
  while (open_fds > 0) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now()).count();
    if (left <= 0) {
      r.timed_out = true;
      kill(pid, SIGKILL);
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
      } else {
        close(fds[k].fd);
        fds[k].fd = -1;
        --open_fds;
      }
    }
  }
  for (auto& f : fds)
    if (f.fd >= 0) close(f.fd);
  // The pipes may close before the process exits (or a killed driver's
  // threads linger): wait, but never past the deadline plus a grace period.
  while (waitpid(pid, &r.wait_status, WNOHANG) == 0) {
    if (std::chrono::steady_clock::now() > deadline + std::chrono::seconds(2)) {
      r.timed_out = true;
      kill(pid, SIGKILL);
      waitpid(pid, &r.wait_status, 0);
      break;
    }
    usleep(1000);
  }
  return r;
}

}  // namespace

const char* StatusName(Status s) {
  switch (s) {
    case Status::kPass: return "PASS";
    case Status::kFail: return "FAIL";
    case Status::kTimeout: return "TIMEOUT";
    case Status::kCrash: return "CRASH";
    case Status::kUnsupported: return "UNSUPPORTED";
    case Status::kError: return "ERROR";
  }
  return "?";
}

std::set<std::string> QueryCapabilities(const std::string& driver) {
  ChildResult r = RunChild({driver, "--capabilities"}, std::nullopt, 10000);
  std::set<std::string> caps;
  if (r.timed_out || !WIFEXITED(r.wait_status) || WEXITSTATUS(r.wait_status) != 0) return caps;
  std::stringstream ss(r.out);
  std::string line;
  while (std::getline(ss, line))
    if (!line.empty()) caps.insert(line);
  return caps;
}

ScenarioResult RunScenario(const std::string& driver, const std::set<std::string>& caps,
                           const lang::Scenario& sc) {
  ScenarioResult res;
  res.file = sc.file;
  for (const auto& need : sc.requires_caps)
    if (!caps.count(need)) {
      res.status = Status::kUnsupported;
      res.failures.push_back("needs capability " + need);
      return res;
    }
  auto start = std::chrono::steady_clock::now();
  ChildResult r = RunChild({driver, sc.file}, sc.gomaxprocs, sc.timeout_ms);
  res.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  res.outcome.stderr_text = r.err;
  if (r.spawn_failed) {
    res.failures.push_back("could not start " + driver);
    return res;
  }
  if (r.timed_out) {
    res.status = Status::kTimeout;
    res.failures.push_back("no exit within " + std::to_string(sc.timeout_ms) + " ms");
    return res;
  }
  if (WIFSIGNALED(r.wait_status)) {
    res.status = Status::kCrash;
    res.failures.push_back(std::string("killed by signal ") + strsignal(WTERMSIG(r.wait_status)));
    return res;
  }
  res.outcome.exit_status = WEXITSTATUS(r.wait_status);
  if (res.outcome.exit_status == kDriverErrorExit) {
    res.failures.push_back("driver could not run the scenario: " + r.err);
    return res;
  }
  std::stringstream ss(r.out);
  std::string line;
  int number = 0;
  while (std::getline(ss, line)) {
    ++number;
    auto e = EventFromJson(line);
    if (!e) {
      res.status = Status::kFail;
      res.failures.push_back("stdout line " + std::to_string(number) + " is not a trace event: " + line);
      return res;
    }
    res.outcome.trace.push_back(std::move(*e));
  }
  res.failures = CheckExpectations(sc, res.outcome);
  res.status = res.failures.empty() ? Status::kPass : Status::kFail;
  return res;
}

ScenarioResult RunScenarioFile(const std::string& driver, const std::set<std::string>& caps,
                               const std::string& path, lang::Scenario* parsed) {
  lang::ParseError err;
  auto sc = lang::ParseFile(path, &err);
  if (!sc) {
    ScenarioResult res;
    res.file = path;
    res.failures.push_back(err.ToString());
    return res;
  }
  if (parsed) *parsed = *sc;
  return RunScenario(driver, caps, *sc);
}

}  // namespace conform
