#include "runtime/introspect/introspect.h"

#include "runtime/runtime.h"
#include "runtime/scheduler/current.h"
#include "runtime/scheduler/types.h"

namespace goruntime::introspect {

using detail::CurrentG;
using detail::CurrentM;

const char* QueueName(Queue q) {
  switch (q) {
    case Queue::kNone: return "none";
    case Queue::kLocal: return "local";
    case Queue::kGlobal: return "global";
  }
  return "?";
}

Queue GoschedQueue() {
  // Nobody else writes last_queue while the caller runs (a running G is on
  // no queue), so what it holds after the yield is where the yield put it.
  CurrentG()->last_queue.store(detail::kQueuedNone, std::memory_order_relaxed);
  Gosched();
  switch (CurrentG()->last_queue.load(std::memory_order_relaxed)) {
    case detail::kQueuedLocal: return Queue::kLocal;
    case detail::kQueuedGlobal: return Queue::kGlobal;
    default: return Queue::kNone;
  }
}

bool DescriptorReused() { return CurrentG()->died; }

bool OnM0() { return CurrentM()->is_m0; }

}  // namespace goruntime::introspect
