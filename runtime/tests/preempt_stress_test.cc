// Asynchronous preemption under a storm (GORUNTIME_PREEMPT_STRESS=1: every
// running P is signalled every 100us): every part of the runtime runs at
// once, so preemption is attempted at as many instants as possible, in the
// program's code and in the runtime's. Whatever the runtime does must stay
// correct: values delivered once and in order, panics recovered, locked
// goroutines on their threads, no crash and no hang.
#include <atomic>

#include "runtime/preempt/preempt.h"
#include "runtime/tests/program_test_util.h"

namespace goruntime::testing {
namespace {

using ::testing::ElementsAre;

// Runs every kind of work for `ms`, then reports what went wrong (nothing).
void Workload(int ms) {
  std::atomic<bool> stop{false};
  std::atomic<int> errors{0};
  auto finished = Chan<int>::Make(16);
  int workers = 0;
  auto worker = [&](std::function<void()> body) {
    workers++;
    Go([body = std::move(body), finished] {
      body();
      finished.Send(1);
    });
  };
  // Ping-pong through an unbuffered and a buffered channel, values checked.
  worker([&] {
    auto ping = Chan<int>::Make(), pong = Chan<int>::Make(2);
    Go([ping, pong] {
      for (int v = ping.Recv(); v >= 0; v = ping.Recv()) pong.Send(v);
      pong.Send(-1);
    });
    for (int i = 0; !stop; i++) {
      ping.Send(i);
      if (pong.Recv() != i) errors++;
    }
    ping.Send(-1);
    if (pong.Recv() != -1) errors++;
  });
  // Select between two producers.
  worker([&] {
    auto a = Chan<int>::Make(1), b = Chan<int>::Make(1), quit = Chan<int>::Make();
    for (auto c : {a, b}) {
      Go([c, quit] {
        for (;;) {
          std::vector<SelectCase> cases{SendCase(c, 1), RecvCase<int>(quit, nullptr)};
          if (Select(cases, false) == 1) return;
        }
      });
    }
    int64_t sum = 0;
    for (int i = 0; !stop; i++) {
      int v = 0;
      std::vector<SelectCase> cases{RecvCase(a, &v), RecvCase(b, &v)};
      Select(cases, false);
      sum += v;
      if (sum != i + 1) errors++;
    }
    quit.Close();
  });
  // Bursts of goroutines that exit at once.
  worker([&] {
    while (!stop) {
      auto done = Chan<int>::Make(64);
      for (int i = 0; i < 64; i++) Go([done] { done.Send(1); });
      for (int i = 0; i < 64; i++) done.Recv();
    }
  });
  // Gosched, sleeps, and blocking system calls.
  worker([&] {
    while (!stop) Gosched();
  });
  worker([&] {
    while (!stop) Sleep(std::chrono::microseconds(300));
  });
  worker([&] {
    while (!stop) Syscall([] { return usleep(200); });
  });
  // Panics recovered through nested frames (C++ unwinding).
  worker([&] {
    for (int i = 0; !stop; i++) {
      bool recovered = false;
      Call([&] {
        Defer([&] { recovered = !Recover().is_nil(); });
        Call([i] { Panic(Value(int64_t{i})); });
      });
      if (!recovered) errors++;
    }
  });
  // A goroutine locked to its thread stays there across every switch.
  worker([&] {
    LockOSThread();
    const int64_t tid = ThreadID();
    while (!stop) {
      Gosched();
      if (ThreadID() != tid) errors++;
      for (volatile int k = 0; k < 1000; k = k + 1) {
      }
    }
    UnlockOSThread();
  });
  // Call-free loops, preempted only asynchronously.
  for (int s = 0; s < 2; s++) {
    worker([&] {
      uint64_t n = 0;
      while (!stop.load(std::memory_order_relaxed)) n++;
      if (n == 0) errors++;
    });
  }
  Sleep(std::chrono::milliseconds(ms / 2));
  const int procs = GOMAXPROCS(0);
  GOMAXPROCS(procs == 1 ? 2 : 1);  // stop the world in the middle of it all
  GOMAXPROCS(procs);
  Sleep(std::chrono::milliseconds(ms / 2));
  stop = true;
  for (int i = 0; i < workers; i++) finished.Recv();
  Emit("errors " + std::to_string(errors.load()));
  // A floor that shows the storm reached the program (a quiet machine sees
  // hundreds; the spinners alone cannot finish without a few).
  Emit(detail::Stats().injected.load() >= 10 ? "preempted" :
       "preempted only " + std::to_string(detail::Stats().injected.load()) + " times");
}

TEST(AsyncPreemptStress, EverythingAtOnceUnderAPreemptionStorm) {
  if (!AsyncPreemptEnabled()) GTEST_SKIP() << "asynchronous preemption is off in this build";
  for (const char* procs : {"GOMAXPROCS=1", "GOMAXPROCS=2", "GOMAXPROCS=4"}) {
    SCOPED_TRACE(procs);
    auto r = RunProgram([] { Workload(1500); }, {procs, "GORUNTIME_PREEMPT_STRESS=1"}, std::chrono::seconds(60));
    EXPECT_CLEAN_EXIT(r);
    EXPECT_THAT(Lines(r.out), ElementsAre("errors 0", "preempted"));
  }
}

}  // namespace
}  // namespace goruntime::testing
