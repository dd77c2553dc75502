// Differential property: a random scenario, run on a runtime, must end with a
// trace and exit status that some legal schedule of the model produces.
// Which runtime, and how, comes from the test's arguments (see BUILD):
//   model_agreement_test DRIVER [deterministic|prebuild]
// In deterministic mode the reference runtime's schedule is drawn from the
// RapidCheck-generated seed (GORUNTIME_SCHED=seed:N), so a failure shrinks
// to a minimal scenario *and* seed, both printed, and replays exactly. With
// prebuild, the driver first builds each scenario (`--build`, as the Go
// driver's runtime file asks), so compiling under load does not eat into
// the scenario's own timeout.
// A failing scenario is also saved under $TEST_UNDECLARED_OUTPUTS_DIR, to
// be replayed on any runtime with its driver (the Go driver included).
#include <gtest/gtest.h>
#include <rapidcheck.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "conformance/lang/printer.h"
#include "conformance/properties/scenario_gen.h"
#include "conformance/runner/runner.h"
#include "spec/model/model.h"

namespace conform::properties {
namespace {

std::string driver;
bool deterministic = false;
bool prebuild = false;

std::string TempPath(const std::string& name) {
  const char* dir = std::getenv("TEST_TMPDIR");
  return (std::filesystem::path(dir ? dir : "/tmp") / name).string();
}

// Saves a failing scenario, and beside it (.txt) what the run did and what
// the model said: RapidCheck shows only the last run of the shrunk case, so
// a failure that does not recur would otherwise leave nothing to study.
void SaveFailure(const std::string& text, uint64_t seed, const std::string& outcome) {
  const char* dir = std::getenv("TEST_UNDECLARED_OUTPUTS_DIR");
  if (dir == nullptr) return;
  const std::string path = std::string(dir) + "/counterexample_seed" + std::to_string(seed);
  if (FILE* f = std::fopen((path + ".scn").c_str(), "w")) {
    std::fputs(text.c_str(), f);
    std::fclose(f);
  }
  if (FILE* f = std::fopen((path + ".txt").c_str(), "w")) {
    std::fputs(outcome.c_str(), f);
    std::fclose(f);
  }
}

std::string Show(const std::vector<Event>& trace) {
  std::string out;
  for (const Event& e : trace) out += "  " + EventToJson(e) + "\n";
  return out;
}

// Runs one generated scenario and checks it against the model.
void CheckAgainstModel(const lang::Scenario& sc, uint64_t seed) {
  static const std::set<std::string> caps = QueryCapabilities(driver);
  const std::string text = lang::Print(sc);
  const std::string path = TempPath("prop.scn");
  FILE* f = std::fopen(path.c_str(), "w");
  RC_ASSERT(f != nullptr);
  std::fputs(text.c_str(), f);
  std::fclose(f);
  lang::Scenario with_path = sc;
  with_path.file = path;
  if (deterministic) setenv("GORUNTIME_SCHED", ("seed:" + std::to_string(seed)).c_str(), 1);
  RunOptions ro;
  ro.prebuild = prebuild;
  const ScenarioResult r = RunScenario(driver, caps, with_path, ro);
  std::string outcome = std::string(deterministic ? "GORUNTIME_SCHED=seed:" + std::to_string(seed) + "\n" : "") +
                        "status " + StatusName(r.status) + ", exit " + std::to_string(r.outcome.exit_status) +
                        ", trace:\n" + Show(r.outcome.trace) + "stderr:\n" + r.outcome.stderr_text;
  for (const std::string& f : r.failures) outcome += "runner: " + f + "\n";
  RC_LOG() << "scenario:\n" << text << outcome;
  RC_TAG(r.outcome.trace.size() < 4 ? "short" : r.outcome.trace.size() < 10 ? "medium" : "long");
  const bool ran = r.status == Status::kPass;  // no expectations: anything that ends passes
  spec::model::Options opts;
  opts.max_states = 200000;
  opts.capabilities = caps;
  const spec::model::Result m = ran ? spec::model::Check(sc, {r.outcome.trace, r.outcome.exit_status}, opts)
                                     : spec::model::Result{};
  const spec::model::Verdict verdict = m.verdict;
  if (ran) {
    outcome += "model: " + std::string(verdict == spec::model::Verdict::kValid ? "valid" :
                                       verdict == spec::model::Verdict::kInvalid ? "invalid" : "bound exceeded") +
               " after " + std::to_string(m.states) + " states, longest legal prefix " +
               std::to_string(m.longest_prefix) + " events\n";
    RC_LOG() << "model: " << outcome.substr(outcome.rfind("model: ") + 7);
  }
  if (!ran || verdict == spec::model::Verdict::kInvalid) SaveFailure(text, seed, outcome);
  RC_ASSERT(ran);
  RC_ASSERT(verdict != spec::model::Verdict::kInvalid);
}

TEST(ModelAgreement, RandomScenariosAreLegalUnderTheModel) {
  const auto result = rc::check("runs agree with the model", [] {
    static const std::set<std::string> caps = QueryCapabilities(driver);
    const lang::Scenario sc = *GenScenario(caps);
    const uint64_t seed = *rc::gen::inRange<uint64_t>(0, 1u << 30);
    CheckAgainstModel(sc, seed);
  });
  EXPECT_TRUE(result);
}

}  // namespace
}  // namespace conform::properties

int main(int argc, char** argv) {
  testing::InitGoogleTest(&argc, argv);
  if (argc < 2) {
    std::fprintf(stderr, "usage: model_agreement_test DRIVER [deterministic]\n");
    return 2;
  }
  conform::properties::driver = argv[1];
#if defined(GORT_TSAN) || defined(GORT_ASAN)
  // A sanitized driver starts in about a second: fewer cases, so the run
  // fits its timeout. The sanitizers look for races and memory errors; the
  // optimised build does the bulk of the random search.
  setenv("RC_PARAMS", "max_success=25", 1);
#endif
  conform::properties::deterministic = argc > 2 && std::string(argv[2]) == "deterministic";
  conform::properties::prebuild = argc > 2 && std::string(argv[2]) == "prebuild";
  if (const char* tmp = std::getenv("TEST_TMPDIR")) setenv("CONFORM_GO_CACHE", (std::string(tmp) + "/go-cache").c_str(), 1);
  return RUN_ALL_TESTS();
}
