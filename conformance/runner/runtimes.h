// Runtime description files: how `conform` and the suite tests learn about
// a runtime, with no runtime special-cased in code. The runtimes of this
// tree are conformance/runtimes/*.runtime; anyone else's live wherever they
// like (`conform --runtime-file=PATH`). One `key = value` per line, `#`
// comments:
//
//   name = mylib                      # for reports and --runtime=NAME (required)
//   command = bin/mylib_driver --fast # the driver and fixed arguments (required)
//   env = MYLIB_THREADS=4             # added to the driver's environment (repeatable)
//   capabilities = -preemptive        # overrides of what the driver declares
//   expectations = mylib.txt          # known failures (optional)
//   prebuild = yes                    # the driver has `--build FILE.scn` (compile before timing)
//   description = my goroutine library
//
// Relative paths (the command's program when it has a '/', expectations)
// are resolved against the file's folder; a program without '/' is looked
// up on PATH. Arguments after the program are passed as written.
#pragma once

#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "conformance/runner/driver_protocol.h"
#include "conformance/runner/runner.h"

namespace conform {

struct RuntimeSpec {
  std::string name;
  std::string description;
  std::string file;            // the description file; "" when made from flags
  DriverCommand command;       // argv[0] resolved; env entries "K=V"
  std::vector<std::string> capabilities;  // overrides, applied in order (ApplyCapabilityOverrides)
  std::string expectations;    // absolute path; "" for none
  bool prebuild = false;
};

// Asks the runtime's driver what it is (protocol 2) and applies the
// description's capability overrides to what it declares; nullopt with a
// one-line reason in *error.
struct QueriedRuntime {
  DriverInfo info;                     // as the driver declared it
  std::set<std::string> capabilities;  // after the overrides
};
std::optional<QueriedRuntime> QueryRuntime(const RuntimeSpec& spec, std::string* error);

// Sets how the runtime's scenarios run in *opts: its driver's fixed
// arguments and environment, `--build` support, and its families.
void ApplyDriver(const RuntimeSpec& spec, const DriverInfo& info, RunOptions* opts);

// Parses the text of the description file at `path` (relative paths are
// resolved against its folder); nullopt with "path:line: reason" in *error.
std::optional<RuntimeSpec> ParseRuntimeFile(std::string_view text, const std::string& path, std::string* error);

// Reads and parses the description file at `path`.
std::optional<RuntimeSpec> ReadRuntimeFile(const std::string& path, std::string* error);

// The *.runtime files in `dir`, sorted by their names without the
// extension; empty if there is none.
std::vector<std::string> RuntimeFilesIn(const std::string& dir);

// A command word as a program: absolute against `base_dir` when it has a
// '/', else the first executable of that name on PATH, else unchanged.
std::string ResolveProgram(const std::string& word, const std::string& base_dir);

// Splits a command line into words: spaces separate, "double quotes" group
// (with \" and \\ inside). nullopt for an unterminated quote.
std::optional<std::vector<std::string>> SplitCommand(const std::string& line);

// Whether `name` is usable as a runtime name (letters, digits, '.', '_',
// '-'; it names report files).
bool ValidRuntimeName(const std::string& name);

}  // namespace conform
