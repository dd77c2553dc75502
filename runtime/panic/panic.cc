// defer, panic, recover and Goexit (Go's panic.go), on the state in frames.h.
#include <atomic>
#include <exception>
#include <string>

#include "runtime/lifecycle/fatal.h"
#include "runtime/panic/frames.h"
#include "runtime/runtime.h"
#include "runtime/scheduler/current.h"
#include "runtime/scheduler/types.h"
#include "runtime/stack/stack.h"

namespace goruntime {
namespace detail {
namespace {

std::atomic<int> g_running_panic_defers{0};
std::atomic<int> g_panicking{0};

Frames& MyFrames() { return CurrentG()->frames; }

// Enters a new frame for the lifetime of the guard.
class FrameScope {
 public:
  explicit FrameScope(Frames& f) : f_(f), saved_frame_(f.frame) {
    f_.frame = ++f_.next_id;
    f_.depth++;
  }
  ~FrameScope() {
    f_.frame = saved_frame_;
    f_.depth--;
  }
  uint64_t id() const { return f_.frame; }

 private:
  Frames& f_;
  uint64_t saved_frame_;
};

// Sets where recover may succeed, restoring the previous setting on exit.
class RecoverScope {
 public:
  RecoverScope(Frames& f, uint64_t depth) : f_(f), saved_(f.recover_depth) { f_.recover_depth = depth; }
  ~RecoverScope() { f_.recover_depth = saved_; }

 private:
  Frames& f_;
  uint64_t saved_;
};

// Runs the defers of frame `id` that are still pending, LIFO: a normal return.
void RunFrameDefers(uint64_t id) {
  Frames& f = MyFrames();
  while (!f.defers.empty() && f.defers.back().frame == id) {
    DeferRecord d = std::move(f.defers.back());
    f.defers.pop_back();
    RecoverScope no_recover(f, UINT64_MAX);
    Call(d.fn);
  }
}

// Before a panic or Goexit takes the next defer: any earlier panic whose
// running deferred call lies below the remaining stack has been run past.
void MarkAborted(Frames& f, PanicRecord* self) {
  for (PanicRecord* q = self->link; q != nullptr; q = q->link) {
    if (q->running && !q->aborted && f.defers.size() <= q->mark) q->aborted = true;
  }
}

// Pops the top defer and calls it as a new frame on behalf of panic p.
// Returns the record (its frame is where a recovery unwinds to).
DeferRecord RunNextDefer(Frames& f, PanicRecord* p, bool recover_ok) {
  MarkAborted(f, p);
  DeferRecord d = std::move(f.defers.back());
  f.defers.pop_back();
  p->running = true;
  p->mark = f.defers.size();
  {
    RecoverScope scope(f, recover_ok ? f.depth + 1 : UINT64_MAX);
    Call(d.fn);
  }
  p->running = false;
  return d;
}

void AppendPanics(std::string& out, const PanicRecord* p) {
  if (p->link != nullptr) {
    AppendPanics(out, p->link);
    if (!p->link->goexit) out += "\t";
  }
  if (p->goexit) return;
  out += "panic: " + p->arg.ToString();
  if (p->recovered) out += " [recovered]";
  out += "\n";
}

// No deferred call recovered: print the panic chain as Go does and exit 2.
[[noreturn]] void FatalPanic(const PanicRecord* p) {
  g_panicking.fetch_add(1);
  std::string msg;
  AppendPanics(msg, p);
  msg += "\ngoroutine " + std::to_string(CurrentG()->goid) + " [running]:\n";
  FatalWrite(msg);
  ExitProcess(2);
}

class CountPanicDefers {
 public:
  CountPanicDefers() { g_running_panic_defers.fetch_add(1); }
  ~CountPanicDefers() { g_running_panic_defers.fetch_sub(1); }
};

}  // namespace

void RunGoroutineBody(const std::function<void()>& body) {
  try {
    Call(body);
  } catch (const GoexitUnwind&) {
    // Goexit ran every defer; the goroutine ends here.
  } catch (const std::exception& e) {
    PanicRecord p;
    p.arg = Value(std::string("C++ exception escaped a goroutine: ") + e.what());
    FatalPanic(&p);
  }
}

int RunningPanicDefers() { return g_running_panic_defers.load(); }
int Panicking() { return g_panicking.load(); }

}  // namespace detail

using detail::DeferRecord;
using detail::Frames;
using detail::PanicRecord;
using detail::RecoverUnwind;

void Call(const std::function<void()>& fn) {
  Frames& f = detail::CurrentG()->frames;
  char probe;
  detail::CheckStackLimit(&probe);
  PreemptCheck();
  detail::FrameScope scope(f);
  bool body_ran = false;
  for (;;) {
    try {
      if (!body_ran) {
        body_ran = true;
        fn();
      }
      detail::RunFrameDefers(scope.id());
      return;
    } catch (const RecoverUnwind& r) {
      if (r.goexit != nullptr || r.frame != scope.id()) throw;
      // A deferred call of this frame recovered a panic raised in the body
      // or in one of the frame's own deferred calls: the frame returns
      // normally, after its remaining defers.
    }
  }
}

void Defer(std::function<void()> fn) {
  Frames& f = detail::CurrentG()->frames;
  f.defers.push_back(DeferRecord{std::move(fn), f.frame});
}

void Panic(Value v) {
  Frames& f = detail::CurrentG()->frames;
  PanicRecord p;
  p.arg = std::move(v);
  p.link = f.panic;
  f.panic = &p;
  detail::CountPanicDefers counting;
  while (!f.defers.empty()) {
    DeferRecord d = detail::RunNextDefer(f, &p, /*recover_ok=*/true);
    if (!p.recovered) continue;
    f.panic = p.link;
    if (f.panic != nullptr && f.panic->goexit && f.panic->aborted) {
      // recover cannot cancel a Goexit: go back to the Goexit's loop.
      throw RecoverUnwind{0, f.panic};
    }
    while (f.panic != nullptr && f.panic->aborted) f.panic = f.panic->link;
    throw RecoverUnwind{d.frame, nullptr};
  }
  detail::FatalPanic(&p);
}

Value Recover() {
  Frames& f = detail::CurrentG()->frames;
  PanicRecord* p = f.panic;
  if (p == nullptr || p->goexit || p->recovered || f.depth != f.recover_depth) return Value();
  p->recovered = true;
  return p->arg;
}

void Goexit() {
  Frames& f = detail::CurrentG()->frames;
  PanicRecord p;
  p.goexit = true;
  p.link = f.panic;
  f.panic = &p;
  while (!f.defers.empty()) {
    try {
      detail::RunNextDefer(f, &p, /*recover_ok=*/false);
    } catch (const RecoverUnwind& r) {
      if (r.goexit != &p) throw;
      p.aborted = false;
      p.running = false;
    }
  }
  throw detail::GoexitUnwind{};
}

}  // namespace goruntime
