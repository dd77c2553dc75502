// Runs the lint over the real spec and scenarios, and checks that the lint
// itself catches each kind of problem.
#include "spec/lint.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>

#include "conformance/lang/parser.h"

namespace spec {
namespace {

namespace fs = std::filesystem;
using conform::lang::Scenario;

bool Mentions(const std::vector<std::string>& problems, const std::string& text) {
  return std::any_of(problems.begin(), problems.end(),
                     [&](const std::string& p) { return p.find(text) != std::string::npos; });
}

TEST(SpecLint, RealSuiteIsConsistent) {
  std::string err;
  auto clauses = ReadClauses("spec/clauses.txt", &err);
  ASSERT_TRUE(clauses) << err;
  ASSERT_GT(clauses->size(), 50u);
  std::vector<Scenario> scenarios;
  for (const auto& entry : fs::recursive_directory_iterator("conformance/scenarios")) {
    if (entry.path().extension() != ".scn") continue;
    conform::lang::ParseError perr;
    auto sc = conform::lang::ParseFile(entry.path().string(), &perr);
    ASSERT_TRUE(sc) << perr.ToString();
    scenarios.push_back(std::move(*sc));
  }
  ASSERT_GT(scenarios.size(), 80u);
  auto problems = Lint(*clauses, scenarios);
  for (const auto& p : problems) ADD_FAILURE() << p;
}

Clause C(std::string id, std::string level, std::string cap = "") {
  return Clause{std::move(id), std::move(level), std::move(cap), "src", "stmt", 1};
}

Scenario S(std::string file, std::vector<std::string> clauses, std::vector<std::string> caps = {}) {
  Scenario sc;
  sc.file = std::move(file);
  sc.clauses = std::move(clauses);
  sc.requires_caps = std::move(caps);
  conform::lang::Expectation exit;
  sc.expect.push_back(exit);
  return sc;
}

TEST(SpecLint, CleanInputHasNoProblems) {
  EXPECT_TRUE(Lint({C("a.x", "MUST"), C("a.y", "IMPL", "preemptive")},
                   {S("s/a/x.scn", {"a.x"}), S("s/a/x2.scn", {"a.x"})})
                  .empty());
}

TEST(SpecLint, FindsUncoveredMustClause) {
  auto p = Lint({C("a.x", "MUST"), C("a.y", "MUST")}, {S("s/a/x.scn", {"a.x"}), S("s/a/x2.scn", {"a.x"})});
  EXPECT_TRUE(Mentions(p, "MUST clause a.y is covered by no scenario"));
  EXPECT_EQ(p.size(), 1u);
}

TEST(SpecLint, FindsMustClauseWithOneScenario) {
  auto p = Lint({C("a.x", "MUST"), C("a.y", "IMPL")}, {S("s/a/x.scn", {"a.x", "a.y"})});
  EXPECT_TRUE(Mentions(p, "MUST clause a.x is covered by 1 scenario, fewer than 2"));
  EXPECT_EQ(p.size(), 1u);  // an IMPL clause needs no second scenario
}

TEST(SpecLint, OnlyCountClausesReadNumGoroutine) {
  Scenario waits = S("s/a/x.scn", {"a.x"});
  conform::lang::Stmt poll;
  poll.op = conform::lang::Op::kPoll;
  poll.cond.numgoroutine = true;
  conform::lang::Stmt go;
  go.op = conform::lang::Op::kGo;
  go.body.push_back(poll);  // nested, still found
  waits.main.push_back(go);
  Scenario counts = waits;
  counts.file = "s/numgoroutine/y.scn";
  counts.clauses = {"numgoroutine.y"};
  auto p = Lint({C("a.x", "IMPL"), C("numgoroutine.y", "IMPL")}, {waits, counts});
  EXPECT_TRUE(Mentions(p, "s/a/x.scn: reads NumGoroutine but names no numgoroutine.* clause"));
  EXPECT_EQ(p.size(), 1u);
}

TEST(SpecLint, FindsUnknownClauseAndDuplicateIds) {
  auto p = Lint({C("a.x", "MUST"), C("a.x", "IMPL")}, {S("s/a/x.scn", {"a.x", "a.nope"}), S("s/a/y.scn", {"a.x"})});
  EXPECT_TRUE(Mentions(p, "duplicate clause id a.x"));
  EXPECT_TRUE(Mentions(p, "names unknown clause a.nope"));
}

TEST(SpecLint, FindsMissingCapabilityExitAndWrongDirectory) {
  Scenario no_exit = S("s/b/x.scn", {"a.x"});
  no_exit.expect.clear();
  auto p = Lint({C("a.x", "MUST", "os-threads")}, {no_exit});
  EXPECT_TRUE(Mentions(p, "needs capability os-threads"));
  EXPECT_TRUE(Mentions(p, "has no @expect exit"));
  EXPECT_TRUE(Mentions(p, "belongs in directory a/"));
}

TEST(Clauses, ParsesAndReportsErrorsWithPosition) {
  std::string err;
  auto ok = ParseClauses("# c\n\na.b | MUST | os-threads | F1 | does x\n", "c.txt", &err);
  ASSERT_TRUE(ok) << err;
  ASSERT_EQ(ok->size(), 1u);
  EXPECT_EQ((*ok)[0].capability, "os-threads");
  EXPECT_EQ((*ok)[0].line, 3);
  EXPECT_FALSE(ParseClauses("a.b | SHOULD | - | F1 | x\n", "c.txt", &err));
  EXPECT_EQ(err, "c.txt:1:7: level must be MUST or IMPL, not 'SHOULD'");
  EXPECT_FALSE(ParseClauses("Bad Id | MUST | - | F1 | x\n", "c.txt", &err));
  EXPECT_EQ(err, "c.txt:1:1: bad clause id 'Bad Id'");
  EXPECT_FALSE(ParseClauses("a.b | MUST | - | F1\n", "c.txt", &err));
  EXPECT_EQ(err, "c.txt:1:1: expected 5 fields separated by ' | '");
  EXPECT_FALSE(ParseClauses("a.b | MUST | warp | F1 | x\n", "c.txt", &err));
  EXPECT_EQ(err, "c.txt:1:14: unknown capability 'warp'");
}

}  // namespace
}  // namespace spec
