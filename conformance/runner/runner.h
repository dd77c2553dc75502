// Runs scenarios in driver processes and judges them: one child process per
// scenario (so fatal outcomes are isolated), a timeout, and a verdict.
#pragma once

#include <map>
#include <optional>
#include <string_view>
#include <set>
#include <string>
#include <vector>

#include "conformance/check/expectations.h"
#include "conformance/lang/ast.h"

namespace conform {

enum class Status { kPass, kFail, kTimeout, kCrash, kUnsupported, kError };

// "PASS", "FAIL", ...
const char* StatusName(Status s);

// The status named `name` ("FAIL", ...); nullopt if there is none.
std::optional<Status> StatusFromName(std::string_view name);

struct ScenarioResult {
  std::string file;
  Status status = Status::kError;
  std::vector<std::string> failures;  // why, for anything but PASS
  RunOutcome outcome;
  double seconds = 0;
};

struct RunOptions {
  double timeout_scale = 1.0;  // multiplies each scenario's @timeout
  // The driver has `--build FILE` (the Go drivers): compile first, with its
  // own limit, so that compile time never counts against @timeout.
  bool prebuild = false;
  int64_t prebuild_timeout_ms = 300'000;
};

// The capabilities `driver --capabilities` declares; empty on failure (with
// the reason in *error when given).
std::set<std::string> QueryCapabilities(const std::string& driver, std::string* error = nullptr);

// Runs one parsed scenario with `driver` and judges the outcome.
ScenarioResult RunScenario(const std::string& driver, const std::set<std::string>& caps,
                           const lang::Scenario& sc, const RunOptions& opts = {});

// Parses and runs the scenario file at `path`; a parse error is kError.
ScenarioResult RunScenarioFile(const std::string& driver, const std::set<std::string>& caps,
                               const std::string& path, lang::Scenario* parsed,
                               const RunOptions& opts = {});

}  // namespace conform
