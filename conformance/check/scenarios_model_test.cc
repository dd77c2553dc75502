// Cross-checks the suite against the model: for every scenario marked
// `@expect model`, some complete run the model allows must also meet the
// scenario's other expectations (stderr aside, which the model lacks). A
// failure means the scenario or the model is wrong.
#include <gtest/gtest.h>

#include <filesystem>

#include "conformance/check/expectations.h"
#include "conformance/lang/parser.h"
#include "spec/model/model.h"

namespace conform {
namespace {

namespace fs = std::filesystem;

TEST(ScenariosAgreeWithModel, EveryModelScenarioHasAPassingLegalRun) {
  int checked = 0;
  for (const auto& entry : fs::recursive_directory_iterator("conformance/scenarios")) {
    if (entry.path().extension() != ".scn") continue;
    lang::ParseError perr;
    auto sc = lang::ParseFile(entry.path().string(), &perr);
    ASSERT_TRUE(sc) << perr.ToString();
    bool wants_model = false;
    for (const auto& e : sc->expect) wants_model |= e.kind == lang::Expectation::Kind::kModel;
    if (!wants_model) continue;
    ++checked;
    spec::model::Options opts;
    opts.max_states = 300000;
    auto outcomes = spec::model::Enumerate(*sc, opts);
    if (!outcomes) {
      ADD_FAILURE() << sc->file << ": model exceeded " << opts.max_states << " states";
      continue;
    }
    CheckOptions copts;
    copts.check_stderr = false;
    copts.check_model = false;  // every enumerated outcome is legal by construction
    bool any = false;
    std::vector<std::string> first_failures;
    for (const auto& [trace, exit] : *outcomes) {
      auto f = CheckExpectations(*sc, RunOutcome{trace, exit, ""}, copts);
      if (f.empty()) { any = true; break; }
      if (first_failures.empty()) first_failures = f;
    }
    EXPECT_TRUE(any) << sc->file << ": no legal outcome meets the expectations (of "
                     << outcomes->size() << "); e.g. " << (first_failures.empty() ? "" : first_failures[0]);
  }
  EXPECT_GT(checked, 40);
}

}  // namespace
}  // namespace conform
