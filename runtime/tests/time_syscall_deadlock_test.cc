// Sleep, blocking syscalls with P handoff, sysmon and deadlock detection
// (spec-facts §10, §11).
#include <sys/resource.h>

#include "runtime/tests/program_test_util.h"

namespace goruntime::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

int64_t CpuNs() {
  rusage u;
  getrusage(RUSAGE_SELF, &u);
  return (u.ru_utime.tv_sec + u.ru_stime.tv_sec) * 1'000'000'000LL +
         (u.ru_utime.tv_usec + u.ru_stime.tv_usec) * 1000LL;
}

TEST(Sleep, LastsAtLeastItsDurationAndParks) {
  auto r = RunProgram([] {
    const int64_t t0 = Nanotime(), c0 = CpuNs();
    Sleep(std::chrono::milliseconds(300));
    const int64_t wall = Nanotime() - t0, cpu = CpuNs() - c0;
    Emit(wall >= 300'000'000 ? "long enough" : "too short");
    // Parked, not spinning: far less CPU than wall time (sysmon backs off).
    Emit(cpu < wall / 3 ? "parked" : "spinning " + std::to_string(cpu));
  });
  EXPECT_CLEAN_EXIT(r);
  EXPECT_THAT(Lines(r.out), ElementsAre("long enough", "parked"));
}

TEST(Sleep, TimersFireWhileGoroutinesMoveBetweenPs) {
  auto r = RunProgram([] {
    auto done = Chan<int>::Make(100);
    for (int i = 0; i < 100; i++) {
      Go([i, done] {
        for (int k = 0; k < 5; k++) {
          Sleep(std::chrono::microseconds(100 * (i % 7 + 1)));
          Gosched();
        }
        done.Send(1);
      });
    }
    for (int i = 0; i < 100; i++) done.Recv();
    Emit("all woke");
  }, {"GOMAXPROCS=2"});
  EXPECT_CLEAN_EXIT(r);
  EXPECT_THAT(Lines(r.out), ElementsAre("all woke"));
}

TEST(Syscall, BlockingCallDoesNotStopOthersAtOneP) {
  auto r = RunProgram([] {
    std::atomic<bool> in_call{false}, other_ran{false};
    Go([&] {
      Syscall([&] {
        in_call = true;
        // Block in the kernel until the other goroutine has run.
        while (!other_ran) usleep(1000);
        return 0;
      });
    });
    while (!in_call) Gosched();
    Go([&] { other_ran = true; });
    Emit(PollUntil([&] { return other_ran.load(); }) ? "others ran" : "blocked");
  }, {"GOMAXPROCS=1"});
  EXPECT_CLEAN_EXIT(r);
  EXPECT_THAT(Lines(r.out), ElementsAre("others ran"));
}

TEST(Syscall, LockedGoroutineKeepsItsThread) {
  auto r = RunProgram([] {
    LockOSThread();
    const int64_t tid = ThreadID();
    const int64_t in = Syscall([] { usleep(20'000); return ThreadID(); });
    Emit(in == tid && ThreadID() == tid ? "same thread" : "moved");
  }, {"GOMAXPROCS=1"});
  EXPECT_CLEAN_EXIT(r);
  EXPECT_THAT(Lines(r.out), ElementsAre("same thread"));
}

TEST(Sysmon, FlagsLongRunnerWhichYieldsAtSafePoint) {
  // At GOMAXPROCS=1 a goroutine that loops calling only PreemptCheck is
  // preempted by sysmon, so the other goroutine gets to run.
  auto r = RunProgram([] {
    std::atomic<bool> other_ran{false};
    Go([&] { other_ran = true; });
    const int64_t deadline = Nanotime() + 5'000'000'000;
    while (!other_ran && Nanotime() < deadline) PreemptCheck();
    Emit(other_ran ? "preempted" : "starved");
  }, {"GOMAXPROCS=1"});
  EXPECT_CLEAN_EXIT(r);
  EXPECT_THAT(Lines(r.out), ElementsAre("preempted"));
}

TEST(Deadlock, AllAsleepIsFatal) {
  auto r = RunProgram([] {
    auto c = Chan<int>::Make();
    Go([c] { c.Send(1); c.Send(2); });
    c.Recv();
    c.Recv();
    c.Recv();
  });
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("fatal error: all goroutines are asleep - deadlock!"));
}

TEST(Deadlock, DetectedWithLockedGoroutines) {
  auto r = RunProgram([] {
    LockOSThread();
    Go([] { LockOSThread(); Chan<int>::Make().Recv(); });
    Chan<int>::Make().Recv();
  }, {"GOMAXPROCS=2"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("fatal error: all goroutines are asleep - deadlock!"));
}

TEST(Deadlock, NotReportedWhileATimerIsPending) {
  auto r = RunProgram([] {
    auto c = Chan<int>::Make();
    Go([c] { Sleep(std::chrono::milliseconds(200)); c.Send(1); });
    c.Recv();
    Emit("woke");
  });
  EXPECT_CLEAN_EXIT(r);
  EXPECT_THAT(Lines(r.out), ElementsAre("woke"));
}

TEST(Deadlock, NotReportedWhileAGoroutineIsInASyscall) {
  auto r = RunProgram([] {
    auto c = Chan<int>::Make();
    Go([c] {
      Syscall([] { return usleep(200'000); });
      c.Send(1);
    });
    c.Recv();
    Emit("returned from syscall");
  }, {"GOMAXPROCS=1"});
  EXPECT_CLEAN_EXIT(r);
  EXPECT_THAT(Lines(r.out), ElementsAre("returned from syscall"));
}

}  // namespace
}  // namespace goruntime::testing
