// Splits one line of a scenario file into tokens. Never throws: a malformed
// line yields an error with its column.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace conform::lang {

struct Token {
  enum class Kind { kWord, kInt, kString, kVar, kCmp };
  Kind kind = Kind::kWord;
  std::string text;  // word, unescaped string, variable name (no $), operator
  int64_t i = 0;     // for kInt
  int col = 0;       // 1-based
};

struct LexError {
  int col = 0;
  std::string message;
};

// Tokenizes `line` (without its newline). A `#` outside a string starts a comment.
std::vector<Token> LexLine(std::string_view line, std::optional<LexError>* error);

// Quotes s as a scenario string literal ("..." with \" and \\ escaped).
std::string QuoteString(std::string_view s);

}  // namespace conform::lang
