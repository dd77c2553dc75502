// Decodes arbitrary bytes into a small, well-formed scenario that uses only
// deterministic operations (no time, threads, stacks or exit): go, gosched,
// goexit, defer, defer-value, panic, recover, call, record, chan, send,
// recv, close, select (with or without default), repeat, set, add, value and
// numgoroutine. Every byte string decodes to some scenario; running out of
// bytes ends the current block. Sizes are bounded so that the model's
// exploration stays small (main may end with `repeat n gosched`, so that
// the other goroutines get to run): at most kMaxGo `go` statements (none inside a
// repeat, so each runs at most once) and kMaxStmts statements in all.
#pragma once

#include <cstddef>
#include <cstdint>

#include "conformance/lang/ast.h"

namespace gofuzz {

inline constexpr int kMaxGo = 4;
inline constexpr int kMaxStmts = 40;
inline constexpr int kMaxDepth = 3;

struct DecodedScenario {
  conform::lang::Scenario scenario;
  uint32_t seed = 0;  // for GORUNTIME_SCHED=seed:<seed>
};

// The first four bytes are the schedule seed (little-endian); the rest
// chooses the program.
DecodedScenario DecodeScenario(const uint8_t* data, size_t size);

}  // namespace gofuzz
