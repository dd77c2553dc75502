// Gosched, NumGoroutine, GOMAXPROCS, LockOSThread (spec-facts §2–§5).
#include <set>

#include "runtime/tests/program_test_util.h"

namespace goruntime::testing {
namespace {

using ::testing::ElementsAre;

TEST(Gosched, ReturnsWithNoOtherGoroutine) {
  auto r = RunProgram([] {
    for (int i = 0; i < 1000; i++) Gosched();
    Emit("returned");
  }, {"GOMAXPROCS=1"});
  EXPECT_CLEAN_EXIT(r);
  EXPECT_THAT(Lines(r.out), ElementsAre("returned"));
}

TEST(Gosched, OthersProgressWhileOneLoopsOnIt) {
  // TestYieldProgress: at GOMAXPROCS=1 a Gosched loop lets another goroutine run.
  auto r = RunProgram([] {
    std::atomic<bool> flag{false};
    Go([&flag] { flag = true; });
    while (!flag) Gosched();
    Emit("progress");
  }, {"GOMAXPROCS=1"});
  EXPECT_CLEAN_EXIT(r);
  EXPECT_THAT(Lines(r.out), ElementsAre("progress"));
}

TEST(Gosched, PreemptionRequestIsForTheGoroutineThatRanLong) {
  // sysmon asks the P to preempt main, which runs 50 ms with no safe point.
  // Main then yields; the request was for main, so B (runnext), scheduled
  // next, must not be preempted at its first safe point (Go's execute
  // clears gp.preempt). Before the fix B went behind A.
  auto r = RunProgram([] {
    auto done = Chan<int>::Make(2);
    for (const char* name : {"A", "B"}) {
      Go([name, done] {
        PreemptCheck();
        Emit(name);
        done.Send(1);
      });
    }
    const int64_t t0 = Nanotime();
    while (Nanotime() - t0 < 50'000'000) {
    }
    Gosched();
    done.Recv();
    done.Recv();
  }, {"GOMAXPROCS=1"});
  EXPECT_CLEAN_EXIT(r);
  EXPECT_THAT(Lines(r.out), ElementsAre("B", "A"));
}

TEST(Gosched, FairnessBoundAtOneP) {
  // N goroutines loop record-then-Gosched: nobody records twice in a row
  // while another runnable goroutine has not recorded since.
  auto r = RunProgram([] {
    constexpr int kG = 4, kRounds = 200;
    auto done = Chan<int>::Make(kG);
    std::vector<int> trace;  // one P, cooperative: no data race
    for (int id = 0; id < kG; id++) {
      Go([id, done, &trace] {
        for (int i = 0; i < kRounds; i++) {
          trace.push_back(id);
          Gosched();
        }
        done.Send(id);
      });
    }
    for (int i = 0; i < kG; i++) done.Recv();
    // Every window of kG consecutive records (while all are live) has kG distinct ids.
    int violations = 0;
    for (size_t i = 0; i + kG <= trace.size() - kG; i++) {
      std::set<int> w(trace.begin() + i, trace.begin() + i + kG);
      if (static_cast<int>(w.size()) != kG) violations++;
    }
    Emit("records " + std::to_string(trace.size()) + " violations " + std::to_string(violations));
  }, {"GOMAXPROCS=1"});
  EXPECT_CLEAN_EXIT(r);
  EXPECT_THAT(Lines(r.out), ElementsAre("records 800 violations 0"));
}

TEST(NumGoroutine, FreshProgramIsOne) {
  auto r = RunProgram([] { Emit(std::to_string(NumGoroutine())); });
  EXPECT_CLEAN_EXIT(r);
  EXPECT_THAT(Lines(r.out), ElementsAre("1"));
}

TEST(NumGoroutine, CountsEachStateAndDropsTheDead) {
  auto r = RunProgram([] {
    auto never = Chan<int>::Make();
    auto release = Chan<int>::Make();
    Go([never, release] {  // waiting on a channel
      std::vector<SelectCase> c{RecvCase<int>(release, nullptr)};
      Select(c, false);
    });
    Go([release] { release.Recv(); });                              // chan receive
    Go([] { Sleep(std::chrono::milliseconds(300)); });              // sleeping
    Go([] { Syscall([] { return usleep(300'000); }); });            // in a syscall
    Go([] { for (int i = 0; i < 100000; i++) Gosched(); });          // runnable/running
    Emit(PollUntil([] { return NumGoroutine() == 6; }) ? "6" : "wrong " + std::to_string(NumGoroutine()));
    release.Send(1);
    release.Send(1);
    Emit(PollUntil([] { return NumGoroutine() == 1; }, 10000) ? "1" : "wrong " + std::to_string(NumGoroutine()));
  });
  EXPECT_CLEAN_EXIT(r);
  EXPECT_THAT(Lines(r.out), ElementsAre("6", "1"));
}

TEST(GOMAXPROCS, ReturnsPreviousAndZeroQueries) {
  auto r = RunProgram([] {
    Emit(std::to_string(GOMAXPROCS(0)));
    Emit(std::to_string(GOMAXPROCS(2)));
    Emit(std::to_string(GOMAXPROCS(-1)));
    Emit(std::to_string(GOMAXPROCS(1)));
    Emit(std::to_string(GOMAXPROCS(0)));
  }, {"GOMAXPROCS=3"});
  EXPECT_CLEAN_EXIT(r);
  EXPECT_THAT(Lines(r.out), ElementsAre("3", "3", "2", "2", "1"));
}

TEST(GOMAXPROCS, DefaultIsCpuCountWithoutEnv) {
  auto r = RunInChild([] {
    unsetenv("GOMAXPROCS");
    goruntime::Run([] { Emit(std::to_string(GOMAXPROCS(0))); });
  });
  EXPECT_CLEAN_EXIT(r);
  EXPECT_THAT(Lines(r.out), ElementsAre(std::to_string(std::thread::hardware_concurrency())));
}

TEST(GOMAXPROCS, ChangesWhileGoroutinesRunAndBlock) {
  auto r = RunProgram([] {
    auto c = Chan<int>::Make();
    std::atomic<int> sum{0};
    for (int i = 0; i < 8; i++) {
      Go([c, &sum] {
        for (int j = 0; j < 1000; j++) {
          sum++;
          if (j % 10 == 0) Gosched();
        }
        c.Send(1);
      });
    }
    for (int n : {1, 4, 2, 1, 3}) GOMAXPROCS(n);
    for (int i = 0; i < 8; i++) c.Recv();
    Emit(std::to_string(sum.load()));
  }, {"GOMAXPROCS=2"});
  EXPECT_CLEAN_EXIT(r);
  EXPECT_THAT(Lines(r.out), ElementsAre("8000"));
}

TEST(GOMAXPROCS, ConcurrentCallersAreSerialised) {
  // Each caller sees the value the previous change left: over all callers,
  // the returned "previous" values and the final value are a permutation of
  // the initial value and the values set.
  auto r = RunProgram([] {
    auto results = Chan<int>::Make(8);
    for (int i = 1; i <= 8; i++) Go([i, results] { results.Send(GOMAXPROCS(i)); });
    std::multiset<int> seen;
    for (int i = 0; i < 8; i++) seen.insert(results.Recv());
    seen.insert(GOMAXPROCS(0));
    Emit(seen == std::multiset<int>{1, 2, 3, 4, 5, 6, 7, 8, 2} ? "serialised" : "lost an update");
  }, {"GOMAXPROCS=2"});
  EXPECT_CLEAN_EXIT(r);
  EXPECT_THAT(Lines(r.out), ElementsAre("serialised"));
}

TEST(LockOSThread, LockedGoroutineStaysOnItsThreadAndAloneThere) {
  auto r = RunProgram([] {
    auto done = Chan<int>::Make();
    std::atomic<int64_t> locked_tid{0};
    std::atomic<int> moved{0}, intruders{0};
    Go([&, done] {
      LockOSThread();
      locked_tid = ThreadID();
      for (int i = 0; i < 2000; i++) {
        Gosched();
        if (i % 100 == 0) Sleep(std::chrono::microseconds(50));
        if (ThreadID() != locked_tid) moved++;
      }
      UnlockOSThread();
      done.Send(1);
    });
    while (locked_tid == 0) Gosched();
    for (int k = 0; k < 4; k++) {
      Go([&, done] {
        for (int i = 0; i < 2000; i++) {
          if (ThreadID() == locked_tid) intruders++;
          Gosched();
        }
        done.Send(1);
      });
    }
    for (int k = 0; k < 5; k++) done.Recv();
    Emit("moved " + std::to_string(moved.load()) + " intruders " + std::to_string(intruders.load()));
  }, {"GOMAXPROCS=2"});
  EXPECT_CLEAN_EXIT(r);
  EXPECT_THAT(Lines(r.out), ElementsAre("moved 0 intruders 0"));
}

TEST(LockOSThread, NestsAndUnlockWithoutLockIsNoop) {
  auto r = RunProgram([] {
    auto done = Chan<int>::Make();
    Go([done] {
      UnlockOSThread();  // no-op
      LockOSThread();
      LockOSThread();
      UnlockOSThread();  // still locked once
      const int64_t tid = ThreadID();
      int moved = 0;
      for (int i = 0; i < 500; i++) {
        Sleep(std::chrono::microseconds(20));
        if (ThreadID() != tid) moved++;
      }
      UnlockOSThread();
      Emit("moved " + std::to_string(moved));
      done.Send(1);
    });
    // Keep the other P busy so an unlocked goroutine would likely migrate.
    Go([] { for (;;) { Sleep(std::chrono::microseconds(10)); } });
    done.Recv();
  }, {"GOMAXPROCS=2"});
  EXPECT_CLEAN_EXIT(r);
  EXPECT_THAT(Lines(r.out), ElementsAre("moved 0"));
}

TEST(LockOSThread, ExitWhileLockedTerminatesTheThread) {
  auto r = RunProgram([] {
    LockOSThread();  // keep main on m0, which Go never exits (IMPL)
    auto tid_ch = Chan<int64_t>::Make(1);
    Go([tid_ch] {
      LockOSThread();
      tid_ch.Send(ThreadID());
    });
    const int64_t tid = tid_ch.Recv();
    const std::string task = "/proc/self/task/" + std::to_string(tid);
    Emit(PollUntil([&] { return access(task.c_str(), F_OK) != 0; }) ? "thread gone" : "thread alive");
  }, {"GOMAXPROCS=2"});
  EXPECT_CLEAN_EXIT(r);
  EXPECT_THAT(Lines(r.out), ElementsAre("thread gone"));
}

TEST(LockOSThread, GoschedResumesOnTheSameThread) {
  auto r = RunProgram([] {
    LockOSThread();
    const int64_t tid = ThreadID();
    Go([] { for (int i = 0; i < 100; i++) Gosched(); });
    int moved = 0;
    for (int i = 0; i < 100; i++) {
      Gosched();
      moved += ThreadID() != tid;
    }
    Emit("moved " + std::to_string(moved));
  }, {"GOMAXPROCS=1"});
  EXPECT_CLEAN_EXIT(r);
  EXPECT_THAT(Lines(r.out), ElementsAre("moved 0"));
}

}  // namespace
}  // namespace goruntime::testing
