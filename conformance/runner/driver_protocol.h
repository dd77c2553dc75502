// Driver protocol 2 (INTERPRETING.md): what `driver --capabilities` says
// about a driver, parsed strictly, and asking a driver for it. A driver that
// cannot be started, speaks another version or prints anything else gets one
// clear error for the whole run, never an ERROR per scenario.
#pragma once

#include <optional>
#include <set>
#include <string>
#include <vector>

#include "conformance/runner/families.h"

namespace conform {

// The protocol version this runner speaks.
inline constexpr int kDriverProtocol = 2;

// A driver's answer to --capabilities.
struct DriverInfo {
  int protocol = kDriverProtocol;
  std::set<std::string> capabilities;
  FamilyMap families;                 // every known family, exactly once
  std::vector<std::string> identity;  // what exactly ran, in the driver's order
};

// Parses the --capabilities output `text`; nullopt with a one-line reason
// in *error when it is not protocol 2 (wrong or missing version line,
// unknown key, capability or family, a family missing or repeated).
std::optional<DriverInfo> ParseDriverInfo(const std::string& text, std::string* error);

// A driver command: the program and its fixed arguments, plus "K=V"
// entries added to its environment.
struct DriverCommand {
  std::vector<std::string> argv;
  std::vector<std::string> env;
};

// Runs `command --capabilities` and parses its answer; nullopt with a
// one-line reason in *error (not found, not executable, failed, timed out,
// or not protocol 2).
std::optional<DriverInfo> QueryDriver(const DriverCommand& command, std::string* error);

// Applies capability overrides to `caps`: "-preemptive,+fairness" removes
// and adds; "os-threads,syscalls" (no signs) replaces the set; "" changes
// nothing. nullopt with the reason in *error for an unknown name or a mix
// of signed and unsigned entries.
std::optional<std::set<std::string>> ApplyCapabilityOverrides(const std::set<std::string>& caps,
                                                              const std::string& overrides, std::string* error);

}  // namespace conform
