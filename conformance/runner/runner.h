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
#include "conformance/runner/families.h"
#include "spec/clauses.h"

namespace conform {

// kLimit: the runner killed the driver for passing a resource limit (its
// memory or output); kError: the driver broke the protocol, or the scenario
// itself is malformed (ScenarioResult::invalid).
enum class Status { kPass, kFail, kTimeout, kCrash, kUnsupported, kError, kLimit };

// "PASS", "FAIL", ...
const char* StatusName(Status s);

// The status named `name` ("FAIL", ...); nullopt if there is none.
std::optional<Status> StatusFromName(std::string_view name);

struct ScenarioResult {
  std::string file;
  Status status = Status::kError;
  std::vector<std::string> failures;  // why, for anything but PASS
  // outcome.trace is the trace as kept (see SummarizeOutcome): the first
  // trace_head events, then the last ones; trace_events counts them all.
  RunOutcome outcome;
  int64_t trace_events = 0;
  size_t trace_head = 0;
  int64_t stderr_bytes = 0;  // the driver's stderr size; outcome.stderr_text may be cut
  double seconds = 0;
  // The scenario itself is malformed (it does not parse, names no clause or
  // an unknown one, expects nothing): ERROR, and credited to no clause.
  bool invalid = false;
  // The run was interrupted (SIGINT/SIGTERM) before this scenario finished:
  // no verdict, and left out of reports.
  bool interrupted = false;
  // The families the scenario needed that the driver borrows from the shared
  // engine: a pass with any is PASS (engine), not the runtime's own.
  std::vector<std::string> engine_families;
};

// What a report keeps of a finished scenario: a passing scenario's first
// and last kPassingTraceEnds events and kPassingStderrKept bytes of stderr
// (its start and end); any other's whole trace up to 2 * kFailingTraceEnds
// events (beyond that, the first and the last kFailingTraceEnds) and
// kStderrKept bytes of stderr. With RunOptions::summarize, applied as each
// scenario finishes, so a run holds little whatever the drivers print, and
// matrix.html for five runtimes stays under 2 MB.
inline constexpr size_t kPassingTraceEnds = 5;
inline constexpr size_t kFailingTraceEnds = 1000;
inline constexpr size_t kPassingStderrKept = 4 * 1024;
inline constexpr size_t kStderrKept = 64 * 1024;
void SummarizeOutcome(ScenarioResult& r);

// `text` cut to its first and last `keep / 2` bytes, with a line between
// saying how many were dropped; whole when it fits.
std::string CutMiddle(const std::string& text, size_t keep);

struct RunOptions {
  double timeout_scale = 1.0;  // multiplies each scenario's @timeout (the product is kept in [1 ms, 7 days])
  int64_t max_memory = int64_t{2} << 30;   // a driver's resident memory; 0: unlimited (see ChildLimits)
  int64_t max_output = int64_t{16} << 20;  // a driver's stdout, and stderr; 0: unlimited
  // Keep of each result only what a report keeps (SummarizeOutcome), as it
  // finishes: conform does, so that its memory stays bounded; a caller
  // that reads whole traces (the property tests) does not.
  bool summarize = false;
  // The spec's clauses, to reject a scenario naming an unknown one; null:
  // that check is skipped (the others never are).
  const std::vector<spec::Clause>* clauses = nullptr;
  // The driver has `--build FILE` (the Go drivers): compile first, with its
  // own limit, so that compile time never counts against @timeout.
  bool prebuild = false;
  int64_t prebuild_timeout_ms = 300'000;
  // The driver's fixed arguments (after the program) and "K=V" entries
  // added to its environment (a runtime description's command and env).
  std::vector<std::string> driver_args;
  std::vector<std::string> driver_env;
  // The driver's family declaration (protocol 2); a family it leaves out
  // counts as native. A scenario needing an absent family is UNSUPPORTED.
  FamilyMap families;
};

// The capabilities `driver --capabilities` declares (driver protocol 2, see
// driver_protocol.h for the rest of its answer); empty on failure (with the
// reason in *error when given).
std::set<std::string> QueryCapabilities(const std::string& driver, std::string* error = nullptr);

// Runs one parsed scenario with `driver` and judges the outcome.
ScenarioResult RunScenario(const std::string& driver, const std::set<std::string>& caps,
                           const lang::Scenario& sc, const RunOptions& opts = {});

// Parses and runs the scenario file at `path`. A malformed scenario (a parse
// error, or any problem spec::ScenarioProblems finds) is kError with
// `invalid` set, and is never run.
ScenarioResult RunScenarioFile(const std::string& driver, const std::set<std::string>& caps,
                               const std::string& path, lang::Scenario* parsed,
                               const RunOptions& opts = {});

}  // namespace conform
