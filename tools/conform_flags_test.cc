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

TEST(ConformFlags, BadInputIsAClearError) {
  std::string error;
  EXPECT_FALSE(Parse({"--runtime=nope"}, &error));
  EXPECT_NE(error.find("unknown runtime 'nope' (known: reference, thread, go, gccgo, fiber)"), std::string::npos) << error;
  error.clear();
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

}  // namespace
}  // namespace conform
