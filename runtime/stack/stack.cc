#include "runtime/stack/stack.h"

#include <signal.h>
#include <sys/mman.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <vector>

#include "runtime/base/mutex.h"
#include "runtime/scheduler/current.h"
#include "runtime/scheduler/types.h"

#ifndef MADV_GUARD_INSTALL
#define MADV_GUARD_INSTALL 102
#endif

namespace goruntime::detail {
namespace {

constexpr size_t kStacksPerSlab = 64;
constexpr int64_t kDefaultMaxStack = sizeof(void*) == 8 ? 1'000'000'000 : 250'000'000;

std::atomic<int64_t> g_max_stack{kDefaultMaxStack};

size_t PageSize() {
  static const size_t page = static_cast<size_t>(sysconf(_SC_PAGESIZE));
  return page;
}

// Free stacks by usable size; slabs are never unmapped (like Go's stack spans
// they are reused by later goroutines).
class StackPool {
 public:
  Stack Get(size_t size) EXCLUDES(mu_) {
    MutexLock l(mu_);
    auto& free = free_[size];
    if (free.empty()) return Carve(size);
    Stack s = free.back();
    free.pop_back();
    return s;
  }

  void Put(const Stack& s) EXCLUDES(mu_) {
    MutexLock l(mu_);
    free_[s.size()].push_back(s);
  }

  bool use_madvise() const { return use_madvise_.load(std::memory_order_relaxed); }

 private:
  // A slab's stacks not yet handed out, for one size.
  struct Fresh {
    char* slab = nullptr;
    size_t next = kStacksPerSlab;  // index of the next stack to carve
  };

  // Hands out the next never-used stack of a slab, mapping a new slab when
  // the last one is used up. Its guard is installed only now: a guard is a
  // page-table walk that may allocate page tables, so a short program (a
  // fuzzer's child runs a few goroutines) pays for the stacks it uses, not
  // for the whole slab.
  Stack Carve(size_t size) REQUIRES(mu_) {
    const size_t page = PageSize();
    const size_t stride = page + size;
    Fresh& fresh = fresh_[size];
    if (fresh.next == kStacksPerSlab) {
      void* slab = mmap(nullptr, stride * kStacksPerSlab, PROT_READ | PROT_WRITE,
                        MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
      if (slab == MAP_FAILED) {
        fprintf(stderr, "fatal error: out of memory allocating goroutine stacks\n");
        _exit(2);
      }
      fresh = Fresh{static_cast<char*>(slab), 0};
    }
    Stack s;
    s.guard_lo = fresh.slab + fresh.next++ * stride;
    s.lo = s.guard_lo + page;
    s.hi = s.lo + size;
    InstallGuard(s.guard_lo, page);
    return s;
  }

  void InstallGuard(char* p, size_t len) {
    if (use_madvise() && madvise(p, len, MADV_GUARD_INSTALL) == 0) return;
    use_madvise_.store(false, std::memory_order_relaxed);
    if (mprotect(p, len, PROT_NONE) != 0) {
      fprintf(stderr, "fatal error: cannot install stack guard page\n");
      _exit(2);
    }
  }

  Mutex mu_;
  std::map<size_t, std::vector<Stack>> free_ GUARDED_BY(mu_);
  std::map<size_t, Fresh> fresh_ GUARDED_BY(mu_);
  std::atomic<bool> use_madvise_{true};
};

StackPool& Pool() {
  static StackPool* pool = new StackPool;  // never destroyed: stacks outlive exit
  return *pool;
}

// --- async-signal-safe output ------------------------------------------------

void WriteStr(const char* s) {
  size_t n = strlen(s);
  while (n > 0) {
    ssize_t w = write(2, s, n);
    if (w <= 0) return;
    s += w;
    n -= static_cast<size_t>(w);
  }
}

void WriteUint(uint64_t v, int base) {
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

void WriteHex(const void* p) { WriteUint(reinterpret_cast<uintptr_t>(p), 16); }

void OnSegv(int sig, siginfo_t* info, void* uctx) {
  (void)uctx;
  const Stack* s = CurrentStackForSignal();
  if (s != nullptr && s->contains_guard(info->si_addr)) {
    uint64_t limit = static_cast<uint64_t>(MaxStack());
    if (limit > s->size()) limit = s->size();
    StackOverflowFatal(CurrentGoIDForSignal(), info->si_addr, s->lo, s->hi, limit);
  }
  // Not ours: restore the default action and return, so the fault recurs and
  // the process dies of the signal as it would have without us.
  signal(sig, SIG_DFL);
}

}  // namespace

Stack AllocStack(size_t size) { return Pool().Get(size); }
void FreeStack(const Stack& s) { Pool().Put(s); }
bool StackGuardsUseMadvise() { return Pool().use_madvise(); }

size_t StackReservation() {
  static const size_t reservation = [] {
    size_t kb = 256;
    if (const char* env = getenv("GORUNTIME_STACK_KB")) {
      long v = atol(env);
      if (v >= 16) kb = static_cast<size_t>(v);
    }
    size_t bytes = kb * 1024;
    const size_t page = PageSize();
    return (bytes + page - 1) / page * page;
  }();
  return reservation;
}

constexpr int64_t kExactLimitCap = 64 << 20;
constexpr size_t kHeadroom = 64 << 10;

size_t StackSizeForMain() { return static_cast<size_t>(kExactLimitCap) + kHeadroom; }

size_t StackSizeForNewG() {
  const int64_t max = MaxStack();
  const size_t reservation = StackReservation();
  if (max > kExactLimitCap || static_cast<size_t>(max) + kHeadroom <= reservation) return reservation;
  const size_t page = PageSize();
  return (static_cast<size_t>(max) + kHeadroom + page - 1) / page * page;
}

int64_t MaxStack() { return g_max_stack.load(std::memory_order_relaxed); }

int64_t SetMaxStackValue(int64_t bytes) {
  return g_max_stack.exchange(bytes, std::memory_order_relaxed);
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

void StackOverflowFatal(int64_t goid, const void* sp, const void* lo, const void* hi,
                        uint64_t limit) {
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
  const Stack* s = CurrentStackForSignal();
  if (s == nullptr) return;
  const char* p = static_cast<const char*>(sp);
  if (p < s->lo || p > s->hi) return;  // not on a goroutine stack (g0)
  uint64_t used = static_cast<uint64_t>(s->hi - p);
  uint64_t limit = static_cast<uint64_t>(MaxStack());
  if (used > limit) StackOverflowFatal(CurrentGoIDForSignal(), sp, s->lo, s->hi, limit);
}

}  // namespace goruntime::detail
