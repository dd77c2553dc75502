// differential_fuzzer: bytes -> a small deterministic scenario (see
// scenario_decoder.h) -> printed with lang::Print -> run by the reference
// runtime's driver in deterministic mode (GORUNTIME_SCHED=seed:<from the
// bytes>) -> the observed trace and exit status must be a legal outcome
// under the executable model (spec/model). A disagreement writes the
// scenario text, the seed and the observation to stderr and calls abort().
//
// The driver binary is found from, in order: the environment variable
// FUZZ_REFERENCE_DRIVER (tools/fuzz sets it), or the flag
// --reference_driver=PATH (libFuzzer passes "--" flags through untouched).
// FUZZ_DIFF_TIMEOUT_MS overrides the 2000 ms wall-clock limit per run;
// FUZZ_DIFF_VERBOSE=1 prints every scenario and what the driver wrote.
//
// Outcomes:
//  - exit status + trace the model accepts: agreement.
//  - the model's bound is exceeded: skipped (counted).
//  - timeout: consistent if the model says the trace seen so far can end in a
//    deadlock (the runtime blocked for good but did not report it); any other
//    timeout is a disagreement (a hang the model does not allow).
//  - killed by a signal, exit 125 (driver could not parse the printed text),
//    exit 2 without Go's "panic: " or "fatal error: " on stderr, or a stdout
//    line that is not a trace event: a disagreement.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <sstream>
#include <string>
#include <vector>

#include "conformance/interp/trace.h"
#include "conformance/lang/parser.h"
#include "conformance/lang/printer.h"
#include "conformance/runner/child_process.h"
#include "fuzz/scenario_decoder.h"
#include "spec/model/model.h"

extern char** environ;

namespace {

std::string g_driver;
std::string g_scenario_path;
int64_t g_timeout_ms = 2000;
bool g_verbose = false;  // FUZZ_DIFF_VERBOSE=1: show every scenario and its outcome
constexpr int64_t kModelStates = 300000;

struct Stats {
  uint64_t runs = 0, agreed = 0, bound = 0, timeout_deadlock = 0;
} g_stats;

using conform::ChildResult;

// Runs `driver scenario` with GORUNTIME_SCHED=seed:<seed> and no GOMAXPROCS.
ChildResult RunDriver(uint32_t seed) {
  ChildResult r = conform::RunChild({g_driver, g_scenario_path}, std::nullopt, g_timeout_ms,
                                    {"GORUNTIME_SCHED=seed:" + std::to_string(seed)});
  if (!r.spawn_error.empty()) {
    // Not a disagreement: the setup is broken (tools/fuzz stops on this).
    std::fprintf(stderr, "differential_fuzzer: setup error: cannot start %s: %s\n", g_driver.c_str(),
                 r.spawn_error.c_str());
    std::exit(2);
  }
  return r;
}

std::string ShowTrace(const std::vector<conform::Event>& trace) {
  std::string s;
  for (const auto& e : trace) s += "  " + conform::EventToJson(e) + "\n";
  return s;
}

[[noreturn]] void Disagree(const char* why, const std::string& text, uint32_t seed, const ChildResult* r,
                           const std::vector<conform::Event>* trace, const std::string& extra) {
  std::fprintf(stderr,
               "\ndifferential_fuzzer: DISAGREEMENT: %s\n"
               "--- scenario (run: GORUNTIME_SCHED=seed:%u %s FILE.scn) ---\n%s"
               "--- seed ---\nGORUNTIME_SCHED=seed:%u\n",
               why, seed, g_driver.c_str(), text.c_str(), seed);
  if (r) {
    if (r->timed_out) std::fprintf(stderr, "--- status ---\ntimed out after %lld ms\n", static_cast<long long>(g_timeout_ms));
    else if (WIFSIGNALED(r->wait_status)) std::fprintf(stderr, "--- status ---\nkilled by signal %d\n", WTERMSIG(r->wait_status));
    else std::fprintf(stderr, "--- status ---\nexit %d\n", WEXITSTATUS(r->wait_status));
    std::fprintf(stderr, "--- stdout ---\n%s--- stderr ---\n%s", r->out.c_str(), r->err.c_str());
  }
  if (trace) std::fprintf(stderr, "--- trace as read ---\n%s", ShowTrace(*trace).c_str());
  if (!extra.empty()) std::fprintf(stderr, "--- model ---\n%s\n", extra.c_str());
  std::abort();
}

void PrintStatsAtExit() {
  if (g_stats.runs)
    std::fprintf(stderr, "differential_fuzzer: %llu runs, %llu agreed, %llu model-bound skips, %llu timeouts the model allows as deadlock\n",
                 (unsigned long long)g_stats.runs, (unsigned long long)g_stats.agreed,
                 (unsigned long long)g_stats.bound, (unsigned long long)g_stats.timeout_deadlock);
  if (!g_scenario_path.empty()) unlink(g_scenario_path.c_str());
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int* argc, char*** argv) {
  if (const char* d = std::getenv("FUZZ_REFERENCE_DRIVER"); d && *d) g_driver = d;
  for (int k = 1; k < *argc; ++k) {
    std::string a = (*argv)[k];
    const std::string flag = "--reference_driver=";
    if (g_driver.empty() && a.rfind(flag, 0) == 0) g_driver = a.substr(flag.size());
  }
  if (g_driver.empty() || access(g_driver.c_str(), X_OK) != 0) {
    std::fprintf(stderr,
                 "differential_fuzzer: setup error: no reference driver: set FUZZ_REFERENCE_DRIVER or pass "
                 "--reference_driver=PATH (bazel build //conformance/drivers/reference:reference_driver); got '%s'\n",
                 g_driver.c_str());
    std::exit(1);
  }
  if (const char* v = std::getenv("FUZZ_DIFF_VERBOSE"); v && *v == '1') g_verbose = true;
  if (const char* t = std::getenv("FUZZ_DIFF_TIMEOUT_MS"); t && std::atoi(t) > 0) g_timeout_ms = std::atoi(t);
  const char* tmp = std::getenv("TEST_TMPDIR");
  if (!tmp || !*tmp) tmp = std::getenv("TMPDIR");
  if (!tmp || !*tmp) tmp = "/tmp";
  g_scenario_path = std::string(tmp) + "/differential_fuzzer." + std::to_string(getpid()) + ".scn";
  std::atexit(PrintStatsAtExit);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  gofuzz::DecodedScenario d = gofuzz::DecodeScenario(data, size);
  std::string text = conform::lang::Print(d.scenario);

  // The driver runs what the printed text says, so the model must judge that
  // same tree: parse it back (and check the printer on the way).
  conform::lang::ParseError perr;
  auto sc = conform::lang::Parse(text, g_scenario_path, &perr);
  if (!sc) Disagree("the printed scenario does not parse", text, d.seed, nullptr, nullptr, perr.ToString());
  {
    conform::lang::Scenario a = d.scenario, b = *sc;
    conform::lang::ClearPositions(&a);
    conform::lang::ClearPositions(&b);
    if (!(a == b)) Disagree("Parse(Print(s)) != s", text, d.seed, nullptr, nullptr, "");
  }

  FILE* f = std::fopen(g_scenario_path.c_str(), "w");
  if (!f || std::fputs(text.c_str(), f) < 0 || std::fclose(f) != 0) {
    std::fprintf(stderr, "differential_fuzzer: setup error: cannot write %s\n", g_scenario_path.c_str());
    std::exit(2);
  }
  ++g_stats.runs;
  ChildResult r = RunDriver(d.seed);
  if (g_verbose)
    std::fprintf(stderr, "--- seed:%u ---\n%s--- %s, stdout ---\n%s", d.seed, text.c_str(),
                 r.timed_out ? "timeout" : ("exit " + std::to_string(WEXITSTATUS(r.wait_status))).c_str(),
                 r.out.c_str());
  if (!r.timed_out && WIFSIGNALED(r.wait_status)) Disagree("the driver was killed by a signal", text, d.seed, &r, nullptr, "");
  int status = r.timed_out ? 2 : WEXITSTATUS(r.wait_status);
  if (!r.timed_out && status == 125) Disagree("the driver could not run the printed scenario", text, d.seed, &r, nullptr, "");

  // Status 2 is Go's for a fatal error or an unrecovered panic, and comes
  // with Go's message (INTERPRETING.md); the model cannot say which one.
  if (!r.timed_out && status == 2 && r.err.find("panic: ") == std::string::npos &&
      r.err.find("fatal error: ") == std::string::npos)
    Disagree("exit status 2 without a \"panic: \" or \"fatal error: \" message", text, d.seed, &r, nullptr, "");

  std::vector<conform::Event> trace;
  std::stringstream ss(r.out);
  std::string line;
  int number = 0;
  while (std::getline(ss, line)) {
    ++number;
    auto e = conform::EventFromJson(line);
    if (!e) {
      // A line cut short by the kill at a timeout is not the driver's fault.
      if (r.timed_out && ss.peek() == EOF) break;
      Disagree(("stdout line " + std::to_string(number) + " is not a trace event").c_str(), text, d.seed, &r, nullptr, "");
    }
    trace.push_back(std::move(*e));
  }

  spec::model::Options opts;
  opts.max_states = kModelStates;
  // At a timeout, the question is whether the trace so far can end in a deadlock (exit 2).
  spec::model::Result res = spec::model::Check(*sc, {trace, status}, opts);
  if (res.verdict == spec::model::Verdict::kBoundExceeded) {
    ++g_stats.bound;
    return 0;
  }
  if (res.verdict == spec::model::Verdict::kInvalid) {
    std::string why = r.timed_out ? "timed out, and the model allows no deadlock after this trace"
                                  : "the model allows no schedule with this trace and exit status";
    Disagree(why.c_str(), text, d.seed, &r, &trace,
             "verdict INVALID after " + std::to_string(res.states) + " states; longest legal prefix: " +
                 std::to_string(res.longest_prefix) + " of " + std::to_string(trace.size()) + " events");
  }
  if (r.timed_out) ++g_stats.timeout_deadlock;
  else ++g_stats.agreed;
  return 0;
}
