#include "conformance/drivers/fiber/fiber_adapter.h"

namespace conform {

void*& BoostFibers::CurrentSlot() {
  // fiber_specific_ptr owns what it points to; the slot is a heap void* per
  // fiber, freed with the fiber.
  static boost::fibers::fiber_specific_ptr<void*> slot;
  if (slot.get() == nullptr) slot.reset(new void*(nullptr));
  return *slot.get();
}

void BoostFibers::ParkForever() {
  boost::fibers::mutex mu;
  boost::fibers::condition_variable cv;
  std::unique_lock<boost::fibers::mutex> lock(mu);
  for (;;) cv.wait(lock);
}

Capabilities FiberAdapter::capabilities() const {
  Capabilities c;
  c.fairness = true;  // round_robin: yield requeues at the tail
  return c;
}

}  // namespace conform
