// The scenarios of a suite: finding them, selecting some, and running them
// in parallel with one driver.
#pragma once

#include <functional>
#include <set>
#include <string>
#include <vector>

#include "conformance/lang/ast.h"
#include "conformance/runner/runner.h"

namespace conform {

// Every .scn file under root, sorted.
std::vector<std::string> DiscoverScenarios(const std::string& root);

// The scenario's area: the folder right under `root`, else the prefix of its
// first clause.
std::string ScenarioArea(const std::string& path, const std::vector<std::string>& clauses);

// --clause / --feature / --file selections: a scenario is selected when each
// non-empty list has an element it matches.
struct Selection {
  std::vector<std::string> clause_globs;  // fnmatch globs over clause ids
  std::vector<std::string> features;      // an area, or a clause-id prefix before '.'
  std::vector<std::string> file_substrings;
};

// Whether the scenario at `path` (naming `clauses`, in `area`) is selected.
bool Selected(const Selection& sel, const std::string& path, const std::string& area,
              const std::vector<std::string>& clauses);

// Called once per finished scenario, from worker threads but never two at a
// time: (number finished, total, result).
using Progress = std::function<void(size_t, size_t, const ScenarioResult&)>;

// Runs every file with `jobs` workers (at most one per file); the results
// are in `files` order, and each parsed scenario's header (clauses,
// requirements, expectations; not its body) goes to (*parsed)[i] when
// parsed is given. If the system refuses a worker thread, the run goes on
// with those it has and *warning (when given) says so. After an interrupt
// (InterruptSignal()), no scenario starts, and those unfinished are marked
// `interrupted`.
std::vector<ScenarioResult> RunScenarios(const std::string& driver, const std::set<std::string>& caps,
                                         const std::vector<std::string>& files, const RunOptions& opts,
                                         int jobs, const Progress& progress,
                                         std::vector<lang::Scenario>* parsed = nullptr,
                                         std::string* warning = nullptr);

}  // namespace conform
