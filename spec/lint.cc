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

  std::set<std::string> covered;
  for (const auto& sc : scenarios) {
    for (std::string& p : ScenarioProblems(&clauses, sc)) problems.push_back(std::move(p));
    for (const std::string& id : sc.clauses)
      if (by_id.count(id)) covered.insert(id);
    if (!sc.clauses.empty()) {
      std::string area = sc.clauses[0].substr(0, sc.clauses[0].find('.'));
      if (AreaDir(sc.file) != area)
        problems.push_back(sc.file + ": first clause " + sc.clauses[0] + " belongs in directory " + area + "/");
    }
  }
  for (const Clause& c : clauses)
    if (c.level == "MUST" && !covered.count(c.id))
      problems.push_back("clauses.txt:" + std::to_string(c.line) + ": MUST clause " + c.id +
                         " is covered by no scenario");
  return problems;
}

}  // namespace spec
