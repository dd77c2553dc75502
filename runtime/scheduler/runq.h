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

}  // namespace goruntime::detail
