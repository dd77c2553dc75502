// The channel engine, after Go's chan.go: a lock, a ring buffer of `cap`
// elements, and queues of waiting senders and receivers (sudogs). Elements
// are moved with a small table of operations (ElemOps), so the engine is not
// a template.
//
// A blocked goroutine waits on a Sudog that lives on its own stack. Whoever
// completes the operation (the other side, or close) dequeues it under the
// channel lock, moves the value, sets `success`, and Readies the G. A sudog
// of a select shares a `done` word with the select's other sudogs: only the
// waker that wins the CAS on it may complete that select.
#pragma once

#include <atomic>
#include <cstddef>
#include <new>
#include <utility>

#include "runtime/base/mutex.h"

namespace goruntime::detail {

struct G;

struct ElemOps {
  size_t size;
  size_t align;
  void (*move_construct)(void* dst, void* src);  // dst is raw storage
  void (*move_assign)(void* dst, void* src);     // dst is a live object
  void (*zero_assign)(void* dst);                // *dst = T{}
  void (*destroy)(void* p);
};

template <class T>
struct ElemOpsFor {
  static constexpr ElemOps ops{
      sizeof(T),
      alignof(T),
      [](void* d, void* s) { new (d) T(std::move(*static_cast<T*>(s))); },
      [](void* d, void* s) { *static_cast<T*>(d) = std::move(*static_cast<T*>(s)); },
      [](void* d) { *static_cast<T*>(d) = T{}; },
      [](void* p) { static_cast<T*>(p)->~T(); },
  };
};

struct Sudog {
  G* g = nullptr;
  void* elem = nullptr;        // value to send, or where to receive
  bool elem_is_object = false;  // receive by assignment (select) vs construction
  bool success = false;        // completed by a peer (false: woken by close)
  std::atomic<uint32_t>* select_done = nullptr;  // shared by a select's sudogs
  Sudog** select_fired = nullptr;  // the winner records itself here
  Sudog* next = nullptr;
  Sudog* prev = nullptr;
};

// An intrusive FIFO of sudogs.
struct WaitQueue {
  Sudog* first = nullptr;
  Sudog* last = nullptr;
  void Enqueue(Sudog* s);
  void Remove(Sudog* s);
  // Takes the first sudog that may be completed (skipping selects that
  // another case already won), or null.
  Sudog* Dequeue();
};

class HChan {
 public:
  HChan(size_t capacity, const ElemOps* ops);
  ~HChan();
  HChan(const HChan&) = delete;
  HChan& operator=(const HChan&) = delete;

  size_t capacity() const { return cap_; }

  Mutex lock;
  const ElemOps* ops;
  size_t qcount GUARDED_BY(lock) = 0;
  size_t sendx GUARDED_BY(lock) = 0;
  size_t recvx GUARDED_BY(lock) = 0;
  bool closed GUARDED_BY(lock) = false;
  WaitQueue recvq GUARDED_BY(lock);
  WaitQueue sendq GUARDED_BY(lock);

  void* slot(size_t i) { return buf_ + i * stride_; }

 private:
  size_t cap_;
  size_t stride_;
  unsigned char* buf_;
};

// The operations; `c` null is the nil channel.
void ChanSend(HChan* c, void* elem);
bool ChanRecv(HChan* c, void* raw_dst);  // false: closed and drained (dst untouched)
void ChanClose(HChan* c);
size_t ChanLen(HChan* c);

// One select case (see chan.h).
struct SelCase {
  HChan* c = nullptr;
  bool is_send = false;
  void* send_elem = nullptr;  // the value to send (an object)
  void* recv_out = nullptr;   // where to assign a received value (an object)
  bool* ok = nullptr;
};

// These two are used by select.cc; they assume c->lock is held, and perform
// the hand-off with a waiting peer or the buffer. `dst_is_object` as above.
void SendToReceiver(HChan* c, Sudog* receiver, void* elem) REQUIRES(c->lock);
void RecvFromSender(HChan* c, Sudog* sender, void* dst, bool dst_is_object) REQUIRES(c->lock);
void BufferPut(HChan* c, void* elem) REQUIRES(c->lock);
void BufferTake(HChan* c, void* dst, bool dst_is_object) REQUIRES(c->lock);

}  // namespace goruntime::detail
