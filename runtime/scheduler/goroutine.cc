// The goroutine operations of runtime.h: go, Gosched, NumGoroutine,
// LockOSThread and friends.
#include <sys/syscall.h>
#include <unistd.h>

#include "runtime/runtime.h"
#include "runtime/scheduler/current.h"
#include "runtime/scheduler/scheduler.h"

namespace goruntime {

using detail::CurrentG;
using detail::CurrentM;
using detail::sched;

void Go(std::function<void()> fn) {
  detail::G* g = detail::NewG(std::move(fn));
  detail::RunqPutAndWake(g, /*next=*/true);
}

void Gosched() { detail::SwitchToG0(detail::SwitchReason::kGosched); }

void PreemptCheck() {
  detail::P* p = CurrentM()->p;
  const bool asked = p != nullptr && p->preempt.load(std::memory_order_relaxed);
  if (!asked && !sched.gcwaiting.load(std::memory_order_relaxed)) return;
  if (asked) p->preempt.store(false, std::memory_order_relaxed);
  detail::SwitchToG0(detail::SwitchReason::kPreempted);
}

int NumGoroutine() { return sched.ngoroutines.load(); }

int64_t GoID() { return CurrentG()->goid; }

void LockOSThread() {
  detail::M* m = CurrentM();
  detail::G* g = m->curg;
  g->locked_ext++;
  g->lockedm = m;
  m->lockedg = g;
}

void UnlockOSThread() {
  detail::M* m = CurrentM();
  detail::G* g = m->curg;
  if (g->locked_ext == 0) return;
  if (--g->locked_ext > 0 || g->locked_int > 0) return;
  g->lockedm = nullptr;
  m->lockedg = nullptr;
}

int64_t ThreadID() { return CurrentM()->tid; }

namespace detail {

// Runtime-internal lock (init on m0), counted apart from the user's.
void LockOSThreadInternal() {
  M* m = CurrentM();
  G* g = m->curg;
  g->locked_int++;
  g->lockedm = m;
  m->lockedg = g;
}

void UnlockOSThreadInternal() {
  M* m = CurrentM();
  G* g = m->curg;
  if (g->locked_int == 0) return;
  if (--g->locked_int > 0 || g->locked_ext > 0) return;
  g->lockedm = nullptr;
  m->lockedg = nullptr;
}

}  // namespace detail
}  // namespace goruntime
