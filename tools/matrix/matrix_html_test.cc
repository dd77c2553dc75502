// The matrix page: self-contained, and the data cannot break out of its
// <script> element whatever the scenarios and stderr hold.
#include <gtest/gtest.h>

#include "tools/matrix/matrix_html.h"

namespace conform {
namespace {

TEST(MatrixHtml, EmbedsEveryRunAndEscapesScriptEnds) {
  spec::Clause c;
  c.id = "chan.x";
  c.level = "MUST";
  c.statement = "a statement";
  RuntimeRun ran, skipped;
  ran.runtime = "alpha";
  ScenarioRecord s;
  s.file = "conformance/scenarios/chan/x.scn";
  s.clauses = {"chan.x"};
  s.result.status = Status::kFail;
  s.result.outcome.stderr_text = "evil </script><script>alert(1)</script> \xff bytes";
  ran.scenarios.push_back(s);
  ClauseRecord cr;
  cr.clause = c;
  cr.status = Status::kFail;
  cr.verdict = Verdict::kNewFailure;
  cr.scenarios = {0};
  ran.clauses.push_back(cr);
  skipped.runtime = "beta";
  skipped.skipped = "'go' is not on PATH";
  std::string page = MatrixHtml({ran, skipped}, {c}, "now");
  EXPECT_NE(page.find("\"runtime\":\"alpha\""), std::string::npos);
  EXPECT_NE(page.find("'go' is not on PATH"), std::string::npos);
  EXPECT_EQ(page.find("</script><script>alert"), std::string::npos);
  EXPECT_NE(page.find("<\\/script>"), std::string::npos);
  EXPECT_EQ(page.find("http://"), std::string::npos);  // nothing fetched from the network
  EXPECT_EQ(page.find("https://"), std::string::npos);
}

TEST(MatrixHtml, EnginePassesIdentityAndFamiliesAreShown) {
  spec::Clause c;
  c.id = "chan.y";
  c.level = "MUST";
  RuntimeRun run;
  run.runtime = "fiber";
  run.identity = {"boost-fiber 1.74.0"};
  run.families = {{"channels", FamilySource::kEngine}, {"defer", FamilySource::kNative}};
  run.capability_overrides = "-preemptive";
  ScenarioRecord s;
  s.file = "conformance/scenarios/chan/y.scn";
  s.clauses = {"chan.y"};
  s.result.status = Status::kPass;
  s.result.engine_families = {"channels"};
  s.judgement = {Verdict::kPassEngine, "through the shared engine: channels"};
  run.scenarios.push_back(s);
  ClauseRecord cr;
  cr.clause = c;
  cr.verdict = Verdict::kPassEngine;
  cr.scenarios = {0};
  run.clauses.push_back(cr);
  std::string page = MatrixHtml({run}, {c}, "now");
  EXPECT_NE(page.find("\"verdict\":\"pass-engine\""), std::string::npos);
  EXPECT_NE(page.find("\"engine_families\":[\"channels\"]"), std::string::npos);
  EXPECT_NE(page.find("\"clauses_passed\":0,\"clauses_passed_engine\":1"), std::string::npos);
  EXPECT_NE(page.find("\"identity\":[\"boost-fiber 1.74.0\"]"), std::string::npos);
  EXPECT_NE(page.find("\"families\":{\"channels\":\"engine\",\"defer\":\"native\"}"), std::string::npos);
  EXPECT_NE(page.find("\"capability_overrides\":\"-preemptive\""), std::string::npos);
  EXPECT_NE(page.find("case\"pass-engine\":return\"engine\""), std::string::npos);  // its own colour
}

}  // namespace
}  // namespace conform
