// The scheduler's three kinds of object, as in Go's runtime2.go:
//   G  a goroutine: a fiber on its own stack, plus its defer/panic state;
//   M  an OS thread that runs Gs, each M with a g0 context (its native stack)
//      where the scheduler itself runs;
//   P  a processor: the right to run Gs, with a local run queue. There are
//      GOMAXPROCS of them; an M must hold a P to run a G.
// Invariants and locking rules are in scheduler.cc's opening comment.
#pragma once

#include <atomic>
#include <boost/context/detail/fcontext.hpp>
#include <cstdint>
#include <functional>
#include <vector>

#include "runtime/base/mutex.h"
#include "runtime/base/sanitizers.h"
#include "runtime/panic/frames.h"
#include "runtime/scheduler/runq.h"
#include "runtime/scheduler/wait_reason.h"
#include "runtime/stack/stack.h"

namespace goruntime::detail {

struct M;
struct P;

// G::last_queue: the run queue a G was last put on.
enum : uint8_t { kQueuedNone, kQueuedLocal, kQueuedGlobal };

enum class PStatus : uint32_t { kIdle, kRunning, kSyscall, kGcStop, kDead };

// Why a G switched away; whoever runs next (g0, or the next G after a direct
// switch) finishes the job once the G's context is saved (Go's mcall). That
// is what makes park/ready race-free: nobody can resume a G before its
// registers are stored.
enum class SwitchReason : uint8_t {
  kGosched,     // requeue at the tail of the P's run queue
  kPark,        // leave the G waiting, unless a Ready came first (woke early)
  kExit,        // the G is dead: free it
  kSyscallNoP,  // the G left a syscall and found no P: queue it, stop the M
  kPreempted,   // like kGosched, but asked by sysmon or stop-the-world
};

// An execution context, switched to and from only by SwitchContext
// (scheduler.cc): a G's fiber, or an M's g0 (the thread's own stack).
struct Context {
  // Where its registers are saved (Boost.Context's fcontext), while it is
  // not running; null while it runs.
  boost::context::detail::fcontext_t saved = nullptr;
  FiberSan san;  // its identity for the sanitizers
};

// A guarded stack and the context living on it. A G is bound to a Fiber when
// it first runs and gives it back when it dies, so goroutines that were
// spawned but have not run cost no stack, and a pooled fiber is reused
// without creating a new context.
struct Fiber {
  Context ctx;
  Stack stack;
  G* g = nullptr;  // the G bound to it
  Fiber* next = nullptr;  // free list link
};


struct G {
  int64_t goid = 0;
  Fiber* fiber = nullptr;   // bound at first run, released at exit
  size_t stack_size = 0;    // usable stack the G asked for at spawn
  std::function<void()> fn;  // the body, for a G that is about to start

  M* lockedm = nullptr;  // the M it is wired to (LockOSThread), or null
  uint32_t locked_ext = 0;  // user LockOSThread nesting depth
  uint32_t locked_int = 0;  // runtime-internal lock depth (init on m0)
  uint32_t os_locks = 0;    // OS locks it holds: never preempted meanwhile (preempt/oslocks.cc)

  Frames frames;  // defers, panics and frames (panic/frames.h)

  std::atomic<uint32_t> park_state{0};  // Park/Ready handshake (scheduler.cc)
  WaitReason waitreason = WaitReason::kZero;  // why it last parked (tracebacks)

  G* schedlink = nullptr;  // run queue / free list link

  std::atomic<uint8_t> last_queue{0};  // kQueued*: where it was last queued (runtime/introspect)
  bool died = false;  // it was on the free list: a dead goroutine's descriptor (runtime/introspect)
};

// An intrusive LIFO list, linked through each element's Link field, with
// its length. Unsynchronized: a P's lists belong to whoever owns the P.
template <typename T, T* T::*Link>
struct LocalFreeList {
  T* head = nullptr;
  int32_t count = 0;

  void Push(T* x) {
    x->*Link = head;
    head = x;
    count++;
  }

  T* Pop() {
    T* x = head;
    if (x == nullptr) return nullptr;
    head = x->*Link;
    x->*Link = nullptr;
    count--;
    return x;
  }
};

struct P {
  int32_t id = 0;
  std::atomic<PStatus> status{PStatus::kIdle};
  M* m = nullptr;  // owner while running or in a syscall
  RunQueue runq;
  uint32_t schedtick = 0;  // incremented at every schedule (owner only)
  std::atomic<uint32_t> syscalltick{0};
  std::atomic<uint32_t> sysmon_schedtick{0};  // schedtick, published for sysmon
  std::atomic<bool> preempt{false};  // sysmon asks the G running here to yield
  std::atomic<int64_t> owner_tid{0};  // tid of the M that last acquired it: where the preemption signal goes
  P* link = nullptr;  // idle list link (guarded by sched.lock)
  // Dead Gs and free fibers for this P's next spawns (owner only;
  // scheduler.cc, "G free lists and fiber pools").
  LocalFreeList<G, &G::schedlink> gfree;
  LocalFreeList<Fiber, &Fiber::next> fiberfree;  // all of one stack size
};

struct M {
  int64_t tid = 0;  // gettid
  G* curg = nullptr;
  P* p = nullptr;       // attached P (null when idle or in a syscall without P)
  P* nextp = nullptr;   // P handed over by whoever wakes this M
  P* oldp = nullptr;    // P it held on entering a syscall
  G* lockedg = nullptr;  // G wired to this M
  bool spinning = false;  // looking for work (counted in sched.nmspinning)
  bool is_m0 = false;
  bool exiting = false;  // its locked G died: the thread ends
  Note park;  // where an idle M sleeps

  Context g0;  // the scheduler's context (the thread's stack)
  SwitchReason reason = SwitchReason::kGosched;  // why the G last switched to g0
  G* nextg = nullptr;  // a G a direct switch took but left to g0 (locked to another M)
  bool nextg_inherit = false;  // its inherit_time

  M* schedlink = nullptr;  // idle list link
};

// A FIFO of Gs linked through schedlink.
struct GQueue {
  G* head = nullptr;
  G* tail = nullptr;
  int32_t size = 0;
  void PushBack(G* g) {
    g->schedlink = nullptr;
    if (tail) tail->schedlink = g; else head = g;
    tail = g;
    size++;
  }
  void PushFront(G* g) {
    g->schedlink = head;
    head = g;
    if (!tail) tail = g;
    size++;
  }
  G* PopFront() {
    G* g = head;
    if (!g) return nullptr;
    head = g->schedlink;
    if (!head) tail = nullptr;
    size--;
    return g;
  }
};

}  // namespace goruntime::detail
