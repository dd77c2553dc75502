// The driver-process protocol for an in-process adapter: `<driver> FILE.scn`
// parses the scenario, runs it, writes the trace as JSON lines on stdout and
// leaves stderr and the exit status to the runtime; `<driver> --capabilities`
// describes the driver in protocol 2 (see INTERPRETING.md).
#pragma once

#include "conformance/adapter/runtime_adapter.h"

namespace conform {

// Exit status of a driver that could not run the scenario at all (usage or
// parse error); distinct from every status a Go program uses.
inline constexpr int kDriverErrorExit = 125;

// Implements the driver's main(). Never returns.
[[noreturn]] void RunDriver(int argc, char** argv, RuntimeAdapter& adapter);

}  // namespace conform
