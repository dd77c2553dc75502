#include "conformance/runner/expectations_file.h"

#include <algorithm>
#include <fstream>
#include <map>
#include <sstream>

namespace conform {
namespace {

std::string Trim(std::string_view s) {
  size_t a = s.find_first_not_of(" \t\r");
  if (a == std::string_view::npos) return "";
  size_t b = s.find_last_not_of(" \t\r");
  return std::string(s.substr(a, b - a + 1));
}

// Splits on '|' into at most `max_fields` trimmed fields; the last keeps any
// further '|' (a reason may contain one).
std::vector<std::string> Fields(std::string_view line, size_t max_fields) {
  std::vector<std::string> out;
  while (out.size() + 1 < max_fields) {
    size_t bar = line.find('|');
    if (bar == std::string_view::npos) break;
    out.push_back(Trim(line.substr(0, bar)));
    line.remove_prefix(bar + 1);
  }
  out.push_back(Trim(line));
  return out;
}

// Parses one non-comment line into *issue; an error message on failure.
std::optional<std::string> ParseLine(std::string_view line, KnownIssue* issue) {
  if (line.substr(0, 6) == "flaky " || line.substr(0, 6) == "flaky\t") {
    auto f = Fields(line.substr(6), 2);
    if (f.size() != 2 || f[0].empty() || f[1].empty())
      return std::string("expected 'flaky PATH | REASON'");
    issue->flaky = true;
    issue->path = f[0];
    issue->reason = f[1];
    return std::nullopt;
  }
  auto f = Fields(line, 4);
  if (f.size() != 4) return std::string("expected 'PATH | STATUS | CATEGORY | REASON' or 'flaky PATH | REASON'");
  if (f[0].empty()) return std::string("empty scenario path");
  auto status = StatusFromName(f[1]);
  if (!status || *status == Status::kPass)
    return "unknown status '" + f[1] + "' (FAIL, CRASH, TIMEOUT, UNSUPPORTED or ERROR)";
  if (f[2].empty() || f[2].find_first_of(" \t") != std::string::npos)
    return "category '" + f[2] + "' must be one word";
  if (f[3].empty()) return std::string("empty reason");
  issue->path = f[0];
  issue->status = *status;
  issue->category = f[2];
  issue->reason = f[3];
  return std::nullopt;
}

std::string FormatEntry(const KnownIssue& e) {
  if (e.flaky) return "flaky " + e.path + " | " + e.reason;
  return e.path + " | " + StatusName(e.status) + " | " + e.category + " | " + e.reason;
}

}  // namespace

bool PathMatches(std::string_view entry, std::string_view path) {
  if (entry == path) return true;
  return path.size() > entry.size() && path.substr(path.size() - entry.size()) == entry &&
         path[path.size() - entry.size() - 1] == '/';
}

std::optional<ExpectationsFile> ExpectationsFile::Parse(std::string_view text, const std::string& name,
                                                        std::vector<std::string>* errors) {
  ExpectationsFile file;
  std::map<std::string, int> seen;
  bool in_header = true, bad = false;
  std::istringstream in{std::string(text)};
  std::string raw;
  for (int number = 1; std::getline(in, raw); ++number) {
    std::string line = Trim(raw);
    if (line.empty() || line[0] == '#') {
      if (in_header && !line.empty()) file.header.push_back(line);
      continue;
    }
    in_header = false;
    KnownIssue issue;
    issue.line = number;
    std::optional<std::string> err = ParseLine(line, &issue);
    if (!err && seen.count(issue.path))
      err = "duplicate entry for " + issue.path + " (first at line " + std::to_string(seen[issue.path]) + ")";
    if (err) {
      errors->push_back(name + ":" + std::to_string(number) + ": " + *err);
      bad = true;
      continue;
    }
    seen[issue.path] = number;
    file.entries.push_back(std::move(issue));
  }
  if (bad) return std::nullopt;
  return file;
}

std::optional<ExpectationsFile> ExpectationsFile::Read(const std::string& path, std::vector<std::string>* errors) {
  std::ifstream in(path);
  if (!in) return ExpectationsFile{};
  std::stringstream ss;
  ss << in.rdbuf();
  return Parse(ss.str(), path, errors);
}

const KnownIssue* ExpectationsFile::Find(std::string_view path) const {
  for (const auto& e : entries)
    if (PathMatches(e.path, path)) return &e;
  return nullptr;
}

std::string ExpectationsFile::Format() const {
  std::vector<KnownIssue> sorted = entries;
  std::sort(sorted.begin(), sorted.end(), [](const auto& a, const auto& b) { return a.path < b.path; });
  std::string out;
  for (const auto& h : header) out += h + "\n";
  if (!header.empty()) out += "\n";
  for (const auto& e : sorted) out += FormatEntry(e) + "\n";
  return out;
}

ExpectationsFile ExpectationsFile::Updated(const std::vector<ScenarioResult>& results) const {
  ExpectationsFile next;
  next.header = header;
  auto ran = [&](const KnownIssue& e) {
    return std::any_of(results.begin(), results.end(), [&](const auto& r) { return PathMatches(e.path, r.file); });
  };
  for (const auto& e : entries)
    if (e.flaky || !ran(e)) next.entries.push_back(e);
  for (const auto& r : results) {
    if (r.status == Status::kPass) continue;
    const KnownIssue* old = Find(r.file);
    if (old && old->flaky) continue;
    KnownIssue e;
    e.path = old ? old->path : r.file;
    e.status = r.status;
    e.category = old ? old->category : "new";
    e.reason = old ? old->reason : "TODO";
    next.entries.push_back(std::move(e));
  }
  return next;
}

}  // namespace conform
