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

}  // namespace
}  // namespace conform
