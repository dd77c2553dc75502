// driver_protocol_fuzzer: arbitrary bytes as a driver's stdout (JSON lines).
//
// The runner reads driver output with conform::ReadDriverStdout
// (conformance/runner/driver_output.h, in //conformance/runner:runner_core),
// which splits stdout into lines and parses each with conform::EventFromJson
// (//conformance/interp:trace); conform::RunScenario then judges the trace
// with conform::CheckExpectations. This target runs the same functions.
//
// Properties (abort() on failure):
//  1. Nothing crashes or throws, whatever the bytes.
//  2. A malformed line yields an error "stdout line N is not a trace event: ..."
//     naming its 1-based number N and quoting (the start of) that line; the
//     line really does not parse, and every line before it does.
//  3. Without an error, every line became an event, in order.
//  4. Every accepted event survives EventToJson -> EventFromJson unchanged,
//     and EventToJson of it is a fixed point.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "conformance/check/expectations.h"
#include "conformance/interp/trace.h"
#include "conformance/lang/parser.h"
#include "conformance/runner/driver_output.h"

namespace {

// The input's lines, split independently of the code under test: on '\n',
// with no empty line after a final newline.
std::vector<std::string_view> Lines(std::string_view out) {
  std::vector<std::string_view> lines;
  size_t start = 0;
  while (start < out.size()) {
    size_t end = out.find('\n', start);
    if (end == std::string_view::npos) end = out.size();
    lines.push_back(out.substr(start, end - start));
    start = end + 1;
  }
  return lines;
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
  conform::DriverOutput r = conform::ReadDriverStdout(out);
  std::vector<std::string_view> lines = Lines(out);
  size_t good = r.error ? static_cast<size_t>(r.bad_line - 1) : lines.size();
  if (r.error) {
    std::string tag = "stdout line " + std::to_string(r.bad_line) + " is not a trace event: ";
    if (r.bad_line < 1 || static_cast<size_t>(r.bad_line) > lines.size() || r.error->rfind(tag, 0) != 0)
      Fail("error does not name a line of the input", out, *r.error);
    std::string_view line = lines[r.bad_line - 1];
    if (r.error->find(line.substr(0, 100)) == std::string::npos) Fail("error does not quote the line", out, *r.error);
    if (conform::EventFromJson(line)) Fail("the named line parses after all", out, std::string(line));
  } else if (r.bad_line != 0) {
    Fail("bad_line set without an error", out, std::to_string(r.bad_line));
  }
  if (r.trace.size() != good) Fail("the trace does not hold one event per good line", out, std::to_string(r.trace.size()));
  for (size_t k = 0; k < good; ++k) {
    auto e = conform::EventFromJson(lines[k]);
    if (!e || !(*e == r.trace[k])) Fail("an event differs from its line", out, std::string(lines[k]));
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
