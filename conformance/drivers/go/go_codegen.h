// Translates a scenario into a Go program that follows the driver contract
// (INTERPRETING.md): it writes the trace as JSON lines on stdout and leaves
// stderr and the exit status to the Go runtime. Every statement becomes the
// Go construct it names, so the program tests the real Go runtime.
#pragma once

#include <string>

#include "conformance/lang/ast.h"

namespace conform::gocodegen {

// The whole Go source (package main) for sc.
std::string Generate(const lang::Scenario& sc);

}  // namespace conform::gocodegen
