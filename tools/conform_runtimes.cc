#include "tools/conform_runtimes.h"

#include <filesystem>

namespace conform {
namespace {

namespace fs = std::filesystem;

std::string Absolute(const std::string& path, const std::string& cwd) {
  if (path.empty()) return path;
  return (fs::path(cwd) / path).lexically_normal().string();
}

std::string Join(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

// The runtime --driver describes: its name is --name, else the file name of
// the command's last word that is not an option (`python3 my_driver.py`
// is my_driver).
std::optional<RuntimeSpec> DriverRuntime(const ConformFlags& flags, std::string* error) {
  auto words = SplitCommand(flags.driver);
  if (!words || words->empty()) {
    *error = "--driver needs a program" + std::string(words ? "" : " (unterminated quote)");
    return std::nullopt;
  }
  RuntimeSpec spec;
  spec.command.argv = *words;
  spec.name = flags.name;
  if (spec.name.empty())
    for (const auto& w : *words)
      if (w.rfind("-", 0) != 0) spec.name = fs::path(w).stem().string();
  if (!ValidRuntimeName(spec.name)) {
    *error = "--name '" + spec.name + "' must be letters, digits, '.', '_' or '-' (it names the report files)";
    return std::nullopt;
  }
  spec.description = "driver";
  for (const auto& w : *words) spec.description += " " + w;
  return spec;
}

// Every runtime known to this invocation; an error for a bad file or a
// name given twice.
std::optional<std::vector<RuntimeSpec>> AllRuntimes(const ConformFlags& flags, const std::vector<RuntimeSpec>& builtin,
                                                    std::string* error) {
  std::vector<RuntimeSpec> all = builtin;
  for (const auto& f : flags.runtime_files) {
    auto spec = ReadRuntimeFile(f, error);
    if (!spec) return std::nullopt;
    all.push_back(*spec);
  }
  if (!flags.driver.empty()) {
    auto spec = DriverRuntime(flags, error);
    if (!spec) return std::nullopt;
    all.push_back(*spec);
  }
  for (size_t i = 0; i < all.size(); ++i)
    for (size_t j = 0; j < i; ++j)
      if (all[i].name == all[j].name) {
        auto from = [](const RuntimeSpec& s) { return s.file.empty() ? std::string("--driver") : s.file; };
        *error = "two runtimes are named '" + all[i].name + "': " + from(all[j]) + " and " + from(all[i]) +
                 (all[i].file.empty() ? " (give --name=OTHER)" : "");
        return std::nullopt;
      }
  return all;
}

// The one runtime to run without --all.
std::optional<RuntimeSpec> ChooseOne(const ConformFlags& flags, const std::vector<RuntimeSpec>& all,
                                     const std::string& default_name, std::string* error) {
  std::string name = flags.runtime;
  if (!flags.driver.empty()) return all.back();
  if (name.empty() && flags.runtime_files.size() > 1) {
    *error = "several --runtime-file: choose one with --runtime=NAME, or run them all with --all";
    return std::nullopt;
  }
  if (name.empty() && flags.runtime_files.size() == 1) return all.back();
  if (name.empty()) name = default_name;
  for (const auto& r : all)
    if (r.name == name) return r;
  *error = "unknown runtime '" + name + "' (known: " + Join(RuntimeNames(all)) +
           "; or give --driver=CMD or --runtime-file=PATH)";
  return std::nullopt;
}

}  // namespace

void ResolveUserPaths(ConformFlags* flags, const std::string& cwd) {
  if (auto words = SplitCommand(flags->driver); words && !words->empty()) {
    (*words)[0] = ResolveProgram((*words)[0], cwd);
    std::string line;
    for (const auto& w : *words) {
      std::string quoted = "\"";
      for (char c : w) quoted += (c == '"' || c == '\\') ? std::string("\\") + c : std::string(1, c);
      line += (line.empty() ? "" : " ") + quoted + "\"";
    }
    flags->driver = line;
  }
  flags->expectations = Absolute(flags->expectations, cwd);
  for (auto& f : flags->runtime_files) f = Absolute(f, cwd);
  if (!flags->go.empty()) flags->go = ResolveProgram(flags->go, cwd);
  if (!flags->gccgo.empty()) flags->gccgo = ResolveProgram(flags->gccgo, cwd);
}

std::optional<std::vector<RuntimeSpec>> ReadRuntimesIn(const std::string& dir, std::string* error) {
  std::vector<RuntimeSpec> out;
  for (const auto& f : RuntimeFilesIn(dir)) {
    auto spec = ReadRuntimeFile(f, error);
    if (!spec) return std::nullopt;
    out.push_back(*spec);
  }
  return out;
}

std::optional<std::vector<RuntimeSpec>> ChooseRuntimes(const ConformFlags& flags,
                                                       const std::vector<RuntimeSpec>& builtin,
                                                       const std::string& default_name, std::string* error) {
  auto all = AllRuntimes(flags, builtin, error);
  if (!all) return std::nullopt;
  if (flags.all) return all;
  auto one = ChooseOne(flags, *all, default_name, error);
  if (!one) return std::nullopt;
  if (!flags.expectations.empty()) one->expectations = flags.expectations;
  if (flags.capabilities) {
    std::string why;
    if (!ApplyCapabilityOverrides({}, *flags.capabilities, &why)) {
      *error = "--capabilities: " + why;
      return std::nullopt;
    }
    one->capabilities.push_back(*flags.capabilities);
  }
  return std::vector<RuntimeSpec>{*one};
}

std::vector<std::string> RuntimeNames(const std::vector<RuntimeSpec>& runtimes) {
  std::vector<std::string> names;
  for (const auto& r : runtimes) names.push_back(r.name);
  return names;
}

}  // namespace conform
