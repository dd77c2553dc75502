// Concurrent GOMAXPROCS calls under channel load never hang, and every
// message is still delivered exactly once (issue 10). Before the
// stop-the-world accounting fix in scheduler/procs.cc about half the runs
// with 50 callers hung, and one in five with 8, so these 14 runs missed the
// bug with a probability of about 1%. Each run is a fresh child process.
#include "runtime/tests/gomaxprocs_stress.h"
#include "runtime/tests/program_test_util.h"

namespace goruntime::testing {
namespace {

using ::testing::ElementsAre;

struct StressCase {
  int callers;
  int runs;
};

class GomaxprocsStressTest : public ::testing::TestWithParam<StressCase> {};

TEST_P(GomaxprocsStressTest, ConcurrentCallersNeverHangAndDeliverExactlyOnce) {
  GomaxprocsStressConfig cfg;
  cfg.callers = GetParam().callers;
#if defined(GORT_TSAN) || defined(GORT_ASAN)
  cfg.messages = 50'000;
  cfg.changes_per_caller = 10;
  const int runs = 2;
#else
  const int runs = GetParam().runs;
#endif
  for (int run = 0; run < runs; run++) {
    // A healthy run takes 2 s of CPU (30 s of wall time at a load average of
    // 30 on 2 cores); a hung one, with every M asleep, never ends.
    auto r = RunProgram([cfg] { GomaxprocsStress(cfg); }, {"GOMAXPROCS=2"}, std::chrono::seconds(300));
    ASSERT_FALSE(r.timed_out) << "run " << run + 1 << " of " << runs << " hung, with " << cfg.callers
                              << " concurrent GOMAXPROCS callers";
    EXPECT_CLEAN_EXIT(r);
    EXPECT_THAT(Lines(r.out), ElementsAre("exactly once", "callers done", "none left")) << "run " << run + 1;
  }
}

INSTANTIATE_TEST_SUITE_P(Callers, GomaxprocsStressTest,
                         ::testing::Values(StressCase{8, 10}, StressCase{50, 4}),
                         [](const auto& info) { return std::to_string(info.param.callers); });

}  // namespace
}  // namespace goruntime::testing
