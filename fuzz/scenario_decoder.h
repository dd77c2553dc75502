// Bytes <-> scenarios for the differential fuzzer.
//
// DecodeScenario turns any byte string into a well-formed scenario that
// uses every statement of the language, with its values kept inside bounds
// that the reference runtime and the model can run in a millisecond or so,
// and a run mode (deterministic with a schedule seed, or free-running on
// 1-4 Ps). EncodeScenario is its inverse: it writes the bytes that decode to
// a given scenario, so every suite scenario seeds the corpus. A scenario
// inside the bounds below (the "decodable subset") round-trips exactly:
// DecodeScenario(EncodeScenario(s).bytes) has the same program as s. Outside
// them, EncodeScenario clamps and says what it changed (`losses`).
//
// Byte layout (one byte unless said otherwise; past the end every byte is 0):
//   seed (4 bytes, little-endian), mode, init count, init blocks, main block.
//   A block is a list of statements ended by an end code. A statement is its
//   code (kStmtCodes in scenario_decoder.cc) and then its fields, coded in
//   one function, CodeStmt, shared by the decoder and the encoder. Integers
//   are little-endian base-128 varints taken modulo their range; names are a
//   byte choosing from a short table, or 0xF0+ followed by a literal.
//
// The bounds and why:
//   - at most kMaxStmts statements, blocks nested kMaxDepth deep;
//   - at most kMaxGoroutines goroutines started (a go inside repeat n counts
//     n times; one past the budget decodes as call) and kMaxIterations
//     passes of any one statement (repeat counts are clamped to fit): the
//     model explores every interleaving, so the program must stay small;
//   - sleep and syscall last at most 1 ms, poll at most 2 ms, and mostly 0
//     (time spent waiting is time not spent fuzzing);
//   - spin until and syscall until in the main goroutine are not generated
//     (spin until needs preemption, which the reference runtime does not
//     declare, and a main goroutine stuck in a syscall the program never
//     releases is a hang the model cannot tell from a bug); syscall until in
//     another goroutine is;
//   - read (of a pipe) in the main goroutine is not generated either (it
//     becomes write: nothing may ever answer it), and the differential
//     fuzzer treats a read like syscall until (it may wait for good); a
//     forever body always ends with a receive on the nil channel E, which
//     no decoded program makes, so the loop blocks there (asleep, as the
//     model's deadlock rule sees it) and never spins; alive names T1-T3;
//   - recurse stays within 64 frames of 1 KiB and setmaxstack picks one of
//     four limits of 1 MiB or more, so no stack overflows (the model,
//     which knows them, would accept one only as the end of the run);
//   - @gomaxprocs is 1-4 in free-running mode and absent in deterministic
//     mode (where GOMAXPROCS reports 1; deterministic.h).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "conformance/lang/ast.h"

namespace gofuzz {

inline constexpr int kMaxStmts = 48;
inline constexpr int kMaxDepth = 5;
inline constexpr int64_t kMaxGoroutines = 4;
inline constexpr int64_t kMaxIterations = 32;

struct DecodedScenario {
  conform::lang::Scenario scenario;
  uint32_t seed = 0;  // deterministic mode: GORUNTIME_SCHED=seed:<seed>
  int procs = 0;      // 0: deterministic mode (one P); n > 0: free-running, GOMAXPROCS=n
};

// Every byte string decodes to some scenario.
DecodedScenario DecodeScenario(const uint8_t* data, size_t size);

struct EncodedScenario {
  std::vector<uint8_t> bytes;
  // The program the bytes decode to: the scenario, clamped to the bounds.
  conform::lang::Scenario fitted;
  // What had to change to fit the bounds, one line each; empty: exact.
  std::vector<std::string> losses;
};

// The bytes that decode to sc's program (inits, main, @gomaxprocs: 1-4 runs
// free-running, absent runs deterministic with `seed`). Its header
// (clauses, expectations, timeout) is not carried: the decoder always
// writes the differential fuzzer's own.
EncodedScenario EncodeScenario(const conform::lang::Scenario& sc, uint32_t seed = 0);

// Whether a and b have the same program: inits, main and @gomaxprocs, with
// source positions ignored. This is what the round trip preserves.
bool SameProgram(const conform::lang::Scenario& a, const conform::lang::Scenario& b);

}  // namespace gofuzz
