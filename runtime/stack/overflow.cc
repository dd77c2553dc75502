// The stack limit (debug.SetMaxStack), Go's stack-overflow report, and the
// SIGSEGV handler that turns a guard-page hit into that report.
#include <signal.h>
#include <sys/mman.h>
#include <ucontext.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <cstring>
#include <mutex>

#include "runtime/scheduler/current.h"
#include "runtime/stack/split_stack.h"
#include "runtime/stack/stack.h"

#ifndef MADV_GUARD_INSTALL
#define MADV_GUARD_INSTALL 102
#endif
#ifndef MADV_GUARD_REMOVE
#define MADV_GUARD_REMOVE 103
#endif

namespace goruntime::detail {

// libgcc's segment header and current-segment thread-local (split_stack.cc).
const void* CurrentSegmentGuardForSignal(const void* addr, const void** lo, const void** hi);

namespace {

constexpr int64_t kDefaultMaxStack = sizeof(void*) == 8 ? 1'000'000'000 : 250'000'000;
constexpr size_t kPage = 4096;

std::atomic<int64_t> g_max_stack{kDefaultMaxStack};

// --- async-signal-safe output, small frames, no split-stack growth -----------

[[gnu::no_split_stack]] void WriteStr(const char* s) {
  size_t n = strlen(s);
  while (n > 0) {
    ssize_t w = write(2, s, n);
    if (w <= 0) return;
    s += w;
    n -= static_cast<size_t>(w);
  }
}

[[gnu::no_split_stack]] void WriteUint(uint64_t v, int base) {
  char buf[32];
  int i = sizeof(buf);
  buf[--i] = 0;
  do {
    buf[--i] = "0123456789abcdef"[v % base];
    v /= base;
  } while (v != 0);
  if (base == 16) {
    buf[--i] = 'x';
    buf[--i] = '0';
  }
  WriteStr(buf + i);
}

[[gnu::no_split_stack]] void WriteHex(const void* p) { WriteUint(reinterpret_cast<uintptr_t>(p), 16); }

// A fault at `addr` on the running goroutine's stack guard: prints the report.
// Returns only when the fault is not a stack overflow.
[[gnu::no_split_stack]] void ReportIfStackOverflow(const void* addr, const void* sp) {
  const Stack* s = CurrentStackForSignal();
  if (s == nullptr) return;
  const int64_t goid = CurrentGoIDForSignal();
  uint64_t limit = static_cast<uint64_t>(MaxStack());
  if (s->contains_guard(addr)) {
    // A fixed stack is bounded by its reservation as well as by the limit.
    if (!StacksGrow() && limit > s->size()) limit = s->size();
    StackOverflowFatal(goid, sp, s->lo, s->hi, limit);
  }
  const void* lo = nullptr;
  const void* hi = nullptr;
  if (StacksGrow() && CurrentSegmentGuardForSignal(addr, &lo, &hi) != nullptr) {
    StackOverflowFatal(goid, sp, lo, hi, limit);
  }
}

// The handler runs on the M's alternate signal stack, where the split-stack
// limit of the interrupted goroutine means nothing: it turns the check off
// while it runs (no __morestack from a signal handler) and restores it.
[[gnu::no_split_stack]] void OnSegv(int sig, siginfo_t* info, void* uctx) {
  const uintptr_t saved_limit = StackLimit();
  SetStackLimit(0);
  const void* sp = info->si_addr;
  if (uctx != nullptr) {
    sp = reinterpret_cast<const void*>(static_cast<ucontext_t*>(uctx)->uc_mcontext.gregs[REG_RSP]);
  }
  ReportIfStackOverflow(info->si_addr, sp);
  // Not ours: restore the default action and return, so the fault recurs and
  // the process dies of the signal as it would have without us.
  signal(sig, SIG_DFL);
  SetStackLimit(saved_limit);
}

// Fixed stacks: the page at which the caller's stack must stop for `limit`,
// or null when that is outside its stack or above the caller's frame.
char* LimitGuardFor(const Stack& s, int64_t limit, const void* sp) {
  if (limit <= 0 || static_cast<uint64_t>(limit) >= s.size()) return nullptr;
  const uintptr_t top = reinterpret_cast<uintptr_t>(s.hi) - static_cast<uintptr_t>(limit);
  char* guard = reinterpret_cast<char*>((top & ~(kPage - 1)) - kPage);
  if (guard < s.lo || guard + kPage > static_cast<const char*>(sp)) return nullptr;
  return guard;
}

void RemoveLimitGuard(Stack* s) {
  if (s->limit_guard == nullptr) return;
  if (madvise(s->limit_guard, kPage, MADV_GUARD_REMOVE) != 0) {
    mprotect(s->limit_guard, kPage, PROT_READ | PROT_WRITE);
  }
  s->limit_guard = nullptr;
}

// Fixed stacks: SetMaxStack also bounds plain recursion in its caller (main,
// typically) with a guard page at the limit, which stays until the caller
// exits or sets another limit.
void MoveLimitGuard(int64_t limit) {
  // The Stack belongs to the running goroutine's fiber; only that goroutine
  // changes its limit guard, and only the SIGSEGV handler on its own thread
  // reads it.
  Stack* s = const_cast<Stack*>(CurrentStackForSignal());
  if (s == nullptr) return;
  char probe;
  RemoveLimitGuard(s);
  char* guard = LimitGuardFor(*s, limit, &probe);
  if (guard == nullptr) return;
  if (madvise(guard, kPage, MADV_GUARD_INSTALL) == 0 || mprotect(guard, kPage, PROT_NONE) == 0) {
    s->limit_guard = guard;
  }
}

}  // namespace

size_t StackReservation() {
  static const size_t reservation = [] {
    size_t kb = StacksGrow() ? 32 : 256;
    if (const char* env = getenv("GORUNTIME_STACK_KB")) {
      long v = atol(env);
      // A first stack must hold the headroom and libgcc's backoff.
      const long min_kb = StacksGrow() ? 32 : 16;
      if (v >= min_kb) kb = static_cast<size_t>(v);
    }
    const size_t bytes = kb * 1024;
    return (bytes + kPage - 1) / kPage * kPage;
  }();
  return reservation;
}

// Fixed stacks: the largest limit enforced exactly, and main's stack. Under
// ThreadSanitizer 8 MiB, an OS thread's default stack: TSan records every
// instrumented call on a per-thread (per-fiber) shadow call stack of 65,536
// entries (kShadowStackSize, tsan_defs.h) that only its debug builds
// bounds-check. The stack tests' recursion (about 1.3 KiB and 3-4
// instrumented calls a level under TSan) overran it about a third of the way
// down a 64 MiB main stack and wrote return addresses over TSan's and the
// runtime's memory: 2 of 10 runs of GuardPageHit died of SIGSEGV in
// __tsan_write8 on g0, storing through a Landing overwritten by a return
// address into Call. A recursion that fits 8 MiB fits TSan as on a thread.
#if defined(GORT_TSAN)
constexpr int64_t kExactLimitCap = 8 << 20;
#else
constexpr int64_t kExactLimitCap = 64 << 20;
#endif
constexpr size_t kFixedHeadroom = 64 << 10;

size_t StackSizeForMain() {
  if (StacksGrow()) return StackReservation();
  return static_cast<size_t>(kExactLimitCap) + kFixedHeadroom;
}

size_t StackSizeForNewG() {
  const size_t reservation = StackReservation();
  if (StacksGrow()) return reservation;
  const int64_t max = MaxStack();
  if (max > kExactLimitCap || static_cast<size_t>(max) + kFixedHeadroom <= reservation) return reservation;
  return (static_cast<size_t>(max) + kFixedHeadroom + kPage - 1) / kPage * kPage;
}

int64_t MaxStack() { return g_max_stack.load(std::memory_order_relaxed); }

int64_t SetMaxStackValue(int64_t bytes) {
  const int64_t old = g_max_stack.exchange(bytes, std::memory_order_relaxed);
  if (!StacksGrow()) MoveLimitGuard(bytes);
  return old;
}

void InstallOverflowHandler() {
  static std::once_flag once;
  std::call_once(once, [] {
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_sigaction = OnSegv;
    sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGSEGV, &sa, nullptr);
    sigaction(SIGBUS, &sa, nullptr);
  });
}

void InstallSignalStack() {
  // 64 KiB: the report code is small, but sanitizer runtimes need headroom.
  constexpr size_t kSize = 64 * 1024;
  stack_t ss;
  memset(&ss, 0, sizeof(ss));
  ss.ss_sp = mmap(nullptr, kSize, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (ss.ss_sp == MAP_FAILED) return;
  ss.ss_size = kSize;
  sigaltstack(&ss, nullptr);
}

[[gnu::no_split_stack]] void StackOverflowFatal(int64_t goid, const void* sp, const void* lo,
                                                const void* hi, uint64_t limit) {
  SetStackLimit(0);  // what follows may run below the limit: never grow here
  WriteStr("runtime: goroutine stack exceeds ");
  WriteUint(limit, 10);
  WriteStr("-byte limit\nruntime: sp=");
  WriteHex(sp);
  WriteStr(" stack=[");
  WriteHex(lo);
  WriteStr(", ");
  WriteHex(hi);
  WriteStr("]\nfatal error: stack overflow\n\ngoroutine ");
  WriteUint(static_cast<uint64_t>(goid), 10);
  WriteStr(" [running]:\n");
  _exit(2);
}

void CheckStackLimit(const void* sp) {
  if (StacksGrow()) return;
  const Stack* s = CurrentStackForSignal();
  if (s == nullptr) return;
  const char* p = static_cast<const char*>(sp);
  if (p < s->lo || p > s->hi) return;  // not on a goroutine stack (g0)
  uint64_t used = static_cast<uint64_t>(s->hi - p);
  uint64_t limit = static_cast<uint64_t>(MaxStack());
  if (used > limit) StackOverflowFatal(CurrentGoIDForSignal(), sp, s->lo, s->hi, limit);
}

void TrimStackAtExit() {
  if (StacksGrow()) {
    ReleaseGrownStack();
    return;
  }
  if (Stack* s = const_cast<Stack*>(CurrentStackForSignal())) RemoveLimitGuard(s);
}

}  // namespace goruntime::detail
