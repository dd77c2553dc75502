// The executable model: a small sequential semantics of the scenario
// language, used as the oracle for `@expect model`. It explores the legal
// interleavings of a scenario (goroutines take turns one atomic step at a
// time) and decides whether an observed trace and exit status could come
// from one of them. Semantics follow shared/spec-facts.md; see model.cc.
//
// What the model deliberately does not know, and so accepts any value for:
// thread identities, whether a thread exists, which thread is the main one,
// elapsed time, the initial GOMAXPROCS (unless the scenario pins it), the
// initial stack limit, and when a poll gives up. It knows nothing of stack
// overflow or time: recurse, spin, sleep, syscall and stopwatch are plain
// steps. A pipe is a queue of bytes; a read of an empty one waits in a
// system call, which is not a deadlock (nor is `forever` with an empty body).
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "conformance/interp/trace.h"
#include "conformance/lang/ast.h"

namespace spec::model {

struct Observation {
  std::vector<conform::Event> trace;
  std::optional<int> exit_status;  // nullopt: any
};

struct Options {
  int64_t max_states = 1'000'000;  // exploration bound
};

enum class Verdict { kValid, kInvalid, kBoundExceeded };

struct Result {
  Verdict verdict = Verdict::kInvalid;
  int64_t states = 0;  // states explored
  // For kInvalid: the longest prefix of the trace some schedule produces.
  size_t longest_prefix = 0;
};

// Whether `obs` is the outcome of some legal schedule of `sc`.
Result Check(const conform::lang::Scenario& sc, const Observation& obs, const Options& opts = {});

// Every (trace, exit status) a complete legal run can produce, or nullopt
// if there are more than max_states states. For tests and small scenarios.
using Outcome = std::pair<std::vector<conform::Event>, int>;
std::optional<std::set<Outcome>> Enumerate(const conform::lang::Scenario& sc,
                                           const Options& opts = {});

}  // namespace spec::model
