// driver_protocol_fuzzer: arbitrary bytes as a driver's stdout (JSON lines).
//
// The runner reads driver output inside conform::RunScenario
// (conformance/runner/runner.cc): it splits stdout with std::getline and
// turns each line into an Event with conform::EventFromJson, failing the
// scenario with "stdout line N is not a trace event: <line>" on the first
// malformed line. That loop is not exposed as a library function, so this
// target fuzzes the closest exposed pieces the same way: ReadDriverStdout
// below mirrors the runner's loop line for line around EventFromJson
// (//conformance/interp:trace), and the accepted trace is then judged by
// conform::CheckExpectations (//conformance/check:expectations), as the
// runner does next.
//
// Properties (abort() on failure):
//  1. Nothing crashes or throws, whatever the bytes.
//  2. A malformed line yields an error naming its 1-based line number and
//     quoting the line.
//  3. Every accepted event survives EventToJson -> EventFromJson unchanged,
//     and EventToJson of it is a fixed point.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "conformance/check/expectations.h"
#include "conformance/interp/trace.h"
#include "conformance/lang/parser.h"

namespace {

struct ReadResult {
  std::vector<conform::Event> trace;
  std::optional<std::string> error;  // "stdout line N is not a trace event: ..."
  int bad_line = 0;
};

// The runner's reading loop (RunScenario), as a function.
ReadResult ReadDriverStdout(const std::string& out) {
  ReadResult r;
  std::stringstream ss(out);
  std::string line;
  int number = 0;
  while (std::getline(ss, line)) {
    ++number;
    auto e = conform::EventFromJson(line);
    if (!e) {
      r.error = "stdout line " + std::to_string(number) + " is not a trace event: " + line;
      r.bad_line = number;
      return r;
    }
    r.trace.push_back(std::move(*e));
  }
  return r;
}

[[noreturn]] void Fail(const char* what, const std::string& input, const std::string& detail) {
  std::fprintf(stderr, "driver_protocol_fuzzer: %s\n--- input (%zu bytes) ---\n%s\n--- detail ---\n%s\n",
               what, input.size(), input.c_str(), detail.c_str());
  std::abort();
}

// One expectation of every kind the runner checks without a model, so that
// whatever trace is read is also judged.
const conform::lang::Scenario& JudgingScenario() {
  static const conform::lang::Scenario sc = [] {
    const char* text =
        "@clause fuzz.protocol\n"
        "@expect exit 0\n"
        "@expect trace contains g1 record a ; recv *\n"
        "@expect trace exact g1 record a ; g2 recv 5,true\n"
        "@expect trace goroutine 2 recv 5,true\n"
        "@expect trace absent g3 *\n"
        "@expect range recv 0 9\n"
        "@expect range value:x -5 5\n"
        "@expect count record * 0 3\n"
        "@expect fair record\n"
        "@expect stderr-match \"^panic: .*$\"\n"
        "record a\n";
    conform::lang::ParseError err;
    auto parsed = conform::lang::Parse(text, "protocol.scn", &err);
    if (!parsed) {
      std::fprintf(stderr, "driver_protocol_fuzzer: bad built-in scenario: %s\n", err.ToString().c_str());
      std::abort();
    }
    return *parsed;
  }();
  return sc;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string out(reinterpret_cast<const char*>(data), size);
  ReadResult r = ReadDriverStdout(out);
  if (r.error) {
    std::string tag = "stdout line " + std::to_string(r.bad_line) + " ";
    if (r.bad_line < 1 || r.error->rfind(tag, 0) != 0) Fail("error does not name the line", out, *r.error);
    // The named line is the offending one: it is quoted, and it really does not parse.
    std::stringstream ss(out);
    std::string line;
    for (int k = 0; k < r.bad_line; ++k) std::getline(ss, line);
    if (r.error->find(line) == std::string::npos) Fail("error does not quote the line", out, *r.error);
    if (conform::EventFromJson(line)) Fail("named line parses after all", out, line);
  }
  for (const conform::Event& e : r.trace) {
    std::string json = conform::EventToJson(e);
    auto back = conform::EventFromJson(json);
    if (!back || !(*back == e)) Fail("EventToJson does not read back", out, json);
    if (conform::EventToJson(*back) != json) Fail("EventToJson is not a fixed point", out, json);
  }
  conform::RunOutcome outcome;
  outcome.trace = r.trace;
  outcome.exit_status = size ? data[0] % 4 : 0;
  outcome.stderr_text = out;
  conform::CheckOptions opts;
  opts.check_model = false;
  (void)conform::CheckExpectations(JudgingScenario(), outcome, opts);
  return 0;
}
