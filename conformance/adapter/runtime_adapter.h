// The in-process adapter interface: what a goroutine runtime must offer so
// that the shared interpreter (conformance/interp) can run any scenario on it.
//
// Every method except RegisterInit, RunProgram and the declarations
// (capabilities(), families(), identity()) is called from inside a goroutine
// of the runtime under test. The interpreter never emulates a behaviour it
// tests: defer, panic, recover, Goexit, channels, select and scheduling all
// go through these calls. Whether the adapter's runtime does each of them
// itself or borrows it from the shared engine is declared in families().
//
// Unwinding: Panic and Goexit may unwind through interpreter frames by any
// mechanism the runtime likes (C++ exceptions, stack switching). The
// interpreter holds no locks across adapter calls, catches no exceptions,
// and keeps its state in RAII objects, so either works.
#pragma once

#include <alloca.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <initializer_list>
#include <iterator>
#include <memory>
#include <set>
#include <string>
#include <vector>

namespace conform {

// What panic carries and recover returns: nil, an integer, a string, or a
// runtime error raised by the runtime itself (e.g. "send on closed channel").
struct PanicValue {
  enum class Kind { kNil, kInt, kString, kRuntimeError };
  Kind kind = Kind::kNil;
  int64_t i = 0;
  std::string s;

  static PanicValue Nil() { return {}; }
  static PanicValue Int(int64_t v) { return {Kind::kInt, v, {}}; }
  static PanicValue String(std::string v) { return {Kind::kString, 0, std::move(v)}; }
  static PanicValue RuntimeError(std::string msg) { return {Kind::kRuntimeError, 0, std::move(msg)}; }

  // How the trace shows it: "nil", the integer, the string, or the error message.
  std::string ToString() const {
    switch (kind) {
      case Kind::kNil: return "nil";
      case Kind::kInt: return std::to_string(i);
      default: return s;
    }
  }
};

// Optional behaviours, by name as in spec/clauses.txt (os-threads,
// preemptive, ...). A clause that needs a capability the runtime lacks is
// reported as unsupported, not failed. A set of names, so that a new
// capability needs no change here.
class Capabilities {
 public:
  Capabilities() = default;
  Capabilities(std::initializer_list<std::string> names) : names_(names) {}

  // Declares the capability `name`.
  Capabilities& Add(std::string name) {
    names_.insert(std::move(name));
    return *this;
  }
  // Whether the capability `name` is declared.
  bool Has(const std::string& name) const { return names_.count(name) > 0; }
  // Every declared name, sorted.
  const std::set<std::string>& names() const { return names_; }

 private:
  std::set<std::string> names_;
};

// The behaviour families an adapter either takes from its runtime or borrows
// from the project's shared engine (conformance/engine/), as in driver
// protocol 2 (INTERPRETING.md). Go statements, Gosched and the trace are the
// runtime's own in every adapter and are not families.
enum class Family { kDefer, kPanic, kGoexit, kChannels, kSelect, kDeadlock, kNumGoroutine, kTimers };
inline constexpr Family kAllFamilies[] = {Family::kDefer,    Family::kPanic,    Family::kGoexit,
                                          Family::kChannels, Family::kSelect,   Family::kDeadlock,
                                          Family::kNumGoroutine, Family::kTimers};

// The family's name in the protocol: "defer", "panic", ...
inline const char* FamilyName(Family f) {
  switch (f) {
    case Family::kDefer: return "defer";
    case Family::kPanic: return "panic";
    case Family::kGoexit: return "goexit";
    case Family::kChannels: return "channels";
    case Family::kSelect: return "select";
    case Family::kDeadlock: return "deadlock";
    case Family::kNumGoroutine: return "numgoroutine";
    case Family::kTimers: return "timers";
  }
  return "?";
}

// Where a family's behaviour comes from: the runtime's own code, the shared
// engine (a pass through it is reported as PASS (engine)), or nowhere (a
// scenario that needs it is UNSUPPORTED).
enum class Source { kNative, kEngine, kAbsent };

// The source's name in the protocol: "native", "engine" or "absent".
inline const char* SourceName(Source s) {
  switch (s) {
    case Source::kNative: return "native";
    case Source::kEngine: return "engine";
    case Source::kAbsent: return "absent";
  }
  return "?";
}

// An adapter's declaration of every family. Each starts absent, so an
// adapter claims only what it states.
class Families {
 public:
  // Declares where family f comes from.
  Families& Set(Family f, Source s) {
    of_[static_cast<size_t>(f)] = s;
    return *this;
  }
  // Where family f comes from.
  Source Of(Family f) const { return of_[static_cast<size_t>(f)]; }

 private:
  std::array<Source, std::size(kAllFamilies)> of_ = Filled(Source::kAbsent);
  static constexpr std::array<Source, std::size(kAllFamilies)> Filled(Source s) {
    std::array<Source, std::size(kAllFamilies)> a{};
    for (auto& x : a) x = s;
    return a;
  }
};

// Exit status of a driver that cannot run the scenario at all (usage or
// parse error, or a behaviour its adapter declares absent); distinct from
// every status a Go program uses.
inline constexpr int kDriverErrorExit = 125;

// For an adapter's method whose family it declares absent: the runner never
// runs a scenario that needs it, so reaching it is a usage error. Says so on
// stderr and exits with kDriverErrorExit.
[[noreturn]] inline void AbsentFamily(const std::string& adapter, Family f) {
  std::fflush(stdout);
  std::fprintf(stderr, "%s: family %s is declared absent; this scenario cannot run here\n", adapter.c_str(),
               FamilyName(f));
  std::fflush(stderr);
  _exit(kDriverErrorExit);
}

// A channel of int64 values, owned by the adapter. A null Chan* is the nil channel.
class Chan {
 public:
  virtual ~Chan() = default;
};

// One select case. For a receive, *out and *ok are written when the case runs.
struct SelectCase {
  Chan* chan = nullptr;  // nullptr: a nil channel, never ready
  bool is_send = false;
  int64_t send_value = 0;
  int64_t* out = nullptr;
  bool* ok = nullptr;
};

class RuntimeAdapter {
 public:
  virtual ~RuntimeAdapter() = default;

  // A short name for reports, e.g. "reference".
  virtual std::string name() const = 0;
  virtual Capabilities capabilities() const = 0;
  // Where each behaviour family comes from (native, engine or absent).
  virtual Families families() const = 0;
  // What exactly runs (library and version, toolchain), one line each, for
  // the protocol's identity lines; none by default.
  virtual std::vector<std::string> identity() const { return {}; }

  // --- program lifecycle (called outside any goroutine) ---
  // Registers fn to run as an init function before main, on the main thread.
  virtual void RegisterInit(std::function<void()> fn) = 0;
  // Runs main as the main goroutine; exits the process as Go does (0 when
  // main returns, 2 on fatal errors and unrecovered panics). Never returns.
  [[noreturn]] virtual void RunProgram(std::function<void()> main) = 0;
  // os.Exit: ends the process now with `code`; runs no deferred calls.
  [[noreturn]] virtual void Exit(int code) = 0;

  // --- goroutines ---
  // The go statement. body runs as the goroutine's outermost frame.
  virtual void Spawn(std::function<void()> body) = 0;
  virtual void Gosched() = 0;
  // Runs the caller's pending defers LIFO across frames, then ends it.
  [[noreturn]] virtual void Goexit() = 0;
  virtual int NumGoroutine() = 0;
  virtual void LockOSThread() = 0;
  virtual void UnlockOSThread() = 0;
  // Identity of the OS thread running the caller now (compared, never shown).
  virtual int64_t ThreadId() = 0;
  // GOMAXPROCS(n): returns the previous value; n < 1 only queries.
  virtual int Gomaxprocs(int n) = 0;
  // debug.SetMaxStack: returns the previous limit.
  virtual int64_t SetMaxStack(int64_t bytes) = 0;

  // --- frames, defer, panic, recover ---
  // Runs frame as a nested function frame; its defers run when it returns or
  // is unwound. A panic recovered by one of its defers makes Call return.
  virtual void Call(const std::function<void()>& frame) = 0;
  // Defers fn to the end of the innermost frame. fn is the deferred call
  // itself: a Recover made directly inside fn is "called by a deferred function".
  virtual void Defer(std::function<void()> fn) = 0;
  [[noreturn]] virtual void Panic(PanicValue v) = 0;
  virtual PanicValue Recover() = 0;

  // --- channels and select ---
  // make(chan int64, capacity).
  virtual std::shared_ptr<Chan> MakeChan(size_t capacity) = 0;
  virtual void Send(Chan* c, int64_t v) = 0;
  virtual int64_t Recv(Chan* c, bool* ok) = 0;
  virtual void Close(Chan* c) = 0;
  // Go's select: returns the index of the case that ran, or -1 for default.
  virtual int Select(std::vector<SelectCase>& cases, bool has_default) = 0;

  // --- time and system calls ---
  virtual void Sleep(std::chrono::milliseconds d) = 0;
  // Runs `blocking`, a real blocking system call, in the runtime's syscall state.
  virtual void Syscall(const std::function<void()>& blocking) = 0;

  // --- stack and CPU ---
  // Recurses `frames` deep with `bytes` of live stack per frame, touching
  // every page from the top down so a guard page is hit, never jumped.
  virtual void Recurse(int64_t frames, int64_t bytes) { RecurseOnStack(frames, bytes); }
  // A loop of n iterations with no calls, hence no cooperative safe point.
  virtual void BusyLoop(int64_t n) {
    for (volatile int64_t k = 0; k < n; k = k + 1) {
    }
  }
  // A call-free loop that spins until *flag != 0.
  virtual void BusyLoopUntil(const std::atomic<int64_t>* flag) {
    while (flag->load(std::memory_order_relaxed) == 0) {
    }
  }

  // --- introspection (optional: the capability "introspection") ---
  // Answers a scheduler fact about the caller, as `introspect <fact>` defines
  // it (lang::IntrospectFacts): "gosched" yields and answers "global",
  // "local" or "none"; "reused" and "m0" answer "1" or "0". Only an adapter
  // that declares the capability overrides it; the runner never runs such a
  // scenario elsewhere, so reaching this default is a usage error: it says so
  // and exits with kDriverErrorExit.
  virtual std::string Introspect(const std::string& fact) {
    std::fflush(stdout);
    std::fprintf(stderr, "%s: introspect %s: the capability introspection is not declared\n", name().c_str(),
                 fact.c_str());
    std::fflush(stderr);
    _exit(kDriverErrorExit);
  }

 protected:
  [[gnu::noinline]] static int64_t RecurseOnStack(int64_t frames, int64_t bytes) {
    if (frames <= 0) return 0;
    int64_t n = bytes > 0 ? bytes : 1;
    volatile char* buf = static_cast<volatile char*>(alloca(n));
    for (int64_t k = n - 1; k >= 0; k -= 512) buf[k] = static_cast<char>(k);
    buf[0] = 1;
    return RecurseOnStack(frames - 1, bytes) + buf[0];  // not a tail call
  }
};

}  // namespace conform
