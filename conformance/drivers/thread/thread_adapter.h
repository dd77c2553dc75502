// The thread baseline: one OS thread per goroutine, with every behaviour
// family borrowed from the project's shared engine (conformance/engine/).
// It is a baseline, not a runtime: OS threads give it goroutines, Gosched
// (sched_yield), LockOSThread (trivially) and blocking system calls, and the
// engine gives it everything Go adds (frames and unwinding, channels, select,
// deadlock detection, NumGoroutine, timers), so each of those families is
// declared `engine` and its passes are the engine's. It shows the suite on a
// scheduler unlike the reference one (preemptive, one thread per goroutine)
// and checks the engine's parts. Slow and simple on purpose.
#pragma once

#include <pthread.h>

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>

#include "conformance/adapter/runtime_adapter.h"
#include "conformance/engine/channels.h"
#include "conformance/engine/deadlock.h"
#include "conformance/engine/frames.h"
#include "conformance/engine/numgoroutine.h"
#include "conformance/engine/select.h"
#include "conformance/engine/timers.h"

namespace conform {

// The substrate the engine's parts run on: OS threads and std
// synchronisation (conformance/engine/substrate.h).
struct OsThreads {
  using Mutex = std::mutex;
  using CondVar = std::condition_variable;
  template <class T>
  static T& Local() {
    thread_local T value{};
    return value;
  }
  static void SleepFor(std::chrono::milliseconds d) { std::this_thread::sleep_for(d); }
};

class ThreadAdapter : public RuntimeAdapter {
 public:
  ThreadAdapter();

  std::string name() const override { return "threads"; }
  Capabilities capabilities() const override;
  Families families() const override;  // everything but goroutines: engine
  std::vector<std::string> identity() const override;

  void RegisterInit(std::function<void()> fn) override;
  [[noreturn]] void RunProgram(std::function<void()> main) override;
  [[noreturn]] void Exit(int code) override;

  void Spawn(std::function<void()> body) override;
  void Gosched() override { std::this_thread::yield(); }
  [[noreturn]] void Goexit() override { Frames::Goexit(); }
  int NumGoroutine() override { return count_.Get(); }
  void LockOSThread() override {}  // each goroutine has a thread of its own
  void UnlockOSThread() override {}
  int64_t ThreadId() override;
  int Gomaxprocs(int n) override;
  int64_t SetMaxStack(int64_t bytes) override;  // recorded, not enforced

  void Call(const std::function<void()>& frame) override { Frames::Call(frame); }
  void Defer(std::function<void()> fn) override { Frames::Defer(std::move(fn)); }
  [[noreturn]] void Panic(PanicValue v) override { Frames::Panic(std::move(v)); }
  PanicValue Recover() override { return Frames::Recover(); }

  std::shared_ptr<Chan> MakeChan(size_t capacity) override { return chans_.Make(capacity); }
  void Send(Chan* c, int64_t v) override { chans_.Send(c, v); }
  int64_t Recv(Chan* c, bool* ok) override { return chans_.Recv(c, ok); }
  void Close(Chan* c) override { chans_.Close(c); }
  int Select(std::vector<SelectCase>& cases, bool has_default) override { return select_.Run(cases, has_default); }

  void Sleep(std::chrono::milliseconds d) override { timers_.Sleep(d); }
  void Syscall(const std::function<void()>& blocking) override;

 private:
  using Frames = engine::Frames<OsThreads>;

  // Runs goroutine id's body to its end on the calling thread.
  void RunGoroutine(int64_t id, const std::function<void()>& body);

  engine::DeadlockDetector<OsThreads> deadlock_{engine::DeadlockDetector<OsThreads>::Trigger::kCounting};
  engine::GoroutineCount count_;
  engine::Channels<OsThreads> chans_{*this, &deadlock_};
  engine::Select<OsThreads> select_{chans_};
  engine::Timers<OsThreads> timers_{&deadlock_};
  std::atomic<int64_t> next_id_{1};
  std::atomic<int> gomaxprocs_{1};
  std::atomic<int64_t> max_stack_{1000000000};
  std::vector<std::function<void()>> inits_;
};

}  // namespace conform
