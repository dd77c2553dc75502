// Mutex: std::mutex with thread-safety annotations. Note: a one-shot
// sleep/wakeup, Go's `note` (notesleep/notewakeup), used to park Ms.
#pragma once

#include <condition_variable>
#include <mutex>

#include "runtime/base/thread_annotations.h"

namespace goruntime::detail {

class CAPABILITY("mutex") Mutex {
 public:
  void lock() ACQUIRE() { m_.lock(); }
  void unlock() RELEASE() { m_.unlock(); }
  std::mutex& native() { return m_; }

 private:
  std::mutex m_;
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
