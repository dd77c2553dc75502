// The command line of `conform` (tools/conform_main.cc).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "conformance/runner/suite.h"

namespace conform {

struct ConformFlags {
  std::string runtime;  // empty: the default (reference), unless a driver or runtime file is given
  bool all = false;
  // A runtime from outside the tree (tools/conform_runtimes.h).
  std::string driver;                      // --driver=CMD: a program (path or on PATH) and arguments
  std::string name;                        // --name: its name in reports
  std::string expectations;                // --expectations=FILE
  std::optional<std::string> capabilities; // --capabilities=-preemptive,+fairness
  std::vector<std::string> runtime_files;  // --runtime-file=PATH, repeatable
  // The Go toolchains (exported as CONFORM_GO / CONFORM_GCCGO to the drivers).
  std::string go, gccgo;
  Selection selection;
  std::string report_dir;  // empty: the default
  bool use_expectations = true;
  bool update_expectations = false;
  double timeout_scale = 1.0;
  int jobs = 0;  // 0: the number of CPUs
  bool help = false;
  // Scenario files and folders to run instead of the suite's own
  // (--scenarios=PATH and positional arguments), as given.
  std::vector<std::string> scenario_paths;
  int64_t driver_memory = int64_t{2} << 30;   // bytes of resident memory per driver
  int64_t driver_output = int64_t{16} << 20;  // bytes of stdout (and of stderr) per driver
};

// Parses argv; on bad usage returns nullopt with the message in *error.
std::optional<ConformFlags> ParseConformFlags(int argc, char** argv, std::string* error);

// The usage text; `runtimes` are the names --runtime accepts (may be empty).
std::string ConformUsage(const std::vector<std::string>& runtimes = {});

// "2 GiB", "16 MiB", "4 KiB" or "123 bytes".
std::string FormatBytes(int64_t n);

}  // namespace conform
