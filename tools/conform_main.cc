// conform: runs the conformance suite against a runtime (or, with --all,
// every runtime) and reports a verdict per clause. `bazel run //tools:conform
// -- --help` for the flags. See conformance/INTERPRETING.md for the contract.
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <thread>

#include "conformance/lang/parser.h"
#include "conformance/runner/expectations_file.h"
#include "conformance/runner/reports.h"
#include "conformance/runner/runtimes.h"
#include "conformance/runner/suite.h"
#include "conformance/runner/suite_run.h"
#include "spec/clauses.h"
#include "tools/conform_flags.h"
#include "tools/conform_table.h"
#include "tools/matrix/matrix_html.h"

namespace conform {
namespace {

namespace fs = std::filesystem;

constexpr const char* kScenarioRoot = "conformance/scenarios";

// Exit statuses.
constexpr int kOk = 0, kProblems = 1, kUsage = 2;

struct Env {
  std::string workspace;   // the source tree, when known (bazel run)
  std::string report_dir;  // absolute
};

std::string Getenv(const char* name) {
  const char* v = std::getenv(name);
  return v ? v : "";
}

// Moves into the runfiles tree, so that drivers, scenarios and clauses are
// at their workspace-relative paths. false if it cannot be found.
bool EnterRunfiles(const char* argv0) {
  for (std::string dir : {Getenv("RUNFILES_DIR"), std::string(argv0) + ".runfiles"}) {
    if (!dir.empty() && fs::exists(dir + "/goconform/" + kScenarioRoot)) {
      fs::current_path(dir + "/goconform");
      return true;
    }
  }
  return fs::exists(kScenarioRoot);
}

// Where reports go and where the workspace is, resolved before EnterRunfiles.
Env ResolveEnv(const ConformFlags& flags) {
  Env env;
  env.workspace = Getenv("BUILD_WORKSPACE_DIRECTORY");
  std::string cwd = Getenv("BUILD_WORKING_DIRECTORY");
  if (cwd.empty()) cwd = fs::current_path().string();
  if (!flags.report_dir.empty()) env.report_dir = fs::absolute(fs::path(cwd) / flags.report_dir).string();
  else env.report_dir = (env.workspace.empty() ? cwd : env.workspace) + "/reports";
  // The Go drivers cache their builds; a persistent cache makes reruns fast.
  if (Getenv("CONFORM_GO_CACHE").empty() && !Getenv("HOME").empty())
    setenv("CONFORM_GO_CACHE", (Getenv("HOME") + "/.cache/goconform").c_str(), 1);
  return env;
}

// The expectations file to read and write: the source file when run by
// `bazel run` (so edits count without a rebuild), else the runfiles copy.
std::string ExpectationsFileFor(const Env& env, const std::string& runtime) {
  std::string rel = ExpectationsPath(runtime);
  if (!env.workspace.empty()) return env.workspace + "/" + rel;
  std::error_code ec;
  auto real = fs::canonical(rel, ec);
  return ec ? rel : real.string();
}

// Why the runtime cannot be run here; empty when it can.
std::string Unavailable(const RuntimeInfo& info) {
  if (access(info.driver.c_str(), X_OK) != 0)
    return "driver binary " + info.driver + " is missing (is its target built and in //tools:conform's data?)";
  if (std::string tool = MissingTool(info); !tool.empty()) return "'" + tool + "' is not on PATH (run tools/setup)";
  return "";
}

struct Suite {
  std::vector<std::string> files;  // selected
};

// The selected scenario files; an error message when a selector matches nothing.
std::optional<Suite> SelectScenarios(const Selection& sel, std::string* error) {
  std::vector<std::string> all = DiscoverScenarios(kScenarioRoot);
  if (all.empty()) {
    *error = std::string("no scenarios under ") + kScenarioRoot;
    return std::nullopt;
  }
  std::vector<std::pair<std::vector<std::string>, std::string>> meta;  // clauses, area
  for (const auto& f : all) {
    lang::ParseError err;
    auto sc = lang::ParseFile(f, &err);
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

// Runs one runtime with progress lines; run->skipped says why it did not.
RuntimeRun RunRuntime(const RuntimeInfo& info, const Suite& suite, const std::vector<spec::Clause>& clauses,
                      const ExpectationsFile* expectations, const ConformFlags& flags) {
  RuntimeRun run;
  run.runtime = info.name;
  run.description = info.description;
  run.driver = info.driver;
  std::string err;
  run.capabilities = QueryCapabilities(info.driver, &err);
  if (!err.empty()) {
    run.skipped = err;
    return run;
  }
  std::string caps;
  for (const auto& c : run.capabilities) caps += " " + c;
  int jobs = flags.jobs > 0 ? flags.jobs : std::max(1u, std::thread::hardware_concurrency());
  std::printf("== %s (%s): %zu scenarios, %d jobs; capabilities:%s\n", info.name.c_str(), info.description.c_str(),
              suite.files.size(), jobs, caps.empty() ? " none" : caps.c_str());
  std::fflush(stdout);
  RunOptions opts;
  opts.timeout_scale = flags.timeout_scale;
  opts.prebuild = info.prebuild;
  auto progress = [&](size_t k, size_t n, const ScenarioResult& r) {
    std::printf("[%zu/%zu] %-11s %s (%.2fs)\n", k, n, StatusName(r.status), r.file.c_str(), r.seconds);
    std::fflush(stdout);
  };
  auto start = std::chrono::steady_clock::now();
  std::vector<lang::Scenario> parsed;
  std::vector<ScenarioResult> results = RunScenarios(info.driver, run.capabilities, suite.files, opts, jobs, progress, &parsed);
  run.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  JudgeRun(results, parsed, clauses, expectations, &run);
  return run;
}

bool WriteFile(const std::string& path, const std::string& text) {
  std::ofstream out(path);
  out << text;
  return static_cast<bool>(out);
}

// Writes <runtime>.json and <runtime>.junit.xml.
void WriteReports(const RuntimeRun& run, const Env& env) {
  std::string base = env.report_dir + "/" + run.runtime;
  bool ok = WriteFile(base + ".json", RunToJson(run)) && WriteFile(base + ".junit.xml", RunToJunit(run));
  std::printf("%s %s.json and %s.junit.xml\n", ok ? "wrote" : "FAILED to write", base.c_str(), base.c_str());
}

// Rewrites the runtime's expectations file from the run.
void UpdateExpectations(const RuntimeRun& run, const ExpectationsFile& old, const std::string& path) {
  std::vector<ScenarioResult> results;
  for (const auto& s : run.scenarios) results.push_back(s.result);
  ExpectationsFile next = old.Updated(results);
  bool ok = WriteFile(path, next.Format());
  std::printf("%s %s (%zu entries)\n", ok ? "updated" : "FAILED to write", path.c_str(), next.entries.size());
}

// The expectations of a runtime; nullopt (after printing why) if unreadable.
std::optional<ExpectationsFile> LoadExpectations(const Env& env, const std::string& runtime, bool use) {
  if (!use) return ExpectationsFile{};
  std::vector<std::string> errors;
  auto file = ExpectationsFile::Read(ExpectationsFileFor(env, runtime), &errors);
  for (const auto& e : errors) std::fprintf(stderr, "conform: %s\n", e.c_str());
  return file;
}

std::string Now() {
  std::time_t t = std::time(nullptr);
  char buf[64];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S UTC", std::gmtime(&t));
  return buf;
}

int RunOne(const ConformFlags& flags, const Env& env, const Suite& suite, const std::vector<spec::Clause>& clauses) {
  const RuntimeInfo& info = *FindRuntime(flags.runtime);
  if (std::string why = Unavailable(info); !why.empty()) {
    std::fprintf(stderr, "conform: cannot run %s: %s\n", info.name.c_str(), why.c_str());
    return kUsage;
  }
  auto expectations = LoadExpectations(env, info.name, flags.use_expectations);
  if (!expectations) return kUsage;
  RuntimeRun run = RunRuntime(info, suite, clauses, flags.use_expectations ? &*expectations : nullptr, flags);
  if (!run.skipped.empty()) {
    std::fprintf(stderr, "conform: %s\n", run.skipped.c_str());
    return kUsage;
  }
  PrintClauseTable(run, stdout);
  PrintProblems(run, stdout);
  WriteReports(run, env);
  if (flags.update_expectations) {
    UpdateExpectations(run, *expectations, ExpectationsFileFor(env, info.name));
    return kOk;
  }
  return CountRun(run).problems > 0 ? kProblems : kOk;
}

int RunAll(const ConformFlags& flags, const Env& env, const Suite& suite, const std::vector<spec::Clause>& clauses) {
  std::vector<RuntimeRun> runs;
  bool problems = false;
  for (const auto& info : Runtimes()) {
    RuntimeRun run;
    run.runtime = info.name;
    run.description = info.description;
    run.driver = info.driver;
    run.skipped = Unavailable(info);
    auto expectations = LoadExpectations(env, info.name, flags.use_expectations);
    if (!expectations) return kUsage;
    if (run.skipped.empty())
      run = RunRuntime(info, suite, clauses, flags.use_expectations ? &*expectations : nullptr, flags);
    if (!run.skipped.empty()) {
      std::printf("== %s: skipped: %s\n", info.name.c_str(), run.skipped.c_str());
    } else {
      PrintClauseTable(run, stdout);
      PrintProblems(run, stdout);
      WriteReports(run, env);
      problems = problems || CountRun(run).problems > 0;
    }
    runs.push_back(std::move(run));
  }
  std::string path = env.report_dir + "/matrix.html";
  bool ok = WriteFile(path, MatrixHtml(runs, clauses, Now()));
  std::printf("%s %s\n", ok ? "wrote" : "FAILED to write", path.c_str());
  for (const auto& run : runs) {
    if (!run.skipped.empty()) continue;
    RunCounts n = CountRun(run);
    std::printf("  %-10s %3d passed, %d failed, %d expected failures, %d unsupported, %d IMPL differ (%.1fs)\n",
                run.runtime.c_str(), n.clauses_passed, n.clauses_failed, n.clauses_expected,
                n.clauses_unsupported, n.clauses_impl_differs, run.seconds);
  }
  return problems ? kProblems : kOk;
}

int Main(int argc, char** argv) {
  std::string error;
  auto flags = ParseConformFlags(argc, argv, &error);
  if (!flags) {
    std::fprintf(stderr, "conform: %s\n%s", error.c_str(), ConformUsage().c_str());
    return kUsage;
  }
  if (flags->help) {
    std::printf("%s", ConformUsage().c_str());
    return kOk;
  }
  Env env = ResolveEnv(*flags);
  if (!EnterRunfiles(argv[0])) {
    std::fprintf(stderr, "conform: cannot find the runfiles (run it with `bazel run //tools:conform`)\n");
    return kUsage;
  }
  auto clauses = spec::ReadClauses("spec/clauses.txt", &error);
  if (!clauses) {
    std::fprintf(stderr, "conform: %s\n", error.c_str());
    return kUsage;
  }
  auto suite = SelectScenarios(flags->selection, &error);
  if (!suite) {
    std::fprintf(stderr, "conform: %s\n", error.c_str());
    return kUsage;
  }
  std::error_code ec;
  fs::create_directories(env.report_dir, ec);
  if (ec) {
    std::fprintf(stderr, "conform: cannot create %s: %s\n", env.report_dir.c_str(), ec.message().c_str());
    return kUsage;
  }
  return flags->all ? RunAll(*flags, env, *suite, *clauses) : RunOne(*flags, env, *suite, *clauses);
}

}  // namespace
}  // namespace conform

int main(int argc, char** argv) { return conform::Main(argc, argv); }
