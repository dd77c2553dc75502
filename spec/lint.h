// The spec lint: clause ids are unique, every MUST clause is covered by at
// least two scenarios (so one wrong scenario cannot leave a behaviour
// unchecked), every scenario names only existing clauses, and only a
// scenario for a numgoroutine.* clause reads NumGoroutine (so a wrong count
// fails the count clauses, not every scenario that waited with it).
#pragma once

#include <string>
#include <vector>

#include "conformance/lang/ast.h"
#include "spec/clauses.h"

namespace spec {

inline constexpr int kMinScenariosPerMustClause = 2;

// The problems of one scenario wherever it lives, one message each
// ("FILE: names no clause (@clause)"): no @clause, no `@expect exit`, and,
// when `clauses` is given, a clause id not in it or a clause's capability
// not @required. The runner rejects every scenario it loads with these
// (conformance/runner); Lint adds the checks of the suite's own tree.
std::vector<std::string> ScenarioProblems(const std::vector<Clause>* clauses,
                                          const conform::lang::Scenario& sc);

// Every problem found in the suite's own tree (ScenarioProblems of each
// scenario, plus the rules above), one message each; empty when the suite
// is consistent.
// `scenarios` carry their file paths (relative to conformance/scenarios/
// or longer), which lint uses to check each one sits in its clause's area.
std::vector<std::string> Lint(const std::vector<Clause>& clauses,
                              const std::vector<conform::lang::Scenario>& scenarios);

}  // namespace spec
