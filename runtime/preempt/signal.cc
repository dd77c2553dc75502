// The preemption signal (Go's SIGURG, signal_unix.go doSigPreempt): sysmon
// or a stop-the-world sends it to the thread of a P whose goroutine should
// yield; the handler, on that thread, decides whether the interrupted
// instant is a safe point and if so rewrites the signal context so that the
// thread, on return from the handler, calls the trampoline
// (trampoline_amd64.S) instead of resuming. The handler itself never
// switches stacks or takes a lock.
//
// An instant is safe (AsyncSafePoint) when all of these hold:
//  1. a preemption is wanted: sysmon flagged the thread's P, or the world is
//     being stopped;
//  2. the thread is an M running a goroutine with its P: not on g0, not
//     halfway through a switch, not in a system call (no P), and not in
//     deterministic mode;
//  3. the thread holds no runtime lock and is in no NoPreemptScope (its
//     no-preemption depth is zero, nopreempt.h), and the goroutine holds no
//     OS lock (a pthread mutex, rwlock, spinlock, once or static-init guard:
//     oslocks.cc);
//  4. the interrupted SP lies on the goroutine's own stack with room below it
//     for the red zone and the injected frame (not on g0's stack, not on a
//     signal stack). With split stacks that is its first stack or the
//     segment it currently runs on (runtime/stack/split_stack.h), with room
//     counted from that segment's base; an SP anywhere else (halfway through
//     __morestack's switch between segments) is declined;
//  5. the interrupted PC is in preemptible code (text.cc): the program's own,
//     neither the runtime's nor a library's nor a sanitizer's, nor libgcc's
//     split-stack support (__morestack and its callees).
// An unsafe instant is left alone; sysmon signals again at a later tick.
#include <signal.h>
#include <sys/syscall.h>
#include <ucontext.h>
#include <unistd.h>

#include <cerrno>
#include <cpuid.h>
#include <cstdlib>
#include <cstring>
#include <string_view>

#include "runtime/preempt/nopreempt.h"
#include "runtime/preempt/preempt.h"
#include "runtime/runtime.h"
#include "runtime/scheduler/current.h"
#include "runtime/scheduler/deterministic.h"
#include "runtime/scheduler/scheduler.h"
#include "runtime/stack/split_stack.h"

extern "C" {
__thread uint32_t goruntime_nopreempt_depth __attribute__((tls_model("initial-exec"))) = 0;

// Read by the trampoline.
__attribute__((visibility("hidden"))) uint64_t goruntime_xsave_bytes = 576;
__attribute__((visibility("hidden"))) uint8_t goruntime_use_xsave = 0;
__attribute__((visibility("hidden"))) void goruntime_async_preempt_trampoline();
}

#if defined(__x86_64__) && defined(__linux__) && !defined(GORT_TSAN)
#define GORT_ASYNC_PREEMPT_BUILT 1
#endif

namespace goruntime {
namespace detail {
namespace {

// The SysV x86-64 red zone: a leaf function may use 128 bytes below rsp.
constexpr uintptr_t kRedZone = 128;
// Stack the C++ side of a preemption needs below the trampoline's frame:
// goruntime_async_preempt, SwitchToG0 and Boost.Context's switch (and, in
// sanitizer builds, the sanitizers' fiber bookkeeping).
constexpr uintptr_t kCxxFrames = 16 * 1024;

struct sigaction g_previous;  // the SIGURG disposition before ours
pid_t g_pid = 0;
// Set by InitAsyncPreempt, once, before any goroutine or sysmon runs.
bool g_initialized = false;
bool g_on = false;
bool g_stress = false;

// Whether GODEBUG turns asynchronous preemption off (asyncpreemptoff=1; the
// last setting wins, as in Go).
bool GodebugAsyncPreemptOff() {
  const char* env = getenv("GODEBUG");
  if (env == nullptr) return false;
  bool off = false;
  std::string_view rest(env);
  while (!rest.empty()) {
    const size_t comma = rest.find(',');
    const std::string_view item = rest.substr(0, comma);
    if (item.substr(0, 16) == "asyncpreemptoff=") off = item.substr(16) == "1";
    if (comma == std::string_view::npos) break;
    rest.remove_prefix(comma + 1);
  }
  return off;
}

// Learns how to save the extended state: XSAVE with the size CPUID leaf 0xD
// reports for the features the OS enabled in XCR0, or FXSAVE's 512 bytes on
// a CPU or kernel without XSAVE (then nothing wider than SSE is live). The
// trampoline also zeroes the 64-byte XSAVE header, so never less than 576.
void DetectExtendedState() {
#if defined(__x86_64__)
  unsigned eax, ebx, ecx, edx;
  if (__get_cpuid(1, &eax, &ebx, &ecx, &edx) && (ecx & bit_OSXSAVE) != 0 &&
      __get_cpuid_count(0xd, 0, &eax, &ebx, &ecx, &edx) && ebx >= 576) {
    goruntime_use_xsave = 1;
    goruntime_xsave_bytes = ebx + 64;  // + alignment slack
  } else {
    goruntime_use_xsave = 0;
    goruntime_xsave_bytes = 576 + 64;
  }
#endif
}

uintptr_t InjectedFrameBytes() {
  return kRedZone + 8 /* return PC */ + 16 * 8 /* flags and registers */ + goruntime_xsave_bytes + kCxxFrames;
}

enum class Verdict { kInject, kNotWanted, kNoGoroutine, kLocked, kBadStack, kBadPC };

// Decides whether the thread may be preempted at the interrupted instant
// described by uc, where the thread's split-stack limit was `limit`.
// Async-signal-safe: reads only the thread's own M, its G, atomics and the
// read-only code layout.
Verdict AsyncSafePoint(const ucontext_t* uc, uintptr_t limit) {
  M* m = CurrentM();
  if (m == nullptr || Deterministic()) return Verdict::kNoGoroutine;
  G* g = m->curg;
  P* p = m->p;
  if (g == nullptr || p == nullptr || g->fiber == nullptr) return Verdict::kNoGoroutine;
  // Not halfway through a switch. A context's saved registers are empty
  // exactly while it runs (SwitchContext empties the target before the jump,
  // Land fills the one that left after it), so g0's is set, and the G's
  // empty, whenever the G runs its own code; g0's is empty while g0 runs
  // and halfway through a switch to or from it. A direct G->G switch leaves
  // g0's alone: halfway through one, m->curg is already the next G while
  // its saved registers are still set, or the SP is still on the leaving
  // G's stack (check 4), and every instruction is the runtime's (check 5).
  if (m->g0.saved == nullptr || g->fiber->ctx.saved != nullptr) return Verdict::kNoGoroutine;
  if (!p->preempt.load(std::memory_order_relaxed) && !sched.gcwaiting.load(std::memory_order_relaxed))
    return Verdict::kNotWanted;
  if (NoPreemptDepth() != 0 || g->os_locks != 0) return Verdict::kLocked;
  const uintptr_t sp = static_cast<uintptr_t>(uc->uc_mcontext.gregs[REG_RSP]);
  const Stack& stack = g->fiber->stack;
  auto lo = reinterpret_cast<uintptr_t>(stack.lo);
  auto hi = reinterpret_cast<uintptr_t>(stack.hi);
  // A goroutine that grew its stack runs on a segment (split stacks): the
  // injected frame goes there, above the segment's header. Only while the
  // thread's split-stack state is the running G's (a nonzero limit): halfway
  // through a direct switch the segment libgcc calls current, which the SP
  // may still be on, is the leaving G's (split_stack.h, invariant 2).
  if ((sp < lo || sp > hi) && !CurrentSegmentBoundsForSignal(sp, limit, &lo, &hi)) return Verdict::kBadStack;
  if (sp < lo + InjectedFrameBytes()) return Verdict::kBadStack;
  if (!PreemptiblePC(static_cast<uintptr_t>(uc->uc_mcontext.gregs[REG_RIP]))) return Verdict::kBadPC;
  return Verdict::kInject;
}

// Stores the return PC below the red zone. Not instrumented: the slot is
// below the goroutine's SP, where ASan may still hold a dead frame's poison.
__attribute__((no_sanitize("address", "hwaddress"))) void StoreWord(uintptr_t addr, uintptr_t value) {
  *reinterpret_cast<volatile uintptr_t*>(addr) = value;
}

// Rewrites the context: on return from the handler the thread "calls" the
// trampoline from the interrupted PC, its frame starting below the red zone.
void InjectCall(ucontext_t* uc) {
  const auto sp = static_cast<uintptr_t>(uc->uc_mcontext.gregs[REG_RSP]);
  const auto pc = static_cast<uintptr_t>(uc->uc_mcontext.gregs[REG_RIP]);
  const uintptr_t new_sp = sp - kRedZone - 8;
  StoreWord(new_sp, pc);
  uc->uc_mcontext.gregs[REG_RSP] = static_cast<greg_t>(new_sp);
  uc->uc_mcontext.gregs[REG_RIP] = static_cast<greg_t>(reinterpret_cast<uintptr_t>(&goruntime_async_preempt_trampoline));
}

void Count(std::atomic<uint64_t>& c) { c.fetch_add(1, std::memory_order_relaxed); }

void ChainPrevious(int sig, siginfo_t* info, void* uctx) {
  if (g_previous.sa_flags & SA_SIGINFO) {
    if (g_previous.sa_sigaction != nullptr) g_previous.sa_sigaction(sig, info, uctx);
  } else if (g_previous.sa_handler != SIG_DFL && g_previous.sa_handler != SIG_IGN &&
             g_previous.sa_handler != nullptr) {
    g_previous.sa_handler(sig);
  }
}

void OnPreemptSignal(int sig, siginfo_t* info, void* uctx) {
  const int saved_errno = errno;
  // On the signal stack no split-stack prologue may compare against the
  // goroutine's limit (a handler chained below may be split-stack code):
  // runtime/stack/stack.h, invariant 4.
  const uintptr_t saved_limit = StackLimit();
  SetStackLimit(0);
  auto* uc = static_cast<ucontext_t*>(uctx);
  if (CurrentM() != nullptr) {
    PreemptStats& s = Stats();
    Count(s.signals);
    switch (AsyncSafePoint(uc, saved_limit)) {
      case Verdict::kInject:
        InjectCall(uc);
        Count(s.injected);
        break;
      case Verdict::kNotWanted: Count(s.not_wanted); break;
      case Verdict::kNoGoroutine: Count(s.no_goroutine); break;
      case Verdict::kLocked: Count(s.locked); break;
      case Verdict::kBadStack: Count(s.bad_stack); break;
      case Verdict::kBadPC: Count(s.bad_pc); break;
    }
  }
  // SIGURG also reports out-of-band socket data: a handler the program had
  // installed before Run still sees every signal (as with Go's os/signal).
  ChainPrevious(sig, info, uctx);
  SetStackLimit(saved_limit);
  errno = saved_errno;
}

}  // namespace

PreemptStats& Stats() {
  static PreemptStats* stats = new PreemptStats;  // read by handlers until _exit
  return *stats;
}

// Whether the build and the environment ask for asynchronous preemption.
bool AsyncPreemptWanted() {
#if defined(GORT_ASYNC_PREEMPT_BUILT)
  const char* det = getenv("GORUNTIME_SCHED");
  return !GodebugAsyncPreemptOff() && (det == nullptr || *det == 0);
#else
  return false;
#endif
}

bool AsyncPreemptOn() { return g_on; }

bool PreemptStress() { return g_stress; }

void InitAsyncPreempt() {
  g_initialized = true;
  g_on = AsyncPreemptWanted();
  if (!g_on) return;
  const char* stress = getenv("GORUNTIME_PREEMPT_STRESS");
  g_stress = stress != nullptr && strcmp(stress, "1") == 0;
  Stats();
  LinkOsLockCounting();
  DetectExtendedState();
  InitCodeLayout();
  g_pid = getpid();
  struct sigaction sa;
  memset(&sa, 0, sizeof(sa));
  sa.sa_sigaction = OnPreemptSignal;
  // SA_RESTART: a system call interrupted by the signal restarts (except
  // those Linux never restarts, e.g. nanosleep: as in Go since 1.14, code
  // that blocks its thread without Syscall may see EINTR).
  sa.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_RESTART;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGURG, &sa, &g_previous);
}

// Signals the thread that owns p. The owner may have changed since: then
// the signal reaches an M whose P wants no preemption, and the handler does
// nothing (SIGURG is harmless to any thread).
static void SendPreemptSignal(P* p) {
  const int64_t tid = p->owner_tid.load(std::memory_order_relaxed);
  if (tid != 0) syscall(SYS_tgkill, g_pid, static_cast<pid_t>(tid), SIGURG);
}

void SignalPreempt(P* p, int64_t* last, int64_t now) {
  if (now - *last < kResignalNs) return;
  *last = now;
  SendPreemptSignal(p);
}

void PreemptAllRunning() {
  if (!AsyncPreemptOn()) return;
  const int32_t procs = sched.gomaxprocs.load(std::memory_order_acquire);
  for (int32_t i = 0; i < procs; i++) {
    P* p = sched.allp[i].load(std::memory_order_acquire);
    if (p != nullptr && p->status.load() == PStatus::kRunning) SendPreemptSignal(p);
  }
}

}  // namespace detail

bool AsyncPreemptEnabled() {
  return detail::g_initialized ? detail::g_on : detail::AsyncPreemptWanted();
}

}  // namespace goruntime
