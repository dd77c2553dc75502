// The executable model: a small sequential semantics of the scenario
// language, used as the oracle for `@expect model`. It explores the legal
// interleavings of a scenario (goroutines take turns one atomic step at a
// time) and decides whether an observed trace and exit status could come
// from one of them. Semantics follow shared/spec-facts.md; see model.cc.
//
// What the model deliberately does not know, and so accepts any value for:
// which OS thread an unlocked goroutine runs on, whether a thread exists,
// elapsed time, and when a poll gives up. Time is unknown: spin, sleep,
// syscall and stopwatch are plain steps. A pipe is a queue of bytes; a read
// of an empty one waits in a system call, which is not a deadlock (nor is
// `forever` with an empty body).
//
// What it knows beyond the steps themselves (MUST clauses only):
//  - GOMAXPROCS (gomaxprocs.*): a call returns the previous setting, and
//    n < 1 only queries. The initial value is unknown unless the scenario
//    pins it, but it is one value: the first report binds it.
//  - Stacks (stack.*, capability stack-limit): SetMaxStack returns the
//    previous limit (the initial one unknown, bound when first reported);
//    a `recurse` needing at least 4x a limit the scenario set is a fatal
//    stack overflow: exit 2 at once, no deferred call runs. Recursion that
//    needs little (<= 128 KiB, and a quarter of a known limit) returns; in
//    between, either may happen (the exact depth is IMPL).
//  - Thread identity (lockosthread.*, lifecycle.init-on-main-thread,
//    capability os-threads): while a goroutine is locked (LockOSThread
//    nesting counted, UnlockOSThread without a lock a no-op) every `thread`
//    it records is one token, bound when first reported, which no other
//    goroutine reports meanwhile; init functions run locked on the main
//    thread (`main-thread 1`), and a lock taken in init keeps main there. A
//    goroutine that exits locked ends its thread: its token never comes back.
//  - Progress: the program deadlocks (exit 2) only in a state where no
//    goroutine can move; a runnable goroutine always can.
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
  // The runtime's capabilities (conformance/lang/ast.h KnownCapabilities):
  // facts of clauses that need one (thread identity: os-threads; stack
  // limits: stack-limit) are checked only when it is present. nullopt: the
  // runtime has them all.
  std::optional<std::set<std::string>> capabilities;
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
