// Engine part: runtime.NumGoroutine (the family `numgoroutine`) for a
// runtime that cannot count its goroutines: a count of the goroutines
// started and not yet ended, as Go counts them (from the go statement until
// the body and its defers are done, whatever the goroutine is doing).
#pragma once

#include <atomic>

namespace conform::engine {

class GoroutineCount {
 public:
  // A goroutine exists from now on. Called by the go statement before the
  // goroutine can run, and once for main before it runs.
  void Started() { live_.fetch_add(1); }
  // The calling goroutine has ended.
  void Exited() { live_.fetch_sub(1); }
  // runtime.NumGoroutine().
  int Get() const { return live_.load(); }

 private:
  std::atomic<int> live_{0};
};

}  // namespace conform::engine
