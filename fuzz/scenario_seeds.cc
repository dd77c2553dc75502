// scenario_seeds: writes the differential fuzzer's seed corpus, one input
// per scenario, encoded with EncodeScenario (scenario_decoder.h).
//
// Usage: scenario_seeds [--verbose] OUT_DIR PATH...
// Every .scn file under each PATH (a file or a directory) becomes
// OUT_DIR/<path with '/' as '_'>.bin. A scenario outside the decoder's
// bounds is clamped to fit; --verbose lists what changed. Prints a summary
// line; exits 1 if a scenario does not parse, 2 on a usage or I/O error.
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "conformance/lang/parser.h"
#include "fuzz/scenario_decoder.h"

namespace fs = std::filesystem;

int main(int argc, char** argv) {
  bool verbose = false;
  std::vector<std::string> args;
  for (int k = 1; k < argc; ++k) {
    std::string a = argv[k];
    if (a == "--verbose") verbose = true;
    else if (a.rfind("--", 0) == 0) {
      std::fprintf(stderr, "scenario_seeds: unknown flag %s\n", a.c_str());
      return 2;
    } else {
      args.push_back(a);
    }
  }
  if (args.size() < 2) {
    std::fprintf(stderr, "usage: scenario_seeds [--verbose] OUT_DIR PATH...\n");
    return 2;
  }
  const fs::path out = args[0];
  std::error_code ec;
  fs::create_directories(out, ec);
  if (ec) {
    std::fprintf(stderr, "scenario_seeds: cannot create %s: %s\n", out.c_str(), ec.message().c_str());
    return 2;
  }
  std::vector<fs::path> files;
  for (size_t k = 1; k < args.size(); ++k) {
    if (fs::is_regular_file(args[k])) {
      files.push_back(args[k]);
    } else if (fs::is_directory(args[k])) {
      for (const auto& e : fs::recursive_directory_iterator(args[k]))
        if (e.is_regular_file() && e.path().extension() == ".scn") files.push_back(e.path());
    } else {
      std::fprintf(stderr, "scenario_seeds: no such file or directory: %s\n", args[k].c_str());
      return 2;
    }
  }
  std::sort(files.begin(), files.end());
  int exact = 0, clamped = 0, bad = 0;
  for (const fs::path& f : files) {
    conform::lang::ParseError err;
    auto sc = conform::lang::ParseFile(f.string(), &err);
    if (!sc) {
      std::fprintf(stderr, "%s\n", err.ToString().c_str());
      ++bad;
      continue;
    }
    gofuzz::EncodedScenario enc = gofuzz::EncodeScenario(*sc);
    std::string name = f.lexically_normal().string();
    std::replace(name.begin(), name.end(), '/', '_');
    const fs::path dst = out / (fs::path(name).replace_extension(".bin"));
    std::ofstream o(dst, std::ios::binary);
    o.write(reinterpret_cast<const char*>(enc.bytes.data()), static_cast<std::streamsize>(enc.bytes.size()));
    if (!o.good()) {
      std::fprintf(stderr, "scenario_seeds: cannot write %s\n", dst.c_str());
      return 2;
    }
    (enc.losses.empty() ? exact : clamped)++;
    if (verbose && !enc.losses.empty()) {
      std::fprintf(stderr, "%s: clamped:\n", f.c_str());
      for (const auto& l : enc.losses) std::fprintf(stderr, "  %s\n", l.c_str());
    }
  }
  std::printf("scenario_seeds: %zu scenarios -> %s: %d exact, %d clamped to the decoder's bounds, %d unparsable\n",
              files.size(), out.c_str(), exact, clamped, bad);
  return bad ? 1 : 0;
}
