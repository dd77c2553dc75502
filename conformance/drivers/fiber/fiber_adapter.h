// A runtime built on Boost.Fiber (Debian's libboost-fiber-dev): every
// goroutine is a boost::fibers::fiber, scheduled round-robin on the main
// thread. Its channels are Boost.Fiber's own unbuffered_channel and
// buffered_channel, with their close and Boost.Fiber's own waiting, so the
// suite judges Boost.Fiber's code, not ours.
//
// Families (driver protocol 2; see families() for the one-line reasons):
//  - channels native: make, send, receive and close call Boost.Fiber's
//    channels directly. Where they are not Go's, the adapter does not patch
//    them; the suite finds the difference (conformance/expectations/fiber.txt):
//     - buffered_channel's capacity must be a power of two >= 2, and its ring
//       holds one element less. make(chan, n) asks for the smallest legal
//       capacity that holds n (std::bit_ceil(n + 1)): exactly n when n + 1
//       is a power of two, more otherwise (make(chan, 2) holds 3).
//     - close is idempotent (closed_ is tested and set, nothing raised):
//       Go's "close of closed channel" panic never happens.
//     - there is no nil channel: an operation on one aborts the driver with
//       a message (a CRASH in the report), where Go blocks forever or panics.
//     - push on a closed channel returns channel_op_status::closed, Boost's
//       own signal; the adapter raises Go's "send on closed channel" from it.
//  - timers native: this_fiber::sleep_for.
//  - select absent: Boost.Fiber has no select (nor any wait on several
//    channels), so scenarios with one are UNSUPPORTED.
//  - deadlock engine: Boost.Fiber detects no deadlock (with every fiber
//    blocked, round_robin sleeps forever). The engine's detector
//    (conformance/engine/deadlock.h) is told by a round_robin subclass when
//    Boost.Fiber's dispatcher has nothing ready and no sleeper (its
//    suspend_until(time_point::max())), and names each goroutine's wait from
//    the channel call it is in.
//  - defer, panic, goexit engine: Boost.Fiber has no frames or unwinding;
//    the engine's (conformance/engine/frames.h) keep their state in
//    fiber_specific_ptr.
//  - numgoroutine engine: Boost.Fiber does not count its fibers.
//
// Capabilities, as Boost.Fiber really has them:
//  - fairness: this_fiber::yield requeues at the tail of round_robin's FIFO
//    ready queue.
//  - not os-threads: all fibers share one OS thread, so a locked goroutine
//    is not alone on its thread;
//  - not syscalls: a blocking call blocks the thread, hence every fiber;
//  - not preemptive: fibers switch only when they yield or block;
//  - not stack-limit: fixed-size fiber stacks, SetMaxStack only recorded.
#pragma once

#include <boost/fiber/all.hpp>
#include <chrono>
#include <functional>

#include "conformance/adapter/runtime_adapter.h"
#include "conformance/engine/deadlock.h"
#include "conformance/engine/frames.h"
#include "conformance/engine/numgoroutine.h"

namespace conform {

// The substrate the borrowed engine parts run on (conformance/engine/substrate.h).
struct BoostFibers {
  // fiber_specific_ptr owns what it points to: each fiber's T is freed with it.
  template <class T>
  static T& Local() {
    static boost::fibers::fiber_specific_ptr<T> slot;
    if (slot.get() == nullptr) slot.reset(new T{});
    return *slot;
  }
};

class FiberAdapter : public RuntimeAdapter {
 public:
  std::string name() const override { return "boost-fiber"; }
  Capabilities capabilities() const override;
  Families families() const override;
  std::vector<std::string> identity() const override;

  void RegisterInit(std::function<void()> fn) override;
  [[noreturn]] void RunProgram(std::function<void()> main) override;
  [[noreturn]] void Exit(int code) override;

  void Spawn(std::function<void()> body) override;
  void Gosched() override { boost::this_fiber::yield(); }
  [[noreturn]] void Goexit() override { Frames::Goexit(); }
  int NumGoroutine() override { return count_.Get(); }
  void LockOSThread() override {}  // one thread for all: nothing to pin
  void UnlockOSThread() override {}
  int64_t ThreadId() override;
  int Gomaxprocs(int n) override;
  int64_t SetMaxStack(int64_t bytes) override;  // recorded, not enforced

  void Call(const std::function<void()>& frame) override { Frames::Call(frame); }
  void Defer(std::function<void()> fn) override { Frames::Defer(std::move(fn)); }
  [[noreturn]] void Panic(PanicValue v) override { Frames::Panic(std::move(v)); }
  PanicValue Recover() override { return Frames::Recover(); }

  std::shared_ptr<Chan> MakeChan(size_t capacity) override;
  void Send(Chan* c, int64_t v) override;
  int64_t Recv(Chan* c, bool* ok) override;
  void Close(Chan* c) override;
  // Family select is absent: never called by the runner (exits 125 if it is).
  int Select(std::vector<SelectCase>& cases, bool has_default) override;

  void Sleep(std::chrono::milliseconds d) override { boost::this_fiber::sleep_for(d); }
  // Runs the call on the one thread every fiber shares (no syscalls capability).
  void Syscall(const std::function<void()>& blocking) override { blocking(); }

 private:
  using Frames = engine::Frames<BoostFibers>;
  using Deadlock = engine::DeadlockDetector<BoostFibers>;

  // Runs goroutine id's body to its end, in its fiber.
  void RunGoroutine(int64_t id, const std::function<void()>& body);

  Deadlock deadlock_{Deadlock::Trigger::kIdle};
  engine::GoroutineCount count_;
  int64_t next_id_ = 1;  // one thread: no lock needed
  int gomaxprocs_ = 1;
  int64_t max_stack_ = 1000000000;
  std::vector<std::function<void()>> inits_;
};

}  // namespace conform
