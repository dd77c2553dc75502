// runtime/introspect: the scheduler facts the conformance suite's
// `introspection` capability reports.
#include "runtime/introspect/introspect.h"

#include <atomic>

#include "runtime/tests/program_test_util.h"

namespace goruntime::testing {
namespace {

using ::testing::ElementsAre;
using introspect::QueueName;

TEST(Introspect, GoschedQueuesTheCallerOnItsPsLocalQueue) {
  // The reference runtime's choice (Go's is the global queue): a yielding G
  // goes to the tail of its P's queue while another G is runnable there.
  auto r = RunProgram([] {
    std::atomic<bool> ran{false};
    Go([&ran] { ran = true; });
    Emit(QueueName(introspect::GoschedQueue()));
    Emit(ran ? "other ran" : "other did not run");
  }, {"GOMAXPROCS=1"});
  EXPECT_CLEAN_EXIT(r);
  EXPECT_THAT(Lines(r.out), ElementsAre("local", "other ran"));
}

TEST(Introspect, GoschedQueuesGloballyInDeterministicMode) {
  // There every runnable G is in one list, the global queue.
  auto r = RunProgram([] {
    Go([] {});
    Emit(QueueName(introspect::GoschedQueue()));
  }, {"GORUNTIME_SCHED=seed:1"});
  EXPECT_CLEAN_EXIT(r);
  EXPECT_THAT(Lines(r.out), ElementsAre("global"));
}

TEST(Introspect, ANewGoroutineReusesADeadOnesDescriptor) {
  auto r = RunProgram([] {
    Emit(std::string("main ") + (introspect::DescriptorReused() ? "reused" : "fresh"));
    for (int k = 0; k < 2; ++k) {
      std::atomic<int> reused{-1};
      Go([&reused] { reused = introspect::DescriptorReused() ? 1 : 0; });
      // At one P the goroutine's exit (and its free-list put) is finished
      // before main runs again.
      ASSERT_TRUE(PollUntil([] { return NumGoroutine() == 1; }));
      Emit("child " + std::to_string(reused.load()));
    }
  }, {"GOMAXPROCS=1"});
  EXPECT_CLEAN_EXIT(r);
  EXPECT_THAT(Lines(r.out), ElementsAre("main fresh", "child 0", "child 1"));
}

TEST(Introspect, InitAndMainRunOnM0AndALockedMainKeepsOthersOff) {
  auto r = RunProgram([] {
    LockOSThread();  // m0 now runs main alone
    Emit(std::string("main ") + (introspect::OnM0() ? "m0" : "other"));
    std::atomic<int> on_m0{-1};
    Go([&on_m0] { on_m0 = introspect::OnM0() ? 1 : 0; });
    ASSERT_TRUE(PollUntil([&on_m0] { return on_m0.load() >= 0; }));
    Emit("goroutine " + std::to_string(on_m0.load()));
  });
  EXPECT_CLEAN_EXIT(r);
  EXPECT_THAT(Lines(r.out), ElementsAre("main m0", "goroutine 0"));
}

TEST(Introspect, InitRunsOnM0) {
  auto r = RunInChild([] {
    RegisterInit([] { Emit(std::string("init ") + (introspect::OnM0() ? "m0" : "other")); });
    goruntime::Run([] {});
  }, std::chrono::seconds(30), {});
  EXPECT_CLEAN_EXIT(r);
  EXPECT_THAT(Lines(r.out), ElementsAre("init m0"));
}

}  // namespace
}  // namespace goruntime::testing
