// Runs a goroutine program in a forked child, as Go's tests run testprog:
// fatal paths (exit 2, stack overflow, deadlock) cannot run in the test
// process itself. The child's stdout and stderr are captured.
#pragma once

#include <chrono>
#include <functional>
#include <string>
#include <vector>

namespace goruntime::testing {

struct ChildResult {
  int exit_code = -1;   // exit status, or -1 if killed by a signal
  int signal = 0;       // the signal that ended it, if any
  bool timed_out = false;
  std::string out;      // stdout
  std::string err;      // stderr
};

// Forks; the child calls `body` (typically goruntime::Run(...)), and must
// exit. The parent collects output and status; a child still running after
// `timeout` is killed (timed_out). `env` entries ("K=V") are set in the child.
ChildResult RunInChild(const std::function<void()>& body,
                       std::chrono::milliseconds timeout = std::chrono::seconds(20),
                       const std::vector<std::string>& env = {});

// A thread-safe line writer for child programs: writes `line` + "\n" to
// stdout in one write(2), so concurrent goroutines never interleave.
void Emit(const std::string& line);

}  // namespace goruntime::testing
