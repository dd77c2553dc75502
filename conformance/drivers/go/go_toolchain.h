// The Go toolchain a Go driver builds with, and its identity: what the
// build cache is keyed on (so no binary built by one toolchain is ever run
// as another's) and what reports show.
//
// Which toolchain: the go command is $CONFORM_GO (`conform --go=PATH` sets
// it), else $GOROOT/bin/go when GOROOT is set, else `go` on PATH. gccgo is
// $CONFORM_GCCGO (`conform --gccgo=PATH`), else `gccgo` on PATH; the go
// command drives it (`go build -compiler=gccgo` with GCCGO set).
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace conform::gotoolchain {

// The `go env` variables that change what a build produces (the effective
// values: environment, `go env -w` settings and defaults alike), and GOENV,
// the settings file.
const std::vector<std::string>& BuildVariables();

// CGO_CFLAGS and the other flag variables: also build inputs, taken from
// the environment and the GOENV file (their defaults cost `go env` a run of
// the C compiler).
const std::vector<std::string>& CgoFlagVariables();

struct Toolchain {
  std::string compiler;  // "gc" or "gccgo"
  std::string go;        // the go command, absolute, symlinks resolved
  std::string gccgo;     // gccgo, absolute, symlinks resolved ("" for gc)
  std::string go_env;    // `go env` of BuildVariables(), one value a line; CGO flags; the GOENV file
  std::string goroot;
  std::string go_version;     // e.g. "go1.19.8 linux/amd64"
  std::string gccgo_version;  // the first line of `gccgo --version`
  std::string fingerprint;    // sizes and mtimes of GOROOT/src/runtime and the compiler binaries
  std::vector<std::string> env;  // "K=V" added to every go command (GO111MODULE, GCCGO)

  // Everything above that changes a build, as one hex key.
  std::string Key() const;
  // The lines reports show (protocol 2 `identity`).
  std::vector<std::string> Identity() const;
};

// Finds and asks the toolchain for `compiler`; nullopt with a one-line
// reason in *error (not found, not executable, `go env` failed).
std::optional<Toolchain> Resolve(const std::string& compiler, std::string* error);

// Runs argv (argv[0] absolute) with `env` added; its stdout, or nullopt
// with the reason (its stderr's first line) in *error.
std::optional<std::string> Capture(const std::vector<std::string>& argv, const std::vector<std::string>& env,
                                   std::string* error);

// FNV-1a, 64 bits, as 16 hex digits: stable across builds and machines.
std::string Hash(const std::string& text);

}  // namespace conform::gotoolchain
