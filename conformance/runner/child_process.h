// Runs one child process with a wall-clock limit and collects its output.
// Safe to call from several threads at once (posix_spawn, no fork-time
// allocation), and the child gets its own process group so that a timeout
// kills whatever it started too (e.g. `go build`).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace conform {

struct ChildResult {
  std::string out, err;
  int wait_status = 0;
  bool timed_out = false;
  std::string spawn_error;  // non-empty when the process could not be started
};

// Runs argv (argv[0] is a path) with GOMAXPROCS set to *gomaxprocs, or
// removed when it is nullopt, killing it after timeout_ms. `extra_env`
// entries ("K=V") are added, replacing any inherited K.
ChildResult RunChild(const std::vector<std::string>& argv, std::optional<int64_t> gomaxprocs,
                     int64_t timeout_ms, const std::vector<std::string>& extra_env = {});

}  // namespace conform
