// One runtime's run of the suite, judged: what the reports, the terminal
// table and the matrix are all made from.
#pragma once

#include <optional>
#include <set>
#include <string>
#include <vector>

#include "conformance/lang/ast.h"
#include "conformance/runner/expectations_file.h"
#include "conformance/runner/runner.h"
#include "conformance/runner/verdict.h"
#include "spec/clauses.h"

namespace conform {

struct ScenarioRecord {
  std::string file;  // as run, relative to the runfiles/workspace root
  std::string area;
  std::vector<std::string> clauses;
  bool impl_only = false;  // every clause it names is IMPL
  std::string text;        // the scenario file
  std::vector<std::string> expected;  // its @expect lines
  ScenarioResult result;
  std::optional<KnownIssue> known;
  Judgement judgement;
};

struct ClauseRecord {
  spec::Clause clause;  // id only (level MUST) when clauses.txt does not list it
  std::string area;
  Status status = Status::kPass;     // the worst of its scenarios
  Verdict verdict = Verdict::kPass;  // the worst of its scenarios
  std::vector<size_t> scenarios;     // indexes into RuntimeRun::scenarios
};

struct RuntimeRun {
  std::string runtime;
  std::string description;
  std::string driver;
  std::string runtime_file;            // the description file it came from; "" from flags
  std::set<std::string> capabilities;  // as used: the driver's, after overrides
  std::set<std::string> declared_capabilities;  // as the driver declared them
  std::string capability_overrides;    // e.g. "-preemptive"; "" for none
  FamilyMap families;                  // the driver's declaration (protocol 2)
  std::vector<std::string> identity;   // what exactly ran (toolchain, library versions)
  std::string skipped;  // non-empty: not run, and why
  bool interrupted = false;  // stopped by SIGINT/SIGTERM: `scenarios` holds those that finished
  double seconds = 0;
  std::vector<ScenarioRecord> scenarios;
  std::vector<ClauseRecord> clauses;  // clauses.txt order; only those with scenarios run
};

// Judges results against the clauses and the expectations file (nullptr: no
// expectations), filling run->scenarios and run->clauses. parsed[i] is the
// scenario of results[i] (empty clauses when it did not parse).
void JudgeRun(const std::vector<ScenarioResult>& results, const std::vector<lang::Scenario>& parsed,
              const std::vector<spec::Clause>& clauses, const ExpectationsFile* expectations,
              RuntimeRun* run);

// Passes count only the runtime's own (native) passes; a pass that went
// through the shared engine is counted apart, in *_passed_engine.
struct RunCounts {
  int clauses_passed = 0, clauses_passed_engine = 0, clauses_failed = 0, clauses_expected = 0,
      clauses_unsupported = 0, clauses_impl_differs = 0, clauses_unexpected_pass = 0, clauses_flaky = 0;
  int scenarios = 0, scenarios_passed = 0, scenarios_passed_engine = 0;
  int problems = 0;         // new failures + unexpected passes + errors
  int scenario_errors = 0;  // malformed scenarios (ScenarioResult::invalid), counted in no clause
};

// Counts over MUST clauses (IMPL ones only in clauses_impl_differs) and scenarios.
RunCounts CountRun(const RuntimeRun& run);

}  // namespace conform
