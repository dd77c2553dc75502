// Sleep and timers.
//
// One timer thread, started by the first sleep, keeps a min-heap of sleeping goroutines and readies each
// when its deadline passes (through the global run queue, as any wakeup from
// outside a P). Go keeps timers per P and runs them from the scheduler; the
// observable behaviour (a sleeper is parked, not spinning, and wakes no
// earlier than its deadline) is the same. A pending timer counts for
// deadlock detection: PendingTimers() > 0 means "not dead yet". The count is
// decremented only after the G is on the run queue, so CheckDead never sees
// neither; and it is decremented under sched.lock together with a CheckDead
// of its own, so a check that saw the timer still pending is never the last.
#include <time.h>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <queue>
#include <thread>
#include <vector>

#include "runtime/runtime.h"
#include "runtime/scheduler/current.h"
#include "runtime/scheduler/scheduler.h"

namespace goruntime {
namespace detail {
namespace {

struct Timer {
  int64_t when;
  uint64_t seq;  // FIFO among equal deadlines
  G* g;
  bool operator>(const Timer& o) const { return when != o.when ? when > o.when : seq > o.seq; }
};

class TimerQueue {
 public:
  // Publishes g as sleeping until `when`, then parks it.
  void SleepUntil(int64_t when) EXCLUDES(mu_) {
    G* g = CurrentG();
    std::call_once(started_, [this] { std::thread([this] { Loop(); }).detach(); });
    mu_.lock();
    const bool earliest = heap_.empty() || when < heap_.top().when;
    heap_.push(Timer{when, seq_++, g});
    pending_.fetch_add(1);
    if (earliest) cv_.notify_one();
    Park(mu_, WaitReason::kSleep);
  }

  int64_t pending() const { return pending_.load(); }

 private:
  // The analysis cannot follow a lock held through std::unique_lock.
  [[noreturn]] void Loop() NO_THREAD_SAFETY_ANALYSIS {
    std::unique_lock<Mutex> l(mu_);
    for (;;) {
      if (heap_.empty()) {
        cv_.wait(l);
        continue;
      }
      const int64_t now = Nanotime();
      const Timer t = heap_.top();
      if (t.when > now) {
        cv_.wait_for(l, std::chrono::nanoseconds(t.when - now));
        continue;
      }
      heap_.pop();
      l.unlock();
      Ready(t.g);
      {
        // Uncount the timer and re-check for deadlock in one step: had the
        // woken G already run to a final park, its M's CheckDead saw this
        // timer still pending, and nobody else would check again.
        MutexLock dead(sched.lock);
        pending_.fetch_sub(1);
        CheckDead();
      }
      l.lock();
    }
  }

  Mutex mu_;
  std::condition_variable_any cv_;
  std::priority_queue<Timer, std::vector<Timer>, std::greater<Timer>> heap_ GUARDED_BY(mu_);
  uint64_t seq_ GUARDED_BY(mu_) = 0;
  std::atomic<int64_t> pending_{0};
  // The thread starts with the first sleep: a program that never sleeps
  // never pays for it (the differential fuzzer starts a program per input).
  std::once_flag started_;
};

TimerQueue& Timers() {
  static TimerQueue* q = new TimerQueue;
  return *q;
}

}  // namespace

int64_t PendingTimers() { return Timers().pending(); }

}  // namespace detail

int64_t Nanotime() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

void Sleep(std::chrono::nanoseconds d) {
  if (d.count() <= 0) return;
  detail::Timers().SleepUntil(Nanotime() + d.count());
}

}  // namespace goruntime
