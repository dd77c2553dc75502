#include "runtime/scheduler/runq.h"

#include <sched.h>

namespace goruntime::detail {

uint32_t RunQueue::Grab(G** batch, bool steal_runnext) {
  for (;;) {
    uint32_t h = head_.load(std::memory_order_acquire);
    uint32_t t = tail_.load(std::memory_order_acquire);
    uint32_t n = t - h;
    n = n - n / 2;
    if (n == 0) {
      if (steal_runnext) {
        G* next = runnext_.load(std::memory_order_acquire);
        if (next != nullptr) {
          // Go sleeps ~3us here so a P about to run its runnext is not robbed;
          // a yield serves the same purpose.
          sched_yield();
          if (runnext_.compare_exchange_strong(next, nullptr, std::memory_order_acq_rel)) {
            batch[0] = next;
            return 1;
          }
          continue;
        }
      }
      return 0;
    }
    if (n > kSize / 2) continue;  // read an inconsistent h and t
    for (uint32_t i = 0; i < n; i++) batch[i] = ring_[(h + i) % kSize].load(std::memory_order_relaxed);
    if (head_.compare_exchange_weak(h, h + n, std::memory_order_acq_rel)) return n;
  }
}

void RunQueue::PutBatch(G** batch, uint32_t n) {
  uint32_t t = tail_.load(std::memory_order_relaxed);
  for (uint32_t i = 0; i < n; i++) ring_[(t + i) % kSize].store(batch[i], std::memory_order_relaxed);
  tail_.store(t + n, std::memory_order_release);
}

uint32_t RunQueue::TakeHalfForOverflow(G** out) {
  uint32_t h = head_.load(std::memory_order_acquire);
  uint32_t t = tail_.load(std::memory_order_relaxed);
  uint32_t n = (t - h) / 2;
  if (n != kSize / 2) return 0;  // a stealer got there first; the queue has room now
  for (uint32_t i = 0; i < n; i++) out[i] = ring_[(h + i) % kSize].load(std::memory_order_relaxed);
  if (!head_.compare_exchange_strong(h, h + n, std::memory_order_acq_rel)) return 0;
  return n;
}

bool RunQueue::Empty() const {
  // As in Go: read head, tail, runnext, and re-read tail, so that a G moving
  // from runnext to the ring is not missed.
  for (;;) {
    uint32_t h = head_.load(std::memory_order_acquire);
    uint32_t t = tail_.load(std::memory_order_acquire);
    G* next = runnext_.load(std::memory_order_acquire);
    if (tail_.load(std::memory_order_acquire) == t) return h == t && next == nullptr;
  }
}

uint32_t RunQueue::Size() const {
  uint32_t h = head_.load(std::memory_order_acquire);
  uint32_t t = tail_.load(std::memory_order_acquire);
  return t - h + (runnext_.load(std::memory_order_relaxed) ? 1 : 0);
}

}  // namespace goruntime::detail
