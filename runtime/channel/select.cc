// select, after Go's selectgo:
//  1. Shuffle the cases (poll order) for a uniform choice among ready ones,
//     and sort the distinct channels by address (lock order, no deadlock
//     between two selects).
//  2. With every channel locked, take the first ready case in poll order;
//     if none is ready, return the default if there is one.
//  3. Otherwise enqueue one sudog per case, all sharing a `done` word, and
//     park. The first peer to win the CAS on `done` completes that case.
//  4. Woken: lock again and remove the sudogs of the cases that did not fire.
#include <algorithm>
#include <random>
#include <vector>

#include "runtime/chan.h"
#include "runtime/runtime.h"
#include "runtime/scheduler/current.h"
#include "runtime/scheduler/deterministic.h"
#include "runtime/scheduler/scheduler.h"

namespace goruntime {
namespace detail {
namespace {

uint32_t FastRand() {
  thread_local uint64_t state = [] {
    std::random_device rd;
    return (static_cast<uint64_t>(rd()) << 32) ^ rd() ^ 0x9e3779b97f4a7c15ULL;
  }();
  // xorshift64*
  state ^= state >> 12;
  state ^= state << 25;
  state ^= state >> 27;
  return static_cast<uint32_t>((state * 0x2545F4914F6CDD1DULL) >> 32);
}

// A uniform choice in [0, n): from the schedule in deterministic mode (so
// replays repeat it), else from a per-thread xorshift.
uint32_t RandN(uint32_t n) { return Deterministic() ? ChooseNext(n) : FastRand() % n; }

class LockSet {
 public:
  explicit LockSet(std::vector<HChan*> chans) : chans_(std::move(chans)) {
    std::sort(chans_.begin(), chans_.end());
    chans_.erase(std::unique(chans_.begin(), chans_.end()), chans_.end());
  }
  void LockAll() NO_THREAD_SAFETY_ANALYSIS {
    for (HChan* c : chans_) c->lock.lock();
  }
  void UnlockAll() NO_THREAD_SAFETY_ANALYSIS {
    for (auto it = chans_.rbegin(); it != chans_.rend(); ++it) (*it)->lock.unlock();
  }

 private:
  std::vector<HChan*> chans_;
};

void SetOk(SelCase& k, bool ok) {
  if (k.ok) *k.ok = ok;
}

// Tries case k with its channel locked. Returns true if it completed; *wake
// is a G to ready after unlocking. Sets *send_closed for a send on a closed channel.
bool TryCase(SelCase& k, G** wake, bool* send_closed) NO_THREAD_SAFETY_ANALYSIS {
  HChan* c = k.c;
  if (k.is_send) {
    if (c->closed) {
      *send_closed = true;
      return true;
    }
    if (Sudog* r = c->recvq.Dequeue()) {
      SendToReceiver(c, r, k.send_elem);
      *wake = r->g;
      return true;
    }
    if (c->qcount < c->capacity()) {
      BufferPut(c, k.send_elem);
      return true;
    }
    return false;
  }
  if (Sudog* s = c->sendq.Dequeue()) {
    RecvFromSender(c, s, k.recv_out, /*dst_is_object=*/true);
    *wake = s->g;
    SetOk(k, true);
    return true;
  }
  if (c->qcount > 0) {
    BufferTake(c, k.recv_out, true);
    SetOk(k, true);
    return true;
  }
  if (c->closed) {
    if (k.recv_out) c->ops->zero_assign(k.recv_out);
    SetOk(k, false);
    return true;
  }
  return false;
}

}  // namespace

int SelectGo(std::vector<SelCase*>& cases, bool has_default) NO_THREAD_SAFETY_ANALYSIS {
  PreemptCheck();
  std::vector<int> order;
  std::vector<HChan*> chans;
  for (int i = 0; i < static_cast<int>(cases.size()); i++) {
    if (cases[i]->c == nullptr) continue;  // nil channel: never ready
    order.push_back(i);
    chans.push_back(cases[i]->c);
  }
  if (order.empty()) {
    if (has_default) return -1;
    ParkForever(cases.empty() ? WaitReason::kSelectNoCases : WaitReason::kSelect);
  }
  for (size_t i = order.size(); i > 1; i--) std::swap(order[i - 1], order[RandN(static_cast<uint32_t>(i))]);

  LockSet locks(chans);
  locks.LockAll();
  for (int i : order) {
    G* wake = nullptr;
    bool send_closed = false;
    if (!TryCase(*cases[i], &wake, &send_closed)) continue;
    locks.UnlockAll();
    if (send_closed) Panic(Value::RuntimeError("send on closed channel"));
    if (wake) Ready(wake);
    return i;
  }
  if (has_default) {
    locks.UnlockAll();
    return -1;
  }

  std::atomic<uint32_t> done{0};
  Sudog* fired = nullptr;
  std::vector<Sudog> sudogs(cases.size());
  G* me = CurrentG();
  for (int i : order) {
    Sudog& s = sudogs[i];
    SelCase& k = *cases[i];
    s.g = me;
    s.select_done = &done;
    s.select_fired = &fired;
    if (k.is_send) {
      s.elem = k.send_elem;
      k.c->sendq.Enqueue(&s);
    } else {
      s.elem = k.recv_out;
      s.elem_is_object = true;
      k.c->recvq.Enqueue(&s);
    }
  }
  BeginPark(WaitReason::kSelect);
  locks.UnlockAll();
  FinishPark();

  locks.LockAll();
  for (int i : order) {
    Sudog& s = sudogs[i];
    if (&s == fired) continue;
    (cases[i]->is_send ? cases[i]->c->sendq : cases[i]->c->recvq).Remove(&s);
  }
  locks.UnlockAll();
  const int chosen = static_cast<int>(fired - sudogs.data());
  SelCase& k = *cases[chosen];
  if (k.is_send) {
    if (!fired->success) Panic(Value::RuntimeError("send on closed channel"));
  } else {
    if (!fired->success && k.recv_out) k.c->ops->zero_assign(k.recv_out);
    SetOk(k, fired->success);
  }
  return chosen;
}

}  // namespace detail

int Select(std::vector<SelectCase>& cases, bool has_default) {
  std::vector<detail::SelCase*> raw;
  raw.reserve(cases.size());
  for (auto& c : cases) raw.push_back(&c.raw());
  return detail::SelectGo(raw, has_default);
}

}  // namespace goruntime
