// Goroutine headers, as Go's tracebacks print them after a fatal error:
//
//   fatal error: all goroutines are asleep - deadlock!
//
//   goroutine 1 [chan receive]:
//
//   goroutine 6 [chan send, locked to thread]:
//
// Go prints each goroutine's stack frames under its header; this runtime
// cannot symbolise C++ frames, so it prints the headers only (the frames are
// IMPL in the spec).
#pragma once

#include <string>

namespace goruntime::detail {

struct G;

// Allocates a new G in allgs (Go's allgs: never shrinks; a dead G that is
// reused keeps its place). Gs live in chunks, with no per-G allocation
// header and no link field.
G* AllocG();

// The headers of every goroutine that exists (not dead), in allgs order,
// each preceded by a blank line: "\ngoroutine N [state]:\n"...
std::string GoroutineHeaders();

// Go's fatal() with its traceback: "fatal error: <msg>", the goroutine
// headers, exit 2.
[[noreturn]] void FatalWithGoroutines(const std::string& msg);

}  // namespace goruntime::detail
