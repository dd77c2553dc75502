// The whole suite against one runtime, one GoogleTest case per scenario
// (Scenarios.<area>_<behaviour>), judged against the runtime's expectations
// file: a known failure is skipped with its reason; a new failure or an
// unexpected pass fails; a scenario naming only IMPL clauses never fails.
//
//   driver_suite_test --runtime-file=conformance/runtimes/NAME.runtime
//
// The runtime (driver, environment, capability overrides, expectations)
// comes from its description file, as for `conform` (runtimes.h).
//
// The cases are registered in main, before RUN_ALL_TESTS, so sharding
// (TEST_TOTAL_SHARDS/TEST_SHARD_INDEX) and test.xml see each scenario.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <map>

#include "conformance/lang/parser.h"
#include "conformance/runner/child_process.h"
#include "conformance/runner/driver_protocol.h"
#include "conformance/runner/expectations_file.h"
#include "conformance/runner/runner.h"
#include "conformance/runner/runtimes.h"
#include "conformance/runner/suite.h"
#include "conformance/runner/verdict.h"
#include "spec/clauses.h"

namespace conform {
namespace {

constexpr const char* kScenarioRoot = "conformance/scenarios";

struct SuiteContext {
  std::string driver;
  RunOptions opts;
  std::set<std::string> caps;
  std::string caps_error;  // the driver does not speak protocol 2, or an override is wrong
  std::vector<std::string> identity;
  std::optional<ExpectationsFile> expectations;
  std::vector<std::string> expectation_errors;
  std::map<std::string, std::string> clause_levels;
  std::vector<spec::Clause> clauses;  // opts.clauses points here
};

SuiteContext& Context() {
  static SuiteContext ctx;
  return ctx;
}

// "conformance/scenarios/goexit/runs-defers-lifo.scn" -> "goexit_runs_defers_lifo".
std::string TestName(const std::string& path) {
  std::string rel = path.substr(path.find(kScenarioRoot) + std::string(kScenarioRoot).size() + 1);
  rel = rel.substr(0, rel.size() - 4);
  for (char& c : rel)
    if (!isalnum(static_cast<unsigned char>(c))) c = '_';
  return rel;
}

// Whether this test binary is built with TSan or ASan.
constexpr bool SanitizerBuild() {
#if defined(__has_feature)
#if __has_feature(thread_sanitizer) || __has_feature(address_sanitizer)
  return true;
#endif
#endif
  return false;
}

// Reads the runtime's expectations, plus <name>.sanitizer.txt beside it in a
// sanitizer build (limits of the sanitizers, not of the runtime).
void LoadExpectations(const std::string& path) {
  SuiteContext& ctx = Context();
  if (path.empty()) return;
  ctx.expectations = ExpectationsFile::Read(path, &ctx.expectation_errors);
  if (!SanitizerBuild() || !ctx.expectations) return;
  std::string extra = path.substr(0, path.size() - 4) + ".sanitizer.txt";
  if (auto more = ExpectationsFile::Read(extra, &ctx.expectation_errors))
    for (auto& e : more->entries) ctx.expectations->entries.push_back(std::move(e));
}

bool ImplOnly(const std::vector<std::string>& clauses) {
  if (clauses.empty()) return false;
  for (const auto& id : clauses) {
    auto it = Context().clause_levels.find(id);
    if (it == Context().clause_levels.end() || it->second != "IMPL") return false;
  }
  return true;
}

class ScenarioTest : public testing::Test {
 public:
  explicit ScenarioTest(std::string path) : path_(std::move(path)) {}

  void TestBody() override {
    SuiteContext& ctx = Context();
    lang::Scenario sc;
    ScenarioResult r = RunScenarioFile(ctx.driver, ctx.caps, path_, &sc, ctx.opts);
    const KnownIssue* known = ctx.expectations ? ctx.expectations->Find(path_) : nullptr;
    Judgement j = JudgeResult(r, ImplOnly(sc.clauses), known);
    RecordProperty("conform_status", StatusName(r.status));
    RecordProperty("conform_verdict", VerdictName(j.verdict));
    if (j.verdict == Verdict::kPass) return;
    if (j.verdict == Verdict::kPassEngine) {
      RecordProperty("conform_reason", j.note);
      return;
    }
    std::string details;
    for (const auto& f : r.failures) details += "\n  " + f;
    if (IsProblem(j.verdict)) {
      ADD_FAILURE() << VerdictName(j.verdict) << ": " << StatusName(r.status) << " " << path_ << "\n  " << j.note
                    << details << "\n  stderr: " << r.outcome.stderr_text.substr(0, 2000);
      return;
    }
    RecordProperty("conform_reason", j.note);
    GTEST_SKIP() << VerdictName(j.verdict) << " (" << StatusName(r.status) << "): " << j.note;
  }

 private:
  std::string path_;
};

// Registers Scenarios.<name> for every scenario file.
void RegisterScenarios(const std::vector<std::string>& files) {
  for (const auto& f : files) {
    testing::RegisterTest("Scenarios", TestName(f).c_str(), nullptr, f.c_str(), __FILE__, __LINE__,
                          [f]() -> testing::Test* { return new ScenarioTest(f); });
  }
}

TEST(Suite, DriverSpeaksProtocol2) {
  EXPECT_TRUE(Context().caps_error.empty()) << Context().caps_error;
  for (const auto& id : Context().identity) RecordProperty("identity", id);
}

TEST(Suite, ExpectationsFileParses) {
  for (const auto& e : Context().expectation_errors) ADD_FAILURE() << e;
}

TEST(Suite, ExpectationsNameExistingScenarios) {
  if (!Context().expectations) return;
  std::vector<std::string> files = DiscoverScenarios(kScenarioRoot);
  for (const auto& e : Context().expectations->entries) {
    bool exists = std::any_of(files.begin(), files.end(), [&](const auto& f) { return PathMatches(e.path, f); });
    EXPECT_TRUE(exists) << "line " << e.line << ": no scenario " << e.path << " (stale entry)";
  }
}

// Fills the context from the command line; an error message on bad usage.
std::optional<std::string> Configure(int argc, char** argv) {
  std::string arg = argc < 2 ? "" : argv[1];
  if (arg.rfind("--runtime-file=", 0) != 0) return "usage: driver_suite_test --runtime-file=PATH";
  std::string err;
  auto spec = ReadRuntimeFile(arg.substr(15), &err);
  if (!spec) return err;
  SuiteContext& ctx = Context();
  ctx.driver = spec->command.argv[0];
  LoadExpectations(spec->expectations);
  if (auto clauses = spec::ReadClauses("spec/clauses.txt", &err)) {
    for (const auto& c : *clauses) ctx.clause_levels[c.id] = c.level;
    ctx.clauses = std::move(*clauses);
    ctx.opts.clauses = &ctx.clauses;
  }
  // A driver that cannot say what it is fails one test (DriverSpeaksProtocol2).
  if (auto queried = QueryRuntime(*spec, &ctx.caps_error)) {
    ctx.caps = queried->capabilities;
    ctx.identity = queried->info.identity;
    ApplyDriver(*spec, queried->info, &ctx.opts);
  }
  return std::nullopt;
}

}  // namespace
}  // namespace conform

int main(int argc, char** argv) {
  testing::InitGoogleTest(&argc, argv);
  // Bazel's timeout sends SIGTERM: take the drivers' process groups down too.
  conform::InstallInterruptForwarding(conform::OnInterrupt::kDie);
  // The Go drivers build into the test's own cache, never reusing old binaries.
  if (const char* tmp = std::getenv("TEST_TMPDIR")) setenv("CONFORM_GO_CACHE", (std::string(tmp) + "/go-cache").c_str(), 1);
  if (auto err = conform::Configure(argc, argv)) {
    std::fprintf(stderr, "%s\n", err->c_str());
    return 2;
  }
  // A driver that cannot say what it is fails one test, not every scenario.
  if (conform::Context().caps_error.empty())
    conform::RegisterScenarios(conform::DiscoverScenarios(conform::kScenarioRoot));
  return RUN_ALL_TESTS();
}
