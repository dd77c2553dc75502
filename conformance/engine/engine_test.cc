// Unit tests of the engine's parts, each on its own, over OS threads. The
// whole suite runs them together through the thread baseline
// (conformance/runner:thread_suite_test); these pin what a part promises to
// an adapter that borrows only it.
#include <gtest/gtest.h>

#include <condition_variable>
#include <mutex>
#include <stdexcept>
#include <thread>

#include "conformance/engine/channels.h"
#include "conformance/engine/deadlock.h"
#include "conformance/engine/frames.h"
#include "conformance/engine/numgoroutine.h"
#include "conformance/engine/select.h"
#include "conformance/engine/timers.h"

namespace conform::engine {
namespace {

using ::testing::ExitedWithCode;

struct Threads {
  using Mutex = std::mutex;
  using CondVar = std::condition_variable;
  template <class T>
  static T& Local() {
    thread_local T value{};
    return value;
  }
  static void SleepFor(std::chrono::milliseconds d) { std::this_thread::sleep_for(d); }
};

using Detector = DeadlockDetector<Threads>;

// --- deadlock ------------------------------------------------------------------

TEST(DeadlockReport, HeaderThenOneBlockPerGoroutine) {
  EXPECT_EQ(Detector::AllAsleepReport({{1, wait_reason::kChanReceive}, {7, wait_reason::kSelectNoCases}}),
            "fatal error: all goroutines are asleep - deadlock!\n"
            "\n"
            "goroutine 1 [chan receive]:\n"
            "\n"
            "goroutine 7 [select (no cases)]:\n");
  EXPECT_EQ(Detector::AllAsleepReport({{3, nullptr}}),
            "fatal error: all goroutines are asleep - deadlock!\n\ngoroutine 3 [waiting]:\n");
}

TEST(DeadlockCountingDeathTest, LastGoroutineToParkReportsEveryone) {
  EXPECT_EXIT(
      {
        Detector d(Detector::Trigger::kCounting);
        d.Started(1);
        d.Started(2);
        std::thread([&] {
          d.Enter(2);
          d.Park(wait_reason::kChanSendNil);
          for (;;) pause();
        }).detach();
        d.Enter(1);
        d.Park(wait_reason::kChanReceive);  // whichever parks last reports both
        for (;;) pause();
      },
      ExitedWithCode(2),
      "^fatal error: all goroutines are asleep - deadlock!\n\ngoroutine 1 \\[chan receive\\]:\n\n"
      "goroutine 2 \\[chan send \\(nil chan\\)\\]:\n$");
}

TEST(DeadlockCountingDeathTest, SelfWakingDefersTheCheck) {
  EXPECT_EXIT(
      {
        Detector d(Detector::Trigger::kCounting);
        d.Started(1);
        d.Enter(1);
        d.SelfWaking(+1);  // a sleeper elsewhere: not dead yet
        Liveness::Token t = d.Park(wait_reason::kChanReceive);
        d.Unpark(t);
        d.SelfWaking(-1);
        std::_Exit(0);
      },
      ExitedWithCode(0), "");
}

TEST(DeadlockCountingDeathTest, MainGoexitThenLastExitIsNoGoroutines) {
  EXPECT_EXIT(
      {
        Detector d(Detector::Trigger::kCounting);
        d.Started(1);
        d.Started(2);
        d.Enter(1);
        d.Exited(/*main_goexit=*/true);
        std::thread([&] {
          d.Enter(2);
          d.Exited(false);
        }).join();
        std::_Exit(0);
      },
      ExitedWithCode(2), "^fatal error: no goroutines \\(main called runtime.Goexit\\) - deadlock!\n$");
}

TEST(DeadlockIdleDeathTest, ParkOnlyNamesTheWaitIdleReports) {
  EXPECT_EXIT(
      {
        Detector d(Detector::Trigger::kIdle);
        d.Started(1);
        d.Enter(1);
        d.Park(wait_reason::kChanSend);  // kIdle: no check here
        d.Idle();
      },
      ExitedWithCode(2), "^fatal error: all goroutines are asleep - deadlock!\n\ngoroutine 1 \\[chan send\\]:\n$");
}

// --- frames ---------------------------------------------------------------------

using F = Frames<Threads>;

TEST(Frames, RecoverStopsThePanicAndCallReturns) {
  std::string report;
  PanicValue got;
  EXPECT_EQ(F::Run(
                1,
                [&] {
                  F::Call([&] {
                    F::Defer([&] { got = F::Recover(); });
                    F::Panic(PanicValue::Int(5));
                  });
                },
                &report),
            F::End::kReturned);
  EXPECT_EQ(got.ToString(), "5");
}

TEST(Frames, UnrecoveredPanicIsReportedWithItsGoroutine) {
  std::thread([] {
    std::string report;
    EXPECT_EQ(F::Run(4, [] { F::Panic(PanicValue::String("boom")); }, &report), F::End::kPanicked);
    EXPECT_EQ(report, "panic: boom\n\ngoroutine 4 [running]:\n");
  }).join();
}

TEST(Frames, GoexitRunsDefersLifoAndRecoverSeesNil) {
  std::thread([] {
    std::string order, report;
    PanicValue seen = PanicValue::Int(1);
    EXPECT_EQ(F::Run(
                  2,
                  [&] {
                    F::Defer([&] { order += "a"; });
                    F::Defer([&] {
                      order += "b";
                      seen = F::Recover();
                    });
                    F::Goexit();
                  },
                  &report),
              F::End::kGoexited);
    EXPECT_EQ(order, "ba");
    EXPECT_EQ(seen.kind, PanicValue::Kind::kNil);
  }).join();
}

// --- channels and select -----------------------------------------------------------

// Only Panic is used by the parts under test: it throws, so a test can see it.
struct Thrown : std::runtime_error {
  using std::runtime_error::runtime_error;
};
class PanicOnly : public RuntimeAdapter {
 public:
  std::string name() const override { return "test"; }
  Capabilities capabilities() const override { return {}; }
  Families families() const override { return {}; }
  void RegisterInit(std::function<void()>) override {}
  [[noreturn]] void RunProgram(std::function<void()>) override { std::abort(); }
  [[noreturn]] void Exit(int) override { std::abort(); }
  void Spawn(std::function<void()>) override {}
  void Gosched() override {}
  [[noreturn]] void Goexit() override { std::abort(); }
  int NumGoroutine() override { return 0; }
  void LockOSThread() override {}
  void UnlockOSThread() override {}
  int64_t ThreadId() override { return 0; }
  int Gomaxprocs(int) override { return 1; }
  int64_t SetMaxStack(int64_t) override { return 0; }
  void Call(const std::function<void()>& f) override { f(); }
  void Defer(std::function<void()>) override {}
  [[noreturn]] void Panic(PanicValue v) override { throw Thrown(v.ToString()); }
  PanicValue Recover() override { return {}; }
  std::shared_ptr<Chan> MakeChan(size_t) override { return nullptr; }
  void Send(Chan*, int64_t) override {}
  int64_t Recv(Chan*, bool*) override { return 0; }
  void Close(Chan*) override {}
  int Select(std::vector<SelectCase>&, bool) override { return -1; }
  void Sleep(std::chrono::milliseconds) override {}
  void Syscall(const std::function<void()>&) override {}
};

TEST(Channels, BufferedIsFifoThenClosedDrainsToZeroFalse) {
  PanicOnly rt;
  Channels<Threads> chans(rt, nullptr);
  auto c = chans.Make(2);
  chans.Send(c.get(), 1);
  chans.Send(c.get(), 2);
  chans.Close(c.get());
  bool ok = false;
  EXPECT_EQ(chans.Recv(c.get(), &ok), 1);
  EXPECT_TRUE(ok);
  EXPECT_EQ(chans.Recv(c.get(), &ok), 2);
  EXPECT_TRUE(ok);
  EXPECT_EQ(chans.Recv(c.get(), &ok), 0);
  EXPECT_FALSE(ok);
}

TEST(Channels, RuntimeErrorsGoThroughTheAdaptersPanic) {
  PanicOnly rt;
  Channels<Threads> chans(rt, nullptr);
  auto c = chans.Make(0);
  chans.Close(c.get());
  EXPECT_THROW(
      try { chans.Close(c.get()); } catch (const Thrown& e) {
        EXPECT_STREQ(e.what(), "close of closed channel");
        throw;
      },
      Thrown);
  EXPECT_THROW(chans.Send(c.get(), 1), Thrown);
  EXPECT_THROW(chans.Close(nullptr), Thrown);
}

TEST(Channels, UnbufferedHandsOffAcrossThreads) {
  PanicOnly rt;
  Channels<Threads> chans(rt, nullptr);
  auto c = chans.Make(0);
  std::thread sender([&] { chans.Send(c.get(), 42); });
  bool ok = false;
  EXPECT_EQ(chans.Recv(c.get(), &ok), 42);
  EXPECT_TRUE(ok);
  sender.join();
}

TEST(Select, DefaultWhenNothingReadyElseTheReadyCase) {
  PanicOnly rt;
  Channels<Threads> chans(rt, nullptr);
  Select<Threads> sel(chans);
  auto a = chans.Make(1), b = chans.Make(1);
  int64_t out = 0;
  bool ok = false;
  std::vector<SelectCase> cases{{a.get(), false, 0, &out, &ok}, {nullptr, false, 0, &out, &ok}};
  EXPECT_EQ(sel.Run(cases, true), -1);
  chans.Send(b.get(), 9);
  cases.push_back({b.get(), false, 0, &out, &ok});
  EXPECT_EQ(sel.Run(cases, false), 2);
  EXPECT_EQ(out, 9);
  EXPECT_TRUE(ok);
}

TEST(ChannelsDeathTest, BlockedForeverWithATrackerIsGosDeadlock) {
  EXPECT_EXIT(
      {
        PanicOnly rt;
        Detector d(Detector::Trigger::kCounting);
        Channels<Threads> chans(rt, &d);
        Select<Threads> sel(chans);
        d.Started(1);
        d.Enter(1);
        std::vector<SelectCase> none;
        sel.Run(none, false);
      },
      ExitedWithCode(2), "^fatal error: all goroutines are asleep - deadlock!\n\ngoroutine 1 \\[select \\(no cases\\)\\]:\n$");
}

// --- numgoroutine and timers ------------------------------------------------------

TEST(GoroutineCount, CountsStartedNotYetExited) {
  GoroutineCount n;
  n.Started();
  n.Started();
  n.Exited();
  EXPECT_EQ(n.Get(), 1);
}

// Records what a part tells its tracker.
class Recorder : public Liveness {
 public:
  Token Park(const char* reason) override {
    log += std::string("park ") + reason + ";";
    return this;
  }
  void Unpark(Token) override { log += "unpark;"; }
  void SelfWaking(int delta) override { log += "self " + std::to_string(delta) + ";"; }
  std::string log;
};

TEST(Timers, ASleepIsSelfWakingForItsWholeLength) {
  Recorder rec;
  Timers<Threads> timers(&rec);
  auto start = std::chrono::steady_clock::now();
  timers.Sleep(std::chrono::milliseconds(20));
  EXPECT_GE(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(20));  // a lower bound only
  EXPECT_EQ(rec.log, "self 1;self -1;");
}

TEST(Channels, ABlockedReceiveParksWithItsReasonAndIsUnparkedByTheSender) {
  PanicOnly rt;
  Recorder rec;
  Channels<Threads> chans(rt, &rec);
  bool ok = false;
  auto c = chans.Make(0);
  std::thread r2([&] { EXPECT_EQ(chans.Recv(c.get(), &ok), 3); });
  // Wait (with a deadline) until the receiver is parked, then send.
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  for (;;) {
    {
      auto lock = chans.Acquire();
      if (!rec.log.empty()) break;
    }
    ASSERT_LT(std::chrono::steady_clock::now(), deadline);
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  chans.Send(c.get(), 3);
  r2.join();
  auto lock = chans.Acquire();
  EXPECT_EQ(rec.log, "park chan receive;unpark;");
}

}  // namespace
}  // namespace conform::engine
