// Runs each fuzz input in its own process without paying for a fresh one.
//
// A program under test that ends its process (the reference runtime exits
// from inside goruntime::Run, and a fatal error must end it) cannot run
// inside the fuzzer. So StartForkServer forks, once and early, a small
// server process; for every input, RunInChild has the server start a child
// forked from that pristine image (no exec, no dynamic loading, no
// initialisers), which runs the input and exits. The server waits for it,
// killing it at the time limit, and reports the exit status. The server
// forks each child ahead of time, while the fuzzer judges the previous run,
// and starts it with a byte on a pipe.
//
// Coverage. libFuzzer learns from the sancov 8-bit counters of its own
// process, but the code worth covering (the runtime) runs in the child. Each
// child therefore maps the pages holding its counters onto a memory file
// shared with the fuzzer (after copying their contents in, since other data
// shares those pages) and zeroes its counters; once the child has ended, by
// any means, RunInChild adds the counts it left there to the fuzzer's own.
// So libFuzzer's feedback comes from the child's scheduler, channels and
// panics. In a build without sancov counters (the replay tests) nothing is
// shared and everything else works the same.
//
// Output. The child's stdout and stderr are memory files too, read back
// after it ends; no pipe can fill up.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace gofuzz {

// What the child program receives; it must end its process (normally by
// exiting; returning exits 0).
using ChildMain = void (*)(const uint8_t* data, size_t size);

// Inputs longer than this are cut to it.
inline constexpr size_t kMaxChildInput = 1 << 16;
// At most this much of each of stdout and stderr is kept.
inline constexpr size_t kMaxChildOutput = 1 << 20;

struct ChildResult {
  bool timed_out = false;     // killed at the time limit
  int wait_status = 0;        // waitpid's status (for a timeout: the kill)
  bool sanitizer_report = false;  // it died in an ASan/UBSan/... report
  std::string out;            // its stdout
  std::string err;            // its stderr
  int64_t cpu_us = 0;         // its user + system CPU time
  int64_t wall_us = 0;        // from its start to its exit, as the server saw it
};

// Starts the fork server whose children run `child_main`. Call once, while
// the process is small and has one thread (LLVMFuzzerInitialize). Returns
// an empty string, or what went wrong.
std::string StartForkServer(ChildMain child_main);

// Runs child_main(data, size) in a new child; kills it after timeout_ms.
// Adds the child's coverage counters to this process's.
ChildResult RunInChild(const uint8_t* data, size_t size, int timeout_ms);

}  // namespace gofuzz
