// Growable stacks on libgcc's split-stack runtime (see stack.h for the
// design). libgcc (generic-morestack.c) allocates segments with plain mmap,
// knows no limit, and leaves no room below its limit for code built without
// split stacks. The linker's --wrap redirects __morestack's three calls into
// it to the wrappers here, which
//   - hand libgcc a pooled, guarded segment before it would allocate one,
//     sized so that a goroutine's stack doubles at each growth;
//   - check the SetMaxStack limit and print Go's report;
//   - keep kStackHeadroom free below every limit (invariant 1);
//   - fix __generic_findstack, which leaves a stale current segment when an
//     exception unwinds from a segment back to the first stack.
// Everything the wrappers call runs with the thread's limit at 0: they are
// entered below the limit, with at least the headroom under them.
#include <sys/mman.h>
#include <unistd.h>

#include <cstdlib>

#include "runtime/scheduler/current.h"
#include "runtime/stack/split_stack.h"
#include "runtime/stack/stack.h"

namespace goruntime::detail {
namespace {

// libgcc's struct stack_segment (generic-morestack.c), the header at the
// lowest address of every segment; the segment's stack is the `size` bytes
// above it.
struct Segment {
  Segment* prev;
  Segment* next;
  size_t size;
  void* old_stack;
  struct Block* dynamic_allocation;
  struct Block* free_dynamic_allocation;
  void* extra;
};

// libgcc's struct dynamic_allocation_blocks: heap blocks standing in for an
// alloca that did not fit.
struct Block {
  Block* next;
  size_t size;
  void* block;
};

constexpr size_t kPage = 4096;
// The smallest segment, and the granularity of segment sizes (powers of two).
constexpr size_t kMinSegment = 64 << 10;

}  // namespace
}  // namespace goruntime::detail

#if defined(GORT_SPLIT_STACK)

using goruntime::detail::Segment;

extern "C" {
void __splitstack_getcontext(void* context[10]);
void* __real___generic_morestack(size_t* frame_size, void* old_stack, size_t param_size);
void* __real___generic_releasestack(size_t* available);
size_t __real___generic_findstack(void* stack);
[[gnu::no_split_stack]] void* __wrap___generic_morestack(size_t* frame_size, void* old_stack,
                                                         size_t param_size);
[[gnu::no_split_stack]] void* __wrap___generic_releasestack(size_t* available);
[[gnu::no_split_stack]] size_t __wrap___generic_findstack(void* stack);
}

namespace goruntime::detail {
namespace {

Segment*& FirstSegment() { return reinterpret_cast<Segment*&>(__morestack_segments); }
Segment*& CurrentSegment() { return reinterpret_cast<Segment*&>(__morestack_current_segment); }

Stack SegmentStack(Segment* s) {
  Stack st;
  st.lo = reinterpret_cast<char*>(s);
  st.guard_lo = st.lo - kPage;
  st.hi = st.lo + sizeof(Segment) + s->size;
  return st;
}

size_t SegmentBytes(const Segment* s) { return sizeof(Segment) + s->size; }

size_t RoundUpPow2(size_t n) {
  size_t p = kMinSegment;
  while (p < n) p <<= 1;
  return p;
}

// Bytes held by the running context: its first stack (for a goroutine) and
// every segment from the first to the current one.
size_t HeldBytes(const Stack* first) {
  size_t held = first != nullptr ? first->size() : 0;
  for (Segment* s = CurrentSegment(); s != nullptr; s = s->prev) held += SegmentBytes(s);
  return held;
}

// Frees the heap blocks that stood in for allocas on segment s.
void FreeBlocks(Block* b) {
  while (b != nullptr) {
    Block* next = b->next;
    free(b->block);
    free(b);
    b = next;
  }
}

// Returns segment s and every segment after it to the pool.
void ReleaseSegments(Segment* s) {
  while (s != nullptr) {
    Segment* next = s->next;
    FreeBlocks(s->dynamic_allocation);
    FreeBlocks(s->free_dynamic_allocation);
    FreeStack(SegmentStack(s), /*release_pages=*/true);
    s = next;
  }
}

// Makes sure *slot (the segment libgcc will switch to) holds at least `need`
// bytes, taking one from the pool if not, and dies with Go's report if the
// goroutine would then hold more than the limit.
void PrepareNextSegment(size_t need, void* old_stack) {
  Segment* cur = CurrentSegment();
  Segment** slot = cur != nullptr ? &cur->next : &FirstSegment();
  const Stack* first = CurrentStackForSignal();
  const size_t held = HeldBytes(first);
  const bool reuse = *slot != nullptr && (*slot)->size >= need;
  size_t bytes;
  if (reuse) {
    bytes = SegmentBytes(*slot);
  } else {
    // A new segment at least doubles what the goroutine holds, as Go's
    // copying growth does, and holds the frame that asked for it.
    bytes = need + sizeof(Segment);
    if (bytes < held) bytes = held;
    bytes = RoundUpPow2(bytes);
  }
  if (first != nullptr) {
    const uint64_t limit = static_cast<uint64_t>(MaxStack());
    if (held + bytes > limit) {
      const void* lo = cur != nullptr ? static_cast<const void*>(cur) : first->lo;
      const void* hi = cur != nullptr ? static_cast<const void*>(SegmentStack(cur).hi) : first->hi;
      StackOverflowFatal(CurrentGoIDForSignal(), old_stack, lo, hi, limit);
    }
  }
  if (reuse) return;
  // Too small (a frame larger than every segment so far) or none yet: the
  // rest of the chain goes back, a new segment takes its place.
  if (*slot != nullptr) ReleaseSegments(*slot);
  Stack st = AllocStack(bytes);
  Segment* s = reinterpret_cast<Segment*>(st.lo);
  s->prev = cur;
  s->next = nullptr;
  s->size = st.size() - sizeof(Segment);
  s->old_stack = nullptr;
  s->dynamic_allocation = nullptr;
  s->free_dynamic_allocation = nullptr;
  s->extra = nullptr;
  *slot = s;
}

bool OnSegment(const Segment* s, const void* sp) {
  const char* p = static_cast<const char*>(sp);
  const char* base = reinterpret_cast<const char*>(s + 1);
  return p > base && p <= base + s->size;
}

}  // namespace

void InitGoroutineStackContext(StackContext* ctx, char* lo) {
  // No segments yet, and the limit where libgcc would put it for a first
  // stack of (size - headroom) split-usable bytes (FirstStackIntoLibgcc).
  ctx->segments = nullptr;
  ctx->current = nullptr;
  ctx->limit = reinterpret_cast<uintptr_t>(lo + kStackHeadroom + kMorestackBackoff);
  ctx->goroutine = true;
}

void InitThreadStackState() {
  SetStackLimit(0);
  __morestack_initial_sp.dont_block_signals = 1;
}

// libgcc computes the limit of a stack it did not allocate from
// __morestack_initial_sp: a goroutine's first stack, described as libgcc
// describes a thread's own stack. Called before libgcc reads it.
void FirstStackIntoLibgcc() {
  const Stack* first = CurrentStackForSignal();
  if (first == nullptr) return;  // not a goroutine: the thread's own record
  __morestack_initial_sp.sp = first->hi;
  __morestack_initial_sp.len = first->size() - kStackHeadroom;
}

void CheckSplitStackAbi() {
  // libgcc's context layout (generic-morestack.c): segments, current
  // segment, current stack, limit, initial sp, initial length, and the
  // dont-block-signals flag.
  void* words[10];
  __splitstack_getcontext(words);
  const bool same = words[0] == __morestack_segments && words[1] == __morestack_current_segment &&
                    reinterpret_cast<uintptr_t>(words[3]) == StackLimit() &&
                    words[4] == __morestack_initial_sp.sp &&
                    reinterpret_cast<uintptr_t>(words[5]) == __morestack_initial_sp.len &&
                    reinterpret_cast<uintptr_t>(words[6]) == __morestack_initial_sp.dont_block_signals;
  if (!same) {
    static const char msg[] = "fatal error: libgcc's split-stack thread-locals are not where the runtime expects them\n";
    (void)!write(2, msg, sizeof msg - 1);
    _exit(2);
  }
}

void ReleaseGrownStack() {
  if (CurrentSegment() != nullptr) return;  // not on the first stack
  Segment* first = FirstSegment();
  if (first == nullptr) return;
  FirstSegment() = nullptr;
  ReleaseSegments(first);
}

size_t StackInUse() { return HeldBytes(CurrentStackForSignal()); }

// For the SIGSEGV handler: whether addr is the guard page below the current
// segment; if so, the segment's bounds.
const void* CurrentSegmentGuardForSignal(const void* addr, const void** lo, const void** hi) {
  Segment* cur = CurrentSegment();
  if (cur == nullptr) return nullptr;
  const char* p = static_cast<const char*>(addr);
  const char* base = reinterpret_cast<const char*>(cur);
  if (p < base - kPage || p >= base) return nullptr;
  *lo = base;
  *hi = base + SegmentBytes(cur);
  return base;
}

bool CurrentSegmentBoundsForSignal(uintptr_t sp, uintptr_t limit, uintptr_t* lo, uintptr_t* hi) {
  if (limit == 0) return false;  // mid-switch: the segment may be the leaving context's
  const Segment* cur = CurrentSegment();
  if (cur == nullptr) return false;
  const auto base = reinterpret_cast<uintptr_t>(cur + 1);  // the stack starts above the header
  if (sp < base || sp > base + cur->size) return false;
  *lo = base;
  *hi = base + cur->size;
  return true;
}

}  // namespace goruntime::detail

using goruntime::detail::CurrentSegment;
using goruntime::detail::kStackHeadroom;
using goruntime::detail::SetStackLimit;

// __morestack calls this below the limit with *frame_size = the frame plus
// libgcc's backoff. The new limit it then sets is the returned stack minus
// the returned *frame_size plus the backoff: shrinking *frame_size by the
// headroom raises the limit by as much.
void* __wrap___generic_morestack(size_t* frame_size, void* old_stack, size_t param_size) {
  SetStackLimit(0);  // __morestack sets the new segment's limit when we return
  const size_t need = *frame_size + param_size + kStackHeadroom + 32;  // 32: libgcc's alignment
  goruntime::detail::PrepareNextSegment(need, old_stack);
  void* stack = __real___generic_morestack(frame_size, old_stack, param_size);
  *frame_size -= kStackHeadroom;
  return stack;
}

// Called when a function that grew the stack returns: back on the previous
// segment, whose limit again leaves the headroom. (On the first stack,
// INITIAL_SP_LEN already leaves it.)
void* __wrap___generic_releasestack(size_t* available) {
  goruntime::detail::FirstStackIntoLibgcc();
  void* old_stack = __real___generic_releasestack(available);
  if (CurrentSegment() != nullptr) {
    *available = *available > kStackHeadroom ? *available - kStackHeadroom : 0;
  }
  return old_stack;
}

// Called from __morestack's cleanup when an exception unwinds through it.
// libgcc's version, when `stack` is on no segment (the unwinding reached the
// first stack), leaves __morestack_current_segment at the last segment it
// looked at, so the next growth would skip a segment and the next release
// would compute the limit from the wrong segment. Here it is reset.
size_t __wrap___generic_findstack(void* stack) {
  goruntime::detail::FirstStackIntoLibgcc();
  size_t available = __real___generic_findstack(stack);
  Segment* cur = CurrentSegment();
  if (cur == nullptr) return available;
  if (!goruntime::detail::OnSegment(cur, stack)) {
    CurrentSegment() = nullptr;
    return available;
  }
  return available > kStackHeadroom ? available - kStackHeadroom : 0;
}

#else  // fixed stacks

namespace goruntime::detail {
void InitGoroutineStackContext(StackContext*, char*) {}
void CheckSplitStackAbi() {}
void InitThreadStackState() {}
void ReleaseGrownStack() {}
size_t StackInUse() {
  const Stack* s = CurrentStackForSignal();
  return s != nullptr ? s->size() : 0;
}
const void* CurrentSegmentGuardForSignal(const void*, const void**, const void**) { return nullptr; }
bool CurrentSegmentBoundsForSignal(uintptr_t, uintptr_t, uintptr_t*, uintptr_t*) { return false; }
}  // namespace goruntime::detail

#endif
