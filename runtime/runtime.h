// The reference runtime's public API. It mirrors Go's runtime package: a C++
// program calls goruntime::Go where Go would write `go f()`, Gosched where Go
// calls runtime.Gosched, and so on. Semantics follow ../shared/spec-facts.md;
// the scheduler's invariants are in scheduler/scheduler.cc.
//
// Everything here except Run, RegisterInit and the Value type must be called
// from a goroutine (inside Run).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <utility>

#include "runtime/value.h"

namespace goruntime {

// --- Program lifecycle ------------------------------------------------------

// Registers fn to run before main, on the main thread, with main locked to
// it. Call before Run (from static initialisers or from the C++ main).
void RegisterInit(std::function<void()> fn);

// Runs a Go program: sets the max stack size, starts sysmon, runs the init
// functions locked to the main thread, then runs `main` as goroutine 1.
// Never returns: exits 0 when main returns, 2 on a fatal error or an
// unrecovered panic, with Go's messages on stderr.
[[noreturn]] void Run(std::function<void()> main);

// Optional: does ahead of time the one-time set-up that Run otherwise does
// in every fresh process (reading this executable's code layout, for
// asynchronous preemption). A process that forks many short-lived children
// which each call Run (a fuzzer's fork server) calls it once, before it
// forks and while it has one thread; the children inherit the result.
void Prewarm();

// Exits the process now with `code`, running no deferred calls (os.Exit).
[[noreturn]] void Exit(int code);

// --- Goroutines ---------------------------------------------------------------

// Starts fn as a new goroutine (the go statement). The call happens before fn
// starts running.
void Go(std::function<void()> fn);

// Yields the processor; the caller is runnable again at once and returns later.
void Gosched();

// Ends the calling goroutine after running all its pending defers, LIFO across
// frames. Never returns. recover() returns nil in the defers it runs.
[[noreturn]] void Goexit();

// Number of goroutines that exist: runnable, running, in a syscall, or waiting.
int NumGoroutine();

// The calling goroutine's id (1 for main). Ids are never reused.
int64_t GoID();

// Wires the calling goroutine to its current OS thread. Nests: the goroutine
// stays wired until UnlockOSThread has been called as many times.
void LockOSThread();

// Undoes one LockOSThread. Without a matching lock it does nothing.
void UnlockOSThread();

// The OS thread id (gettid) of the thread running the caller right now.
int64_t ThreadID();

// Sets the number of Ps to n and returns the previous value. n < 1 only
// queries. A change stops the world.
int GOMAXPROCS(int n);

// Cooperative preemption point: yields if sysmon has asked the caller to.
void PreemptCheck();

// Whether this process preempts goroutines asynchronously (Go 1.14's
// signal-based preemption), so that a loop with no call cannot hold a P for
// more than about 10ms while other goroutines wait. Off under
// ThreadSanitizer, in deterministic mode (GORUNTIME_SCHED), with
// GODEBUG=asyncpreemptoff=1, and off x86-64 Linux; then only cooperative
// points (PreemptCheck, Call, channel operations, Gosched) switch. May be
// called before Run.
bool AsyncPreemptEnabled();

// --- Frames, defer, panic, recover ---------------------------------------------

// Runs fn as a Go function frame: defers registered inside fn run when fn
// returns or panics through it. A panic recovered by one of this frame's
// defers makes Call return normally. Each goroutine body is itself a frame.
void Call(const std::function<void()>& fn);

// Defers fn to the end of the innermost frame (Go's defer statement).
void Defer(std::function<void()> fn);

// Starts a panic with value v (Go's panic). Never returns normally.
[[noreturn]] void Panic(Value v);

// Go's recover: the current panic's value when called directly by a deferred
// call (not from a nested Call inside it) while panicking; nil otherwise. A
// successful recover stops the panic once the deferred call returns.
Value Recover();

// --- Time and system calls ------------------------------------------------------

// Parks the caller for at least d (time.Sleep). d <= 0 returns at once.
void Sleep(std::chrono::nanoseconds d);

// Nanoseconds on a monotonic clock.
int64_t Nanotime();

// Runs fn, a blocking system call, in the syscall state: the caller's P is
// handed off so other goroutines keep running, and NumGoroutine counts the
// caller. Returns fn's result.
template <class F>
auto Syscall(F&& fn) -> decltype(fn());

namespace detail {
void EnterSyscall();
void ExitSyscall();
}  // namespace detail

template <class F>
auto Syscall(F&& fn) -> decltype(fn()) {
  struct Leave {
    ~Leave() { detail::ExitSyscall(); }
  };
  detail::EnterSyscall();
  Leave leave;
  return std::forward<F>(fn)();
}

// --- runtime/debug -------------------------------------------------------------
namespace debug {
// Sets the maximum stack size of a goroutine and returns the previous one.
// Default: 1,000,000,000 bytes on 64-bit, 250,000,000 on 32-bit.
int64_t SetMaxStack(int64_t bytes);
}  // namespace debug

}  // namespace goruntime
