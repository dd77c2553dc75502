// Prints a syntax tree back as scenario text, so that generated and shrunk
// scenarios can be shown to and replayed by anyone. Parse(Print(s)) == s.
#pragma once

#include <string>

#include "conformance/lang/ast.h"

namespace conform::lang {

// The whole scenario: header lines, init blocks, then main's body.
std::string Print(const Scenario& sc);

// One block of statements, indented by `indent` levels of two spaces.
std::string PrintBlock(const Block& b, int indent);

// One event pattern, e.g. `g2 recv 5,true`.
std::string PrintPattern(const EventPattern& p);

// Zeroes every source position, so trees from different texts compare equal.
void ClearPositions(Scenario* sc);

}  // namespace conform::lang
