#include "conformance/runner/driver_protocol.h"

#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <sstream>

#include "conformance/lang/ast.h"
#include "conformance/runner/child_process.h"

namespace conform {
namespace {

constexpr int64_t kQueryTimeoutMs = 30'000;  // a Go driver asks its toolchain for its identity

// A line as quoted in an error: printable ASCII, at most 60 characters.
std::string Quote(const std::string& line) {
  std::string out;
  for (unsigned char c : line.substr(0, 60)) out += (c >= 0x20 && c < 0x7f) ? static_cast<char>(c) : '?';
  return "'" + out + (line.size() > 60 ? "...'" : "'");
}

bool Known(const std::vector<std::string>& names, const std::string& n) {
  return std::find(names.begin(), names.end(), n) != names.end();
}

std::string Join(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

// Splits "KEY REST" at the first space.
std::pair<std::string, std::string> SplitKey(const std::string& line) {
  size_t sp = line.find(' ');
  if (sp == std::string::npos) return {line, ""};
  return {line.substr(0, sp), line.substr(sp + 1)};
}

// Parses the first line; the version, or nullopt with the reason.
std::optional<int> ParseVersionLine(const std::string& line, std::string* error) {
  auto [key, rest] = SplitKey(line);
  if (key != "goconform-protocol") {
    if (Known(lang::KnownCapabilities(), line))
      *error = "speaks protocol 1 (its first line is the bare capability " + Quote(line) + "); this runner speaks " +
               "protocol 2: the first line must be 'goconform-protocol 2' (see conformance/INTERPRETING.md)";
    else
      *error = "does not speak the driver protocol: its first line is " + Quote(line) +
               ", not 'goconform-protocol 2' (see conformance/INTERPRETING.md)";
    return std::nullopt;
  }
  char* end = nullptr;
  long v = std::strtol(rest.c_str(), &end, 10);
  if (rest.empty() || *end) {
    *error = "bad version line " + Quote(line);
    return std::nullopt;
  }
  if (v != kDriverProtocol) {
    *error = "speaks goconform-protocol " + std::to_string(v) + "; this runner speaks " +
             std::to_string(kDriverProtocol);
    return std::nullopt;
  }
  return static_cast<int>(v);
}

// Parses one line after the version line into *info; false with *error.
bool ParseLine(const std::string& line, int n, DriverInfo* info, std::string* error) {
  auto [key, rest] = SplitKey(line);
  std::string where = "line " + std::to_string(n) + " " + Quote(line) + ": ";
  if (key == "capability") {
    if (!Known(lang::KnownCapabilities(), rest)) {
      *error = where + "unknown capability (known: " + Join(lang::KnownCapabilities()) + ")";
      return false;
    }
    info->capabilities.insert(rest);
    return true;
  }
  if (key == "family") {
    auto [name, source] = SplitKey(rest);
    if (!Known(KnownFamilies(), name)) {
      *error = where + "unknown family (known: " + Join(KnownFamilies()) + ")";
      return false;
    }
    FamilySource s;
    if (source == "native") s = FamilySource::kNative;
    else if (source == "engine") s = FamilySource::kEngine;
    else if (source == "absent") s = FamilySource::kAbsent;
    else {
      *error = where + "a family is native, engine or absent";
      return false;
    }
    if (!info->families.emplace(name, s).second) {
      *error = where + "family " + name + " declared twice";
      return false;
    }
    return true;
  }
  if (key == "identity") {
    if (rest.empty()) {
      *error = where + "identity needs a text";
      return false;
    }
    info->identity.push_back(rest);
    return true;
  }
  *error = where + "unknown key (known: capability, family, identity)";
  return false;
}

// Why `program` cannot be run, or "" when it can.
std::string CannotRun(const std::string& program) {
  if (!program.empty() && program.find('/') == std::string::npos && access(program.c_str(), F_OK) != 0)
    return "is not on PATH (for a file in this directory, write ./" + program + ")";
  return ExecutableProblem(program);
}

// The first non-empty line of `text`, for a one-line error.
std::string FirstLine(const std::string& text) {
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line))
    if (!line.empty()) return line;
  return "";
}

}  // namespace

std::optional<DriverInfo> ParseDriverInfo(const std::string& text, std::string* error) {
  std::istringstream in(text);
  std::string line;
  int n = 0;
  DriverInfo info;
  bool versioned = false;
  while (std::getline(in, line)) {
    ++n;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (!versioned) {
      auto v = ParseVersionLine(line, error);
      if (!v) return std::nullopt;
      info.protocol = *v;
      versioned = true;
      continue;
    }
    if (line.empty()) continue;
    if (!ParseLine(line, n, &info, error)) return std::nullopt;
  }
  if (!versioned) {
    *error = "printed nothing for --capabilities (protocol 2 starts with 'goconform-protocol 2')";
    return std::nullopt;
  }
  std::vector<std::string> missing;
  for (const auto& f : KnownFamilies())
    if (!info.families.count(f)) missing.push_back(f);
  if (!missing.empty()) {
    *error = "declares no source for the famil" + std::string(missing.size() == 1 ? "y " : "ies ") + Join(missing) +
             " (every family is native, engine or absent)";
    return std::nullopt;
  }
  return info;
}

std::optional<DriverInfo> QueryDriver(const DriverCommand& command, std::string* error) {
  const std::string& program = command.argv.empty() ? std::string() : command.argv[0];
  if (std::string why = CannotRun(program); !why.empty()) {
    *error = "driver " + program + " " + why;
    return std::nullopt;
  }
  std::vector<std::string> argv = command.argv;
  argv.push_back("--capabilities");
  ChildResult r = RunChild(argv, std::nullopt, kQueryTimeoutMs, command.env, {int64_t{256} << 20, 1 << 20});
  std::string prefix = "driver " + program + " ";
  if (!r.spawn_error.empty()) {
    *error = prefix + "could not be started: " + r.spawn_error;
    return std::nullopt;
  }
  if (r.timed_out) {
    *error = prefix + "--capabilities did not exit within " + std::to_string(kQueryTimeoutMs / 1000) + " s";
    return std::nullopt;
  }
  if (!r.limit.empty()) {
    *error = prefix + "--capabilities was killed: " + r.limit;
    return std::nullopt;
  }
  if (WIFSIGNALED(r.wait_status)) {
    *error = prefix + "--capabilities was killed by signal " + strsignal(WTERMSIG(r.wait_status));
    return std::nullopt;
  }
  if (WEXITSTATUS(r.wait_status) != 0) {
    std::string why = FirstLine(r.err);
    *error = prefix + "--capabilities exited " + std::to_string(WEXITSTATUS(r.wait_status)) +
             (why.empty() ? "" : ": " + why);
    return std::nullopt;
  }
  std::string why;
  auto info = ParseDriverInfo(r.out, &why);
  if (!info) *error = prefix + why;
  return info;
}

std::optional<std::set<std::string>> ApplyCapabilityOverrides(const std::set<std::string>& caps,
                                                              const std::string& overrides, std::string* error) {
  std::set<std::string> out = caps;
  std::stringstream items(overrides);
  std::string item;
  int signed_items = 0, plain_items = 0;
  std::set<std::string> plain;
  while (std::getline(items, item, ',')) {
    if (item.empty()) continue;
    char sign = item[0] == '+' || item[0] == '-' ? item[0] : 0;
    std::string name = sign ? item.substr(1) : item;
    if (!Known(lang::KnownCapabilities(), name)) {
      *error = "unknown capability '" + name + "' in '" + overrides + "' (known: " + Join(lang::KnownCapabilities()) + ")";
      return std::nullopt;
    }
    if (sign == '+') out.insert(name);
    else if (sign == '-') out.erase(name);
    else plain.insert(name);
    (sign ? signed_items : plain_items)++;
  }
  if (signed_items && plain_items) {
    *error = "capabilities '" + overrides + "': either every entry is +NAME/-NAME (a change) or none is (the whole set)";
    return std::nullopt;
  }
  return plain_items ? plain : out;
}

}  // namespace conform
