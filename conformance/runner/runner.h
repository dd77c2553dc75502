// Runs scenarios in driver processes and judges them: one child process per
// scenario (so fatal outcomes are isolated), a timeout, and a verdict.
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

#include "conformance/check/expectations.h"
#include "conformance/lang/ast.h"

namespace conform {

enum class Status { kPass, kFail, kTimeout, kCrash, kUnsupported, kError };

// "PASS", "FAIL", ...
const char* StatusName(Status s);

struct ScenarioResult {
  std::string file;
  Status status = Status::kError;
  std::vector<std::string> failures;  // why, for anything but PASS
  RunOutcome outcome;
  double seconds = 0;
};

// The capabilities `driver --capabilities` declares; empty on failure.
std::set<std::string> QueryCapabilities(const std::string& driver);

// Runs one parsed scenario with `driver` and judges the outcome.
ScenarioResult RunScenario(const std::string& driver, const std::set<std::string>& caps,
                           const lang::Scenario& sc);

// Parses and runs the scenario file at `path`; a parse error is kError.
ScenarioResult RunScenarioFile(const std::string& driver, const std::set<std::string>& caps,
                               const std::string& path, lang::Scenario* parsed);

}  // namespace conform
