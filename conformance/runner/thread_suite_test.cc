#include <gtest/gtest.h>

#include <filesystem>

#include "conformance/runner/runner.h"

namespace conform {
namespace {

namespace fs = std::filesystem;

constexpr const char* kDriver = "conformance/adapter/thread_driver";

TEST(ThreadSuite, DriverDeclaresItsCapabilities) {
  std::set<std::string> caps = QueryCapabilities(kDriver);
  EXPECT_EQ(caps, (std::set<std::string>{"os-threads", "preemptive", "syscalls"}));
}

// Known limits of this baseline under sanitizers, with the reason.
bool KnownFailure(const std::string& file) {
#if defined(__has_feature)
#if __has_feature(thread_sanitizer) || __has_feature(address_sanitizer)
  // Ten thousand OS threads exceed the sanitizer's shadow memory.
  if (file.find("spawn/many-goroutines.scn") != std::string::npos) return true;
#endif
#endif
  (void)file;
  return false;
}

TEST(ThreadSuite, EveryScenarioPassesOrIsUnsupported) {
  std::set<std::string> caps = QueryCapabilities(kDriver);
  int passed = 0, unsupported = 0;
  for (const auto& entry : fs::recursive_directory_iterator("conformance/scenarios")) {
    if (entry.path().extension() != ".scn") continue;
    if (KnownFailure(entry.path().string())) continue;
    ScenarioResult r = RunScenarioFile(kDriver, caps, entry.path().string(), nullptr);
    if (r.status == Status::kPass) ++passed;
    else if (r.status == Status::kUnsupported) ++unsupported;
    else {
      std::string why;
      for (const auto& f : r.failures) why += "\n  " + f;
      ADD_FAILURE() << StatusName(r.status) << " " << r.file << why << "\n  stderr: " << r.outcome.stderr_text;
    }
  }
  EXPECT_GT(passed, 70);
  EXPECT_GT(unsupported, 0);  // the stack-limit scenarios
}

TEST(ThreadSuite, FailuresTimeoutsAndCrashesAreReported) {
  // Scenarios written to fail in each way, run through the real driver.
  fs::path dir = fs::path(std::getenv("TEST_TMPDIR") ? std::getenv("TEST_TMPDIR") : "/tmp") / "bad";
  fs::create_directories(dir);
  auto write = [&](const char* name, const char* text) {
    std::string p = (dir / name).string();
    FILE* f = std::fopen(p.c_str(), "w");
    std::fputs(text, f);
    std::fclose(f);
    return p;
  };
  std::set<std::string> caps = QueryCapabilities(kDriver);
  auto wrong = RunScenarioFile(kDriver, caps, write("wrong.scn", "@clause x.y\n@expect exit 0\n@expect trace exact g1 record b\nrecord a\n"), nullptr);
  EXPECT_EQ(wrong.status, Status::kFail);
  auto hang = RunScenarioFile(kDriver, caps, write("hang.scn", "@clause x.y\n@timeout 300\n@expect exit 0\nspin until $never\n"), nullptr);
  EXPECT_EQ(hang.status, Status::kTimeout);
  auto unparsable = RunScenarioFile(kDriver, caps, write("bad.scn", "frobnicate\n"), nullptr);
  EXPECT_EQ(unparsable.status, Status::kError);
  ASSERT_FALSE(unparsable.failures.empty());
  EXPECT_NE(unparsable.failures[0].find("bad.scn:1:1: unknown statement 'frobnicate'"), std::string::npos);
  auto needs = RunScenarioFile(kDriver, caps, write("needs.scn", "@clause x.y\n@requires stack-limit\n@expect exit 0\n"), nullptr);
  EXPECT_EQ(needs.status, Status::kUnsupported);
}

}  // namespace
}  // namespace conform
