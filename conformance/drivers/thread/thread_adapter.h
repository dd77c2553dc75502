// A baseline runtime: one OS thread per goroutine, on the shared baseline
// engine (baseline/baseline_runtime.h). Slow and simple on purpose: it shows
// the suite on a runtime that differs from the reference one.
#pragma once

#include <pthread.h>

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>

#include "conformance/engine/baseline_runtime.h"

namespace conform {

// The substrate: OS threads and std synchronisation.
struct OsThreads {
  using Mutex = std::mutex;
  using CondVar = std::condition_variable;
  static void*& CurrentSlot() {
    thread_local void* current = nullptr;
    return current;
  }
  // Starts fn on a new detached thread with a small stack (so that ten
  // thousand goroutines fit); dies with Go's message if none can be made.
  static void Start(std::function<void()> fn);
  static void Yield() { std::this_thread::yield(); }
  static void SleepFor(std::chrono::milliseconds d) { std::this_thread::sleep_for(d); }
  [[noreturn]] static void ParkForever();
};

class ThreadAdapter : public BaselineRuntime<OsThreads> {
 public:
  std::string name() const override { return "threads"; }
  Capabilities capabilities() const override;
};

}  // namespace conform
