// Introspection: scheduler facts the runtime reports on request, for the
// conformance suite's optional `introspection` capability (the seed's IMPL
// clauses: where a yielding G is queued, whether a dead G's descriptor is
// reused, that init runs on m0).
//
// The facts are read from the scheduler's own state; the scheduler keeps two
// of them for this module (G::last_queue, set where a G is queued, and
// G::died, set where a dead G goes on the free list). Each function is
// called from a goroutine and answers about the caller.
#pragma once

namespace goruntime::introspect {

// A run queue, as G::last_queue records it.
enum class Queue { kNone, kLocal, kGlobal };

// Queue's name in the conformance trace: "none", "local" or "global".
const char* QueueName(Queue q);

// Yields as Gosched does, and returns the queue the yield put the caller on
// (kNone: the scheduler let it go on without queueing it).
Queue GoschedQueue();

// Whether the caller's G descriptor served a goroutine that died before (Go's gfget).
bool DescriptorReused();

// Whether the caller runs on m0, the M of the process's first thread.
bool OnM0();

}  // namespace goruntime::introspect
