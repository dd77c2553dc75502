// differential_fuzzer: bytes -> a scenario (scenario_decoder.h) -> run on the
// reference runtime in a child of the fork server (fork_server.h), which
// shares the child's coverage, so libFuzzer is steered by the runtime's own
// scheduler, channel and panic code -> the trace and exit status must be a
// legal outcome under the executable model (spec/model). A disagreement
// writes the scenario text, the run mode and the observation to stderr and
// calls abort().
//
// Run modes (from the bytes): deterministic, one P with every scheduling
// choice drawn from a seed (GORUNTIME_SCHED=seed:N, reproducible), or
// free-running on 1-4 Ps (GOMAXPROCS=n), where races between threads happen
// for real and a failure may need several runs to reproduce.
//
// Outcomes:
//  - exit status + trace the model accepts: agreement. So is exit 2 from
//    another goroutine's panic with a trace the model accepts as a run that
//    ended when main returned: Go's runtime.main lets a panic in progress
//    finish, and the interpreter records nothing after main returns, which
//    the model does not know (see Judge).
//  - the model's bound is exceeded: skipped (counted).
//  - timeout: consistent if the model allows a deadlock after the trace seen
//    (the program blocked for good but did not say so), or if the program
//    has a `syscall until` and the trace is a legal prefix (it may wait for
//    good; such programs get 20 ms). Any other timeout is run again with ten times the limit (the
//    machine may just be loaded) and is a disagreement if it recurs.
//  - killed by a signal, a sanitizer report, exit 2 without Go's "panic: "
//    or "fatal error: " on stderr (unless the program may `exit 2`), or a
//    stdout line that is not a trace event: a disagreement.
//
// Environment: FUZZ_DIFF_TIMEOUT_MS (default 1000) is the limit per run;
// FUZZ_DIFF_VERBOSE=1 prints every scenario and its outcome;
// FUZZ_DIFF_MODEL_STATES (default 3000) bounds the model's exploration.
// Flag (passed through by libFuzzer and replay_main):
// --replay_scenarios=DIR encodes every scenario under DIR and runs it once
// before fuzzing (the replay test uses it on conformance/scenarios).
#include <malloc.h>
#include <sys/wait.h>
#include <time.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "conformance/drivers/reference/reference_adapter.h"
#include "conformance/interp/interpreter.h"
#include "conformance/interp/trace.h"
#include "conformance/lang/parser.h"
#include "conformance/lang/printer.h"
#include "fuzz/fork_server.h"
#include "fuzz/scenario_decoder.h"
#include "spec/model/model.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

namespace {

using conform::lang::Block;
using conform::lang::Op;
using gofuzz::ChildResult;
using gofuzz::DecodedScenario;

int g_timeout_ms = 1000;
// A program with `syscall until` may legitimately wait for good (Judge), so
// waiting long for it only slows the fuzzer down.
constexpr int kUntilTimeoutMs = 20;
constexpr int kRetryFactor = 10;
int64_t g_model_states = 3000;
bool g_verbose = false;

struct Stats {
  uint64_t runs = 0, deterministic = 0, agreed = 0, bound = 0, timeout_deadlock = 0,
           timeout_waiting = 0, retried = 0, panic_after_main = 0;
  int64_t child_cpu_us = 0, child_wall_us = 0, model_cpu_us = 0, model_states = 0, total_us = 0, cpu_us = 0;
} g_stats;

int64_t NowUs() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// CPU time of the calling thread: what a phase costs, whatever the load.
int64_t CpuUs() {
  timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1000000 + ts.tv_nsec / 1000;
}

// --- the child: run the decoded scenario on the reference runtime ---------------

// Runs in a fresh child of the fork server; never returns (the runtime
// exits the process). Everything it builds lives until then.
void RunScenarioInChild(const uint8_t* data, size_t size) {
  static DecodedScenario* d = new DecodedScenario(gofuzz::DecodeScenario(data, size));
  unsetenv("GORUNTIME_SCHED_LOG");
  unsetenv("GORUNTIME_STACK_KB");
  if (d->procs == 0) {
    setenv("GORUNTIME_SCHED", ("seed:" + std::to_string(d->seed)).c_str(), 1);
    unsetenv("GOMAXPROCS");
  } else {
    unsetenv("GORUNTIME_SCHED");
    setenv("GOMAXPROCS", std::to_string(d->procs).c_str(), 1);
  }
  static conform::JsonLinesSink* sink = new conform::JsonLinesSink(stdout);
  static conform::ReferenceAdapter* adapter = new conform::ReferenceAdapter;
  static conform::Interpreter* interp = new conform::Interpreter(d->scenario, *adapter, *sink);
  interp->Run();
}

// --- judging what the child did --------------------------------------------------

std::string ModeText(const DecodedScenario& d) {
  if (d.procs == 0) return "GORUNTIME_SCHED=seed:" + std::to_string(d.seed);
  return "GOMAXPROCS=" + std::to_string(d.procs) + " (free-running: may need several runs)";
}

std::string ShowTrace(const std::vector<conform::Event>& trace) {
  std::string s;
  for (const auto& e : trace) s += "  " + conform::EventToJson(e) + "\n";
  return s;
}

// Whoever reproduces a failure runs the printed text: it must be the same
// program. (Checked only when there is something to report: printing and
// parsing every input would cost a tenth of a run, and the decoder's
// property test checks the round trip on random inputs.)
std::string PrintedOrDie(const DecodedScenario& d) {
  const std::string text = conform::lang::Print(d.scenario);
  conform::lang::ParseError perr;
  auto parsed = conform::lang::Parse(text, "fuzz.scn", &perr);
  const char* bad = nullptr;
  if (!parsed) bad = "the printed scenario does not parse";
  else if (conform::lang::ClearPositions(&*parsed); !(*parsed == d.scenario)) bad = "Parse(Print(s)) != s";
  if (bad) {
    std::fprintf(stderr, "\ndifferential_fuzzer: DISAGREEMENT: %s\n--- printed ---\n%s--- parse ---\n%s\n", bad,
                 text.c_str(), parsed ? "parsed to another program" : perr.ToString().c_str());
    std::abort();
  }
  return text;
}

[[noreturn]] void Disagree(const std::string& why, const DecodedScenario& d, const ChildResult* r,
                           const std::vector<conform::Event>* trace, const std::string& extra) {
  const std::string text = PrintedOrDie(d);
  // The outcome is part of the headline, which tools/fuzz uses to tell
  // failures apart.
  std::string outcome = !r ? "" : r->timed_out ? " (timed out)"
                              : WIFSIGNALED(r->wait_status) ? " (signal " + std::to_string(WTERMSIG(r->wait_status)) + ")"
                                                            : " (exit " + std::to_string(WEXITSTATUS(r->wait_status)) + ")";
  std::fprintf(stderr,
               "\ndifferential_fuzzer: DISAGREEMENT%s: %s\n"
               "--- scenario (run: %s bazel-bin/conformance/drivers/reference/reference_driver FILE.scn) ---\n%s"
               "--- mode ---\n%s\n",
               outcome.c_str(), why.c_str(), d.procs == 0 ? ("GORUNTIME_SCHED=seed:" + std::to_string(d.seed)).c_str()
                                         : ("GOMAXPROCS=" + std::to_string(d.procs)).c_str(),
               text.c_str(), ModeText(d).c_str());
  if (r) {
    if (r->timed_out) std::fprintf(stderr, "--- status ---\ntimed out\n");
    else if (WIFSIGNALED(r->wait_status)) std::fprintf(stderr, "--- status ---\nkilled by signal %d\n", WTERMSIG(r->wait_status));
    else std::fprintf(stderr, "--- status ---\nexit %d\n", WEXITSTATUS(r->wait_status));
    std::fprintf(stderr, "--- stdout ---\n%s--- stderr ---\n%s", r->out.c_str(), r->err.c_str());
  }
  if (trace) std::fprintf(stderr, "--- trace as read ---\n%s", ShowTrace(*trace).c_str());
  if (!extra.empty()) std::fprintf(stderr, "--- model ---\n%s\n", extra.c_str());
  std::abort();
}

bool BlockHas(const Block& b, bool (*pred)(const conform::lang::Stmt&)) {
  for (const auto& s : b) {
    if (pred(s) || BlockHas(s.body, pred) || BlockHas(s.default_body, pred)) return true;
    for (const auto& c : s.cases)
      if (BlockHas(c.body, pred)) return true;
  }
  return false;
}

bool ProgramHas(const conform::lang::Scenario& sc, bool (*pred)(const conform::lang::Stmt&)) {
  for (const Block& b : sc.inits)
    if (BlockHas(b, pred)) return true;
  return BlockHas(sc.main, pred);
}

bool IsExit2(const conform::lang::Stmt& s) { return s.op == Op::kExit && s.n == 2; }

// The goroutine named in Go's "goroutine N [running]:" panic header, or 0.
int64_t PanickingGoroutine(const std::string& err) {
  const std::string head = "\ngoroutine ";
  size_t at = err.find(head);
  if (at == std::string::npos) return 0;
  return std::strtoll(err.c_str() + at + head.size(), nullptr, 10);
}
// A goroutine that may wait in a system call for good: `syscall until $v`
// for a $v no one sets, or a pipe read no one answers.
bool IsSyscallUntil(const conform::lang::Stmt& s) {
  return (s.op == Op::kSyscall && s.until) || s.op == Op::kRead;
}

// Reads the trace; a line that is not an event is a disagreement, except one
// cut short by the kill at a timeout.
std::vector<conform::Event> ReadTrace(const DecodedScenario& d, const ChildResult& r) {
  std::vector<conform::Event> trace;
  std::stringstream ss(r.out);
  std::string line;
  int number = 0;
  while (std::getline(ss, line)) {
    ++number;
    auto e = conform::EventFromJson(line);
    if (!e) {
      if (r.timed_out && ss.peek() == EOF) break;
      Disagree("stdout line " + std::to_string(number) + " is not a trace event", d, &r, nullptr, "");
    }
    trace.push_back(std::move(*e));
  }
  return trace;
}

spec::model::Result Check(const conform::lang::Scenario& sc, const std::vector<conform::Event>& trace,
                          std::optional<int> status) {
  spec::model::Options opts;
  opts.max_states = g_model_states;
  const int64_t start = CpuUs();
  spec::model::Result r = spec::model::Check(sc, {trace, status}, opts);
  g_stats.model_cpu_us += CpuUs() - start;
  g_stats.model_states += r.states;
  return r;
}

enum class Verdict {
  kAgreed,       // a legal outcome
  kUnjudged,     // legal, but the model could not finish or the run timed out:
                 // not worth keeping in the corpus
  kRunAgain,     // a timeout that deserves a second, longer run
};

// Judges one run; a disagreement aborts.
Verdict Judge(const DecodedScenario& d, const ChildResult& r, bool last_chance) {
  const conform::lang::Scenario& sc = d.scenario;
  if (r.sanitizer_report) Disagree("the runtime hit a sanitizer report (see stderr)", d, &r, nullptr, "");
  if (!r.timed_out && WIFSIGNALED(r.wait_status)) Disagree("the program was killed by a signal", d, &r, nullptr, "");
  const int status = r.timed_out ? 2 : WEXITSTATUS(r.wait_status);
  // Status 2 is Go's for a fatal error or an unrecovered panic, and comes
  // with Go's message (INTERPRETING.md); the model cannot say which one.
  if (!r.timed_out && status == 2 && r.err.find("panic: ") == std::string::npos &&
      r.err.find("fatal error: ") == std::string::npos && !ProgramHas(sc, IsExit2))
    Disagree("exit status 2 without a \"panic: \" or \"fatal error: \" message", d, &r, nullptr, "");
  std::vector<conform::Event> trace = ReadTrace(d, r);

  // At a timeout the question is whether the trace so far can end in a deadlock (exit 2).
  spec::model::Result res = Check(sc, trace, status);
  if (res.verdict == spec::model::Verdict::kBoundExceeded) {
    ++g_stats.bound;
    return Verdict::kUnjudged;
  }
  if (res.verdict == spec::model::Verdict::kValid) {
    if (!r.timed_out) {
      ++g_stats.agreed;
      return Verdict::kAgreed;
    }
    ++g_stats.timeout_deadlock;
    return Verdict::kUnjudged;
  }
  // Go's runtime.main, when main returns while another goroutine is
  // panicking, lets that panic finish and end the program with exit 2
  // (proc.go; Go issues 3934 and 20018), and the interpreter records
  // nothing after main returns. The model ends the program at main's
  // return, so it accepts such a run only as exit 0: with the trace complete
  // for that, and the panic not main's, exit 2 is legal too.
  // (fuzz/regressions/differential_fuzzer/main-returns-while-goroutine-panics.bin)
  if (!r.timed_out && status == 2 && r.err.find("panic: ") != std::string::npos &&
      PanickingGoroutine(r.err) > 1 && Check(sc, trace, 0).verdict == spec::model::Verdict::kValid) {
    ++g_stats.panic_after_main;
    return Verdict::kAgreed;
  }
  if (r.timed_out && ProgramHas(sc, IsSyscallUntil) && res.longest_prefix == trace.size()) {
    // A goroutine may wait in `syscall until $v` for a $v no one sets.
    ++g_stats.timeout_waiting;
    return Verdict::kUnjudged;
  }
  if (r.timed_out && !last_chance) return Verdict::kRunAgain;
  std::string why = r.timed_out ? "timed out (twice), and the model allows no deadlock after this trace"
                                : "the model allows no schedule with this trace and exit status";
  Disagree(why, d, &r, &trace,
           "verdict INVALID after " + std::to_string(res.states) + " states; longest legal prefix: " +
               std::to_string(res.longest_prefix) + " of " + std::to_string(trace.size()) + " events");
}

void PrintStatsAtExit() {
  if (g_stats.runs)
    std::fprintf(stderr,
                 "differential_fuzzer: %llu runs (%llu deterministic), %llu agreed, %llu model-bound skips, "
                 "%llu timeouts the model allows as deadlock, %llu waiting in syscall until, %llu run twice, "
                 "%llu goroutine panics that ended the program after main returned\n",
                 (unsigned long long)g_stats.runs, (unsigned long long)g_stats.deterministic,
                 (unsigned long long)g_stats.agreed, (unsigned long long)g_stats.bound,
                 (unsigned long long)g_stats.timeout_deadlock, (unsigned long long)g_stats.timeout_waiting,
                 (unsigned long long)g_stats.retried, (unsigned long long)g_stats.panic_after_main);
  if (g_stats.runs)
    std::fprintf(stderr,
                 "differential_fuzzer: per run: %.2f ms (%.2f ms CPU here, of which the model %.2f ms for %lld states); "
                 "the child %.2f ms from its start to its exit (%.2f ms CPU)\n",
                 g_stats.total_us / 1000.0 / g_stats.runs, g_stats.cpu_us / 1000.0 / g_stats.runs,
                 g_stats.model_cpu_us / 1000.0 / g_stats.runs,
                 static_cast<long long>(g_stats.model_states / static_cast<int64_t>(g_stats.runs)),
                 g_stats.child_wall_us / 1000.0 / g_stats.runs, g_stats.child_cpu_us / 1000.0 / g_stats.runs);
}

// Encodes every scenario under dir and runs it once, as a fuzz input would.
void ReplayScenarios(const std::string& dir) {
  std::vector<std::string> files;
  for (const auto& e : std::filesystem::recursive_directory_iterator(dir))
    if (e.is_regular_file() && e.path().extension() == ".scn") files.push_back(e.path().string());
  std::sort(files.begin(), files.end());
  if (files.empty()) {
    std::fprintf(stderr, "differential_fuzzer: setup error: no .scn files under %s\n", dir.c_str());
    std::exit(2);
  }
  for (const std::string& f : files) {
    conform::lang::ParseError err;
    auto sc = conform::lang::ParseFile(f, &err);
    if (!sc) {
      std::fprintf(stderr, "differential_fuzzer: setup error: %s\n", err.ToString().c_str());
      std::exit(2);
    }
    gofuzz::EncodedScenario enc = gofuzz::EncodeScenario(*sc);
    std::fprintf(stderr, "replay-scenario: %s (%zu bytes, %s)\n", f.c_str(), enc.bytes.size(),
                 enc.losses.empty() ? "exact" : "clamped to the decoder's bounds");
    LLVMFuzzerTestOneInput(enc.bytes.data(), enc.bytes.size());
  }
}

}  // namespace

// ASan defaults for this binary (ASAN_OPTIONS still overrides them). No
// fake stacks: goroutines run on fiber stacks that ASan is told about at
// every switch, and fake frames cannot follow them (the same setting as
// --config=asan's tests).
extern "C" const char* __asan_default_options() { return "detect_stack_use_after_return=0"; }

extern "C" int LLVMFuzzerInitialize(int* argc, char*** argv) {
  // One malloc arena: each of a child's runtime threads (Ms, sysmon, the
  // timer thread) would otherwise map and fault in an arena of its own, and
  // every child (a fresh process per input) would unmap them all again.
  mallopt(M_ARENA_MAX, 1);
  if (const char* v = std::getenv("FUZZ_DIFF_VERBOSE"); v && *v == '1') g_verbose = true;
  if (const char* t = std::getenv("FUZZ_DIFF_TIMEOUT_MS"); t && std::atoi(t) > 0) g_timeout_ms = std::atoi(t);
  if (const char* m = std::getenv("FUZZ_DIFF_MODEL_STATES"); m && std::atoll(m) > 0) g_model_states = std::atoll(m);
  conform::ReferenceAdapter::Prewarm();  // or every child reads the code layout again
  if (std::string e = gofuzz::StartForkServer(RunScenarioInChild); !e.empty()) {
    std::fprintf(stderr, "differential_fuzzer: setup error: cannot start the fork server: %s\n", e.c_str());
    std::exit(2);
  }
  std::atexit(PrintStatsAtExit);
  const std::string flag = "--replay_scenarios=";
  for (int k = 1; k < *argc; ++k) {
    std::string a = (*argv)[k];
    if (a.rfind(flag, 0) == 0) ReplayScenarios(a.substr(flag.size()));
  }
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const int64_t start = NowUs(), start_cpu = CpuUs();
  size = std::min(size, gofuzz::kMaxChildInput);  // what the child will see
  DecodedScenario d = gofuzz::DecodeScenario(data, size);
  ++g_stats.runs;
  if (d.procs == 0) ++g_stats.deterministic;
  const int timeout_ms = ProgramHas(d.scenario, IsSyscallUntil) ? std::min(g_timeout_ms, kUntilTimeoutMs) : g_timeout_ms;
  ChildResult r = gofuzz::RunInChild(data, size, timeout_ms);
  g_stats.child_cpu_us += r.cpu_us;
  g_stats.child_wall_us += r.wall_us;
  if (g_verbose)
    std::fprintf(stderr, "--- %s ---\n%s--- %s, stdout ---\n%s--- stderr ---\n%s", ModeText(d).c_str(),
                 PrintedOrDie(d).c_str(),
                 r.timed_out ? "timeout" : ("status " + std::to_string(r.wait_status)).c_str(), r.out.c_str(),
                 r.err.c_str());
  Verdict v = Judge(d, r, false);
  if (v == Verdict::kRunAgain) {
    ++g_stats.retried;
    ChildResult again = gofuzz::RunInChild(data, size, timeout_ms * kRetryFactor);
    v = Judge(d, again, true);
  }
  g_stats.total_us += NowUs() - start;
  g_stats.cpu_us += CpuUs() - start_cpu;
  // -1: libFuzzer does not add the input to the corpus, whatever its
  // coverage; slow inputs the model cannot judge would only breed more.
  return v == Verdict::kAgreed ? 0 : -1;
}
