#include "runtime/testing/explore.h"

namespace goruntime::testing {
namespace {

int Deviations(const std::vector<Choice>& s, size_t upto) {
  int n = 0;
  for (size_t i = 0; i < upto && i < s.size(); i++) n += s[i].index != 0;
  return n;
}

}  // namespace

std::string ReplayEnv(const std::vector<Choice>& prefix) {
  std::string v = "GORUNTIME_SCHED=replay:";
  for (size_t i = 0; i < prefix.size(); i++) v += (i ? "," : "") + std::to_string(prefix[i].index);
  return v;
}

ExploreResult ExploreSchedules(const std::function<std::vector<Choice>(const std::vector<Choice>&)>& run,
                               int max_deviations, int max_runs) {
  ExploreResult r;
  std::vector<Choice> prefix;
  while (r.schedules < max_runs) {
    const std::vector<Choice> log = run(prefix);
    r.schedules++;
    // Next schedule in lexicographic order: bump the deepest choice that has
    // an untried alternative within the bound; everything after it resets
    // to the default (index 0).
    bool found = false;
    for (size_t i = log.size(); i-- > 0;) {
      const bool has_alternative = log[i].index + 1 < log[i].count;
      const int deviations = Deviations(log, i) + 1;
      if (has_alternative && deviations <= max_deviations) {
        prefix.assign(log.begin(), log.begin() + static_cast<long>(i));
        prefix.push_back(Choice{log[i].index + 1, log[i].count});
        found = true;
        break;
      }
    }
    if (!found) {
      r.complete = true;
      return r;
    }
  }
  return r;
}

}  // namespace goruntime::testing
