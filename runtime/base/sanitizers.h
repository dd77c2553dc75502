// Fiber-switch annotations for ThreadSanitizer and AddressSanitizer, and the
// split-stack state every switch must carry (runtime/stack/split_stack.h).
//
// Boost.Context's fcontext switches stacks in assembly that neither sanitizer
// can see, so every switch in the runtime (g0 -> G, G -> g0 and the direct
// G -> G) goes through one function, SwitchContext in
// scheduler/scheduler.cc, which calls BeforeSwitch just before the jump and
// AfterSwitch first thing on the context it lands on:
//  - TSan: each goroutine is a TSan fiber; __tsan_switch_to_fiber(to, 0) is
//    called before the switch. Flag 0 makes the switch a happens-before edge,
//    which is true on one thread (the switcher writes the next G's fields,
//    and the next G then finishes the switcher's step, on the same M).
//    Consequence: TSan cannot see a race between two goroutines that run one
//    after the other on the same M with no other synchronisation.
//  - ASan: __sanitizer_start_switch_fiber before and
//    __sanitizer_finish_switch_fiber after, on the resumed side, so ASan knows
//    which stack is live (otherwise it reports false stack-buffer overflows
//    when an exception unwinds a goroutine stack).
#pragma once

#include <cstddef>

#include "runtime/stack/split_stack.h"

#if defined(GORT_TSAN)
#include <sanitizer/tsan_interface.h>
#endif
#if defined(GORT_ASAN)
#include <pthread.h>
#include <sanitizer/common_interface_defs.h>
#endif

namespace goruntime::detail {

// The sanitizer identity of one execution context (a G's fiber or an M's g0).
struct FiberSan {
  void* tsan_fiber = nullptr;     // TSan fiber handle
  void* asan_fake_stack = nullptr;  // ASan fake-stack save slot
  const void* stack_bottom = nullptr;  // lowest address of the context's stack
  size_t stack_size = 0;
  [[no_unique_address]] StackContext split;  // libgcc's segment state while the context is switched out

  // Creates the TSan fiber for a new goroutine stack [bottom, bottom+size).
  void InitFiber(const void* bottom, size_t size) {
    stack_bottom = bottom;
    stack_size = size;
    InitGoroutineStackContext(&split, static_cast<char*>(const_cast<void*>(bottom)));
#if defined(GORT_TSAN)
    tsan_fiber = __tsan_create_fiber(0);
#endif
  }

  // Adopts the calling thread's own context (an M's g0). g0 runs with the
  // split-stack check off: the scheduler never recurses deeply. Only ASan
  // needs the thread's stack bounds (for switches back to it); finding them
  // reads /proc/self/maps on the main thread, which a short-lived process (a
  // fuzzer's child) should not pay for when nothing uses them.
  void AdoptThread() {
#if defined(GORT_ASAN)
    pthread_attr_t attr;
    void* addr = nullptr;
    size_t size = 0;
    if (pthread_getattr_np(pthread_self(), &attr) == 0) {
      pthread_attr_getstack(&attr, &addr, &size);
      pthread_attr_destroy(&attr);
    }
    stack_bottom = addr;
    stack_size = size;
#endif
    InitThreadStackState();
#if defined(GORT_TSAN)
    tsan_fiber = __tsan_get_current_fiber();
#endif
  }
};

// Call immediately before switching from the current context to `to`.
// `from` is the current context (its fake stack is saved there).
inline void BeforeSwitch(FiberSan* from, FiberSan* to) {
  (void)from;
  (void)to;
#if defined(GORT_ASAN)
  __sanitizer_start_switch_fiber(&from->asan_fake_stack, to->stack_bottom, to->stack_size);
#endif
#if defined(GORT_TSAN)
  __tsan_switch_to_fiber(to->tsan_fiber, 0);
#endif
  SaveStackContext(&from->split);
}

// Call first thing after a switch lands in `self`.
inline void AfterSwitch(FiberSan* self) {
  RestoreStackContext(&self->split);
#if defined(GORT_ASAN)
  __sanitizer_finish_switch_fiber(self->asan_fake_stack, nullptr, nullptr);
#endif
}

}  // namespace goruntime::detail
