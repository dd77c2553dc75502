// The GOMAXPROCS stress program (issue 10): many goroutines change
// GOMAXPROCS at once, between 1 and 64, while 1,000 goroutines exchange
// messages over unbuffered and buffered channels and selects, and the
// callers sleep now and then, so the timer thread readies goroutines from
// outside any P. Every stop-the-world races with Ms that go idle, spin, block
// and wake, so a P lost by the stop-the-world accounting hangs the program
// (every M asleep, one caller waiting in StopTheWorld for ever). Shared by
// gomaxprocs_stress_test.cc and the gomaxprocs_stress binary, which runs it
// once, for loops of many runs.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>
#include <vector>

#include "runtime/chan.h"
#include "runtime/runtime.h"
#include "runtime/testing/child_process.h"

namespace goruntime::testing {

struct GomaxprocsStressConfig {
  int callers = 50;           // goroutines calling GOMAXPROCS at once
  int changes_per_caller = 20;  // GOMAXPROCS calls each makes
  int pairs = 500;            // sender/receiver pairs (2 goroutines each)
  int messages = 200'000;     // over all pairs
};

// Runs the program (call from a goroutine). Emits "exactly once" when every
// message arrived once, "callers done" when every GOMAXPROCS call returned
// a value in [1, 64], then "none left" when every goroutine has exited.
inline void GomaxprocsStress(const GomaxprocsStressConfig& cfg) {
  const int per = cfg.messages / cfg.pairs;
  auto done = Chan<int64_t>::Make(cfg.pairs);
  for (int p = 0; p < cfg.pairs; p++) {
    auto c = Chan<int>::Make(p % 3 == 0 ? 0 : p % 7);
    Go([c, per, p] {
      for (int i = 0; i < per; i++) {
        if (i % 5 == 0) {
          std::vector<SelectCase> cases{SendCase(c, p * per + i)};
          Select(cases, false);
        } else {
          c.Send(p * per + i);
        }
      }
      c.Close();
    });
    Go([c, done] {
      int64_t sum = 0;
      bool ok = true;
      for (int v = c.Recv(&ok); ok; v = c.Recv(&ok)) sum += v;
      done.Send(sum);
    });
  }
  auto callers_done = Chan<int>::Make(cfg.callers);
  for (int k = 0; k < cfg.callers; k++) {
    Go([k, cfg, callers_done] {
      int bad = 0;
      for (int j = 0; j < cfg.changes_per_caller; j++) {
        const int n = (k * 7 + j * 13) % 64 + 1;  // covers 1..64
        const int before = GOMAXPROCS(n);
        bad += before < 1 || before > 64;
        // A short sleep: the timer thread readies the caller from outside
        // any P, as syscall exits and timers do in real programs.
        if (j % 2 == 1) Sleep(std::chrono::microseconds((k + j) % 50));
      }
      callers_done.Send(bad);
    });
  }
  int64_t sum = 0;
  for (int p = 0; p < cfg.pairs; p++) sum += done.Recv();
  int bad = 0;
  for (int k = 0; k < cfg.callers; k++) bad += callers_done.Recv();
  const int64_t n = int64_t{per} * cfg.pairs;
  Emit(sum == n * (n - 1) / 2 ? "exactly once" : "mismatch " + std::to_string(sum));
  Emit(bad == 0 ? "callers done" : "bad previous values " + std::to_string(bad));
  const int64_t deadline = Nanotime() + 10'000'000'000;
  while (NumGoroutine() != 1 && Nanotime() < deadline) Sleep(std::chrono::milliseconds(1));
  Emit(NumGoroutine() == 1 ? "none left" : "left " + std::to_string(NumGoroutine()));
}

}  // namespace goruntime::testing
