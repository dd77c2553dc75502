// Asynchronous preemption, Go 1.14's design for C++ code: the internal
// interface. The design and its invariants are in scheduler/scheduler.cc's
// essay ("Preemption"); the pieces are
//   signal.cc        the SIGURG handler: is this instant safe? then inject a call
//   text.cc          which code may be preempted (the program's, not the
//                    runtime's, libc's or a sanitizer's)
//   trampoline_amd64.S  the injected call: save every register, yield, restore
//   resume.cc        what the trampoline calls: yield, resume on the same M
//   nopreempt.h      the per-thread no-preemption depth (runtime locks held)
//   oslocks.cc       the OS locks (std::mutex, ...) each goroutine holds
#pragma once

#include <atomic>
#include <cstdint>

namespace goruntime::detail {

struct P;

// Installs the SIGURG handler and learns the code layout. Called once from
// StartSysmon, before any goroutine runs; does nothing when asynchronous
// preemption is off (AsyncPreemptOn).
void InitAsyncPreempt();

// Whether asynchronous preemption is on in this process: built for x86-64
// Linux without ThreadSanitizer, and not turned off by GODEBUG's
// asyncpreemptoff=1 or by deterministic mode (GORUNTIME_SCHED), as read by
// InitAsyncPreempt (false before it).
bool AsyncPreemptOn();

// Whether the build and the environment ask for it now (before Run).
bool AsyncPreemptWanted();

// Sends the preemption signal to the thread that owns p, at most once per
// kResignalNs per P; `last` is the caller's record of the last send. The
// handler decides whether it may act; sysmon re-sends at a later tick.
void SignalPreempt(P* p, int64_t* last, int64_t now);
constexpr int64_t kResignalNs = 100'000;

// Stress mode, for tests: GORUNTIME_PREEMPT_STRESS=1 makes sysmon ask every
// running P to yield, and signal its thread, at every tick (every 100us at
// most), so that preemption lands at as many instants as possible. It
// ignores the 10ms time slice, so what relies on it fails there by design:
// gosched.fairness-bound, whose loopers are never preempted between their
// record and their Gosched in normal runs. Read by InitAsyncPreempt; false
// when asynchronous preemption is off.
bool PreemptStress();

// Signals the owner of every P that runs a goroutine, for a stop-the-world
// that waits for them (Go's preemptall).
void PreemptAllRunning();

// What the handler did, for tests and diagnosis. Counted with relaxed
// atomics in the signal handler; never reset.
struct PreemptStats {
  std::atomic<uint64_t> signals{0};       // SIGURG received on an M
  std::atomic<uint64_t> injected{0};      // a call to the trampoline injected
  std::atomic<uint64_t> not_wanted{0};    // no preemption requested
  std::atomic<uint64_t> no_goroutine{0};  // on g0, in a syscall, or without a P
  std::atomic<uint64_t> locked{0};        // runtime or OS lock held
  std::atomic<uint64_t> bad_stack{0};     // SP off the G's stack, or too little room
  std::atomic<uint64_t> bad_pc{0};        // PC in the runtime, a library or a sanitizer
  std::atomic<uint64_t> resumed{0};       // preempted goroutines that ran again
};
PreemptStats& Stats();

// Whether a goroutine interrupted at pc may be preempted there, judged by
// the code alone: pc lies in the main executable's text, outside the
// runtime's own section (goruntime_text) and, in sanitizer builds, outside
// the sanitizer runtime linked into the executable. Async-signal-safe.
// Valid after InitAsyncPreempt (before it, always false).
bool PreemptiblePC(uintptr_t pc);

// Whether the calling goroutine is wired to its thread right now
// (LockOSThread, or an asynchronous preemption in progress). For tests.
bool CurrentGoroutineWired();

// oslocks.cc: referenced so that a static link keeps its definitions of the
// pthread lock functions, which count the OS locks a goroutine holds.
void LinkOsLockCounting();

// text.cc: learns the main executable's text segments, the runtime's
// section, and (sanitizer builds) the sanitizer runtime's functions.
void InitCodeLayout();

}  // namespace goruntime::detail
