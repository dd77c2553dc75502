// A runtime's expectations file (conformance/expectations/<runtime>.txt), in
// the spirit of WebKit's test262 expectations: the scenarios it is known not
// to pass, each with the status seen, a category and a reason.
//
//   # comment
//   conformance/scenarios/stack/default-limit.scn | FAIL | impl | why
//   flaky conformance/scenarios/select/x.scn | why
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "conformance/runner/runner.h"

namespace conform {

// One line of the file.
struct KnownIssue {
  std::string path;  // a scenario path, or a suffix of one after a '/'
  bool flaky = false;
  Status status = Status::kFail;  // the status the runtime shows; unused when flaky
  std::string category;           // a short tag (impl, capability, bug, new, ...); empty when flaky
  std::string reason;
  int line = 0;
};

class ExpectationsFile {
 public:
  std::vector<std::string> header;  // the leading comment lines, kept on update
  std::vector<KnownIssue> entries;

  // Parses the text of file `name`; appends "name:line: message" to *errors
  // for each bad line, and returns nullopt if there was any.
  static std::optional<ExpectationsFile> Parse(std::string_view text, const std::string& name,
                                               std::vector<std::string>* errors);

  // Reads and parses `path`; a missing file is an empty expectations file.
  static std::optional<ExpectationsFile> Read(const std::string& path, std::vector<std::string>* errors);

  // The entry for the scenario at `path` (the whole path, or an entry that is
  // a '/'-bounded suffix of it); nullptr when it has none.
  const KnownIssue* Find(std::string_view path) const;

  // The file's text: header, then the entries sorted by path.
  std::string Format() const;

  // A copy updated from a run: every non-passing result gets an entry
  // (keeping an existing entry's category and reason; new ones get category
  // "new" and reason "TODO"), entries for results that passed are dropped,
  // flaky entries and entries for scenarios not run are kept.
  ExpectationsFile Updated(const std::vector<ScenarioResult>& results) const;
};

// Whether `entry` names the scenario at `path` (equal, or a suffix after '/').
bool PathMatches(std::string_view entry, std::string_view path);

}  // namespace conform
