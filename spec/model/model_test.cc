#include "spec/model/model.h"

#include <gtest/gtest.h>

#include "conformance/lang/parser.h"

namespace spec::model {
namespace {

using conform::Event;
using conform::lang::Scenario;

Scenario P(const std::string& text) {
  conform::lang::ParseError err;
  auto sc = conform::lang::Parse(text, "t.scn", &err);
  EXPECT_TRUE(sc) << err.ToString();
  return sc ? *sc : Scenario{};
}

std::set<Outcome> All(const std::string& text) {
  auto out = Enumerate(P(text));
  EXPECT_TRUE(out) << "state bound exceeded";
  return out ? *out : std::set<Outcome>{};
}

bool AnyTraceHas(const std::set<Outcome>& outs, const Event& e) {
  for (const auto& [trace, exit] : outs)
    for (const Event& x : trace)
      if (x == e) return true;
  return false;
}

std::set<int> Exits(const std::set<Outcome>& outs) {
  std::set<int> s;
  for (const auto& o : outs) s.insert(o.second);
  return s;
}

TEST(Model, DefersRunLifo) {
  auto outs = All("defer\n  record a\nend\ndefer\n  record b\nend\n");
  std::set<Outcome> want = {{{{1, "record", "b"}, {1, "record", "a"}}, 0}};
  EXPECT_EQ(outs, want);
}

TEST(Model, DeferValueEvaluatesAtDeferTime) {
  auto outs = All("set x 1\ndefer-value x\nset x 2\nvalue x\n");
  std::set<Outcome> want = {{{{1, "value", "x=2"}, {1, "value", "x=1"}}, 0}};
  EXPECT_EQ(outs, want);
}

TEST(Model, DeferRecoverCallsRecoverAtTheDeferStatement) {
  // Outside a panic recover returns nil at once, so the panic is not stopped.
  auto outs = All("call\n  defer-recover\n  panic 7\nend\nrecord after\n");
  std::set<Outcome> want = {{{{1, "recover", "nil"}}, 2}};
  EXPECT_EQ(outs, want);
  // In a deferred call during a panic it recovers; the value is recorded
  // when that call's own deferred call runs, and the frame returns normally.
  outs = All("call\n  defer\n    defer-recover\n    record in-defer\n  end\n  panic 7\nend\nrecord after\n");
  want = {{{{1, "record", "in-defer"}, {1, "recover", "7"}, {1, "record", "after"}}, 0}};
  EXPECT_EQ(outs, want);
}

TEST(Model, RecvIntoStoresTheValueAndRecordsNothing) {
  auto outs = All("chan c 1\nsend c 5\nrecv c into x\nvalue x\nclose c\nrecv c into x\nvalue x\n");
  std::set<Outcome> want = {{{{1, "value", "x=5"}, {1, "value", "x=0"}}, 0}};
  EXPECT_EQ(outs, want);
}

TEST(Model, PipeReadWaitsForAWriteAndIsNeverADeadlock) {
  auto outs = All("go\n  read p\n  set got 1\nend\nwrite p 300\npoll $got == 1 within 100\n");
  EXPECT_TRUE(AnyTraceHas(outs, Event{2, "read", "44"}));  // 300 & 0xff
  EXPECT_EQ(Exits(outs), std::set<int>{0});
  // main alone, reading a pipe nobody writes: it hangs, so no run ends.
  outs = All("read p\n");
  EXPECT_TRUE(outs.empty());
}

TEST(Model, ForeverNeverEndsAndIsNotADeadlock) {
  EXPECT_TRUE(All("forever\nend\n").empty());
  EXPECT_TRUE(All("forever\n  gosched\nend\n").empty());
  // A goroutine that loops forever does not keep main from returning.
  auto outs = All("go\n  forever\n    gosched\n  end\nend\nrecord done\n");
  std::set<Outcome> want = {{{{1, "record", "done"}}, 0}};
  EXPECT_EQ(outs, want);
}

TEST(Model, ThreadFactsAndElapsedTimeAreUnknown) {
  Scenario sc = P("thread\nalive T1\nmain-thread\nstopwatch w\nelapsed w\npoll alive T1 == 0 within 5\n");
  Observation obs{{{1, "thread", "T1"}, {1, "alive", "T1=1"}, {1, "main-thread", "0"},
                   {1, "elapsed", "w=12"}, {1, "poll", "1"}},
                  0};
  EXPECT_EQ(Check(sc, obs).verdict, Verdict::kValid);
}

TEST(Model, RecoverReturnsValueAndCallReturnsNormally) {
  auto outs = All("call\n  defer\n    recover\n  end\n  panic 7\n  record unreachable\nend\nrecord after\n");
  std::set<Outcome> want = {{{{1, "recover", "7"}, {1, "record", "after"}}, 0}};
  EXPECT_EQ(outs, want);
}

TEST(Model, PanicAfterRecoverInTheSameDeferKeepsUnwinding) {
  auto outs = All("call\n  defer\n    recover\n    panic \"second\"\n  end\n  panic \"first\"\nend\nrecord after\n");
  std::set<Outcome> want = {{{{1, "recover", "first"}}, 2}};
  EXPECT_EQ(outs, want);
}

TEST(Model, RecoverOutsidePanicAndNotDirectIsNil) {
  auto outs = All("recover\ncall\n  defer\n    call\n      recover\n    end\n  end\n  panic 7\nend\n");
  std::set<Outcome> want = {{{{1, "recover", "nil"}, {1, "recover", "nil"}}, 2}};
  EXPECT_EQ(outs, want);
}

TEST(Model, GoexitRunsDefersAcrossFramesAndRecoverIsNil) {
  auto outs = All(R"(chan done 0
go
  defer
    record outer
    send done 1
  end
  call
    defer
      recover
    end
    goexit
    record never
  end
  record never2
end
recv done
)");
  std::set<Outcome> want = {
      {{{2, "recover", "nil"}, {2, "record", "outer"}, {1, "recv", "1,true"}}, 0}};
  EXPECT_EQ(outs, want);
}

TEST(Model, RecoverCannotCancelGoexit) {
  // testprog RecoverBeforePanicAfterGoexit, inside a call frame: if the
  // recover cancelled the Goexit, "after-call" would be recorded.
  auto outs = All(R"(go
  call
    defer
      recover
    end
    defer
      panic "hello"
    end
    goexit
  end
  record after-call
end
poll numgoroutine == 1 within 1000
)");
  EXPECT_TRUE(AnyTraceHas(outs, {2, "recover", "hello"}));
  EXPECT_FALSE(AnyTraceHas(outs, {2, "record", "after-call"}));
  EXPECT_EQ(Exits(outs), std::set<int>{0});
}

TEST(Model, GoexitDuringPanicDropsThePanic) {
  auto outs = All("go\n  defer\n    goexit\n  end\n  panic \"boomvalue\"\nend\n" 
                  "poll numgoroutine == 1 within 100\nrecord done\n");
  EXPECT_EQ(Exits(outs), std::set<int>{0});  // never the panic's exit 2
  EXPECT_TRUE(AnyTraceHas(outs, {1, "poll", "1"}));
}

TEST(Model, UnrecoveredPanicAfterGoexitIsFatal) {
  auto outs = All("chan c 0\ngo\n  defer\n    panic \"x\"\n  end\n  goexit\nend\nsend c 1\n");
  // Main blocks forever, so the only end is g2's fatal panic (exit 2).
  EXPECT_EQ(Exits(outs), std::set<int>{2});
}

TEST(Model, MainGoexitWithNoOthersIsFatal) {
  auto outs = All("defer\n  record d\nend\ngoexit\n");
  std::set<Outcome> want = {{{{1, "record", "d"}}, 2}};
  EXPECT_EQ(outs, want);
}

TEST(Model, MainGoexitOthersKeepRunning) {
  auto outs = All("go\n  record other\nend\ngoexit\n");
  std::set<Outcome> want = {{{{2, "record", "other"}}, 2}};
  EXPECT_EQ(outs, want);
}

TEST(Model, BufferedChannelIsFifoAndCloseDrains) {
  auto outs = All("chan c 2\nsend c 1\nsend c 2\nclose c\nrecv c\nrecv c\nrecv c\n");
  std::set<Outcome> want = {
      {{{1, "recv", "1,true"}, {1, "recv", "2,true"}, {1, "recv", "0,false"}}, 0}};
  EXPECT_EQ(outs, want);
}

TEST(Model, ChannelPanics) {
  auto outs = All(R"(chan c 1
close c
call
  defer
    recover
  end
  send c 1
end
call
  defer
    recover
  end
  close c
end
chan n nil
call
  defer
    recover
  end
  close n
end
)");
  std::set<Outcome> want = {{{{1, "recover", "send on closed channel"},
                              {1, "recover", "close of closed channel"},
                              {1, "recover", "close of nil channel"}},
                             0}};
  EXPECT_EQ(outs, want);
}

TEST(Model, UnbufferedRendezvousDeliversTheValue) {
  auto outs = All("chan c 0\ngo\n  send c 5\nend\nrecv c\n");
  std::set<Outcome> want = {{{{1, "recv", "5,true"}}, 0}};
  EXPECT_EQ(outs, want);
}

TEST(Model, ChannelOperandIsEvaluatedOnceAtTheStatement) {
  // Found by the Go differential property test: main blocks on the first d;
  // rebinding the name d afterwards does not change what main waits on.
  auto outs = All("chan d 1\ngo\n  poll numgoroutine == 2 within 100\n  chan d 1\n  send d 1\nend\nrecv d\n");
  EXPECT_TRUE(Exits(outs).count(2));  // main may be stuck on the old d: deadlock
  EXPECT_TRUE(AnyTraceHas(outs, {1, "recv", "1,true"}));  // or receive if it looked d up late
}

TEST(Model, DeadlockWhenAllBlocked) {
  EXPECT_EQ(All("chan c 0\nrecv c\n"), (std::set<Outcome>{{{}, 2}}));
  EXPECT_EQ(All("select\nend\n"), (std::set<Outcome>{{{}, 2}}));
  EXPECT_EQ(All("chan n nil\nsend n 1\n"), (std::set<Outcome>{{{}, 2}}));
}

TEST(Model, SelectDefaultOnlyWhenNothingReady) {
  EXPECT_EQ(All("chan c 0\nselect\ncase recv c\ndefault\nend\n"),
            (std::set<Outcome>{{{{1, "select", "default"}}, 0}}));
  EXPECT_EQ(All("chan c 1\nsend c 4\nselect\ncase recv c\ndefault\nend\n"),
            (std::set<Outcome>{{{{1, "select", "0"}, {1, "recv", "4,true"}}, 0}}));
}

TEST(Model, SelectMayChooseAnyReadyCase) {
  auto outs = All("chan a 1\nchan b 1\nsend a 1\nsend b 2\nselect\ncase recv a\ncase recv b\nend\n");
  EXPECT_TRUE(AnyTraceHas(outs, {1, "select", "0"}));
  EXPECT_TRUE(AnyTraceHas(outs, {1, "select", "1"}));
  EXPECT_FALSE(AnyTraceHas(outs, {1, "select", "default"}));
}

TEST(Model, NumGoroutineCountsBlockedGoroutines) {
  auto outs = All("chan c 0\ngo\n  recv c\nend\nnumgoroutine\n");
  EXPECT_EQ(outs, (std::set<Outcome>{{{{1, "numgoroutine", "2"}}, 0}}));
}

TEST(Model, CheckAcceptsLegalAndRejectsIllegalTraces) {
  Scenario sc = P("chan c 0\ngo\n  record a\n  send c 5\n  record b\nend\nrecv c\nrecord got\n");
  Observation ok{{{2, "record", "a"}, {1, "recv", "5,true"}, {2, "record", "b"}, {1, "record", "got"}}, 0};
  EXPECT_EQ(Check(sc, ok).verdict, Verdict::kValid);
  Observation short_ok{{{2, "record", "a"}, {1, "recv", "5,true"}, {1, "record", "got"}}, 0};
  EXPECT_EQ(Check(sc, short_ok).verdict, Verdict::kValid);  // main may end before g2 records b
  Observation wrong_value{{{2, "record", "a"}, {1, "recv", "6,true"}, {1, "record", "got"}}, 0};
  Result r = Check(sc, wrong_value);
  EXPECT_EQ(r.verdict, Verdict::kInvalid);
  EXPECT_EQ(r.longest_prefix, 1u);
  Observation b_before_recv{{{2, "record", "b"}, {2, "record", "a"}}, std::nullopt};
  EXPECT_EQ(Check(sc, b_before_recv).verdict, Verdict::kInvalid);
  Observation wrong_exit = ok;
  wrong_exit.exit_status = 2;
  EXPECT_EQ(Check(sc, wrong_exit).verdict, Verdict::kInvalid);
}

TEST(Model, ThreadIdentityOfAnUnlockedGoroutineIsUnconstrained) {
  Scenario sc = P("thread\n");
  EXPECT_EQ(Check(sc, {{{1, "thread", "T7"}}, 0}).verdict, Verdict::kValid);
  EXPECT_EQ(Check(sc, {{{2, "thread", "T1"}}, 0}).verdict, Verdict::kInvalid);
  Scenario moves = P("thread\ngosched\nthread\n");
  EXPECT_EQ(Check(moves, {{{1, "thread", "T1"}, {1, "thread", "T2"}}, 0}).verdict, Verdict::kValid);
}

Options Caps(std::set<std::string> caps) {
  Options o;
  o.capabilities = std::move(caps);
  return o;
}

TEST(Model, LockedGoroutineKeepsItsThreadWhileLockNestingLasts) {
  // lockosthread.pins-goroutine, .nesting: two locks need two unlocks.
  Scenario sc = P("lock\nlock\nthread\ngosched\nunlock\nthread\nunlock\nthread\n");
  Observation same{{{1, "thread", "T1"}, {1, "thread", "T1"}, {1, "thread", "T2"}}, 0};
  EXPECT_EQ(Check(sc, same).verdict, Verdict::kValid);
  Observation moved{{{1, "thread", "T1"}, {1, "thread", "T2"}, {1, "thread", "T2"}}, 0};
  EXPECT_EQ(Check(sc, moved).verdict, Verdict::kInvalid);
  // Without os-threads the model knows nothing of threads.
  EXPECT_EQ(Check(sc, moved, Caps({})).verdict, Verdict::kValid);
  // An unlock without a lock is a no-op: the later lock still holds.
  Scenario noop = P("unlock\nlock\nthread\ngosched\nthread\n");
  EXPECT_EQ(Check(noop, {{{1, "thread", "T3"}, {1, "thread", "T4"}}, 0}).verdict, Verdict::kInvalid);
  EXPECT_EQ(Check(noop, {{{1, "thread", "T3"}, {1, "thread", "T3"}}, 0}).verdict, Verdict::kValid);
  // A new lock session may be on another thread.
  Scenario again = P("lock\nthread\nunlock\nlock\nthread\n");
  EXPECT_EQ(Check(again, {{{1, "thread", "T1"}, {1, "thread", "T2"}}, 0}).verdict, Verdict::kValid);
}

TEST(Model, NoOtherGoroutineRecordsALockedGoroutinesThread) {
  // lockosthread.exclusive-thread: g2 records after main's thread event and
  // after its own first event, so its statement ran while main was locked.
  Scenario sc = P("chan c 0\nlock\nthread\ngo\n  recv c into x\n  thread\nend\nsend c 1\npoll numgoroutine == 1 within 100\n");
  Observation shared{{{1, "thread", "T1"}, {2, "thread", "T1"}, {1, "poll", "1"}}, 0};
  EXPECT_EQ(Check(sc, shared).verdict, Verdict::kInvalid);
  Observation own{{{1, "thread", "T1"}, {2, "thread", "T2"}, {1, "poll", "1"}}, 0};
  EXPECT_EQ(Check(sc, own).verdict, Verdict::kValid);
}

TEST(Model, ThreadOfAGoroutineThatExitsLockedNeverComesBack) {
  // lockosthread.exit-while-locked-kills-thread.
  Scenario sc = P("chan c 0\ngo\n  lock\n  thread\n  send c 1\nend\nrecv c into x\npoll numgoroutine == 1 within 100\nthread\n");
  Observation back{{{2, "thread", "T2"}, {1, "poll", "1"}, {1, "thread", "T2"}}, 0};
  EXPECT_EQ(Check(sc, back).verdict, Verdict::kInvalid);
  Observation other{{{2, "thread", "T2"}, {1, "poll", "1"}, {1, "thread", "T1"}}, 0};
  EXPECT_EQ(Check(sc, other).verdict, Verdict::kValid);
  // Unlocked before it exits: its thread lives on and may run main.
  Scenario unlocked = P("chan c 0\ngo\n  lock\n  thread\n  unlock\n  send c 1\nend\nrecv c into x\npoll numgoroutine == 1 within 100\nthread\n");
  EXPECT_EQ(Check(unlocked, back).verdict, Verdict::kValid);
}

TEST(Model, InitRunsOnTheMainThreadAndALockThereKeepsMainOnIt) {
  // lifecycle.init-on-main-thread, lockosthread.init-lock-keeps-main.
  Scenario plain = P("init\n  main-thread\n  thread\nend\nmain-thread\nthread\n");
  EXPECT_EQ(Check(plain, {{{1, "main-thread", "0"}, {1, "thread", "T1"}, {1, "main-thread", "0"}, {1, "thread", "T2"}}, 0}).verdict,
            Verdict::kInvalid);
  EXPECT_EQ(Check(plain, {{{1, "main-thread", "1"}, {1, "thread", "T1"}, {1, "main-thread", "0"}, {1, "thread", "T2"}}, 0}).verdict,
            Verdict::kValid);
  Scenario locked = P("init\n  lock\n  thread\nend\ngosched\nmain-thread\nthread\nunlock\nmain-thread\n");
  EXPECT_EQ(Check(locked, {{{1, "thread", "T1"}, {1, "main-thread", "1"}, {1, "thread", "T1"}, {1, "main-thread", "0"}}, 0}).verdict,
            Verdict::kValid);
  EXPECT_EQ(Check(locked, {{{1, "thread", "T1"}, {1, "main-thread", "0"}, {1, "thread", "T1"}, {1, "main-thread", "0"}}, 0}).verdict,
            Verdict::kInvalid);
  EXPECT_EQ(Check(locked, {{{1, "thread", "T1"}, {1, "main-thread", "1"}, {1, "thread", "T2"}, {1, "main-thread", "0"}}, 0}).verdict,
            Verdict::kInvalid);
  // An init that locks and unlocks leaves main free.
  Scenario released = P("init\n  lock\n  unlock\nend\nmain-thread\n");
  EXPECT_EQ(Check(released, {{{1, "main-thread", "0"}}, 0}).verdict, Verdict::kValid);
}

TEST(Model, GomaxprocsReturnsThePreviousSettingAndNonpositiveOnlyQueries) {
  Scenario pinned = P("@gomaxprocs 3\ngomaxprocs 1\ngomaxprocs 0\n");
  EXPECT_EQ(Check(pinned, {{{1, "gomaxprocs", "3"}, {1, "gomaxprocs", "1"}}, 0}).verdict, Verdict::kValid);
  EXPECT_EQ(Check(pinned, {{{1, "gomaxprocs", "2"}, {1, "gomaxprocs", "1"}}, 0}).verdict, Verdict::kInvalid);
  Scenario free = P("gomaxprocs 1\ngomaxprocs 0\n");
  EXPECT_EQ(Check(free, {{{1, "gomaxprocs", "8"}, {1, "gomaxprocs", "1"}}, 0}).verdict, Verdict::kValid);
  EXPECT_EQ(Check(free, {{{1, "gomaxprocs", "8"}, {1, "gomaxprocs", "8"}}, 0}).verdict, Verdict::kInvalid);
  EXPECT_EQ(Check(free, {{{1, "gomaxprocs", "0"}, {1, "gomaxprocs", "1"}}, 0}).verdict, Verdict::kInvalid);
  // The initial value is unknown but one value: queries agree until a set.
  Scenario queries = P("gomaxprocs 0\ngomaxprocs -1\ngomaxprocs 2\ngomaxprocs 0\n");
  Observation ok{{{1, "gomaxprocs", "4"}, {1, "gomaxprocs", "4"}, {1, "gomaxprocs", "4"}, {1, "gomaxprocs", "2"}}, 0};
  EXPECT_EQ(Check(queries, ok).verdict, Verdict::kValid);
  Observation drift{{{1, "gomaxprocs", "4"}, {1, "gomaxprocs", "3"}, {1, "gomaxprocs", "3"}, {1, "gomaxprocs", "2"}}, 0};
  EXPECT_EQ(Check(queries, drift).verdict, Verdict::kInvalid);
  // Two goroutines: the one whose event comes first need not have run first.
  Scenario two = P("go\n  gomaxprocs 0\nend\ngomaxprocs 1\npoll numgoroutine == 1 within 100\n");
  EXPECT_EQ(Check(two, {{{1, "gomaxprocs", "2"}, {2, "gomaxprocs", "1"}, {1, "poll", "1"}}, 0}).verdict, Verdict::kValid);
  EXPECT_EQ(Check(two, {{{2, "gomaxprocs", "2"}, {1, "gomaxprocs", "2"}, {1, "poll", "1"}}, 0}).verdict, Verdict::kValid);
  EXPECT_EQ(Check(two, {{{2, "gomaxprocs", "3"}, {1, "gomaxprocs", "2"}, {1, "poll", "1"}}, 0}).verdict, Verdict::kInvalid);
}

TEST(Model, SetMaxStackReturnsThePreviousLimit) {
  Scenario sc = P("setmaxstack 1048576\nsetmaxstack 2097152\n");
  EXPECT_EQ(Check(sc, {{{1, "setmaxstack", "1000000000"}, {1, "setmaxstack", "1048576"}}, 0}).verdict, Verdict::kValid);
  EXPECT_EQ(Check(sc, {{{1, "setmaxstack", "1048576"}, {1, "setmaxstack", "2097152"}}, 0}).verdict, Verdict::kInvalid);
  EXPECT_EQ(Check(sc, {{{1, "setmaxstack", "7"}, {1, "setmaxstack", "9"}}, 0}, Caps({})).verdict, Verdict::kValid);
}

TEST(Model, RecursionPastASetLimitIsAFatalOverflowThatRunsNoDefers) {
  // stack.overflow-no-defers, stack.limit-bounds-plain-recursion-in-main.
  auto outs = All("setmaxstack 1048576\ncall\n  defer\n    record d\n  end\n  call\n    recurse 8192 1024\n  end\nend\nrecord after\n");
  EXPECT_EQ(outs, (std::set<Outcome>{{{{1, "setmaxstack", "*"}}, 2}}));
  // A small recursion returns.
  outs = All("setmaxstack 1048576\ndefer\n  record d\nend\nrecurse 16 256\nrecord after\n");
  EXPECT_EQ(outs, (std::set<Outcome>{{{{1, "setmaxstack", "*"}, {1, "record", "after"}, {1, "record", "d"}}, 0}}));
  // In between, or with no limit set, either may happen.
  outs = All("setmaxstack 1048576\nrecurse 512 1024\nrecord after\n");
  EXPECT_EQ(Exits(outs), (std::set<int>{0, 2}));
  outs = All("recurse 8192 1024\nrecord after\n");
  EXPECT_EQ(Exits(outs), (std::set<int>{0, 2}));
  // In another goroutine the overflow ends the program too.
  outs = All("setmaxstack 1048576\ngo\n  recurse 8192 1024\nend\nchan c 0\nrecv c\n");
  EXPECT_EQ(Exits(outs), std::set<int>{2});
}

TEST(Model, DeadlockOnlyWhenNoGoroutineCanRun) {
  // Progress: main blocks for good, but while g2 can still run, the program
  // cannot be reported deadlocked; it is once g2 has finished.
  Scenario sc = P("go\n  record a\n  gosched\n  record b\nend\nchan c 0\nrecv c\n");
  EXPECT_EQ(Check(sc, {{{2, "record", "a"}, {2, "record", "b"}}, 2}).verdict, Verdict::kValid);
  EXPECT_EQ(Check(sc, {{{2, "record", "a"}}, 2}).verdict, Verdict::kInvalid);
  EXPECT_EQ(Check(sc, {{}, 2}).verdict, Verdict::kInvalid);
}

TEST(Model, BoundIsReported) {
  Scenario sc = P("repeat 50\n  go\n    repeat 50\n      gosched\n    end\n  end\nend\n");
  Options small;
  small.max_states = 100;
  EXPECT_EQ(Check(sc, {{}, 0}, small).verdict, Verdict::kBoundExceeded);
  EXPECT_FALSE(Enumerate(sc, small));
}

}  // namespace
}  // namespace spec::model
namespace spec::model {
namespace {
Scenario P(const std::string& text);
}
TEST(Model, Tmp) {
  Scenario sc = P("init\n  main-thread\nend\nchan c 1\nchan d 2\nchan e 2\nchan n nil\nsetmaxstack 2097152\ncall\n  defer\n    record s\n  end\n  call\n    recurse 16 256\n  end\n  record r\nend\nadd y 1\nset y 2\nlock\nlock\nlock\nthread\ngosched\nthread\nunlock\nunlock\nunlock\ngosched\npoll numgoroutine == 1 within 50\n");
  Observation o{{{1,"main-thread","1"},{1,"setmaxstack","1000000000"},{1,"record","r"},{1,"record","s"},{1,"thread","T1"},{1,"thread","T1"},{1,"poll","1"}},0};
  Result r = Check(sc, o);
  EXPECT_EQ(r.verdict, Verdict::kValid) << r.longest_prefix;
  Observation o2{{{1,"main-thread","1"},{1,"setmaxstack","1000000000"},{1,"record","r"},{1,"record","s"},{1,"thread","T1"},{1,"thread","T1"},{1,"poll","1"}},0};
}
}
