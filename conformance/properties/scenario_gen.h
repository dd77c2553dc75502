// RapidCheck generators of random, well-formed scenarios for the property
// tests: goroutines, defers, Goexit through nested frames, panics with
// recover, channels of varied capacity, select with default, close (of a
// closed or nil channel, and send on a closed one, under a recover),
// Gosched, LockOSThread nesting with thread facts, init functions, GOMAXPROCS
// queries and settings, NumGoroutine reads, pipes, short blocking syscalls
// and sleeps, and (with capability stack-limit) SetMaxStack with recursion
// through call frames past the limit. No operation whose outcome depends on time (spin,
// a poll's deadline; a sleep's length shows in no trace), so every run ends
// or deadlocks on its own, and its trace can be judged by the model.
#pragma once

#include <rapidcheck.h>

#include <set>
#include <string>

#include "conformance/lang/ast.h"

namespace conform::properties {

// A scenario: maybe init functions, three channels made first (and n, nil),
// then a random body of main, then a poll that gives the other goroutines a
// moment before main returns (or, one time in three, blocks for good, so
// that the run ends in the deadlock report). `caps`: the capabilities of the runtime it is
// for (conformance/lang/ast.h); statements whose outcome needs one it lacks
// are not drawn.
rc::Gen<lang::Scenario> GenScenario(const std::set<std::string>& caps);

}  // namespace conform::properties
