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

TEST(Model, ThreadIdentityIsUnconstrained) {
  Scenario sc = P("thread\n");
  EXPECT_EQ(Check(sc, {{{1, "thread", "T7"}}, 0}).verdict, Verdict::kValid);
  EXPECT_EQ(Check(sc, {{{2, "thread", "T1"}}, 0}).verdict, Verdict::kInvalid);
}

TEST(Model, GomaxprocsKnownOnlyWhenPinned) {
  Scenario pinned = P("@gomaxprocs 3\ngomaxprocs 1\ngomaxprocs 0\n");
  EXPECT_EQ(Check(pinned, {{{1, "gomaxprocs", "3"}, {1, "gomaxprocs", "1"}}, 0}).verdict, Verdict::kValid);
  EXPECT_EQ(Check(pinned, {{{1, "gomaxprocs", "2"}, {1, "gomaxprocs", "1"}}, 0}).verdict, Verdict::kInvalid);
  Scenario free = P("gomaxprocs 1\ngomaxprocs 0\n");
  EXPECT_EQ(Check(free, {{{1, "gomaxprocs", "8"}, {1, "gomaxprocs", "1"}}, 0}).verdict, Verdict::kValid);
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
