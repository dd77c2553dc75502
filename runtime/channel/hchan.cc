#include "runtime/channel/hchan.h"

#include <cstdlib>
#include <vector>

#include "runtime/runtime.h"
#include "runtime/scheduler/current.h"
#include "runtime/scheduler/scheduler.h"

namespace goruntime::detail {

void WaitQueue::Enqueue(Sudog* s) {
  s->next = nullptr;
  s->prev = last;
  if (last) last->next = s; else first = s;
  last = s;
}

void WaitQueue::Remove(Sudog* s) {
  if (s->prev) s->prev->next = s->next; else if (first == s) first = s->next; else return;
  if (s->next) s->next->prev = s->prev; else last = s->prev;
  s->next = s->prev = nullptr;
}

Sudog* WaitQueue::Dequeue() {
  while (Sudog* s = first) {
    Remove(s);
    if (s->select_done != nullptr) {
      uint32_t expected = 0;
      if (!s->select_done->compare_exchange_strong(expected, 1)) continue;  // lost to another case
      *s->select_fired = s;
    }
    return s;
  }
  return nullptr;
}

HChan::HChan(size_t capacity, const ElemOps* o) : ops(o), cap_(capacity) {
  stride_ = (o->size + o->align - 1) / o->align * o->align;
  buf_ = capacity ? static_cast<unsigned char*>(::operator new(stride_ * capacity, std::align_val_t(o->align)))
                  : nullptr;
}

HChan::~HChan() NO_THREAD_SAFETY_ANALYSIS {
  for (size_t i = 0; i < qcount; i++) ops->destroy(slot((recvx + i) % cap_));
  if (buf_) ::operator delete(buf_, std::align_val_t(ops->align));
}

namespace {

// dst null: the receiver discards the value (select's `case <-c:`).
void MoveOut(HChan* c, void* src, void* dst, bool dst_is_object) {
  if (dst == nullptr) return;
  if (dst_is_object) {
    c->ops->move_assign(dst, src);
  } else {
    c->ops->move_construct(dst, src);
  }
}

}  // namespace

void BufferPut(HChan* c, void* elem) {
  c->ops->move_construct(c->slot(c->sendx), elem);
  c->sendx = (c->sendx + 1) % c->capacity();
  c->qcount++;
}

void BufferTake(HChan* c, void* dst, bool dst_is_object) {
  void* s = c->slot(c->recvx);
  MoveOut(c, s, dst, dst_is_object);
  c->ops->destroy(s);
  c->recvx = (c->recvx + 1) % c->capacity();
  c->qcount--;
}

void SendToReceiver(HChan* c, Sudog* receiver, void* elem) {
  MoveOut(c, elem, receiver->elem, receiver->elem_is_object);
  receiver->success = true;
}

void RecvFromSender(HChan* c, Sudog* sender, void* dst, bool dst_is_object) {
  if (c->capacity() == 0) {
    MoveOut(c, sender->elem, dst, dst_is_object);
  } else {
    // The buffer is full: take its head, and put the sender's value at the
    // tail (which is the same slot), keeping FIFO order.
    BufferTake(c, dst, dst_is_object);
    BufferPut(c, sender->elem);
  }
  sender->success = true;
}

void ChanSend(HChan* c, void* elem) {
  PreemptCheck();
  if (c == nullptr) ParkForever(WaitReason::kChanSendNilChan);
  c->lock.lock();
  if (c->closed) {
    c->lock.unlock();
    Panic(Value::RuntimeError("send on closed channel"));
  }
  if (Sudog* r = c->recvq.Dequeue()) {
    SendToReceiver(c, r, elem);
    c->lock.unlock();
    Ready(r->g);
    return;
  }
  if (c->qcount < c->capacity()) {
    BufferPut(c, elem);
    c->lock.unlock();
    return;
  }
  Sudog me;
  me.g = CurrentG();
  me.elem = elem;
  c->sendq.Enqueue(&me);
  Park(c->lock, WaitReason::kChanSend);
  if (!me.success) Panic(Value::RuntimeError("send on closed channel"));
}

bool ChanRecv(HChan* c, void* dst) {
  PreemptCheck();
  if (c == nullptr) ParkForever(WaitReason::kChanReceiveNilChan);
  c->lock.lock();
  if (Sudog* s = c->sendq.Dequeue()) {
    RecvFromSender(c, s, dst, /*dst_is_object=*/false);
    c->lock.unlock();
    Ready(s->g);
    return true;
  }
  if (c->qcount > 0) {
    BufferTake(c, dst, false);
    c->lock.unlock();
    return true;
  }
  if (c->closed) {
    c->lock.unlock();
    return false;
  }
  Sudog me;
  me.g = CurrentG();
  me.elem = dst;
  c->recvq.Enqueue(&me);
  Park(c->lock, WaitReason::kChanReceive);
  return me.success;
}

void ChanClose(HChan* c) {
  if (c == nullptr) Panic(Value::RuntimeError("close of nil channel"));
  std::vector<G*> wake;
  c->lock.lock();
  if (c->closed) {
    c->lock.unlock();
    Panic(Value::RuntimeError("close of closed channel"));
  }
  c->closed = true;
  for (WaitQueue* q : {&c->recvq, &c->sendq}) {
    while (Sudog* s = q->Dequeue()) {
      s->success = false;
      wake.push_back(s->g);
    }
  }
  c->lock.unlock();
  for (G* g : wake) Ready(g);
}

size_t ChanLen(HChan* c) {
  MutexLock l(c->lock);
  return c->qcount;
}

}  // namespace goruntime::detail
