// The spec lint: clause ids are unique, every MUST clause is covered by a
// scenario, and every scenario names only existing clauses.
#pragma once

#include <string>
#include <vector>

#include "conformance/lang/ast.h"
#include "spec/clauses.h"

namespace spec {

// Every problem found, one message each; empty when the suite is consistent.
// `scenarios` carry their file paths (relative to conformance/scenarios/
// or longer), which lint uses to check each one sits in its clause's area.
std::vector<std::string> Lint(const std::vector<Clause>& clauses,
                              const std::vector<conform::lang::Scenario>& scenarios);

}  // namespace spec
