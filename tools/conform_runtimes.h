// Which runtimes one `conform` invocation runs: the tree's own descriptions
// (conformance/runtimes/*.runtime), --runtime-file ones and a --driver,
// chosen by --runtime, --all or the default (reference). No runtime is
// special-cased: the tree's runtimes are description files like anyone's.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "conformance/runner/runtimes.h"
#include "tools/conform_flags.h"

namespace conform {

// Makes the paths the user gave (--driver's program, --expectations,
// --runtime-file, --go, --gccgo) absolute against `cwd`, the directory
// conform was started from; call before moving into the runfiles. A
// program without '/' is looked up on PATH.
void ResolveUserPaths(ConformFlags* flags, const std::string& cwd);

// The runtimes described in `dir`, sorted by file name.
std::optional<std::vector<RuntimeSpec>> ReadRuntimesIn(const std::string& dir, std::string* error);

// The runtimes to run, in order: with --all, `builtin` then every
// --runtime-file then --driver; else the one chosen by --driver,
// --runtime, a single --runtime-file, or `default_name`. --expectations and
// --capabilities apply to that one. nullopt with the reason in *error.
std::optional<std::vector<RuntimeSpec>> ChooseRuntimes(const ConformFlags& flags,
                                                       const std::vector<RuntimeSpec>& builtin,
                                                       const std::string& default_name, std::string* error);

// The names of `runtimes`, in order.
std::vector<std::string> RuntimeNames(const std::vector<RuntimeSpec>& runtimes);

}  // namespace conform
