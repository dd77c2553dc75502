// Blocking system calls and sysmon.
//
// EnterSyscall leaves the P attached to the M but marks it kSyscall; the M
// then blocks in the kernel. sysmon, a plain thread with no P, retakes a P
// that has stayed in one syscall for a whole sysmon tick (CAS kSyscall ->
// kIdle) and hands it off, so the other goroutines keep running even at
// GOMAXPROCS=1 ("blocking is fine"). ExitSyscall takes the old P back if it
// is still there, else an idle P, else queues the G globally and parks the M.
//
// sysmon also asks the G on a P that has run for 10ms without a schedule to
// yield at its next safe point (the flag is on the P, so sysmon never reads
// another thread's G; the P's next schedule clears it, as Go's execute clears
// gp.preempt), and asks again at every tick until it does. With asynchronous
// preemption on (preempt/preempt.h), when another G is waiting to run, it
// also signals the P's thread, at most every 100us; the handler preempts the
// G if it is at a safe point, and a later tick retries if not. While the
// world is being stopped it signals every running P at once. It sleeps 20us,
// doubling after 50 idle rounds up to 10ms, so an idle program costs about
// 100 wakeups a second; as in Go, asking for a preemption is not activity.
#include <unistd.h>

#include <thread>

#include "runtime/preempt/preempt.h"
#include "runtime/runtime.h"
#include "runtime/scheduler/current.h"
#include "runtime/scheduler/deterministic.h"
#include "runtime/scheduler/scheduler.h"

namespace goruntime {
namespace detail {
namespace {

constexpr int64_t kForcePreemptNs = 10'000'000;

struct SysmonPState {
  uint32_t syscalltick = 0;
  uint32_t schedtick = 0;
  int64_t schedwhen = 0;
  int64_t signalled = 0;  // last preemption signal sent for this P
};

// Whether a G other than p's running one is waiting for a P: only then is a
// preemption worth a signal (a lone spinning G would just be run again).
bool OthersWaiting(P* p) {
  return !p->runq.Empty() || sched.runqsize.load(std::memory_order_relaxed) > 0;
}

// One sysmon pass. Returns whether it retook a P from a syscall (or, in
// preemption stress mode, signalled one).
bool Retake(SysmonPState* seen, int64_t now) {
  bool acted = false;
  const int32_t procs = sched.gomaxprocs.load(std::memory_order_acquire);
  for (int32_t i = 0; i < procs; i++) {
    P* p = sched.allp[i].load(std::memory_order_acquire);
    if (p == nullptr) continue;
    SysmonPState& s = seen[i];
    const PStatus status = p->status.load();
    if (status == PStatus::kSyscall) {
      const uint32_t t = p->syscalltick.load();
      if (s.syscalltick != t) {
        s.syscalltick = t;  // a new syscall: give it one tick
        continue;
      }
      PStatus expected = PStatus::kSyscall;
      if (p->status.compare_exchange_strong(expected, PStatus::kIdle)) {
        p->syscalltick.fetch_add(1);
        HandoffP(p);
        acted = true;
      }
    } else if (status == PStatus::kRunning && !Deterministic()) {
      const uint32_t t = p->sysmon_schedtick.load(std::memory_order_relaxed);
      if (s.schedtick != t) {
        s.schedtick = t;
        s.schedwhen = now;
      } else if (now - s.schedwhen >= kForcePreemptNs) {
        p->preempt.store(true, std::memory_order_relaxed);
        if (AsyncPreemptOn() && OthersWaiting(p)) SignalPreempt(p, &s.signalled, now);
      }
      if (PreemptStress()) {
        p->preempt.store(true, std::memory_order_relaxed);
        SignalPreempt(p, &s.signalled, now);
        acted = true;  // keep ticking every 20us
      } else if (sched.gcwaiting.load(std::memory_order_relaxed) && AsyncPreemptOn()) {
        SignalPreempt(p, &s.signalled, now);
      }
    }
  }
  return acted;
}

[[noreturn]] void SysmonLoop() {
  static SysmonPState seen[kMaxProcs];
  int64_t delay_us = 20;
  int idle = 0;
  for (;;) {
    if (idle == 0) {
      delay_us = 20;
    } else if (idle > 50) {
      delay_us = delay_us * 2 > 10'000 ? 10'000 : delay_us * 2;
    }
    usleep(static_cast<useconds_t>(delay_us));
    idle = Retake(seen, Nanotime()) ? 0 : idle + 1;
  }
}

}  // namespace

void StartSysmon() {
  InitAsyncPreempt();
  std::thread(SysmonLoop).detach();
}

void EnterSyscall() {
  M* m = CurrentM();
  G* g = m->curg;
  P* p = m->p;
  p->syscalltick.fetch_add(1);
  m->oldp = p;
  m->p = nullptr;
  p->m = nullptr;
  p->status.store(PStatus::kSyscall);
  if (sched.gcwaiting.load()) {
    // A stop-the-world is waiting for this P: give it up now.
    MutexLock l(sched.lock);
    PStatus expected = PStatus::kSyscall;
    if (p->status.compare_exchange_strong(expected, PStatus::kGcStop)) {
      if (--sched.stopwait == 0) sched.stopnote.Wakeup();
    }
  }
}

void ExitSyscall() {
  M* m = CurrentM();
  G* g = m->curg;
  P* old = m->oldp;
  m->oldp = nullptr;
  PStatus expected = PStatus::kSyscall;
  if (old != nullptr && old->status.compare_exchange_strong(expected, PStatus::kRunning)) {
    AcquireP(m, old);
    return;
  }
  P* p = nullptr;
  if (!sched.gcwaiting.load()) {
    MutexLock l(sched.lock);
    p = PidleGet();
  }
  if (p != nullptr) {
    AcquireP(m, p);
    return;
  }
  SwitchToG0(SwitchReason::kSyscallNoP);  // g0 queues us; we resume with a P
}

}  // namespace detail
}  // namespace goruntime
