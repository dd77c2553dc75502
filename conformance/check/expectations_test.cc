#include "conformance/check/expectations.h"

#include <gtest/gtest.h>

#include "conformance/lang/parser.h"

namespace conform {
namespace {

lang::Scenario P(const std::string& text) {
  lang::ParseError err;
  auto sc = lang::Parse(text, "t.scn", &err);
  EXPECT_TRUE(sc) << err.ToString();
  return sc ? *sc : lang::Scenario{};
}

std::vector<std::string> Outcome(const std::string& header, std::vector<Event> trace, int exit = 0,
                             std::string err = "") {
  return CheckExpectations(P(header), RunOutcome{std::move(trace), exit, std::move(err)});
}

TEST(Expectations, ExitStatus) {
  EXPECT_TRUE(Outcome("@expect exit 2\n", {}, 2).empty());
  auto f = Outcome("@expect exit 0\n", {}, 2);
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0], "t.scn:1:1: exit status 2, expected 0");
}

TEST(Expectations, StderrLinesInOrder) {
  std::string err = "runtime: goroutine stack exceeds 1048576-byte limit\nruntime: sp=0x1 stack=[0x0, 0x2]\nfatal error: stack overflow\n";
  const char* h = "@expect stderr-match \"exceeds [0-9]+-byte\"\n@expect stderr \"fatal error: stack overflow\"\n";
  EXPECT_TRUE(Outcome(h, {}, 0, err).empty());
  const char* reversed = "@expect stderr \"fatal error: stack overflow\"\n@expect stderr-match \"exceeds [0-9]+-byte\"\n";
  auto f = Outcome(reversed, {}, 0, err);
  ASSERT_EQ(f.size(), 1u);
  EXPECT_NE(f[0].find("t.scn:2:1: stderr has no line matching"), std::string::npos) << f[0];
}

TEST(Expectations, ExactContainsGoroutineAbsent) {
  std::vector<Event> t = {{1, "record", "a"}, {2, "record", "b"}, {1, "record", "c"}};
  EXPECT_TRUE(Outcome("@expect trace exact g1 record a ; g2 record * ; record c\n", t).empty());
  EXPECT_EQ(Outcome("@expect trace exact g1 record a ; g2 record b\n", t).size(), 1u);
  EXPECT_TRUE(Outcome("@expect trace contains record a ; record c\n", t).empty());
  EXPECT_EQ(Outcome("@expect trace contains record c ; record a\n", t).size(), 1u);
  EXPECT_TRUE(Outcome("@expect trace goroutine 1 record a ; record c\n", t).empty());
  EXPECT_EQ(Outcome("@expect trace goroutine 1 record a\n", t).size(), 1u);
  EXPECT_TRUE(Outcome("@expect trace absent record z\n", t).empty());
  EXPECT_EQ(Outcome("@expect trace absent g2 record *\n", t).size(), 1u);
}

TEST(Expectations, RangeAndCount) {
  std::vector<Event> t = {{1, "value", "na=4800"}, {1, "value", "nb=5200"}, {1, "poll", "3"}};
  EXPECT_TRUE(Outcome("@expect range value:na 4755 5245\n@expect range poll 3 3\n", t).empty());
  EXPECT_EQ(Outcome("@expect range value:na 1 10\n", t).size(), 1u);
  EXPECT_EQ(Outcome("@expect range value:nc 1 10\n", t).size(), 1u);  // none recorded
  EXPECT_TRUE(Outcome("@expect count value * 2 2\n", t).empty());
  EXPECT_EQ(Outcome("@expect count value * 3 5\n", t).size(), 1u);
}

TEST(Expectations, FairnessBoundIsBypassOne) {
  auto ev = [](int64_t g) { return Event{g, "record", "x"}; };
  EXPECT_TRUE(Outcome("@expect fair record\n", {ev(2), ev(3), ev(2), ev(3), ev(3)}).empty());
  // g2 records twice while g3, which records later, has not.
  auto f = Outcome("@expect fair record\n", {ev(2), ev(3), ev(2), ev(2), ev(3)});
  ASSERT_EQ(f.size(), 1u);
  EXPECT_NE(f[0].find("g2 recorded 2 `record *` events while g3 waited"), std::string::npos) << f[0];
  // The same trace under a bound of 2 passes.
  EXPECT_TRUE(Outcome("@expect bypass 2 record\n", {ev(2), ev(3), ev(2), ev(2), ev(3)}).empty());
}

TEST(Expectations, BypassCountsTheWaitBeforeAFirstEvent) {
  auto ev = [](int64_t g) { return Event{g, "record", "x"}; };
  // g3 starts recording only after g2 recorded three times.
  auto f = Outcome("@expect bypass 2 record\n", {ev(2), ev(2), ev(2), ev(3)});
  ASSERT_EQ(f.size(), 1u);
  EXPECT_NE(f[0].find("from the start"), std::string::npos) << f[0];
  // Once a goroutine has recorded for the last time, it no longer waits.
  EXPECT_TRUE(Outcome("@expect bypass 1 record\n", {ev(2), ev(3), ev(2), ev(2), ev(2)}).empty());
  // Only events matching the pattern count.
  std::vector<Event> t = {{2, "record", "a"}, {2, "record", "b"}, {2, "record", "a"}, {3, "record", "a"}};
  EXPECT_TRUE(Outcome("@expect bypass 1 record a\n", t).size() == 1u);
  EXPECT_TRUE(Outcome("@expect bypass 2 record a\n", t).empty());
  EXPECT_EQ(Outcome("@expect bypass 1 record z\n", t).size(), 1u);  // no matching event at all
}

TEST(Expectations, AbsentSequence) {
  std::vector<Event> t = {{1, "poll", "1"}, {1, "record", "x"}, {1, "poll", "0"}};
  EXPECT_EQ(Outcome("@expect trace absent g1 poll 1 ; g1 poll 0\n", t).size(), 1u);
  EXPECT_TRUE(Outcome("@expect trace absent g1 poll 0 ; g1 poll 1\n", t).empty());
}

TEST(Expectations, ModelOracle) {
  const char* sc = "@expect model\nchan c 1\nsend c 1\nsend c 2\n";
  // The second send blocks forever: deadlock, exit 2, empty trace.
  EXPECT_TRUE(Outcome(sc, {}, 2).empty());
  EXPECT_EQ(Outcome(sc, {}, 0).size(), 1u);
  EXPECT_EQ(Outcome(sc, {{1, "record", "x"}}, 2).size(), 1u);
}

}  // namespace
}  // namespace conform
