#include "conformance/runner/runtimes.h"

#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

namespace conform {
namespace {

namespace fs = std::filesystem;

std::string Trim(const std::string& s) {
  size_t b = s.find_first_not_of(" \t\r"), e = s.find_last_not_of(" \t\r");
  return b == std::string::npos ? "" : s.substr(b, e - b + 1);
}

// The folder of `path`, absolute.
fs::path FolderOf(const std::string& path) {
  return fs::absolute(fs::path(path)).lexically_normal().parent_path();
}

// The text of a line outside any "#" comment (a '#' inside a value's quotes
// does not start one).
std::string StripComment(const std::string& line) {
  bool quoted = false;
  for (size_t i = 0; i < line.size(); ++i) {
    if (line[i] == '\\' && quoted) ++i;
    else if (line[i] == '"') quoted = !quoted;
    else if (line[i] == '#' && !quoted) return line.substr(0, i);
  }
  return line;
}

bool ParseYesNo(const std::string& v, bool* out) {
  if (v == "yes" || v == "true") *out = true;
  else if (v == "no" || v == "false") *out = false;
  else return false;
  return true;
}

// Applies `key = value` to *spec; "" or the reason it is wrong.
std::string ApplyKey(const std::string& key, const std::string& value, const fs::path& folder,
                     std::set<std::string>* seen, RuntimeSpec* spec) {
  if (key != "env" && !seen->insert(key).second) return "'" + key + "' given twice";
  if (key == "name") {
    if (!ValidRuntimeName(value)) return "name '" + value + "' must be letters, digits, '.', '_' or '-'";
    spec->name = value;
  } else if (key == "command") {
    auto words = SplitCommand(value);
    if (!words) return "unterminated quote in command";
    if (words->empty()) return "command is empty";
    (*words)[0] = ResolveProgram((*words)[0], folder.string());
    spec->command.argv = *words;
  } else if (key == "env") {
    size_t eq = value.find('=');
    if (eq == std::string::npos || eq == 0) return "env needs NAME=VALUE, not '" + value + "'";
    spec->command.env.push_back(value);
  } else if (key == "capabilities") {
    std::string error;
    if (!ApplyCapabilityOverrides({}, value, &error)) return error;
    spec->capabilities.push_back(value);
  } else if (key == "expectations") {
    if (value.empty()) return "expectations needs a path";
    spec->expectations = (folder / value).lexically_normal().string();
  } else if (key == "prebuild") {
    if (!ParseYesNo(value, &spec->prebuild)) return "prebuild is yes or no, not '" + value + "'";
  } else if (key == "description") {
    spec->description = value;
  } else {
    return "unknown key '" + key + "' (known: name, command, env, capabilities, expectations, prebuild, description)";
  }
  return "";
}

}  // namespace

bool ValidRuntimeName(const std::string& name) {
  return !name.empty() && name[0] != '.' && name[0] != '-' && std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-';
  });
}

std::optional<std::vector<std::string>> SplitCommand(const std::string& line) {
  std::vector<std::string> words;
  std::string word;
  bool in_word = false, quoted = false;
  for (size_t i = 0; i < line.size(); ++i) {
    char c = line[i];
    if (quoted) {
      if (c == '\\' && i + 1 < line.size() && (line[i + 1] == '"' || line[i + 1] == '\\')) word += line[++i];
      else if (c == '"') quoted = false;
      else word += c;
    } else if (c == '"') {
      quoted = in_word = true;
    } else if (c == ' ' || c == '\t') {
      if (in_word) words.push_back(word);
      word.clear();
      in_word = false;
    } else {
      word += c;
      in_word = true;
    }
  }
  if (quoted) return std::nullopt;
  if (in_word) words.push_back(word);
  return words;
}

std::string ResolveProgram(const std::string& word, const std::string& base_dir) {
  if (word.find('/') != std::string::npos) return (fs::path(base_dir) / word).lexically_normal().string();
  const char* path = std::getenv("PATH");
  std::stringstream dirs(path ? path : "/usr/bin:/bin");
  std::string dir;
  while (std::getline(dirs, dir, ':')) {
    if (dir.empty()) continue;
    std::string candidate = dir + "/" + word;
    std::error_code ec;
    if (access(candidate.c_str(), X_OK) == 0 && !fs::is_directory(candidate, ec))
      return fs::absolute(candidate).lexically_normal().string();
  }
  return word;
}

std::optional<RuntimeSpec> ParseRuntimeFile(std::string_view text, const std::string& path, std::string* error) {
  RuntimeSpec spec;
  spec.file = path;
  fs::path folder = FolderOf(path);
  std::set<std::string> seen;
  std::istringstream in{std::string(text)};
  std::string raw;
  for (int n = 1; std::getline(in, raw); ++n) {
    std::string line = Trim(StripComment(raw));
    if (line.empty()) continue;
    size_t eq = line.find('=');
    std::string why;
    if (eq == std::string::npos) why = "expected 'key = value', not '" + line + "'";
    else why = ApplyKey(Trim(line.substr(0, eq)), Trim(line.substr(eq + 1)), folder, &seen, &spec);
    if (!why.empty()) {
      *error = path + ":" + std::to_string(n) + ": " + why;
      return std::nullopt;
    }
  }
  if (spec.name.empty() || spec.command.argv.empty()) {
    *error = path + ": needs " + std::string(spec.name.empty() ? "a name" : "a command") + " (name = ..., command = ...)";
    return std::nullopt;
  }
  return spec;
}

std::optional<RuntimeSpec> ReadRuntimeFile(const std::string& path, std::string* error) {
  std::ifstream in(path);
  if (!in) {
    *error = "cannot read runtime description " + path;
    return std::nullopt;
  }
  std::stringstream ss;
  ss << in.rdbuf();
  return ParseRuntimeFile(ss.str(), path, error);
}

std::optional<QueriedRuntime> QueryRuntime(const RuntimeSpec& spec, std::string* error) {
  auto info = QueryDriver(spec.command, error);
  if (!info) return std::nullopt;
  QueriedRuntime out{*info, info->capabilities};
  for (const auto& o : spec.capabilities) {
    auto next = ApplyCapabilityOverrides(out.capabilities, o, error);
    if (!next) return std::nullopt;
    out.capabilities = *next;
  }
  return out;
}

void ApplyDriver(const RuntimeSpec& spec, const DriverInfo& info, RunOptions* opts) {
  opts->prebuild = spec.prebuild;
  opts->driver_args.clear();
  if (!spec.command.argv.empty()) opts->driver_args.assign(spec.command.argv.begin() + 1, spec.command.argv.end());
  opts->driver_env = spec.command.env;
  opts->families = info.families;
}

std::vector<std::string> RuntimeFilesIn(const std::string& dir) {
  std::vector<std::string> out;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec))
    if (entry.path().extension() == ".runtime") out.push_back(entry.path().string());
  // By name ("go" before "go-asyncpreemptoff", though '-' sorts before '.').
  std::sort(out.begin(), out.end(),
            [](const std::string& a, const std::string& b) { return fs::path(a).stem() < fs::path(b).stem(); });
  return out;
}

}  // namespace conform
