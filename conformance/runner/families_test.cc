// The family derivation (INTERPRETING.md's table), statement by statement,
// in nested blocks, and from expectations; and every scenario in the suite
// parses into a set of known families.
#include "conformance/runner/families.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "conformance/lang/parser.h"
#include "conformance/runner/suite.h"

namespace conform {
namespace {

std::set<std::string> Needs(const std::string& body, const std::string& header = "") {
  lang::ParseError err;
  auto sc = lang::Parse("@clause x.y\n" + header + "@expect exit 0\n" + body, "t.scn", &err);
  EXPECT_TRUE(sc.has_value()) << err.ToString();
  return sc ? NeededFamilies(*sc) : std::set<std::string>{};
}

using Set = std::set<std::string>;

TEST(Families, EachRowOfTheTable) {
  EXPECT_EQ(Needs("defer\nrecord a\nend\n"), Set{"defer"});
  EXPECT_EQ(Needs("defer-value x\n"), Set{"defer"});
  EXPECT_EQ(Needs("panic 1\n"), Set{"panic"});
  EXPECT_EQ(Needs("recover\n"), Set{"panic"});
  EXPECT_EQ(Needs("goexit\n"), Set{"goexit"});
  EXPECT_EQ(Needs("chan c 1\nsend c 1\nrecv c\nclose c\n"), Set{"channels"});
  EXPECT_EQ(Needs("chan c nil\n"), Set{"channels"});
  EXPECT_EQ(Needs("select\ndefault\nend\n"), Set{"select"});
  EXPECT_EQ(Needs("numgoroutine\n"), Set{"numgoroutine"});
  EXPECT_EQ(Needs("sleep 1\n"), Set{"timers"});
}

TEST(Families, StatementsThatAreNoFamily) {
  EXPECT_EQ(Needs("go\nrecord a\nend\ngosched\ncall\nrecord b\nend\nrepeat 2\nadd x 1\nend\nvalue x\n"
                  "set y 1\nthread\nlock\nunlock\ngomaxprocs 0\nsetmaxstack 100000\nspin 10\nsyscall 1\n"),
            Set{});
}

TEST(Families, PollSleepsUnlessYieldingAndMayCountGoroutines) {
  EXPECT_EQ(Needs("poll $x == 0 within 10\n"), Set{"timers"});
  EXPECT_EQ(Needs("poll $x == 0 within 10 yielding\n"), Set{});
  EXPECT_EQ(Needs("poll numgoroutine == 1 within 10\n"), (Set{"numgoroutine", "timers"}));
  EXPECT_EQ(Needs("poll numgoroutine == 1 within 10 yielding\n"), Set{"numgoroutine"});
}

TEST(Families, NestedBlocksCount) {
  EXPECT_EQ(Needs("go\ncall\nrepeat 1\ngoexit\nend\nend\nend\n"), Set{"goexit"});
  EXPECT_EQ(Needs("chan c 1\nselect\ncase recv c\npanic 1\ndefault\nsleep 1\nend\n"),
            (Set{"channels", "select", "panic", "timers"}));
  EXPECT_EQ(Needs("defer\nrecover\nend\n"), (Set{"defer", "panic"}));
  EXPECT_EQ(Needs("record a\n", "").count("defer"), 0u);
}

TEST(Families, InitBlocksCount) {
  EXPECT_EQ(Needs("init\ndefer\nrecord a\nend\nend\nrecord b\n"), Set{"defer"});
}

TEST(Families, DeadlockFromTheExpectedReport) {
  EXPECT_EQ(Needs("chan c 0\nrecv c\n", "@expect stderr \"fatal error: all goroutines are asleep - deadlock!\"\n"),
            (Set{"channels", "deadlock"}));
  EXPECT_EQ(Needs("goexit\n", "@expect stderr-match \"^fatal error: no goroutines\"\n"),
            (Set{"goexit", "deadlock"}));
  EXPECT_EQ(Needs("panic 1\n", "@expect stderr \"panic: 1\"\n"), Set{"panic"});
}

TEST(Families, PanicFromTheExpectedReport) {
  // A runtime error (no `panic` statement) is reported by the panic machinery.
  EXPECT_EQ(Needs("chan c 1\nclose c\nsend c 1\n", "@expect stderr \"panic: send on closed channel\"\n"),
            (Set{"channels", "panic"}));
  EXPECT_EQ(Needs("chan c 1\nclose c\nsend c 1\n", "@expect stderr-match \"^panic: send on closed\"\n"),
            (Set{"channels", "panic"}));
  EXPECT_EQ(Needs("recurse 100 100\n", "@expect stderr \"fatal error: stack overflow\"\n"), Set{});
}

TEST(Families, AbsentAndEngineAgainstADeclaration) {
  FamilyMap declared;
  for (const auto& f : KnownFamilies()) declared[f] = FamilySource::kNative;
  declared["select"] = FamilySource::kAbsent;
  declared["channels"] = FamilySource::kEngine;
  declared["deadlock"] = FamilySource::kEngine;
  EXPECT_EQ(AbsentFamily(declared, {"channels", "select"}), "select");
  EXPECT_EQ(AbsentFamily(declared, {"channels", "defer"}), "");
  EXPECT_EQ(EngineFamilies(declared, {"channels", "defer", "deadlock"}),
            (std::vector<std::string>{"channels", "deadlock"}));
  EXPECT_TRUE(EngineFamilies(declared, {"defer"}).empty());
}

TEST(Families, EveryScenarioInTheSuiteNeedsOnlyKnownFamilies) {
  std::vector<std::string> files = DiscoverScenarios("conformance/scenarios");
  ASSERT_GT(files.size(), 50u);
  size_t with_channels = 0;
  for (const auto& f : files) {
    lang::ParseError err;
    auto sc = lang::ParseFile(f, &err);
    ASSERT_TRUE(sc.has_value()) << err.ToString();
    for (const auto& fam : NeededFamilies(*sc))
      EXPECT_NE(std::find(KnownFamilies().begin(), KnownFamilies().end(), fam), KnownFamilies().end()) << f;
    with_channels += NeededFamilies(*sc).count("channels");
  }
  EXPECT_GT(with_channels, 10u);
}

}  // namespace
}  // namespace conform
