// Exhaustive schedule exploration for the deterministic mode
// (runtime/scheduler/deterministic.h), in the manner of CHESS and loom: run
// a program again and again, each time replaying a prefix of scheduling
// choices and taking the first runnable G after it, until every schedule
// with at most `max_deviations` non-default choices has run. Within that
// bound the exploration proves a property for all schedules, not a sample.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "runtime/scheduler/deterministic.h"

namespace goruntime::testing {

using detail::Choice;

struct ExploreResult {
  int schedules = 0;      // programs run
  bool complete = false;  // every schedule within the bound was run
};

// `run` runs the program replaying `prefix` and returns the choices it made
// (its schedule log). Stops after `max_runs` runs (complete = false then).
ExploreResult ExploreSchedules(const std::function<std::vector<Choice>(const std::vector<Choice>&)>& run,
                               int max_deviations, int max_runs);

// The GORUNTIME_SCHED value that replays `prefix`.
std::string ReplayEnv(const std::vector<Choice>& prefix);

}  // namespace goruntime::testing
