// The machine-readable reports of a run: JSON (everything) and JUnit XML.
#pragma once

#include <optional>
#include <string>

#include "conformance/runner/suite_run.h"

namespace conform {

// The run as one JSON object: runtime, summary, every scenario (clauses,
// status, verdict, failures, expected lines, observed trace, stderr,
// seconds) and every clause's verdict.
std::string RunToJson(const RuntimeRun& run);

// The run as JUnit XML: one testcase per scenario, classname = area;
// new failures and unexpected passes are <failure>s, anything else that did
// not pass is <skipped> with the reason.
std::string RunToJunit(const RuntimeRun& run);

// Writes `text` to the file at `path`; nullopt when it was written, else
// "cannot write PATH: <OS error>". Open, write, flush and close are each
// checked, so a full disk is an error too.
std::optional<std::string> WriteTextFile(const std::string& path, const std::string& text);

}  // namespace conform
