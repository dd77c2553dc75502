// The scheduler's internal interface, shared by the parts of the runtime
// (channels, timers, syscalls, lifecycle). The design and the invariants are
// in scheduler.cc.
#pragma once

#include <array>
#include <atomic>
#include <functional>

#include "runtime/base/mutex.h"
#include "runtime/scheduler/types.h"

namespace goruntime::detail {

constexpr int kMaxProcs = 256;

struct Sched {
  Mutex lock;

  GQueue runq GUARDED_BY(lock);  // the global run queue
  std::atomic<int32_t> runqsize{0};  // runq.size, readable without the lock

  P* pidle GUARDED_BY(lock) = nullptr;  // idle Ps
  std::atomic<int32_t> npidle{0};
  M* midle GUARDED_BY(lock) = nullptr;  // idle Ms
  int32_t nmidle GUARDED_BY(lock) = 0;
  int32_t nmidlelocked GUARDED_BY(lock) = 0;  // locked Ms waiting for their G
  int32_t mcount GUARDED_BY(lock) = 0;        // live Ms
  std::atomic<int32_t> nmspinning{0};

  // Ps are created on demand and never freed; allp[0..gomaxprocs) are live.
  std::array<std::atomic<P*>, kMaxProcs> allp{};
  std::atomic<int32_t> gomaxprocs{0};

  // Stop the world.
  std::atomic<bool> gcwaiting{false};
  int32_t stopwait GUARDED_BY(lock) = 0;
  Note stopnote;

  // Goroutines.
  std::atomic<int64_t> goidgen{0};
  std::atomic<int32_t> ngoroutines{0};  // existing user goroutines (NumGoroutine)
  std::atomic<bool> main_started{false};
};

extern Sched sched;

// --- G lifecycle ---------------------------------------------------------------

// Creates (or reuses) a G that will run fn, status runnable, not yet queued.
G* NewG(std::function<void()> fn);

// Puts g on the current P's run queue (runnext if next) and wakes an idle P.
void RunqPutAndWake(G* g, bool next);

// --- Parking ---------------------------------------------------------------------

// Parks the calling goroutine (status waiting). `mu`, which the caller holds
// and under which it published the G for a waker, is released first. The G
// sleeps until Ready(g); a Ready that races with the park is not lost.
void Park(Mutex& mu, WaitReason why = WaitReason::kZero) RELEASE(mu);

// Park in two halves, for callers that hold several locks (select): call
// BeginPark with the locks held, release them, then FinishPark.
void BeginPark(WaitReason why = WaitReason::kZero);
void FinishPark();

// Parks the calling goroutine for good (select {} / nil channel).
[[noreturn]] void ParkForever(WaitReason why);

// For tracebacks: whether g is parked (waiting), as opposed to runnable or running.
bool IsParked(G* g);

// Makes a parked G runnable. From a goroutine it goes to the caller's P
// (runnext); from any other thread to the global queue.
void Ready(G* g);

// Switches from the current G to its M's g0, which finishes `reason`.
void SwitchToG0(SwitchReason reason);

// Switches from the current G for `reason` (kGosched, kPark or kExit):
// straight to the next G of its P's queue when g0 would pick it anyway, else
// through g0. Either way the step for `reason` runs once the G is saved.
void SwitchAway(SwitchReason reason);

// --- M and P -------------------------------------------------------------------------

// Sets up m0 on the calling thread, the Ps, and gomaxprocs. Called by Run.
void SchedInit();

// Runs the scheduler on the calling thread (m0) forever.
[[noreturn]] void M0ScheduleLoop(G* main_g);

// Wakes an idle P with a spinning M if there is no spinner already.
void WakeP();

// Hands off a P that its M gave up (syscall, locked M): to an M if there is
// work, else to the idle list. Go's handoffp.
void HandoffP(P* p);

// Moves a P's dead Gs and free fibers to the global lists (the P is going away).
void PurgeFreeLists(P* p);

// Global run queue put, under sched.lock.
void GlobRunqPut(G* g) REQUIRES(sched.lock);

// Deadlock detection; called whenever an M goes idle. Go's checkdead.
void CheckDead() REQUIRES(sched.lock);

// P idle list.
void PidlePut(P* p) REQUIRES(sched.lock);
P* PidleGet() REQUIRES(sched.lock);

// Attaches / detaches the P of the calling M.
void AcquireP(M* m, P* p);
P* ReleaseP(M* m);

// Starts an M (idle or new) to run P p (or any idle P if null).
void StartM(P* p, bool spinning);

// Counts pending timers, for deadlock detection (time/timers.cc).
int64_t PendingTimers();

}  // namespace goruntime::detail
