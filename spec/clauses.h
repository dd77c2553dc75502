// Reads spec/clauses.txt: one clause per line, `id | level | capability |
// source | statement` (the format is described at the top of that file).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace spec {

struct Clause {
  std::string id;
  std::string level;       // "MUST" or "IMPL"
  std::string capability;  // "" when the line says "-"
  std::string source;
  std::string statement;
  int line = 0;
};

// Parses the clause file; on a malformed line returns nullopt and sets
// *error to "file:line:col: message".
std::optional<std::vector<Clause>> ParseClauses(std::string_view text, const std::string& file,
                                                std::string* error);

// Reads and parses the file at `path`.
std::optional<std::vector<Clause>> ReadClauses(const std::string& path, std::string* error);

}  // namespace spec
