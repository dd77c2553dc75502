// Mutex: a futex lock for the runtime's short critical sections (channels,
// the scheduler), with thread-safety annotations; it is BasicLockable, so
// std::condition_variable_any can wait on it. Note: a one-shot sleep/wakeup, Go's `note`
// (notesleep/notewakeup), used to park Ms.
#pragma once

#include <linux/futex.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>
#include <condition_variable>
#include <mutex>

#include "runtime/base/thread_annotations.h"
#include "runtime/preempt/nopreempt.h"

namespace goruntime::detail {

// Drepper's three-state futex mutex ("Futexes Are Tricky", mutex3), the shape
// of Go's lock_futex.go: 0 unlocked, 1 locked, 2 locked with waiters. The
// uncontended path is one CAS to lock and one exchange to unlock, inlined;
// pthread_mutex_* cost a call and more checks (a quarter of the channel
// ping-pong profile). Spins briefly before sleeping, as critical sections
// here are a few dozen instructions. A thread holding one is never
// asynchronously preempted (it counts in the no-preemption depth).
class CAPABILITY("mutex") Mutex {
 public:
  void lock() ACQUIRE() {
    NoPreemptEnter();
    uint32_t c = 0;
    if (state_.compare_exchange_strong(c, 1, std::memory_order_acquire)) return;
    LockSlow(c);
  }
  void unlock() RELEASE() {
    if (state_.exchange(0, std::memory_order_release) == 2) Wake();
    NoPreemptExit();
  }

 private:
  void LockSlow(uint32_t c) {
    for (int spin = 0; spin < 100 && c != 0; spin++) {
      __builtin_ia32_pause();
      c = state_.load(std::memory_order_relaxed);
      if (c == 0 && state_.compare_exchange_weak(c, 1, std::memory_order_acquire)) return;
    }
    if (c != 2) c = state_.exchange(2, std::memory_order_acquire);
    while (c != 0) {
      syscall(SYS_futex, reinterpret_cast<uint32_t*>(&state_), FUTEX_WAIT_PRIVATE, 2, nullptr, nullptr, 0);
      c = state_.exchange(2, std::memory_order_acquire);
    }
  }
  void Wake() {
    syscall(SYS_futex, reinterpret_cast<uint32_t*>(&state_), FUTEX_WAKE_PRIVATE, 1, nullptr, nullptr, 0);
  }

  std::atomic<uint32_t> state_{0};
};



class SCOPED_CAPABILITY MutexLock {
 public:
  explicit MutexLock(Mutex& m) ACQUIRE(m) : m_(m) { m_.lock(); }
  ~MutexLock() RELEASE() { m_.unlock(); }
  MutexLock(const MutexLock&) = delete;
  MutexLock& operator=(const MutexLock&) = delete;

 private:
  Mutex& m_;
};

// One sleeper, one waker. Wakeup before Sleep is not lost: Sleep then returns
// at once. Clear re-arms it (only when nobody sleeps on it).
class Note {
 public:
  // Blocks the calling thread until Wakeup has been called since the last Clear.
  void Sleep() {
    std::unique_lock<std::mutex> l(m_);
    cv_.wait(l, [&] { return woken_; });
  }
  // Like Sleep, but gives up after `ns`; returns whether it was woken.
  bool SleepFor(long long ns) {
    std::unique_lock<std::mutex> l(m_);
    return cv_.wait_for(l, std::chrono::nanoseconds(ns), [&] { return woken_; });
  }
  // Wakes the sleeper (now or at its next Sleep).
  void Wakeup() {
    std::lock_guard<std::mutex> l(m_);
    woken_ = true;
    cv_.notify_one();
  }
  // Re-arms the note after a completed Sleep.
  void Clear() {
    std::lock_guard<std::mutex> l(m_);
    woken_ = false;
  }

 private:
  std::mutex m_;
  std::condition_variable cv_;
  bool woken_ = false;
};

}  // namespace goruntime::detail
