// The calling thread's no-preemption depth, Go's m.locks: how many runtime
// locks the thread holds (base/mutex.h counts them) plus explicit
// NoPreemptScope regions. The preemption signal handler (signal.cc) never
// preempts a thread whose depth is not zero.
//
// The counter is a thread-local, but it is never read or written through
// the compiler's thread-local access: clang may compute a thread-local's
// address once per function and reuse it after a call that resumed the
// goroutine on another thread (llvm-project #98479), and a count kept on the
// wrong thread would be a race and a lie. The asm below reads %fs afresh at
// each access, with the initial-exec offset (valid in the executable and in
// shared objects loaded at startup, e.g. Bazel's test builds).
#pragma once

#include <cstdint>

extern "C" __thread uint32_t goruntime_nopreempt_depth __attribute__((tls_model("initial-exec")));

namespace goruntime::detail {

// Adds one to the calling thread's no-preemption depth.
inline void NoPreemptEnter() {
#if defined(__x86_64__)
  uintptr_t off;
  asm volatile(
      "movq goruntime_nopreempt_depth@gottpoff(%%rip), %0\n\t"
      "addl $1, %%fs:(%0)"
      : "=r"(off)
      :
      : "cc", "memory");
#else
  __atomic_add_fetch(&goruntime_nopreempt_depth, 1, __ATOMIC_RELAXED);
#endif
}

// Takes one from the calling thread's no-preemption depth.
inline void NoPreemptExit() {
#if defined(__x86_64__)
  uintptr_t off;
  asm volatile(
      "movq goruntime_nopreempt_depth@gottpoff(%%rip), %0\n\t"
      "subl $1, %%fs:(%0)"
      : "=r"(off)
      :
      : "cc", "memory");
#else
  __atomic_sub_fetch(&goruntime_nopreempt_depth, 1, __ATOMIC_RELAXED);
#endif
}

// The calling thread's no-preemption depth.
inline uint32_t NoPreemptDepth() {
#if defined(__x86_64__)
  uintptr_t off;
  uint32_t depth;
  asm volatile(
      "movq goruntime_nopreempt_depth@gottpoff(%%rip), %0\n\t"
      "movl %%fs:(%0), %1"
      : "=&r"(off), "=r"(depth)
      :
      : "memory");
  return depth;
#else
  return __atomic_load_n(&goruntime_nopreempt_depth, __ATOMIC_RELAXED);
#endif
}

// No asynchronous preemption of the calling thread while it lives (Go's
// acquirem/releasem). Must end on the thread where it began: never hold one
// across a goroutine switch.
class NoPreemptScope {
 public:
  NoPreemptScope() { NoPreemptEnter(); }
  ~NoPreemptScope() { NoPreemptExit(); }
  NoPreemptScope(const NoPreemptScope&) = delete;
  NoPreemptScope& operator=(const NoPreemptScope&) = delete;
};

}  // namespace goruntime::detail
