// What the trampoline calls (Go's asyncPreempt2): the goroutine, now at an
// injected call on its own stack with every register saved, yields like a
// cooperative preemption, and continues once it runs again.
//
// It must resume on this same M. The interrupted code may hold thread-local
// state in registers (a thread-local's address, computed once; errno; a
// cached thread pointer), so running it on another thread would read and
// write that thread's state. The G is therefore wired to the M for the
// switch, with the LockOSThread machinery: g0 requeues it (globally, like
// any preemption), its M hands its P away and sleeps (StopLockedM), and
// whichever M dequeues the G hands that M a P (StartLockedM). Meanwhile the
// M runs nothing else, so everything thread-local the G left (errno, the
// signal mask, C++'s exception globals, the locale) is as it was, except
// errno, which the M's own futex calls may set: it is saved and restored.
// Once the G runs again it is back on its M, and the wiring is dropped at
// once: its next switch is either cooperative (where code must expect to
// move, as before) or another asynchronous preemption, which wires it again.
// A G the user already locked (LockOSThread) is left as it was.
#include <cerrno>

#include "runtime/lifecycle/fatal.h"
#include "runtime/preempt/nopreempt.h"
#include "runtime/preempt/preempt.h"
#include "runtime/scheduler/current.h"
#include "runtime/scheduler/scheduler.h"

namespace goruntime::detail {
bool CurrentGoroutineWired() {
  G* g = CurrentG();
  return g != nullptr && g->lockedm != nullptr;
}
}  // namespace goruntime::detail

extern "C" __attribute__((visibility("hidden"))) void goruntime_async_preempt() {
  using namespace goruntime::detail;
  const int saved_errno = errno;
  M* m = CurrentM();
  G* g = m->curg;
  const bool wire = g->lockedm == nullptr;
  if (wire) {
    g->lockedm = m;
    m->lockedg = g;
  }
  // p->preempt is dropped by the P's next schedule (PrepareToRun).
  SwitchToG0(SwitchReason::kPreempted);
  if (CurrentM() != m) FatalThrow("asynchronously preempted goroutine resumed on another thread");
  if (wire) {
    g->lockedm = nullptr;
    m->lockedg = nullptr;
  }
  Stats().resumed.fetch_add(1, std::memory_order_relaxed);
  errno = saved_errno;
}
