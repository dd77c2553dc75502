// Engine part: function frames, defer, panic, recover and Goexit, for a
// runtime that has goroutines but none of Go's unwinding (the families
// `defer`, `panic` and `goexit`).
//
// Each goroutine keeps, in its own Sys::Local storage, a stack of frames
// with their deferred calls and a list of the panics (and Goexits) in
// progress. Panic and Goexit push an entry on that list and throw Unwind;
// RunFrame catches it at every frame, runs that frame's defers LIFO, and
// either rethrows (still unwinding) or returns normally (the panic was
// recovered). A deferred call runs as a frame of its own that remembers the
// panic that invoked it, which is how Recover knows it is "called directly
// by a deferred function" of the current panic. The rules are spec/model's.
//
// Invariants: Unwind never escapes a goroutine (Run catches it); the panic
// list only grows at its end, and an entry is erased only when a deferred
// call that recovered it returns. Nothing here locks: all state is the
// calling goroutine's own.
#pragma once

#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "conformance/adapter/runtime_adapter.h"
#include "conformance/engine/substrate.h"

namespace conform::engine {

template <LocalStorage Sys>
class Frames {
 public:
  // How a goroutine's outermost frame ended.
  enum class End { kReturned, kGoexited, kPanicked };

  // Runs body as goroutine `id`'s outermost frame, in that goroutine. On
  // kPanicked, *report is Go's report of the unrecovered panic ("panic: v"
  // lines, then "goroutine N [running]:"); the caller prints it and exits 2.
  static End Run(int64_t id, const std::function<void()>& body, std::string* report) {
    G& g = Cur();
    g.id = id;
    if (!RunFrame(body, false, -1)) return End::kReturned;
    if (g.panics.empty() || g.panics.back().goexit) return End::kGoexited;
    *report = PanicReport(g);
    return End::kPanicked;
  }

  // Runs body as goroutine `id` (Run) and ends the program where Go would: an
  // unrecovered panic prints its report and exits 2; main (id 1) returning
  // exits 0. Returns when the goroutine is over and the program goes on.
  static void RunGoroutine(int64_t id, const std::function<void()>& body) {
    std::string report;
    const End end = Run(id, body, &report);
    if (end == End::kPanicked) ExitProgram(report, 2);
    if (id == 1 && end == End::kReturned) ExitProgram("", 0);
  }

  // Runs frame as a nested function frame (RuntimeAdapter::Call).
  static void Call(const std::function<void()>& frame) {
    if (RunFrame(frame, false, -1)) throw Unwind{};
  }

  // Defers fn to the end of the innermost frame (RuntimeAdapter::Defer).
  static void Defer(std::function<void()> fn) { Cur().frames.back().defers.push_back(std::move(fn)); }

  // Starts a panic with value v (RuntimeAdapter::Panic).
  [[noreturn]] static void Panic(PanicValue v) {
    Cur().panics.push_back(PanicRec{std::move(v), false});
    throw Unwind{};
  }

  // Runs the caller's pending defers, then ends it (RuntimeAdapter::Goexit).
  [[noreturn]] static void Goexit() {
    Cur().panics.push_back(PanicRec{PanicValue::Nil(), true});
    throw Unwind{};
  }

  // Go's recover (RuntimeAdapter::Recover).
  static PanicValue Recover() {
    G& g = Cur();
    const Frame& f = g.frames.back();
    int top = static_cast<int>(g.panics.size()) - 1;
    if (!f.is_deferred || f.invoker < 0 || f.invoker != top) return PanicValue::Nil();
    PanicRec& p = g.panics[top];
    if (p.goexit || p.recovered || p.aborted) return PanicValue::Nil();
    p.recovered = true;
    return p.value;
  }

 private:
  struct Unwind {};  // thrown by Panic and Goexit; never escapes Run

  struct PanicRec {
    PanicValue value;
    bool goexit = false;
    bool recovered = false;
    bool aborted = false;  // a newer panic started in one of its defers
  };

  struct Frame {
    std::vector<std::function<void()>> defers;
    bool is_deferred = false;
    int invoker = -1;  // index of the panic that ran this deferred call, or -1
  };

  struct G {
    int64_t id = 0;
    std::vector<Frame> frames;
    std::vector<PanicRec> panics;
  };

  static G& Cur() { return Sys::template Local<G>(); }

  [[noreturn]] static void ExitProgram(const std::string& report, int code) {
    std::fflush(stdout);
    std::fputs(report.c_str(), stderr);
    std::fflush(stderr);
    _exit(code);
  }

  static std::string PanicReport(const G& g) {
    std::string out;
    bool first = true;
    for (const PanicRec& p : g.panics) {
      if (p.goexit) continue;
      out += first ? "panic: " : "\tpanic: ";
      out += p.value.ToString();
      if (p.recovered) out += " [recovered]";
      out += "\n";
      first = false;
    }
    return out + "\ngoroutine " + std::to_string(g.id) + " [running]:\n";
  }

  // Runs fn as one frame; returns true if it ended unwinding (the caller's
  // frame must unwind too).
  static bool RunFrame(const std::function<void()>& fn, bool is_deferred, int invoker) {
    G& g = Cur();
    g.frames.push_back(Frame{{}, is_deferred, invoker});
    bool abandoned = false;
    try {
      fn();
    } catch (const Unwind&) {
      abandoned = true;
    }
    while (!g.frames.back().defers.empty()) {
      std::function<void()> d = std::move(g.frames.back().defers.back());
      g.frames.back().defers.pop_back();
      int inv = abandoned ? static_cast<int>(g.panics.size()) - 1 : -1;
      bool d_abandoned = RunFrame(d, true, inv);
      if (!d_abandoned && inv >= 0 && inv < static_cast<int>(g.panics.size()) && g.panics[inv].recovered) {
        g.panics.erase(g.panics.begin() + inv);
        bool goexit_resumes = false;
        while (static_cast<int>(g.panics.size()) == inv && inv > 0 && g.panics.back().aborted) {
          if (g.panics.back().goexit) {
            g.panics.back().aborted = false;
            goexit_resumes = true;
            break;
          }
          g.panics.pop_back();
          --inv;
        }
        abandoned = goexit_resumes;
      } else if (d_abandoned) {
        if (inv >= 0 && inv != static_cast<int>(g.panics.size()) - 1) g.panics[inv].aborted = true;
        abandoned = true;
      }
    }
    g.frames.pop_back();
    return abandoned;
  }
};

}  // namespace conform::engine
