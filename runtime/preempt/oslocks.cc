// OS locks held by goroutines: the program's pthread mutexes (std::mutex),
// rwlocks (std::shared_mutex), spinlocks, once-controls (std::call_once) and
// static-initialization guards, counted per goroutine (G::os_locks) so that
// the preemption handler never preempts a goroutine that holds one.
//
// Why. A goroutine preempted while it holds such a lock leaves every
// goroutine that then waits for the lock blocked in the kernel with its P,
// and at GOMAXPROCS=1 nothing can run the holder again: a deadlock that the
// cooperative runtime never had, since a critical section without a call
// into the runtime was never interrupted. (The stress mode found it at
// once: the conformance interpreter's own std::mutex.) Go has no such case:
// Go code takes no OS locks, and a cgo call, which might, releases its P.
// Here, counting OS locks like the runtime's own keeps every such critical
// section whole, as it was.
//
// How. The runtime defines these functions, so the dynamic linker resolves
// every call from outside libc to them (the executable, or the runtime's
// shared object, comes before libc in the search order); each calls libc's
// (dlsym RTLD_NEXT) and counts a successful acquisition or release on the
// calling goroutine. libc's own internal locking is untouched. A goroutine
// that releases more than it took (a mutex unlocked by another thread than
// its locker, which glibc allows) stops at zero; the locker's count then
// stays raised and only that goroutine loses asynchronous preemption. The
// count moves with the goroutine, since it may hold a lock across a
// cooperative switch and release it on another thread. Not built under
// ThreadSanitizer, which intercepts the same functions (and under which
// asynchronous preemption is off anyway).
//
// What it cannot cover: a lock taken by hand with futex(2) or an atomic
// flag. A goroutine that blocks its thread waiting for a lock held by a
// goroutine that is *not running* (it yielded or parked while holding it)
// deadlocks at GOMAXPROCS=1 with or without preemption; wrap such a wait in
// Syscall, which hands the P off while the thread blocks.
#if !defined(GORT_TSAN)

#include <dlfcn.h>
#include <pthread.h>
#include <time.h>

#include <atomic>
#include <cstdint>

#include "runtime/preempt/preempt.h"
#include "runtime/scheduler/current.h"
#include "runtime/scheduler/types.h"

namespace goruntime::detail {
namespace {

// libc's (or libstdc++'s) definition of `name`, looked up once. No
// function-local static: its guard would call __cxa_guard_acquire, below.
template <class Fn>
Fn Next(std::atomic<void*>& slot, const char* name) {
  void* f = slot.load(std::memory_order_acquire);
  if (f == nullptr) {
    f = dlsym(RTLD_NEXT, name);
    slot.store(f, std::memory_order_release);
  }
  return reinterpret_cast<Fn>(f);
}

// Counts one OS lock taken (+1) or released (-1) by the calling goroutine;
// nothing on g0 or on a thread the runtime did not start.
void Held(int delta) {
  M* m = CurrentM();
  G* g = m != nullptr ? m->curg : nullptr;
  if (g == nullptr) return;
  if (delta > 0) {
    g->os_locks++;
  } else if (g->os_locks > 0) {
    g->os_locks--;
  }
}

// Calls the next definition of `fn`, counting +delta on success (0).
#define GORT_COUNTED(delta, fn, ...)                                                \
  static std::atomic<void*> next_##fn{nullptr};                                    \
  const int r = Next<decltype(&::fn)>(next_##fn, #fn)(__VA_ARGS__);                \
  if (r == 0) Held(delta);                                                          \
  return r

}  // namespace

void LinkOsLockCounting() {}

}  // namespace goruntime::detail

using goruntime::detail::Held;
using goruntime::detail::Next;

extern "C" {

int pthread_mutex_lock(pthread_mutex_t* m) { GORT_COUNTED(+1, pthread_mutex_lock, m); }
int pthread_mutex_trylock(pthread_mutex_t* m) { GORT_COUNTED(+1, pthread_mutex_trylock, m); }
int pthread_mutex_timedlock(pthread_mutex_t* m, const struct timespec* t) {
  GORT_COUNTED(+1, pthread_mutex_timedlock, m, t);
}
int pthread_mutex_clocklock(pthread_mutex_t* m, clockid_t c, const struct timespec* t) {
  GORT_COUNTED(+1, pthread_mutex_clocklock, m, c, t);
}
int pthread_mutex_unlock(pthread_mutex_t* m) { GORT_COUNTED(-1, pthread_mutex_unlock, m); }

int pthread_rwlock_rdlock(pthread_rwlock_t* l) { GORT_COUNTED(+1, pthread_rwlock_rdlock, l); }
int pthread_rwlock_wrlock(pthread_rwlock_t* l) { GORT_COUNTED(+1, pthread_rwlock_wrlock, l); }
int pthread_rwlock_tryrdlock(pthread_rwlock_t* l) { GORT_COUNTED(+1, pthread_rwlock_tryrdlock, l); }
int pthread_rwlock_trywrlock(pthread_rwlock_t* l) { GORT_COUNTED(+1, pthread_rwlock_trywrlock, l); }
int pthread_rwlock_timedrdlock(pthread_rwlock_t* l, const struct timespec* t) {
  GORT_COUNTED(+1, pthread_rwlock_timedrdlock, l, t);
}
int pthread_rwlock_timedwrlock(pthread_rwlock_t* l, const struct timespec* t) {
  GORT_COUNTED(+1, pthread_rwlock_timedwrlock, l, t);
}
int pthread_rwlock_clockrdlock(pthread_rwlock_t* l, clockid_t c, const struct timespec* t) {
  GORT_COUNTED(+1, pthread_rwlock_clockrdlock, l, c, t);
}
int pthread_rwlock_clockwrlock(pthread_rwlock_t* l, clockid_t c, const struct timespec* t) {
  GORT_COUNTED(+1, pthread_rwlock_clockwrlock, l, c, t);
}
int pthread_rwlock_unlock(pthread_rwlock_t* l) { GORT_COUNTED(-1, pthread_rwlock_unlock, l); }

int pthread_spin_lock(pthread_spinlock_t* s) { GORT_COUNTED(+1, pthread_spin_lock, s); }
int pthread_spin_trylock(pthread_spinlock_t* s) { GORT_COUNTED(+1, pthread_spin_trylock, s); }
int pthread_spin_unlock(pthread_spinlock_t* s) { GORT_COUNTED(-1, pthread_spin_unlock, s); }

// The init routine runs inside, while other callers wait in the kernel.
int pthread_once(pthread_once_t* once, void (*init)()) {
  static std::atomic<void*> next{nullptr};
  Held(+1);
  const int r = Next<int (*)(pthread_once_t*, void (*)())>(next, "pthread_once")(once, init);
  Held(-1);
  return r;
}

// A function-local static's initializer runs between an acquire that
// returned 1 and the release (or abort), while other callers wait.
int __cxa_guard_acquire(int64_t* guard) {
  static std::atomic<void*> next{nullptr};
  const int r = Next<int (*)(int64_t*)>(next, "__cxa_guard_acquire")(guard);
  if (r != 0) Held(+1);
  return r;
}
void __cxa_guard_release(int64_t* guard) {
  static std::atomic<void*> next{nullptr};
  Next<void (*)(int64_t*)>(next, "__cxa_guard_release")(guard);
  Held(-1);
}
void __cxa_guard_abort(int64_t* guard) {
  static std::atomic<void*> next{nullptr};
  Next<void (*)(int64_t*)>(next, "__cxa_guard_abort")(guard);
  Held(-1);
}

}  // extern "C"

#else  // GORT_TSAN

namespace goruntime::detail {
void LinkOsLockCounting() {}
}  // namespace goruntime::detail

#endif
