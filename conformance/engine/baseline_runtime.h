// The baseline runtimes' shared engine, a template over the system they run
// on (OS threads, or Boost.Fiber fibers): what the substrate lacks is built
// here once, and each substrate declares honestly what it cannot do.
//
// Frames: each goroutine keeps a stack of frames with their defers. Panic
// and Goexit push an entry on the goroutine's panic list and throw Unwind;
// RunFrame catches it at every frame, runs that frame's defers, and either
// rethrows (still unwinding) or returns normally (recovered). The rules are
// the same as spec/model's, stated there.
//
// Channels: one global mutex and one condition variable (the substrate's
// own, so a fiber blocks only itself) for every channel and select; each
// blocked operation is a Waiter on the channel's queue. A counter of
// goroutines blocked on channels, compared with the number alive, sleeping
// and in syscalls, gives Go's deadlock report.
//
// Sys provides: Mutex, CondVar, CurrentSlot() (a per-goroutine void*&),
// Start(fn) (run fn as a new goroutine), Yield(), SleepFor(ms),
// ParkForever() (block the caller without stopping the others).
#pragma once

#include <sys/syscall.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <deque>
#include <list>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "conformance/adapter/runtime_adapter.h"

namespace conform {

template <class Sys>
class BaselineRuntime : public RuntimeAdapter {
 public:
  void RegisterInit(std::function<void()> fn) override;
  [[noreturn]] void RunProgram(std::function<void()> main) override;
  [[noreturn]] void Exit(int code) override;

  void Spawn(std::function<void()> body) override;
  void Gosched() override;
  [[noreturn]] void Goexit() override;
  int NumGoroutine() override;
  void LockOSThread() override {}
  void UnlockOSThread() override {}
  int64_t ThreadId() override;
  int Gomaxprocs(int n) override;
  int64_t SetMaxStack(int64_t bytes) override;

  void Call(const std::function<void()>& frame) override;
  void Defer(std::function<void()> fn) override;
  [[noreturn]] void Panic(PanicValue v) override;
  PanicValue Recover() override;

  std::shared_ptr<Chan> MakeChan(size_t capacity) override;
  void Send(Chan* c, int64_t v) override;
  int64_t Recv(Chan* c, bool* ok) override;
  void Close(Chan* c) override;
  int Select(std::vector<SelectCase>& cases, bool has_default) override;

  void Sleep(std::chrono::milliseconds d) override;
  void Syscall(const std::function<void()>& blocking) override;

 private:
  struct Unwind {};  // thrown by Panic and Goexit; never escapes a goroutine

  struct PanicRec {
    PanicValue value;
    bool goexit = false;
    bool recovered = false;
    bool aborted = false;
  };

  struct Frame {
    std::vector<std::function<void()>> defers;
    bool is_deferred = false;
    int invoker = -1;
  };

  struct G {
    int64_t id = 0;
    std::vector<Frame> frames;
    std::vector<PanicRec> panics;
  };

  static G& Cur() { return *static_cast<G*>(Sys::CurrentSlot()); }

  // --- global scheduler-ish state, all under mu ---------------------------------

  struct Sel;  // one blocked channel operation or select

  struct Waiter {
    Sel* sel;
    int case_idx;
    bool is_send;
    int64_t value;  // to send
  };

  struct ChanImpl : Chan {
    size_t cap = 0;
    std::deque<int64_t> buf;
    bool closed = false;
    std::list<Waiter> recvq, sendq;
  };

  struct Sel {
    bool fired = false;
    int case_idx = -1;
    int64_t value = 0;
    bool ok = false;
    bool closed_send = false;  // a send case woke because the channel closed
  };

  using Mutex = typename Sys::Mutex;
  static inline Mutex mu;
  static inline typename Sys::CondVar cv;
  static inline int live = 0, blocked = 0, sleeping = 0, in_syscall = 0;
  static inline bool main_goexited = false;
  static inline int64_t next_id = 1;
  static inline int gomaxprocs = 1;
  static inline int64_t max_stack = 1000000000;
  static inline std::vector<std::function<void()>> inits;

  [[noreturn]] static void Die(const std::string& msg, int code) {
    std::fflush(stdout);
    std::fputs(msg.c_str(), stderr);
    std::fflush(stderr);
    _exit(code);
  }

  // Go's checkdead, called with mu held whenever a goroutine blocks or exits.
  static void CheckDead() {
    if (main_goexited && live == 0)
      Die("fatal error: no goroutines (main called runtime.Goexit) - deadlock!\n", 2);
    if (live > 0 && blocked == live && sleeping == 0 && in_syscall == 0)
      Die("fatal error: all goroutines are asleep - deadlock!\n", 2);
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
          if (g.panics.back().goexit) { g.panics.back().aborted = false; goexit_resumes = true; break; }
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

  // Runs a goroutine's body to its end, including a fatal panic report.
  static void RunGoroutine(G* g, const std::function<void()>& body) {
    Sys::CurrentSlot() = g;
    bool abandoned = RunFrame(body, false, -1);
    std::unique_lock<Mutex> lock(mu);
    if (abandoned && !g->panics.empty() && !g->panics.back().goexit) Die(PanicReport(*g), 2);
    --live;
    if (g->id == 1) {
      if (!abandoned) {  // main returned
        std::fflush(stdout);
        _exit(0);
      }
      main_goexited = true;
    }
    CheckDead();
  }

  // Under mu: whether case w could complete now.
  static bool Ready(ChanImpl* c, bool is_send) {
    if (!c) return false;
    auto alive = [](const std::list<Waiter>& q) {
      for (const Waiter& w : q)
        if (!w.sel->fired) return true;
      return false;
    };
    if (is_send) return c->closed || alive(c->recvq) || c->buf.size() < c->cap;
    return alive(c->sendq) || !c->buf.empty() || c->closed;
  }

  static void Fire(Sel* s, int idx, int64_t v, bool ok) {
    s->fired = true;
    s->case_idx = idx;
    s->value = v;
    s->ok = ok;
    --blocked;  // its goroutine can run again
    cv.notify_all();
  }

  // Under mu: completes a ready case. Returns false if a send hit a closed channel.
  static bool Perform(ChanImpl* c, bool is_send, int64_t send_value, int64_t* out, bool* ok) {
    auto pop_alive = [](std::list<Waiter>& q) -> std::optional<Waiter> {
      while (!q.empty()) {
        Waiter w = q.front();
        q.pop_front();
        if (!w.sel->fired) return w;
      }
      return std::nullopt;
    };
    if (is_send) {
      if (c->closed) return false;
      if (auto w = pop_alive(c->recvq)) { Fire(w->sel, w->case_idx, send_value, true); return true; }
      c->buf.push_back(send_value);
      return true;
    }
    if (!c->buf.empty()) {
      *out = c->buf.front();
      *ok = true;
      c->buf.pop_front();
      // A sender waiting on a full buffer may now put its value in.
      if (auto w = pop_alive(c->sendq)) { c->buf.push_back(w->value); Fire(w->sel, w->case_idx, 0, true); }
      return true;
    }
    if (auto w = pop_alive(c->sendq)) {
      *out = w->value;
      *ok = true;
      Fire(w->sel, w->case_idx, 0, true);
      return true;
    }
    *out = 0;
    *ok = false;  // closed
    return true;
  }

  static std::mt19937_64& Rng() {
    thread_local std::mt19937_64 rng{std::random_device{}()};
    return rng;
  }

  // The shared engine behind Send, Recv and Select. Returns the chosen case or
  // -1 (default); throws a runtime-error panic for a send on a closed channel.
  static int DoSelect(RuntimeAdapter* rt, std::vector<SelectCase>& cases, bool has_default) {
    std::unique_lock<Mutex> lock(mu);
    std::vector<int> ready;
    for (size_t k = 0; k < cases.size(); ++k)
      if (Ready(static_cast<ChanImpl*>(cases[k].chan), cases[k].is_send)) ready.push_back(static_cast<int>(k));
    if (!ready.empty()) {
      int k = ready[std::uniform_int_distribution<size_t>(0, ready.size() - 1)(Rng())];
      SelectCase& c = cases[k];
      if (!Perform(static_cast<ChanImpl*>(c.chan), c.is_send, c.send_value, c.out, c.ok)) {
        lock.unlock();
        rt->Panic(PanicValue::RuntimeError("send on closed channel"));
      }
      return k;
    }
    if (has_default) return -1;
    Sel sel;
    for (size_t k = 0; k < cases.size(); ++k) {
      auto* ch = static_cast<ChanImpl*>(cases[k].chan);
      if (!ch) continue;  // nil channel: never ready
      (cases[k].is_send ? ch->sendq : ch->recvq).push_back({&sel, static_cast<int>(k), cases[k].is_send, cases[k].send_value});
    }
    ++blocked;
    CheckDead();
    cv.wait(lock, [&] { return sel.fired; });
    for (auto& c : cases) {  // drop this select's other waiters
      auto* ch = static_cast<ChanImpl*>(c.chan);
      if (!ch) continue;
      ch->sendq.remove_if([&](const Waiter& w) { return w.sel == &sel; });
      ch->recvq.remove_if([&](const Waiter& w) { return w.sel == &sel; });
    }
    SelectCase& c = cases[sel.case_idx];
    if (c.is_send && sel.closed_send) {
      lock.unlock();
      rt->Panic(PanicValue::RuntimeError("send on closed channel"));
    }
    if (!c.is_send) {
      *c.out = sel.value;
      *c.ok = sel.ok;
    }
    return sel.case_idx;
  }

};

template <class Sys>
void BaselineRuntime<Sys>::RegisterInit(std::function<void()> fn) { inits.push_back(std::move(fn)); }

template <class Sys>
void BaselineRuntime<Sys>::RunProgram(std::function<void()> main) {
  const char* env = std::getenv("GOMAXPROCS");
  int n = env ? std::atoi(env) : 0;
  gomaxprocs = n > 0 ? n : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  static G main_g;
  {
    std::lock_guard<Mutex> lock(mu);
    main_g.id = next_id++;
    ++live;
  }
  RunGoroutine(&main_g, [&] {
    for (auto& f : inits) Call(f);
    main();
  });
  Sys::ParkForever();  // main called Goexit: the others carry on
}

template <class Sys>
void BaselineRuntime<Sys>::Exit(int code) {
  std::fflush(stdout);
  std::fflush(stderr);
  _exit(code);
}

template <class Sys>
void BaselineRuntime<Sys>::Spawn(std::function<void()> body) {
  auto* g = new G;  // leaked on purpose: the process ends with _exit
  {
    std::lock_guard<Mutex> lock(mu);
    g->id = next_id++;
    ++live;
  }
  Sys::Start([g, body = std::move(body)] { RunGoroutine(g, body); });
}

template <class Sys>
void BaselineRuntime<Sys>::Gosched() { Sys::Yield(); }

template <class Sys>
void BaselineRuntime<Sys>::Goexit() {
  Cur().panics.push_back(PanicRec{PanicValue::Nil(), true});
  throw Unwind{};
}

template <class Sys>
int BaselineRuntime<Sys>::NumGoroutine() {
  std::lock_guard<Mutex> lock(mu);
  return live;
}

template <class Sys>
int64_t BaselineRuntime<Sys>::ThreadId() { return static_cast<int64_t>(::syscall(SYS_gettid)); }

template <class Sys>
int BaselineRuntime<Sys>::Gomaxprocs(int n) {
  std::lock_guard<Mutex> lock(mu);
  int prev = gomaxprocs;
  if (n >= 1) gomaxprocs = n;
  return prev;
}

template <class Sys>
int64_t BaselineRuntime<Sys>::SetMaxStack(int64_t bytes) {
  std::lock_guard<Mutex> lock(mu);
  return std::exchange(max_stack, bytes);
}

template <class Sys>
void BaselineRuntime<Sys>::Call(const std::function<void()>& frame) {
  if (RunFrame(frame, false, -1)) throw Unwind{};
}

template <class Sys>
void BaselineRuntime<Sys>::Defer(std::function<void()> fn) { Cur().frames.back().defers.push_back(std::move(fn)); }

template <class Sys>
void BaselineRuntime<Sys>::Panic(PanicValue v) {
  Cur().panics.push_back(PanicRec{std::move(v), false});
  throw Unwind{};
}

template <class Sys>
PanicValue BaselineRuntime<Sys>::Recover() {
  G& g = Cur();
  const Frame& f = g.frames.back();
  int top = static_cast<int>(g.panics.size()) - 1;
  if (!f.is_deferred || f.invoker < 0 || f.invoker != top) return PanicValue::Nil();
  PanicRec& p = g.panics[top];
  if (p.goexit || p.recovered || p.aborted) return PanicValue::Nil();
  p.recovered = true;
  return p.value;
}

template <class Sys>
std::shared_ptr<Chan> BaselineRuntime<Sys>::MakeChan(size_t capacity) {
  auto c = std::make_shared<ChanImpl>();
  c->cap = capacity;
  return c;
}

template <class Sys>
void BaselineRuntime<Sys>::Send(Chan* c, int64_t v) {
  std::vector<SelectCase> cases{{c, true, v, nullptr, nullptr}};
  DoSelect(this, cases, false);
}

template <class Sys>
int64_t BaselineRuntime<Sys>::Recv(Chan* c, bool* ok) {
  int64_t out = 0;
  std::vector<SelectCase> cases{{c, false, 0, &out, ok}};
  DoSelect(this, cases, false);
  return out;
}

template <class Sys>
void BaselineRuntime<Sys>::Close(Chan* c) {
  auto* ch = static_cast<ChanImpl*>(c);
  std::unique_lock<Mutex> lock(mu);
  const char* err = !ch ? "close of nil channel" : ch->closed ? "close of closed channel" : nullptr;
  if (err) {
    lock.unlock();
    Panic(PanicValue::RuntimeError(err));
  }
  ch->closed = true;
  for (Waiter& w : ch->recvq)
    if (!w.sel->fired) Fire(w.sel, w.case_idx, 0, false);
  for (Waiter& w : ch->sendq)
    if (!w.sel->fired) { w.sel->closed_send = true; Fire(w.sel, w.case_idx, 0, false); }
  ch->recvq.clear();
  ch->sendq.clear();
}

template <class Sys>
int BaselineRuntime<Sys>::Select(std::vector<SelectCase>& cases, bool has_default) {
  return DoSelect(this, cases, has_default);
}

template <class Sys>
void BaselineRuntime<Sys>::Sleep(std::chrono::milliseconds d) {
  { std::lock_guard<Mutex> lock(mu); ++sleeping; }
  Sys::SleepFor(d);
  { std::lock_guard<Mutex> lock(mu); --sleeping; }
}

template <class Sys>
void BaselineRuntime<Sys>::Syscall(const std::function<void()>& blocking) {
  { std::lock_guard<Mutex> lock(mu); ++in_syscall; }
  blocking();
  { std::lock_guard<Mutex> lock(mu); --in_syscall; }
}


}  // namespace conform
