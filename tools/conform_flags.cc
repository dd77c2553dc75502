#include "tools/conform_flags.h"

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace conform {
namespace {

constexpr int64_t kKiB = 1024, kMiB = kKiB * 1024, kGiB = kMiB * 1024;

// Bounds of the numeric flags: wide enough for any sane use, narrow enough
// that no value can overflow a deadline, a thread count or an allocation.
constexpr double kMinTimeoutScale = 0.001, kMaxTimeoutScale = 1000;
constexpr long kMaxJobs = 1024;
constexpr int64_t kMinDriverMemory = 16 * kMiB, kMaxDriverMemory = 1024 * kGiB;
constexpr int64_t kMinDriverOutput = 4 * kKiB, kMaxDriverOutput = 1 * kGiB;

// Whether a command-line word is a flag rather than a value.
bool LooksLikeFlag(const std::string& s) { return s.size() > 1 && s[0] == '-'; }

// "--name=value" or "--name value" (advancing *k); nullopt when arg is not
// --name. A separate value that is itself a flag is an error, so that
// `--report-dir --all` never takes "--all" as a directory.
std::optional<std::string> Value(const std::string& name, int argc, char** argv, int* k, std::string* error) {
  std::string arg = argv[*k];
  if (arg.rfind(name + "=", 0) == 0) return arg.substr(name.size() + 1);
  if (arg != name) return std::nullopt;
  if (*k + 1 >= argc) {
    *error = name + " needs a value";
    return std::string();
  }
  std::string next = argv[*k + 1];
  if (LooksLikeFlag(next)) {
    *error = name + " needs a value, but the next argument '" + next + "' is a flag (write " + name +
             "=VALUE for a value starting with '-')";
    return std::string();
  }
  ++*k;
  return next;
}

// "-j4", or "-j 4" / "-j=4" through Value.
std::optional<std::string> JobsValue(int argc, char** argv, int* k, std::string* error) {
  std::string arg = argv[*k];
  if (auto v = Value("-j", argc, argv, k, error)) return v;
  if (arg.rfind("-j", 0) == 0 && arg.size() > 2) return arg.substr(2);
  return std::nullopt;
}

// An integer in [lo, hi]; an error naming the flag and the range otherwise
// (overflow included: 4294967297 is out of range, never 1).
int64_t IntInRange(const std::string& flag, const std::string& text, int64_t lo, int64_t hi, std::string* error) {
  errno = 0;
  char* end = nullptr;
  long long n = std::strtoll(text.c_str(), &end, 10);
  if (text.empty() || *end || errno == ERANGE || n < lo || n > hi) {
    *error = flag + " needs an integer from " + std::to_string(lo) + " to " + std::to_string(hi) + ", not '" +
             text + "'";
    return lo;
  }
  return n;
}

// A finite number in [lo, hi] (nan, inf and 1e9 are errors).
double DoubleInRange(const std::string& flag, const std::string& text, double lo, double hi, std::string* error) {
  errno = 0;
  char* end = nullptr;
  double x = std::strtod(text.c_str(), &end);
  if (text.empty() || *end || errno == ERANGE || !std::isfinite(x) || x < lo || x > hi) {
    char range[96];
    std::snprintf(range, sizeof range, "a number from %g to %g", lo, hi);
    *error = flag + " needs " + range + ", not '" + text + "'";
    return 1.0;
  }
  return x;
}

// "512M", "2G", "65536", "64K": a byte count in [lo, hi] (binary units).
int64_t SizeInRange(const std::string& flag, const std::string& text, int64_t lo, int64_t hi, std::string* error) {
  std::string digits = text;
  int64_t unit = 1;
  if (!digits.empty()) {
    switch (digits.back()) {
      case 'K': case 'k': unit = kKiB; break;
      case 'M': case 'm': unit = kMiB; break;
      case 'G': case 'g': unit = kGiB; break;
    }
    if (unit != 1) digits.pop_back();
  }
  std::string why = flag + " needs a size from " + FormatBytes(lo) + " to " + FormatBytes(hi) +
                    " (e.g. 512M, 2G), not '" + text + "'";
  errno = 0;
  char* end = nullptr;
  long long n = std::strtoll(digits.c_str(), &end, 10);
  if (digits.empty() || *end || errno == ERANGE || n < 0 || n > hi / unit || n * unit < lo) {
    *error = why;
    return lo;
  }
  return n * unit;
}

std::string Join(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

// Flags naming a runtime from outside the tree; "" or why they conflict.
std::string CheckRuntimeChoice(const ConformFlags& f) {
  if (!f.driver.empty() && !f.runtime.empty()) return "--driver and --runtime each choose the runtime: give one";
  if (!f.name.empty() && f.driver.empty()) return "--name names a --driver runtime (a .runtime file has its own name)";
  if (f.all && f.capabilities) return "--capabilities overrides one runtime: use --runtime=NAME or --driver, not --all";
  if (f.all && !f.expectations.empty()) return "--expectations belongs to one runtime: use --runtime=NAME or --driver, not --all";
  return "";
}

}  // namespace

std::string FormatBytes(int64_t n) {
  if (n >= kGiB && n % kGiB == 0) return std::to_string(n / kGiB) + " GiB";
  if (n >= kMiB && n % kMiB == 0) return std::to_string(n / kMiB) + " MiB";
  if (n >= kKiB && n % kKiB == 0) return std::to_string(n / kKiB) + " KiB";
  return std::to_string(n) + " bytes";
}

std::string ConformUsage(const std::vector<std::string>& runtimes) {
  return std::string("usage: conform [--runtime=NAME | --driver=CMD [--name=NAME] | --runtime-file=PATH | --all]\n"
         "               [--expectations=FILE] [--capabilities=[+-]CAP,...] [--go=PATH] [--gccgo=PATH]\n"
         "               [--clause=GLOB]... [--feature=AREA]... [--file=SUBSTR]...\n"
         "               [--report-dir=DIR] [--no-expectations] [--update-expectations]\n"
         "               [--timeout-scale=X] [-j N] [--driver-memory=SIZE] [--driver-output=SIZE]\n"
         "               [--scenarios=PATH]... [FILE.scn | DIR]...\n"
         "  --runtime=NAME         a runtime of conformance/runtimes/*.runtime or of a --runtime-file\n"
         "                         (default: reference)") + (runtimes.empty() ? "" : "; here: " + Join(runtimes)) + "\n" +
         std::string(
         "  --driver=CMD           any driver speaking protocol 2 (conformance/INTERPRETING.md): a path, or a\n"
         "                         program on PATH, with optional arguments (--driver='python3 my_driver.py')\n"
         "  --name=NAME            the --driver runtime's name in reports (default: the program's name)\n"
         "  --runtime-file=PATH    a runtime description (name, command, env, capabilities, expectations;\n"
         "                         see conformance/runner/runtimes.h); repeatable; alone it runs that runtime\n"
         "  --expectations=FILE    the runtime's known failures (default: its description's; none for --driver)\n"
         "  --capabilities=LIST    override what the driver declares: -preemptive,+fairness (changes) or\n"
         "                         os-threads,syscalls (the whole set)\n"
         "  --go=PATH, --gccgo=PATH  the Go toolchain for the go and gccgo drivers (else $CONFORM_GO,\n"
         "                         $CONFORM_GCCGO, $GOROOT/bin/go, then PATH)\n"
         "  --all                  every runtime of conformance/runtimes, every --runtime-file and --driver;\n"
         "                         writes matrix.html\n"
         "  --clause=GLOB          scenarios naming a clause id matching GLOB (e.g. 'goexit.*')\n"
         "  --feature=AREA         scenarios of an area (folder or clause prefix), e.g. goexit, chan\n"
         "  --file=SUBSTR          scenarios whose path contains SUBSTR\n"
         "  --scenarios=PATH, PATH run the scenario file PATH, or every .scn file under the folder PATH,\n"
         "                         instead of the suite's own (judged the same way; repeatable)\n"
         "  --report-dir=DIR       where <runtime>.json, <runtime>.junit.xml (and matrix.html) go\n"
         "                         (default: $BUILD_WORKSPACE_DIRECTORY/reports, else ./reports)\n"
         "  --no-expectations      ignore the runtime's expectations file\n"
         "  --update-expectations  rewrite that file from this run\n"
         "  --timeout-scale=X      multiply every scenario's @timeout by X (0.001 to 1000)\n"
         "  -j N                   scenarios run in parallel (default: number of CPUs; at most 1024,\n"
         "                         and never more than the scenarios selected)\n"
         "  --driver-memory=SIZE   kill a driver whose resident memory (with its children) passes SIZE:\n"
         "                         verdict LIMIT (default 2G; 16M to 1024G)\n"
         "  --driver-output=SIZE   kill a driver whose stdout or stderr passes SIZE: verdict LIMIT\n"
         "                         (default 16M; 4K to 1G)\n"
         "Exit status: 0 when every scenario passed or failed as expected; 1 on a new failure, an\n"
         "unexpected pass or a scenario in error; 2 on bad usage, or a driver that is missing or does\n"
         "not speak protocol 2; 3 when a report or expectations file cannot be written; 130 or 143\n"
         "when interrupted (SIGINT, SIGTERM).\n");
}

std::optional<ConformFlags> ParseConformFlags(int argc, char** argv, std::string* error) {
  ConformFlags f;
  error->clear();
  for (int k = 1; k < argc; ++k) {
    std::string arg = argv[k];
    std::optional<std::string> v;
    if (arg == "-h" || arg == "--help") f.help = true;
    else if (arg == "--all") f.all = true;
    else if (arg == "--no-expectations") f.use_expectations = false;
    else if (arg == "--update-expectations") f.update_expectations = true;
    else if ((v = Value("--runtime", argc, argv, &k, error))) f.runtime = *v;
    else if ((v = Value("--driver", argc, argv, &k, error))) f.driver = *v;
    else if ((v = Value("--name", argc, argv, &k, error))) f.name = *v;
    else if ((v = Value("--expectations", argc, argv, &k, error))) f.expectations = *v;
    else if ((v = Value("--capabilities", argc, argv, &k, error))) f.capabilities = *v;
    else if ((v = Value("--runtime-file", argc, argv, &k, error))) f.runtime_files.push_back(*v);
    else if ((v = Value("--go", argc, argv, &k, error))) f.go = *v;
    else if ((v = Value("--gccgo", argc, argv, &k, error))) f.gccgo = *v;
    else if ((v = Value("--clause", argc, argv, &k, error))) f.selection.clause_globs.push_back(*v);
    else if ((v = Value("--feature", argc, argv, &k, error))) f.selection.features.push_back(*v);
    else if ((v = Value("--file", argc, argv, &k, error))) f.selection.file_substrings.push_back(*v);
    else if ((v = Value("--scenarios", argc, argv, &k, error))) f.scenario_paths.push_back(*v);
    else if ((v = Value("--report-dir", argc, argv, &k, error))) f.report_dir = *v;
    else if ((v = Value("--timeout-scale", argc, argv, &k, error)))
      f.timeout_scale = DoubleInRange("--timeout-scale", *v, kMinTimeoutScale, kMaxTimeoutScale, error);
    else if ((v = Value("--driver-memory", argc, argv, &k, error)))
      f.driver_memory = SizeInRange("--driver-memory", *v, kMinDriverMemory, kMaxDriverMemory, error);
    else if ((v = Value("--driver-output", argc, argv, &k, error)))
      f.driver_output = SizeInRange("--driver-output", *v, kMinDriverOutput, kMaxDriverOutput, error);
    else if ((v = JobsValue(argc, argv, &k, error)))
      f.jobs = static_cast<int>(IntInRange("-j", *v, 1, kMaxJobs, error));
    else if (!LooksLikeFlag(arg)) f.scenario_paths.push_back(arg);
    else *error = "unknown flag '" + arg + "'";
    if (!error->empty()) return std::nullopt;
  }
  if (std::string why = CheckRuntimeChoice(f); !why.empty()) {
    *error = why;
    return std::nullopt;
  }
  if (f.all && f.update_expectations) {
    *error = "--update-expectations works on one runtime: use --runtime=NAME or --driver";
    return std::nullopt;
  }
  if (f.update_expectations && !f.scenario_paths.empty()) {
    *error = "--update-expectations records the suite's own scenarios; it cannot be used with scenario paths";
    return std::nullopt;
  }
  return f;
}

}  // namespace conform
