// Go's deadlock report (proc.go checkdead, traceback.go goroutineheader): the
// fatal line, then a blank line and "goroutine N [wait reason]:" for every
// goroutine that exists, in creation order, with ", locked to thread" for a
// wired one. Stack frames, which Go prints under each header, are IMPL.
#include "runtime/tests/program_test_util.h"

namespace goruntime::testing {
namespace {

constexpr char kFatal[] = "fatal error: all goroutines are asleep - deadlock!\n";

// Runs main, which must deadlock, and returns its stderr after checking the
// exit status.
std::string DeadlockReport(std::function<void()> main, std::vector<std::string> env = {}) {
  auto r = RunProgram(std::move(main), std::move(env));
  EXPECT_FALSE(r.timed_out);
  EXPECT_EQ(r.exit_code, 2) << r.err;
  return r.err;
}

// Parks every goroutine started by `spawn` before main blocks, so that the
// report lists them in a known state.
void AwaitParked(int others) { PollUntil([others] { return NumGoroutine() == others + 1; }); }

TEST(DeadlockReport, ChanReceiveAndChanSend) {
  const std::string err = DeadlockReport([] {
    auto never = Chan<int>::Make();
    auto started = Chan<int>::Make(1);
    Go([never, started] {
      started.Send(1);
      never.Send(1);  // nobody receives
    });
    started.Recv();
    Chan<int>::Make().Recv();
  });
  EXPECT_EQ(err, std::string(kFatal) + "\ngoroutine 1 [chan receive]:\n\ngoroutine 2 [chan send]:\n");
}

TEST(DeadlockReport, NilChannels) {
  const std::string err = DeadlockReport([] {
    Go([] { Chan<int>().Send(1); });
    Gosched();
    Chan<int>().Recv();
  }, {"GOMAXPROCS=1"});
  EXPECT_EQ(err, std::string(kFatal) + "\ngoroutine 1 [chan receive (nil chan)]:\n"
                                       "\ngoroutine 2 [chan send (nil chan)]:\n");
}

TEST(DeadlockReport, SelectAndSelectWithNoCases) {
  const std::string err = DeadlockReport([] {
    Go([] {
      std::vector<SelectCase> none;
      Select(none, false);  // select {}
    });
    Go([] {
      int v = 0;
      auto a = Chan<int>::Make(), b = Chan<int>::Make();  // a case holds no reference
      std::vector<SelectCase> cases = {RecvCase(a, &v), SendCase(b, 1)};
      Select(cases, false);
    });
    AwaitParked(2);
    // Every case on a nil channel: Go's selectgo parks with "select" too.
    std::vector<SelectCase> nils = {RecvCase(Chan<int>(), static_cast<int*>(nullptr))};
    Select(nils, false);
  });
  EXPECT_EQ(err, std::string(kFatal) + "\ngoroutine 1 [select]:\n\ngoroutine 2 [select (no cases)]:\n"
                                       "\ngoroutine 3 [select]:\n");
}

TEST(DeadlockReport, LockedGoroutinesSayLockedToThread) {
  const std::string err = DeadlockReport([] {
    LockOSThread();
    Go([] {
      LockOSThread();
      Chan<int>::Make().Recv();
    });
    AwaitParked(1);
    Chan<int>::Make().Send(1);
  }, {"GOMAXPROCS=2"});
  EXPECT_EQ(err, std::string(kFatal) + "\ngoroutine 1 [chan send, locked to thread]:\n"
                                       "\ngoroutine 2 [chan receive, locked to thread]:\n");
}

TEST(DeadlockReport, ExitedGoroutinesAreNotListed) {
  // Goroutines 2-4 exit; goroutine 5 reuses one of their descriptors (Go's
  // gfget) and is listed under its own id.
  const std::string err = DeadlockReport([] {
    auto done = Chan<int>::Make();
    for (int i = 0; i < 3; i++) Go([done] { done.Send(1); });
    for (int i = 0; i < 3; i++) done.Recv();
    AwaitParked(0);
    Go([] { Chan<int>::Make().Recv(); });
    AwaitParked(1);
    done.Recv();
  });
  EXPECT_EQ(err, std::string(kFatal) + "\ngoroutine 1 [chan receive]:\n\ngoroutine 5 [chan receive]:\n");
}

TEST(DeadlockReport, MainAfterGoexitIsNotListed) {
  const std::string err = DeadlockReport([] {
    Go([] { Chan<int>::Make().Recv(); });
    Goexit();
  });
  EXPECT_EQ(err, std::string(kFatal) + "\ngoroutine 2 [chan receive]:\n");
}

}  // namespace
}  // namespace goruntime::testing
