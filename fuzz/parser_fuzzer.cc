// parser_fuzzer: arbitrary bytes -> conform::lang::Parse.
//
// Properties checked (each failure calls abort(), which libFuzzer reports):
//  1. Parse never crashes, throws or hangs (libFuzzer/ASan catch those).
//  2. A rejection carries a position: line >= 1, col >= 1, a non-empty
//     message, and ParseError::ToString() is exactly "file:line:col: message".
//     The line must exist in the input (col may point one past its end).
//  3. An accepted scenario prints (lang::Print) to text that parses again to
//     an equal tree (positions cleared), and printing is a fixed point.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "conformance/lang/parser.h"
#include "conformance/lang/printer.h"

namespace {

constexpr const char* kFile = "fuzz.scn";

[[noreturn]] void Fail(const char* what, std::string_view input, const std::string& detail) {
  std::fprintf(stderr, "parser_fuzzer: %s\n--- input (%zu bytes) ---\n%.*s\n--- detail ---\n%s\n",
               what, input.size(), static_cast<int>(input.size()), input.data(), detail.c_str());
  std::abort();
}

int LineCount(std::string_view text) {
  int n = 1;
  for (char c : text) n += c == '\n';
  return n;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  conform::lang::ParseError err;
  auto sc = conform::lang::Parse(text, kFile, &err);
  if (!sc) {
    std::string shown = err.ToString();
    if (err.line < 1 || err.col < 1 || err.message.empty())
      Fail("rejection without file:line:col: message", text, shown);
    if (err.line > LineCount(text)) Fail("rejection names a line past the end", text, shown);
    std::string want = std::string(kFile) + ":" + std::to_string(err.line) + ":" +
                       std::to_string(err.col) + ": " + err.message;
    if (shown != want || err.file != kFile) Fail("ParseError::ToString is not file:line:col: message", text, shown);
    return 0;
  }
  std::string printed = conform::lang::Print(*sc);
  conform::lang::ParseError err2;
  auto again = conform::lang::Parse(printed, kFile, &err2);
  if (!again) Fail("printed scenario does not parse", text, printed + "\n" + err2.ToString());
  conform::lang::ClearPositions(&*sc);
  conform::lang::ClearPositions(&*again);
  if (!(*sc == *again)) Fail("Parse(Print(s)) != s", text, "printed:\n" + printed +
                                                           "\nreprinted:\n" + conform::lang::Print(*again));
  std::string reprinted = conform::lang::Print(*again);
  if (reprinted != printed) Fail("Print is not a fixed point", text, printed + "\n---\n" + reprinted);
  return 0;
}
