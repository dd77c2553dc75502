// Runs every scenario with the driver named by argv[1] (a runfiles path);
// every one must pass or be unsupported. Shared by the suite tests of each
// driver; gtest_main cannot pass arguments, so this test has its own main.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>

#include "conformance/runner/runner.h"

namespace conform {
namespace {

namespace fs = std::filesystem;

std::string driver;

TEST(DriverSuite, EveryScenarioPassesOrIsUnsupported) {
  std::set<std::string> caps = QueryCapabilities(driver);
  ASSERT_FALSE(caps.empty()) << driver << " --capabilities failed";
  std::vector<std::string> files;
  for (const auto& entry : fs::recursive_directory_iterator("conformance/scenarios"))
    if (entry.path().extension() == ".scn") files.push_back(entry.path().string());
  int passed = 0;
  for (const auto& f : files) {
    ScenarioResult r = RunScenarioFile(driver, caps, f, nullptr);
    if (r.status == Status::kError && r.failures.size() == 1 &&
        r.failures[0].find("go build") != std::string::npos) {
      // The Go drivers compile on first use; a build that lost a race with
      // the timeout is retried once.
      r = RunScenarioFile(driver, caps, f, nullptr);
    }
    if (r.status == Status::kPass) { ++passed; continue; }
    if (r.status == Status::kUnsupported) continue;
    std::string why;
    for (const auto& x : r.failures) why += "\n  " + x;
    ADD_FAILURE() << StatusName(r.status) << " " << f << why << "\n  stderr: " << r.outcome.stderr_text.substr(0, 2000);
  }
  EXPECT_GT(passed, 70);
}

}  // namespace
}  // namespace conform

int main(int argc, char** argv) {
  testing::InitGoogleTest(&argc, argv);
  if (argc < 2) {
    std::fprintf(stderr, "usage: driver_suite_test DRIVER\n");
    return 2;
  }
  conform::driver = argv[1];
  // The Go drivers build into the test's own cache, never reusing old binaries.
  if (const char* tmp = std::getenv("TEST_TMPDIR")) setenv("CONFORM_GO_CACHE", (std::string(tmp) + "/go-cache").c_str(), 1);
  return RUN_ALL_TESTS();
}
