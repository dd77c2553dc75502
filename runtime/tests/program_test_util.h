// Helpers for runtime tests: each test runs a small goroutine program in a
// child process and checks its output lines, stderr and exit status.
#pragma once

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "runtime/chan.h"
#include "runtime/runtime.h"
#include "runtime/testing/child_process.h"

namespace goruntime::testing {

// Runs `main` as a Go program in a child; optional env like "GOMAXPROCS=1".
inline ChildResult RunProgram(std::function<void()> main, std::vector<std::string> env = {},
                              std::chrono::milliseconds timeout = std::chrono::seconds(30)) {
  return RunInChild([&] { goruntime::Run(main); }, timeout, env);
}

inline std::vector<std::string> Lines(const std::string& s) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start < s.size()) {
    size_t nl = s.find('\n', start);
    if (nl == std::string::npos) nl = s.size();
    out.push_back(s.substr(start, nl - start));
    start = nl + 1;
  }
  return out;
}

// Polls cond (yielding and sleeping 1ms) until it holds or `ms` pass, as Go's
// own tests poll NumGoroutine. Returns whether it held.
inline bool PollUntil(const std::function<bool()>& cond, int ms = 5000) {
  const int64_t deadline = Nanotime() + int64_t{ms} * 1'000'000;
  while (!cond()) {
    if (Nanotime() > deadline) return false;
    Gosched();
    Sleep(std::chrono::milliseconds(1));
  }
  return true;
}

}  // namespace goruntime::testing

#define EXPECT_CLEAN_EXIT(r)                      \
  do {                                            \
    EXPECT_FALSE((r).timed_out);                  \
    EXPECT_EQ((r).signal, 0) << (r).err;          \
    EXPECT_EQ((r).exit_code, 0) << (r).err;       \
  } while (0)
