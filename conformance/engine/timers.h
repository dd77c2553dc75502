// Engine part: Sleep (the family `timers`) for a runtime whose goroutines
// can sleep but whose deadlock detection is the engine's: a sleeping
// goroutine will wake by itself, so while it sleeps nobody is deadlocked
// (Go's checkdead defers to pending timers). The sleep itself is the
// substrate's, blocking the caller only.
#pragma once

#include <chrono>

#include "conformance/engine/liveness.h"
#include "conformance/engine/substrate.h"

namespace conform::engine {

template <Sleeping Sys>
class Timers {
 public:
  // liveness (may be null) hears of each sleep.
  explicit Timers(Liveness* liveness) : liveness_(liveness) {}

  // time.Sleep(d): blocks the caller for at least d.
  void Sleep(std::chrono::milliseconds d) {
    if (liveness_) liveness_->SelfWaking(+1);
    Sys::SleepFor(d);
    if (liveness_) liveness_->SelfWaking(-1);
  }

 private:
  Liveness* const liveness_;
};

}  // namespace conform::engine
