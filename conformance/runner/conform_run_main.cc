// conform_run: runs scenario files against a driver and prints a verdict per
// scenario and per clause.
//   conform_run --driver PATH [--clauses spec/clauses.txt] FILE_OR_DIR...
// Exit status: 0 when no MUST clause failed, 1 otherwise, 2 on bad usage.
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <map>

#include "conformance/runner/runner.h"
#include "spec/clauses.h"

namespace {

namespace fs = std::filesystem;
using conform::Status;

std::vector<std::string> ScenarioFiles(const std::vector<std::string>& args) {
  std::vector<std::string> out;
  for (const auto& a : args) {
    if (fs::is_directory(a)) {
      for (const auto& e : fs::recursive_directory_iterator(a))
        if (e.path().extension() == ".scn") out.push_back(e.path().string());
    } else {
      out.push_back(a);
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

// Worse statuses win when a clause has several scenarios.
int Rank(Status s) {
  switch (s) {
    case Status::kPass: return 0;
    case Status::kUnsupported: return 1;
    default: return 2;
  }
}

}  // namespace

int main(int argc, char** argv) {
  std::string driver, clauses_path = "spec/clauses.txt";
  std::vector<std::string> inputs;
  for (int k = 1; k < argc; ++k) {
    std::string a = argv[k];
    if (a == "--driver" && k + 1 < argc) driver = argv[++k];
    else if (a == "--clauses" && k + 1 < argc) clauses_path = argv[++k];
    else inputs.push_back(a);
  }
  if (driver.empty() || inputs.empty()) {
    std::fprintf(stderr, "usage: conform_run --driver PATH [--clauses FILE] FILE_OR_DIR...\n");
    return 2;
  }
  std::string err;
  auto clauses = spec::ReadClauses(clauses_path, &err);
  if (!clauses) std::fprintf(stderr, "warning: %s (clause table skipped)\n", err.c_str());
  std::set<std::string> caps = conform::QueryCapabilities(driver);
  std::string cap_list;
  for (const auto& c : caps) cap_list += " " + c;
  std::printf("driver %s, capabilities:%s\n", driver.c_str(), cap_list.empty() ? " none" : cap_list.c_str());

  std::vector<std::string> files = ScenarioFiles(inputs);
  std::map<std::string, Status> by_clause;
  int passed = 0, failed = 0, unsupported = 0, k = 0;
  for (const auto& f : files) {
    conform::lang::Scenario sc;
    conform::ScenarioResult r = conform::RunScenarioFile(driver, caps, f, &sc);
    ++k;
    std::printf("[%d/%zu] %-11s %s (%.2fs)\n", k, files.size(), conform::StatusName(r.status), f.c_str(), r.seconds);
    if (r.status != Status::kPass && r.status != Status::kUnsupported)
      for (const auto& why : r.failures) std::printf("      %s\n", why.c_str());
    std::fflush(stdout);
    if (r.status == Status::kPass) ++passed;
    else if (r.status == Status::kUnsupported) ++unsupported;
    else ++failed;
    for (const auto& id : sc.clauses) {
      auto [it, fresh] = by_clause.try_emplace(id, r.status);
      if (!fresh && Rank(r.status) > Rank(it->second)) it->second = r.status;
    }
  }
  int must_failed = 0;
  if (clauses) {
    std::printf("\n%-52s %-5s %s\n", "clause", "level", "verdict");
    for (const auto& c : *clauses) {
      auto it = by_clause.find(c.id);
      std::string verdict = it == by_clause.end() ? "no scenario" : conform::StatusName(it->second);
      bool bad = it != by_clause.end() && Rank(it->second) == 2;
      if (bad && c.level == "MUST") ++must_failed;
      if (bad && c.level == "IMPL") verdict += " (implementation differs; not a failure)";
      std::printf("%-52s %-5s %s\n", c.id.c_str(), c.level.c_str(), verdict.c_str());
    }
  }
  std::printf("\n%d passed, %d failed, %d unsupported; %d MUST clauses failed\n", passed, failed,
              unsupported, must_failed);
  return must_failed == 0 ? 0 : 1;
}
