// Judges a scenario result against the runtime's expectations file, and
// folds scenario verdicts into one verdict per clause.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "conformance/runner/expectations_file.h"
#include "conformance/runner/runner.h"

namespace conform {

// From best to worst: a clause takes the worst verdict of its scenarios.
enum class Verdict {
  kPass,
  kPassEngine,       // passed, but through families borrowed from the shared engine
  kUnsupported,      // a required capability or family is not declared
  kFlaky,            // listed as flaky: any status is accepted
  kExpectedFailure,  // failed exactly as the expectations file says
  kImplDiffers,      // only IMPL clauses, not passing: reported, never failing
  kUnexpectedPass,   // listed as failing, but passed: update the file
  kNewFailure,       // a MUST scenario failing in a way the file does not list
};

// "pass", "pass-engine", "unsupported", "flaky", "expected-failure",
// "impl-differs", "unexpected-pass", "new-failure".
const char* VerdictName(Verdict v);

// How people read it: "PASS", "PASS (engine)", "UNSUPPORTED", ...
const char* VerdictLabel(Verdict v);

// A pass, native or through the engine.
inline bool IsPass(Verdict v) { return v == Verdict::kPass || v == Verdict::kPassEngine; }

// Whether the verdict makes the run (or test) fail.
inline bool IsProblem(Verdict v) { return v == Verdict::kUnexpectedPass || v == Verdict::kNewFailure; }

struct Judgement {
  Verdict verdict = Verdict::kPass;
  std::string note;  // one line: why, for anything but a pass
};

// Judges `r`; impl_only says every clause the scenario names is IMPL;
// `known` is its expectations entry or nullptr.
Judgement JudgeResult(const ScenarioResult& r, bool impl_only, const KnownIssue* known);

// The worse of two statuses for a clause summary: ERROR > CRASH, LIMIT >
// TIMEOUT > FAIL > UNSUPPORTED > PASS.
Status WorseStatus(Status a, Status b);

}  // namespace conform
