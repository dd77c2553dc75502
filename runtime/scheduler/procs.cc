// GOMAXPROCS: stop the world, resize the set of Ps, start the world (Go's
// stopTheWorld / procresize / startTheWorld).
//
// Every P that is running a G stops when that G reaches a safe point: a
// cooperative one (a switch to g0, Call, a channel operation or
// PreemptCheck) or, with asynchronous preemption on, an asynchronous one,
// which the stop asks for by signalling every running P (sysmon repeats the
// signal while the stop waits), so a loop with no call does not delay it.
//
// The accounting (the invariant that must never break). While
// sched.gcwaiting is set, every P but the caller's is counted exactly once:
// either stopped by StopTheWorld itself (idle, or taken from a syscall), or
// in sched.stopwait, which its owner decrements when it stops it (GcStopM,
// HandoffP, EnterSyscall). For that, gcwaiting changes only under
// sched.lock, together with the idle list: StopTheWorld empties the idle
// list in the critical section that sets gcwaiting, and StartTheWorld refills
// it (ProcResize) in the critical section that clears gcwaiting, as Go's
// startTheWorldWithSema does. So nobody can take an idle P while gcwaiting is
// set. (It used to be cleared after the lock was released: a thread without
// a P, such as the timer thread readying a sleeper, could take a P that
// ProcResize had just made idle, see gcwaiting still set, and stop it
// (GcStopM) for a stop-the-world that was already over. That P stayed in
// gcstop, uncounted, and the next stop-the-world waited for it for ever.)
#include <vector>

#include "runtime/lifecycle/fatal.h"
#include "runtime/preempt/preempt.h"
#include "runtime/runtime.h"
#include "runtime/scheduler/current.h"
#include "runtime/scheduler/deterministic.h"
#include "runtime/scheduler/scheduler.h"

namespace goruntime {
namespace detail {
namespace {

// Go's worldsema: one stop-the-world at a time. A second caller must not
// block its M (the first stop waits for that M's P), so it yields at a safe
// point, where the first stop can stop its P, and tries again.
std::atomic<bool> world_owned{false};

void AcquireWorld() {
  bool expected = false;
  while (!world_owned.compare_exchange_weak(expected, true)) {
    expected = false;
    Gosched();
  }
}

void ReleaseWorld() { world_owned.store(false); }

// Go's stopTheWorldWithSema checks: a P counted twice or never shows here,
// not as a hang or a P running during ProcResize.
void CheckStopped() EXCLUDES(sched.lock) {
  MutexLock l(sched.lock);
  if (sched.stopwait != 0) FatalThrow("stopTheWorld: not stopped (stopwait != 0)");
  const int32_t procs = sched.gomaxprocs.load();
  for (int32_t i = 0; i < procs; i++) {
    if (sched.allp[i].load()->status.load() != PStatus::kGcStop) {
      FatalThrow("stopTheWorld: not stopped (status != _Pgcstop)");
    }
  }
}

// Stops every P but the caller's. Returns with sched.gcwaiting set and every
// P in gcstop.
void StopTheWorld(P* mine) EXCLUDES(sched.lock) {
  bool wait;
  {
    MutexLock l(sched.lock);
    const int32_t procs = sched.gomaxprocs.load();
    sched.gcwaiting.store(true);
    sched.stopwait = procs - 1;
    mine->status.store(PStatus::kGcStop);
    for (int32_t i = 0; i < procs; i++) {
      P* p = sched.allp[i].load();
      PStatus expected = PStatus::kSyscall;
      if (p != mine && p->status.compare_exchange_strong(expected, PStatus::kGcStop)) {
        p->syscalltick.fetch_add(1);
        sched.stopwait--;
      }
    }
    while (P* p = PidleGet()) {
      p->status.store(PStatus::kGcStop);
      sched.stopwait--;
    }
    wait = sched.stopwait > 0;
  }
  if (wait) {
    PreemptAllRunning();  // a G in a call-free loop stops too (sysmon re-signals)
    sched.stopnote.Sleep();
    sched.stopnote.Clear();
  }
  CheckStopped();
}

// With the world stopped: makes n Ps live. Gs queued on Ps that go away move
// to the global queue. Returns the Ps with work (to be given Ms); the others
// go on the idle list.
std::vector<P*> ProcResize(M* m, int32_t n) REQUIRES(sched.lock) {
  const int32_t old = sched.gomaxprocs.load();
  for (int32_t i = 0; i < n; i++) {
    if (sched.allp[i].load() == nullptr) {
      P* p = new P;
      p->id = i;
      p->status.store(PStatus::kGcStop);
      sched.allp[i].store(p);
    }
  }
  for (int32_t i = n; i < old; i++) {
    P* p = sched.allp[i].load();
    bool inherit;
    while (G* g = p->runq.Get(&inherit)) GlobRunqPut(g);
    PurgeFreeLists(p);  // its dead Gs and fibers serve the remaining Ps
    p->status.store(PStatus::kDead);
  }
  sched.gomaxprocs.store(n);
  if (m->p->id >= n) {
    m->p->m = nullptr;
    m->p = nullptr;
    AcquireP(m, sched.allp[0].load());
  }
  m->p->status.store(PStatus::kRunning);
  std::vector<P*> runnable;
  for (int32_t i = n - 1; i >= 0; i--) {
    P* p = sched.allp[i].load();
    if (p == m->p) continue;
    if (p->runq.Empty()) {
      PidlePut(p);
    } else {
      runnable.push_back(p);
    }
  }
  return runnable;
}

// Resizes to n Ps and restarts the world. gcwaiting is cleared in the same
// critical section that puts Ps back on the idle list (see the top).
void StartTheWorld(M* m, int32_t n) EXCLUDES(sched.lock) {
  std::vector<P*> runnable;
  {
    MutexLock l(sched.lock);
    runnable = ProcResize(m, n);
    sched.gcwaiting.store(false);
  }
  for (P* p : runnable) StartM(p, false);
  WakeP();
}

}  // namespace
}  // namespace detail

int GOMAXPROCS(int n) {
  using namespace detail;
  if (Deterministic()) {
    // One P stays one P (deterministic.h); the setting is still reported.
    static std::atomic<int> reported{1};
    return n <= 0 ? reported.load() : reported.exchange(n);
  }
  if (n <= 0) return sched.gomaxprocs.load();
  if (n > kMaxProcs) n = kMaxProcs;
  AcquireWorld();
  const int before = sched.gomaxprocs.load();  // another caller may have changed it
  if (n != before) {
    M* m = CurrentM();
    StopTheWorld(m->p);
    StartTheWorld(m, n);
  }
  ReleaseWorld();
  return before;
}

}  // namespace goruntime
