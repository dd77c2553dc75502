// A goroutine's defer/panic state, as in Go's _defer and _panic chains.
//
// Frames: Go attaches defers to function frames. Here a frame is a call to
// goruntime::Call (and each goroutine body and each deferred call is one).
// Defers form one LIFO stack per goroutine; each record names its frame.
//
// Panics and Goexit run the defer stack from the top *on the panicking
// stack*, as Go's gopanic does; only when a deferred call recovers is the
// stack unwound (a C++ exception, RecoverUnwind, caught by the Call of the
// frame that deferred the recovering call, which then returns normally).
// Goexit ends with GoexitUnwind, caught at the goroutine's entry. Neither
// derives from std::exception; user code must not swallow them with
// catch (...) without rethrowing.
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include "runtime/value.h"

namespace goruntime::detail {

struct PanicRecord {
  Value arg;
  PanicRecord* link = nullptr;  // the panic (or Goexit) this one interrupted
  bool goexit = false;     // a Goexit, not a panic: recover returns nil
  bool recovered = false;  // a deferred call recovered it
  bool aborted = false;    // a later panic ran past the defer this one was running
  bool running = false;    // it is running a deferred call now
  size_t mark = 0;         // defer-stack height below the call it is running
};

struct DeferRecord {
  std::function<void()> fn;
  uint64_t frame = 0;
};

struct Frames {
  std::vector<DeferRecord> defers;
  PanicRecord* panic = nullptr;
  uint64_t frame = 0;      // id of the innermost frame
  uint64_t depth = 0;      // how many frames deep
  uint64_t next_id = 0;
  // The depth of the deferred call the innermost panic is running; recover
  // works only at exactly this depth ("called directly by a deferred function").
  uint64_t recover_depth = UINT64_MAX;

  void Reset() {
    defers.clear();
    panic = nullptr;
    frame = depth = next_id = 0;
    recover_depth = UINT64_MAX;
  }
};

// Thrown to unwind to the frame that deferred a recovering call, or to resume
// the Goexit that a recovered panic had interrupted.
struct RecoverUnwind {
  uint64_t frame;
  PanicRecord* goexit;  // non-null: resume this Goexit's loop instead
};

// Thrown when Goexit has run every defer; caught at the goroutine entry.
struct GoexitUnwind {};

// Runs g's body as its outermost frame; returns when the goroutine is done
// (normally, by recovery, or by Goexit).
void RunGoroutineBody(const std::function<void()>& body);

// How many goroutines are running deferred calls for a panic (Go's
// runningPanicDefers), and how many are printing a fatal panic.
int RunningPanicDefers();
int Panicking();

}  // namespace goruntime::detail
