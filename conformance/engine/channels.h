// Engine part: Go's channels (the family `channels`: make, send, receive,
// close, nil channels) for a runtime that has goroutines and a blocking
// mutex and condition variable but no channels of its own.
//
// One mutex and one condition variable (the substrate's, so a fiber blocks
// only itself) guard every channel of the engine. A blocked operation is a
// Waiter in its channel's send or receive queue, pointing at a Waiting on
// the blocked goroutine's stack; one Waiting may sit in several queues (a
// select, select.h), and the first operation to complete "fires" it. The
// goroutine that fires a Waiting does the transfer itself (Go's direct
// hand-off) and tells the Liveness tracker before the woken one runs.
//
// Invariants, under mu_: a fired Waiting is never fired again (queues skip
// it); a Waiter is in a queue only while its Waiting is alive (its owner
// removes it before returning); a closed channel has empty queues.
//
// Runtime errors ("send on closed channel", "close of nil channel", "close of
// closed channel") are raised through the adapter's own Panic, after mu_ is
// released, so this part does not depend on which frames a runtime uses.
#pragma once

#include <cstdint>
#include <deque>
#include <list>
#include <memory>
#include <mutex>
#include <optional>

#include "conformance/adapter/runtime_adapter.h"
#include "conformance/engine/liveness.h"
#include "conformance/engine/substrate.h"

namespace conform::engine {

template <Blocking Sys>
class Channels {
 public:
  // rt raises the runtime-error panics; liveness (may be null) hears of
  // every goroutine that blocks here and of its wake-up.
  Channels(RuntimeAdapter& rt, Liveness* liveness) : rt_(rt), liveness_(liveness) {}

  // make(chan int64, capacity).
  std::shared_ptr<Chan> Make(size_t capacity) {
    auto c = std::make_shared<ChanImpl>();
    c->cap = capacity;
    return c;
  }

  // c <- v; blocks forever on the nil channel (c == nullptr).
  void Send(Chan* c, int64_t v) {
    SelectCase op{c, true, v, nullptr, nullptr};
    RunOne(op, c ? wait_reason::kChanSend : wait_reason::kChanSendNil);
  }

  // v, ok := <-c; blocks forever on the nil channel.
  int64_t Recv(Chan* c, bool* ok) {
    int64_t out = 0;
    SelectCase op{c, false, 0, &out, ok};
    RunOne(op, c ? wait_reason::kChanReceive : wait_reason::kChanReceiveNil);
    return out;
  }

  // close(c): wakes every receiver (zero value, ok false) and every blocked
  // sender (which panics).
  void Close(Chan* c) {
    auto* ch = static_cast<ChanImpl*>(c);
    Lock lock(mu_);
    const char* err = !ch ? "close of nil channel" : ch->closed ? "close of closed channel" : nullptr;
    if (err) {
      lock.unlock();
      rt_.Panic(PanicValue::RuntimeError(err));
    }
    ch->closed = true;
    for (Waiter& w : ch->recvq)
      if (!w.waiting->fired) Fire(w.waiting, w.case_idx, 0, false);
    for (Waiter& w : ch->sendq)
      if (!w.waiting->fired) {
        w.waiting->closed_send = true;
        Fire(w.waiting, w.case_idx, 0, false);
      }
    ch->recvq.clear();
    ch->sendq.clear();
  }

  // --- for the select part (select.h): operations as select cases ---------

  using Lock = std::unique_lock<typename Sys::Mutex>;

  // One goroutine's wait on one or more operations; the first to complete
  // fires it.
  struct Waiting {
    bool fired = false;
    int case_idx = -1;
    int64_t value = 0;  // what a receive case got
    bool ok = false;
    bool closed_send = false;  // a send case woke because its channel closed
    Liveness::Token token = nullptr;
  };

  // Takes the lock that guards every channel.
  Lock Acquire() { return Lock(mu_); }

  // Under the lock: whether case c could complete now without blocking.
  bool Ready(const SelectCase& c) const {
    auto* ch = static_cast<ChanImpl*>(c.chan);
    if (!ch) return false;
    if (c.is_send) return ch->closed || Alive(ch->recvq) || ch->buf.size() < ch->cap;
    return Alive(ch->sendq) || !ch->buf.empty() || ch->closed;
  }

  // Under the lock: completes a Ready case. Returns false if it is a send on
  // a closed channel (the caller panics, after releasing the lock).
  bool Complete(SelectCase& c) {
    auto* ch = static_cast<ChanImpl*>(c.chan);
    if (c.is_send) {
      if (ch->closed) return false;
      if (auto w = PopAlive(ch->recvq)) {
        Fire(w->waiting, w->case_idx, c.send_value, true);
        return true;
      }
      ch->buf.push_back(c.send_value);
      return true;
    }
    if (!ch->buf.empty()) {
      *c.out = ch->buf.front();
      *c.ok = true;
      ch->buf.pop_front();
      // A sender waiting on a full buffer may now put its value in.
      if (auto w = PopAlive(ch->sendq)) {
        ch->buf.push_back(w->value);
        Fire(w->waiting, w->case_idx, 0, true);
      }
      return true;
    }
    if (auto w = PopAlive(ch->sendq)) {
      *c.out = w->value;
      *c.ok = true;
      Fire(w->waiting, w->case_idx, 0, true);
      return true;
    }
    *c.out = 0;
    *c.ok = false;  // closed and drained
    return true;
  }

  // Under the lock: queues case c (number idx) as part of *w. A case on the
  // nil channel is never queued: it never fires.
  void Enqueue(const SelectCase& c, int idx, Waiting* w) {
    auto* ch = static_cast<ChanImpl*>(c.chan);
    if (!ch) return;
    (c.is_send ? ch->sendq : ch->recvq).push_back(Waiter{w, idx, c.is_send, c.send_value});
  }

  // Under the lock: parks the caller until *w fires (forever if nothing can
  // fire it), telling the Liveness tracker why.
  void Wait(Lock& lock, Waiting* w, const char* reason) {
    if (liveness_) w->token = liveness_->Park(reason);
    cv_.wait(lock, [&] { return w->fired; });
  }

  // Under the lock, after Wait: removes *w's other waiters from c's queues.
  void Dequeue(const SelectCase& c, Waiting* w) {
    auto* ch = static_cast<ChanImpl*>(c.chan);
    if (!ch) return;
    ch->sendq.remove_if([&](const Waiter& x) { return x.waiting == w; });
    ch->recvq.remove_if([&](const Waiter& x) { return x.waiting == w; });
  }

  // Under the lock, after Wait: delivers the fired case's result into c, or
  // releases the lock and panics if c was a send whose channel closed.
  void Finish(Lock& lock, SelectCase& c, const Waiting& w) {
    if (c.is_send && w.closed_send) PanicSendOnClosed(lock);
    if (!c.is_send) {
      *c.out = w.value;
      *c.ok = w.ok;
    }
  }

  // Releases the lock and panics with Go's "send on closed channel".
  [[noreturn]] void PanicSendOnClosed(Lock& lock) {
    lock.unlock();
    rt_.Panic(PanicValue::RuntimeError("send on closed channel"));
  }

 private:
  struct Waiter {
    Waiting* waiting;
    int case_idx;
    bool is_send;
    int64_t value;  // to send
  };

  struct ChanImpl : Chan {
    size_t cap = 0;
    std::deque<int64_t> buf;
    bool closed = false;
    std::list<Waiter> recvq, sendq;
  };

  static bool Alive(const std::list<Waiter>& q) {
    for (const Waiter& w : q)
      if (!w.waiting->fired) return true;
    return false;
  }

  static std::optional<Waiter> PopAlive(std::list<Waiter>& q) {
    while (!q.empty()) {
      Waiter w = q.front();
      q.pop_front();
      if (!w.waiting->fired) return w;
    }
    return std::nullopt;
  }

  // Under the lock: completes *w with case idx and wakes its goroutine.
  void Fire(Waiting* w, int idx, int64_t v, bool ok) {
    w->fired = true;
    w->case_idx = idx;
    w->value = v;
    w->ok = ok;
    if (liveness_) liveness_->Unpark(w->token);
    cv_.notify_all();
  }

  // One send or receive: at once if ready, else parked until another
  // goroutine completes it.
  void RunOne(SelectCase& op, const char* reason) {
    Lock lock(mu_);
    if (Ready(op)) {
      if (!Complete(op)) PanicSendOnClosed(lock);
      return;
    }
    Waiting w;
    Enqueue(op, 0, &w);
    Wait(lock, &w, reason);
    Dequeue(op, &w);
    Finish(lock, op, w);
  }

  RuntimeAdapter& rt_;
  Liveness* const liveness_;
  typename Sys::Mutex mu_;  // guards every ChanImpl and Waiting of this engine
  typename Sys::CondVar cv_;
};

}  // namespace conform::engine
