// conform: runs the conformance suite against a runtime (or, with --all,
// every runtime) and reports a verdict per clause. `bazel run //tools:conform
// -- --help` for the flags. See conformance/INTERPRETING.md for the contract.
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <thread>

#include "conformance/lang/parser.h"
#include "conformance/runner/child_process.h"
#include "conformance/runner/driver_protocol.h"
#include "conformance/runner/expectations_file.h"
#include "conformance/runner/reports.h"
#include "conformance/runner/runtimes.h"
#include "conformance/runner/suite.h"
#include "conformance/runner/suite_run.h"
#include "spec/clauses.h"
#include "tools/conform_flags.h"
#include "tools/conform_runtimes.h"
#include "tools/conform_table.h"
#include "tools/matrix/matrix_html.h"

namespace conform {
namespace {

namespace fs = std::filesystem;

constexpr const char* kScenarioRoot = "conformance/scenarios";
constexpr const char* kRuntimeDir = "conformance/runtimes";  // the tree's runtime descriptions
constexpr const char* kDefaultRuntime = "reference";

// Exit statuses (interrupted: 128 + the signal, as a shell reports it).
constexpr int kOk = 0, kProblems = 1, kUsage = 2, kWriteFailed = 3;

struct Env {
  std::string workspace;   // the source tree, when known (bazel run)
  std::string report_dir;  // absolute
  std::vector<std::string> scenario_paths;  // absolute; empty: the suite's own
};

std::string Getenv(const char* name) {
  const char* v = std::getenv(name);
  return v ? v : "";
}

// Moves into the runfiles tree, so that drivers, scenarios and clauses are
// at their workspace-relative paths: under `bazel run`, `bazel test`, or the
// built binary run directly (by any path, or from PATH). false if it cannot
// be found.
bool EnterRunfiles(const char* argv0) {
  std::error_code ec;
  std::string self = fs::read_symlink("/proc/self/exe", ec).string();
  for (std::string dir : {Getenv("RUNFILES_DIR"), Getenv("TEST_SRCDIR"), std::string(argv0) + ".runfiles",
                          self.empty() ? std::string() : self + ".runfiles"}) {
    if (!dir.empty() && fs::exists(dir + "/goconform/" + kScenarioRoot)) {
      fs::current_path(dir + "/goconform");
      return true;
    }
  }
  return fs::exists(kScenarioRoot);
}

// The directory conform was started from (bazel run's, not the runfiles).
std::string InvocationDir() {
  std::string cwd = Getenv("BUILD_WORKING_DIRECTORY");
  return cwd.empty() ? fs::current_path().string() : cwd;
}

// --go and --gccgo: the drivers read CONFORM_GO and CONFORM_GCCGO.
void ExportToolchains(const ConformFlags& flags) {
  if (!flags.go.empty()) setenv("CONFORM_GO", flags.go.c_str(), 1);
  if (!flags.gccgo.empty()) setenv("CONFORM_GCCGO", flags.gccgo.c_str(), 1);
}

// Where reports go and where the workspace is, resolved before EnterRunfiles.
Env ResolveEnv(const ConformFlags& flags) {
  Env env;
  env.workspace = Getenv("BUILD_WORKSPACE_DIRECTORY");
  std::string cwd = InvocationDir();
  if (!flags.report_dir.empty()) env.report_dir = fs::absolute(fs::path(cwd) / flags.report_dir).string();
  else env.report_dir = (env.workspace.empty() ? cwd : env.workspace) + "/reports";
  for (const auto& p : flags.scenario_paths)
    env.scenario_paths.push_back(fs::absolute(fs::path(cwd) / p).lexically_normal().string());
  // The Go drivers cache their builds; a persistent cache makes reruns fast.
  if (Getenv("CONFORM_GO_CACHE").empty() && !Getenv("HOME").empty())
    setenv("CONFORM_GO_CACHE", (Getenv("HOME") + "/.cache/goconform").c_str(), 1);
  return env;
}

// The expectations file to read and write: through the runfiles' symlink,
// the source file itself (so edits count without a rebuild, and
// --update-expectations rewrites the file in the tree).
std::string ExpectationsFileFor(const RuntimeSpec& spec) {
  std::error_code ec;
  auto real = fs::canonical(spec.expectations, ec);
  return ec ? spec.expectations : real.string();
}

struct Suite {
  std::vector<std::string> files;  // selected
};

// The scenario files named on the command line: a file as given, a folder
// as every .scn file under it, each once. An error message for a path that
// is neither.
std::optional<std::vector<std::string>> ScenariosAt(const std::vector<std::string>& paths, std::string* error) {
  std::vector<std::string> out;
  auto add = [&](const std::string& f) {
    if (std::find(out.begin(), out.end(), f) == out.end()) out.push_back(f);
  };
  for (const auto& p : paths) {
    std::error_code ec;
    auto st = fs::status(p, ec);
    if (ec || !fs::exists(st)) {
      *error = "no scenario file or folder " + p + (ec ? " (" + ec.message() + ")" : "");
      return std::nullopt;
    }
    if (!fs::is_directory(st)) {
      add(p);
      continue;
    }
    std::vector<std::string> found = DiscoverScenarios(p);
    if (found.empty()) {
      *error = "no .scn files under " + p;
      return std::nullopt;
    }
    for (const auto& f : found) add(f);
  }
  return out;
}

// The selected scenario files; an error message when a selector matches nothing.
std::optional<Suite> SelectScenarios(const Selection& sel, const std::vector<std::string>& paths,
                                     std::string* error) {
  std::vector<std::string> all;
  if (paths.empty()) {
    all = DiscoverScenarios(kScenarioRoot);
  } else if (auto given = ScenariosAt(paths, error)) {
    all = std::move(*given);
  } else {
    return std::nullopt;
  }
  if (all.empty()) {
    *error = std::string("no scenarios under ") + kScenarioRoot;
    return std::nullopt;
  }
  // Clauses and areas are read only when a selector needs them: a parse is
  // the costliest step of a big scenario, and the run parses it anyway.
  bool by_clause = !sel.clause_globs.empty() || !sel.features.empty();
  std::vector<std::pair<std::vector<std::string>, std::string>> meta;  // clauses, area
  for (const auto& f : all) {
    lang::ParseError err;
    std::optional<lang::Scenario> sc = by_clause ? lang::ParseFile(f, &err) : std::nullopt;
    std::vector<std::string> clauses = sc ? sc->clauses : std::vector<std::string>{};
    meta.emplace_back(clauses, ScenarioArea(f, clauses));
  }
  auto matches_any = [&](const Selection& one) {
    for (size_t i = 0; i < all.size(); ++i)
      if (Selected(one, all[i], meta[i].second, meta[i].first)) return true;
    return false;
  };
  for (const auto& g : sel.clause_globs)
    if (!matches_any({{g}, {}, {}})) *error = "--clause=" + g + " matches no clause of any scenario (ids look like goexit.runs-defers-lifo)";
  for (const auto& a : sel.features)
    if (!matches_any({{}, {a}, {}})) *error = "--feature=" + a + " matches no scenario area (e.g. goexit, chan, select)";
  for (const auto& s : sel.file_substrings)
    if (!matches_any({{}, {}, {s}})) *error = "--file=" + s + " matches no scenario path";
  if (!error->empty()) return std::nullopt;
  Suite suite;
  for (size_t i = 0; i < all.size(); ++i)
    if (Selected(sel, all[i], meta[i].second, meta[i].first)) suite.files.push_back(all[i]);
  if (suite.files.empty()) {
    *error = "the selectors together match no scenario";
    return std::nullopt;
  }
  return suite;
}

// How every scenario runs: the flags' scale and limits, and the clauses a
// scenario must name.
RunOptions RunOptionsFor(const ConformFlags& flags, const std::vector<spec::Clause>& clauses) {
  RunOptions opts;
  opts.timeout_scale = flags.timeout_scale;
  opts.max_memory = flags.driver_memory;
  opts.max_output = flags.driver_output;
  opts.clauses = &clauses;
  opts.summarize = true;
  return opts;
}

// Removes the results an interrupt cut short (and their parsed scenarios);
// whether there were any.
bool DropInterrupted(std::vector<ScenarioResult>& results, std::vector<lang::Scenario>& parsed) {
  size_t kept = 0;
  for (size_t i = 0; i < results.size(); ++i) {
    if (results[i].interrupted) continue;
    if (kept != i) {
      results[kept] = std::move(results[i]);
      parsed[kept] = std::move(parsed[i]);
    }
    ++kept;
  }
  bool dropped = kept < results.size();
  results.resize(kept);
  parsed.resize(kept);
  return dropped || InterruptSignal() != 0;
}

// A run of `spec` before any scenario: its provenance.
RuntimeRun NewRun(const RuntimeSpec& spec) {
  RuntimeRun run;
  run.runtime = spec.name;
  run.description = spec.description;
  run.runtime_file = spec.file;
  for (const auto& w : spec.command.argv) run.driver += (run.driver.empty() ? "" : " ") + w;
  for (const auto& o : spec.capabilities) run.capability_overrides += (run.capability_overrides.empty() ? "" : " ") + o;
  return run;
}

// The header of a runtime's run: capabilities, borrowed or absent families,
// identity lines.
void PrintRunHeader(const RuntimeRun& run, size_t scenarios, int jobs) {
  std::string caps, families;
  for (const auto& c : run.capabilities) caps += " " + c;
  for (const auto& [name, source] : run.families)
    if (source != FamilySource::kNative) families += " " + name + "=" + FamilySourceName(source);
  std::printf("== %s (%s): %zu scenarios, %d jobs; capabilities:%s%s\n", run.runtime.c_str(), run.description.c_str(),
              scenarios, jobs, caps.empty() ? " none" : caps.c_str(),
              run.capability_overrides.empty() ? "" : (" (overridden: " + run.capability_overrides + ")").c_str());
  if (!families.empty()) std::printf("   families not native:%s\n", families.c_str());
  for (const auto& id : run.identity) std::printf("   identity: %s\n", id.c_str());
  std::fflush(stdout);
}

// Runs one runtime with progress lines; run->skipped says why it did not
// (its driver cannot say what it is: one line).
RuntimeRun RunRuntime(const RuntimeSpec& spec, const Suite& suite, const std::vector<spec::Clause>& clauses,
                      const ExpectationsFile* expectations, const ConformFlags& flags) {
  RuntimeRun run = NewRun(spec);
  auto queried = QueryRuntime(spec, &run.skipped);
  if (!queried) return run;
  run.declared_capabilities = queried->info.capabilities;
  run.capabilities = queried->capabilities;
  run.families = queried->info.families;
  run.identity = queried->info.identity;
  int jobs = flags.jobs > 0 ? flags.jobs : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  jobs = static_cast<int>(std::min<size_t>(static_cast<size_t>(jobs), suite.files.size()));
  PrintRunHeader(run, suite.files.size(), jobs);
  RunOptions opts = RunOptionsFor(flags, clauses);
  ApplyDriver(spec, queried->info, &opts);
  auto progress = [&](size_t k, size_t n, const ScenarioResult& r) {
    std::printf("[%zu/%zu] %-11s %s (%.2fs)\n", k, n, StatusName(r.status), r.file.c_str(), r.seconds);
    std::fflush(stdout);
  };
  auto start = std::chrono::steady_clock::now();
  std::vector<lang::Scenario> parsed;
  std::string warning;
  std::vector<ScenarioResult> results =
      RunScenarios(spec.command.argv[0], run.capabilities, suite.files, opts, jobs, progress, &parsed, &warning);
  if (!warning.empty()) std::fprintf(stderr, "conform: warning: %s\n", warning.c_str());
  run.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  run.interrupted = DropInterrupted(results, parsed);
  JudgeRun(results, parsed, clauses, expectations, &run);
  return run;
}

// Writes each (path, text), printing what was written and every failure;
// whether all were written.
bool WriteAll(const std::vector<std::pair<std::string, std::string>>& files) {
  bool ok = true;
  for (const auto& [path, text] : files) {
    if (auto err = WriteTextFile(path, text)) {
      std::fprintf(stderr, "conform: %s\n", err->c_str());
      ok = false;
    } else {
      std::printf("wrote %s\n", path.c_str());
    }
  }
  return ok;
}

// Writes <runtime>.json and <runtime>.junit.xml; whether both were written.
bool WriteReports(const RuntimeRun& run, const Env& env) {
  std::string base = env.report_dir + "/" + run.runtime;
  return WriteAll({{base + ".json", RunToJson(run)}, {base + ".junit.xml", RunToJunit(run)}});
}

// Whether reports can be created in the report directory: checked before a
// run, so that a long run never ends unable to write. An error if not.
std::optional<std::string> CheckReportDir(const std::string& dir) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return "cannot create the report directory " + dir + ": " + ec.message();
  std::string probe = dir + "/.conform-write-test-" + std::to_string(getpid());
  if (auto err = WriteTextFile(probe, "")) return "cannot write reports to " + dir + " (" + *err + ")";
  std::remove(probe.c_str());
  return std::nullopt;
}

// Rewrites the runtime's expectations file from the run (a new file gets a
// header saying what it is); whether it was written.
bool UpdateExpectations(const RuntimeRun& run, const ExpectationsFile& old, const std::string& path) {
  if (run.interrupted) {
    std::fprintf(stderr, "conform: not updating %s: the run was interrupted\n", path.c_str());
    return true;
  }
  std::vector<ScenarioResult> results;
  for (const auto& s : run.scenarios) results.push_back(s.result);
  ExpectationsFile next = old.Updated(results);
  if (next.header.empty())
    next.header = {"# Known failures of the " + run.runtime + " runtime. One line per scenario:",
                   "#   PATH | FAIL|CRASH|TIMEOUT|UNSUPPORTED|ERROR|LIMIT | category | reason",
                   "#   flaky PATH | reason",
                   "# Replace each TODO with the reason, checked by hand (conformance/INTERPRETING.md)."};
  if (auto err = WriteTextFile(path, next.Format())) {
    std::fprintf(stderr, "conform: %s\n", err->c_str());
    return false;
  }
  std::printf("updated %s (%zu entries)\n", path.c_str(), next.entries.size());
  return true;
}

// The exit status for a run: interrupted (128 + signal) over a write
// failure over problems.
int ExitStatus(bool problems, bool written) {
  if (int sig = InterruptSignal()) {
    std::fprintf(stderr, "conform: interrupted by %s; the reports hold the scenarios that finished\n",
                 sig == SIGINT ? "SIGINT" : "SIGTERM");
    return 128 + sig;
  }
  if (!written) return kWriteFailed;
  return problems ? kProblems : kOk;
}

// The expectations of a runtime (none when it names no file); nullopt
// (after printing why) if unreadable.
std::optional<ExpectationsFile> LoadExpectations(const RuntimeSpec& spec, bool use) {
  if (!use || spec.expectations.empty()) return ExpectationsFile{};
  std::vector<std::string> errors;
  std::string path = ExpectationsFileFor(spec);
  if (!fs::exists(path))
    std::printf("== %s: %s does not exist yet: every failure is new (--update-expectations writes it)\n",
                spec.name.c_str(), path.c_str());
  auto file = ExpectationsFile::Read(path, &errors);
  for (const auto& e : errors) std::fprintf(stderr, "conform: %s\n", e.c_str());
  return file;
}

std::string Now() {
  std::time_t t = std::time(nullptr);
  char buf[64];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S UTC", std::gmtime(&t));
  return buf;
}

// Whether expectations judge the run: asked for, and the runtime has a file.
bool Judged(const RuntimeSpec& spec, const ConformFlags& flags) {
  return flags.use_expectations && !spec.expectations.empty();
}

int RunOne(const RuntimeSpec& spec, const ConformFlags& flags, const Env& env, const Suite& suite,
           const std::vector<spec::Clause>& clauses) {
  if (flags.update_expectations && spec.expectations.empty()) {
    std::fprintf(stderr, "conform: %s has no expectations file to update: give --expectations=FILE\n",
                 spec.name.c_str());
    return kUsage;
  }
  auto expectations = LoadExpectations(spec, flags.use_expectations);
  if (!expectations) return kUsage;
  RuntimeRun run = RunRuntime(spec, suite, clauses, Judged(spec, flags) ? &*expectations : nullptr, flags);
  if (!run.skipped.empty()) {
    std::fprintf(stderr, "conform: cannot run %s: %s\n", spec.name.c_str(), run.skipped.c_str());
    return kUsage;
  }
  PrintClauseTable(run, stdout);
  PrintProblems(run, stdout);
  bool written = WriteReports(run, env);
  if (flags.update_expectations) {
    written = UpdateExpectations(run, *expectations, ExpectationsFileFor(spec)) && written;
    return ExitStatus(CountRun(run).scenario_errors > 0, written);
  }
  return ExitStatus(CountRun(run).problems > 0, written);
}

// Every runtime, then the matrix. A runtime whose driver cannot say what it
// is gets a greyed column with the reason, and the run exits 2.
int RunAll(const std::vector<RuntimeSpec>& specs, const ConformFlags& flags, const Env& env, const Suite& suite,
           const std::vector<spec::Clause>& clauses) {
  std::vector<RuntimeRun> runs;
  bool problems = false, written = true, not_run = false;
  for (const auto& spec : specs) {
    if (InterruptSignal()) break;
    auto expectations = LoadExpectations(spec, flags.use_expectations);
    if (!expectations) return kUsage;
    RuntimeRun run = RunRuntime(spec, suite, clauses, Judged(spec, flags) ? &*expectations : nullptr, flags);
    if (!run.skipped.empty()) {
      std::printf("== %s: NOT RUN: %s\n", spec.name.c_str(), run.skipped.c_str());
      not_run = true;
    } else {
      PrintClauseTable(run, stdout);
      PrintProblems(run, stdout);
      written = WriteReports(run, env) && written;
      problems = problems || CountRun(run).problems > 0;
    }
    runs.push_back(std::move(run));
  }
  written = WriteAll({{env.report_dir + "/matrix.html", MatrixHtml(runs, clauses, Now())}}) && written;
  for (const auto& run : runs) {
    if (!run.skipped.empty()) continue;
    RunCounts n = CountRun(run);
    std::printf("  %-18s %3d passed, %d failed, %d errors, %d passed through the engine, %d expected failures, "
                "%d unsupported, %d IMPL differ (%.1fs)%s\n",
                run.runtime.c_str(), n.clauses_passed, n.clauses_failed, n.scenario_errors, n.clauses_passed_engine,
                n.clauses_expected, n.clauses_unsupported, n.clauses_impl_differs, run.seconds,
                run.interrupted ? " INTERRUPTED" : "");
  }
  for (const auto& run : runs)
    if (!run.skipped.empty()) std::printf("  %-18s NOT RUN: %s\n", run.runtime.c_str(), run.skipped.c_str());
  int status = ExitStatus(problems, written);
  return status == kOk && not_run ? kUsage : status;
}

// The runtimes this invocation runs; nullopt after printing why.
std::optional<std::vector<RuntimeSpec>> LoadRuntimes(const ConformFlags& flags) {
  std::string error;
  auto builtin = ReadRuntimesIn(kRuntimeDir, &error);
  std::optional<std::vector<RuntimeSpec>> chosen;
  if (builtin) chosen = ChooseRuntimes(flags, *builtin, kDefaultRuntime, &error);
  if (!chosen) std::fprintf(stderr, "conform: %s\n", error.c_str());
  return chosen;
}

int Main(int argc, char** argv) {
  std::string error;
  auto flags = ParseConformFlags(argc, argv, &error);
  if (!flags) {
    std::fprintf(stderr, "conform: %s\n%s", error.c_str(), ConformUsage().c_str());
    return kUsage;
  }
  Env env = ResolveEnv(*flags);
  ResolveUserPaths(&*flags, InvocationDir());
  ExportToolchains(*flags);
  if (flags->help) {
    std::string ignored;
    auto builtin = EnterRunfiles(argv[0]) ? ReadRuntimesIn(kRuntimeDir, &ignored) : std::nullopt;
    std::printf("%s", ConformUsage(builtin ? RuntimeNames(*builtin) : std::vector<std::string>{}).c_str());
    return kOk;
  }
  if (!EnterRunfiles(argv[0])) {
    std::fprintf(stderr, "conform: cannot find the runfiles (run it with `bazel run //tools:conform`)\n");
    return kUsage;
  }
  auto runtimes = LoadRuntimes(*flags);
  if (!runtimes) return kUsage;
  auto clauses = spec::ReadClauses("spec/clauses.txt", &error);
  if (!clauses) {
    std::fprintf(stderr, "conform: %s\n", error.c_str());
    return kUsage;
  }
  auto suite = SelectScenarios(flags->selection, env.scenario_paths, &error);
  if (!suite) {
    std::fprintf(stderr, "conform: %s\n", error.c_str());
    return kUsage;
  }
  if (auto err = CheckReportDir(env.report_dir)) {
    std::fprintf(stderr, "conform: %s\n", err->c_str());
    return kWriteFailed;
  }
  InstallInterruptForwarding(OnInterrupt::kReturn);
  return flags->all ? RunAll(*runtimes, *flags, env, *suite, *clauses)
                    : RunOne(runtimes->front(), *flags, env, *suite, *clauses);
}

}  // namespace
}  // namespace conform

int main(int argc, char** argv) { return conform::Main(argc, argv); }
