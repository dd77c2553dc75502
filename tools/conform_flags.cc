#include "tools/conform_flags.h"

#include <cstdlib>

#include "conformance/runner/runtimes.h"

namespace conform {
namespace {

// "--name=value" or "--name value" (advancing *k); nullopt when arg is not --name.
std::optional<std::string> Value(const std::string& name, int argc, char** argv, int* k, std::string* error) {
  std::string arg = argv[*k];
  if (arg.rfind(name + "=", 0) == 0) return arg.substr(name.size() + 1);
  if (arg != name) return std::nullopt;
  if (*k + 1 >= argc) {
    *error = name + " needs a value";
    return std::string();
  }
  return std::string(argv[++*k]);
}

std::string RuntimeNames() {
  std::string names;
  for (const auto& r : Runtimes()) names += (names.empty() ? "" : ", ") + r.name;
  return names;
}

}  // namespace

std::string ConformUsage() {
  return std::string("usage: conform [--runtime=NAME | --all] [--clause=GLOB]... [--feature=AREA]... [--file=SUBSTR]...\n"
         "               [--report-dir=DIR] [--no-expectations] [--update-expectations]\n"
         "               [--timeout-scale=X] [-j N]\n"
         "  --runtime=NAME         ") + RuntimeNames() + " (the first is the default)\n" +
         std::string(
         "  --all                  every runtime whose driver and toolchain are present; writes matrix.html\n"
         "  --clause=GLOB          scenarios naming a clause id matching GLOB (e.g. 'goexit.*')\n"
         "  --feature=AREA         scenarios of an area (folder or clause prefix), e.g. goexit, chan\n"
         "  --file=SUBSTR          scenarios whose path contains SUBSTR\n"
         "  --report-dir=DIR       where <runtime>.json, <runtime>.junit.xml (and matrix.html) go\n"
         "                         (default: $BUILD_WORKSPACE_DIRECTORY/reports, else ./reports)\n"
         "  --no-expectations      ignore conformance/expectations/<runtime>.txt\n"
         "  --update-expectations  rewrite that file from this run\n"
         "  --timeout-scale=X      multiply every scenario's @timeout by X\n"
         "  -j N                   scenarios run in parallel (default: number of CPUs)\n"
         "Exit status: 0 when every scenario passed or failed as expected; 1 on a new failure or an\n"
         "unexpected pass; 2 on bad usage or a missing driver.\n");
}

std::optional<ConformFlags> ParseConformFlags(int argc, char** argv, std::string* error) {
  ConformFlags f;
  for (int k = 1; k < argc; ++k) {
    std::string arg = argv[k];
    std::optional<std::string> v;
    if (arg == "-h" || arg == "--help") f.help = true;
    else if (arg == "--all") f.all = true;
    else if (arg == "--no-expectations") f.use_expectations = false;
    else if (arg == "--update-expectations") f.update_expectations = true;
    else if ((v = Value("--runtime", argc, argv, &k, error))) f.runtime = *v;
    else if ((v = Value("--clause", argc, argv, &k, error))) f.selection.clause_globs.push_back(*v);
    else if ((v = Value("--feature", argc, argv, &k, error))) f.selection.features.push_back(*v);
    else if ((v = Value("--file", argc, argv, &k, error))) f.selection.file_substrings.push_back(*v);
    else if ((v = Value("--report-dir", argc, argv, &k, error))) f.report_dir = *v;
    else if ((v = Value("--timeout-scale", argc, argv, &k, error))) {
      char* end = nullptr;
      f.timeout_scale = std::strtod(v->c_str(), &end);
      if (v->empty() || *end || f.timeout_scale <= 0) *error = "--timeout-scale needs a positive number, not '" + *v + "'";
    } else if ((v = Value("-j", argc, argv, &k, error)) || (arg.rfind("-j", 0) == 0 && arg.size() > 2 && (v = arg.substr(2)))) {
      char* end = nullptr;
      long n = std::strtol(v->c_str(), &end, 10);
      if (v->empty() || *end || n < 1) *error = "-j needs a positive integer, not '" + *v + "'";
      f.jobs = static_cast<int>(n);
    } else {
      *error = "unknown flag '" + arg + "'";
    }
    if (!error->empty()) return std::nullopt;
  }
  if (!FindRuntime(f.runtime)) {
    *error = "unknown runtime '" + f.runtime + "' (known: " + RuntimeNames() + ")";
    return std::nullopt;
  }
  if (f.all && f.update_expectations) {
    *error = "--update-expectations works on one runtime: use --runtime=NAME";
    return std::nullopt;
  }
  return f;
}

}  // namespace conform
