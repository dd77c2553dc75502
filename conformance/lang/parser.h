// Parses scenario files. Errors are reported as `file:line:col: message`;
// no input makes the parser throw, abort or crash.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "conformance/lang/ast.h"

namespace conform::lang {

struct ParseError {
  std::string file;
  int line = 0;
  int col = 0;
  std::string message;
  // "file:line:col: message".
  std::string ToString() const;
};

// Parses a whole scenario; on failure returns nullopt and fills *error.
std::optional<Scenario> Parse(std::string_view text, const std::string& file, ParseError* error);

// Reads and parses the file at `path`.
std::optional<Scenario> ParseFile(const std::string& path, ParseError* error);

}  // namespace conform::lang
