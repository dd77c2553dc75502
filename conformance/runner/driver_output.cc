#include "conformance/runner/driver_output.h"

namespace conform {

DriverOutput ReadDriverStdout(std::string_view out) {
  DriverOutput r;
  int number = 0;
  size_t start = 0;
  while (start < out.size()) {
    size_t end = out.find('\n', start);
    if (end == std::string_view::npos) end = out.size();
    std::string_view line = out.substr(start, end - start);
    start = end + 1;
    ++number;
    auto e = EventFromJson(line);
    if (!e) {
      std::string quoted(line.substr(0, 200));
      if (line.size() > 200) quoted += "...";
      r.error = "stdout line " + std::to_string(number) + " is not a trace event: \"" + quoted + "\"";
      r.bad_line = number;
      return r;
    }
    r.trace.push_back(std::move(*e));
  }
  return r;
}

}  // namespace conform
