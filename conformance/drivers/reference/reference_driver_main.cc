// The driver process for the reference runtime: `reference_driver FILE.scn`.
#include "conformance/drivers/reference/reference_adapter.h"
#include "conformance/interp/driver.h"

int main(int argc, char** argv) {
  static conform::ReferenceAdapter adapter;
  conform::RunDriver(argc, argv, adapter);
}
