// A runtime built on Boost.Fiber (Debian's libboost-fiber-dev): every
// goroutine is a boost::fibers::fiber, scheduled round-robin on the main
// thread, on the shared baseline engine (baseline/baseline_runtime.h), which
// adds what Boost.Fiber lacks (defer/panic/recover, Goexit, select,
// NumGoroutine, deadlock detection) from fiber-aware mutexes and condition
// variables.
//
// What Boost.Fiber cannot express is declared missing, not faked:
//  - os-threads: all fibers share one OS thread, so a locked goroutine is not
//    alone on its thread;
//  - syscalls: a blocking call blocks the thread, hence every fiber;
//  - preemptive: fibers switch only when they yield or block;
//  - stack-limit: fixed-size fiber stacks, SetMaxStack only recorded.
// Gosched is this_fiber::yield, which requeues at the tail of round_robin's
// FIFO ready queue: fairness is declared.
#pragma once

#include <boost/fiber/all.hpp>
#include <chrono>
#include <functional>

#include "conformance/engine/baseline_runtime.h"

namespace conform {

// The substrate: Boost.Fiber fibers and their synchronisation.
struct BoostFibers {
  using Mutex = boost::fibers::mutex;
  using CondVar = boost::fibers::condition_variable;
  static void*& CurrentSlot();
  static void Start(std::function<void()> fn) { boost::fibers::fiber(std::move(fn)).detach(); }
  static void Yield() { boost::this_fiber::yield(); }
  static void SleepFor(std::chrono::milliseconds d) { boost::this_fiber::sleep_for(d); }
  // Blocks the calling fiber for good; the other fibers keep running.
  [[noreturn]] static void ParkForever();
};

class FiberAdapter : public BaselineRuntime<BoostFibers> {
 public:
  std::string name() const override { return "boost-fiber"; }
  Capabilities capabilities() const override;
};

}  // namespace conform
