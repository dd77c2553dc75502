#include "conformance/drivers/go/go_driver.h"

#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "conformance/drivers/go/go_codegen.h"
#include "conformance/drivers/go/go_toolchain.h"
#include "conformance/interp/driver.h"
#include "conformance/lang/parser.h"

namespace conform {
namespace {

namespace fs = std::filesystem;

[[noreturn]] void Fail(const std::string& msg) {
  std::fprintf(stderr, "%s\n", msg.c_str());
  std::exit(kDriverErrorExit);
}

std::string CacheDir() {
  const char* d = std::getenv("CONFORM_GO_CACHE");
  return d && *d ? d : "/tmp/conform-go-cache";
}

// Creates `dir` and its parents; fails the scenario with the reason if it cannot.
void MakeDirs(const std::string& dir) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) Fail("go_driver: cannot create the build cache " + dir + ": " + ec.message() + " (set CONFORM_GO_CACHE)");
}

// Builds `source` with toolchain `tc` into the cache, unless a binary built
// from the same source by the same toolchain is already there.
std::string Build(const std::string& source, const gotoolchain::Toolchain& tc) {
  std::string dir = CacheDir() + "/" + tc.compiler + "-" + gotoolchain::Hash(tc.Key() + "\n" + source);
  std::string prog = dir + "/prog";
  if (access(prog.c_str(), X_OK) == 0) return prog;
  MakeDirs(dir);
  std::string src = dir + "/main.go";
  {
    std::ofstream out(src);
    out << source;
    std::ofstream about(dir + "/toolchain.txt");
    for (const auto& line : tc.Identity()) about << line << "\n";
    if (!out) Fail("go_driver: cannot write " + src);
  }
  // Built under a private name, then renamed: concurrent drivers never see half a binary.
  std::string tmp_prog = dir + "/prog." + std::to_string(getpid());
  pid_t pid = fork();
  if (pid == 0) {
    if (!std::getenv("HOME") && !std::getenv("GOCACHE")) setenv("GOCACHE", (CacheDir() + "/gocache").c_str(), 1);
    for (const auto& kv : tc.env) putenv(const_cast<char*>(kv.c_str()));
    dup2(2, 1);  // compiler output goes to stderr
    std::vector<const char*> args = {tc.go.c_str(), "build", "-o", tmp_prog.c_str()};
    if (tc.compiler == "gccgo") args.push_back("-compiler=gccgo");
    args.push_back(src.c_str());
    args.push_back(nullptr);
    execv(tc.go.c_str(), const_cast<char* const*>(args.data()));
    _exit(127);
  }
  int status = 0;
  if (pid < 0 || waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
    Fail("go_driver: " + tc.go + " build failed for " + src);
  if (rename(tmp_prog.c_str(), prog.c_str()) != 0) Fail("go_driver: cannot install " + prog);
  return prog;
}

// Driver protocol 2. gc has every capability. gccgo legitimately lacks two:
// libgo has no asynchronous preemption, and its Gosched does not always
// requeue behind every runnable goroutine (the fairness bound failed 2 of 30
// forced runs). debug.SetMaxStack it does offer, so stack-limit is declared
// and its overflow scenarios are gccgo's known failures, not UNSUPPORTED
// (INTERPRETING.md, "Capabilities"). Both do every family themselves.
void PrintCapabilities(const gotoolchain::Toolchain& tc) {
  std::printf("goconform-protocol 2\n");
  // growable-stacks: gc copies stacks, libgo runs goroutines on split stacks.
  std::vector<const char*> caps = {"os-threads", "stack-limit", "syscalls", "growable-stacks"};
  if (tc.compiler == "gc")
    caps = {"preemptive", "os-threads", "stack-limit", "syscalls", "fairness", "growable-stacks"};
  for (const char* c : caps) std::printf("capability %s\n", c);
  for (const char* f : {"defer", "panic", "goexit", "channels", "select", "deadlock", "numgoroutine", "timers"})
    std::printf("family %s native\n", f);
  for (const auto& line : tc.Identity()) std::printf("identity %s\n", line.c_str());
}

}  // namespace

void RunGoDriver(int argc, char** argv, const char* compiler) {
  std::string first = argc >= 2 ? argv[1] : "";
  bool caps = argc == 2 && first == "--capabilities";
  bool build_only = argc == 3 && first == "--build";
  if (argc != 2 && !build_only) Fail("usage: go_driver FILE.scn | --build FILE.scn | --capabilities");
  std::string error;
  auto tc = gotoolchain::Resolve(compiler, &error);
  if (!tc) {
    std::fprintf(stderr, "%s_driver: %s\n", std::string(compiler) == "gc" ? "go" : compiler, error.c_str());
    std::exit(caps ? 1 : kDriverErrorExit);
  }
  if (caps) {
    PrintCapabilities(*tc);
    std::exit(0);
  }
  lang::ParseError err;
  auto sc = lang::ParseFile(argv[argc - 1], &err);
  if (!sc) Fail(err.ToString());
  std::string prog = Build(gocodegen::Generate(*sc), *tc);
  if (build_only) std::exit(0);
  execl(prog.c_str(), prog.c_str(), static_cast<char*>(nullptr));
  Fail("go_driver: cannot run " + prog);
}

}  // namespace conform
