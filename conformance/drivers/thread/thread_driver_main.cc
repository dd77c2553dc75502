// The driver process for the thread-per-goroutine baseline.
#include "conformance/drivers/thread/thread_adapter.h"
#include "conformance/interp/driver.h"

int main(int argc, char** argv) {
  static conform::ThreadAdapter adapter;
  conform::RunDriver(argc, argv, adapter);
}
