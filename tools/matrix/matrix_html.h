// The conformance matrix: one self-contained static HTML page (inline CSS
// and JS, no network) of clauses x runtimes, in the spirit of wpt.fyi and
// test262.fyi. Clicking a cell (or opening #cell=RUNTIME/CLAUSE) shows that
// clause's scenarios on that runtime: text, expectations, trace, stderr.
#pragma once

#include <string>
#include <vector>

#include "conformance/runner/suite_run.h"
#include "spec/clauses.h"

namespace conform {

// The page for `runs` (skipped runtimes get a greyed column with the reason).
std::string MatrixHtml(const std::vector<RuntimeRun>& runs, const std::vector<spec::Clause>& clauses,
                       const std::string& generated_at);

}  // namespace conform
