#include "conformance/lang/lexer.h"

#include <cctype>
#include <charconv>

namespace conform::lang {
namespace {

bool IsWordChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.' ||
         c == '*' || c == ':' || c == '/' || c == ',' || c == '[' || c == ']' || c == '+';
}

bool IsCmpChar(char c) { return c == '=' || c == '!' || c == '<' || c == '>'; }

bool LooksLikeInt(std::string_view w) {
  size_t start = (!w.empty() && w[0] == '-') ? 1 : 0;
  if (w.size() == start) return false;
  for (size_t k = start; k < w.size(); ++k)
    if (!std::isdigit(static_cast<unsigned char>(w[k]))) return false;
  return true;
}

}  // namespace

std::vector<Token> LexLine(std::string_view line, std::optional<LexError>* error) {
  std::vector<Token> out;
  size_t k = 0;
  auto fail = [&](size_t at, std::string msg) {
    *error = LexError{static_cast<int>(at) + 1, std::move(msg)};
    return std::vector<Token>{};
  };
  while (k < line.size()) {
    char c = line[k];
    if (c == ' ' || c == '\t' || c == '\r') { ++k; continue; }
    if (c == '#') break;
    Token t;
    t.col = static_cast<int>(k) + 1;
    if (c == '"') {
      size_t start = k++;
      std::string s;
      bool closed = false;
      while (k < line.size()) {
        char d = line[k++];
        if (d == '"') { closed = true; break; }
        if (d == '\\') {
          if (k >= line.size()) break;
          char e = line[k++];
          if (e == 'n') s += '\n';
          else if (e == 't') s += '\t';
          else if (e == '"' || e == '\\') s += e;
          else return fail(k - 2, std::string("unknown escape \\") + e + " in string");
        } else {
          s += d;
        }
      }
      if (!closed) return fail(start, "unterminated string");
      t.kind = Token::Kind::kString;
      t.text = std::move(s);
    } else if (IsCmpChar(c)) {
      size_t start = k;
      while (k < line.size() && IsCmpChar(line[k])) ++k;
      t.text = std::string(line.substr(start, k - start));
      if (t.text != "==" && t.text != "!=" && t.text != "<=" && t.text != ">=" &&
          t.text != "<" && t.text != ">")
        return fail(start, "unknown operator '" + t.text + "'");
      t.kind = Token::Kind::kCmp;
    } else if (c == ';') {
      // A separator between trace patterns; always a word of its own.
      ++k;
      t.kind = Token::Kind::kWord;
      t.text = ";";
    } else if (c == '$') {
      size_t start = ++k;
      while (k < line.size() && IsWordChar(line[k])) ++k;
      if (k == start) return fail(start - 1, "expected a variable name after '$'");
      t.kind = Token::Kind::kVar;
      t.text = std::string(line.substr(start, k - start));
    } else if (IsWordChar(c)) {
      size_t start = k;
      // '=' continues a word (event values like x=5) but cannot start one.
      while (k < line.size() && (IsWordChar(line[k]) || line[k] == '=')) ++k;
      t.text = std::string(line.substr(start, k - start));
      if (LooksLikeInt(t.text)) {
        auto [p, ec] = std::from_chars(t.text.data(), t.text.data() + t.text.size(), t.i);
        if (ec != std::errc() || p != t.text.data() + t.text.size())
          return fail(start, "integer out of range: " + t.text);
        t.kind = Token::Kind::kInt;
      } else {
        t.kind = Token::Kind::kWord;
      }
    } else {
      return fail(k, std::string("unexpected character '") + c + "'");
    }
    out.push_back(std::move(t));
  }
  return out;
}

std::string QuoteString(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') { out += '\\'; out += c; }
    else if (c == '\n') out += "\\n";
    else if (c == '\t') out += "\\t";
    else out += c;
  }
  return out + "\"";
}

}  // namespace conform::lang
