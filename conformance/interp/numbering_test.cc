// Goroutine numbers follow the order goroutines come to exist
// (INTERPRETING.md: "numbered 2, 3, … in the order their go statements
// run"): a goroutine numbered n+1 never runs while goroutine n does not yet
// exist. Found by the differential fuzzer
// (fuzz/regressions/differential_fuzzer/go-numbered-before-spawned-counts-numgoroutine.bin):
// the interpreter took a number, then spawned, so a `go` on another thread
// could take the next number in between and its goroutine count
// NumGoroutine without the earlier one.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <optional>
#include <thread>

#include "conformance/drivers/thread/thread_adapter.h"
#include "conformance/interp/interpreter.h"
#include "conformance/interp/trace.h"
#include "conformance/lang/parser.h"

namespace conform {
namespace {

// The thread baseline, but the second go statement of the program takes
// 100 ms to create its goroutine: the window in which the race showed.
class SlowSecondSpawn : public ThreadAdapter {
 public:
  void Spawn(std::function<void()> body) override {
    if (++spawns_ == 2) std::this_thread::sleep_for(std::chrono::milliseconds(100));
    ThreadAdapter::Spawn(std::move(body));
  }

 private:
  std::atomic<int> spawns_{0};
};

// Main starts X, whose own go statement races main's second one (Y). Z, the
// goroutine X starts, counts the goroutines: main, X and Y stay blocked, so
// if Z is numbered after Y (g4), Y exists and the count is exactly 4.
constexpr char kScenario[] =
    "@clause numgoroutine.counts-runnable\n"
    "chan b 0\n"
    "chan never 0\n"
    "go\n"
    "  go\n"
    "    numgoroutine\n"
    "    send b 1\n"
    "  end\n"
    "  recv never\n"
    "end\n"
    "go\n"
    "  recv never\n"
    "end\n"
    "recv b\n";

[[noreturn]] void RunScenario() {
  lang::ParseError err;
  static std::optional<lang::Scenario> sc = lang::Parse(kScenario, "numbering.scn", &err);
  if (!sc) {
    std::fprintf(stderr, "parse error: %s\n", err.ToString().c_str());
    std::_Exit(3);
  }
  static SlowSecondSpawn adapter;
  static JsonLinesSink sink(stderr);
  static Interpreter* interp = new Interpreter(*sc, adapter, sink);
  interp->Run();
}

TEST(GoroutineNumbering, FollowsTheOrderGoroutinesExist) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  // g3 is Z only if X's go statement came first; then any count is right.
  EXPECT_EXIT(RunScenario(), testing::ExitedWithCode(0),
              "\"g\":4,\"op\":\"numgoroutine\",\"value\":\"4\"|\"g\":3,\"op\":\"numgoroutine\"");
}

}  // namespace
}  // namespace conform
