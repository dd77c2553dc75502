// A main() for replaying a fuzz target's inputs without libFuzzer: every
// file named on the command line, or found (recursively) under a directory
// named there, is passed once to LLVMFuzzerTestOneInput. This is how seed
// corpora and fuzz/regressions/<target>/ become ordinary `bazel test`s: a
// crash found by tools/fuzz is saved there and replayed here forever after.
//
// Usage: <target>_replay_test [--flag=value ...] PATH...
// Arguments starting with "--" are handed to LLVMFuzzerInitialize (if the
// target defines it), as libFuzzer would. Hidden files (.gitkeep) are
// skipped. A named path that does not exist is an error, so a typo in a BUILD
// file cannot silently replay nothing.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);
extern "C" __attribute__((weak)) int LLVMFuzzerInitialize(int* argc, char*** argv);

namespace fs = std::filesystem;

int main(int argc, char** argv) {
  if (LLVMFuzzerInitialize) LLVMFuzzerInitialize(&argc, &argv);
  std::vector<std::string> files;
  bool bad = false;
  for (int k = 1; k < argc; ++k) {
    std::string arg = argv[k];
    if (arg.rfind("--", 0) == 0) continue;
    std::error_code ec;
    if (fs::is_regular_file(arg, ec)) {
      files.push_back(arg);
    } else if (fs::is_directory(arg, ec)) {
      for (auto it = fs::recursive_directory_iterator(
               arg, fs::directory_options::follow_directory_symlink, ec);
           !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
        if (it->path().filename().string().rfind('.', 0) == 0) continue;
        if (fs::is_regular_file(it->path(), ec)) files.push_back(it->path().string());
      }
    } else {
      std::fprintf(stderr, "replay: no such file or directory: %s\n", arg.c_str());
      bad = true;
    }
  }
  if (bad) return 2;
  std::sort(files.begin(), files.end());
  for (const std::string& f : files) {
    std::ifstream in(f, std::ios::binary);
    std::vector<uint8_t> data((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::fprintf(stderr, "replay: %s (%zu bytes)\n", f.c_str(), data.size());
    // A copy in its own allocation, as libFuzzer does, so ASan sees overreads.
    uint8_t* copy = static_cast<uint8_t*>(std::malloc(data.size() ? data.size() : 1));
    std::copy(data.begin(), data.end(), copy);
    LLVMFuzzerTestOneInput(copy, data.size());
    std::free(copy);
  }
  std::printf("replay: %zu inputs ran without a failure\n", files.size());
  return files.empty() ? 3 : 0;
}
