#include "conformance/runner/suite_run.h"

#include <algorithm>
#include <fstream>
#include <map>
#include <sstream>

#include "conformance/runner/suite.h"

namespace conform {
namespace {

std::string ReadText(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::vector<std::string> ExpectLines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("@expect", 0) == 0) out.push_back(line);
  return out;
}

// Clause id -> clause, with unknown ids as MUST (a typo must not hide a failure).
const spec::Clause& ClauseFor(const std::string& id, std::map<std::string, spec::Clause>& by_id) {
  auto [it, fresh] = by_id.try_emplace(id);
  if (fresh) {
    it->second.id = id;
    it->second.level = "MUST";
    it->second.statement = "(not in spec/clauses.txt)";
  }
  return it->second;
}

ScenarioRecord MakeRecord(const ScenarioResult& r, const lang::Scenario& sc,
                          std::map<std::string, spec::Clause>& by_id, const ExpectationsFile* expectations) {
  ScenarioRecord rec;
  rec.file = r.file;
  rec.clauses = sc.clauses;
  rec.area = ScenarioArea(r.file, sc.clauses);
  rec.impl_only = !sc.clauses.empty();
  for (const auto& id : sc.clauses)
    if (ClauseFor(id, by_id).level != "IMPL") rec.impl_only = false;
  rec.text = ReadText(r.file);
  rec.expected = ExpectLines(rec.text);
  rec.result = r;
  if (expectations)
    if (const KnownIssue* k = expectations->Find(r.file)) rec.known = *k;
  rec.judgement = JudgeResult(r, rec.impl_only, rec.known ? &*rec.known : nullptr);
  return rec;
}

}  // namespace

void JudgeRun(const std::vector<ScenarioResult>& results, const std::vector<lang::Scenario>& parsed,
              const std::vector<spec::Clause>& clauses, const ExpectationsFile* expectations,
              RuntimeRun* run) {
  std::map<std::string, spec::Clause> by_id;
  std::vector<std::string> order;
  for (const auto& c : clauses) {
    by_id[c.id] = c;
    order.push_back(c.id);
  }
  std::map<std::string, ClauseRecord> by_clause;
  for (size_t i = 0; i < results.size(); ++i) {
    run->scenarios.push_back(MakeRecord(results[i], parsed[i], by_id, expectations));
    const ScenarioRecord& rec = run->scenarios.back();
    if (rec.result.invalid) continue;  // a malformed scenario is evidence for no clause
    for (const auto& id : rec.clauses) {
      auto [it, fresh] = by_clause.try_emplace(id);
      ClauseRecord& cr = it->second;
      if (fresh) {
        cr.clause = ClauseFor(id, by_id);
        cr.area = id.substr(0, id.find('.'));
        cr.status = rec.result.status;
        cr.verdict = rec.judgement.verdict;
        if (std::find(order.begin(), order.end(), id) == order.end()) order.push_back(id);
      }
      cr.status = WorseStatus(cr.status, rec.result.status);
      if (rec.judgement.verdict > cr.verdict) cr.verdict = rec.judgement.verdict;
      cr.scenarios.push_back(run->scenarios.size() - 1);
    }
  }
  for (const auto& id : order)
    if (auto it = by_clause.find(id); it != by_clause.end()) run->clauses.push_back(it->second);
}

RunCounts CountRun(const RuntimeRun& run) {
  RunCounts n;
  for (const auto& c : run.clauses) {
    if (c.clause.level == "IMPL") {
      n.clauses_impl_differs += c.verdict == Verdict::kImplDiffers;
      n.clauses_unexpected_pass += c.verdict == Verdict::kUnexpectedPass;
      continue;
    }
    switch (c.verdict) {
      case Verdict::kPass: ++n.clauses_passed; break;
      case Verdict::kPassEngine: ++n.clauses_passed_engine; break;
      case Verdict::kUnsupported: ++n.clauses_unsupported; break;
      case Verdict::kFlaky: ++n.clauses_flaky; break;
      case Verdict::kExpectedFailure:
      case Verdict::kImplDiffers: ++n.clauses_expected; break;
      case Verdict::kUnexpectedPass: ++n.clauses_unexpected_pass; break;
      case Verdict::kNewFailure: ++n.clauses_failed; break;
    }
  }
  for (const auto& s : run.scenarios) {
    ++n.scenarios;
    bool passed = s.result.status == Status::kPass;
    n.scenarios_passed += passed && s.result.engine_families.empty();
    n.scenarios_passed_engine += passed && !s.result.engine_families.empty();
    n.scenario_errors += s.result.invalid;
    n.problems += IsProblem(s.judgement.verdict) || s.result.invalid;
  }
  return n;
}

}  // namespace conform
