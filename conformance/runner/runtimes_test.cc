// Runtime description files: every key, path resolution against the file's
// folder, clear errors, and the runtimes of this tree described the same way.
#include "conformance/runner/runtimes.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>

namespace conform {
namespace {

namespace fs = std::filesystem;

std::optional<RuntimeSpec> Parse(const std::string& text, std::string* error, const std::string& path = "/opt/mylib/conform/mylib.runtime") {
  return ParseRuntimeFile(text, path, error);
}

TEST(RuntimeFile, EveryKey) {
  std::string error;
  auto spec = Parse("# my runtime\n"
                    "name = mylib\n"
                    "command = bin/driver --fast \"two words\"   # fixed arguments\n"
                    "env = MYLIB_THREADS=4\n"
                    "env = MYLIB_MODE=a=b\n"
                    "capabilities = -preemptive,+fairness\n"
                    "expectations = ../expected/mylib.txt\n"
                    "prebuild = yes\n"
                    "description = my library # of goroutines\n",
                    &error);
  ASSERT_TRUE(spec.has_value()) << error;
  EXPECT_EQ(spec->name, "mylib");
  EXPECT_EQ(spec->command.argv, (std::vector<std::string>{"/opt/mylib/conform/bin/driver", "--fast", "two words"}));
  EXPECT_EQ(spec->command.env, (std::vector<std::string>{"MYLIB_THREADS=4", "MYLIB_MODE=a=b"}));
  EXPECT_EQ(spec->capabilities, std::vector<std::string>{"-preemptive,+fairness"});
  EXPECT_EQ(spec->expectations, "/opt/mylib/expected/mylib.txt");
  EXPECT_TRUE(spec->prebuild);
  EXPECT_EQ(spec->description, "my library");
  EXPECT_EQ(spec->file, "/opt/mylib/conform/mylib.runtime");
}

TEST(RuntimeFile, RelativePathsAreResolvedAgainstTheFilesFolder) {
  std::string error;
  auto spec = Parse("name = x\ncommand = ./d\nexpectations = x.txt\n", &error, "some/dir/x.runtime");
  ASSERT_TRUE(spec.has_value()) << error;
  std::string folder = fs::absolute("some/dir").lexically_normal().string();
  EXPECT_EQ(spec->command.argv[0], folder + "/d");
  EXPECT_EQ(spec->expectations, folder + "/x.txt");
  spec = Parse("name = x\ncommand = /abs/d\n", &error);
  EXPECT_EQ(spec->command.argv[0], "/abs/d");
  EXPECT_EQ(spec->expectations, "");
}

TEST(RuntimeFile, AProgramWithoutASlashIsLookedUpOnPath) {
  std::string error;
  auto spec = Parse("name = x\ncommand = sh -c true\n", &error);
  ASSERT_TRUE(spec.has_value()) << error;
  EXPECT_EQ(spec->command.argv[0][0], '/');
  EXPECT_EQ(fs::path(spec->command.argv[0]).filename(), "sh");
  EXPECT_EQ(access(spec->command.argv[0].c_str(), X_OK), 0);
  spec = Parse("name = x\ncommand = no-such-driver-anywhere\n", &error);
  EXPECT_EQ(spec->command.argv[0], "no-such-driver-anywhere");
}

TEST(RuntimeFile, MistakesAreClearErrorsWithTheLine) {
  std::string error;
  EXPECT_FALSE(Parse("name = x\ncommand = d\nflavour = vanilla\n", &error, "m.runtime"));
  EXPECT_EQ(error.rfind("m.runtime:3: unknown key 'flavour'", 0), 0u) << error;
  EXPECT_FALSE(Parse("name = x\nname = y\ncommand = d\n", &error, "m.runtime"));
  EXPECT_EQ(error, "m.runtime:2: 'name' given twice");
  EXPECT_FALSE(Parse("command = d\n", &error, "m.runtime"));
  EXPECT_EQ(error, "m.runtime: needs a name (name = ..., command = ...)");
  EXPECT_FALSE(Parse("name = x\n", &error, "m.runtime"));
  EXPECT_EQ(error, "m.runtime: needs a command (name = ..., command = ...)");
  EXPECT_FALSE(Parse("name = ../x\ncommand = d\n", &error, "m.runtime"));
  EXPECT_NE(error.find("must be letters"), std::string::npos);
  EXPECT_FALSE(Parse("name = x\ncommand = d\nenv = NOVALUE\n", &error, "m.runtime"));
  EXPECT_EQ(error, "m.runtime:3: env needs NAME=VALUE, not 'NOVALUE'");
  EXPECT_FALSE(Parse("name = x\ncommand = d\ncapabilities = +warp\n", &error, "m.runtime"));
  EXPECT_NE(error.find("unknown capability 'warp'"), std::string::npos);
  EXPECT_FALSE(Parse("name = x\ncommand = \"d\n", &error, "m.runtime"));
  EXPECT_EQ(error, "m.runtime:2: unterminated quote in command");
  EXPECT_FALSE(Parse("name x\n", &error, "m.runtime"));
  EXPECT_EQ(error, "m.runtime:1: expected 'key = value', not 'name x'");
  EXPECT_FALSE(Parse("name = x\ncommand = d\nprebuild = maybe\n", &error, "m.runtime"));
  EXPECT_FALSE(ReadRuntimeFile("/nonexistent/x.runtime", &error));
  EXPECT_EQ(error, "cannot read runtime description /nonexistent/x.runtime");
}

TEST(RuntimeFile, SplitCommand) {
  EXPECT_EQ(*SplitCommand("  a  b\t\"c d\" \"\" e\"f g\"h "), (std::vector<std::string>{"a", "b", "c d", "", "ef gh"}));
  EXPECT_EQ(*SplitCommand("\"a \\\" \\\\ b\""), (std::vector<std::string>{"a \" \\ b"}));
  EXPECT_FALSE(SplitCommand("\"open"));
}

TEST(RuntimeFile, QueryAppliesTheOverridesAndRunOptionsCarryTheCommand) {
  std::string error;
  auto spec = ParseRuntimeFile("name = t\ncommand = ../drivers/thread/thread_driver\nenv = A=1\n"
                               "capabilities = -preemptive,+fairness\nprebuild = yes\n",
                               "conformance/runtimes/t.runtime", &error);
  ASSERT_TRUE(spec.has_value()) << error;
  auto queried = QueryRuntime(*spec, &error);
  ASSERT_TRUE(queried.has_value()) << error;
  EXPECT_EQ(queried->info.capabilities, (std::set<std::string>{"os-threads", "preemptive", "syscalls"}));
  EXPECT_EQ(queried->capabilities, (std::set<std::string>{"fairness", "os-threads", "syscalls"}));
  RunOptions opts;
  ApplyDriver(*spec, queried->info, &opts);
  EXPECT_TRUE(opts.driver_args.empty());
  EXPECT_EQ(opts.driver_env, std::vector<std::string>{"A=1"});
  EXPECT_TRUE(opts.prebuild);
  EXPECT_EQ(opts.families.size(), KnownFamilies().size());
  spec->command.argv = {"/nonexistent/driver"};
  EXPECT_FALSE(QueryRuntime(*spec, &error));
  EXPECT_EQ(error, "driver /nonexistent/driver is missing (No such file or directory)");
}

// Each runtime of this tree: a description whose name is its file's, whose
// driver is built and executable, and whose expectations file exists.
TEST(RuntimeFile, TheRuntimesOfThisTree) {
  std::vector<std::string> files = RuntimeFilesIn("conformance/runtimes");
  ASSERT_GE(files.size(), 6u);
  auto at = [&](const std::string& f) { return std::find(files.begin(), files.end(), f) - files.begin(); };
  EXPECT_EQ(at("conformance/runtimes/go.runtime") + 1, at("conformance/runtimes/go-asyncpreemptoff.runtime"));
  for (const auto& f : files) {
    std::string error;
    auto spec = ReadRuntimeFile(f, &error);
    ASSERT_TRUE(spec.has_value()) << error;
    EXPECT_EQ(spec->name, fs::path(f).stem().string());
    EXPECT_EQ(access(spec->command.argv[0].c_str(), X_OK), 0) << f << ": " << spec->command.argv[0];
    EXPECT_TRUE(fs::exists(spec->expectations)) << f << ": " << spec->expectations;
    EXPECT_FALSE(spec->description.empty()) << f;
  }
}

}  // namespace
}  // namespace conform
