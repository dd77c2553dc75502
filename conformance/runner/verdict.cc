#include "conformance/runner/verdict.h"

namespace conform {
namespace {

int StatusRank(Status s) {
  switch (s) {
    case Status::kPass: return 0;
    case Status::kUnsupported: return 1;
    case Status::kFail: return 2;
    case Status::kTimeout: return 3;
    case Status::kCrash: return 4;
    case Status::kLimit: return 4;
    case Status::kError: return 5;
  }
  return 5;
}

std::string Join(const std::vector<std::string>& words) {
  std::string out;
  for (const auto& w : words) out += (out.empty() ? "" : ", ") + w;
  return out;
}

std::string FirstFailure(const ScenarioResult& r) {
  return r.failures.empty() ? std::string(StatusName(r.status)) : r.failures.front();
}

}  // namespace

const char* VerdictName(Verdict v) {
  switch (v) {
    case Verdict::kPass: return "pass";
    case Verdict::kPassEngine: return "pass-engine";
    case Verdict::kUnsupported: return "unsupported";
    case Verdict::kFlaky: return "flaky";
    case Verdict::kExpectedFailure: return "expected-failure";
    case Verdict::kImplDiffers: return "impl-differs";
    case Verdict::kUnexpectedPass: return "unexpected-pass";
    case Verdict::kNewFailure: return "new-failure";
  }
  return "?";
}

const char* VerdictLabel(Verdict v) {
  switch (v) {
    case Verdict::kPass: return "PASS";
    case Verdict::kPassEngine: return "PASS (engine)";
    case Verdict::kUnsupported: return "UNSUPPORTED";
    case Verdict::kFlaky: return "FLAKY";
    case Verdict::kExpectedFailure: return "EXPECTED FAILURE";
    case Verdict::kImplDiffers: return "IMPL DIFFERS";
    case Verdict::kUnexpectedPass: return "UNEXPECTED PASS";
    case Verdict::kNewFailure: return "NEW FAILURE";
  }
  return "?";
}

Status WorseStatus(Status a, Status b) { return StatusRank(b) > StatusRank(a) ? b : a; }

Judgement JudgeResult(const ScenarioResult& r, bool impl_only, const KnownIssue* known) {
  if (known && known->flaky) return {Verdict::kFlaky, "flaky: " + known->reason};
  if (r.status == Status::kPass) {
    if (known)
      return {Verdict::kUnexpectedPass, std::string("passed, but listed as ") + StatusName(known->status) +
                                            " (" + known->category + ": " + known->reason + ")"};
    if (!r.engine_families.empty()) return {Verdict::kPassEngine, "through the shared engine: " + Join(r.engine_families)};
    return {Verdict::kPass, ""};
  }
  if (known && known->status == r.status) {
    if (r.status == Status::kUnsupported) return {Verdict::kUnsupported, known->reason};
    if (impl_only) return {Verdict::kImplDiffers, known->category + ": " + known->reason};
    return {Verdict::kExpectedFailure, known->category + ": " + known->reason};
  }
  if (r.status == Status::kUnsupported && !known) return {Verdict::kUnsupported, FirstFailure(r)};
  if (impl_only) return {Verdict::kImplDiffers, "IMPL only: " + FirstFailure(r)};
  if (known)
    return {Verdict::kNewFailure, std::string("listed as ") + StatusName(known->status) + ", but " +
                                      StatusName(r.status) + ": " + FirstFailure(r)};
  return {Verdict::kNewFailure, FirstFailure(r)};
}

}  // namespace conform
