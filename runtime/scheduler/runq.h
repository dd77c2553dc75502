// A P's local run queue: Go's 256-slot ring (runqput/runqget/runqgrab) plus
// the runnext slot. Only the owning P pushes; any M may take from the head
// (stealing) with a CAS, so it is lock-free for the owner's hot path.
#pragma once

#include <atomic>
#include <cstdint>

namespace goruntime::detail {

struct G;

class RunQueue {
 public:
  static constexpr uint32_t kSize = 256;

  // Owner only. Puts g in runnext (if next) or at the tail. Returns false if
  // the ring is full; the caller then moves half of it to the global queue.
  bool Put(G* g, bool next, G** kicked);

  // Owner only. runnext first, then the head of the ring.
  G* Get(bool* inherit_time);

  // Any M. Moves up to half of this queue into `batch` (from the head).
  // Returns how many were taken. steal_runnext also takes runnext.
  uint32_t Grab(G** batch, bool steal_runnext);

  // Owner only: pushes a grabbed batch at the tail (space is known to exist).
  void PutBatch(G** batch, uint32_t n);

  // Owner only, for overflow: takes half the ring (plus `extra` appended) into
  // out, which must have room for kSize/2+1. Returns the count or 0 on a lost race.
  uint32_t TakeHalfForOverflow(G** out);

  bool Empty() const;
  uint32_t Size() const;

 private:
  std::atomic<uint32_t> head_{0};
  std::atomic<uint32_t> tail_{0};
  std::atomic<G*> ring_[kSize] = {};
  std::atomic<G*> runnext_{nullptr};
};

// Put and Get are on every switch's path: inline.
inline bool RunQueue::Put(G* g, bool next, G** kicked) {
  *kicked = nullptr;
  if (next) {
    G* old = runnext_.load(std::memory_order_relaxed);
    while (!runnext_.compare_exchange_weak(old, g, std::memory_order_acq_rel)) {
    }
    if (old == nullptr) return true;
    g = old;  // the old runnext goes to the tail
  }
  uint32_t h = head_.load(std::memory_order_acquire);
  uint32_t t = tail_.load(std::memory_order_relaxed);
  if (t - h < kSize) {
    ring_[t % kSize].store(g, std::memory_order_relaxed);
    tail_.store(t + 1, std::memory_order_release);
    return true;
  }
  *kicked = g;
  return false;
}

inline G* RunQueue::Get(bool* inherit_time) {
  G* next = runnext_.load(std::memory_order_relaxed);
  while (next != nullptr) {
    if (runnext_.compare_exchange_weak(next, nullptr, std::memory_order_acq_rel)) {
      *inherit_time = true;
      return next;
    }
  }
  *inherit_time = false;
  for (;;) {
    uint32_t h = head_.load(std::memory_order_acquire);
    uint32_t t = tail_.load(std::memory_order_relaxed);
    if (t == h) return nullptr;
    G* g = ring_[h % kSize].load(std::memory_order_relaxed);
    if (head_.compare_exchange_weak(h, h + 1, std::memory_order_release)) return g;
  }
}

}  // namespace goruntime::detail
