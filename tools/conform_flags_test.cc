// conform's command line: flags, and clear errors for bad input.
#include <gtest/gtest.h>

#include "tools/conform_flags.h"

namespace conform {
namespace {

std::optional<ConformFlags> Parse(std::vector<std::string> args, std::string* error) {
  args.insert(args.begin(), "conform");
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  return ParseConformFlags(static_cast<int>(argv.size()), argv.data(), error);
}

TEST(ConformFlags, ParsesEveryFlag) {
  std::string error;
  auto f = Parse({"--runtime=gccgo", "--clause=goexit.*", "--feature", "chan", "--file=select/", "--report-dir=/tmp/r",
                  "--no-expectations", "--timeout-scale=2.5", "-j", "3"},
                 &error);
  ASSERT_TRUE(f) << error;
  EXPECT_EQ(f->runtime, "gccgo");
  EXPECT_EQ(f->selection.clause_globs, std::vector<std::string>{"goexit.*"});
  EXPECT_EQ(f->selection.features, std::vector<std::string>{"chan"});
  EXPECT_EQ(f->selection.file_substrings, std::vector<std::string>{"select/"});
  EXPECT_EQ(f->report_dir, "/tmp/r");
  EXPECT_FALSE(f->use_expectations);
  EXPECT_DOUBLE_EQ(f->timeout_scale, 2.5);
  EXPECT_EQ(f->jobs, 3);
  EXPECT_EQ(Parse({"-j4"}, &error)->jobs, 4);
}

TEST(ConformFlags, RuntimesFromOutsideTheTree) {
  std::string error;
  auto f = Parse({"--driver=./my driver", "--name=mine", "--expectations", "mine.txt", "--capabilities=-preemptive",
                  "--runtime-file=a.runtime", "--runtime-file=b.runtime", "--go=/opt/go/bin/go", "--gccgo=/opt/gccgo"},
                 &error);
  ASSERT_TRUE(f) << error;
  EXPECT_EQ(f->driver, "./my driver");
  EXPECT_EQ(f->name, "mine");
  EXPECT_EQ(f->expectations, "mine.txt");
  EXPECT_EQ(f->capabilities, "-preemptive");
  EXPECT_EQ(f->runtime_files, (std::vector<std::string>{"a.runtime", "b.runtime"}));
  EXPECT_EQ(f->go, "/opt/go/bin/go");
  EXPECT_EQ(f->gccgo, "/opt/gccgo");
  EXPECT_EQ(Parse({}, &error)->runtime, "");
  EXPECT_FALSE(Parse({"--driver=d", "--runtime=go"}, &error));
  EXPECT_EQ(error, "--driver and --runtime each choose the runtime: give one");
  error.clear();
  EXPECT_FALSE(Parse({"--name=x"}, &error));
  EXPECT_NE(error.find("--name names a --driver runtime"), std::string::npos);
  error.clear();
  EXPECT_FALSE(Parse({"--all", "--capabilities=-preemptive"}, &error));
  EXPECT_NE(error.find("--capabilities overrides one runtime"), std::string::npos);
  error.clear();
  EXPECT_FALSE(Parse({"--all", "--expectations=x.txt"}, &error));
  EXPECT_NE(error.find("--expectations belongs to one runtime"), std::string::npos);
  error.clear();
  EXPECT_TRUE(Parse({"--all", "--driver=d", "--runtime-file=x.runtime"}, &error)) << error;
}

TEST(ConformFlags, BadInputIsAClearError) {
  std::string error;
  EXPECT_FALSE(Parse({"--frobnicate"}, &error));
  EXPECT_EQ(error, "unknown flag '--frobnicate'");
  error.clear();
  EXPECT_FALSE(Parse({"-j", "zero"}, &error));
  error.clear();
  EXPECT_FALSE(Parse({"--timeout-scale=-1"}, &error));
  error.clear();
  EXPECT_FALSE(Parse({"--all", "--update-expectations"}, &error));
  error.clear();
  EXPECT_FALSE(Parse({"--clause"}, &error));
  EXPECT_EQ(error, "--clause needs a value");
}

// Regression (issue 12): nan, inf and 1e9 were accepted, and every scenario
// then timed out at once ("no exit within -9223372036854775808 ms").
TEST(ConformFlags, TimeoutScaleMustBeFiniteAndSane) {
  for (const char* bad : {"nan", "NaN", "inf", "-inf", "1e9", "0", "-1", "1e-9", "2x", ""}) {
    std::string error;
    EXPECT_FALSE(Parse({std::string("--timeout-scale=") + bad}, &error)) << bad;
    EXPECT_NE(error.find("--timeout-scale needs a number from 0.001 to 1000, not '"), std::string::npos) << error;
  }
  std::string error;
  auto f = Parse({"--timeout-scale=1000"}, &error);
  ASSERT_TRUE(f) << error;
  EXPECT_DOUBLE_EQ(f->timeout_scale, 1000);
}

// Regression (issue 12): `-j 4294967297` silently became 1 (an int cast).
TEST(ConformFlags, JobsIsRangeChecked) {
  for (const char* bad : {"4294967297", "99999999999999999999999", "0", "1025", "-j1", "2.5", "0x10"}) {
    std::string error;
    EXPECT_FALSE(Parse({"-j", bad}, &error)) << bad;
    EXPECT_FALSE(error.empty());
  }
  std::string error;
  EXPECT_FALSE(Parse({"-j4294967297"}, &error));
  EXPECT_EQ(error, "-j needs an integer from 1 to 1024, not '4294967297'");
  EXPECT_EQ(Parse({"-j=1024"}, &error)->jobs, 1024);
}

// Regression (issue 12): `--report-dir --report-dir=/x` took the second flag
// as the directory.
TEST(ConformFlags, AValueIsNeverTheNextFlag) {
  std::string error;
  EXPECT_FALSE(Parse({"--report-dir", "--report-dir=/x"}, &error));
  EXPECT_EQ(error, "--report-dir needs a value, but the next argument '--report-dir=/x' is a flag "
                   "(write --report-dir=VALUE for a value starting with '-')");
  error.clear();
  EXPECT_FALSE(Parse({"--runtime", "--all"}, &error));
  error.clear();
  EXPECT_FALSE(Parse({"-j", "--all"}, &error));
  error.clear();
  auto f = Parse({"--file=-x", "--report-dir", "out"}, &error);
  ASSERT_TRUE(f) << error;
  EXPECT_EQ(f->selection.file_substrings, std::vector<std::string>{"-x"});
  EXPECT_EQ(f->report_dir, "out");
}

TEST(ConformFlags, DriverLimitsTakeSizes) {
  std::string error;
  auto f = Parse({"--driver-memory=512M", "--driver-output", "64K"}, &error);
  ASSERT_TRUE(f) << error;
  EXPECT_EQ(f->driver_memory, int64_t{512} << 20);
  EXPECT_EQ(f->driver_output, int64_t{64} << 10);
  EXPECT_EQ(Parse({"--driver-memory=3g"}, &error)->driver_memory, int64_t{3} << 30);
  EXPECT_EQ(Parse({}, &error)->driver_memory, int64_t{2} << 30);
  EXPECT_EQ(Parse({}, &error)->driver_output, int64_t{16} << 20);
  for (const char* bad : {"1M", "2T", "-5G", "G", "9999999999999G", "1.5G", "nan"}) {
    error.clear();
    EXPECT_FALSE(Parse({std::string("--driver-memory=") + bad}, &error)) << bad;
    EXPECT_NE(error.find("--driver-memory needs a size from 16 MiB to 1024 GiB"), std::string::npos) << error;
  }
  error.clear();
  EXPECT_FALSE(Parse({"--driver-output=2G"}, &error));
}

TEST(ConformFlags, ScenarioPathsArePositionalOrFlagged) {
  std::string error;
  auto f = Parse({"repro.scn", "--scenarios=mine/", "--runtime=go", "--scenarios", "more"}, &error);
  ASSERT_TRUE(f) << error;
  EXPECT_EQ(f->scenario_paths, (std::vector<std::string>{"repro.scn", "mine/", "more"}));
  EXPECT_EQ(f->runtime, "go");
  EXPECT_FALSE(Parse({"repro.scn", "--update-expectations"}, &error));
}

TEST(ConformFlags, FormatBytes) {
  EXPECT_EQ(FormatBytes(int64_t{2} << 30), "2 GiB");
  EXPECT_EQ(FormatBytes(int64_t{16} << 20), "16 MiB");
  EXPECT_EQ(FormatBytes(4096), "4 KiB");
  EXPECT_EQ(FormatBytes(1000), "1000 bytes");
}

}  // namespace
}  // namespace conform
