// Choosing the runtimes of a conform run: the tree's descriptions, runtime
// files and --driver, with --expectations and --capabilities applied to the
// chosen one, and clear errors.
#include "tools/conform_runtimes.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

namespace conform {
namespace {

namespace fs = std::filesystem;

RuntimeSpec Spec(const std::string& name) {
  RuntimeSpec s;
  s.name = name;
  s.file = "conformance/runtimes/" + name + ".runtime";
  s.command.argv = {"conformance/drivers/" + name};
  s.expectations = "/tree/" + name + ".txt";
  return s;
}

const std::vector<RuntimeSpec> kBuiltin = {Spec("go"), Spec("reference"), Spec("thread")};

std::string Tmp() {
  fs::path dir = fs::path(std::getenv("TEST_TMPDIR") ? std::getenv("TEST_TMPDIR") : "/tmp") / "conform_runtimes_test";
  fs::create_directories(dir);
  return dir.string();
}

std::string RuntimeFile(const std::string& name, const std::string& text) {
  std::string p = Tmp() + "/" + name;
  std::ofstream(p) << text;
  return p;
}

std::vector<std::string> Names(const std::optional<std::vector<RuntimeSpec>>& r) {
  return r ? RuntimeNames(*r) : std::vector<std::string>{"(error)"};
}

TEST(ChooseRuntimes, DefaultNamedAndAll) {
  std::string error;
  ConformFlags f;
  EXPECT_EQ(Names(ChooseRuntimes(f, kBuiltin, "reference", &error)), std::vector<std::string>{"reference"});
  f.runtime = "go";
  EXPECT_EQ(Names(ChooseRuntimes(f, kBuiltin, "reference", &error)), std::vector<std::string>{"go"});
  f.runtime = "nope";
  EXPECT_FALSE(ChooseRuntimes(f, kBuiltin, "reference", &error));
  EXPECT_EQ(error, "unknown runtime 'nope' (known: go, reference, thread; or give --driver=CMD or --runtime-file=PATH)");
  ConformFlags all;
  all.all = true;
  EXPECT_EQ(Names(ChooseRuntimes(all, kBuiltin, "reference", &error)), (std::vector<std::string>{"go", "reference", "thread"}));
}

TEST(ChooseRuntimes, ADriverFromOutsideTheTree) {
  std::string error;
  ConformFlags f;
  f.driver = "/opt/mylib/bin/mylib_driver --fast";
  f.expectations = "/opt/mylib/expected.txt";
  f.capabilities = "-preemptive";
  auto r = ChooseRuntimes(f, kBuiltin, "reference", &error);
  ASSERT_TRUE(r) << error;
  ASSERT_EQ(r->size(), 1u);
  EXPECT_EQ(r->front().name, "mylib_driver");
  EXPECT_EQ(r->front().command.argv, (std::vector<std::string>{"/opt/mylib/bin/mylib_driver", "--fast"}));
  EXPECT_EQ(r->front().expectations, "/opt/mylib/expected.txt");
  EXPECT_EQ(r->front().capabilities, std::vector<std::string>{"-preemptive"});
  f.name = "mylib";
  EXPECT_EQ(ChooseRuntimes(f, kBuiltin, "reference", &error)->front().name, "mylib");
  f.name = "go";
  EXPECT_FALSE(ChooseRuntimes(f, kBuiltin, "reference", &error));
  EXPECT_NE(error.find("two runtimes are named 'go'"), std::string::npos) << error;
  f.name = "../escape";
  EXPECT_FALSE(ChooseRuntimes(f, kBuiltin, "reference", &error));
  ConformFlags py;
  py.driver = "python3 /x/my_driver.py";
  EXPECT_EQ(ChooseRuntimes(py, kBuiltin, "reference", &error)->front().name, "my_driver");
}

TEST(ChooseRuntimes, OverridesApplyToTheChosenOneOnTopOfItsFile) {
  std::string error;
  ConformFlags f;
  f.runtime = "go";
  f.capabilities = "+fairness";
  std::vector<RuntimeSpec> builtin = kBuiltin;
  builtin[0].capabilities = {"-preemptive"};
  auto r = ChooseRuntimes(f, builtin, "reference", &error);
  ASSERT_TRUE(r) << error;
  EXPECT_EQ(r->front().capabilities, (std::vector<std::string>{"-preemptive", "+fairness"}));
  EXPECT_EQ(r->front().expectations, "/tree/go.txt");
  f.capabilities = "+warp";
  EXPECT_FALSE(ChooseRuntimes(f, builtin, "reference", &error));
  EXPECT_NE(error.find("--capabilities: unknown capability 'warp'"), std::string::npos) << error;
}

TEST(ChooseRuntimes, RuntimeFiles) {
  std::string error;
  std::string a = RuntimeFile("a.runtime", "name = alpha\ncommand = ./alpha_driver\nexpectations = alpha.txt\n");
  std::string b = RuntimeFile("b.runtime", "name = beta\ncommand = /bin/true\n");
  ConformFlags one;
  one.runtime_files = {a};
  auto r = ChooseRuntimes(one, kBuiltin, "reference", &error);
  ASSERT_TRUE(r) << error;
  EXPECT_EQ(r->front().name, "alpha");
  EXPECT_EQ(r->front().command.argv[0], Tmp() + "/alpha_driver");
  EXPECT_EQ(r->front().expectations, Tmp() + "/alpha.txt");
  ConformFlags two = one;
  two.runtime_files.push_back(b);
  EXPECT_FALSE(ChooseRuntimes(two, kBuiltin, "reference", &error));
  EXPECT_NE(error.find("several --runtime-file"), std::string::npos);
  two.runtime = "beta";
  EXPECT_EQ(Names(ChooseRuntimes(two, kBuiltin, "reference", &error)), std::vector<std::string>{"beta"});
  two.runtime.clear();
  two.all = true;
  two.driver = "/bin/mine";
  EXPECT_EQ(Names(ChooseRuntimes(two, kBuiltin, "reference", &error)),
            (std::vector<std::string>{"go", "reference", "thread", "alpha", "beta", "mine"}));
  ConformFlags bad;
  bad.runtime_files = {RuntimeFile("bad.runtime", "name = x\n")};
  EXPECT_FALSE(ChooseRuntimes(bad, kBuiltin, "reference", &error));
  EXPECT_NE(error.find("needs a command"), std::string::npos);
}

TEST(ResolveUserPaths, AgainstTheInvocationDirectoryOrPath) {
  ConformFlags f;
  f.driver = "./drv \"an arg\"";
  f.expectations = "exp.txt";
  f.runtime_files = {"../x.runtime", "/abs/y.runtime"};
  f.go = "bin/go";
  f.gccgo = "sh";
  ResolveUserPaths(&f, "/home/me/work");
  EXPECT_EQ(*SplitCommand(f.driver), (std::vector<std::string>{"/home/me/work/drv", "an arg"}));
  EXPECT_EQ(f.expectations, "/home/me/work/exp.txt");
  EXPECT_EQ(f.runtime_files, (std::vector<std::string>{"/home/me/x.runtime", "/abs/y.runtime"}));
  EXPECT_EQ(f.go, "/home/me/work/bin/go");
  EXPECT_EQ(fs::path(f.gccgo).filename(), "sh");
  EXPECT_EQ(f.gccgo[0], '/');
}

}  // namespace
}  // namespace conform
