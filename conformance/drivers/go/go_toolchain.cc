#include "conformance/drivers/go/go_toolchain.h"

#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace conform::gotoolchain {
namespace {

namespace fs = std::filesystem;

std::string Getenv(const char* name) {
  const char* v = std::getenv(name);
  return v ? v : "";
}

// `name` as an executable: a path (with '/'), or the first on PATH; "".
std::string FindExecutable(const std::string& name) {
  if (name.find('/') != std::string::npos) return access(name.c_str(), X_OK) == 0 ? name : "";
  std::stringstream dirs(Getenv("PATH").empty() ? "/usr/bin:/bin" : Getenv("PATH"));
  std::string dir;
  while (std::getline(dirs, dir, ':'))
    if (!dir.empty() && access((dir + "/" + name).c_str(), X_OK) == 0) return dir + "/" + name;
  return "";
}

std::string Canonical(const std::string& path) {
  std::error_code ec;
  auto real = fs::canonical(path, ec);
  return ec ? path : real.string();
}

// The go command, absolute and resolved; "" with *error.
std::string FindGo(std::string* error) {
  std::string chosen, how;
  if (std::string v = Getenv("CONFORM_GO"); !v.empty()) chosen = v, how = "CONFORM_GO=" + v;
  else if (std::string root = Getenv("GOROOT"); !root.empty()) chosen = root + "/bin/go", how = "GOROOT=" + root + " (bin/go)";
  else chosen = "go", how = "'go' on PATH";
  std::string found = FindExecutable(chosen);
  if (found.empty()) {
    *error = "no Go toolchain: " + how + " is not an executable; set CONFORM_GO=/path/to/go (conform --go=PATH), "
             "or install golang-go (tools/setup)";
    return "";
  }
  return Canonical(found);
}

// gccgo, absolute and resolved (*found: as found, before resolving
// symlinks); "" with *error.
std::string FindGccgo(std::string* found_out, std::string* error) {
  std::string v = Getenv("CONFORM_GCCGO");
  std::string how = v.empty() ? "'gccgo' on PATH" : "CONFORM_GCCGO=" + v;
  std::string found = FindExecutable(v.empty() ? "gccgo" : v);
  if (found.empty()) {
    *error = "no gccgo: " + how + " is not an executable; set CONFORM_GCCGO=/path/to/gccgo (conform --gccgo=PATH), "
             "or install gccgo (tools/setup)";
    return "";
  }
  *found_out = found;
  return Canonical(found);
}

// Size and modification time of every file under `dir` (recursively) and of
// `files`: a change to any of them changes the result.
std::string Fingerprint(const std::string& dir, const std::vector<std::string>& files) {
  std::vector<std::string> lines;
  auto add = [&](const fs::path& p) {
    struct stat st;
    if (stat(p.c_str(), &st) != 0) return;
    lines.push_back(p.string() + " " + std::to_string(st.st_size) + " " + std::to_string(st.st_mtim.tv_sec) + "." +
                    std::to_string(st.st_mtim.tv_nsec));
  };
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(dir, ec); !ec && it != fs::recursive_directory_iterator();
       it.increment(ec))
    if (it->is_regular_file(ec)) add(it->path());
  for (const auto& f : files) add(f);
  std::sort(lines.begin(), lines.end());
  std::string all;
  for (const auto& l : lines) all += l + "\n";
  return std::to_string(lines.size()) + " files, " + Hash(all);
}

std::string FirstLine(const std::string& text) { return text.substr(0, text.find('\n')); }

// The value of `key` in the `go env` output (one value a line, in
// BuildVariables() order).
std::string EnvValue(const std::string& go_env, const std::string& key) {
  const auto& vars = BuildVariables();
  size_t index = std::find(vars.begin(), vars.end(), key) - vars.begin();
  std::istringstream in(go_env);
  std::string line;
  for (size_t i = 0; std::getline(in, line); ++i)
    if (i == index) return line;
  return "";
}

}  // namespace

const std::vector<std::string>& BuildVariables() {
  static const std::vector<std::string> kVars = {
      "GOROOT", "GOVERSION", "GOOS",         "GOARCH", "GOAMD64", "GO386",     "GOARM",        "GOMIPS",
      "GOMIPS64", "GOPPC64", "GOWASM",       "GOFLAGS", "GOEXPERIMENT", "CGO_ENABLED", "CC", "CXX",
      "GCCGO",  "GOTOOLDIR", "GOROOT_FINAL", "GOENV"};
  return kVars;
}

const std::vector<std::string>& CgoFlagVariables() {
  static const std::vector<std::string> kVars = {"CGO_CFLAGS", "CGO_CPPFLAGS", "CGO_CXXFLAGS", "CGO_FFLAGS",
                                                 "CGO_LDFLAGS"};
  return kVars;
}

std::string Hash(const std::string& text) {
  uint64_t h = 14695981039346656037ull;
  for (unsigned char c : text) {
    h ^= c;
    h *= 1099511628211ull;
  }
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
  return buf;
}

std::optional<std::string> Capture(const std::vector<std::string>& argv, const std::vector<std::string>& env,
                                   std::string* error) {
  int out[2], err[2];
  if (pipe(out) != 0 || pipe(err) != 0) {
    *error = "pipe failed";
    return std::nullopt;
  }
  pid_t pid = fork();
  if (pid == 0) {
    for (const auto& kv : env) putenv(const_cast<char*>(kv.c_str()));
    dup2(out[1], 1);
    dup2(err[1], 2);
    close(out[0]), close(out[1]), close(err[0]), close(err[1]);
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    execv(args[0], args.data());
    std::fprintf(stderr, "cannot run %s\n", args[0]);
    _exit(127);
  }
  close(out[1]), close(err[1]);
  // Small outputs: read stdout to the end, then stderr.
  std::string text, errtext;
  char buf[4096];
  for (ssize_t n; (n = read(out[0], buf, sizeof buf)) > 0;) text.append(buf, n);
  for (ssize_t n; (n = read(err[0], buf, sizeof buf)) > 0;) errtext.append(buf, n);
  close(out[0]), close(err[0]);
  int status = 0;
  if (pid < 0 || waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    *error = argv[0] + " failed" + (errtext.empty() ? "" : ": " + FirstLine(errtext));
    return std::nullopt;
  }
  return text;
}

std::optional<Toolchain> Resolve(const std::string& compiler, std::string* error) {
  Toolchain t;
  t.compiler = compiler;
  t.go = FindGo(error);
  if (t.go.empty()) return std::nullopt;
  t.env = {"GO111MODULE=off"};  // one file, standard library only
  if (compiler == "gccgo") {
    std::string found_gccgo;
    t.gccgo = FindGccgo(&found_gccgo, error);
    if (t.gccgo.empty()) return std::nullopt;
    t.env.push_back("GCCGO=" + t.gccgo);
    // gccgo runs the assembler and linker from PATH: its own directory (where
    // a distribution installs binutils beside it) comes first, so a build
    // does not depend on the caller's PATH.
    std::string path = Getenv("PATH");
    t.env.push_back("PATH=" + fs::path(found_gccgo).parent_path().string() + (path.empty() ? "" : ":" + path));
    auto version = Capture({t.gccgo, "--version"}, {}, error);
    if (!version) return std::nullopt;
    t.gccgo_version = FirstLine(*version);
  }
  std::vector<std::string> argv = {t.go, "env"};
  argv.insert(argv.end(), BuildVariables().begin(), BuildVariables().end());
  auto go_env = Capture(argv, t.env, error);
  if (!go_env) return std::nullopt;
  t.go_env = *go_env;
  // `go env` computes the CGO_*FLAGS defaults by running the C compiler (a
  // tenth of a second each time), so they are taken from where a user sets
  // them: the environment, and the `go env -w` file.
  for (const auto& k : CgoFlagVariables()) t.go_env += k + "=" + Getenv(k.c_str()) + "\n";
  std::ifstream settings(EnvValue(t.go_env, "GOENV"));
  std::stringstream text;
  text << settings.rdbuf();
  t.go_env += "GOENV file:\n" + text.str();
  t.goroot = EnvValue(t.go_env, "GOROOT");
  t.go_version = EnvValue(t.go_env, "GOVERSION") + " " + EnvValue(t.go_env, "GOOS") + "/" + EnvValue(t.go_env, "GOARCH");
  std::string tools = EnvValue(t.go_env, "GOTOOLDIR");
  t.fingerprint = compiler == "gccgo" ? Fingerprint("", {t.gccgo, t.go})
                                      : Fingerprint(t.goroot + "/src/runtime",
                                                    {t.go, tools + "/compile", tools + "/link", tools + "/asm"});
  return t;
}

std::string Toolchain::Key() const {
  return Hash(compiler + "\n" + go + "\n" + gccgo + "\n" + gccgo_version + "\n" + go_env + "\n" + fingerprint);
}

std::vector<std::string> Toolchain::Identity() const {
  std::vector<std::string> lines;
  if (compiler == "gccgo") lines.push_back("gccgo " + gccgo + ": " + gccgo_version);
  lines.push_back("go " + go + ": " + go_version + (compiler == "gccgo" ? " (drives the gccgo build)" : ""));
  lines.push_back("GOROOT " + goroot);
  std::string changed;
  for (const auto* vars : {&BuildVariables(), &CgoFlagVariables()})
    for (const auto& k : *vars)
      if (const char* v = std::getenv(k.c_str()); v && k != "GOENV") changed += " " + k + "=" + v;
  if (!changed.empty()) lines.push_back("build environment:" + changed);
  if (compiler == "gc") lines.push_back("GOROOT/src/runtime and compiler: " + fingerprint);
  lines.push_back("cache key " + Key());
  return lines;
}

}  // namespace conform::gotoolchain
