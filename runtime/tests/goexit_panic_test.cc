// Goexit, defer, panic and recover (spec-facts §1, §7, §8).
#include "runtime/tests/program_test_util.h"

namespace goruntime::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

TEST(Defer, RunsLifoAtFrameReturn) {
  auto r = RunProgram([] {
    Call([] {
      for (int i = 0; i < 3; i++) Defer([i] { Emit("defer " + std::to_string(i)); });
      Emit("body");
    });
    Emit("after");
  });
  EXPECT_CLEAN_EXIT(r);
  EXPECT_THAT(Lines(r.out), ElementsAre("body", "defer 2", "defer 1", "defer 0", "after"));
}

TEST(Goexit, RunsDefersLifoAcrossFrames) {
  auto r = RunProgram([] {
    auto done = Chan<int>::Make();
    Go([done] {
      Defer([done] { Emit("outer"); done.Send(1); });
      Call([] {
        Defer([] { Emit("inner 1"); });
        Call([] {
          Defer([] { Emit("inner 2"); });
          Goexit();
        });
        Emit("unreachable");
      });
    });
    done.Recv();
  });
  EXPECT_CLEAN_EXIT(r);
  EXPECT_THAT(Lines(r.out), ElementsAre("inner 2", "inner 1", "outer"));
}

TEST(Goexit, RecoverReturnsNilInItsDefers) {
  auto r = RunProgram([] {
    auto done = Chan<int>::Make();
    Go([done] {
      Defer([done] { done.Send(1); });
      Defer([] { Emit(Recover().is_nil() ? "nil" : "non-nil"); });
      Goexit();
    });
    done.Recv();
  });
  EXPECT_CLEAN_EXIT(r);
  EXPECT_THAT(Lines(r.out), ElementsAre("nil"));
}

TEST(Goexit, RecoverCannotCancelIt) {
  // A defer run by Goexit panics; an earlier defer recovers; the goroutine
  // still ends (testprog RecoveredPanicAfterGoexit).
  auto r = RunProgram([] {
    auto done = Chan<int>::Make();
    Go([done] {
      Defer([done] { Emit("last defer"); done.Send(1); });
      Defer([] { Emit("recovered " + Recover().ToString()); });
      Defer([] { Panic("hello"); });
      Goexit();
    });
    done.Recv();
    Emit("main continues");
  });
  EXPECT_CLEAN_EXIT(r);
  EXPECT_THAT(Lines(r.out), ElementsAre("recovered hello", "last defer", "main continues"));
}

TEST(Goexit, UnrecoveredPanicInItsDeferIsFatal) {
  auto r = RunProgram([] {
    Go([] {
      Defer([] { Panic("hello"); });
      Goexit();
    });
    Sleep(std::chrono::seconds(5));
  });
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, ::testing::StartsWith("panic: hello\n"));
}

TEST(Goexit, InDeferDuringPanicDropsThePanic) {
  auto r = RunProgram([] {
    auto done = Chan<int>::Make();
    Go([done] {
      Defer([done] { done.Send(1); });
      Defer([] { Goexit(); });
      Panic("dropped");
    });
    done.Recv();
    Emit("program goes on");
  });
  EXPECT_CLEAN_EXIT(r);
  EXPECT_THAT(Lines(r.out), ElementsAre("program goes on"));
}

TEST(Goexit, FromMainRunsDefersThenOthersRunThenFatal) {
  auto r = RunProgram([] {
    Defer([] { Emit("main defer"); });
    Go([] {
      Sleep(std::chrono::milliseconds(20));
      Emit("other goroutine finished");
    });
    Goexit();
  });
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(Lines(r.out), ElementsAre("main defer", "other goroutine finished"));
  EXPECT_THAT(r.err, HasSubstr("fatal error: no goroutines (main called runtime.Goexit) - deadlock!"));
}

TEST(Goexit, FromMainWithBlockedOthersIsOrdinaryDeadlock) {
  auto r = RunProgram([] {
    Go([] { Chan<int>::Make().Recv(); });
    Goexit();
  });
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("fatal error: all goroutines are asleep - deadlock!"));
}

TEST(Goexit, DeadGoroutineIsReused) {
  // IMPL (gfput/gfget): observable here only as "no growth" in distinct G
  // objects; we check that a long spawn/exit sequence keeps NumGoroutine exact.
  auto r = RunProgram([] {
    auto done = Chan<int>::Make();
    for (int i = 0; i < 10000; i++) {
      Go([done] { done.Send(1); });
      done.Recv();
    }
    Emit(PollUntil([] { return NumGoroutine() == 1; }) ? "back to 1" : "leaked");
  });
  EXPECT_CLEAN_EXIT(r);
  EXPECT_THAT(Lines(r.out), ElementsAre("back to 1"));
}

TEST(Recover, StopsPanicAndFrameReturnsNormally) {
  auto r = RunProgram([] {
    Call([] {
      Defer([] { Emit("outer defer"); });
      Call([] {
        Defer([] { Emit("recovered " + Recover().ToString()); });
        Defer([] { Emit("runs first"); });
        Panic(42);
      });
      Emit("after inner call");
    });
  });
  EXPECT_CLEAN_EXIT(r);
  EXPECT_THAT(Lines(r.out), ElementsAre("runs first", "recovered 42", "after inner call", "outer defer"));
}

TEST(Recover, PanicInADeferAtReturnIsRecoveredByAnEarlierDefer) {
  // Found by the differential fuzzer: the panic starts while the frame runs
  // its defers at a normal return; the frame's first defer recovers it, and
  // the frame must still return normally.
  auto r = RunProgram([] {
    Call([] {
      Defer([] { Emit("recovered " + Recover().ToString()); });
      Defer([] { Defer([] { Panic(2); }); });
      Emit("body");
    });
    Emit("after call");
  });
  EXPECT_CLEAN_EXIT(r);
  EXPECT_THAT(Lines(r.out), ElementsAre("body", "recovered 2", "after call"));
}

TEST(Recover, ReturnsNilWhenNotPanicking) {
  auto r = RunProgram([] {
    Call([] { Defer([] { Emit(Recover().is_nil() ? "nil" : "value"); }); });
    Emit(Recover().is_nil() ? "nil" : "value");
  });
  EXPECT_CLEAN_EXIT(r);
  EXPECT_THAT(Lines(r.out), ElementsAre("nil", "nil"));
}

TEST(Recover, OnlyWhenCalledDirectlyByTheDeferredFunction) {
  auto r = RunProgram([] {
    Call([] {
      Defer([] { Emit("direct " + Recover().ToString()); });
      Defer([] { Call([] { Emit(Recover().is_nil() ? "nested nil" : "nested recovered"); }); });
      Panic("p");
    });
  });
  EXPECT_CLEAN_EXIT(r);
  EXPECT_THAT(Lines(r.out), ElementsAre("nested nil", "direct p"));
}

TEST(Panic, UnrecoveredPrintsValueAndExits2) {
  auto r = RunProgram([] {
    Defer([] { Emit("deferred ran"); });
    Panic("boom");
  });
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(Lines(r.out), ElementsAre("deferred ran"));
  EXPECT_THAT(r.err, ::testing::StartsWith("panic: boom\n\ngoroutine 1 [running]:\n"));
}

TEST(Panic, NestedPanicsPrintOldestFirst) {
  auto r = RunProgram([] {
    Defer([] { Panic("second"); });
    Panic("first");
  });
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, ::testing::StartsWith("panic: first\n\tpanic: second\n"));
}

TEST(Panic, RecoveredThenNewPanicPrintsRecoveredMarker) {
  auto r = RunProgram([] {
    Defer([] {
      Recover();
      Panic("second");
    });
    Panic("first");
  });
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, ::testing::StartsWith("panic: first [recovered]\n\tpanic: second\n"));
}

TEST(Exit, SkipsDeferredCalls) {
  auto r = RunProgram([] {
    Defer([] { Emit("must not run"); });
    Exit(3);
  });
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_EQ(r.out, "");
}

TEST(Lifecycle, MainReturnDoesNotWaitForOthers) {
  auto r = RunProgram([] {
    Go([] {
      Sleep(std::chrono::seconds(10));
      Emit("too late");
    });
  });
  EXPECT_CLEAN_EXIT(r);
  EXPECT_EQ(r.out, "");
}

TEST(Lifecycle, InitsRunBeforeMainOnTheMainThreadLocked) {
  auto r = RunInChild([] {
    static int64_t init_tid = 0;
    RegisterInit([] { init_tid = ThreadID(); Emit("init"); });
    RegisterInit([] { LockOSThread(); Emit("init locks"); });
    goruntime::Run([] {
      Emit("main");
      // The init's LockOSThread keeps main on the startup thread.
      for (int i = 0; i < 100; i++) {
        Go([] {});
        Gosched();
        if (ThreadID() != init_tid) Emit("moved");
      }
    });
  });
  EXPECT_CLEAN_EXIT(r);
  EXPECT_THAT(Lines(r.out), ElementsAre("init", "init locks", "main"));
}

}  // namespace
}  // namespace goruntime::testing
