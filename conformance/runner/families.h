// Behaviour families (INTERPRETING.md, driver protocol 2): the parts of Go's
// semantics an adapter either takes from its runtime (native), borrows from
// this project's shared engine (engine), or lacks (absent). The runner
// derives from each scenario the families it needs, so that a pass that
// went through engine code is reported as PASS (engine), and a scenario
// needing an absent family is UNSUPPORTED.
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

#include "conformance/lang/ast.h"

namespace conform {

// Where a driver's runtime gets a family from.
enum class FamilySource { kNative, kEngine, kAbsent };

// "native", "engine", "absent".
const char* FamilySourceName(FamilySource s);

// Every family a driver must declare, in protocol order: defer, panic,
// goexit, channels, select, deadlock, numgoroutine, timers.
const std::vector<std::string>& KnownFamilies();

// The families scenario `sc` needs, from its statements (one switch over
// the statement kinds) and its expectations (Go's deadlock report).
std::set<std::string> NeededFamilies(const lang::Scenario& sc);

// A driver's declaration: family name -> source.
using FamilyMap = std::map<std::string, FamilySource>;

// The first needed family the driver declares absent, or "" when none is.
std::string AbsentFamily(const FamilyMap& declared, const std::set<std::string>& needed);

// The needed families the driver declares as engine, sorted.
std::vector<std::string> EngineFamilies(const FamilyMap& declared, const std::set<std::string>& needed);

}  // namespace conform
