// Goroutine stacks: growable up to the SetMaxStack limit, never silently
// overrun.
//
// Design
// ======
// Go grows a stack by copying it to one twice the size and fixing every
// pointer into it. C++ frames cannot be moved, so the runtime grows stacks
// the way gccgo does: split (segmented) stacks. Code compiled with
// -fsplit-stack checks, in each prologue, that its frame fits above a
// per-thread limit (%fs:0x70); if not, libgcc's __morestack continues the
// function on a new segment and returns to the old stack when it returns.
// libgcc keeps the segment list in thread-locals, so every switch saves one
// context's list and restores the next (split_stack.h).
//
// Where the memory comes from. A goroutine starts on a 32 KiB "first stack"
// from a pool of guarded stacks carved out of large slabs (one mapping per
// slab, guard pages by MADV_GUARD_INSTALL). Growing takes a segment from the
// same pool: libgcc's allocation is wrapped (the linker's
// --wrap=__generic_morestack) and the wrapper hands libgcc a guarded, pooled
// segment at least as large as everything the goroutine already holds. So
// the total doubles at each growth, as in Go, and a goroutine that recursed
// through 40 MiB holds about a dozen segments. A goroutine's grown segments
// go back to the pool (their pages released) when it exits.
//
// The limit (debug.SetMaxStack) is checked where a segment is taken: if the
// goroutine's first stack plus its segments plus the new one would exceed
// it, the wrapper prints Go's report ("runtime: goroutine stack exceeds
// <limit>-byte limit", "runtime: sp=... stack=[..., ...]" for the segment it
// is on, "fatal error: stack overflow") and exits 2; no deferred call runs.
// Like Go's newstack, which doubles and compares, the goroutine dies once
// it uses more than half the limit and needs more.
//
// Invariants
//  1. Headroom. The limit on every stack and segment sits kStackHeadroom
//     (16 KiB) plus libgcc's 1536-byte backoff above its lowest byte. Code
//     compiled without -fsplit-stack (libc, libstdc++, Boost, a user's
//     non-split code) never checks; it runs on whatever split code left
//     below it, which is always at least the headroom. This is what the gold
//     and lld linkers buy with their 16 KiB --split-stack-adjust-size, but
//     without their rewrite of every small function that calls a shared
//     library into one that switches stacks unless 1 MiB is free (libgcc 12's
//     __morestack_non_split; measured: 43-54 ns per call instead of 1, and a
//     2 MiB segment for every goroutine). Programs link with bfd. The
//     runtime itself is built without split stacks too: it never recurses,
//     and its hot paths skip the prologue check; goroutine code, built with
//     -fsplit-stack (runtime/defs.bzl), is what grows the stack.
//  2. No frame skips a guard. A split-stack frame, however large, is checked
//     before it is touched (its segment is sized for it). Below every first
//     stack and segment there is a guard page, so non-split code that
//     outgrows the headroom faults there: the SIGSEGV handler turns that into
//     the same report. With fixed stacks (below), goroutine code is built
//     with -fstack-clash-protection, which touches each page of a large
//     frame in order.
//  3. Between a switch's save and restore the thread's limit is 0 (no
//     check), so no prologue compares against another context's segments.
//  4. Signal handlers are no_split_stack and zero the limit while they run
//     on the alternate stack, so they never call __morestack.
//
// Why not large lazily committed reservations (measured 2026-11-29 on this
// kind of machine, 100,000 stacks from slabs with MADV_GUARD_INSTALL guards,
// the top page of each touched, resident memory plus page tables): a
// reservation of 32 KiB costs 4,169 B per stack (72 B of page tables),
// 256 KiB 4,618 B (521), 2 MiB 8,209 B (4,112), 64 MiB 8,457 B (4,361),
// 1 GiB 12,305 B (8,208): once stacks lie 2 MiB or more apart, each needs a
// page-table page of its own, for its top page and for its guard's marker.
// Address space runs out too: 1 GiB reservations stop at 131,008 goroutines
// (128 TiB). So a reservation that reaches Go's default limit cannot give a
// million goroutines, and one that fits a million (64 MiB) costs over 8 KB
// each and still stops short of the limit. VMAs are not the problem (a slab
// is one). Split stacks: 1M parked goroutines cost 4,521 B each (fixed
// 256 KiB stacks: 4,890 B; Go gc: 2,723 B; gccgo: 3,015 B, in one job).
//
// Known limits. clang cannot compile a C variadic function with
// -fsplit-stack (runtime/defs.bzl). An alloca that does not fit on the first
// stack is served from the heap by libgcc and, as libgcc documents for a
// thread's own stack, never freed. A goroutine that keeps calling, in a loop,
// a function whose frame does not fit where the loop runs switches segments
// on every call (a "hot split": about 110 ns a call, measured under load,
// against 3-17 ns for a frame that fits); Go's copying avoids this. Code
// built with neither GOROUTINE_COPTS nor GOROUTINE_NOSPLIT_COPTS (system
// libraries) does not probe its frames: one larger than the headroom plus
// the guard page that writes its lowest bytes first could skip the guard
// (invariant 2 covers only code built with those options).
//
// Fixed stacks. Sanitizers and libFuzzer do not support split stacks; those
// builds (--define=gort_stacks=fixed, set by --config=tsan/asan/fuzz) keep
// the previous design: each goroutine gets a fixed reservation (256 KiB, or
// the limit plus 64 KiB when SetMaxStack set one of at most 64 MiB), main
// gets 64 MiB, and the limit is enforced exactly by a check in Call and by a
// guard page that SetMaxStack places at the limit on its caller's stack.
// Plain recursion past the reservation of another goroutine ends at its
// guard page, with the same report. Under ThreadSanitizer both 64 MiB
// figures are 8 MiB: TSan's shadow call stack (65,536 calls, unchecked in
// its release builds) holds no deeper recursion (overflow.cc).
#pragma once

#include <cstddef>
#include <cstdint>

#include "runtime/stack/split_stack.h"

namespace goruntime::detail {

// Room left below every split-stack limit for code built without split stacks.
inline constexpr size_t kStackHeadroom = 16 << 10;
// libgcc's BACKOFF (config/i386/morestack.S): __morestack runs below the limit.
inline constexpr size_t kMorestackBackoff = 1536;

struct Stack {
  char* guard_lo = nullptr;     // lowest address of the guard page
  char* lo = nullptr;           // lowest usable address (just above the guard)
  char* hi = nullptr;           // one past the highest usable address
  char* limit_guard = nullptr;  // fixed stacks: SetMaxStack's guard page, or null
  size_t size() const { return static_cast<size_t>(hi - lo); }
  bool contains_guard(const void* p) const {
    if (p >= guard_lo && p < lo) return true;
    return limit_guard != nullptr && p >= limit_guard && p < limit_guard + 4096;
  }
};

// Whether goroutine stacks grow (split stacks) or are fixed reservations.
constexpr bool StacksGrow() { return kSplitStacks; }

// Returns a guarded stack with `size` usable bytes (a multiple of the page
// size), from the pool if one is free.
Stack AllocStack(size_t size);

// Returns a stack to the pool. Its pages are kept (a reused goroutine usually
// needs them again) unless release_pages, which hands them back to the kernel.
void FreeStack(const Stack& s, bool release_pages = false);

// Whether guards use MADV_GUARD_INSTALL (true) or mprotect (false).
bool StackGuardsUseMadvise();

// The usable size of a goroutine's first stack: 32 KiB with split stacks,
// 256 KiB with fixed ones; GORUNTIME_STACK_KB overrides it.
size_t StackReservation();

// The usable size for a new goroutine's stack. Split stacks: the first
// stack. Fixed stacks: the reservation, or, when SetMaxStack has set a limit
// of at most 64 MiB (8 MiB under TSan) above it, that limit plus 64 KiB of headroom, so the
// frame check (not the guard page) fires exactly at the configured limit.
size_t StackSizeForNewG();

// The main goroutine's stack: the first stack with split stacks; 64 MiB
// (8 MiB under TSan) plus the headroom with fixed ones.
size_t StackSizeForMain();

// The max stack size (debug.SetMaxStack) and its setter. With fixed stacks
// the setter also moves the calling goroutine's limit guard page.
int64_t MaxStack();
int64_t SetMaxStackValue(int64_t bytes);

// Installs the SIGSEGV handler that turns a guard-page hit into Go's
// stack-overflow report. Idempotent; process-wide.
void InstallOverflowHandler();

// Gives the calling thread an alternate signal stack, so the SIGSEGV handler
// can run when the goroutine stack is exhausted. Each M calls it once.
void InstallSignalStack();

// Prints Go's stack-overflow report for a goroutine whose current stack is
// [lo, hi) and whose sp is `sp`, with `limit` in the message, then exits 2.
// Async-signal-safe; needs no split-stack growth.
[[noreturn]] void StackOverflowFatal(int64_t goid, const void* sp, const void* lo,
                                     const void* hi, uint64_t limit);

// Called at every frame entry (Call): dies with the overflow report if the
// goroutine's used stack exceeds the max stack size. Fixed stacks only; with
// split stacks the limit is checked where a segment is taken.
void CheckStackLimit(const void* sp);

// Called by a goroutine about to exit: gives back what its stack grew
// (segments; with fixed stacks, the limit guard page).
void TrimStackAtExit();

}  // namespace goruntime::detail
