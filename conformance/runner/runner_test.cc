// The runner on purpose-made bad scenarios (through the real thread driver)
// and on broken drivers (small shell scripts): every outcome is a status,
// never a runner crash.
#include <gtest/gtest.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include <chrono>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <thread>

#include "conformance/runner/child_process.h"
#include "conformance/runner/driver_output.h"
#include "conformance/runner/runner.h"
#include "conformance/runner/suite.h"

namespace conform {
namespace {

namespace fs = std::filesystem;

constexpr const char* kDriver = "conformance/drivers/thread/thread_driver";

fs::path Dir() {
  fs::path dir = fs::path(std::getenv("TEST_TMPDIR") ? std::getenv("TEST_TMPDIR") : "/tmp") / "runner_test";
  fs::create_directories(dir);
  return dir;
}

std::string Write(const std::string& name, const std::string& text, bool executable = false) {
  std::string p = (Dir() / name).string();
  std::ofstream(p) << text;
  if (executable) chmod(p.c_str(), 0755);
  return p;
}

// A driver (protocol 2) that declares os-threads, every family native, and
// runs `body` for every scenario.
std::string FakeDriver(const std::string& name, const std::string& body) {
  std::string answer = "echo goconform-protocol 2; echo capability os-threads";
  for (const auto& f : KnownFamilies()) answer += "; echo family " + f + " native";
  return Write(name, "#!/bin/sh\nif [ \"$1\" = --capabilities ]; then " + answer + "; exit 0; fi\n" + body + "\n", true);
}

const char* kSimple = "@clause x.y\n@expect exit 0\n@expect trace exact g1 record a\nrecord a\n";

TEST(Runner, ThreadDriverDeclaresItsCapabilities) {
  EXPECT_EQ(QueryCapabilities(kDriver), (std::set<std::string>{"os-threads", "preemptive", "syscalls"}));
}

TEST(Runner, FailuresTimeoutsAndCrashesAreReported) {
  std::set<std::string> caps = QueryCapabilities(kDriver);
  auto wrong = RunScenarioFile(kDriver, caps, Write("wrong.scn", "@clause x.y\n@expect exit 0\n@expect trace exact g1 record b\nrecord a\n"), nullptr);
  EXPECT_EQ(wrong.status, Status::kFail);
  auto hang = RunScenarioFile(kDriver, caps, Write("hang.scn", "@clause x.y\n@timeout 300\n@expect exit 0\nspin until $never\n"), nullptr);
  EXPECT_EQ(hang.status, Status::kTimeout);
  auto unparsable = RunScenarioFile(kDriver, caps, Write("bad.scn", "frobnicate\n"), nullptr);
  EXPECT_EQ(unparsable.status, Status::kError);
  ASSERT_FALSE(unparsable.failures.empty());
  EXPECT_NE(unparsable.failures[0].find("bad.scn:1:1: unknown statement 'frobnicate'"), std::string::npos);
  auto needs = RunScenarioFile(kDriver, caps, Write("needs.scn", "@clause x.y\n@requires stack-limit\n@expect exit 0\n"), nullptr);
  EXPECT_EQ(needs.status, Status::kUnsupported);
}

TEST(Runner, TimeoutScaleStretchesTheLimit) {
  std::set<std::string> caps = QueryCapabilities(kDriver);
  RunOptions opts;
  opts.timeout_scale = 0.01;  // 10 s -> 100 ms
  auto r = RunScenarioFile(kDriver, caps, Write("sleepy.scn", "@clause x.y\n@expect exit 0\nsleep 1000\n"), nullptr, opts);
  EXPECT_EQ(r.status, Status::kTimeout);
}

TEST(Runner, MalformedDriverOutputIsAnErrorQuotingTheLine) {
  std::string driver = FakeDriver("chatty.sh", "echo '{\"g\":1,\"op\":\"record\",\"value\":\"a\"}'; echo 'hello there'");
  auto r = RunScenarioFile(driver, QueryCapabilities(driver), Write("simple.scn", kSimple), nullptr);
  EXPECT_EQ(r.status, Status::kError);
  ASSERT_EQ(r.failures.size(), 1u);
  EXPECT_EQ(r.failures[0], "stdout line 2 is not a trace event: \"hello there\"");
}

TEST(Runner, MissingKeysAreAnError) {
  std::string driver = FakeDriver("nokey.sh", "echo '{\"g\":1,\"op\":\"record\"}'");
  auto r = RunScenarioFile(driver, QueryCapabilities(driver), Write("simple.scn", kSimple), nullptr);
  EXPECT_EQ(r.status, Status::kError);
  ASSERT_EQ(r.failures.size(), 1u);
  EXPECT_NE(r.failures[0].find("stdout line 1"), std::string::npos);
}

TEST(Runner, ACrashingOrHangingDriverStillGivesEveryResult) {
  std::string crasher = FakeDriver("crash.sh", "kill -SEGV $$");
  std::string hanger = FakeDriver("hang.sh", "exec sleep 30");
  std::vector<std::string> files = {Write("a.scn", "@clause x.y\n@timeout 200\n@expect exit 0\n"),
                                    Write("b.scn", "@clause x.z\n@timeout 200\n@expect exit 0\n")};
  auto crashed = RunScenarios(crasher, QueryCapabilities(crasher), files, {}, 2, nullptr);
  ASSERT_EQ(crashed.size(), 2u);
  for (const auto& r : crashed) EXPECT_EQ(r.status, Status::kCrash) << r.file;
  auto hung = RunScenarios(hanger, QueryCapabilities(hanger), files, {}, 2, nullptr);
  ASSERT_EQ(hung.size(), 2u);
  for (const auto& r : hung) EXPECT_EQ(r.status, Status::kTimeout) << r.file;
}

TEST(Runner, AbsentFamiliesAreUnsupportedAndEngineFamiliesRecorded) {
  RunOptions opts;
  for (const auto& f : KnownFamilies()) opts.families[f] = FamilySource::kNative;
  opts.families["select"] = FamilySource::kAbsent;
  opts.families["channels"] = FamilySource::kEngine;
  std::set<std::string> caps = QueryCapabilities(kDriver);
  auto sel = RunScenarioFile(kDriver, caps, Write("sel.scn", "@clause x.y\n@expect exit 0\nselect\ndefault\nend\n"), nullptr, opts);
  EXPECT_EQ(sel.status, Status::kUnsupported);
  ASSERT_EQ(sel.failures.size(), 1u);
  EXPECT_EQ(sel.failures[0], "needs the select family, which the driver declares absent");
  auto ch = RunScenarioFile(kDriver, caps, Write("ch.scn", "@clause x.y\n@expect exit 0\n@expect trace exact g1 recv 5,true\n"
                                                           "chan c 1\nsend c 5\nrecv c\n"), nullptr, opts);
  EXPECT_EQ(ch.status, Status::kPass) << (ch.failures.empty() ? "" : ch.failures[0]);
  EXPECT_EQ(ch.engine_families, std::vector<std::string>{"channels"});
  auto plain = RunScenarioFile(kDriver, caps, Write("simple.scn", kSimple), nullptr, opts);
  EXPECT_EQ(plain.status, Status::kPass);
  EXPECT_TRUE(plain.engine_families.empty());
}

TEST(Runner, DriverArgumentsAndEnvironmentReachTheDriver) {
  std::string driver = FakeDriver("argenv.sh", "[ \"$1\" = --mode=x ] && [ \"$MYLIB\" = on ] || exit 7\n"
                                               "echo '{\"g\":1,\"op\":\"record\",\"value\":\"a\"}'");
  RunOptions opts;
  opts.driver_args = {"--mode=x"};
  opts.driver_env = {"MYLIB=on"};
  auto r = RunScenarioFile(driver, {}, Write("simple.scn", kSimple), nullptr, opts);
  EXPECT_EQ(r.status, Status::kPass) << (r.failures.empty() ? "" : r.failures[0]);
  auto without = RunScenarioFile(driver, {}, Write("simple.scn", kSimple), nullptr);
  EXPECT_EQ(without.status, Status::kFail);
}

TEST(Runner, AMissingDriverIsAnError) {
  std::string error;
  EXPECT_TRUE(QueryCapabilities("/nonexistent/driver", &error).empty());
  EXPECT_NE(error.find("/nonexistent/driver"), std::string::npos);
  auto r = RunScenarioFile("/nonexistent/driver", {}, Write("simple.scn", kSimple), nullptr);
  EXPECT_EQ(r.status, Status::kError);
  ASSERT_FALSE(r.failures.empty());
  EXPECT_NE(r.failures[0].find("could not start"), std::string::npos);
}

// ---- Regressions of issue 12: the runner under bad input and faults ----

spec::Clause MustClause(const std::string& id) {
  spec::Clause c;
  c.id = id;
  c.level = "MUST";
  return c;
}

// A malformed scenario is an ERROR marked invalid, never run, never a pass.
TEST(Runner, MalformedScenariosAreErrorsNeverPasses) {
  std::set<std::string> caps = QueryCapabilities(kDriver);
  std::vector<spec::Clause> clauses = {MustClause("x.y")};
  RunOptions opts;
  opts.clauses = &clauses;
  struct Case {
    const char* name;
    std::string text;
    const char* why;
  } cases[] = {
      {"empty.scn", "", "names no clause (@clause)"},
      {"comment-only.scn", "# nothing here\n", "names no clause (@clause)"},
      {"no-clause.scn", "@expect exit 0\nrecord a\n", "names no clause (@clause)"},
      {"unknown-clause.scn", "@clause x.yy\n@expect exit 0\n", "names unknown clause x.yy"},
      {"no-expectations.scn", "@clause x.y\nrecord a\n", "has no @expect exit"},
      {"unparsable.scn", "@clause x.y\n@expect exit 0\nfrobnicate\n", ":3:1: unknown statement 'frobnicate'"},
  };
  for (const Case& c : cases) {
    lang::Scenario parsed;
    auto r = RunScenarioFile(kDriver, caps, Write(c.name, c.text), &parsed, opts);
    EXPECT_EQ(r.status, Status::kError) << c.name;
    EXPECT_TRUE(r.invalid) << c.name;
    ASSERT_FALSE(r.failures.empty()) << c.name;
    EXPECT_NE(r.failures[0].find(c.why), std::string::npos) << c.name << ": " << r.failures[0];
  }
  // Without the clause list the structural checks still apply.
  auto r = RunScenarioFile(kDriver, caps, Write("empty.scn", ""), nullptr);
  EXPECT_EQ(r.status, Status::kError);
  // And a well-formed one still passes.
  auto ok = RunScenarioFile(kDriver, caps, Write("simple.scn", kSimple), nullptr, opts);
  EXPECT_EQ(ok.status, Status::kPass);
  EXPECT_FALSE(ok.invalid);
}

// Regression: a huge @timeout overflowed the deadline into the past, so the
// scenario "timed out" at once.
TEST(Runner, AHugeTimeoutDoesNotOverflow) {
  std::set<std::string> caps = QueryCapabilities(kDriver);
  auto r = RunScenarioFile(kDriver, caps,
                           Write("forever.scn", "@clause x.y\n@timeout 9223372036854775807\n@expect exit 0\n"), nullptr);
  EXPECT_EQ(r.status, Status::kPass) << (r.failures.empty() ? "" : r.failures[0]);
}

// Regression: 100 MB of driver output was held whole (the runner reached
// 634 MB); now a stream over the cap kills the driver and the verdict is LIMIT.
TEST(Runner, OutputOverTheCapIsCutAndTheVerdictSaysSo) {
  std::string driver = FakeDriver("flood.sh",
                                  "yes '{\"g\":1,\"op\":\"record\",\"value\":\"aaaaaaaaaaaaaaaa\"}' | head -c 100000000");
  RunOptions opts;
  opts.max_output = 1 << 20;
  auto r = RunScenarioFile(driver, QueryCapabilities(driver), Write("simple.scn", kSimple), nullptr, opts);
  EXPECT_EQ(r.status, Status::kLimit);
  ASSERT_FALSE(r.failures.empty());
  EXPECT_NE(r.failures[0].find("stdout passed the 1.0 MiB output limit (--driver-output)"), std::string::npos)
      << r.failures[0];
  EXPECT_LT(r.seconds, 5);  // killed at the cap, not left to run
  // The trace read before the cut is kept.
  EXPECT_GT(r.outcome.trace.size(), 10000u);
}

TEST(Runner, StderrOverTheCapIsALimitToo) {
  std::string driver = FakeDriver("shout.sh", "yes 'panic: no' | head -c 10000000 >&2");
  RunOptions opts;
  opts.max_output = 64 << 10;
  auto r = RunScenarioFile(driver, QueryCapabilities(driver), Write("simple.scn", kSimple), nullptr, opts);
  EXPECT_EQ(r.status, Status::kLimit);
  ASSERT_FALSE(r.failures.empty());
  EXPECT_NE(r.failures[0].find("stderr passed"), std::string::npos) << r.failures[0];
  EXPECT_EQ(r.outcome.stderr_text.size(), 64u << 10);
}

// Regression: a runaway driver grew until the timeout; now it is killed at
// the memory limit with the verdict LIMIT.
TEST(Runner, ARunawayDriverIsKilledAtTheMemoryLimit) {
  std::string driver = FakeDriver("hog.sh", "exec python3 -c 'x = []\nwhile True: x.append(b\"x\" * (1 << 20))'");
  RunOptions opts;
  opts.max_memory = 64 << 20;
  auto r = RunScenarioFile(driver, QueryCapabilities(driver), Write("slow.scn", "@clause x.y\n@timeout 60000\n@expect exit 0\n"),
                           nullptr, opts);
  EXPECT_EQ(r.status, Status::kLimit);
  ASSERT_FALSE(r.failures.empty());
  EXPECT_NE(r.failures[0].find("over the 64.0 MiB limit (--driver-memory)"), std::string::npos) << r.failures[0];
  EXPECT_LT(r.seconds, 30);
}

// The memory watch covers the driver's children (the whole process group).
TEST(Runner, TheMemoryLimitCoversTheDriversChildren) {
  std::string driver = FakeDriver("forker.sh", "python3 -c 'x = []\nwhile True: x.append(b\"x\" * (1 << 20))'; exit 0");
  RunOptions opts;
  opts.max_memory = 64 << 20;
  auto r = RunScenarioFile(driver, QueryCapabilities(driver), Write("slow.scn", "@clause x.y\n@timeout 60000\n@expect exit 0\n"),
                           nullptr, opts);
  EXPECT_EQ(r.status, Status::kLimit) << (r.failures.empty() ? "" : r.failures[0]);
}

// Regression: a driver that exists but cannot be executed was reported as
// "missing".
TEST(Runner, ANonExecutableDriverIsReportedAsSuch) {
  std::string driver = Write("noexec.sh", "#!/bin/sh\necho os-threads\n");
  chmod(driver.c_str(), 0644);
  EXPECT_EQ(ExecutableProblem(driver), "is not executable (chmod +x " + driver + ")");
  EXPECT_EQ(ExecutableProblem(Dir().string()), "is a directory, not a program");
  EXPECT_EQ(ExecutableProblem("/nonexistent/driver"), "is missing (No such file or directory)");
  EXPECT_EQ(ExecutableProblem(kDriver), "");
  std::string error;
  QueryCapabilities(driver, &error);
  EXPECT_EQ(error, "driver " + driver + " is not executable (chmod +x " + driver + ")");
  auto r = RunScenarioFile(driver, {}, Write("simple.scn", kSimple), nullptr);
  EXPECT_EQ(r.status, Status::kError);
  ASSERT_FALSE(r.failures.empty());
  EXPECT_NE(r.failures[0].find("is not executable"), std::string::npos) << r.failures[0];
}

// Regression: `-j 40000` started 40000 threads for 11 scenarios and aborted.
TEST(Suite, WorkersNeverOutnumberScenarios) {
  std::vector<std::string> files = {Write("a.scn", kSimple), Write("b.scn", kSimple)};
  std::string warning;
  auto results = RunScenarios(kDriver, QueryCapabilities(kDriver), files, {}, 1 << 30, nullptr, nullptr, &warning);
  ASSERT_EQ(results.size(), 2u);
  for (const auto& r : results) EXPECT_EQ(r.status, Status::kPass) << r.file;
  EXPECT_EQ(warning, "");
}

// Runs `files` with 64 workers under an address-space limit that leaves room
// for few thread stacks; exits 0 if every scenario passed and the refused
// threads were reported.
[[noreturn]] void RunWithFewThreads(const std::string& driver, const std::vector<std::string>& files) {
  std::set<std::string> caps = QueryCapabilities(driver);
  std::ifstream status("/proc/self/status");
  std::string line;
  long vm_kb = 0;
  while (std::getline(status, line))
    if (line.rfind("VmSize:", 0) == 0) vm_kb = std::stol(line.substr(7));
  rlim_t limit = static_cast<rlim_t>(vm_kb + 40 * 1024) * 1024;  // now, plus a few 8 MiB stacks
  rlimit lim{limit, limit};
  setrlimit(RLIMIT_AS, &lim);
  std::string warning;
  auto results = RunScenarios(driver, caps, files, {}, 64, nullptr, nullptr, &warning);
  size_t passed = 0;
  for (const auto& r : results) passed += r.status == Status::kPass;
  std::fprintf(stderr, "warning: %s; %zu passed\n", warning.c_str(), passed);
  std::exit(passed == files.size() && !warning.empty() ? 0 : 1);
}

// Regression: a thread the system refused was an uncaught std::system_error
// (exit 134). Here the system refuses most of them: the run still completes.
TEST(Suite, ARefusedWorkerThreadIsAWarningNotAnAbort) {
  std::vector<std::string> files;
  for (int k = 0; k < 64; ++k) files.push_back(Write("t" + std::to_string(k) + ".scn", kSimple));
  std::string driver = FakeDriver("quick.sh", "echo '{\"g\":1,\"op\":\"record\",\"value\":\"a\"}'");
  EXPECT_EXIT(RunWithFewThreads(driver, files), testing::ExitedWithCode(0),
              "could start only [0-9]+ of 64 worker threads");
}

// Every process whose command line contains `needle`.
std::vector<pid_t> ProcessesMentioning(const std::string& needle) {
  std::vector<pid_t> found;
  for (const auto& entry : fs::directory_iterator("/proc")) {
    std::string name = entry.path().filename();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::ifstream in(entry.path() / "cmdline");
    std::string cmdline((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (cmdline.find(needle) != std::string::npos) found.push_back(std::stoi(name));
  }
  return found;
}

// In a child process: runs a scenario whose driver starts a grandchild,
// sends itself SIGTERM once the grandchild runs, and exits 0 if the result
// is marked interrupted.
[[noreturn]] void InterruptWhileRunning(const std::string& driver, const std::string& scenario,
                                        const std::string& marker) {
  InstallInterruptForwarding(OnInterrupt::kReturn);
  std::thread killer([&] {
    while (ProcessesMentioning(marker).empty()) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    kill(getpid(), SIGTERM);
  });
  auto r = RunScenarioFile(driver, QueryCapabilities(driver), scenario, nullptr);
  killer.join();
  std::exit(r.interrupted && InterruptSignal() == SIGTERM ? 0 : 1);
}

// SIGTERM reaches the whole process group of a running driver: its own
// children die with it.
TEST(Runner, AnInterruptReachesTheDriversChildren) {
  std::string marker = "grandchild-" + std::to_string(getpid());
  std::string driver = FakeDriver("family.sh", "python3 -c 'import time; time.sleep(300)' " + marker + " &\nwait");
  std::string scenario = Write("long.scn", "@clause x.y\n@timeout 600000\n@expect exit 0\n");
  EXPECT_EXIT(InterruptWhileRunning(driver, scenario, marker), testing::ExitedWithCode(0), "");
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!ProcessesMentioning(marker).empty() && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  std::vector<pid_t> left = ProcessesMentioning(marker);
  for (pid_t p : left) kill(p, SIGKILL);
  EXPECT_TRUE(left.empty()) << "the driver's child survived the interrupt";
}

TEST(Runner, APassingTraceIsSummarizedAFailingOneKeptToTheCap) {
  std::set<std::string> caps = QueryCapabilities(kDriver);
  RunOptions opts;
  opts.summarize = true;
  auto pass = RunScenarioFile(kDriver, caps,
                              Write("many.scn", "@clause x.y\n@expect exit 0\nrepeat 100\nrecord a\nend\nrecord last\n"), nullptr, opts);
  ASSERT_EQ(pass.status, Status::kPass);
  EXPECT_EQ(pass.trace_events, 101);
  EXPECT_EQ(pass.trace_head, kPassingTraceEnds);
  ASSERT_EQ(pass.outcome.trace.size(), 2 * kPassingTraceEnds);
  EXPECT_EQ(pass.outcome.trace.back().value, "last");
  auto fail = RunScenarioFile(
      kDriver, caps,
      Write("many-fail.scn", "@clause x.y\n@expect exit 1\nrepeat 3000\nrecord a\nend\nrecord last\n"), nullptr, opts);
  ASSERT_EQ(fail.status, Status::kFail);
  EXPECT_EQ(fail.trace_events, 3001);
  EXPECT_EQ(fail.trace_head, kFailingTraceEnds);
  ASSERT_EQ(fail.outcome.trace.size(), 2 * kFailingTraceEnds);
  EXPECT_EQ(fail.outcome.trace.back().value, "last");
  auto small = RunScenarioFile(kDriver, caps, Write("few-fail.scn", "@clause x.y\n@expect exit 1\nrecord a\n"), nullptr, opts);
  EXPECT_EQ(small.trace_events, 1);
  EXPECT_EQ(small.trace_head, 1u);
  EXPECT_EQ(small.outcome.trace.size(), 1u);
}

TEST(DriverOutput, ReadsEventsAndStopsAtTheFirstBadLine) {
  auto ok = ReadDriverStdout("{\"g\":1,\"op\":\"record\",\"value\":\"a\"}\n{\"g\":2,\"op\":\"recv\",\"value\":\"5,true\"}\n");
  EXPECT_FALSE(ok.error);
  ASSERT_EQ(ok.trace.size(), 2u);
  EXPECT_EQ(ok.trace[1].value, "5,true");
  auto bad = ReadDriverStdout("{\"g\":1,\"op\":\"record\",\"value\":\"a\"}\n" + std::string(300, 'x') + "\n");
  ASSERT_TRUE(bad.error);
  EXPECT_EQ(bad.bad_line, 2);
  EXPECT_EQ(bad.trace.size(), 1u);
  EXPECT_NE(bad.error->find(std::string(200, 'x') + "...\""), std::string::npos);
}

}  // namespace
}  // namespace conform
