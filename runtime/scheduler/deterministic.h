// Deterministic mode, for property tests, replay and exhaustive exploration.
//
// Selected by the environment at Run:
//   GORUNTIME_SCHED=seed:N        choose the next G with a PRNG seeded by N
//   GORUNTIME_SCHED=replay:i,j,…  take the i-th, then j-th, … runnable G; past
//                                 the end of the list, always the first
//   GORUNTIME_SCHED_LOG=path      at exit, write the choices made as
//                                 "i/n,i/n,…" (index taken / how many were
//                                 runnable), so a run can be replayed or its
//                                 alternatives explored
// In this mode the program runs on one P: every runnable G sits in one list
// (the global queue) and, at every scheduling point, the next G is chosen
// from it by the seed or the replay list; select's random choices come from
// the same source. GOMAXPROCS(n) still reports and
// records n but keeps one P, and sysmon never preempts. What stays outside
// the seed's control is real time: sleeps and syscalls wake when the kernel
// says, so scenarios meant to be deterministic avoid them.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace goruntime::detail {

struct Choice {
  uint32_t index;  // which runnable G was taken
  uint32_t count;  // how many were runnable
};

// Set once by InitDeterministic, before any goroutine runs; read on the
// scheduler's hot path, hence a plain inline read.
extern bool g_deterministic;

// Whether deterministic mode is on.
inline bool Deterministic() { return g_deterministic; }

// Reads GORUNTIME_SCHED; returns an error message for a malformed value.
std::string InitDeterministic();

// Picks which of `count` runnable Gs runs next, and logs the choice. Select
// draws its random poll order here too, so a replay repeats select's choices
// and the explorer enumerates them. Called only by the M holding the single
// P, so the log needs no lock.
uint32_t ChooseNext(uint32_t count);

// Writes the choice log to GORUNTIME_SCHED_LOG, if set. Called at exit.
void WriteScheduleLog();

// Parses "i/n,i/n,…" (or "i,j,…") into choices; false on bad input.
bool ParseSchedule(const std::string& text, std::vector<Choice>* out);

}  // namespace goruntime::detail
