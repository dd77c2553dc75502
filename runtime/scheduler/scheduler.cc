// The goroutine scheduler: G/M/P, after Go's runtime/proc.go.
//
// Design
// ======
// A G is a goroutine, run on a Fiber (a Boost.Context context on a guarded
// stack) that it is bound to from its first run until it exits. An M is an OS
// thread. A P is the right to run Go code; there are exactly GOMAXPROCS of
// them in use. An M runs Gs only while it holds a P. Each M has a g0: the
// thread's own stack, where the scheduler loop (ScheduleLoop) runs.
//
// Switches (the invariant that makes park/ready race-free). Every switch,
// g0 -> G, G -> g0 or G -> G, goes through one function, SwitchContext, and
// lands first in Land, on the stack of the context switched to. A G that
// blocks, yields or exits is published (requeued, its park finished, its G
// and fiber freed: the "step") only there: by the context its switch landed
// on, after Land has stored where its registers are. So no thread can ever
// resume a G whose context is still being saved. The step runs on the M the
// G left, which still holds the G's P: a switch never changes threads.
// Which context lands decides who runs the step:
//  - g0 (SwitchToG0, Go's mcall), which runs it in HandleSwitch and then
//    picks the next G (FindRunnable);
//  - or the next G itself (SwitchAway), when g0 would just take it from the
//    P's local queue (runnext first): the G that yields, parks or exits
//    switches straight to it and the step runs on the next G's stack. One
//    switch instead of two, for Gosched, for the ping-pong's park -> ready
//    hand-off (the readied G waits in runnext) and for spawn+exit.
// A switch goes through g0 whenever g0 has more to decide: in deterministic
// mode (FindRunnable makes every choice there, so a replay repeats it), with
// a locked G on the M or next in the queue (g0 hands the P off), while a
// stop-the-world waits (g0 stops the P), on the ticks where FindRunnable
// looks at the global queue first, and when the local queue is empty (g0
// steals or idles). A Gosched that finds its P's queue and the global queue
// empty just goes on, which is what g0 would do: requeue it, take it again.
// A preemption (kPreempted) and a syscall exit that found no P always go
// through g0. Whatever must happen around every switch (the sanitizer
// annotations, a split-stack context) goes in BeforeSwitch, which
// SwitchContext calls just before the jump, and AfterSwitch, which Land
// calls first.
//
// Run queues. Each P has a 256-slot lock-free ring plus a runnext slot
// (runq.h); a new or readied G goes to runnext, so a sender's receiver runs
// next. Overflow moves half the ring to the global queue (sched.runq, under
// sched.lock). Every 61st schedule a P looks at the global queue first, so
// nothing there starves.
//
// Ownership. A P is owned by exactly one of: an M (p->m, status running or
// syscall), the idle list (sched.pidle, status idle), or the stop-the-world
// (status gcstop). Status transitions out of syscall are CASes, because the
// M leaving the syscall, sysmon retaking the P, and a stop-the-world race for
// it; exactly one wins. sched.gcwaiting changes only under sched.lock, in the
// same critical sections that empty and refill the idle list, so no P is
// taken from the idle list while a stop-the-world is pending (procs.cc).
//
// Spinning Ms and wakeups (the rule that must never break). An M with a P
// but no work "spins": it looks in every queue before giving up its P. At
// most one M is woken to spin for new work (sched.nmspinning).
//  - Whoever makes work runnable publishes it, then calls WakeP, which starts
//    a spinner only if there is an idle P and no spinner yet.
//  - A spinner that gives up puts its P on the idle list (under sched.lock),
//    decrements nmspinning, issues a full fence, then re-checks every P's
//    queue and the global queue before sleeping.
// Work published on the submitter's own P cannot be stranded: that P is
// running and will reach it (a P only goes idle after finding its own queue
// empty, and a P that blocks in a syscall or behind a locked G is handed off
// with its queue, HandoffP). So WakeP there is only for parallelism and
// needs no fence. Work published where no running P looks (the global queue,
// from a thread without a P: timers, syscall exit) is put under sched.lock,
// which the giving-up spinner also takes before it idles its P; one of the
// two sees the other. So work is never left runnable while every P is idle. A spinner that finds work calls
// ResetSpinning, which wakes another spinner in its place: that is how
// parallelism ramps up. HandoffP starts an M whenever the P it releases has
// work.
//
// Parking. A G that blocks publishes itself to its waker under the waker's
// lock (a channel's lock, the timer lock), then calls Park(lock). Park marks
// the G "parking" before releasing the lock; a Ready that comes before the
// park's step has run (on g0 or on the next G) turns it into "woke early",
// and the step puts the G straight back in its P's runnext. Locks are never held across a switch, so a lock is
// always released by the fiber that took it (what TSan requires).
//
// Locked goroutines (LockOSThread, and an asynchronous preemption in
// progress, below). A locked G runs only on its M, and that M
// runs nothing else: when a locked G blocks, its M hands its P away
// (StopLockedM) and sleeps until someone who dequeued the G hands it a P
// (StartLockedM). A G that exits while locked takes its M with it; m0, the
// main thread, is parked instead.
//
// Deadlock. Whenever an M goes idle, CheckDead (under sched.lock) counts the
// Ms still running. If none is, no timer is pending and no G is runnable,
// every goroutine is asleep: fatal error. An M in a blocking syscall is
// running, so a syscall never causes a report.
//
// Preemption. sysmon (syscall.cc) flags a P whose G has run for 10ms
// without a schedule (p->preempt), and the G yields at its next cooperative
// safe point (Call, a channel operation, PreemptCheck). A loop with no call
// has none, so it is also preempted asynchronously, Go 1.14's design
// (runtime/preempt/): when another G waits to run, or the world is being
// stopped, the P's thread is sent SIGURG; the handler, on that thread,
// decides whether the interrupted instant is safe and if so rewrites the
// signal context so that the thread calls a trampoline on return; the
// trampoline saves every register (xsave: x87, SSE, AVX, AVX-512), yields
// (SwitchToG0(kPreempted)), and once the G runs again restores them and
// returns to the interrupted instruction. The invariants:
//  - Safe points. The handler acts only on a G that runs with its P (not on
//    g0, not halfway through a switch, not in a syscall), holds no runtime
//    lock (every Mutex counts in the thread's no-preemption depth,
//    preempt/nopreempt.h) and no OS lock (std::mutex, shared_mutex,
//    call_once, a static's initialization: the runtime wraps the pthread
//    lock functions and counts them per G, preempt/oslocks.cc), whose SP
//    lies on its own stack with room for the red zone and the injected
//    frame, and whose PC is in the program's own code: the main
//    executable's .text minus the runtime's section goruntime_text (every
//    runtime function is put there) and, in sanitizer builds, the sanitizer
//    runtime (preempt/text.cc). So libc (malloc's locks), libstdc++, the
//    unwinder, Boost.Context, the PLT and the runtime itself are never
//    interrupted, nor is any critical section, the runtime's or the
//    program's; an unsafe instant is left alone and sysmon signals again at
//    a later tick.
//  - The depth belongs to the thread: locks are never held across a switch
//    (above), so it is zero at every switch.
//  - The red zone. The injected frame starts 128 bytes below the
//    interrupted SP (a leaf function may keep data there) and the trampoline
//    aligns its own stack; "ret $128" gives the interrupted code its SP back.
//  - Same M. A preempted G resumes on the M it was preempted on: the
//    interrupted code may hold thread-local state in registers (a
//    thread-local's address, computed once, the bug CurrentM() guards
//    against) or in the thread (errno, the signal mask, C++'s exception
//    globals). For the switch the G is wired to its M, so the locked-G
//    machinery above hands the P off (StopLockedM) and back (StartLockedM),
//    and the M runs nothing else meanwhile; errno, which the M's futex calls
//    may set, is saved and restored. The wiring ends as soon as the G runs
//    again: its next switch is a cooperative one, where it may move as
//    always, or another preemption, which wires it again. A G the user
//    locked stays locked. The other design, keeping the preempted G in its
//    M's private slot while the M runs other Gs with its P, saves two
//    thread wakeups per preemption (at most one per 10ms), but lets those Gs
//    change the thread's state under the interrupted code, and the preempted
//    G, which only that M may run, would wait whenever one of them blocks
//    the M in a system call.
//  - A preempted G goes to its P's queue tail, as a Gosched does, so Gs that
//    yield and Gs that are preempted keep one FIFO order (the fairness
//    bound holds under preemption too); one G from the global queue is moved
//    ahead of it, since work from outside any P (a woken sleeper) is often
//    what the preemption was for. Go puts both on the global queue.
//  - Deterministic mode never preempts asynchronously: signals arrive in
//    real time, which no seed replays, so its switch points stay the
//    cooperative ones, every choice drawn from the schedule.
//  - Sanitizers. Off under ThreadSanitizer: TSan defers an asynchronous
//    signal to its next interceptor or atomic operation and then calls the
//    handler with a copy of the original context, so a rewrite is lost and
//    the saved SP is stale (an injected frame would overwrite live stack);
//    a loop with no TSan call never sees the signal at all (checked with
//    clang-19: a call-free loop got none of 20 signals until it ended; a
//    loop of atomic loads got them inside __tsan_atomic32_load). On under
//    ASan, whose runtime text.cc excludes by symbol.
//  - Cost. The hot path pays two instructions per Mutex lock and unlock (the
//    depth) and one store per AcquireP (the P's thread id, where the signal
//    goes); a pthread lock operation pays a call and a count; the rest runs
//    only when a G has held its P for 10ms.
//  - Limits. Code that blocks its thread waiting for a lock that a G holds
//    across a switch (it yielded or parked holding it) deadlocks at
//    GOMAXPROCS=1, as it always did; wrap such a wait in Syscall. A lock
//    built by hand on futex(2) or an atomic flag is not seen. A thread
//    blocked outside Syscall may see EINTR from calls Linux never restarts
//    (nanosleep), as in Go. GODEBUG=asyncpreemptoff=1 turns asynchronous
//    preemption off, as in Go.
//
// Memory. Gs and Fibers are never freed. A dead G goes on its P's free list
// for the P's next go statement, and its Fiber (stack and all) on the P's
// fiber list, as Go keeps dead Gs and their stacks on p.gFree: spawn and
// exit take no global lock. A P's list that reaches its bound spills half to
// a global one (a pool per stack size for Fibers); an empty one refills a
// batch from it. A G that has not run yet holds no Fiber, so a burst of go
// statements costs no stacks until the goroutines actually run.
#include "runtime/scheduler/scheduler.h"

#include <pthread.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstdlib>
#include <map>
#include <random>
#include <thread>
#include <vector>

#include "runtime/lifecycle/fatal.h"
#include "runtime/lifecycle/traceback.h"
#include "runtime/panic/frames.h"
#include "runtime/runtime.h"
#include "runtime/scheduler/current.h"
#include "runtime/scheduler/deterministic.h"

namespace goruntime::detail {

namespace bctx = boost::context::detail;

Sched sched;

namespace {

thread_local M* tls_m = nullptr;

enum ParkState : uint32_t { kNotParked, kParking, kParked, kWokeEarly };
std::atomic<uint32_t>& ParkStateOf(G* g) { return g->park_state; }

// --- switching ---------------------------------------------------------------------

// What a switch passes, on the switcher's stack, to the context it lands on.
struct Landing {
  Context* from;  // the context that left: its registers are saved where t.fctx says
  Context* to;    // the context landed on
  void (*step)(M* m, G* g);  // run for the G that left, once it is saved (or null)
  M* m;           // the M both run on (a switch never changes threads)
  G* g;
};

// The first thing a context runs after a switch lands on it: keep the
// context that left where it lives, and only then run the step that
// publishes its G (requeue it, finish its park, free it). Before that step
// nobody can resume that G; after it the Landing may be gone (its stack is
// the G's), hence the copies.
__attribute__((always_inline)) inline void Land(bctx::transfer_t t) {
  const Landing* l = static_cast<const Landing*>(t.data);
  AfterSwitch(&l->to->san);
  void (*const step)(M*, G*) = l->step;
  M* const m = l->m;
  G* const g = l->g;
  l->from->saved = t.fctx;
  if (step != nullptr) step(m, g);
}

// The one switch primitive: every switch between contexts (g0 -> G, G -> g0,
// G -> G) goes through here, and so do the sanitizer annotations. Suspends
// the running context `from`, resumes `to`, and has `to` run Land, which
// runs step(m, g) on `to`'s stack once `from` is saved. Returns when
// something switches back to `from`, possibly on another M.
void SwitchContext(M* m, Context* from, Context* to, void (*step)(M*, G*), G* g) {
  Landing l{from, to, step, m, g};
  BeforeSwitch(&from->san, &to->san);
  bctx::fcontext_t target = to->saved;
  to->saved = nullptr;  // it is running now
  Land(bctx::jump_fcontext(target, &l));
}

// Whether a switch away from m's running G may go straight to another G,
// without g0: not in deterministic mode (FindRunnable makes every choice
// there, so a replay repeats it), not with a locked G on the M (its P is
// handed off on g0), not when the world is being stopped (g0 stops the P),
// and not on the tick where FindRunnable would look at the global queue
// first.
bool DirectAllowed(M* m) {
  if (Deterministic()) return false;
  P* p = m->p;
  if (p == nullptr || m->lockedg != nullptr) return false;
  if (sched.gcwaiting.load(std::memory_order_acquire)) return false;
  return p->schedtick % 61 != 0 || sched.runqsize.load(std::memory_order_relaxed) == 0;
}

// --- G free lists and fiber pools ---------------------------------------------------

// A P's free list (of Gs, of Fibers) spills kLocalFreeMax / 2 entries to the
// global one when it reaches kLocalFreeMax, and takes up to kFreeBatch when
// empty (Go's gfput/gfget use 64 and 32).
constexpr int32_t kLocalFreeMax = 64;
constexpr int32_t kFreeBatch = 32;

Mutex gflock;
std::vector<G*> gfree GUARDED_BY(gflock);  // global free list
std::map<size_t, std::vector<Fiber*>> fiberpool GUARDED_BY(gflock);

// Moves n Gs (all: n < 0) from p's free list to the global one.
void SpillGFree(P* p, int32_t n) REQUIRES(gflock) {
  while (n-- != 0 && p->gfree.head != nullptr) gfree.push_back(p->gfree.Pop());
}

// A dead G for a new goroutine, or null. p: the caller's P, or null.
G* GFGet(P* p) EXCLUDES(gflock) {
  if (p == nullptr || p->gfree.head == nullptr) {
    MutexLock l(gflock);
    if (p == nullptr) {
      if (gfree.empty()) return nullptr;
      G* g = gfree.back();
      gfree.pop_back();
      return g;
    }
    for (int32_t i = 0; i < kFreeBatch && !gfree.empty(); i++) {
      p->gfree.Push(gfree.back());
      gfree.pop_back();
    }
  }
  return p->gfree.Pop();
}

// A dead G goes on p's free list (null: the global one).
void GFPut(P* p, G* g) EXCLUDES(gflock) {
  g->died = true;
  if (p == nullptr) {
    MutexLock l(gflock);
    gfree.push_back(g);
    return;
  }
  p->gfree.Push(g);
  if (p->gfree.count >= kLocalFreeMax) {
    MutexLock l(gflock);
    SpillGFree(p, kLocalFreeMax / 2);
  }
}

// Moves n fibers (all: n < 0) from p's list to the pool.
void SpillFibers(P* p, int32_t n) REQUIRES(gflock) {
  while (n-- != 0 && p->fiberfree.head != nullptr) {
    Fiber* f = p->fiberfree.Pop();
    fiberpool[f->stack.size()].push_back(f);
  }
}

// The entry of every fiber, where the first switch to it lands: runs the
// body of whichever G is bound, forever (a fiber is pooled, never freed).
[[noreturn]] void FiberEntry(bctx::transfer_t t) {
  Land(t);
  Fiber* f = CurrentM()->curg->fiber;
  for (;;) {
    G* g = f->g;
    g->frames.Reset();
    RunGoroutineBody(g->fn);
    g->fn = nullptr;  // destroy captures on the G's own stack
    TrimStackAtExit();  // grown stack segments go back to the pool
    SwitchAway(SwitchReason::kExit);
  }
}

// A fiber with stack_size usable bytes of stack, from p's list (p may be
// null), the pool, or new. A P's list holds one size: a request for another
// (SetMaxStack changed it, fixed stacks) first moves the list to the pool.
Fiber* FiberGet(P* p, size_t stack_size) EXCLUDES(gflock) {
  if (p != nullptr && p->fiberfree.head != nullptr && p->fiberfree.head->stack.size() == stack_size) return p->fiberfree.Pop();
  {
    MutexLock l(gflock);
    if (p != nullptr) SpillFibers(p, -1);
    auto& pool = fiberpool[stack_size];
    if (p != nullptr) {
      for (int32_t i = 0; i < kFreeBatch && !pool.empty(); i++) {
        p->fiberfree.Push(pool.back());
        pool.pop_back();
      }
      if (Fiber* f = p->fiberfree.Pop()) return f;
    } else if (!pool.empty()) {
      Fiber* f = pool.back();
      pool.pop_back();
      return f;
    }
  }
  Fiber* f = new Fiber;
  f->stack = AllocStack(stack_size);
  f->ctx.san.InitFiber(f->stack.lo, f->stack.size());
  f->ctx.saved = bctx::make_fcontext(f->stack.hi, f->stack.size(), FiberEntry);
  return f;
}

// A dead G's fiber goes on p's list (null: the pool).
void FiberPut(P* p, Fiber* f) EXCLUDES(gflock) {
  f->g = nullptr;
  if (p != nullptr && (p->fiberfree.head == nullptr || p->fiberfree.head->stack.size() == f->stack.size())) {
    p->fiberfree.Push(f);
    if (p->fiberfree.count < kLocalFreeMax) return;
    MutexLock l(gflock);
    SpillFibers(p, kLocalFreeMax / 2);
    return;
  }
  MutexLock l(gflock);
  fiberpool[f->stack.size()].push_back(f);
}

// --- run queues --------------------------------------------------------------------

// Deterministic mode: remove and return the runnable G the schedule picks.
G* GlobRunqTakeChosen() REQUIRES(sched.lock) {
  const uint32_t idx = ChooseNext(static_cast<uint32_t>(sched.runq.size));
  GQueue rest;
  G* chosen = nullptr;
  for (uint32_t i = 0; G* g = sched.runq.PopFront(); i++) {
    if (i == idx) chosen = g; else rest.PushBack(g);
  }
  sched.runq = rest;
  sched.runqsize.store(sched.runq.size, std::memory_order_relaxed);
  return chosen;
}

G* GlobRunqGet(P* p, int32_t max) REQUIRES(sched.lock) {
  int32_t n = sched.runq.size;
  if (n == 0) return nullptr;
  if (Deterministic()) return GlobRunqTakeChosen();
  int32_t procs = sched.gomaxprocs.load(std::memory_order_relaxed);
  int32_t take = n / procs + 1;
  if (take > n) take = n;
  if (max > 0 && take > max) take = max;
  if (take > static_cast<int32_t>(RunQueue::kSize / 2)) take = RunQueue::kSize / 2;
  G* g = sched.runq.PopFront();
  for (int32_t i = 1; i < take; i++) {
    G* extra = sched.runq.PopFront();
    G* kicked;
    if (!p->runq.Put(extra, false, &kicked)) {
      sched.runq.PushFront(kicked);
      break;
    }
  }
  sched.runqsize.store(sched.runq.size, std::memory_order_relaxed);
  return g;
}

void RunqPut(P* p, G* g, bool next) {
  g->last_queue.store(kQueuedLocal, std::memory_order_relaxed);  // GlobRunqPut overrides
  if (Deterministic()) {
    // One list of everything runnable, so every scheduling point is a choice.
    MutexLock l(sched.lock);
    GlobRunqPut(g);
    return;
  }
  G* kicked;
  if (p->runq.Put(g, next, &kicked)) return;
  // Ring full: move half of it, plus the kicked G, to the global queue.
  G* batch[RunQueue::kSize / 2 + 1];
  uint32_t n = p->runq.TakeHalfForOverflow(batch);
  MutexLock l(sched.lock);
  for (uint32_t i = 0; i < n; i++) GlobRunqPut(batch[i]);
  GlobRunqPut(kicked);
}

// Steals half of a random victim's queue into p's. Returns one G to run.
G* StealWork(M* m, P* p) {
  thread_local std::minstd_rand rng(static_cast<unsigned>(reinterpret_cast<uintptr_t>(m)));
  const int32_t procs = sched.gomaxprocs.load(std::memory_order_acquire);
  for (int attempt = 0; attempt < 4; attempt++) {
    const bool steal_runnext = attempt == 3;
    const int32_t start = static_cast<int32_t>(rng() % static_cast<uint32_t>(procs));
    for (int32_t i = 0; i < procs; i++) {
      P* victim = sched.allp[(start + i) % procs].load(std::memory_order_acquire);
      if (victim == nullptr || victim == p) continue;
      G* batch[RunQueue::kSize / 2 + 1];
      uint32_t n = victim->runq.Grab(batch, steal_runnext);
      if (n == 0) continue;
      if (n > 1) p->runq.PutBatch(batch + 1, n - 1);
      return batch[0];
    }
  }
  return nullptr;
}

// --- Ms ------------------------------------------------------------------------------

void MPut(M* m) REQUIRES(sched.lock) {
  m->schedlink = sched.midle;
  sched.midle = m;
  sched.nmidle++;
  CheckDead();
}

M* MGet() REQUIRES(sched.lock) {
  M* m = sched.midle;
  if (m != nullptr) {
    sched.midle = m->schedlink;
    sched.nmidle--;
  }
  return m;
}

// Parks the calling M (which holds no P) until StartM hands it one.
void StopM(M* m) {
  {
    MutexLock l(sched.lock);
    MPut(m);
  }
  m->park.Sleep();
  m->park.Clear();
  AcquireP(m, m->nextp);
  m->nextp = nullptr;
}

void ResetSpinning(M* m) {
  m->spinning = false;
  sched.nmspinning.fetch_sub(1, std::memory_order_seq_cst);
  WakeP();
}

void GcStopM(M* m) {
  if (m->spinning) {
    m->spinning = false;
    sched.nmspinning.fetch_sub(1);
  }
  P* p = ReleaseP(m);
  {
    MutexLock l(sched.lock);
    // gcwaiting was seen set while m held p, so p is counted in stopwait and
    // the stop cannot have ended (procs.cc's accounting invariant).
    if (!sched.gcwaiting.load()) FatalThrow("gcstopm: not waiting for stop-the-world");
    p->status.store(PStatus::kGcStop);
    if (--sched.stopwait == 0) sched.stopnote.Wakeup();
  }
  StopM(m);
}

void ScheduleLoop(M* m, G* handed);

// Binds the calling thread to m: its thread-local, id, signal stack, and
// its own stack as m's g0 context.
void AttachThread(M* m) {
  tls_m = m;
  m->tid = static_cast<int64_t>(syscall(SYS_gettid));
  InstallSignalStack();
  m->g0.san.AdoptThread();
}

void MStart(M* m) {
  AttachThread(m);
  if (m->nextp != nullptr) {
    AcquireP(m, m->nextp);
    m->nextp = nullptr;
  }
  ScheduleLoop(m, nullptr);
}

// Creates a new M (thread) that starts with P p.
void NewM(P* p, bool spinning) {
  M* m = new M;
  {
    MutexLock l(sched.lock);
    sched.mcount++;
  }
  m->nextp = p;
  m->spinning = spinning;
  std::thread([m] { MStart(m); }).detach();
}

// --- locked Ms -----------------------------------------------------------------------

// The calling M's locked G is not running: give the P away and sleep until
// the G is handed back with a P (StartLockedM).
void StopLockedM(M* m) {
  if (m->spinning) ResetSpinning(m);
  if (m->p != nullptr) HandoffP(ReleaseP(m));
  {
    MutexLock l(sched.lock);
    sched.nmidlelocked++;
    CheckDead();
  }
  m->park.Sleep();
  m->park.Clear();
  AcquireP(m, m->nextp);
  m->nextp = nullptr;
}

// The calling M dequeued g, which is locked to another M: hand that M our P.
void StartLockedM(M* m, G* g) {
  M* target = g->lockedm;
  {
    // The waker, not the woken M, uncounts it: otherwise CheckDead could run
    // between our StopM and its wakeup and see no running M.
    MutexLock l(sched.lock);
    sched.nmidlelocked--;
  }
  P* p = ReleaseP(m);
  target->nextp = p;
  target->park.Wakeup();
  StopM(m);
}

// A G died while locked: its M exits (m0 parks for good instead, as in Go,
// where the main thread is never exited).
void ExitLockedM(M* m) {
  HandoffP(ReleaseP(m));
  {
    MutexLock l(sched.lock);
    sched.mcount--;
    CheckDead();
  }
  if (m->is_m0) {
    for (;;) pause();
  }
  m->exiting = true;
}

// --- finding work ---------------------------------------------------------------------

// After giving up its P: if any queue has work, take an idle P back and
// return true (the caller loops); else the M may sleep.
bool RecheckAfterIdle(M* m, bool was_spinning) {
  const int32_t procs = sched.gomaxprocs.load(std::memory_order_acquire);
  bool work = sched.runqsize.load() > 0;
  for (int32_t i = 0; i < procs && !work; i++) {
    P* p = sched.allp[i].load(std::memory_order_acquire);
    work = p != nullptr && !p->runq.Empty();
  }
  if (!work) return false;
  P* p;
  {
    MutexLock l(sched.lock);
    p = PidleGet();
  }
  if (p == nullptr) return false;  // another M took the last idle P: it will run the work
  AcquireP(m, p);
  if (was_spinning) {
    m->spinning = true;
    sched.nmspinning.fetch_add(1);
  }
  return true;
}

// Go's findrunnable: local queue, global queue, stealing; else give up the P
// and sleep. Returns with m holding a P and a G to run.
G* FindRunnable(M* m, bool* inherit_time) {
  for (;;) {
    if (sched.gcwaiting.load(std::memory_order_acquire)) {
      GcStopM(m);
      continue;
    }
    P* p = m->p;
    *inherit_time = false;
    if (p->schedtick % 61 == 0 && sched.runqsize.load(std::memory_order_relaxed) > 0) {
      MutexLock l(sched.lock);
      if (G* g = GlobRunqGet(p, 1)) return g;
    }
    if (G* g = p->runq.Get(inherit_time)) return g;
    if (sched.runqsize.load(std::memory_order_relaxed) > 0) {
      MutexLock l(sched.lock);
      if (G* g = GlobRunqGet(p, 0)) return g;
    }
    // Steal, but keep spinners to at most half the busy Ps (Go's rule).
    const int32_t procs = sched.gomaxprocs.load(std::memory_order_relaxed);
    if (m->spinning || 2 * sched.nmspinning.load() < procs - sched.npidle.load()) {
      if (!m->spinning) {
        m->spinning = true;
        sched.nmspinning.fetch_add(1);
      }
      if (G* g = StealWork(m, p)) return g;
    }
    // Nothing: give up the P.
    {
      MutexLock l(sched.lock);
      if (sched.gcwaiting.load() || sched.runq.size > 0) continue;
      ReleaseP(m);
      PidlePut(p);
    }
    const bool was_spinning = m->spinning;
    if (m->spinning) {
      m->spinning = false;
      sched.nmspinning.fetch_sub(1, std::memory_order_seq_cst);
    }
    std::atomic_thread_fence(std::memory_order_seq_cst);
    // Re-check every queue: work published before our P went idle must not
    // be stranded (the other half of the wakeup protocol).
    if (RecheckAfterIdle(m, was_spinning)) continue;
    StopM(m);
  }
}

// A new schedule on p (Go's execute): counted for sysmon, unless the G
// inherits the time slice (runnext); and a preemption request, which was
// for the G that ran before, is dropped, as Go's execute clears gp.preempt.
// Left set, it would preempt the next G at its first safe point, out of
// its turn.
inline void CountSchedule(P* p, bool inherit_time) {
  if (!inherit_time) p->schedtick++;
  p->sysmon_schedtick.store(p->schedtick, std::memory_order_relaxed);
  if (p->preempt.load(std::memory_order_relaxed)) p->preempt.store(false, std::memory_order_relaxed);
}

// Makes g m's running G (Go's execute, up to the switch): binds a fiber to
// a G that has not run yet and counts the schedule. The fiber first: this
// may run on the switching G's stack, and until the jump a fault there is
// that G's (the overflow handler reads m->curg).
inline void PrepareToRun(M* m, G* g, bool inherit_time) {
  if (g->fiber == nullptr) {
    g->fiber = FiberGet(m->p, g->stack_size);
    g->fiber->g = g;
  }
  m->curg = g;
  CountSchedule(m->p, inherit_time);
}

// From g0: runs g until a G (g, or one it switched to directly) switches
// back to g0. Returns that G; m->reason says why it switched.
G* Execute(M* m, G* g, bool inherit_time) {
  PrepareToRun(m, g, inherit_time);
  SwitchContext(m, &m->g0, &g->fiber->ctx, nullptr, nullptr);
  return m->curg;
}

void Requeue(M* m, G* g) {
  RunqPut(m->p, g, /*next=*/false);
}

// The steps that finish a switch once the G that left is saved. They run
// on g0 (HandleSwitch) or, after a direct switch, on the next G's stack
// (SwitchContext's landing), always on the M the G left, which holds its P.

// Gosched: the G goes to the tail of the P's queue.
void StepRequeue(M* m, G* g) { Requeue(m, g); }

// Park: the G now waits, unless a Ready came while it was switching (woke
// early): then it goes to runnext, to run again soon.
void StepFinishPark(M* m, G* g) {
  uint32_t expected = kParking;
  if (ParkStateOf(g).compare_exchange_strong(expected, kParked)) return;
  ParkStateOf(g).store(kNotParked, std::memory_order_relaxed);
  RunqPut(m->p, g, /*next=*/true);
}

// Exit: the G and its fiber go on the P's free lists. Returns
// whether the G was locked (its M must exit with it; g0 only).
bool StepFreeG(M* m, G* g) {
  const bool locked = g->lockedm != nullptr;
  g->lockedm = nullptr;
  g->locked_ext = g->locked_int = 0;
  sched.ngoroutines.fetch_sub(1);
  FiberPut(m->p, g->fiber);
  g->fiber = nullptr;
  GFPut(m->p, g);
  return locked;
}
void StepExit(M* m, G* g) { StepFreeG(m, g); }

// g0's half of a switch: the G's context is saved; finish what it asked for.
void HandleSwitch(M* m, G* g) {
  m->curg = nullptr;
  switch (m->reason) {
    case SwitchReason::kGosched:
      StepRequeue(m, g);
      return;
    case SwitchReason::kPreempted: {
      // Like Gosched, to the P's queue tail, so that Gs that yield and Gs
      // that are preempted keep one FIFO order; but one G from the global
      // queue goes ahead of it: work from outside any P (a woken sleeper) is
      // often what the preemption was for, and would otherwise wait up to 61
      // schedules for the P to look there.
      G* outside = nullptr;
      if (!Deterministic() && sched.runqsize.load(std::memory_order_relaxed) > 0) {
        MutexLock l(sched.lock);
        outside = GlobRunqGet(m->p, 1);
      }
      if (outside != nullptr) RunqPut(m->p, outside, /*next=*/false);
      Requeue(m, g);
      return;
    }
    case SwitchReason::kPark:
      StepFinishPark(m, g);
      return;
    case SwitchReason::kExit: {
      if (StepFreeG(m, g)) {
        m->lockedg = nullptr;
        ExitLockedM(m);
      }
      return;
    }
    case SwitchReason::kSyscallNoP: {
      {
        MutexLock l(sched.lock);
        GlobRunqPut(g);
      }
      WakeP();
      if (m->lockedg == nullptr) StopM(m);
      return;  // a locked M waits in ScheduleLoop's StopLockedM
    }
  }
}

// `handed`: a G locked to m that m may run at once (m0's main goroutine).
// Returns only when the M must exit (its locked G died).
void ScheduleLoop(M* m, G* handed) {
  while (!m->exiting) {
    if (m->lockedg != nullptr) {
      // Our locked G is not running; wait until whoever dequeues it hands
      // it to us with a P.
      if (handed == nullptr) StopLockedM(m);
      handed = nullptr;
      // Execute returns whichever G switches back to g0: a locked G never
      // switches directly (DirectAllowed), so it is the locked G, unless it
      // was wired only for an asynchronous preemption and, unwired once it
      // ran again (preempt/resume.cc), switched directly to another.
      HandleSwitch(m, Execute(m, m->lockedg, false));
      continue;
    }
    bool inherit_time = false;
    G* g;
    if (m->nextg != nullptr) {
      // A direct switch took it from our queue, but it must run elsewhere.
      g = m->nextg;
      inherit_time = m->nextg_inherit;
      m->nextg = nullptr;
    } else {
      g = FindRunnable(m, &inherit_time);
      if (m->spinning) ResetSpinning(m);
    }
    if (g->lockedm != nullptr && g->lockedm != m) {
      StartLockedM(m, g);
      continue;
    }
    HandleSwitch(m, Execute(m, g, inherit_time));
  }
}

}  // namespace

// --- exported ------------------------------------------------------------------------

// noinline: each call computes the thread-local's address afresh. Inlined,
// the compiler may compute it once per function and reuse it after a switch
// that moved the goroutine to another thread (llvm-project #98479).
__attribute__((noinline)) M* CurrentM() {
  M* m = tls_m;
  asm volatile("" ::: "memory");
  return m;
}

G* CurrentG() {
  M* m = CurrentM();
  return m ? m->curg : nullptr;
}

const Stack* CurrentStackForSignal() {
  M* m = tls_m;
  if (m == nullptr || m->curg == nullptr) return nullptr;
  return m->curg->fiber ? &m->curg->fiber->stack : nullptr;
}

int64_t CurrentGoIDForSignal() {
  M* m = tls_m;
  return (m && m->curg) ? m->curg->goid : 0;
}

bool IsParked(G* g) { return ParkStateOf(g).load(std::memory_order_acquire) == kParked; }

void PurgeFreeLists(P* p) {
  MutexLock l(gflock);
  SpillGFree(p, -1);
  SpillFibers(p, -1);
}

G* NewG(std::function<void()> fn) {
  M* m = CurrentM();
  G* g = GFGet(m != nullptr ? m->p : nullptr);
  if (g == nullptr) g = AllocG();  // joins allgs, for tracebacks
  g->stack_size = StackSizeForNewG();
  g->os_locks = 0;  // a reused G forgets locks its previous life never released
  g->fn = std::move(fn);
  g->goid = sched.goidgen.fetch_add(1) + 1;
  sched.ngoroutines.fetch_add(1);
  return g;
}

void RunqPutAndWake(G* g, bool next) {
  RunqPut(CurrentM()->p, g, next);
  if (sched.main_started.load(std::memory_order_relaxed)) WakeP();
}

void SwitchToG0(SwitchReason reason) {
  M* m = CurrentM();
  m->reason = reason;
  SwitchContext(m, &m->curg->fiber->ctx, &m->g0, nullptr, nullptr);
}

void SwitchAway(SwitchReason reason) {
  M* m = CurrentM();
  if (!DirectAllowed(m)) return SwitchToG0(reason);
  G* g = m->curg;
  bool inherit_time = false;
  G* next = m->p->runq.Get(&inherit_time);
  if (next == nullptr) {
    // g0 would find nothing here but, for Gosched, the yielding G itself
    // (requeued, then taken again) when the global queue is empty too: go on.
    if (reason == SwitchReason::kGosched && sched.runqsize.load(std::memory_order_relaxed) == 0) {
      CountSchedule(m->p, /*inherit_time=*/false);
      return;
    }
    return SwitchToG0(reason);  // g0 looks further: global queue, stealing, idling
  }
  if (next->lockedm != nullptr) {
    // It runs only on its own M: g0 hands it our P (ScheduleLoop).
    m->nextg = next;
    m->nextg_inherit = inherit_time;
    return SwitchToG0(reason);
  }
  PrepareToRun(m, next, inherit_time);
  void (*step)(M*, G*) = reason == SwitchReason::kGosched ? StepRequeue
                         : reason == SwitchReason::kPark  ? StepFinishPark
                                                          : StepExit;
  SwitchContext(m, &g->fiber->ctx, &next->fiber->ctx, step, g);
}

void BeginPark(WaitReason why) {
  G* g = CurrentG();
  g->waitreason = why;
  ParkStateOf(g).store(kParking, std::memory_order_release);
}

void FinishPark() { SwitchAway(SwitchReason::kPark); }

void Park(Mutex& mu, WaitReason why) {
  BeginPark(why);
  mu.unlock();
  FinishPark();
}

void ParkForever(WaitReason why) {
  Mutex mu;
  mu.lock();
  Park(mu, why);
  FatalThrow("parked-forever goroutine was readied");
}

void Ready(G* g) {
  auto& state = ParkStateOf(g);
  for (;;) {
    uint32_t s = state.load(std::memory_order_acquire);
    if (s == kParking) {
      if (state.compare_exchange_weak(s, kWokeEarly)) return;  // g0 requeues it
    } else if (s == kParked) {
      if (state.compare_exchange_weak(s, kNotParked)) break;
    } else {
      FatalThrow("Ready of a goroutine that is not parked");
    }
  }
  M* m = CurrentM();
  if (m != nullptr && m->curg != nullptr && m->p != nullptr) {
    RunqPut(m->p, g, /*next=*/true);
  } else {
    MutexLock l(sched.lock);
    GlobRunqPut(g);
  }
  WakeP();
}

void WakeP() {
  if (sched.npidle.load() == 0) return;
  int32_t expected = 0;
  if (sched.nmspinning.load() != 0 || !sched.nmspinning.compare_exchange_strong(expected, 1)) return;
  StartM(nullptr, /*spinning=*/true);
}

void StartM(P* p, bool spinning) {
  M* m = nullptr;
  {
    MutexLock l(sched.lock);
    if (p == nullptr) p = PidleGet();
    if (p == nullptr) {
      if (spinning) sched.nmspinning.fetch_sub(1);
      return;
    }
    m = MGet();
  }
  if (m == nullptr) {
    NewM(p, spinning);
    return;
  }
  m->spinning = spinning;
  m->nextp = p;
  m->park.Wakeup();
}

void HandoffP(P* p) {
  if (!p->runq.Empty() || sched.runqsize.load() > 0) {
    StartM(p, false);
    return;
  }
  int32_t zero = 0;
  if (sched.nmspinning.load() + sched.npidle.load() == 0 &&
      sched.nmspinning.compare_exchange_strong(zero, 1)) {
    StartM(p, true);
    return;
  }
  {
    MutexLock l(sched.lock);
    if (sched.gcwaiting.load()) {
      p->status.store(PStatus::kGcStop);
      if (--sched.stopwait == 0) sched.stopnote.Wakeup();
      return;
    }
    if (sched.runq.size == 0) {
      PidlePut(p);
      return;
    }
  }
  StartM(p, false);
}

void GlobRunqPut(G* g) {
  g->last_queue.store(kQueuedGlobal, std::memory_order_relaxed);
  sched.runq.PushBack(g);
  sched.runqsize.store(sched.runq.size, std::memory_order_relaxed);
}

void PidlePut(P* p) {
  p->status.store(PStatus::kIdle, std::memory_order_relaxed);
  p->link = sched.pidle;
  sched.pidle = p;
  sched.npidle.fetch_add(1);
}

P* PidleGet() {
  P* p = sched.pidle;
  if (p != nullptr) {
    sched.pidle = p->link;
    sched.npidle.fetch_sub(1);
  }
  return p;
}

void AcquireP(M* m, P* p) {
  m->p = p;
  p->m = m;
  p->owner_tid.store(m->tid, std::memory_order_relaxed);
  p->status.store(PStatus::kRunning, std::memory_order_relaxed);
}

P* ReleaseP(M* m) {
  P* p = m->p;
  p->m = nullptr;
  m->p = nullptr;
  return p;
}

void CheckDead() {
  const int32_t run = sched.mcount - sched.nmidle - sched.nmidlelocked;
  if (run > 0) return;
  if (sched.runq.size > 0) return;
  if (sched.ngoroutines.load() == 0) Fatal("no goroutines (main called runtime.Goexit) - deadlock!");
  if (PendingTimers() > 0) return;
  FatalWithGoroutines("all goroutines are asleep - deadlock!");
}

int DefaultGOMAXPROCS() {
  if (const char* env = getenv("GOMAXPROCS")) {
    char* end = nullptr;
    long n = strtol(env, &end, 10);
    if (end != env && *end == 0 && n > 0) return n > kMaxProcs ? kMaxProcs : static_cast<int>(n);
  }
  int n = static_cast<int>(std::thread::hardware_concurrency());
  return n < 1 ? 1 : (n > kMaxProcs ? kMaxProcs : n);
}

void SchedInit() {
  M* m0 = new M;
  m0->is_m0 = true;
  AttachThread(m0);
  const std::string det_error = InitDeterministic();
  if (!det_error.empty()) Fatal(det_error);
  const int procs = Deterministic() ? 1 : DefaultGOMAXPROCS();
  MutexLock l(sched.lock);
  sched.mcount = 1;
  sched.gomaxprocs.store(procs);
  for (int i = 0; i < procs; i++) {
    P* p = new P;
    p->id = i;
    sched.allp[i].store(p);
  }
  for (int i = procs - 1; i >= 1; i--) PidlePut(sched.allp[i].load());
  AcquireP(m0, sched.allp[0].load());
}

void M0ScheduleLoop(G* main_g) {
  M* m0 = CurrentM();
  main_g->lockedm = m0;
  main_g->locked_int = 1;
  m0->lockedg = main_g;
  ScheduleLoop(m0, main_g);
  __builtin_unreachable();
}

}  // namespace goruntime::detail
