// Reports a browser can open (issue 9, section 5): what a run keeps of each
// scenario's trace and stderr bounds the JSON reports and matrix.html.
//
// Regression: chan.handoff-never-lost's 100,000-event trace put 4 MB into
// every runtime's JSON, and matrix.html for five runtimes was 25 MB.
#include <gtest/gtest.h>

#include "conformance/runner/reports.h"
#include "conformance/runner/suite_run.h"
#include "tools/matrix/matrix_html.h"

namespace conform {
namespace {

constexpr int kScenarios = 90, kBigTrace = 100'000;

// A finished scenario as RunScenario leaves it: judged, then summarized.
ScenarioResult Finished(int k, Status status, int events, size_t stderr_bytes) {
  ScenarioResult r;
  r.file = "conformance/scenarios/chan/s" + std::to_string(k) + ".scn";
  r.status = status;
  if (status != Status::kPass) r.failures = {r.file + ":3:1: trace exact: event 7 differs"};
  for (int i = 0; i < events; ++i)
    r.outcome.trace.push_back(Event{1 + i % 2, "recv", std::to_string(i) + ",true"});
  r.outcome.stderr_text = std::string(stderr_bytes, 'x');
  SummarizeOutcome(r);
  return r;
}

// Five runtimes, 90 scenarios each; scenario 0 records 100,000 events and
// fails on two runtimes; every scenario has 16 KiB of stderr on one.
std::vector<RuntimeRun> FiveRuntimes(std::vector<spec::Clause>* clauses) {
  for (int k = 0; k < kScenarios; ++k) {
    spec::Clause c;
    c.id = "chan.clause-" + std::to_string(k);
    c.level = "MUST";
    c.statement = "A statement of about the length of the real ones, saying what a runtime must do.";
    clauses->push_back(c);
  }
  std::vector<RuntimeRun> runs;
  for (int rt = 0; rt < 5; ++rt) {
    std::vector<ScenarioResult> results;
    std::vector<lang::Scenario> parsed;
    for (int k = 0; k < kScenarios; ++k) {
      Status status = k == 0 && rt >= 3 ? Status::kFail : Status::kPass;
      results.push_back(Finished(k, status, k == 0 ? kBigTrace : 40, rt == 2 ? 16 << 10 : 0));
      lang::Scenario sc;
      sc.clauses = {(*clauses)[k].id};
      parsed.push_back(sc);
    }
    RuntimeRun run;
    run.runtime = "runtime" + std::to_string(rt);
    JudgeRun(results, parsed, *clauses, nullptr, &run);
    runs.push_back(std::move(run));
  }
  return runs;
}

TEST(ReportSize, FiveRuntimeMatrixStaysUnderTwoMegabytes) {
  std::vector<spec::Clause> clauses;
  std::vector<RuntimeRun> runs = FiveRuntimes(&clauses);
  std::string page = MatrixHtml(runs, clauses, "now");
  EXPECT_LT(page.size(), 2u << 20);
  std::printf("matrix.html for 5 runtimes x %d scenarios: %zu bytes\n", kScenarios, page.size());
  for (const auto& run : runs) EXPECT_LT(RunToJson(run).size(), 512u << 10) << run.runtime;
}

TEST(ReportSize, AFailureKeepsItsTraceToTheCapAPassASummary) {
  std::vector<spec::Clause> clauses;
  std::vector<RuntimeRun> runs = FiveRuntimes(&clauses);
  const ScenarioResult& passed = runs[0].scenarios[0].result;
  EXPECT_EQ(passed.trace_events, kBigTrace);
  EXPECT_EQ(passed.outcome.trace.size(), 2 * kPassingTraceEnds);
  const ScenarioResult& failed = runs[4].scenarios[0].result;
  EXPECT_EQ(failed.trace_events, kBigTrace);
  EXPECT_EQ(failed.trace_head, kFailingTraceEnds);
  ASSERT_EQ(failed.outcome.trace.size(), 2 * kFailingTraceEnds);
  EXPECT_EQ(failed.outcome.trace.back().value, std::to_string(kBigTrace - 1) + ",true");
  // The matrix carries what a reader needs to see the failure: the count,
  // where the cut is, and the failing expectation.
  std::string json = RunToJson(runs[4]);
  EXPECT_NE(json.find("\"trace_events\":100000,\"trace_head\":1000,"), std::string::npos);
  EXPECT_NE(json.find("trace exact: event 7 differs"), std::string::npos);
}

}  // namespace
}  // namespace conform
