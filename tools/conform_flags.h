// The command line of `conform` (tools/conform_main.cc).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "conformance/runner/suite.h"

namespace conform {

struct ConformFlags {
  std::string runtime = "reference";
  bool all = false;
  Selection selection;
  std::string report_dir;  // empty: the default
  bool use_expectations = true;
  bool update_expectations = false;
  double timeout_scale = 1.0;
  int jobs = 0;  // 0: the number of CPUs
  bool help = false;
};

// Parses argv; on bad usage returns nullopt with the message in *error.
std::optional<ConformFlags> ParseConformFlags(int argc, char** argv, std::string* error);

// The usage text.
std::string ConformUsage();

}  // namespace conform
