// The driver process for the Boost.Fiber runtime.
#include "conformance/drivers/fiber/fiber_adapter.h"
#include "conformance/interp/driver.h"

int main(int argc, char** argv) {
  static conform::FiberAdapter adapter;
  conform::RunDriver(argc, argv, adapter);
}
