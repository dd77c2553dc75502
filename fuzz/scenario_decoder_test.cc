// The differential fuzzer's codec (scenario_decoder.h):
//  - every suite scenario encodes to bytes that decode to its program
//    clamped to the decoder's bounds (`fitted`), and to exactly its program
//    when nothing had to be clamped (the decodable subset, listed in the
//    test output);
//  - every statement of the language has a code and round-trips;
//  - any byte string decodes to a scenario that re-encodes exactly, with
//    the same run mode (RapidCheck).
#include <gtest/gtest.h>
#include <rapidcheck.h>

#include <algorithm>
#include <filesystem>
#include <set>
#include <string>
#include <vector>

#include "conformance/lang/parser.h"
#include "conformance/lang/printer.h"
#include "fuzz/scenario_decoder.h"

namespace gofuzz {
namespace {

using conform::lang::Op;
using conform::lang::Scenario;

Scenario MustParse(const std::string& text) {
  conform::lang::ParseError err;
  auto sc = conform::lang::Parse(text, "test.scn", &err);
  if (!sc) ADD_FAILURE() << err.ToString() << "\n" << text;
  return sc ? *sc : Scenario{};
}

DecodedScenario Decode(const std::vector<uint8_t>& b) { return DecodeScenario(b.data(), b.size()); }

TEST(ScenarioDecoder, EverySuiteScenarioRoundTripsOrSaysWhatItClamped) {
  std::vector<std::string> files;
  for (const auto& e : std::filesystem::recursive_directory_iterator("conformance/scenarios"))
    if (e.path().extension() == ".scn") files.push_back(e.path().string());
  std::sort(files.begin(), files.end());
  ASSERT_FALSE(files.empty());
  std::vector<std::string> exact, clamped;
  for (const std::string& f : files) {
    conform::lang::ParseError err;
    auto sc = conform::lang::ParseFile(f, &err);
    ASSERT_TRUE(sc) << err.ToString();
    EncodedScenario enc = EncodeScenario(*sc, 12345);
    DecodedScenario dec = Decode(enc.bytes);
    EXPECT_TRUE(SameProgram(dec.scenario, enc.fitted))
        << f << ": decodes to\n" << conform::lang::Print(dec.scenario) << "not to\n"
        << conform::lang::Print(enc.fitted);
    EXPECT_EQ(dec.seed, 12345u) << f;
    EXPECT_EQ(enc.losses.empty(), SameProgram(enc.fitted, *sc))
        << f << ": losses must be reported exactly when the program changed";
    if (enc.losses.empty()) {
      EXPECT_TRUE(SameProgram(dec.scenario, *sc)) << f;
      exact.push_back(f);
    } else {
      std::string why = f + ":";
      for (const auto& l : enc.losses) why += "\n    " + l;
      clamped.push_back(why);
    }
  }
  std::printf("decodable subset (round-trips exactly): %zu of %zu scenarios\n", exact.size(), files.size());
  for (const auto& f : exact) std::printf("  %s\n", f.c_str());
  std::printf("clamped to the decoder's bounds: %zu\n", clamped.size());
  for (const auto& f : clamped) std::printf("  %s\n", f.c_str());
}

// One program per statement form, each inside the bounds.
const char* const kEveryStatement[] = {
    "go\n  record a\nend\n",
    "gosched\n",
    "goexit\n",
    "defer\n  record b\nend\n",
    "defer-value x\n",
    "panic \"boom\"\n",
    "panic 7\n",
    "panic $y\n",
    "recover\n",
    "call\n  record c\nend\n",
    "record main-ran\n",
    "chan c 3\n",
    "chan n nil\n",
    "send c -5\n",
    "recv d\n",
    "close c\n",
    "select\ncase recv c\n  record a\ncase send d $x\ndefault\n  record b\nend\n",
    "select\nend\n",
    "sleep 1\n",
    "syscall 1\n",
    "go\n  syscall until $release\nend\n",
    "lock\n",
    "unlock\n",
    "thread\n",
    "numgoroutine\n",
    "gomaxprocs -1\n",
    "setmaxstack 2097152\n",
    "recurse 64 1024\n",
    "spin 10000\n",
    "repeat 32\n  gosched\nend\n",
    "set x 42\n",
    "add y $x\n",
    "value x\n",
    "poll numgoroutine == 1 within 2\n",
    "poll $done >= 2 within 2 yielding\n",
    "exit 3\n",
    "init\n  record a\nend\nrecord b\n",
    "defer-recover\n",
    "go\n  read q\nend\n",
    "write p $x\n",
    "recv c into y\n",
    "forever\n  gosched\n  recv E\nend\n",
    "main-thread\n",
    "alive T2\n",
    "poll alive T3 == 0 within 2\n",
    "stopwatch w\n",
    "elapsed w\n",
    "@gomaxprocs 2\ngomaxprocs 0\n",
};

TEST(ScenarioDecoder, EveryStatementHasACodeAndRoundTrips) {
  std::set<Op> seen;
  for (const char* text : kEveryStatement) {
    Scenario sc = MustParse(std::string("@clause x.y\n@expect model\n") + text);
    EncodedScenario enc = EncodeScenario(sc);
    EXPECT_TRUE(enc.losses.empty()) << text << enc.losses.front();
    EXPECT_TRUE(SameProgram(Decode(enc.bytes).scenario, sc)) << text;
    for (const auto& s : sc.main) {
      seen.insert(s.op);
      for (const auto& t : s.body) seen.insert(t.op);
    }
  }
  for (int k = 0; k <= static_cast<int>(Op::kElapsed); ++k)
    EXPECT_TRUE(seen.count(static_cast<Op>(k))) << "no sample of statement #" << k;
}

TEST(ScenarioDecoder, OutOfBoundsValuesAreClampedAndReported) {
  Scenario sc = MustParse(
      "@clause x.y\n@expect model\nrepeat 1000\n  gosched\nend\nsleep 50\nsyscall until $r\nspin until $s\n");
  EncodedScenario enc = EncodeScenario(sc);
  EXPECT_EQ(enc.losses.size(), 4u);
  Scenario want = MustParse("@clause x.y\n@expect model\nrepeat 32\n  gosched\nend\nsleep 1\nsyscall 1\nspin 1\n");
  EXPECT_TRUE(SameProgram(Decode(enc.bytes).scenario, want)) << conform::lang::Print(Decode(enc.bytes).scenario);
}

TEST(ScenarioDecoder, ForeverAndMainReadsCannotHang) {
  // A forever body gets a receive on the nil channel E (so it blocks, never
  // spins); a read in main becomes a write (nothing could answer it).
  Scenario sc = MustParse("@clause x.y\n@expect model\nforever\n  gosched\nend\nread p\n");
  EncodedScenario enc = EncodeScenario(sc);
  EXPECT_EQ(enc.losses.size(), 2u);
  Scenario want = MustParse("@clause x.y\n@expect model\nforever\n  gosched\n  recv E\nend\nwrite p 0\n");
  EXPECT_TRUE(SameProgram(Decode(enc.bytes).scenario, want)) << conform::lang::Print(Decode(enc.bytes).scenario);
}

TEST(ScenarioDecoder, GoroutineBudgetTurnsGoIntoCall) {
  static_assert(kMaxGoroutines == 4, "the program below spends exactly the budget first");
  Scenario sc = MustParse("@clause x.y\n@expect model\nrepeat 3\n  go\n  end\nend\ngo\nend\nrepeat 2\n  go\n  end\nend\n");
  EncodedScenario enc = EncodeScenario(sc);
  EXPECT_EQ(enc.losses.size(), 1u);
  Scenario fitted = Decode(enc.bytes).scenario;
  ASSERT_EQ(fitted.main.size(), 3u);
  EXPECT_EQ(fitted.main[0].body[0].op, Op::kGo);    // 3 goroutines
  EXPECT_EQ(fitted.main[1].op, Op::kGo);            // 4
  EXPECT_EQ(fitted.main[2].body[0].op, Op::kCall);  // 2 more would make 6
}

TEST(ScenarioDecoder, NestedRepeatsShareTheIterationBudget) {
  Scenario sc = MustParse("@clause x.y\n@expect model\nrepeat 8\n  repeat 8\n    gosched\n  end\nend\n");
  Scenario fitted = Decode(EncodeScenario(sc).bytes).scenario;
  EXPECT_EQ(fitted.main[0].n, 8);
  EXPECT_EQ(fitted.main[0].body[0].n, kMaxIterations / 8);
}

TEST(ScenarioDecoder, AnyBytesDecodeToAScenarioThatReencodesExactly) {
  rc::check([](const std::vector<uint8_t>& bytes) {
    DecodedScenario d = Decode(bytes);
    EncodedScenario enc = EncodeScenario(d.scenario, d.seed);
    RC_ASSERT(enc.losses.empty());
    DecodedScenario again = Decode(enc.bytes);
    RC_ASSERT(SameProgram(again.scenario, d.scenario));
    RC_ASSERT(again.seed == d.seed);
    RC_ASSERT(again.procs == d.procs);
    // And the printer shows it as a scenario that parses back to the same program.
    conform::lang::ParseError err;
    auto parsed = conform::lang::Parse(conform::lang::Print(d.scenario), "fuzz.scn", &err);
    RC_ASSERT(parsed.has_value());
    RC_ASSERT(SameProgram(*parsed, d.scenario));
  });
}

}  // namespace
}  // namespace gofuzz
