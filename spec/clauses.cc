#include "spec/clauses.h"

#include <fstream>
#include <regex>
#include <sstream>

#include "conformance/lang/ast.h"

namespace spec {
namespace {

std::string Trim(std::string_view s) {
  size_t b = s.find_first_not_of(" \t\r");
  if (b == std::string_view::npos) return "";
  size_t e = s.find_last_not_of(" \t\r");
  return std::string(s.substr(b, e - b + 1));
}

}  // namespace

std::optional<std::vector<Clause>> ParseClauses(std::string_view text, const std::string& file,
                                                std::string* error) {
  static const std::regex kId("^[a-z0-9-]+(\\.[a-z0-9-]+)+$");
  std::vector<Clause> out;
  int number = 0;
  size_t start = 0;
  auto fail = [&](int col, const std::string& msg) {
    *error = file + ":" + std::to_string(number) + ":" + std::to_string(col) + ": " + msg;
    return std::nullopt;
  };
  while (start < text.size()) {
    size_t nl = text.find('\n', start);
    if (nl == std::string_view::npos) nl = text.size();
    std::string_view line = text.substr(start, nl - start);
    start = nl + 1;
    ++number;
    std::string t = Trim(line);
    if (t.empty() || t[0] == '#') continue;
    std::vector<std::string> fields;
    std::vector<int> cols;
    size_t from = 0;
    while (true) {
      size_t bar = line.find(" | ", from);
      std::string_view f = line.substr(from, bar == std::string_view::npos ? line.npos : bar - from);
      fields.push_back(Trim(f));
      cols.push_back(static_cast<int>(from) + 1);
      if (bar == std::string_view::npos || fields.size() == 5) break;
      from = bar + 3;
    }
    if (fields.size() != 5) return fail(1, "expected 5 fields separated by ' | '");
    Clause c{fields[0], fields[1], fields[2] == "-" ? "" : fields[2], fields[3], fields[4], number};
    if (!std::regex_match(c.id, kId)) return fail(cols[0], "bad clause id '" + c.id + "'");
    if (c.level != "MUST" && c.level != "IMPL")
      return fail(cols[1], "level must be MUST or IMPL, not '" + c.level + "'");
    if (!c.capability.empty()) {
      bool known = false;
      for (const auto& k : conform::lang::KnownCapabilities()) known |= k == c.capability;
      if (!known) return fail(cols[2], "unknown capability '" + c.capability + "'");
    }
    if (c.source.empty()) return fail(cols[3], "empty source");
    if (c.statement.empty()) return fail(cols[4], "empty statement");
    out.push_back(std::move(c));
  }
  return out;
}

std::optional<std::vector<Clause>> ReadClauses(const std::string& path, std::string* error) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    *error = path + ":0:0: cannot open file";
    return std::nullopt;
  }
  std::stringstream ss;
  ss << in.rdbuf();
  return ParseClauses(ss.str(), path, error);
}

}  // namespace spec
