#include "conformance/runner/json_text.h"

#include <cstdio>

namespace conform {
namespace {

// The UTF-8 sequence at s[i]: its length, and whether it is well formed
// (RFC 3629; table 3-7 of the Unicode standard: no overlong forms, no
// surrogates U+D800..U+DFFF, nothing above U+10FFFF, nothing truncated).
// An ill-formed one spans its maximal subpart: the longest prefix of a
// well-formed sequence, or one byte. That is the unit Unicode recommends
// replacing with one U+FFFD, and what Python's and browsers' decoders do.
struct Utf8Seq {
  size_t length;
  bool valid;
};

Utf8Seq Utf8At(std::string_view s, size_t i) {
  auto at = [&](size_t k) { return i + k < s.size() ? static_cast<unsigned char>(s[i + k]) : 0u; };
  unsigned c = at(0);
  if (c < 0x80) return {1, true};
  size_t need;
  unsigned lo = 0x80, hi = 0xBF;  // the range of the second byte
  if (c >= 0xC2 && c <= 0xDF) need = 2;
  else if (c >= 0xE0 && c <= 0xEF) need = 3, lo = c == 0xE0 ? 0xA0 : 0x80, hi = c == 0xED ? 0x9F : 0xBF;
  else if (c >= 0xF0 && c <= 0xF4) need = 4, lo = c == 0xF0 ? 0x90 : 0x80, hi = c == 0xF4 ? 0x8F : 0xBF;
  else return {1, false};  // 0x80..0xC1 (a stray continuation or an overlong lead), 0xF5..0xFF
  size_t k = 1;
  for (; k < need; ++k) {
    unsigned b = at(k);
    if (k == 1 ? (b < lo || b > hi) : (b & 0xC0u) != 0x80u) break;
  }
  return {k, k == need};
}

}  // namespace

std::string JsonQuote(std::string_view s) {
  std::string out = "\"";
  for (size_t i = 0; i < s.size();) {
    auto [n, valid] = Utf8At(s, i);
    if (!valid) {
      out += "\\ufffd";
      i += n;
      continue;
    }
    char c = s[i];
    if (n > 1) out.append(s.substr(i, n));
    else if (c == '"') out += "\\\"";
    else if (c == '\\') out += "\\\\";
    else if (c == '\n') out += "\\n";
    else if (c == '\t') out += "\\t";
    else if (c == '/' && i > 0 && s[i - 1] == '<') out += "\\/";
    else if (c == '<' && i + 1 < s.size() && s[i + 1] == '!') out += "\\u003c";  // "<!--" in a <script>
    else if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned char>(c));
      out += buf;
    } else out += c;
    i += n;
  }
  return out + "\"";
}

std::string JsonStrings(const std::vector<std::string>& v) {
  std::string out = "[";
  for (size_t i = 0; i < v.size(); ++i) out += (i ? "," : "") + JsonQuote(v[i]);
  return out + "]";
}

std::string XmlEscape(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size();) {
    auto [n, valid] = Utf8At(s, i);
    if (!valid) {
      out += '?';
      i += n;
      continue;
    }
    char c = s[i];
    if (n == 3 && s.substr(i, 2) == "\xEF\xBF" && (static_cast<unsigned char>(s[i + 2]) & 0xFEu) == 0xBEu) out += '?';  // U+FFFE, U+FFFF: not XML
    else if (n > 1) out.append(s.substr(i, n));
    else if (c == '&') out += "&amp;";
    else if (c == '<') out += "&lt;";
    else if (c == '>') out += "&gt;";
    else if (c == '"') out += "&quot;";
    else if (c == '\'') out += "&apos;";
    else if (static_cast<unsigned char>(c) < 0x20 && c != '\n' && c != '\t') out += '?';
    else out += c;
    i += n;
  }
  return out;
}

}  // namespace conform
