#include "conformance/drivers/go/go_driver.h"

#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <string>
#include <vector>

#include "conformance/drivers/go/go_codegen.h"
#include "conformance/interp/driver.h"
#include "conformance/lang/parser.h"

namespace conform {
namespace {

[[noreturn]] void Fail(const std::string& msg) {
  std::fprintf(stderr, "%s\n", msg.c_str());
  std::exit(kDriverErrorExit);
}

std::string CacheDir() {
  const char* d = std::getenv("CONFORM_GO_CACHE");
  return d && *d ? d : "/tmp/conform-go-cache";
}

// Builds main.go in dir into dir/prog unless it is already there.
std::string Build(const std::string& source, const char* compiler) {
  std::string key = std::to_string(std::hash<std::string>{}(source + compiler));
  std::string dir = CacheDir() + "/" + compiler + "-" + key;
  std::string prog = dir + "/prog";
  if (access(prog.c_str(), X_OK) == 0) return prog;
  mkdir(CacheDir().c_str(), 0755);
  mkdir(dir.c_str(), 0755);
  std::string tmp_src = dir + "/main.go";
  {
    std::ofstream out(tmp_src);
    out << source;
    if (!out) Fail("go_driver: cannot write " + tmp_src);
  }
  // Built under a private name, then renamed: concurrent drivers never see half a binary.
  std::string tmp_prog = dir + "/prog." + std::to_string(getpid());
  pid_t pid = fork();
  if (pid == 0) {
    if (!std::getenv("HOME") && !std::getenv("GOCACHE")) setenv("GOCACHE", (CacheDir() + "/gocache").c_str(), 1);
    setenv("GO111MODULE", "off", 1);  // one file, standard library only
    dup2(2, 1);                        // compiler output goes to stderr
    std::vector<const char*> args = {"go", "build", "-o", tmp_prog.c_str()};
    if (std::string(compiler) == "gccgo") args.push_back("-compiler=gccgo");
    args.push_back(tmp_src.c_str());
    args.push_back(nullptr);
    execvp("go", const_cast<char* const*>(args.data()));
    _exit(127);
  }
  int status = 0;
  if (pid < 0 || waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
    Fail("go_driver: go build failed for " + tmp_src);
  if (rename(tmp_prog.c_str(), prog.c_str()) != 0) Fail("go_driver: cannot install " + prog);
  return prog;
}

}  // namespace

void RunGoDriver(int argc, char** argv, const char* compiler) {
  std::string first = argc >= 2 ? argv[1] : "";
  if (argc == 2 && first == "--capabilities") {
    // gc has every capability. gccgo is declared conservatively: no async
    // preemption, no stack-limit report, no fairness claim.
    if (std::string(compiler) == "gc") std::printf("preemptive\nos-threads\nstack-limit\nsyscalls\nfairness\n");
    else std::printf("os-threads\nsyscalls\n");
    std::exit(0);
  }
  bool build_only = argc == 3 && first == "--build";
  if (argc != 2 && !build_only) Fail("usage: go_driver FILE.scn | --build FILE.scn | --capabilities");
  lang::ParseError err;
  auto sc = lang::ParseFile(argv[argc - 1], &err);
  if (!sc) Fail(err.ToString());
  std::string prog = Build(gocodegen::Generate(*sc), compiler);
  if (build_only) std::exit(0);
  execl(prog.c_str(), prog.c_str(), static_cast<char*>(nullptr));
  Fail("go_driver: cannot run " + prog);
}

}  // namespace conform
