// The terminal summary of a run: the per-clause verdict table (MUST clauses,
// then IMPL clauses in their own section) and the `N passed, N failed` line.
#pragma once

#include <cstdio>

#include "conformance/runner/suite_run.h"

namespace conform {

// Prints the clause table and the summary line of `run` to out.
void PrintClauseTable(const RuntimeRun& run, std::FILE* out);

// Prints the scenarios that need attention (new failures, unexpected passes).
void PrintProblems(const RuntimeRun& run, std::FILE* out);

}  // namespace conform
