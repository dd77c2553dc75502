// Reads a driver's stdout: one JSON trace event per line (INTERPRETING.md).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "conformance/interp/trace.h"

namespace conform {

struct DriverOutput {
  std::vector<Event> trace;          // the events before the first bad line
  std::optional<std::string> error;  // `stdout line N is not a trace event: "<line>"`
  int bad_line = 0;                  // 1-based; 0 when every line is an event
};

// Splits `out` into lines and parses each as an event; stops at the first
// line that is not one, quoting it (long lines are cut at 200 bytes).
DriverOutput ReadDriverStdout(std::string_view out);

}  // namespace conform
