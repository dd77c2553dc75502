#include "conformance/runner/suite.h"

#include <fnmatch.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <mutex>
#include <system_error>
#include <thread>

#include "conformance/runner/child_process.h"

namespace conform {

namespace fs = std::filesystem;

std::vector<std::string> DiscoverScenarios(const std::string& root) {
  std::vector<std::string> out;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(root, fs::directory_options::follow_directory_symlink, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec))
    if (it->path().extension() == ".scn") out.push_back(it->path().string());
  std::sort(out.begin(), out.end());
  return out;
}

std::string ScenarioArea(const std::string& path, const std::vector<std::string>& clauses) {
  static const std::string kMarker = "scenarios/";
  size_t at = path.rfind(kMarker);
  if (at != std::string::npos) {
    size_t start = at + kMarker.size(), slash = path.find('/', start);
    if (slash != std::string::npos) return path.substr(start, slash - start);
  }
  if (!clauses.empty()) return clauses[0].substr(0, clauses[0].find('.'));
  return "other";
}

bool Selected(const Selection& sel, const std::string& path, const std::string& area,
              const std::vector<std::string>& clauses) {
  auto any_clause = [&](auto pred) { return std::any_of(clauses.begin(), clauses.end(), pred); };
  auto clause_ok = sel.clause_globs.empty() ||
                   std::any_of(sel.clause_globs.begin(), sel.clause_globs.end(), [&](const std::string& g) {
                     return any_clause([&](const std::string& c) { return fnmatch(g.c_str(), c.c_str(), 0) == 0; });
                   });
  auto feature_ok = sel.features.empty() ||
                    std::any_of(sel.features.begin(), sel.features.end(), [&](const std::string& f) {
                      return f == area || any_clause([&](const std::string& c) { return c.rfind(f + ".", 0) == 0; });
                    });
  auto file_ok = sel.file_substrings.empty() ||
                 std::any_of(sel.file_substrings.begin(), sel.file_substrings.end(),
                             [&](const std::string& s) { return path.find(s) != std::string::npos; });
  return clause_ok && feature_ok && file_ok;
}

std::vector<ScenarioResult> RunScenarios(const std::string& driver, const std::set<std::string>& caps,
                                         const std::vector<std::string>& files, const RunOptions& opts,
                                         int jobs, const Progress& progress,
                                         std::vector<lang::Scenario>* parsed, std::string* warning) {
  std::vector<ScenarioResult> results(files.size());
  std::vector<lang::Scenario> scenarios(files.size());
  std::atomic<size_t> next{0};
  size_t done = 0;
  std::mutex mu;
  auto worker = [&] {
    for (size_t i; InterruptSignal() == 0 && (i = next.fetch_add(1)) < files.size();) {
      results[i] = RunScenarioFile(driver, caps, files[i], &scenarios[i], opts);
      // Only the header outlives the run: a big scenario's body would
      // otherwise stay in memory to the end (256 bytes per statement).
      scenarios[i].main = {};
      scenarios[i].inits = {};
      if (results[i].interrupted) continue;
      std::lock_guard<std::mutex> lock(mu);
      ++done;
      if (progress) progress(done, files.size(), results[i]);
    }
  };
  // Never more workers than scenarios; a worker the system refuses is a
  // warning (the others do its share), not an abort.
  size_t want = std::clamp<size_t>(jobs > 0 ? static_cast<size_t>(jobs) : 1, 1, std::max<size_t>(files.size(), 1));
  std::vector<std::thread> threads;
  for (size_t k = 0; k < want; ++k) {
    try {
      threads.emplace_back(worker);
    } catch (const std::system_error& e) {
      if (warning)
        *warning = "could start only " + std::to_string(threads.size()) + " of " + std::to_string(want) +
                   " worker threads (" + e.what() + ")" + (threads.empty() ? "; running on the main thread" : "");
      break;
    }
  }
  if (threads.empty()) worker();
  for (auto& t : threads) t.join();
  // Whatever an interrupt left unstarted is marked so, never judged.
  for (size_t i = 0; i < files.size(); ++i) {
    if (results[i].file.empty()) {
      results[i].file = files[i];
      results[i].interrupted = true;
      results[i].failures.push_back("not run: interrupted");
    }
  }
  if (parsed) *parsed = std::move(scenarios);
  return results;
}

}  // namespace conform
