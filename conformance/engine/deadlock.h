// Engine part: Go's deadlock detection and report (the family `deadlock`),
// for a runtime that cannot tell by itself that no goroutine can ever run
// again.
//
// The detector keeps a record per live goroutine: its id and, while it
// waits for another goroutine, Go's wait reason. Go's checkdead (proc.go)
// fires when every goroutine is blocked and no timer or system call can
// wake one; the detector decides that moment in one of two ways:
//  - kCounting: the goroutines block only through Liveness (the engine's
//    channels and select, which call Park/Unpark, and its timers and system
//    calls, which call SelfWaking), so counting decides: every live goroutine
//    parked and none self-waking. Checked at each Park and each exit.
//  - kIdle: the goroutines block in the runtime's own primitives, which the
//    detector cannot see; the adapter brackets each blocking call with Park
//    and Unpark (by the caller itself) only to name the wait reason, and the
//    runtime's scheduler says when nothing is runnable and no timer is
//    pending, by calling Idle().
// Either way it prints Go's report and exits 2: "fatal error: all goroutines
// are asleep - deadlock!", a blank line, then "goroutine N [reason]:" for
// each goroutine in id order (main, goroutine 1, first), blocks separated by
// a blank line as Go's traceback does (Go prints each goroutine's stack under
// its header; the engine knows none, so it prints none). When main has
// called Goexit and no goroutine is left: "fatal error: no goroutines (main
// called runtime.Goexit) - deadlock!" alone.
//
// Lock order: a caller may hold its own lock (the channels' mutex) when it
// calls in; the detector's mu_ is innermost and never held across a wait.
#pragma once

#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <map>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "conformance/engine/liveness.h"
#include "conformance/engine/substrate.h"

namespace conform::engine {

template <LocalStorage Sys>
class DeadlockDetector final : public Liveness {
 public:
  enum class Trigger { kCounting, kIdle };

  explicit DeadlockDetector(Trigger trigger) : trigger_(trigger) {}

  // Goroutine id exists from now on. Called by the go statement before the
  // goroutine can run (for main: before it runs).
  void Started(int64_t id) {
    std::lock_guard<std::mutex> lock(mu_);
    goroutines_[id] = Record{id, nullptr};
  }

  // First thing in goroutine id: binds the calling goroutine to its record.
  void Enter(int64_t id) {
    std::lock_guard<std::mutex> lock(mu_);
    Sys::template Local<Record*>() = &goroutines_.at(id);
  }

  // The calling goroutine has ended. main_goexit: it was main, and it ended
  // by Goexit (so the program goes on, and may end with no goroutines).
  void Exited(bool main_goexit) {
    std::lock_guard<std::mutex> lock(mu_);
    Record*& me = Sys::template Local<Record*>();
    goroutines_.erase(me->id);
    me = nullptr;
    if (main_goexit) main_goexited_ = true;
    if (trigger_ == Trigger::kCounting) CheckDead();
  }

  Token Park(const char* reason) override {
    std::lock_guard<std::mutex> lock(mu_);
    Record* me = Sys::template Local<Record*>();
    me->reason = reason;
    ++parked_;
    if (trigger_ == Trigger::kCounting) CheckDead();
    return me;
  }

  void Unpark(Token t) override {
    std::lock_guard<std::mutex> lock(mu_);
    static_cast<Record*>(t)->reason = nullptr;
    --parked_;
  }

  void SelfWaking(int delta) override {
    std::lock_guard<std::mutex> lock(mu_);
    self_waking_ += delta;
  }

  // kIdle: the runtime's scheduler has nothing to run and no timer pending,
  // so every goroutine waits for another: reports and exits.
  [[noreturn]] void Idle() {
    std::lock_guard<std::mutex> lock(mu_);
    Die(goroutines_.empty() && main_goexited_ ? NoGoroutinesReport() : AllAsleepReport());
  }

  // Go's report for goroutines (id, wait reason; nullptr: a wait the engine
  // cannot name, shown as Go shows one, "waiting"), in the order given.
  static std::string AllAsleepReport(const std::vector<std::pair<int64_t, const char*>>& goroutines) {
    std::string out = "fatal error: all goroutines are asleep - deadlock!\n";
    for (const auto& [id, reason] : goroutines)
      out += "\ngoroutine " + std::to_string(id) + " [" + (reason ? reason : "waiting") + "]:\n";
    return out;
  }

  static std::string NoGoroutinesReport() {
    return "fatal error: no goroutines (main called runtime.Goexit) - deadlock!\n";
  }

 private:
  struct Record {
    int64_t id = 0;
    const char* reason = nullptr;  // while parked: Go's wait reason
  };

  // Under mu_, kCounting: Go's checkdead.
  void CheckDead() {
    if (main_goexited_ && goroutines_.empty()) Die(NoGoroutinesReport());
    if (!goroutines_.empty() && parked_ == static_cast<int>(goroutines_.size()) && self_waking_ == 0)
      Die(AllAsleepReport());
  }

  // Under mu_.
  std::string AllAsleepReport() const {
    std::vector<std::pair<int64_t, const char*>> gs;
    for (const auto& [id, r] : goroutines_) gs.emplace_back(id, r.reason);
    return AllAsleepReport(gs);
  }

  [[noreturn]] static void Die(const std::string& report) {
    std::fflush(stdout);  // the trace written so far is kept
    std::fputs(report.c_str(), stderr);
    std::fflush(stderr);
    _exit(2);
  }

  const Trigger trigger_;
  std::mutex mu_;
  std::map<int64_t, Record> goroutines_;  // guarded by mu_: the live ones, by id
  int parked_ = 0;                        // guarded by mu_: records with a reason
  int self_waking_ = 0;                   // guarded by mu_
  bool main_goexited_ = false;            // guarded by mu_
};

}  // namespace conform::engine
