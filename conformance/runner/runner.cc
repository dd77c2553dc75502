#include "conformance/runner/runner.h"

#include <sys/wait.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <sstream>

#include "conformance/interp/driver.h"
#include "conformance/lang/parser.h"
#include "conformance/runner/child_process.h"
#include "conformance/runner/driver_output.h"
#include "conformance/runner/driver_protocol.h"
#include "spec/lint.h"

namespace conform {
namespace {

constexpr Status kAllStatuses[] = {Status::kPass,        Status::kFail,  Status::kTimeout, Status::kCrash,
                                   Status::kUnsupported, Status::kError, Status::kLimit};

// A scaled @timeout as whole milliseconds in [1 ms, 7 days]; the scale is
// range-checked by conform, but a scenario's @timeout may be any int64.
int64_t ScaledTimeout(int64_t timeout_ms, double scale) {
  constexpr double kMax = 7.0 * 24 * 3600 * 1000;
  double ms = static_cast<double>(timeout_ms) * scale;
  if (!(ms >= 1)) return 1;  // NaN too
  return static_cast<int64_t>(std::min(ms, kMax));
}

ChildLimits LimitsOf(const RunOptions& opts) { return {opts.max_memory, opts.max_output}; }

// The first required capability the driver lacks, if any.
std::optional<std::string> MissingCapability(const std::set<std::string>& caps,
                                             const lang::Scenario& sc) {
  for (const auto& need : sc.requires_caps)
    if (!caps.count(need)) return need;
  return std::nullopt;
}

// The driver's command line: program, fixed arguments, then `args`.
std::vector<std::string> DriverArgv(const std::string& driver, const RunOptions& opts,
                                    std::initializer_list<std::string> args) {
  std::vector<std::string> argv = {driver};
  argv.insert(argv.end(), opts.driver_args.begin(), opts.driver_args.end());
  argv.insert(argv.end(), args);
  return argv;
}

// Runs `driver --build FILE`; an error message when that failed.
std::optional<std::string> Prebuild(const std::string& driver, const lang::Scenario& sc,
                                    const RunOptions& opts) {
  ChildResult r = RunChild(DriverArgv(driver, opts, {"--build", sc.file}), sc.gomaxprocs, opts.prebuild_timeout_ms,
                           opts.driver_env, LimitsOf(opts));
  if (!r.limit.empty()) return "build killed: " + r.limit;
  if (!r.spawn_error.empty()) return "could not start " + driver + ": " + r.spawn_error;
  if (r.timed_out) return "build timed out after " + std::to_string(opts.prebuild_timeout_ms) + " ms";
  if (WIFEXITED(r.wait_status) && WEXITSTATUS(r.wait_status) == 0) return std::nullopt;
  return "build failed: " + r.err;
}

// Judges a finished child process against the scenario.
void Judge(const lang::Scenario& sc, const ChildResult& r, int64_t timeout_ms, ScenarioResult& res) {
  if (!r.limit.empty()) {
    // The output read so far is kept for the report, but a cut trace is no
    // evidence either way: the verdict is the limit.
    res.status = Status::kLimit;
    res.failures.push_back(r.limit);
    res.outcome.trace = ReadDriverStdout(r.out).trace;
    return;
  }
  if (r.timed_out) {
    res.status = Status::kTimeout;
    res.failures.push_back("no exit within " + std::to_string(timeout_ms) + " ms");
    return;
  }
  if (WIFSIGNALED(r.wait_status)) {
    res.status = Status::kCrash;
    res.failures.push_back(std::string("killed by signal ") + strsignal(WTERMSIG(r.wait_status)));
    return;
  }
  res.outcome.exit_status = WEXITSTATUS(r.wait_status);
  if (res.outcome.exit_status == kDriverErrorExit) {
    res.status = Status::kError;
    res.failures.push_back("driver could not run the scenario: " + r.err);
    return;
  }
  DriverOutput out = ReadDriverStdout(r.out);
  res.outcome.trace = std::move(out.trace);
  if (out.error) {
    // A protocol violation is the driver's fault, not a verdict on the runtime.
    res.status = Status::kError;
    res.failures.push_back(*out.error);
    return;
  }
  res.failures = CheckExpectations(sc, res.outcome);
  res.status = res.failures.empty() ? Status::kPass : Status::kFail;
}

}  // namespace

const char* StatusName(Status s) {
  switch (s) {
    case Status::kPass: return "PASS";
    case Status::kFail: return "FAIL";
    case Status::kTimeout: return "TIMEOUT";
    case Status::kCrash: return "CRASH";
    case Status::kUnsupported: return "UNSUPPORTED";
    case Status::kError: return "ERROR";
    case Status::kLimit: return "LIMIT";
  }
  return "?";
}

std::optional<Status> StatusFromName(std::string_view name) {
  for (Status s : kAllStatuses)
    if (name == StatusName(s)) return s;
  return std::nullopt;
}

std::set<std::string> QueryCapabilities(const std::string& driver, std::string* error) {
  std::string why;
  auto info = QueryDriver({{driver}, {}}, &why);
  if (!info) {
    if (error) *error = why;
    return {};
  }
  return info->capabilities;
}

ScenarioResult RunScenario(const std::string& driver, const std::set<std::string>& caps,
                           const lang::Scenario& sc, const RunOptions& opts) {
  ScenarioResult res;
  res.file = sc.file;
  if (auto need = MissingCapability(caps, sc)) {
    res.status = Status::kUnsupported;
    res.failures.push_back("needs capability " + *need);
    return res;
  }
  std::set<std::string> needed = NeededFamilies(sc);
  if (std::string absent = AbsentFamily(opts.families, needed); !absent.empty()) {
    res.status = Status::kUnsupported;
    res.failures.push_back("needs the " + absent + " family, which the driver declares absent");
    return res;
  }
  res.engine_families = EngineFamilies(opts.families, needed);
  if (opts.prebuild) {
    if (auto err = Prebuild(driver, sc, opts)) {
      res.interrupted = InterruptSignal() != 0;
      res.status = Status::kError;
      res.failures.push_back(*err);
      return res;
    }
  }
  int64_t timeout_ms = ScaledTimeout(sc.timeout_ms, opts.timeout_scale);
  auto start = std::chrono::steady_clock::now();
  ChildResult r =
      RunChild(DriverArgv(driver, opts, {sc.file}), sc.gomaxprocs, timeout_ms, opts.driver_env, LimitsOf(opts));
  res.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  res.outcome.stderr_text = std::move(r.err);
  if (r.interrupted) {
    res.interrupted = true;
    res.failures.push_back("interrupted");
    return res;
  }
  if (!r.spawn_error.empty()) {
    std::string why = ExecutableProblem(driver);
    res.status = Status::kError;
    res.failures.push_back("could not start " + driver + ": " + (why.empty() ? r.spawn_error : why));
    return res;
  }
  Judge(sc, r, timeout_ms, res);
  if (opts.summarize) SummarizeOutcome(res);
  return res;
}

std::string CutMiddle(const std::string& text, size_t keep) {
  if (text.size() <= keep) return text;
  size_t half = keep / 2;
  return text.substr(0, half) + "\n[... " + std::to_string(text.size() - 2 * half) + " bytes cut ...]\n" +
         text.substr(text.size() - half);
}

void SummarizeOutcome(ScenarioResult& r) {
  std::vector<Event>& trace = r.outcome.trace;
  r.trace_events = static_cast<int64_t>(trace.size());
  size_t ends = r.status == Status::kPass ? kPassingTraceEnds : kFailingTraceEnds;
  r.trace_head = trace.size();
  if (trace.size() > 2 * ends) {
    r.trace_head = ends;
    trace.erase(trace.begin() + static_cast<ptrdiff_t>(ends), trace.end() - static_cast<ptrdiff_t>(ends));
    trace.shrink_to_fit();
  }
  r.stderr_bytes = static_cast<int64_t>(r.outcome.stderr_text.size());
  r.outcome.stderr_text =
      CutMiddle(r.outcome.stderr_text, r.status == Status::kPass ? kPassingStderrKept : kStderrKept);
}

ScenarioResult RunScenarioFile(const std::string& driver, const std::set<std::string>& caps,
                               const std::string& path, lang::Scenario* parsed,
                               const RunOptions& opts) {
  ScenarioResult invalid;
  invalid.file = path;
  invalid.invalid = true;
  lang::ParseError err;
  auto sc = lang::ParseFile(path, &err);
  if (!sc) {
    invalid.failures.push_back(err.ToString());
    return invalid;
  }
  if (parsed) *parsed = *sc;
  invalid.failures = spec::ScenarioProblems(opts.clauses, *sc);
  if (!invalid.failures.empty()) return invalid;
  return RunScenario(driver, caps, *sc, opts);
}

}  // namespace conform
