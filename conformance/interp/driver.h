// The driver-process protocol for an in-process adapter (protocol 2,
// INTERPRETING.md): `<driver> FILE.scn` parses the scenario, runs it, writes
// the trace as JSON lines on stdout and leaves stderr and the exit status to
// the runtime; `<driver> --capabilities` describes the driver: the protocol
// version line, then its capabilities, every behaviour family with its
// source (native, engine, absent), and its identity lines.
#pragma once

#include <string>

#include "conformance/adapter/runtime_adapter.h"

namespace conform {

// The driver protocol version these drivers speak (the first line of
// `--capabilities`: "goconform-protocol 2"). kDriverErrorExit, the status of
// a driver that cannot run a scenario, is in runtime_adapter.h.
inline constexpr int kDriverProtocolVersion = 2;

// The `--capabilities` answer for `adapter`, every line ending in '\n'.
// Returns false, with *error set, if the adapter's declaration cannot be
// written (an unknown capability name, an identity line with a newline).
bool DescribeDriver(const RuntimeAdapter& adapter, std::string* out, std::string* error);

// Implements the driver's main(). Never returns.
[[noreturn]] void RunDriver(int argc, char** argv, RuntimeAdapter& adapter);

}  // namespace conform
