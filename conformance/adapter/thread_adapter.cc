// How the baseline works.
//
// Frames: each goroutine keeps a stack of frames with their defers. Panic
// and Goexit push an entry on the goroutine's panic list and throw Unwind;
// RunFrame catches it at every frame, runs that frame's defers, and either
// rethrows (still unwinding) or returns normally (recovered). The rules are
// the same as spec/model's, stated there.
//
// Channels: one global mutex and one condition variable for every channel
// and select; each blocked operation is a Waiter on the channel's queue. A
// counter of goroutines blocked on channels, compared with the number alive,
// sleeping and in syscalls, gives Go's deadlock report.
#include "conformance/adapter/thread_adapter.h"

#include <pthread.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <condition_variable>
#include <cstdio>
#include <deque>
#include <list>
#include <mutex>
#include <optional>
#include <random>
#include <thread>
#include <utility>

namespace conform {
namespace {

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

thread_local G* current = nullptr;

G& Cur() { return *current; }

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

std::mutex mu;
std::condition_variable cv;
int live = 0, blocked = 0, sleeping = 0, in_syscall = 0;
bool main_goexited = false;
int64_t next_id = 1;
int gomaxprocs = 1;
int64_t max_stack = 1000000000;
std::vector<std::function<void()>> inits;

[[noreturn]] void Die(const std::string& msg, int code) {
  std::fflush(stdout);
  std::fputs(msg.c_str(), stderr);
  std::fflush(stderr);
  _exit(code);
}

// Go's checkdead, called with mu held whenever a goroutine blocks or exits.
void CheckDead() {
  if (main_goexited && live == 0)
    Die("fatal error: no goroutines (main called runtime.Goexit) - deadlock!\n", 2);
  if (live > 0 && blocked == live && sleeping == 0 && in_syscall == 0)
    Die("fatal error: all goroutines are asleep - deadlock!\n", 2);
}

std::string PanicReport(const G& g) {
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
bool RunFrame(const std::function<void()>& fn, bool is_deferred, int invoker) {
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
void RunGoroutine(G* g, const std::function<void()>& body) {
  current = g;
  bool abandoned = RunFrame(body, false, -1);
  std::unique_lock<std::mutex> lock(mu);
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
bool Ready(ChanImpl* c, bool is_send) {
  if (!c) return false;
  auto alive = [](const std::list<Waiter>& q) {
    for (const Waiter& w : q)
      if (!w.sel->fired) return true;
    return false;
  };
  if (is_send) return c->closed || alive(c->recvq) || c->buf.size() < c->cap;
  return alive(c->sendq) || !c->buf.empty() || c->closed;
}

void Fire(Sel* s, int idx, int64_t v, bool ok) {
  s->fired = true;
  s->case_idx = idx;
  s->value = v;
  s->ok = ok;
  --blocked;  // its goroutine can run again
  cv.notify_all();
}

// Under mu: completes a ready case. Returns false if a send hit a closed channel.
bool Perform(ChanImpl* c, bool is_send, int64_t send_value, int64_t* out, bool* ok) {
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

thread_local std::mt19937_64 rng{std::random_device{}()};

// The shared engine behind Send, Recv and Select. Returns the chosen case or
// -1 (default); throws a runtime-error panic for a send on a closed channel.
int DoSelect(ThreadAdapter* rt, std::vector<SelectCase>& cases, bool has_default) {
  std::unique_lock<std::mutex> lock(mu);
  std::vector<int> ready;
  for (size_t k = 0; k < cases.size(); ++k)
    if (Ready(static_cast<ChanImpl*>(cases[k].chan), cases[k].is_send)) ready.push_back(static_cast<int>(k));
  if (!ready.empty()) {
    int k = ready[std::uniform_int_distribution<size_t>(0, ready.size() - 1)(rng)];
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

}  // namespace

Capabilities ThreadAdapter::capabilities() const {
  Capabilities c;
  c.os_threads = true;  // a thread per goroutine: pinning holds trivially
  c.preemptive = true;  // the OS preempts threads
  c.syscalls = true;    // a blocked thread blocks only its goroutine
  c.stack_limit = false;  // SetMaxStack is recorded but not enforced
  c.fairness = false;     // Gosched is sched_yield: no order promised
  return c;
}

void ThreadAdapter::RegisterInit(std::function<void()> fn) { inits.push_back(std::move(fn)); }

void ThreadAdapter::RunProgram(std::function<void()> main) {
  const char* env = std::getenv("GOMAXPROCS");
  int n = env ? std::atoi(env) : 0;
  gomaxprocs = n > 0 ? n : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  static G main_g;
  {
    std::lock_guard<std::mutex> lock(mu);
    main_g.id = next_id++;
    ++live;
  }
  RunGoroutine(&main_g, [&] {
    for (auto& f : inits) Call(f);
    main();
  });
  for (;;) pause();  // main called Goexit: the others carry on
}

void ThreadAdapter::Exit(int code) {
  std::fflush(stdout);
  std::fflush(stderr);
  _exit(code);
}

void ThreadAdapter::Spawn(std::function<void()> body) {
  auto* g = new G;  // leaked on purpose: the process ends with _exit
  {
    std::lock_guard<std::mutex> lock(mu);
    g->id = next_id++;
    ++live;
  }
  // Small stacks, so that ten thousand goroutines fit (std::thread cannot set this).
  auto* arg = new std::pair<G*, std::function<void()>>(g, std::move(body));
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setstacksize(&attr, 256 * 1024);
  pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
  pthread_t t;
  auto start = [](void* p) -> void* {
    auto* a = static_cast<std::pair<G*, std::function<void()>>*>(p);
    RunGoroutine(a->first, a->second);
    return nullptr;
  };
  int rc = pthread_create(&t, &attr, start, arg);
  // Thread limits are shared with the rest of the machine: retry briefly.
  for (int tries = 0; rc == EAGAIN && tries < 200; ++tries) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
    rc = pthread_create(&t, &attr, start, arg);
  }
  pthread_attr_destroy(&attr);
  if (rc != 0) Die("runtime: failed to create new OS thread\n", 2);
}

void ThreadAdapter::Gosched() { std::this_thread::yield(); }

void ThreadAdapter::Goexit() {
  Cur().panics.push_back(PanicRec{PanicValue::Nil(), true});
  throw Unwind{};
}

int ThreadAdapter::NumGoroutine() {
  std::lock_guard<std::mutex> lock(mu);
  return live;
}

int64_t ThreadAdapter::ThreadId() { return static_cast<int64_t>(::syscall(SYS_gettid)); }

int ThreadAdapter::Gomaxprocs(int n) {
  std::lock_guard<std::mutex> lock(mu);
  int prev = gomaxprocs;
  if (n >= 1) gomaxprocs = n;
  return prev;
}

int64_t ThreadAdapter::SetMaxStack(int64_t bytes) {
  std::lock_guard<std::mutex> lock(mu);
  return std::exchange(max_stack, bytes);
}

void ThreadAdapter::Call(const std::function<void()>& frame) {
  if (RunFrame(frame, false, -1)) throw Unwind{};
}

void ThreadAdapter::Defer(std::function<void()> fn) { Cur().frames.back().defers.push_back(std::move(fn)); }

void ThreadAdapter::Panic(PanicValue v) {
  Cur().panics.push_back(PanicRec{std::move(v), false});
  throw Unwind{};
}

PanicValue ThreadAdapter::Recover() {
  G& g = Cur();
  const Frame& f = g.frames.back();
  int top = static_cast<int>(g.panics.size()) - 1;
  if (!f.is_deferred || f.invoker < 0 || f.invoker != top) return PanicValue::Nil();
  PanicRec& p = g.panics[top];
  if (p.goexit || p.recovered || p.aborted) return PanicValue::Nil();
  p.recovered = true;
  return p.value;
}

std::shared_ptr<Chan> ThreadAdapter::MakeChan(size_t capacity) {
  auto c = std::make_shared<ChanImpl>();
  c->cap = capacity;
  return c;
}

void ThreadAdapter::Send(Chan* c, int64_t v) {
  std::vector<SelectCase> cases{{c, true, v, nullptr, nullptr}};
  DoSelect(this, cases, false);
}

int64_t ThreadAdapter::Recv(Chan* c, bool* ok) {
  int64_t out = 0;
  std::vector<SelectCase> cases{{c, false, 0, &out, ok}};
  DoSelect(this, cases, false);
  return out;
}

void ThreadAdapter::Close(Chan* c) {
  auto* ch = static_cast<ChanImpl*>(c);
  std::unique_lock<std::mutex> lock(mu);
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

int ThreadAdapter::Select(std::vector<SelectCase>& cases, bool has_default) {
  return DoSelect(this, cases, has_default);
}

void ThreadAdapter::Sleep(std::chrono::milliseconds d) {
  { std::lock_guard<std::mutex> lock(mu); ++sleeping; }
  std::this_thread::sleep_for(d);
  { std::lock_guard<std::mutex> lock(mu); --sleeping; }
}

void ThreadAdapter::Syscall(const std::function<void()>& blocking) {
  { std::lock_guard<std::mutex> lock(mu); ++in_syscall; }
  blocking();
  { std::lock_guard<std::mutex> lock(mu); --in_syscall; }
}

}  // namespace conform
