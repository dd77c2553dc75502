// The expectations-file parser, matcher, judge and updater.
#include <gtest/gtest.h>

#include "conformance/runner/expectations_file.h"
#include "conformance/runner/verdict.h"

namespace conform {
namespace {

const char* kText =
    "# header comment\n"
    "\n"
    "conformance/scenarios/stack/default-limit.scn | FAIL | impl | Go's default is 1 GB\n"
    "goexit/x.scn | CRASH | bug | crashes | really\n"
    "flaky conformance/scenarios/select/y.scn | timing on a loaded machine\n";

ScenarioResult Result(const std::string& file, Status s) {
  ScenarioResult r;
  r.file = file;
  r.status = s;
  if (s != Status::kPass) r.failures.push_back("why");
  return r;
}

TEST(ExpectationsFile, ParsesEntriesFlakyLinesAndHeader) {
  std::vector<std::string> errors;
  auto f = ExpectationsFile::Parse(kText, "x.txt", &errors);
  ASSERT_TRUE(f) << errors[0];
  ASSERT_EQ(f->entries.size(), 3u);
  EXPECT_EQ(f->header, std::vector<std::string>{"# header comment"});
  EXPECT_EQ(f->entries[0].status, Status::kFail);
  EXPECT_EQ(f->entries[0].category, "impl");
  EXPECT_EQ(f->entries[1].reason, "crashes | really");
  EXPECT_EQ(f->entries[1].line, 4);
  EXPECT_TRUE(f->entries[2].flaky);
}

TEST(ExpectationsFile, BadLinesGiveFileAndLine) {
  std::vector<std::string> errors;
  auto f = ExpectationsFile::Parse(
      "a.scn | FAIL | x | ok\n"
      "b.scn | PASS | x | passing is not a known failure\n"
      "c.scn | WRONG | x | y\n"
      "d.scn | FAIL\n"
      "e.scn | FAIL | two words | y\n"
      "a.scn | CRASH | x | duplicate\n"
      "flaky f.scn\n",
      "rt.txt", &errors);
  EXPECT_FALSE(f);
  ASSERT_EQ(errors.size(), 6u);
  EXPECT_EQ(errors[0].rfind("rt.txt:2: unknown status 'PASS'", 0), 0u) << errors[0];
  EXPECT_EQ(errors[1].rfind("rt.txt:3: unknown status 'WRONG'", 0), 0u) << errors[1];
  EXPECT_EQ(errors[2].rfind("rt.txt:4: expected", 0), 0u) << errors[2];
  EXPECT_EQ(errors[3].rfind("rt.txt:5: category", 0), 0u) << errors[3];
  EXPECT_EQ(errors[4], "rt.txt:6: duplicate entry for a.scn (first at line 1)");
  EXPECT_EQ(errors[5], "rt.txt:7: expected 'flaky PATH | REASON'");
}

TEST(ExpectationsFile, MatchesWholePathsOrSuffixesAfterASlash) {
  std::vector<std::string> errors;
  auto f = ExpectationsFile::Parse(kText, "x.txt", &errors);
  ASSERT_TRUE(f);
  EXPECT_NE(f->Find("conformance/scenarios/goexit/x.scn"), nullptr);
  EXPECT_EQ(f->Find("conformance/scenarios/goexit/ax.scn"), nullptr);
  EXPECT_EQ(f->Find("conformance/scenarios/bgoexit/x.scn"), nullptr);
  EXPECT_NE(f->Find("conformance/scenarios/stack/default-limit.scn"), nullptr);
}

TEST(Verdict, JudgesAgainstTheExpectations) {
  KnownIssue fail{"a.scn", false, Status::kFail, "bug", "known", 1};
  KnownIssue flaky{"a.scn", true, Status::kFail, "", "timing", 1};
  EXPECT_EQ(JudgeResult(Result("a.scn", Status::kPass), false, nullptr).verdict, Verdict::kPass);
  EXPECT_EQ(JudgeResult(Result("a.scn", Status::kFail), false, nullptr).verdict, Verdict::kNewFailure);
  EXPECT_EQ(JudgeResult(Result("a.scn", Status::kFail), false, &fail).verdict, Verdict::kExpectedFailure);
  EXPECT_EQ(JudgeResult(Result("a.scn", Status::kCrash), false, &fail).verdict, Verdict::kNewFailure);
  EXPECT_EQ(JudgeResult(Result("a.scn", Status::kPass), false, &fail).verdict, Verdict::kUnexpectedPass);
  EXPECT_EQ(JudgeResult(Result("a.scn", Status::kTimeout), false, &flaky).verdict, Verdict::kFlaky);
  EXPECT_EQ(JudgeResult(Result("a.scn", Status::kFail), true, nullptr).verdict, Verdict::kImplDiffers);
  EXPECT_EQ(JudgeResult(Result("a.scn", Status::kUnsupported), false, nullptr).verdict, Verdict::kUnsupported);
}

TEST(Verdict, APassThroughTheEngineIsItsOwnVerdict) {
  ScenarioResult r = Result("a.scn", Status::kPass);
  r.engine_families = {"channels", "select"};
  Judgement j = JudgeResult(r, false, nullptr);
  EXPECT_EQ(j.verdict, Verdict::kPassEngine);
  EXPECT_EQ(j.note, "through the shared engine: channels, select");
  EXPECT_STREQ(VerdictLabel(j.verdict), "PASS (engine)");
  EXPECT_FALSE(IsProblem(j.verdict));
  KnownIssue fail{"a.scn", false, Status::kFail, "bug", "known", 1};
  EXPECT_EQ(JudgeResult(r, false, &fail).verdict, Verdict::kUnexpectedPass);
  r.status = Status::kFail;
  EXPECT_EQ(JudgeResult(r, false, nullptr).verdict, Verdict::kNewFailure);
}

TEST(ExpectationsFile, UpdateKeepsReasonsAndMarksNewEntries) {
  std::vector<std::string> errors;
  auto f = ExpectationsFile::Parse(kText, "x.txt", &errors);
  ASSERT_TRUE(f);
  auto next = f->Updated({Result("conformance/scenarios/stack/default-limit.scn", Status::kTimeout),
                          Result("conformance/scenarios/goexit/x.scn", Status::kPass),
                          Result("conformance/scenarios/select/y.scn", Status::kFail),
                          Result("conformance/scenarios/chan/z.scn", Status::kFail)});
  EXPECT_EQ(next.Format(),
            "# header comment\n\n"
            "conformance/scenarios/chan/z.scn | FAIL | new | TODO\n"
            "flaky conformance/scenarios/select/y.scn | timing on a loaded machine\n"
            "conformance/scenarios/stack/default-limit.scn | TIMEOUT | impl | Go's default is 1 GB\n");
  auto again = ExpectationsFile::Parse(next.Format(), "y.txt", &errors);
  ASSERT_TRUE(again);
  EXPECT_EQ(again->Format(), next.Format());
}

}  // namespace
}  // namespace conform
