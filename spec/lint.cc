#include "spec/lint.h"

#include <map>
#include <set>

namespace spec {
namespace {

// "a/b/chan/x.scn" -> "chan".
std::string AreaDir(const std::string& path) {
  size_t slash = path.rfind('/');
  if (slash == std::string::npos || slash == 0) return "";
  size_t prev = path.rfind('/', slash - 1);
  return path.substr(prev == std::string::npos ? 0 : prev + 1,
                     slash - (prev == std::string::npos ? 0 : prev + 1));
}

// Whether a block reads NumGoroutine (a `numgoroutine` statement or a poll on it).
bool UsesNumGoroutine(const conform::lang::Block& b) {
  for (const auto& s : b) {
    if (s.op == conform::lang::Op::kNumGoroutine) return true;
    if (s.op == conform::lang::Op::kPoll && s.cond.numgoroutine) return true;
    if (UsesNumGoroutine(s.body) || UsesNumGoroutine(s.default_body)) return true;
    for (const auto& c : s.cases)
      if (UsesNumGoroutine(c.body)) return true;
  }
  return false;
}

}  // namespace

std::vector<std::string> ScenarioProblems(const std::vector<Clause>* clauses,
                                          const conform::lang::Scenario& sc) {
  std::vector<std::string> problems;
  if (sc.clauses.empty()) problems.push_back(sc.file + ": names no clause (@clause)");
  bool has_exit = false;
  for (const auto& e : sc.expect) has_exit |= e.kind == conform::lang::Expectation::Kind::kExit;
  if (!has_exit) problems.push_back(sc.file + ": has no @expect exit");
  for (const std::string& id : clauses ? sc.clauses : std::vector<std::string>{}) {
    const Clause* clause = nullptr;
    for (const Clause& c : *clauses)
      if (c.id == id && !clause) clause = &c;
    if (!clause) {
      problems.push_back(sc.file + ": names unknown clause " + id);
      continue;
    }
    const std::string& cap = clause->capability;
    bool declared = false;
    for (const auto& r : sc.requires_caps) declared |= r == cap;
    if (!cap.empty() && !declared)
      problems.push_back(sc.file + ": clause " + id + " needs capability " + cap +
                         " but the scenario does not @requires it");
  }
  return problems;
}

std::vector<std::string> Lint(const std::vector<Clause>& clauses,
                              const std::vector<conform::lang::Scenario>& scenarios) {
  std::vector<std::string> problems;
  std::map<std::string, const Clause*> by_id;
  for (const Clause& c : clauses)
    if (!by_id.emplace(c.id, &c).second)
      problems.push_back("clauses.txt:" + std::to_string(c.line) + ": duplicate clause id " + c.id);

  std::map<std::string, int> covered;  // clause -> scenarios naming it
  for (const auto& sc : scenarios) {
    for (std::string& p : ScenarioProblems(&clauses, sc)) problems.push_back(std::move(p));
    for (const std::string& id : sc.clauses)
      if (by_id.count(id)) ++covered[id];
    // Diagnosis: a wrong NumGoroutine must fail the numgoroutine clauses,
    // not every scenario that happened to wait with it.
    bool counts = false;
    for (const std::string& id : sc.clauses) counts |= id.rfind("numgoroutine.", 0) == 0;
    bool uses = UsesNumGoroutine(sc.main);
    for (const auto& b : sc.inits) uses |= UsesNumGoroutine(b);
    if (uses && !counts)
      problems.push_back(sc.file + ": reads NumGoroutine but names no numgoroutine.* clause (wait with a variable instead)");
    if (!sc.clauses.empty()) {
      std::string area = sc.clauses[0].substr(0, sc.clauses[0].find('.'));
      if (AreaDir(sc.file) != area)
        problems.push_back(sc.file + ": first clause " + sc.clauses[0] + " belongs in directory " + area + "/");
    }
  }
  for (const Clause& c : clauses) {
    if (c.level != "MUST") continue;
    const int n = covered.count(c.id) ? covered[c.id] : 0;
    if (n == 0)
      problems.push_back("clauses.txt:" + std::to_string(c.line) + ": MUST clause " + c.id +
                         " is covered by no scenario");
    else if (n < kMinScenariosPerMustClause)
      problems.push_back("clauses.txt:" + std::to_string(c.line) + ": MUST clause " + c.id +
                         " is covered by " + std::to_string(n) + " scenario, fewer than " +
                         std::to_string(kMinScenariosPerMustClause));
  }
  return problems;
}

}  // namespace spec
