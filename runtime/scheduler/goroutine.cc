// The goroutine operations of runtime.h: go, Gosched, NumGoroutine,
// LockOSThread and friends.
#include "runtime/runtime.h"
#include "runtime/scheduler/current.h"
#include "runtime/scheduler/scheduler.h"

namespace goruntime {
namespace detail {
namespace {

// Wires the calling G to its M, counting in `depth` (user or internal lock).
void Wire(uint32_t G::*depth) {
  M* m = CurrentM();
  G* g = m->curg;
  g->*depth += 1;
  g->lockedm = m;
  m->lockedg = g;
}

// Undoes one Wire counted in `depth`; a no-op when that count is zero. The
// G stays wired while either count is non-zero.
void Unwire(uint32_t G::*depth) {
  M* m = CurrentM();
  G* g = m->curg;
  if (g->*depth == 0) return;
  g->*depth -= 1;
  if (g->locked_ext > 0 || g->locked_int > 0) return;
  g->lockedm = nullptr;
  m->lockedg = nullptr;
}

}  // namespace
}  // namespace detail

using detail::CurrentG;
using detail::CurrentM;
using detail::sched;

void Go(std::function<void()> fn) {
  detail::G* g = detail::NewG(std::move(fn));
  detail::RunqPutAndWake(g, /*next=*/true);
}

void Gosched() { detail::SwitchAway(detail::SwitchReason::kGosched); }

void PreemptCheck() {
  detail::P* p = CurrentM()->p;
  const bool asked = p != nullptr && p->preempt.load(std::memory_order_relaxed);
  if (!asked && !sched.gcwaiting.load(std::memory_order_relaxed)) return;
  // The request is dropped by the P's next schedule (PrepareToRun), the one
  // place that clears it.
  detail::SwitchToG0(detail::SwitchReason::kPreempted);
}

int NumGoroutine() { return sched.ngoroutines.load(); }

int64_t GoID() { return CurrentG()->goid; }

void LockOSThread() { detail::Wire(&detail::G::locked_ext); }

void UnlockOSThread() { detail::Unwire(&detail::G::locked_ext); }

int64_t ThreadID() { return CurrentM()->tid; }

namespace detail {

// Runtime-internal lock (init on m0), counted apart from the user's.
void LockOSThreadInternal() { Wire(&G::locked_int); }
void UnlockOSThreadInternal() { Unwire(&G::locked_int); }

}  // namespace detail
}  // namespace goruntime
