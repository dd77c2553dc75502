// The split-stack state of one execution context (a goroutine or an M's g0),
// saved and restored at every switch. See stack.h for the design.
//
// Code compiled with -fsplit-stack compares the stack pointer, in every
// function prologue, with a per-thread limit kept in the thread control block
// (%fs:0x70 on x86-64 glibc), and calls libgcc's __morestack when the frame
// does not fit. libgcc keeps the thread's segment list in thread-locals. A
// thread that runs many goroutines must therefore swap that state at each
// switch, as gccgo's libgo does with __splitstack_getcontext/setcontext.
//
// Invariant: between SaveStackContext (last thing before a switch) and
// RestoreStackContext (first thing after it) the limit is 0, so no prologue
// that runs in between (Boost.Context's entry code, a new fiber's first
// frames) can call __morestack against the wrong context's segments.
#pragma once

#include <cstddef>
#include <cstdint>

namespace goruntime::detail {

#if defined(GORT_SPLIT_STACK)
inline constexpr bool kSplitStacks = true;
#else
inline constexpr bool kSplitStacks = false;
#endif

// libgcc's context array (generic-morestack.c, enum
// __splitstack_context_offsets): segment list, current segment, current
// stack, limit, initial sp, initial length, dont-block-signals, 3 spare.
struct StackContext {
#if defined(GORT_SPLIT_STACK)
  void* words[10] = {};
#endif
};

}  // namespace goruntime::detail

#if defined(GORT_SPLIT_STACK)
extern "C" {
void __splitstack_getcontext(void* context[10]);
void __splitstack_setcontext(void* context[10]);
}
#endif

namespace goruntime::detail {

// Writes the calling thread's split-stack limit. 0 turns every prologue check
// off (any stack pointer is above it).
[[gnu::always_inline]] inline void SetStackLimit(uintptr_t limit) {
#if defined(GORT_SPLIT_STACK)
  asm volatile("movq %0, %%fs:0x70" : : "r"(limit) : "memory");
#else
  (void)limit;
#endif
}

// Reads the calling thread's split-stack limit.
[[gnu::always_inline]] inline uintptr_t StackLimit() {
  uintptr_t limit = 0;
#if defined(GORT_SPLIT_STACK)
  asm volatile("movq %%fs:0x70, %0" : "=r"(limit));
#endif
  return limit;
}

// Last thing before switching away from the context that owns ctx.
[[gnu::always_inline]] inline void SaveStackContext(StackContext* ctx) {
#if defined(GORT_SPLIT_STACK)
  __splitstack_getcontext(ctx->words);
  SetStackLimit(0);
#else
  (void)ctx;
#endif
}

// First thing after a switch lands in the context that owns ctx.
[[gnu::always_inline]] inline void RestoreStackContext(StackContext* ctx) {
#if defined(GORT_SPLIT_STACK)
  __splitstack_setcontext(ctx->words);
#else
  (void)ctx;
#endif
}

// Prepares ctx for a goroutine stack [lo, hi) (a guarded stack from the pool)
// that has never run: no segments yet, and a limit that leaves
// kStackHeadroom bytes above lo for code compiled without split stacks.
void InitGoroutineStackContext(StackContext* ctx, char* lo, char* hi);

// Returns the calling goroutine's grown segments (all but its first stack) to
// the pool. Called by a goroutine that is about to exit, on its first stack.
void ReleaseGrownStack();

// The bytes of stack the calling goroutine holds: its first stack plus every
// segment up to the current one.
size_t StackInUse();

}  // namespace goruntime::detail
