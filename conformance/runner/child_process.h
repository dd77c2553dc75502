// Runs one child process with a wall-clock limit and collects its output.
// Safe to call from several threads at once (posix_spawn, no fork-time
// allocation), and the child gets its own process group so that a timeout
// kills whatever it started too (e.g. `go build`).
//
// Limits. Besides the timeout, a child may be given a cap on its resident
// memory and on its output. The runner enforces both itself, by watching
// the child (/proc, every 50 ms; its whole process group every 500 ms) and
// counting the bytes it reads, and kills the whole group when one is passed. Not RLIMIT_AS: the
// sanitizer builds reserve terabytes of address space, the thread driver
// reserves a stack per goroutine, and Go reserves arenas, so an address
// space limit would kill healthy drivers; resident memory is what runs the
// machine out. Overshoot is what the driver allocates in 50 ms (what its
// children allocate in 500 ms).
//
// Interrupts. A child runs in its own process group, so the terminal's
// Ctrl-C never reaches it. After InstallInterruptForwarding(), SIGINT and
// SIGTERM are forwarded to the group of every running child, each RunChild
// kills its group with SIGKILL if it has not exited 2 s later, and
// InterruptSignal() tells the caller to stop starting new ones.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace conform {

struct ChildLimits {
  int64_t max_memory = 0;  // bytes of resident memory over the process group; 0: none
  int64_t max_output = 0;  // bytes kept of stdout, and of stderr; 0: none
};

struct ChildResult {
  std::string out, err;  // at most max_output bytes each
  int wait_status = 0;
  bool timed_out = false;
  std::string spawn_error;  // non-empty when the process could not be started
  // Non-empty when the runner killed the child for passing a limit, e.g.
  // "resident memory passed the 2 GiB limit (--driver-memory)".
  std::string limit;
  bool interrupted = false;  // a SIGINT/SIGTERM reached the runner while it ran
  int64_t peak_memory = 0;   // the largest resident memory seen over the group (bytes; 0 if unwatched)
};

// Runs argv (argv[0] is a path) with GOMAXPROCS set to *gomaxprocs, or
// removed when it is nullopt, killing it after timeout_ms. `extra_env`
// entries ("K=V") are added, replacing any inherited K.
ChildResult RunChild(const std::vector<std::string>& argv, std::optional<int64_t> gomaxprocs,
                     int64_t timeout_ms, const std::vector<std::string>& extra_env = {},
                     const ChildLimits& limits = {});

// Why `path` cannot be run as a program: "is missing", "is a directory",
// "is not executable"; empty when it can.
std::string ExecutableProblem(const std::string& path);

// Resident memory (bytes) of every process in process group `pgid`.
int64_t ProcessGroupResidentBytes(int pgid);

// How a forwarded interrupt ends this process once the children's groups
// have been signalled.
enum class OnInterrupt {
  kReturn,  // the caller polls InterruptSignal(), winds down and exits itself
  kDie,     // SIGKILL every child group, then die of the signal (tests)
};

// Installs SIGINT and SIGTERM handlers that forward the signal to the
// process group of every running child (a second signal sends SIGKILL).
void InstallInterruptForwarding(OnInterrupt mode);

// The first SIGINT or SIGTERM received since InstallInterruptForwarding, or 0.
int InterruptSignal();

}  // namespace conform
