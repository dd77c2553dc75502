// The conform command under bad input and faults, end to end: the real
// binary, the real reference driver, scenarios written by the test. Each
// case is a regression of issue 12 (the runner under bad input and faults)
// and failed before its fix; see tools/reliability/BUILD.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

const char* kClause = "goexit.runs-defers-lifo";  // any MUST clause of spec/clauses.txt

fs::path TmpDir(const std::string& name) {
  fs::path dir = fs::path(std::getenv("TEST_TMPDIR") ? std::getenv("TEST_TMPDIR") : "/tmp") / name;
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

std::string Write(const fs::path& path, const std::string& text) {
  fs::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary) << text;
  return path.string();
}

std::string Read(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// A running `conform`, its output going to files.
struct Conform {
  pid_t pid = -1;
  fs::path out, err;

  // Starts conform with `args` in `cwd`.
  Conform(const std::vector<std::string>& args, const fs::path& cwd) : out(cwd / "stdout"), err(cwd / "stderr") {
    std::string bin = fs::absolute("tools/conform").string();
    std::string runfiles = std::getenv("TEST_SRCDIR") ? std::getenv("TEST_SRCDIR") : fs::absolute("..").string();
    std::vector<std::string> argv = {bin};
    argv.insert(argv.end(), args.begin(), args.end());
    pid = fork();
    if (pid == 0) {
      setenv("RUNFILES_DIR", runfiles.c_str(), 1);
      if (chdir(cwd.c_str()) != 0) _exit(120);
      freopen(out.c_str(), "w", stdout);
      freopen(err.c_str(), "w", stderr);
      std::vector<char*> c;
      for (auto& a : argv) c.push_back(a.data());
      c.push_back(nullptr);
      execv(c[0], c.data());
      _exit(121);
    }
  }

  // The exit status (128 + signal if killed), or -1 after `limit`.
  int Wait(std::chrono::seconds limit = std::chrono::seconds(240)) {
    auto deadline = Clock::now() + limit;
    int status = 0;
    while (waitpid(pid, &status, WNOHANG) == 0) {
      if (Clock::now() > deadline) {
        kill(pid, SIGKILL);
        waitpid(pid, &status, 0);
        return -1;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  }

  std::string Out() const { return Read(out); }
  std::string Err() const { return Read(err); }
};

// Runs conform to the end; its exit status.
int RunConform(const std::vector<std::string>& args, const fs::path& cwd, std::string* out = nullptr,
        std::string* err = nullptr) {
  Conform c(args, cwd);
  int status = c.Wait();
  if (out) *out = c.Out();
  if (err) *err = c.Err();
  return status;
}

// Every process whose command line contains `needle` (other than this test).
std::vector<pid_t> ProcessesMentioning(const std::string& needle) {
  std::vector<pid_t> found;
  for (const auto& entry : fs::directory_iterator("/proc")) {
    std::string name = entry.path().filename();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::string cmdline = Read(entry.path() / "cmdline");
    for (char& ch : cmdline)
      if (ch == '\0') ch = ' ';
    if (cmdline.find(needle) != std::string::npos && std::stoi(name) != getpid()) found.push_back(std::stoi(name));
  }
  return found;
}

// Python's json module, strict, on `path`: "" if it parses, else why; with
// `expr` (a Python expression over d), its value is returned instead.
std::string PythonJson(const fs::path& path, const std::string& expr = "''") {
  fs::path script = path.parent_path() / "check.py";
  Write(script,
        "import json, sys\n"
        "def no(name): raise ValueError(name)\n"
        "d = json.loads(open(sys.argv[1], 'rb').read().decode('utf-8'), parse_constant=no)\n"
        "print(" + expr + ", end='')\n");
  fs::path out = path.parent_path() / "python.out";
  std::string cmd = "/usr/bin/python3 " + script.string() + " " + path.string() + " > " + out.string() + " 2>&1";
  int rc = std::system(cmd.c_str());
  std::string text = Read(out);
  return rc == 0 ? text : "python3 failed: " + text;
}

std::string Scenario(const std::string& body, const std::string& header = "") {
  return "@clause " + std::string(kClause) + "\n" + header + "@expect exit 0\n" + body;
}

// Regression: an empty file and a scenario with no @clause passed; an
// unknown clause id was shown as a passing MUST clause; and with scenarios
// failing to parse the headline read "1 passed, 0 failed".
TEST(Conform, MalformedScenariosAreErrorsCountedInTheHeadline) {
  fs::path dir = TmpDir("malformed");
  Write(dir / "s/empty.scn", "");
  Write(dir / "s/no-clause.scn", "@expect exit 0\nrecord a\n");
  Write(dir / "s/unknown-clause.scn", "@clause goexit.runs-defers-lifoo\n@expect exit 0\n");
  Write(dir / "s/no-expectations.scn", std::string("@clause ") + kClause + "\nrecord a\n");
  Write(dir / "s/unparsable.scn", std::string("@clause ") + kClause + "\n@expect exit 0\nfrobnicate\n");
  Write(dir / "s/good.scn", Scenario("record a\n"));
  std::string out, err;
  EXPECT_EQ(RunConform({"--report-dir=r", "s"}, dir, &out, &err), 1) << out << err;
  EXPECT_NE(out.find("\n1 passed, 0 failed, 5 errors (reference"), std::string::npos) << out;
  EXPECT_NE(out.find("error (malformed scenario): " + (dir / "s/empty.scn").string() + ": names no clause"),
            std::string::npos) << out;
  EXPECT_NE(out.find("names unknown clause goexit.runs-defers-lifoo"), std::string::npos) << out;
  EXPECT_EQ(out.find("goexit.runs-defers-lifoo  "), std::string::npos) << "the typo is not a clause row\n" << out;
  EXPECT_EQ(PythonJson(dir / "r/reference.json",
                       "d['summary']['scenario_errors'], [s['status'] for s in d['scenarios']]"),
            "5 ['ERROR', 'PASS', 'ERROR', 'ERROR', 'ERROR', 'ERROR']");
}

// Regression: invalid UTF-8 in a scenario (here in a comment and a label)
// made reference.json unreadable by Python's json.load.
TEST(Conform, InvalidUtf8InAScenarioStillGivesValidJson) {
  fs::path dir = TmpDir("utf8");
  Write(dir / "bad-utf8.scn", Scenario("# caf\xE9 \xC0\xAF \xED\xA0\x80 \xFF\nrecord \"a\xF5\x80\"\n"));
  std::string out, err;
  EXPECT_EQ(RunConform({"--report-dir=r", "bad-utf8.scn"}, dir, &out, &err), 0) << out << err;
  EXPECT_EQ(PythonJson(dir / "r/reference.json", "d['scenarios'][0]['status']"), "PASS");
  EXPECT_NE(Read(dir / "r/reference.json").find("\\ufffd"), std::string::npos);
}

// Regression: nan, inf and 1e9 were accepted and every scenario timed out.
TEST(Conform, ANanTimeoutScaleIsAUsageError) {
  fs::path dir = TmpDir("nan");
  Write(dir / "a.scn", Scenario(""));
  for (const char* scale : {"nan", "inf", "1e9"}) {
    std::string out, err;
    EXPECT_EQ(RunConform({std::string("--timeout-scale=") + scale, "a.scn"}, dir, &out, &err), 2) << scale << out;
    EXPECT_NE(err.find("--timeout-scale needs a number from 0.001 to 1000, not '" + std::string(scale) + "'"),
              std::string::npos) << err;
  }
}

// Regression: `--report-dir=/proc` printed "FAILED to write" and exited 0.
TEST(Conform, AnUnwritableReportDirExitsNonZeroNamingThePath) {
  fs::path dir = TmpDir("unwritable");
  Write(dir / "a.scn", Scenario(""));
  std::string out, err;
  EXPECT_EQ(RunConform({"--report-dir=/proc", "a.scn"}, dir, &out, &err), 3) << out << err;
  EXPECT_NE(err.find("cannot write reports to /proc (cannot write /proc/.conform-write-test-"), std::string::npos)
      << err;
  // A report that cannot be written at the end of a run: reference.json is
  // /dev/full, whose writes fail with ENOSPC when flushed.
  fs::create_directories(dir / "r");
  fs::create_symlink("/dev/full", dir / "r/reference.json");
  EXPECT_EQ(RunConform({"--report-dir=r", "a.scn"}, dir, &out, &err), 3) << out << err;
  EXPECT_NE(err.find("cannot write " + (dir / "r/reference.json").string() + ": No space left on device"),
            std::string::npos) << err;
}

// Regression: `-j 40000` aborted (an uncaught std::system_error, exit 134).
TEST(Conform, HugeJobCountsAreRefusedOrCapped) {
  fs::path dir = TmpDir("jobs");
  Write(dir / "s/a.scn", Scenario("record a\n"));
  Write(dir / "s/b.scn", Scenario("record b\n"));
  std::string out, err;
  EXPECT_EQ(RunConform({"-j", "40000", "s"}, dir, &out, &err), 2) << out << err;
  EXPECT_NE(err.find("-j needs an integer from 1 to 1024, not '40000'"), std::string::npos) << err;
  EXPECT_EQ(RunConform({"-j", "4294967297", "s"}, dir, &out, &err), 2) << out << err;
  EXPECT_EQ(RunConform({"-j1024", "--report-dir=r", "s"}, dir, &out, &err), 0) << out << err;
  EXPECT_NE(out.find(": 2 scenarios, 2 jobs;"), std::string::npos) << out;
}

// Regression: Ctrl-C or SIGTERM on conform left the running drivers behind,
// reparented to PID 1 (they run in their own process groups).
void InterruptMidScenario(int sig) {
  fs::path dir = TmpDir(std::string("signal-") + std::to_string(sig));
  for (const char* name : {"hang-1.scn", "hang-2.scn", "hang-3.scn"})
    Write(dir / "hangs" / name, Scenario("spin until $never\n", "@timeout 120000\n"));
  Write(dir / "hangs/quick.scn", Scenario("record a\n"));
  Conform c({"-j", "2", "--report-dir=r", "hangs"}, dir);
  // Wait until two drivers are running the hanging scenarios.
  std::string marker = (dir / "hangs/hang-").string();
  auto deadline = Clock::now() + std::chrono::seconds(60);
  while (ProcessesMentioning(marker).size() < 2 && Clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  ASSERT_EQ(ProcessesMentioning(marker).size(), 2u) << "the drivers never started";
  kill(c.pid, sig);
  int status = c.Wait(std::chrono::seconds(30));
  EXPECT_EQ(status, 128 + sig) << c.Out() << c.Err();
  std::vector<pid_t> left = ProcessesMentioning(marker);
  for (pid_t p : left) kill(p, SIGKILL);
  EXPECT_TRUE(left.empty()) << left.size() << " driver(s) survived conform";
  EXPECT_NE(c.Err().find("conform: interrupted by"), std::string::npos) << c.Err();
  EXPECT_EQ(PythonJson(dir / "r/reference.json", "d['interrupted']"), "True");
}

TEST(Conform, SigtermMidScenarioLeavesNoDriverBehind) { InterruptMidScenario(SIGTERM); }
TEST(Conform, SigintMidScenarioLeavesNoDriverBehind) { InterruptMidScenario(SIGINT); }

// Regression: a scenario spawning without bound grew its driver by about
// 250 MB/s until the timeout; now it is killed at --driver-memory.
TEST(Conform, ARunawayScenarioIsKilledAtTheMemoryLimit) {
  fs::path dir = TmpDir("runaway");
  Write(dir / "spawn.scn", Scenario("repeat 100000000\n  go\n    chan c nil\n    recv c\n  end\nend\n", "@timeout 120000\n"));
  std::string out, err;
  auto start = Clock::now();
  EXPECT_EQ(RunConform({"--driver-memory=256M", "--report-dir=r", "spawn.scn"}, dir, &out, &err), 1) << out << err;
  EXPECT_LT(Clock::now() - start, std::chrono::seconds(60));
  EXPECT_EQ(PythonJson(dir / "r/reference.json", "d['scenarios'][0]['status']"), "LIMIT");
  EXPECT_NE(Read(dir / "r/reference.json").find("over the 256.0 MiB limit (--driver-memory)"), std::string::npos);
}

// Peak resident memory (VmHWM, bytes) of `c` while it runs, sampled until it exits.
int64_t PeakMemoryUntilExit(Conform& c, int* status) {
  int64_t peak = 0;
  for (;;) {
    std::ifstream in("/proc/" + std::to_string(c.pid) + "/status");
    for (std::string line; std::getline(in, line);)
      if (line.rfind("VmHWM:", 0) == 0) peak = std::max<int64_t>(peak, std::stoll(line.substr(6)) * 1024);
    int st = 0;
    if (waitpid(c.pid, &st, WNOHANG) == c.pid) {
      *status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
      return peak;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
}

// Regression: 100 MB of driver output was held whole (the runner reached
// 634 MB, the report 108 MB). The runner's bound: 256 MiB.
TEST(Conform, AHundredMegabytesOfOutputKeepTheRunnerSmall) {
  fs::path dir = TmpDir("flood");
  // 3,000,000 events of about 60 bytes each: 180 MB of trace.
  Write(dir / "flood.scn", Scenario("repeat 3000000\n  record aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\nend\n", "@timeout 120000\n"));
  Conform c({"--report-dir=r", "flood.scn"}, dir);
  int status = 0;
  int64_t peak = PeakMemoryUntilExit(c, &status);
  EXPECT_EQ(status, 1) << c.Out() << c.Err();
  EXPECT_LT(peak, int64_t{256} << 20);
  std::printf("conform's peak resident memory: %.1f MiB\n", static_cast<double>(peak) / (1 << 20));
  EXPECT_EQ(PythonJson(dir / "r/reference.json", "d['scenarios'][0]['status'], d['scenarios'][0]['failures'][0]"),
            "LIMIT stdout passed the 16.0 MiB output limit (--driver-output) and was cut there; the runner killed it");
  EXPECT_LT(fs::file_size(dir / "r/reference.json"), 1u << 20);
}

// Scenarios from anywhere: files and folders, relative to where conform was
// started, with the suite's judging.
TEST(Conform, RunsScenarioFilesAndFoldersFromAnywhere) {
  fs::path dir = TmpDir("anywhere");
  Write(dir / "repro.scn", Scenario("record a\n", "@expect trace exact g1 record a\n"));
  Write(dir / "mine/one.scn", Scenario("record b\n"));
  Write(dir / "mine/deeper/two.scn", std::string("@clause ") + kClause + "\n@expect exit 3\nrecord c\n");
  std::string out, err;
  EXPECT_EQ(RunConform({"--runtime=thread", "--report-dir=r", "repro.scn", "--scenarios=mine", "mine/one.scn"}, dir,
                       &out, &err),
            1)
      << out << err;
  EXPECT_NE(out.find("3 scenarios"), std::string::npos) << out;
  EXPECT_NE(out.find("new-failure " + (dir / "mine/deeper/two.scn").string()), std::string::npos) << out;
  EXPECT_EQ(PythonJson(dir / "r/thread.json", "[s['status'] for s in d['scenarios']]"), "['PASS', 'FAIL', 'PASS']");
  EXPECT_EQ(RunConform({"no-such.scn"}, dir, &out, &err), 2);
  EXPECT_NE(err.find("no scenario file or folder " + (dir / "no-such.scn").string()), std::string::npos) << err;
}

}  // namespace
