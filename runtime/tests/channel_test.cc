// Channels and select (spec-facts §9).
#include <array>
#include <map>

#include "runtime/tests/program_test_util.h"

namespace goruntime::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

TEST(Chan, UnbufferedSendCompletesOnlyWhenReceived) {
  auto r = RunProgram([] {
    auto c = Chan<int>::Make();
    std::atomic<bool> sent{false};
    Go([c, &sent] {
      c.Send(7);
      sent = true;
    });
    Sleep(std::chrono::milliseconds(50));
    Emit(sent ? "sent early" : "blocked");
    Emit(std::to_string(c.Recv()));
    Emit(PollUntil([&] { return sent.load(); }) ? "sent" : "stuck");
  });
  EXPECT_CLEAN_EXIT(r);
  EXPECT_THAT(Lines(r.out), ElementsAre("blocked", "7", "sent"));
}

TEST(Chan, BufferedIsFifo) {
  auto r = RunProgram([] {
    auto c = Chan<int>::Make(3);
    Go([c] {
      for (int i = 0; i < 100; i++) c.Send(i);
      c.Close();
    });
    int expect = 0, bad = 0;
    bool ok = true;
    for (int v = c.Recv(&ok); ok; v = c.Recv(&ok)) bad += v != expect++;
    Emit("got " + std::to_string(expect) + " out-of-order " + std::to_string(bad));
  });
  EXPECT_CLEAN_EXIT(r);
  EXPECT_THAT(Lines(r.out), ElementsAre("got 100 out-of-order 0"));
}

TEST(Chan, CloseDrainsThenZeroAndNotOk) {
  auto r = RunProgram([] {
    auto c = Chan<int>::Make(2);
    c.Send(1);
    c.Send(2);
    c.Close();
    for (int i = 0; i < 3; i++) {
      bool ok;
      int v = c.Recv(&ok);
      Emit(std::to_string(v) + (ok ? " ok" : " closed"));
    }
  });
  EXPECT_CLEAN_EXIT(r);
  EXPECT_THAT(Lines(r.out), ElementsAre("1 ok", "2 ok", "0 closed"));
}

TEST(Chan, CloseWakesBlockedReceivers) {
  auto r = RunProgram([] {
    auto c = Chan<int>::Make();
    auto done = Chan<int>::Make(3);
    for (int i = 0; i < 3; i++) Go([c, done] { bool ok = true; c.Recv(&ok); done.Send(ok ? 1 : 0); });
    Sleep(std::chrono::milliseconds(20));
    c.Close();
    int oks = 0;
    for (int i = 0; i < 3; i++) oks += done.Recv();
    Emit("oks " + std::to_string(oks));
  });
  EXPECT_CLEAN_EXIT(r);
  EXPECT_THAT(Lines(r.out), ElementsAre("oks 0"));
}

struct PanicCase {
  const char* name;
  std::function<void()> body;
  const char* message;
};

class ChanPanics : public ::testing::TestWithParam<PanicCase> {};

TEST_P(ChanPanics, RecoverableWithGoMessage) {
  const PanicCase& pc = GetParam();
  auto r = RunProgram([&pc] {
    Call([&pc] {
      Defer([] { Emit("recovered: " + Recover().ToString()); });
      pc.body();
    });
  });
  EXPECT_CLEAN_EXIT(r);
  EXPECT_THAT(Lines(r.out), ElementsAre(std::string("recovered: ") + pc.message));
}

INSTANTIATE_TEST_SUITE_P(
    All, ChanPanics,
    ::testing::Values(
        PanicCase{"SendOnClosed", [] { auto c = Chan<int>::Make(1); c.Close(); c.Send(1); },
                  "send on closed channel"},
        PanicCase{"CloseOfClosed", [] { auto c = Chan<int>::Make(); c.Close(); c.Close(); },
                  "close of closed channel"},
        PanicCase{"CloseOfNil", [] { Chan<int>().Close(); }, "close of nil channel"},
        PanicCase{"SenderBlockedAtClose",
                  [] {
                    auto c = Chan<int>::Make();
                    Go([c] { Sleep(std::chrono::milliseconds(20)); c.Close(); });
                    c.Send(1);
                  },
                  "send on closed channel"}),
    [](const auto& info) { return std::string(info.param.name); });

TEST(Chan, UnrecoveredSendOnClosedIsFatalPanic) {
  auto r = RunProgram([] { auto c = Chan<int>::Make(1); c.Close(); c.Send(1); });
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, ::testing::StartsWith("panic: send on closed channel\n"));
}

TEST(Chan, NilChannelBlocksForever) {
  auto r = RunProgram([] {
    Go([] { Chan<int>().Send(1); Emit("nil send returned"); });
    Go([] { Chan<int>().Recv(); Emit("nil recv returned"); });
    Sleep(std::chrono::milliseconds(50));
    Emit(std::to_string(NumGoroutine()));
  });
  EXPECT_CLEAN_EXIT(r);
  EXPECT_THAT(Lines(r.out), ElementsAre("3"));
}

TEST(Select, DefaultWhenNoneReadyAndNilCasesNeverFire) {
  auto r = RunProgram([] {
    auto c = Chan<int>::Make();
    int v = 0;
    std::vector<SelectCase> cases{RecvCase(c, &v), SendCase(Chan<int>(), 1), RecvCase(Chan<int>(), &v)};
    Emit(std::to_string(Select(cases, true)));
  });
  EXPECT_CLEAN_EXIT(r);
  EXPECT_THAT(Lines(r.out), ElementsAre("-1"));
}

TEST(Select, FairnessBetweenTwoReadyCases) {
  // chan_test.go TestSelectFairness: |p - 0.5| <= 0.0245 over 10,000 trials.
  auto r = RunProgram([] {
    auto a = Chan<int>::Make(1), b = Chan<int>::Make(1);
    int counts[2] = {0, 0};
    for (int i = 0; i < 10000; i++) {
      a.Send(1);
      b.Send(1);
      int v;
      std::vector<SelectCase> cases{RecvCase(a, &v), RecvCase(b, &v)};
      int k = Select(cases, false);
      counts[k]++;
      (k == 0 ? b : a).Recv();
    }
    const double p = counts[0] / 10000.0;
    Emit(std::abs(p - 0.5) <= 0.0245 ? "fair" : "unfair " + std::to_string(p));
  });
  EXPECT_CLEAN_EXIT(r);
  EXPECT_THAT(Lines(r.out), ElementsAre("fair"));
}

TEST(Select, BlocksUntilACaseFiresAndReportsOk) {
  auto r = RunProgram([] {
    auto a = Chan<int>::Make();
    auto b = Chan<std::string>::Make();
    Go([b] { Sleep(std::chrono::milliseconds(10)); b.Send("hi"); });
    int v = 0;
    std::string s;
    bool ok = false;
    std::vector<SelectCase> cases{RecvCase(a, &v), RecvCase(b, &s, &ok)};
    int k = Select(cases, false);
    Emit(std::to_string(k) + " " + s + (ok ? " ok" : ""));
    Go([a] { Sleep(std::chrono::milliseconds(10)); a.Close(); });
    std::vector<SelectCase> again{RecvCase(a, &v, &ok)};
    k = Select(again, false);
    Emit(std::to_string(k) + " " + std::to_string(v) + (ok ? " ok" : " closed"));
  });
  EXPECT_CLEAN_EXIT(r);
  EXPECT_THAT(Lines(r.out), ElementsAre("1 hi ok", "0 0 closed"));
}

TEST(Select, SendCaseDeliversToReceiver) {
  auto r = RunProgram([] {
    auto c = Chan<int>::Make();
    Go([c] { Emit("received " + std::to_string(c.Recv())); });
    std::vector<SelectCase> cases{SendCase(c, 5)};
    Select(cases, false);
    Sleep(std::chrono::milliseconds(20));
  });
  EXPECT_CLEAN_EXIT(r);
  EXPECT_THAT(Lines(r.out), ElementsAre("received 5"));
}

TEST(Select, EmptyBlocksForeverAndCountsAsAsleep) {
  auto r = RunProgram([] {
    std::vector<SelectCase> none;
    Select(none, false);
  });
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("fatal error: all goroutines are asleep - deadlock!"));
}

// 1000 goroutines exchange messages over mixed channels and selects; every
// message arrives exactly once and no goroutine is left behind.
void StressExchange(int total_messages) {
  constexpr int kPairs = 500;
  const int per = total_messages / kPairs;
  auto done = Chan<int64_t>::Make(kPairs);
  for (int p = 0; p < kPairs; p++) {
    auto c = Chan<int>::Make(p % 3 == 0 ? 0 : p % 7);
    auto quit = Chan<int>::Make();
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
    Go([c, done, quit] {
      int64_t sum = 0;
      bool ok = true;
      for (;;) {
        int v = 0;
        std::vector<SelectCase> cases{RecvCase(c, &v, &ok), RecvCase(quit, &v)};
        Select(cases, false);
        if (!ok) break;
        sum += v;
      }
      done.Send(sum);
    });
  }
  int64_t sum = 0;
  for (int p = 0; p < kPairs; p++) sum += done.Recv();
  const int64_t n = int64_t{per} * kPairs;
  Emit(sum == n * (n - 1) / 2 ? "exactly once" : "mismatch " + std::to_string(sum));
  Emit(PollUntil([] { return NumGoroutine() == 1; }) ? "none left" : "left " + std::to_string(NumGoroutine()));
}

// Every handoff between two goroutines on different Ms races the waker
// against the parker's switch to g0 (Park's "woke early" path). Half a
// million round trips at GOMAXPROCS=2 hit that window many times; a wakeup
// lost there hangs a goroutine, which ends as a deadlock report.
TEST(Chan, WakeupsAreNeverLostInPingPong) {
#if defined(GORT_TSAN) || defined(GORT_ASAN)
  constexpr int kRounds = 50'000;
#else
  constexpr int kRounds = 500'000;
#endif
  for (int procs : {2, 4}) {
    auto r = RunProgram([] {
      auto a = Chan<int>::Make(), b = Chan<int>::Make();
      Go([a, b] {
        for (int i = 0; i < kRounds; i++) b.Send(a.Recv() + 1);
      });
      int v = 0;
      for (int i = 0; i < kRounds; i++) {
        a.Send(v);
        v = b.Recv();
      }
      Emit(std::to_string(v));
    }, {"GOMAXPROCS=" + std::to_string(procs)}, std::chrono::seconds(120));
    EXPECT_CLEAN_EXIT(r);
    EXPECT_EQ(r.out, std::to_string(kRounds) + "\n") << "GOMAXPROCS=" << procs;
  }
}

// Memory-model edges (spec-facts §9). Each passes plain (non-atomic) data
// ordered only by the channel; under --config=tsan a missing edge is a
// reported race, and the child exits non-zero.
TEST(MemoryModel, SendHappensBeforeReceiveCompletes) {
  auto r = RunProgram([] {
    auto c = Chan<int>::Make(1);
    auto data = std::make_shared<int>(0);
    Go([c, data] { *data = 42; c.Send(1); });
    c.Recv();
    Emit(std::to_string(*data));
  }, {"GOMAXPROCS=2"});
  EXPECT_CLEAN_EXIT(r);
  EXPECT_EQ(r.out, "42\n");
}

TEST(MemoryModel, UnbufferedReceiveHappensBeforeSendCompletes) {
  auto r = RunProgram([] {
    auto c = Chan<int>::Make();
    auto data = std::make_shared<int>(0);
    Go([c, data] { *data = 7; c.Recv(); });
    c.Send(1);
    Emit(std::to_string(*data));
  }, {"GOMAXPROCS=2"});
  EXPECT_CLEAN_EXIT(r);
  EXPECT_EQ(r.out, "7\n");
}

TEST(MemoryModel, KthReceiveHappensBeforeKPlusCthSendCompletes) {
  auto r = RunProgram([] {
    constexpr int kCap = 2;
    auto c = Chan<int>::Make(kCap);
    auto data = std::make_shared<std::array<int, 10>>();
    Go([c, data] {
      for (int k = 0; k < 10; k++) {
        (*data)[k] = k + 1;  // written before the k-th receive
        c.Recv();
      }
    });
    int sum = 0;
    for (int k = 0; k < 10; k++) {
      c.Send(k);
      // Send k has completed, so receive k - C has happened.
      if (k >= kCap) sum += (*data)[k - kCap];
    }
    Emit(std::to_string(sum));
  }, {"GOMAXPROCS=2"});
  EXPECT_CLEAN_EXIT(r);
  EXPECT_EQ(r.out, "36\n");  // 1 + ... + 8
}

TEST(MemoryModel, CloseHappensBeforeReceiveThatSeesIt) {
  auto r = RunProgram([] {
    auto c = Chan<int>::Make();
    auto data = std::make_shared<int>(0);
    Go([c, data] { *data = 9; c.Close(); });
    bool ok = true;
    c.Recv(&ok);
    Emit(std::to_string(*data) + (ok ? " ok" : " closed"));
  }, {"GOMAXPROCS=2"});
  EXPECT_CLEAN_EXIT(r);
  EXPECT_EQ(r.out, "9 closed\n");
}

class ChanStress : public ::testing::TestWithParam<int> {};

TEST_P(ChanStress, MixedExchangeDeliversExactlyOnce) {
  const int procs = GetParam();
  // 10^6 messages in the optimised build; sanitizer builds run 10^5.
#if defined(GORT_TSAN) || defined(GORT_ASAN)
  constexpr int kMessages = 100'000;
#else
  constexpr int kMessages = 1'000'000;
#endif
  auto r = RunProgram([] { StressExchange(kMessages); }, {"GOMAXPROCS=" + std::to_string(procs)},
                      std::chrono::seconds(240));
  EXPECT_CLEAN_EXIT(r);
  EXPECT_THAT(Lines(r.out), ElementsAre("exactly once", "none left"));
}

INSTANTIATE_TEST_SUITE_P(Procs, ChanStress, ::testing::Values(1, 2, 8));

}  // namespace
}  // namespace goruntime::testing
