// The runner on purpose-made bad scenarios (through the real thread driver)
// and on broken drivers (small shell scripts): every outcome is a status,
// never a runner crash.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "conformance/runner/driver_output.h"
#include "conformance/runner/runner.h"
#include "conformance/runner/suite.h"

namespace conform {
namespace {

namespace fs = std::filesystem;

constexpr const char* kDriver = "conformance/drivers/thread/thread_driver";

fs::path Dir() {
  fs::path dir = fs::path(std::getenv("TEST_TMPDIR") ? std::getenv("TEST_TMPDIR") : "/tmp") / "runner_test";
  fs::create_directories(dir);
  return dir;
}

std::string Write(const std::string& name, const std::string& text, bool executable = false) {
  std::string p = (Dir() / name).string();
  std::ofstream(p) << text;
  if (executable) chmod(p.c_str(), 0755);
  return p;
}

// A driver that declares no capability and runs `body` for every scenario.
std::string FakeDriver(const std::string& name, const std::string& body) {
  return Write(name, "#!/bin/sh\nif [ \"$1\" = --capabilities ]; then echo os-threads; exit 0; fi\n" + body + "\n", true);
}

const char* kSimple = "@clause x.y\n@expect exit 0\n@expect trace exact g1 record a\nrecord a\n";

TEST(Runner, ThreadDriverDeclaresItsCapabilities) {
  EXPECT_EQ(QueryCapabilities(kDriver), (std::set<std::string>{"os-threads", "preemptive", "syscalls"}));
}

TEST(Runner, FailuresTimeoutsAndCrashesAreReported) {
  std::set<std::string> caps = QueryCapabilities(kDriver);
  auto wrong = RunScenarioFile(kDriver, caps, Write("wrong.scn", "@clause x.y\n@expect exit 0\n@expect trace exact g1 record b\nrecord a\n"), nullptr);
  EXPECT_EQ(wrong.status, Status::kFail);
  auto hang = RunScenarioFile(kDriver, caps, Write("hang.scn", "@clause x.y\n@timeout 300\n@expect exit 0\nspin until $never\n"), nullptr);
  EXPECT_EQ(hang.status, Status::kTimeout);
  auto unparsable = RunScenarioFile(kDriver, caps, Write("bad.scn", "frobnicate\n"), nullptr);
  EXPECT_EQ(unparsable.status, Status::kError);
  ASSERT_FALSE(unparsable.failures.empty());
  EXPECT_NE(unparsable.failures[0].find("bad.scn:1:1: unknown statement 'frobnicate'"), std::string::npos);
  auto needs = RunScenarioFile(kDriver, caps, Write("needs.scn", "@clause x.y\n@requires stack-limit\n@expect exit 0\n"), nullptr);
  EXPECT_EQ(needs.status, Status::kUnsupported);
}

TEST(Runner, TimeoutScaleStretchesTheLimit) {
  std::set<std::string> caps = QueryCapabilities(kDriver);
  RunOptions opts;
  opts.timeout_scale = 0.01;  // 10 s -> 100 ms
  auto r = RunScenarioFile(kDriver, caps, Write("sleepy.scn", "@clause x.y\n@expect exit 0\nsleep 1000\n"), nullptr, opts);
  EXPECT_EQ(r.status, Status::kTimeout);
}

TEST(Runner, MalformedDriverOutputIsAnErrorQuotingTheLine) {
  std::string driver = FakeDriver("chatty.sh", "echo '{\"g\":1,\"op\":\"record\",\"value\":\"a\"}'; echo 'hello there'");
  auto r = RunScenarioFile(driver, QueryCapabilities(driver), Write("simple.scn", kSimple), nullptr);
  EXPECT_EQ(r.status, Status::kError);
  ASSERT_EQ(r.failures.size(), 1u);
  EXPECT_EQ(r.failures[0], "stdout line 2 is not a trace event: \"hello there\"");
}

TEST(Runner, MissingKeysAreAnError) {
  std::string driver = FakeDriver("nokey.sh", "echo '{\"g\":1,\"op\":\"record\"}'");
  auto r = RunScenarioFile(driver, QueryCapabilities(driver), Write("simple.scn", kSimple), nullptr);
  EXPECT_EQ(r.status, Status::kError);
  ASSERT_EQ(r.failures.size(), 1u);
  EXPECT_NE(r.failures[0].find("stdout line 1"), std::string::npos);
}

TEST(Runner, ACrashingOrHangingDriverStillGivesEveryResult) {
  std::string crasher = FakeDriver("crash.sh", "kill -SEGV $$");
  std::string hanger = FakeDriver("hang.sh", "exec sleep 30");
  std::vector<std::string> files = {Write("a.scn", "@clause x.y\n@timeout 200\n@expect exit 0\n"),
                                    Write("b.scn", "@clause x.z\n@timeout 200\n@expect exit 0\n")};
  auto crashed = RunScenarios(crasher, QueryCapabilities(crasher), files, {}, 2, nullptr);
  ASSERT_EQ(crashed.size(), 2u);
  for (const auto& r : crashed) EXPECT_EQ(r.status, Status::kCrash) << r.file;
  auto hung = RunScenarios(hanger, QueryCapabilities(hanger), files, {}, 2, nullptr);
  ASSERT_EQ(hung.size(), 2u);
  for (const auto& r : hung) EXPECT_EQ(r.status, Status::kTimeout) << r.file;
}

TEST(Runner, AMissingDriverIsAnError) {
  std::string error;
  EXPECT_TRUE(QueryCapabilities("/nonexistent/driver", &error).empty());
  EXPECT_NE(error.find("/nonexistent/driver"), std::string::npos);
  auto r = RunScenarioFile("/nonexistent/driver", {}, Write("simple.scn", kSimple), nullptr);
  EXPECT_EQ(r.status, Status::kError);
  ASSERT_FALSE(r.failures.empty());
  EXPECT_NE(r.failures[0].find("could not start"), std::string::npos);
}

TEST(DriverOutput, ReadsEventsAndStopsAtTheFirstBadLine) {
  auto ok = ReadDriverStdout("{\"g\":1,\"op\":\"record\",\"value\":\"a\"}\n{\"g\":2,\"op\":\"recv\",\"value\":\"5,true\"}\n");
  EXPECT_FALSE(ok.error);
  ASSERT_EQ(ok.trace.size(), 2u);
  EXPECT_EQ(ok.trace[1].value, "5,true");
  auto bad = ReadDriverStdout("{\"g\":1,\"op\":\"record\",\"value\":\"a\"}\n" + std::string(300, 'x') + "\n");
  ASSERT_TRUE(bad.error);
  EXPECT_EQ(bad.bad_line, 2);
  EXPECT_EQ(bad.trace.size(), 1u);
  EXPECT_NE(bad.error->find(std::string(200, 'x') + "...\""), std::string::npos);
}

}  // namespace
}  // namespace conform
