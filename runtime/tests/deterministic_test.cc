// The deterministic mode: seeded choices, replay, exhaustive exploration.
#include <fstream>
#include <set>

#include "runtime/testing/explore.h"
#include "runtime/tests/program_test_util.h"

namespace goruntime::testing {
namespace {

// Two goroutines each record two events with a Gosched between; main waits.
void TwoWorkers() {
  auto done = Chan<int>::Make(2);
  for (const char* name : {"a", "b"}) {
    Go([name, done] {
      Emit(std::string(name) + "1");
      Gosched();
      Emit(std::string(name) + "2");
      done.Send(1);
    });
  }
  done.Recv();
  done.Recv();
}

std::string LogPath() { return ::testing::TempDir() + "/sched.log"; }

std::vector<Choice> ReadLog() {
  std::ifstream f(LogPath());
  std::string text;
  std::getline(f, text);
  std::vector<Choice> out;
  detail::ParseSchedule(text, &out);
  return out;
}

TEST(Deterministic, SameSeedSameRunAndSeedsDiffer) {
  std::set<std::string> outputs;
  for (int seed = 0; seed < 20; seed++) {
    const std::string env = "GORUNTIME_SCHED=seed:" + std::to_string(seed);
    auto first = RunProgram(TwoWorkers, {env});
    auto again = RunProgram(TwoWorkers, {env});
    EXPECT_CLEAN_EXIT(first);
    EXPECT_EQ(first.out, again.out) << "seed " << seed;
    outputs.insert(first.out);
  }
  EXPECT_GE(outputs.size(), 2u) << "the seed never changed the schedule";
}

TEST(Deterministic, ReplayOfALogReproducesTheRun) {
  for (int seed = 0; seed < 5; seed++) {
    auto original = RunProgram(TwoWorkers, {"GORUNTIME_SCHED=seed:" + std::to_string(seed),
                                            "GORUNTIME_SCHED_LOG=" + LogPath()});
    const std::vector<Choice> log = ReadLog();
    ASSERT_FALSE(log.empty());
    auto replayed = RunProgram(TwoWorkers, {ReplayEnv(log)});
    EXPECT_EQ(original.out, replayed.out) << "seed " << seed;
  }
}

TEST(Deterministic, ExhaustiveExplorationReachesEveryInterleaving) {
  std::set<std::string> outputs;
  auto run = [&outputs](const std::vector<Choice>& prefix) {
    auto r = RunProgram(TwoWorkers, {ReplayEnv(prefix), "GORUNTIME_SCHED_LOG=" + LogPath()});
    EXPECT_CLEAN_EXIT(r);
    outputs.insert(r.out);
    return ReadLog();
  };
  const ExploreResult result = ExploreSchedules(run, /*max_deviations=*/100, /*max_runs=*/500);
  RecordProperty("schedules", result.schedules);
  EXPECT_TRUE(result.complete);
  // Program order a1<a2, b1<b2: C(4,2) = 6 interleavings, all reachable
  // with cooperative scheduling points at Go, Gosched and the channel ops.
  EXPECT_EQ(outputs.size(), 6u);
  for (const std::string& o : outputs) {
    EXPECT_LT(o.find("a1"), o.find("a2"));
    EXPECT_LT(o.find("b1"), o.find("b2"));
  }
}

TEST(Deterministic, BoundLimitsTheExploration) {
  int runs_bound1 = 0;
  auto run = [&runs_bound1](const std::vector<Choice>& prefix) {
    RunProgram(TwoWorkers, {ReplayEnv(prefix), "GORUNTIME_SCHED_LOG=" + LogPath()});
    runs_bound1++;
    return ReadLog();
  };
  const ExploreResult bounded = ExploreSchedules(run, /*max_deviations=*/1, 500);
  RecordProperty("schedules", bounded.schedules);
  EXPECT_TRUE(bounded.complete);
  EXPECT_GT(bounded.schedules, 1);
  EXPECT_EQ(bounded.schedules, runs_bound1);
}

// A select between two ready channels: which case fires is a choice the
// schedule makes, so replay repeats it and exploration reaches both.
void TwoReadyCases() {
  auto a = Chan<int>::Make(1), b = Chan<int>::Make(1);
  a.Send(1);
  b.Send(2);
  int v = 0;
  std::vector<SelectCase> cases{RecvCase(a, &v), RecvCase(b, &v)};
  Emit("case " + std::to_string(Select(cases, false)));
}

TEST(Deterministic, SelectChoiceIsReplayedAndExplored) {
  std::set<std::string> outputs;
  auto run = [&outputs](const std::vector<Choice>& prefix) {
    auto r = RunProgram(TwoReadyCases, {ReplayEnv(prefix), "GORUNTIME_SCHED_LOG=" + LogPath()});
    outputs.insert(r.out);
    const std::vector<Choice> log = ReadLog();
    auto again = RunProgram(TwoReadyCases, {ReplayEnv(log)});
    EXPECT_EQ(r.out, again.out);
    return log;
  };
  EXPECT_TRUE(ExploreSchedules(run, 10, 50).complete);
  EXPECT_EQ(outputs, (std::set<std::string>{"case 0\n", "case 1\n"}));
}

TEST(Deterministic, BadScheduleEnvIsAClearFatalError) {
  auto r = RunProgram([] {}, {"GORUNTIME_SCHED=sometimes"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, ::testing::HasSubstr("GORUNTIME_SCHED: want seed:N or replay:i,j,..."));
}

}  // namespace
}  // namespace goruntime::testing
