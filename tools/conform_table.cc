#include "tools/conform_table.h"

#include <string>

namespace conform {
namespace {

// The verdict column: the status, and what the expectations make of it.
std::string Describe(const ClauseRecord& c, const RuntimeRun& run) {
  std::string s = StatusName(c.status);
  std::string note;
  for (size_t i : c.scenarios) {
    const ScenarioRecord& rec = run.scenarios[i];
    if (rec.judgement.verdict == c.verdict && !rec.judgement.note.empty()) {
      note = rec.judgement.note;
      break;
    }
  }
  switch (c.verdict) {
    case Verdict::kPass: return s;
    case Verdict::kPassEngine: return std::string(VerdictLabel(c.verdict)) + "  (" + note + ")";
    case Verdict::kUnsupported: return s + "  (" + note + ")";
    case Verdict::kFlaky: return s + "  flaky, ignored (" + note + ")";
    case Verdict::kExpectedFailure: return s + "  expected (" + note + ")";
    case Verdict::kImplDiffers: return s + "  implementation differs; not a failure";
    case Verdict::kUnexpectedPass: return s + "  UNEXPECTED PASS: " + note;
    case Verdict::kNewFailure: return s + "  NEW FAILURE: " + note;
  }
  return s;
}

void PrintSection(const RuntimeRun& run, const std::string& level, const char* title, std::FILE* out) {
  std::fprintf(out, "\n%s\n", title);
  std::string area;
  for (const auto& c : run.clauses) {
    if (c.clause.level != level) continue;
    if (c.area != area) std::fprintf(out, "  [%s]\n", (area = c.area).c_str());
    std::string d = Describe(c, run);
    if (d.size() > 140) d = d.substr(0, 137) + "...";
    std::fprintf(out, "    %-48s %s\n", c.clause.id.c_str(), d.c_str());
  }
}

}  // namespace

void PrintClauseTable(const RuntimeRun& run, std::FILE* out) {
  PrintSection(run, "MUST", "MUST clauses", out);
  PrintSection(run, "IMPL", "IMPL clauses (Go's own choices: reported, never failing)", out);
  RunCounts n = CountRun(run);
  // errors: malformed scenarios, which no clause is credited with.
  std::string engine = n.clauses_passed_engine == 0
                           ? ""
                           : std::to_string(n.clauses_passed_engine) + " passed only through the shared engine, ";
  std::fprintf(out,
               "\n%d passed, %d failed, %d errors (%s, MUST clauses; also %s%d expected failures, %d unexpected passes, "
               "%d unsupported, %d flaky; %d IMPL differ; %.1fs)%s\n",
               n.clauses_passed, n.clauses_failed, n.scenario_errors, run.runtime.c_str(), engine.c_str(),
               n.clauses_expected,
               n.clauses_unexpected_pass, n.clauses_unsupported, n.clauses_flaky, n.clauses_impl_differs,
               run.seconds, run.interrupted ? "\nINTERRUPTED: only the scenarios that finished are counted" : "");
}

void PrintProblems(const RuntimeRun& run, std::FILE* out) {
  for (const auto& s : run.scenarios) {
    if (s.result.invalid) {
      for (const auto& f : s.result.failures) std::fprintf(out, "error (malformed scenario): %s\n", f.c_str());
      continue;
    }
    if (!IsProblem(s.judgement.verdict)) continue;
    std::fprintf(out, "%s %s: %s\n", VerdictName(s.judgement.verdict), s.file.c_str(), s.judgement.note.c_str());
  }
}

}  // namespace conform
