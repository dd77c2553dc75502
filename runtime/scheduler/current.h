// Who is running: the current M (OS thread) and G (goroutine).
//
// A goroutine may resume on another thread after any switch, so the current
// M must be re-read after every switch. CurrentM() is an opaque call for that
// reason: the compiler may not keep a thread-local address from before a
// switch (llvm-project #98479).
#pragma once

#include <cstdint>

namespace goruntime::detail {

struct M;
struct G;
struct Stack;

// The M of the calling thread, or null on a thread the runtime did not start.
M* CurrentM();

// The G running on the calling thread, or null on g0 / foreign threads.
G* CurrentG();

// For the SIGSEGV handler and the stack check: the running G's stack, or null.
const Stack* CurrentStackForSignal();
int64_t CurrentGoIDForSignal();

}  // namespace goruntime::detail
