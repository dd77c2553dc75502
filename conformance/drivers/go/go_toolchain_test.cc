// The Go toolchain's identity and the build cache key: a different go
// command, GOROOT, build variable or gccgo changes the key; nothing else
// does. Uses the toolchain of CONFORM_GO / CONFORM_GCCGO (.bazelrc).
#include "conformance/drivers/go/go_toolchain.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

namespace conform::gotoolchain {
namespace {

namespace fs = std::filesystem;

// Sets an environment variable for one scope.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const char* value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old;
    if (value) setenv(name, value, 1);
    else unsetenv(name);
  }
  ~ScopedEnv() {
    if (old_) setenv(name_, old_->c_str(), 1);
    else unsetenv(name_);
  }

 private:
  const char* name_;
  std::optional<std::string> old_;
};

Toolchain Must(const std::string& compiler) {
  std::string error;
  auto tc = Resolve(compiler, &error);
  EXPECT_TRUE(tc.has_value()) << error;
  return tc.value_or(Toolchain{});
}

TEST(GoToolchain, HashIsStable) {
  EXPECT_EQ(Hash(""), "cbf29ce484222325");
  EXPECT_EQ(Hash("a"), "af63dc4c8601ec8c");
}

TEST(GoToolchain, IdentityNamesTheResolvedCompilerAndVersion) {
  Toolchain tc = Must("gc");
  EXPECT_EQ(tc.go[0], '/');
  EXPECT_EQ(tc.go, fs::canonical(tc.go).string());
  EXPECT_EQ(tc.go_version.rfind("go1.", 0), 0u) << tc.go_version;
  EXPECT_FALSE(tc.goroot.empty());
  ASSERT_GE(tc.Identity().size(), 3u);
  EXPECT_EQ(tc.Identity()[0], "go " + tc.go + ": " + tc.go_version);
  EXPECT_EQ(tc.Identity()[1], "GOROOT " + tc.goroot);
  EXPECT_EQ(Must("gc").Key(), tc.Key()) << "the same toolchain twice";
}

TEST(GoToolchain, BuildVariablesChangeTheKey) {
  std::string base = Must("gc").Key();
  {
    ScopedEnv flags("GOFLAGS", "-trimpath");
    Toolchain tc = Must("gc");
    EXPECT_NE(tc.Key(), base);
    EXPECT_NE(tc.Identity().back().find("cache key"), std::string::npos);
    bool shown = false;
    for (const auto& line : tc.Identity()) shown = shown || line.find("GOFLAGS=-trimpath") != std::string::npos;
    EXPECT_TRUE(shown);
  }
  {
    ScopedEnv cgo("CGO_ENABLED", "0");
    EXPECT_NE(Must("gc").Key(), base);
  }
  {
    ScopedEnv cflags("CGO_CFLAGS", "-O3");
    EXPECT_NE(Must("gc").Key(), base);
  }
  {
    ScopedEnv experiment("GOEXPERIMENT", "fieldtrack");
    EXPECT_NE(Must("gc").Key(), base);
  }
  {
    ScopedEnv amd64("GOAMD64", "v3");
    EXPECT_NE(Must("gc").Key(), base);
  }
  {
    ScopedEnv debug("GODEBUG", "asyncpreemptoff=1");  // a run-time setting: the same binary
    EXPECT_EQ(Must("gc").Key(), base);
  }
  EXPECT_EQ(Must("gc").Key(), base);
}

TEST(GoToolchain, GoEnvWriteSettingsChangeTheKey) {
  fs::path file = fs::path(std::getenv("TEST_TMPDIR") ? std::getenv("TEST_TMPDIR") : "/tmp") / "go-env-settings";
  std::ofstream(file) << "";
  ScopedEnv goenv("GOENV", file.c_str());
  std::string base = Must("gc").Key();
  std::ofstream(file) << "CGO_CFLAGS=-O3\n";
  EXPECT_NE(Must("gc").Key(), base);
}

TEST(GoToolchain, GorootChoosesTheToolchain) {
  Toolchain tc = Must("gc");
  ScopedEnv conform_go("CONFORM_GO", nullptr);
  ScopedEnv goroot("GOROOT", tc.goroot.c_str());
  Toolchain via_goroot = Must("gc");
  EXPECT_EQ(via_goroot.go, tc.go);
  EXPECT_EQ(via_goroot.goroot, tc.goroot);
}

TEST(GoToolchain, ACopiedGoCommandIsAnotherToolchain) {
  Toolchain tc = Must("gc");
  fs::path dir = fs::path(std::getenv("TEST_TMPDIR") ? std::getenv("TEST_TMPDIR") : "/tmp") / "copied-go/bin";
  fs::create_directories(dir);
  fs::copy_file(tc.go, dir / "go", fs::copy_options::overwrite_existing);
  ScopedEnv conform_go("CONFORM_GO", (dir / "go").c_str());
  ScopedEnv goroot("GOROOT", tc.goroot.c_str());  // the copy alone has no GOROOT of its own
  Toolchain copy = Must("gc");
  EXPECT_EQ(copy.go, fs::canonical(dir / "go").string());
  EXPECT_NE(copy.Key(), tc.Key());
}

TEST(GoToolchain, MissingToolchainsAreOneLineErrors) {
  std::string error;
  {
    ScopedEnv conform_go("CONFORM_GO", "/nonexistent/bin/go");
    EXPECT_FALSE(Resolve("gc", &error));
    EXPECT_EQ(error.rfind("no Go toolchain: CONFORM_GO=/nonexistent/bin/go is not an executable", 0), 0u) << error;
  }
  {
    ScopedEnv conform_go("CONFORM_GO", nullptr);
    ScopedEnv goroot("GOROOT", "/nonexistent/goroot");
    EXPECT_FALSE(Resolve("gc", &error));
    EXPECT_NE(error.find("GOROOT=/nonexistent/goroot (bin/go)"), std::string::npos) << error;
  }
  {
    ScopedEnv gccgo("CONFORM_GCCGO", "/nonexistent/gccgo");
    EXPECT_FALSE(Resolve("gccgo", &error));
    EXPECT_EQ(error.rfind("no gccgo: CONFORM_GCCGO=/nonexistent/gccgo", 0), 0u) << error;
  }
  EXPECT_EQ(error.find('\n'), std::string::npos);
}

TEST(GoToolchain, GccgoIsPartOfItsIdentity) {
  Toolchain tc = Must("gccgo");
  ASSERT_FALSE(tc.gccgo.empty());
  EXPECT_EQ(tc.gccgo, fs::canonical(tc.gccgo).string());
  EXPECT_NE(tc.gccgo_version.find("gccgo"), std::string::npos) << tc.gccgo_version;
  EXPECT_EQ(tc.Identity()[0], "gccgo " + tc.gccgo + ": " + tc.gccgo_version);
  EXPECT_NE(tc.Key(), Must("gc").Key());
}

}  // namespace
}  // namespace conform::gotoolchain
