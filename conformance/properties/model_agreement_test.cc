// Differential property: a random scenario, run on a runtime, must end with a
// trace and exit status that some legal schedule of the model produces.
// Which runtime, and how, comes from the test's arguments (see BUILD):
//   model_agreement_test DRIVER [deterministic]
// In deterministic mode the reference runtime's schedule is drawn from the
// RapidCheck-generated seed (GORUNTIME_SCHED=seed:N), so a failure shrinks
// to a minimal scenario *and* seed, both printed, and replays exactly.
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

std::string TempPath(const std::string& name) {
  const char* dir = std::getenv("TEST_TMPDIR");
  return (std::filesystem::path(dir ? dir : "/tmp") / name).string();
}

void SaveFailure(const std::string& text, uint64_t seed) {
  const char* dir = std::getenv("TEST_UNDECLARED_OUTPUTS_DIR");
  if (dir == nullptr) return;
  const std::string path = std::string(dir) + "/counterexample_seed" + std::to_string(seed) + ".scn";
  if (FILE* f = std::fopen(path.c_str(), "w")) {
    std::fputs(text.c_str(), f);
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
  const ScenarioResult r = RunScenario(driver, caps, with_path);
  RC_LOG() << "scenario:\n" << text << (deterministic ? "GORUNTIME_SCHED=seed:" + std::to_string(seed) + "\n" : "")
           << "status " << StatusName(r.status) << ", exit " << r.outcome.exit_status << ", trace:\n"
           << Show(r.outcome.trace) << "stderr:\n" << r.outcome.stderr_text;
  RC_TAG(r.outcome.trace.size() < 4 ? "short" : r.outcome.trace.size() < 10 ? "medium" : "long");
  const bool ran = r.status == Status::kPass;  // no expectations: anything that ends passes
  spec::model::Options opts;
  opts.max_states = 200000;
  opts.capabilities = caps;
  const auto verdict = ran ? spec::model::Check(sc, {r.outcome.trace, r.outcome.exit_status}, opts).verdict
                           : spec::model::Verdict::kInvalid;
  if (!ran || verdict == spec::model::Verdict::kInvalid) SaveFailure(text, seed);
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
  if (const char* tmp = std::getenv("TEST_TMPDIR")) setenv("CONFORM_GO_CACHE", (std::string(tmp) + "/go-cache").c_str(), 1);
  return RUN_ALL_TESTS();
}
