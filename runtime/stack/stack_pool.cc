// The pool of guarded stacks: goroutines' first stacks and, with split
// stacks, the segments they grow into. Stacks are carved out of slabs (one
// mapping each); a guard page sits below every stack. Guard pages use
// madvise(MADV_GUARD_INSTALL) (Linux 6.13+), which does not split the
// mapping, so a million stacks stay within vm.max_map_count. Older kernels
// fall back to mprotect (two mappings per stack, so at most about 32k live
// goroutines under the default map count).
#include <sys/mman.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <map>
#include <vector>

#include "runtime/base/mutex.h"
#include "runtime/stack/stack.h"

#ifndef MADV_GUARD_INSTALL
#define MADV_GUARD_INSTALL 102
#endif

namespace goruntime::detail {
namespace {

// A slab holds at most this many stacks and aims at about this many bytes, so
// small stacks share page-table pages and large segments do not reserve
// gigabytes they will never use.
constexpr size_t kMaxStacksPerSlab = 256;
constexpr size_t kSlabBytes = 8 << 20;

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
    size_t next = 0;  // stacks below this index are still to be carved
  };

  // Hands out the next never-used stack of a slab, mapping a new slab when
  // the last one is used up. Its guard is installed only now: a guard is a
  // page-table walk that may allocate page tables, so a short program (a
  // fuzzer's child runs a few goroutines) pays for the stacks it uses, not
  // for the whole slab. Handed out from the top of the slab down, so a
  // burst of goroutines touches neighbouring stacks.
  Stack Carve(size_t size) REQUIRES(mu_) {
    const size_t page = PageSize();
    const size_t stride = page + size;
    Fresh& fresh = fresh_[size];
    if (fresh.next == 0) {
      size_t count = kSlabBytes / stride;
      if (count < 1) count = 1;
      if (count > kMaxStacksPerSlab) count = kMaxStacksPerSlab;
      void* slab = mmap(nullptr, stride * count, PROT_READ | PROT_WRITE,
                        MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
      if (slab == MAP_FAILED) {
        static const char msg[] = "fatal error: out of memory allocating goroutine stacks\n";
        (void)!write(2, msg, sizeof msg - 1);
        _exit(2);
      }
      fresh = Fresh{static_cast<char*>(slab), count};
    }
    Stack s;
    s.guard_lo = fresh.slab + --fresh.next * stride;
    s.lo = s.guard_lo + page;
    s.hi = s.lo + size;
    InstallGuard(s.guard_lo, page);
    return s;
  }

  void InstallGuard(char* p, size_t len) {
    if (use_madvise() && madvise(p, len, MADV_GUARD_INSTALL) == 0) return;
    use_madvise_.store(false, std::memory_order_relaxed);
    if (mprotect(p, len, PROT_NONE) != 0) {
      static const char msg[] = "fatal error: cannot install stack guard page\n";
      (void)!write(2, msg, sizeof msg - 1);
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

}  // namespace

Stack AllocStack(size_t size) { return Pool().Get(size); }

void FreeStack(const Stack& s, bool release_pages) {
  // MADV_DONTNEED keeps guard regions (they are removed only by
  // MADV_GUARD_REMOVE or munmap).
  if (release_pages) madvise(s.lo, s.size(), MADV_DONTNEED);
  Pool().Put(s);
}

bool StackGuardsUseMadvise() { return Pool().use_madvise(); }

}  // namespace goruntime::detail
