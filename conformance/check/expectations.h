// Decides whether one run of a scenario met the scenario's expectations.
#pragma once

#include <string>
#include <vector>

#include "conformance/interp/trace.h"
#include "conformance/lang/ast.h"

namespace conform {

// What a driver process produced.
struct RunOutcome {
  std::vector<Event> trace;
  int exit_status = 0;
  std::string stderr_text;
};

struct CheckOptions {
  bool check_stderr = true;  // false: skip stderr expectations (the model has no stderr)
  bool check_model = true;   // false: skip `@expect model`
  int64_t model_max_states = 1'000'000;
};

// Every expectation the outcome fails, each as "file:line:col: message";
// empty when all hold.
std::vector<std::string> CheckExpectations(const lang::Scenario& sc, const RunOutcome& out,
                                           const CheckOptions& opts = {});

// Whether event e matches pattern p.
bool Matches(const lang::EventPattern& p, const Event& e);

}  // namespace conform
