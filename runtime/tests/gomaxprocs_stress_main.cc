// Runs the GOMAXPROCS stress program once, for loops of many runs under
// `timeout` (a hung run is the bug). Usage:
//   gomaxprocs_stress [callers [changes_per_caller [messages]]]
#include <cstdlib>

#include "runtime/tests/gomaxprocs_stress.h"

int main(int argc, char** argv) {
  goruntime::testing::GomaxprocsStressConfig cfg;
  if (argc > 1) cfg.callers = atoi(argv[1]);
  if (argc > 2) cfg.changes_per_caller = atoi(argv[2]);
  if (argc > 3) cfg.messages = atoi(argv[3]);
  goruntime::Run([cfg] { goruntime::testing::GomaxprocsStress(cfg); });
}
