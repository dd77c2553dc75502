// The split-stack state of a goroutine, saved and restored at every switch.
// See stack.h for the design.
//
// Code compiled with -fsplit-stack compares the stack pointer, in every
// function prologue, with a per-thread limit kept in the thread control block
// (%fs:0x70 on x86-64 glibc), and calls libgcc's __morestack when the frame
// does not fit. libgcc keeps the thread's segment list in thread-locals. A
// thread that runs many goroutines must therefore swap that state at each
// switch, as gccgo's libgo does with __splitstack_getcontext/setcontext.
// Those two calls cost about twice the rest of a switch, so the runtime
// moves the same thread-locals itself (checked against them at startup,
// CheckSplitStackAbi), and only for goroutines:
//
// Invariants
//  1. g0 (an M's scheduler context) always runs with the limit at 0: no
//     prologue there ever calls __morestack, so libgcc's thread-locals mean
//     nothing on g0, and g0's state is neither saved nor restored.
//  2. A goroutine saves its state as the last thing before it switches away
//     and sets the limit to 0; the goroutine switched to restores its own as
//     the first thing. In between (Boost.Context's entry code, a new fiber's
//     first frames) no prologue can call __morestack against the wrong
//     goroutine's segments.
//  3. libgcc's record of the first stack (__morestack_initial_sp, which it
//     reads only when a function returns or unwinds to the first stack) is
//     not switched: the wrappers (split_stack.cc) set it from the running
//     goroutine's first stack just before libgcc reads it.
#pragma once

#include <cstddef>
#include <cstdint>

namespace goruntime::detail {

#if defined(GORT_SPLIT_STACK)
inline constexpr bool kSplitStacks = true;
#else
inline constexpr bool kSplitStacks = false;
#endif

// A goroutine's part of libgcc's per-thread state (generic-morestack.c).
struct StackContext {
#if defined(GORT_SPLIT_STACK)
  void* segments = nullptr;         // __morestack_segments: its first segment
  void* current = nullptr;          // __morestack_current_segment (null: first stack)
  uintptr_t limit = 0;              // %fs:0x70
  bool goroutine = false;           // false: g0, which keeps no state (invariant 1)
#endif
};

}  // namespace goruntime::detail

#if defined(GORT_SPLIT_STACK)
// libgcc's thread-locals. They have default visibility by design ("must be
// shared by all split stack code across shared library boundaries") and are
// defined in the program itself (libgcc.a), so initial-exec access is right.
struct GortInitialSp {  // libgcc's struct initial_sp
  void* sp;
  size_t len;
  unsigned long mask[16];  // sigset_t
  uintptr_t dont_block_signals;
  void* extra[4];
};
extern "C" __thread void* __morestack_segments __attribute__((tls_model("initial-exec")));
extern "C" __thread void* __morestack_current_segment __attribute__((tls_model("initial-exec")));
extern "C" __thread GortInitialSp __morestack_initial_sp __attribute__((tls_model("initial-exec")));
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
  if (!ctx->goroutine) return;
  ctx->segments = __morestack_segments;
  ctx->current = __morestack_current_segment;
  ctx->limit = StackLimit();
  SetStackLimit(0);
#else
  (void)ctx;
#endif
}

// First thing after a switch lands in the context that owns ctx.
[[gnu::always_inline]] inline void RestoreStackContext(const StackContext* ctx) {
#if defined(GORT_SPLIT_STACK)
  if (!ctx->goroutine) return;
  __morestack_segments = ctx->segments;
  __morestack_current_segment = ctx->current;
  SetStackLimit(ctx->limit);
#else
  (void)ctx;
#endif
}

// Prepares ctx for a goroutine whose first stack (a guarded stack from the
// pool) starts at lo and has never run: no segments yet, and a limit that
// leaves kStackHeadroom bytes above lo for code built without split stacks.
void InitGoroutineStackContext(StackContext* ctx, char* lo);

// Checks, once, that the thread-locals above are where libgcc's own
// __splitstack_getcontext finds them; a fatal error if not.
void CheckSplitStackAbi();

// Prepares the calling thread (an M) for goroutines: g0's limit is 0, and
// libgcc never blocks signals around a stack switch (the runtime's signal
// handlers never grow a stack; blocking costs two system calls per switch).
void InitThreadStackState();

// Returns the calling goroutine's grown segments (all but its first stack) to
// the pool. Called by a goroutine that is about to exit, on its first stack.
void ReleaseGrownStack();

// The bytes of stack the calling goroutine holds: its first stack plus every
// segment up to the current one.
size_t StackInUse();

// For the preemption signal handler: whether sp lies on the calling thread's
// current segment (the split stack the running goroutine grew onto, never
// its first stack); if so, sets [*lo, *hi) to that segment's usable stack,
// above libgcc's header at its base. `limit` is the split-stack limit the
// interrupted code ran with: 0 means the thread-locals may belong to another
// context (halfway through a switch, between SaveStackContext and
// RestoreStackContext, which may be a direct G->G switch where m->curg is
// already the next G; or inside __morestack), so the answer is false.
// Async-signal-safe. Always false with fixed stacks.
bool CurrentSegmentBoundsForSignal(uintptr_t sp, uintptr_t limit, uintptr_t* lo, uintptr_t* hi);

}  // namespace goruntime::detail
