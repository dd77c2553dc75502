// The spec lint: clause ids are unique, every MUST clause is covered by a
// scenario, and every scenario names only existing clauses.
#pragma once

#include <string>
#include <vector>

#include "conformance/lang/ast.h"
#include "spec/clauses.h"

namespace spec {

// The problems of one scenario wherever it lives, one message each
// ("FILE: names no clause (@clause)"): no @clause, no `@expect exit`, and,
// when `clauses` is given, a clause id not in it or a clause's capability
// not @required. The runner rejects every scenario it loads with these
// (conformance/runner); Lint adds the checks of the suite's own tree.
std::vector<std::string> ScenarioProblems(const std::vector<Clause>* clauses,
                                          const conform::lang::Scenario& sc);

// Every problem found, one message each; empty when the suite is consistent.
// `scenarios` carry their file paths (relative to conformance/scenarios/
// or longer), which lint uses to check each one sits in its clause's area.
std::vector<std::string> Lint(const std::vector<Clause>& clauses,
                              const std::vector<conform::lang::Scenario>& scenarios);

}  // namespace spec
