// Goroutine stacks: fixed-size, mmap'd, each with a guard page below it, and
// pooled. Go grows stacks by copying; C++ frames cannot move, so a goroutine
// here gets a fixed reservation, and only the pages it touches cost memory.
//
// Guard pages use madvise(MADV_GUARD_INSTALL) (Linux 6.13+), which does not
// split the mapping, so a million stacks carved from large slabs stay within
// vm.max_map_count. Older kernels fall back to mprotect (two mappings per
// stack, so at most about 32k live goroutines under the default map count).
#pragma once

#include <cstddef>
#include <cstdint>

namespace goruntime::detail {

struct Stack {
  char* guard_lo = nullptr;  // lowest address of the guard page
  char* lo = nullptr;        // lowest usable address (just above the guard)
  char* hi = nullptr;        // one past the highest usable address
  size_t size() const { return static_cast<size_t>(hi - lo); }
  bool contains_guard(const void* p) const {
    return p >= guard_lo && p < lo;
  }
};

// Returns a guarded stack with `size` usable bytes (a multiple of the page
// size), from the pool if one is free.
Stack AllocStack(size_t size);

// Returns a stack to the pool. Its pages are kept (a reused goroutine usually
// needs them again).
void FreeStack(const Stack& s);

// Whether guards use MADV_GUARD_INSTALL (true) or mprotect (false).
bool StackGuardsUseMadvise();

// The usable size new goroutine stacks get. Default 256 KiB; the environment
// variable GORUNTIME_STACK_KB overrides it. SetMaxStack below the reservation
// is enforced exactly by the frame check; above it, the guard page is the
// effective limit (spec clause stack.default-limit-in-report is IMPL).
size_t StackReservation();

// The usable size for a new goroutine's stack: the reservation, or, when
// SetMaxStack has set a limit of at most 64 MiB above it, that limit plus
// 64 KiB of headroom, so the frame check (not the guard page) fires exactly
// at the configured limit.
size_t StackSizeForNewG();

// The main goroutine's reservation: 64 MiB plus the headroom, so that a
// SetMaxStack of up to 64 MiB made by main itself (before it recurses) is
// enforced exactly there too. Untouched pages cost nothing.
size_t StackSizeForMain();

// The max stack size (debug.SetMaxStack) and its setter.
int64_t MaxStack();
int64_t SetMaxStackValue(int64_t bytes);

// Installs the SIGSEGV handler that turns a guard-page hit into Go's
// stack-overflow report. Idempotent; process-wide.
void InstallOverflowHandler();

// Gives the calling thread an alternate signal stack, so the SIGSEGV handler
// can run when the goroutine stack is exhausted. Each M calls it once.
void InstallSignalStack();

// Prints Go's stack-overflow report for a goroutine whose stack is [lo, hi)
// and whose sp is `sp`, with `limit` in the message, then exits 2.
// Async-signal-safe.
[[noreturn]] void StackOverflowFatal(int64_t goid, const void* sp, const void* lo,
                                     const void* hi, uint64_t limit);

// Called at every frame entry (Call): dies with the overflow report if the
// goroutine's used stack exceeds the max stack size.
void CheckStackLimit(const void* sp);

}  // namespace goruntime::detail
