// RapidCheck generators of random, well-formed scenarios for the property
// tests (and the seed of the differential fuzzer's decoder): goroutines,
// defers, Goexit, panics with recover, channels, select, close, Gosched,
// LockOSThread, NumGoroutine reads and short blocking syscalls. No operation
// whose outcome depends on time (sleep, spin, poll on a deadline), so every
// run ends or deadlocks on its own, and its trace can be judged by the model.
#pragma once

#include <rapidcheck.h>

#include "conformance/lang/ast.h"

namespace conform::properties {

// A scenario: two channels made first, then a random body of main, then a
// poll that gives the other goroutines a moment before main returns.
rc::Gen<lang::Scenario> GenScenario();

}  // namespace conform::properties
