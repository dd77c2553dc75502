// The model's semantics, in brief.
//
// A state is every goroutine's continuation plus the shared channels and
// variables. A step is one goroutine doing one atomic thing: running one
// statement, emitting one trace event, starting a deferred call, or popping a
// finished frame. Two exceptions couple goroutines: an unbuffered send and
// receive complete together (rendezvous), and a blocked goroutine may
// "park" (announce it is waiting), which matters only for select's default.
//
// Frames and unwinding (F§1, F§8). Each goroutine has a stack of frames;
// each frame has its pending defers. A panic or Goexit pushes an entry on
// the goroutine's panic list and abandons the top frame. A finished or
// abandoned frame runs its defers one by one, each as a new "deferred" frame
// that remembers which panic entry invoked it; then it is popped, and if it
// was abandoned, so is its caller. recover succeeds only in a deferred frame
// invoked by the newest entry when that entry is a real, unrecovered panic.
// When such a deferred frame returns, the panic ends and the frame that
// deferred it returns normally, unless a Goexit it interrupted resumes.
//
// Facts bound by the run (model.h lists them). Some values are one unknown
// the run fixes: the initial GOMAXPROCS and stack limit, and the thread a
// locked goroutine runs on. Such an event is emitted with a Bind saying what
// it reports; matched against the observed trace, the first one binds the
// unknown (which is part of the state) and later ones must agree. A thread
// event also carries the tokens it cannot be, taken when the statement ran:
// threads that ended with a goroutine that exited locked, and the threads
// other goroutines were locked to. Enumerate shows bound values as "*".
//
// Init functions run as frames of the main goroutine marked is_init; while
// one is on the stack the goroutine is locked to the main thread, and a
// LockOSThread taken there keeps it so after init returns.
#include "spec/model/model.h"

#include <algorithm>
#include <charconv>
#include <deque>
#include <map>
#include <optional>
#include <string_view>
#include <unordered_set>

namespace spec::model {
namespace {

using conform::Event;
using conform::lang::Block;
using conform::lang::Op;
using conform::lang::Scenario;
using conform::lang::Stmt;

constexpr const char* kAny = "\x01*";  // an event value the model cannot know

struct Cursor {
  const Block* block;
  size_t idx;
  int64_t repeats_left;  // further passes over block (repeat); kForever: no end
};

constexpr int64_t kForever = -1;

struct Defer {
  const Block* body;       // nullptr for defer-value and defer-recover
  std::string value_text;  // what they record when the call runs
  const char* op = "value";  // ... and as which event
};

struct Frame {
  std::vector<Cursor> conts;  // empty: the body has finished or was abandoned
  std::vector<Defer> defers;
  bool is_deferred = false;
  int invoker = -1;  // panic entry that started this deferred call; -1: a normal return
  bool abandoned = false;
  bool is_init = false;  // an init function's frame (of the main goroutine)
};

struct PanicEntry {
  std::string value;
  bool goexit = false;
  bool recovered = false;
  bool aborted = false;
};

// What an event reports when its value is a fact the run binds.
enum class Bind : uint8_t { kNone, kInitGomaxprocs, kInitMaxStack, kThread };

struct Pending {
  Event e;
  Bind bind = Bind::kNone;
  bool session = false;             // kThread: the goroutine is locked to its thread
  std::vector<std::string> forbid;  // kThread: tokens it cannot be (sorted)
};

// One alternative of a channel statement, with its operands evaluated.
struct Offer {
  bool is_send;
  int chan;       // -1: nil channel
  int64_t value;  // for sends
  int case_idx;   // -1: a plain send/recv/close
};

struct G {
  int64_t id = 0;
  bool dead = false;
  // A channel statement runs in phases: its operands are evaluated once
  // (comm is set), it may park (announce that it waits), then it completes.
  std::optional<std::vector<Offer>> comm;
  bool parked = false;
  std::vector<Frame> frames;
  std::vector<PanicEntry> panics;
  std::deque<Pending> pending;  // events to emit, one step each
  // Thread identity (tracked with capability os-threads only).
  int64_t locks = 0;        // LockOSThread calls not yet undone
  bool init_lock = false;   // main while init runs: locked to the main thread
  bool on_main = false;     // known to run on the main thread (locked since init)
  std::string lock_thread;  // the token of the thread it is locked to; "": not yet seen

  bool InSession() const { return locks > 0 || init_lock; }
};

struct ChanObj {
  int64_t cap = 0;
  std::deque<int64_t> buf;
  bool closed = false;
};

struct State {
  std::vector<G> gs;
  std::vector<ChanObj> chans;
  std::map<std::string, int> chan_names;  // unbound name: the nil channel
  std::map<std::string, int64_t> vars;
  std::map<std::string, std::deque<int64_t>> pipes;  // unread bytes; every pipe starts empty
  int64_t next_g = 2;
  int64_t gomaxprocs = -1;     // -1: still the initial value
  int64_t init_gomaxprocs = -1;  // the initial value; -1: not yet reported
  int64_t maxstack = 0;
  bool maxstack_set = false;     // false: still the initial limit
  int64_t init_maxstack = 0;
  bool init_maxstack_known = false;
  std::set<std::string> dead_threads;  // ended with a goroutine that exited locked
  bool main_goexited = false;
  std::optional<int> exit;    // set when the program has ended
  size_t pos = 0;             // Check: observed events matched so far
  std::vector<Event> produced;// Enumerate: events produced so far

  std::string Key() const;
};

// Builds a state's key for the visited set: equal states give equal keys,
// different states different ones. Integers are written as raw fixed-width
// bytes and every string and sequence after its length, so the encoding is
// prefix-free and needs no separators (the keys are never shown or parsed).
// Formatting through a stream cost the fuzzer's model a third of its time.
class KeyWriter {
 public:
  void Int(int64_t v) { s_.append(reinterpret_cast<const char*>(&v), sizeof v); }
  void Bool(bool b) { s_.push_back(b ? 1 : 0); }
  void Str(std::string_view v) { Int(static_cast<int64_t>(v.size())); s_.append(v); }
  void Ptr(const void* p) { Int(static_cast<int64_t>(reinterpret_cast<intptr_t>(p))); }
  void Count(size_t n) { Int(static_cast<int64_t>(n)); }
  std::string Take() { return std::move(s_); }

 private:
  std::string s_;
};

void PutG(KeyWriter& k, const G& g) {
  k.Int(g.id); k.Bool(g.dead); k.Bool(g.parked);
  k.Bool(g.comm.has_value());
  if (g.comm) {
    k.Count(g.comm->size());
    for (const Offer& x : *g.comm) { k.Bool(x.is_send); k.Int(x.chan); k.Int(x.value); k.Int(x.case_idx); }
  }
  k.Count(g.frames.size());
  for (const Frame& f : g.frames) {
    k.Count(f.conts.size());
    for (const Cursor& c : f.conts) { k.Ptr(c.block); k.Count(c.idx); k.Int(c.repeats_left); }
    k.Count(f.defers.size());
    for (const Defer& d : f.defers) { k.Ptr(d.body); k.Str(d.value_text); k.Str(d.op); }
    k.Bool(f.is_deferred); k.Int(f.invoker); k.Bool(f.abandoned); k.Bool(f.is_init);
  }
  k.Count(g.panics.size());
  for (const PanicEntry& p : g.panics) { k.Str(p.value); k.Bool(p.goexit); k.Bool(p.recovered); k.Bool(p.aborted); }
  k.Count(g.pending.size());
  for (const Pending& p : g.pending) {
    k.Str(p.e.op); k.Str(p.e.value); k.Int(static_cast<int64_t>(p.bind)); k.Bool(p.session);
    k.Count(p.forbid.size());
    for (const std::string& t : p.forbid) k.Str(t);
  }
  k.Int(g.locks); k.Bool(g.init_lock); k.Bool(g.on_main); k.Str(g.lock_thread);
}

std::string State::Key() const {
  KeyWriter k;
  k.Count(gs.size());
  for (const G& g : gs) PutG(k, g);
  k.Count(chans.size());
  for (const ChanObj& c : chans) {
    k.Int(c.cap); k.Bool(c.closed);
    k.Count(c.buf.size());
    for (int64_t v : c.buf) k.Int(v);
  }
  k.Count(chan_names.size());
  for (const auto& [name, v] : chan_names) { k.Str(name); k.Int(v); }
  k.Count(vars.size());
  for (const auto& [name, v] : vars) { k.Str(name); k.Int(v); }
  k.Count(pipes.size());
  for (const auto& [name, q] : pipes) {
    k.Str(name);
    k.Count(q.size());
    for (int64_t b : q) k.Int(b);
  }
  k.Int(next_g); k.Int(gomaxprocs); k.Int(init_gomaxprocs);
  k.Int(maxstack); k.Bool(maxstack_set); k.Int(init_maxstack); k.Bool(init_maxstack_known);
  k.Count(dead_threads.size());
  for (const std::string& t : dead_threads) k.Str(t);
  k.Bool(main_goexited);
  k.Int(exit ? *exit : -1); k.Count(pos);
  k.Count(produced.size());
  for (const Event& e : produced) { k.Int(e.g); k.Str(e.op); k.Str(e.value); }
  return k.Take();
}

// --- continuation helpers -----------------------------------------------------

// Drops finished cursors so that an empty conts means "body done".
void Normalize(Frame& f) {
  while (!f.conts.empty()) {
    Cursor& c = f.conts.back();
    if (c.idx < c.block->size()) return;
    if (c.repeats_left == kForever) { c.idx = 0; continue; }
    if (c.repeats_left > 0) { c.idx = 0; --c.repeats_left; continue; }
    f.conts.pop_back();
  }
}

// Runs b `passes` times (kForever: endlessly; the caller handles an empty
// endless body, which never finishes).
void PushBlock(Frame& f, const Block* b, int64_t passes = 1) {
  if (b->empty() || (passes <= 0 && passes != kForever)) return;
  f.conts.push_back({b, 0, passes == kForever ? kForever : passes - 1});
}

// The statement the goroutine runs next, or nullptr when its top frame is done.
const Stmt* Next(const G& g) {
  if (g.dead || !g.pending.empty() || g.frames.empty()) return nullptr;
  const Frame& f = g.frames.back();
  if (f.conts.empty()) return nullptr;
  const Cursor& c = f.conts.back();
  return &(*c.block)[c.idx];
}

// Moves past the current statement.
void Advance(G& g) {
  Frame& f = g.frames.back();
  ++f.conts.back().idx;
}

void Emit(G& g, const char* op, std::string value) { g.pending.push_back({Event{g.id, op, std::move(value)}}); }

// Emits an event whose value is a fact the run binds (see the top).
void EmitBound(G& g, const char* op, Bind bind) { g.pending.push_back({Event{g.id, op, kAny}, bind}); }

// The observed value as an integer, or nullopt if it is not one.
std::optional<int64_t> ParseInt(const std::string& v) {
  int64_t x = 0;
  auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), x);
  if (ec != std::errc() || end != v.data() + v.size()) return std::nullopt;
  return x;
}

// The lock session is over: the goroutine may run on any thread again.
void EndSession(G& g) {
  g.lock_thread.clear();
  g.on_main = false;
}

void StartPanic(G& g, std::string value, bool goexit) {
  g.panics.push_back(PanicEntry{std::move(value), goexit, false, false});
  Frame& f = g.frames.back();
  f.conts.clear();
  f.abandoned = true;
}

int64_t Eval(const State& s, const conform::lang::Operand& o) {
  if (o.kind == conform::lang::Operand::Kind::kInt) return o.i;
  if (o.kind == conform::lang::Operand::Kind::kVar) {
    auto it = s.vars.find(o.s);
    return it == s.vars.end() ? 0 : it->second;
  }
  return 0;
}

int ChanOf(const State& s, const std::string& name) {
  auto it = s.chan_names.find(name);
  return it == s.chan_names.end() ? -1 : it->second;
}

int64_t LiveCount(const State& s) {
  return std::count_if(s.gs.begin(), s.gs.end(), [](const G& g) { return !g.dead; });
}

// --- the explorer ---------------------------------------------------------------

class Explorer {
 public:
  Explorer(const Scenario& sc, const Observation* obs, const Options& opts)
      : sc_(sc), obs_(obs), opts_(opts),
        threads_(!opts.capabilities || opts.capabilities->count("os-threads")),
        stacks_(!opts.capabilities || opts.capabilities->count("stack-limit")) {}

  // Explores from the initial state; returns false if the bound was hit.
  bool Run() {
    std::vector<State> stack{Initial()};
    while (!stack.empty()) {
      State s = std::move(stack.back());
      stack.pop_back();
      if (!visited_.insert(s.Key()).second) continue;
      if (static_cast<int64_t>(visited_.size()) > opts_.max_states) return false;
      longest_ = std::max(longest_, s.pos);
      if (s.exit) { Terminal(s); if (found_ && obs_) return true; continue; }
      std::vector<State> next = Successors(s);
      if (next.empty() && !busy_) Deadlock(s, &next);
      for (State& n : next) stack.push_back(std::move(n));
    }
    return true;
  }

  bool found_ = false;
  size_t longest_ = 0;
  std::set<Outcome> outcomes_;
  int64_t states() const { return static_cast<int64_t>(visited_.size()); }

 private:
  State Initial() const {
    State s;
    G main;
    main.id = 1;
    main.frames.emplace_back();
    PushBlock(main.frames.back(), &sc_.main);
    // Init functions run first, each as a frame of the main goroutine.
    for (auto it = sc_.inits.rbegin(); it != sc_.inits.rend(); ++it) {
      main.frames.emplace_back();
      main.frames.back().is_init = true;
      PushBlock(main.frames.back(), &*it);
    }
    // Init runs locked to the main thread (lifecycle.init-on-main-thread).
    if (threads_ && !sc_.inits.empty()) main.init_lock = main.on_main = true;
    s.gs.push_back(std::move(main));
    if (sc_.gomaxprocs) s.gomaxprocs = *sc_.gomaxprocs;
    return s;
  }

  void Terminal(const State& s) {
    if (obs_) {
      if (s.pos == obs_->trace.size() && (!obs_->exit_status || *obs_->exit_status == *s.exit))
        found_ = true;
    } else {
      outcomes_.insert({s.produced, *s.exit});
    }
  }

  // No goroutine can move and none is busy-waiting: Go's checkdead.
  static void Deadlock(const State& s, std::vector<State>* next) {
    State d = s;
    d.exit = 2;  // "all goroutines are asleep - deadlock!"
    next->push_back(std::move(d));
  }

  // Whether goroutine i's next event can be the next observed one.
  bool Matches(const State& s, size_t i) const {
    if (!obs_) return true;
    if (s.pos >= obs_->trace.size()) return false;
    const Pending& p = s.gs[i].pending.front();
    const Event& e = p.e;
    const Event& o = obs_->trace[s.pos];
    if (o.g != e.g || o.op != e.op) return false;
    switch (p.bind) {
      case Bind::kNone: return e.value == kAny || o.value == e.value;
      case Bind::kInitGomaxprocs: {
        std::optional<int64_t> v = ParseInt(o.value);
        return v && *v >= 1 && (s.init_gomaxprocs < 0 || *v == s.init_gomaxprocs);
      }
      case Bind::kInitMaxStack: {
        std::optional<int64_t> v = ParseInt(o.value);
        return v && (!s.init_maxstack_known || *v == s.init_maxstack);
      }
      case Bind::kThread: {
        if (std::binary_search(p.forbid.begin(), p.forbid.end(), o.value)) return false;
        if (!p.session) return true;
        const G& g = s.gs[i];
        if (!g.lock_thread.empty()) return o.value == g.lock_thread;
        // A first report: no goroutine locked meanwhile may own that thread.
        for (size_t j = 0; j < s.gs.size(); ++j)
          if (j != i && !s.gs[j].dead && s.gs[j].locks > 0 && s.gs[j].lock_thread == o.value) return false;
        return true;
      }
    }
    return false;
  }

  // Records the fact an accepted event reported.
  static void BindFact(State& n, size_t i, const Pending& p, const std::string& value) {
    switch (p.bind) {
      case Bind::kNone: return;
      case Bind::kInitGomaxprocs: n.init_gomaxprocs = *ParseInt(value); return;
      case Bind::kInitMaxStack:
        n.init_maxstack = *ParseInt(value);
        n.init_maxstack_known = true;
        return;
      case Bind::kThread:
        if (p.session && n.gs[i].lock_thread.empty()) n.gs[i].lock_thread = value;
        return;
    }
  }

  std::vector<State> Successors(const State& s) {
    busy_ = false;
    std::vector<State> out;
    for (size_t i = 0; i < s.gs.size(); ++i) {
      const G& g = s.gs[i];
      if (g.dead) continue;
      if (!g.pending.empty()) {
        // A mismatch makes this branch infeasible; it is not a deadlock.
        if (!Matches(s, i)) { busy_ = true; continue; }
        State n = s;
        Pending p = std::move(n.gs[i].pending.front());
        n.gs[i].pending.pop_front();
        if (obs_) {
          BindFact(n, i, p, obs_->trace[n.pos].value);
          ++n.pos;
        } else {
          const Event& e = p.e;
          n.produced.push_back(e.value == kAny ? Event{e.g, e.op, "*"} : e);
        }
        out.push_back(std::move(n));
        continue;
      }
      if (const Stmt* st = Next(g)) StmtMoves(s, i, *st, &out);
      else FrameMoves(s, i, &out);
    }
    return out;
  }

  // A finished top frame: start its next defer, or pop it.
  void FrameMoves(const State& s, size_t i, std::vector<State>* out) {
    State n = s;
    G& g = n.gs[i];
    Frame& f = g.frames.back();
    if (!f.defers.empty()) {
      Defer d = f.defers.back();
      f.defers.pop_back();
      int invoker = f.abandoned ? static_cast<int>(g.panics.size()) - 1 : -1;
      if (!d.body) {
        Emit(g, d.op, d.value_text);
      } else {
        Frame df;
        df.is_deferred = true;
        df.invoker = invoker;
        PushBlock(df, d.body);
        g.frames.push_back(std::move(df));
      }
      out->push_back(std::move(n));
      return;
    }
    Frame done = std::move(g.frames.back());
    g.frames.pop_back();
    if (done.is_init && g.init_lock && (g.frames.empty() || !g.frames.back().is_init)) {
      // The last init function returned: the runtime's own lock ends; the
      // user's (lockosthread.init-lock-keeps-main) keeps main on the main thread.
      g.init_lock = false;
      if (g.locks == 0) EndSession(g);
    }
    if (done.is_deferred) PopDeferred(g, done);
    else if (done.abandoned && !g.frames.empty()) Abandon(g.frames.back());
    if (g.frames.empty()) EndGoroutine(n, i);
    else Normalize(g.frames.back());  // the caller resumes after its call statement
    out->push_back(std::move(n));
  }

  static void Abandon(Frame& f) {
    f.conts.clear();
    f.abandoned = true;
  }

  static void PopDeferred(G& g, const Frame& done) {
    int inv = done.invoker;
    // A recover takes effect only when the deferred call then returns
    // normally; one that panics afterwards leaves "[recovered]" behind.
    if (!done.abandoned && inv >= 0 && inv < static_cast<int>(g.panics.size()) &&
        g.panics[inv].recovered) {
      g.panics.erase(g.panics.begin() + inv);
      // Panics this one superseded are over too; an interrupted Goexit resumes.
      bool goexit_resumes = false;
      while (static_cast<int>(g.panics.size()) == inv && inv > 0 && g.panics.back().aborted) {
        if (g.panics.back().goexit) { g.panics.back().aborted = false; goexit_resumes = true; break; }
        g.panics.pop_back();
        --inv;
      }
      if (!g.frames.empty()) {
        // The frame that deferred the call returns normally (its remaining
        // defers still run), unless Goexit resumes.
        g.frames.back().abandoned = goexit_resumes;
        g.frames.back().conts.clear();
      }
      return;
    }
    if (done.abandoned) {
      if (inv >= 0 && inv != static_cast<int>(g.panics.size()) - 1) g.panics[inv].aborted = true;
      if (!g.frames.empty()) Abandon(g.frames.back());
    }
  }

  static void EndGoroutine(State& n, size_t i) {
    G& g = n.gs[i];
    g.dead = true;
    // Its thread ends with it (lockosthread.exit-while-locked-kills-thread).
    if (g.locks > 0 && !g.lock_thread.empty()) n.dead_threads.insert(g.lock_thread);
    if (!g.panics.empty() && !g.panics.back().goexit) { n.exit = 2; return; }  // unrecovered panic
    if (g.id == 1) {
      if (g.panics.empty()) { n.exit = 0; return; }  // main returned
      n.main_goexited = true;
    }
    if (n.main_goexited && LiveCount(n) == 0) n.exit = 2;  // "no goroutines" fatal
  }

  // --- statements ---

  void StmtMoves(const State& s, size_t i, const Stmt& st, std::vector<State>* out) {
    switch (st.op) {
      case Op::kSend: case Op::kRecv: case Op::kSelect: case Op::kClose:
        if (!s.gs[i].comm) {
          // Evaluate the channel operands (and values sent) once, as Go does.
          State n = s;
          n.gs[i].comm = Offers(s, st);
          out->push_back(std::move(n));
          return;
        }
        if (st.op == Op::kClose) return CloseMove(s, i, out);
        return CommMoves(s, i, st, out);
      case Op::kSyscall: case Op::kSpin:
        if (st.until && Var(s, st.name) == 0) { busy_ = true; return; }  // spins in place
        break;
      case Op::kRead: {
        // Blocked in a system call until a byte comes: not asleep (Go's
        // deadlock check counts it as running), so busy.
        auto it = s.pipes.find(st.name);
        if (it == s.pipes.end() || it->second.empty()) { busy_ = true; return; }
        break;
      }
      case Op::kForever:
        if (st.body.empty()) { busy_ = true; return; }  // `for {}`: runs forever, never deadlocked
        break;
      case Op::kRecurse: {
        const Overflow o = OverflowOf(s, st);
        if (o != Overflow::kNever) {
          // "fatal error: stack overflow": the program ends at once, status 2,
          // and no deferred call runs (stack.overflow-no-defers).
          State n = s;
          n.exit = 2;
          out->push_back(std::move(n));
        }
        if (o == Overflow::kAlways) return;
        break;
      }
      default: break;
    }
    State n = s;
    G& g = n.gs[i];
    Advance(g);
    RunSimple(n, i, st);
    if (!n.gs[i].dead && !n.gs[i].frames.empty()) Normalize(n.gs[i].frames.back());
    out->push_back(std::move(n));
    if (st.op == Op::kPoll && (!st.cond.alive.empty() || !st.cond.Holds(PollSubject(s, st)))) {
      // The poll may also keep waiting; that changes nothing, so it is not a move.
      busy_ = true;
    }
  }

  enum class Overflow { kNever, kMaybe, kAlways };

  // Whether `recurse frames bytes` overflows the stack limit. It must when
  // it needs 4x a limit the scenario set (stack.limit-bounds-plain-recursion-
  // in-main says "several times"; Go overflows somewhere in (limit/2,
  // limit]); it must not when it needs little: 128 KiB (a frame's overhead
  // counted as 256 bytes) and at most a quarter of a limit set.
  Overflow OverflowOf(const State& s, const Stmt& st) const {
    const int64_t frames = std::max<int64_t>(st.n, 0);
    const int64_t bytes = std::max<int64_t>(st.m, 0);
    constexpr int64_t kBig = int64_t{1} << 40;
    const int64_t need = frames > 0 && bytes > kBig / frames ? kBig : frames * bytes;
    const int64_t most = frames > 0 && bytes + 256 > kBig / frames ? kBig : frames * (bytes + 256);
    if (stacks_ && s.maxstack_set && s.maxstack > 0 && need / 4 >= s.maxstack) return Overflow::kAlways;
    const bool under_set_limit = !stacks_ || !s.maxstack_set || most <= s.maxstack / 4;
    if (most <= 128 * 1024 && under_set_limit) return Overflow::kNever;
    return Overflow::kMaybe;
  }

  static int64_t Var(const State& s, const std::string& name) {
    auto it = s.vars.find(name);
    return it == s.vars.end() ? 0 : it->second;
  }

  // The polled value; unused for `alive`, which the model does not know.
  static int64_t PollSubject(const State& s, const Stmt& st) {
    return st.cond.numgoroutine ? LiveCount(s) : Var(s, st.cond.var);
  }

  // Non-channel statements; the cursor has already moved past st.
  void RunSimple(State& n, size_t i, const Stmt& st) {
    G& g = n.gs[i];
    switch (st.op) {
      case Op::kGo: {
        G child;
        child.id = n.next_g++;
        child.frames.emplace_back();
        PushBlock(child.frames.back(), &st.body);
        n.gs.push_back(std::move(child));  // an empty body still exists until its frame pops
        return;
      }
      case Op::kGoexit: return StartPanic(g, "", true);
      case Op::kDefer: g.frames.back().defers.push_back({&st.body, ""}); return;
      case Op::kDeferValue:
        g.frames.back().defers.push_back({nullptr, st.name + "=" + std::to_string(Var(n, st.name))});
        return;
      case Op::kPanic: {
        std::string v = st.value.kind == conform::lang::Operand::Kind::kString
                            ? st.value.s
                            : std::to_string(Eval(n, st.value));
        return StartPanic(g, v, false);
      }
      case Op::kRecover: return Emit(g, "recover", Recover(g));
      case Op::kCall: {
        Frame f;
        PushBlock(f, &st.body);
        g.frames.push_back(std::move(f));
        return;
      }
      case Op::kRecord: return Emit(g, "record", st.name);
      case Op::kChan:
        if (st.nil_chan) { n.chan_names.erase(st.name); return; }
        n.chans.push_back(ChanObj{st.n, {}, false});
        n.chan_names[st.name] = static_cast<int>(n.chans.size()) - 1;
        return;
      case Op::kThread: {
        if (!threads_) return Emit(g, "thread", kAny);
        Pending p{Event{g.id, "thread", kAny}, Bind::kThread, g.InSession()};
        p.forbid.assign(n.dead_threads.begin(), n.dead_threads.end());
        for (size_t j = 0; j < n.gs.size(); ++j) {
          const G& o = n.gs[j];
          if (j != i && !o.dead && o.locks > 0 && !o.lock_thread.empty()) p.forbid.push_back(o.lock_thread);
        }
        std::sort(p.forbid.begin(), p.forbid.end());
        p.forbid.erase(std::unique(p.forbid.begin(), p.forbid.end()), p.forbid.end());
        g.pending.push_back(std::move(p));
        return;
      }
      case Op::kLock:
        if (threads_) ++g.locks;
        return;
      case Op::kUnlock:
        // Without a lock held it does nothing (lockosthread.unlock-without-lock-noop).
        if (threads_ && g.locks > 0 && --g.locks == 0 && !g.init_lock) EndSession(g);
        return;
      case Op::kNumGoroutine: return Emit(g, "numgoroutine", std::to_string(LiveCount(n)));
      case Op::kGomaxprocs: {
        // Returns the previous setting; n < 1 only queries (gomaxprocs.*).
        if (n.gomaxprocs >= 1) Emit(g, "gomaxprocs", std::to_string(n.gomaxprocs));
        else EmitBound(g, "gomaxprocs", Bind::kInitGomaxprocs);
        if (st.n >= 1) n.gomaxprocs = st.n;
        return;
      }
      case Op::kSetMaxStack:
        // Returns the previous limit (stack.setmaxstack-returns-previous).
        if (!stacks_) return Emit(g, "setmaxstack", kAny);
        if (n.maxstack_set) Emit(g, "setmaxstack", std::to_string(n.maxstack));
        else EmitBound(g, "setmaxstack", Bind::kInitMaxStack);
        n.maxstack = st.n;
        n.maxstack_set = true;
        return;
      case Op::kRepeat: PushBlock(g.frames.back(), &st.body, st.n); return;
      case Op::kSet: n.vars[st.name] = Eval(n, st.value); return;
      case Op::kAdd: n.vars[st.name] += Eval(n, st.value); return;
      case Op::kValue: return Emit(g, "value", st.name + "=" + std::to_string(Var(n, st.name)));
      case Op::kPoll:
        return Emit(g, "poll", st.cond.alive.empty() ? std::to_string(PollSubject(n, st)) : kAny);
      case Op::kDeferRecover:
        // recover runs now, in this frame; its value is recorded when the call runs.
        g.frames.back().defers.push_back({nullptr, Recover(g), "recover"});
        return;
      case Op::kWrite: n.pipes[st.name].push_back(Eval(n, st.value) & 0xff); return;
      case Op::kRead: {
        std::deque<int64_t>& q = n.pipes[st.name];
        int64_t b = q.front();
        q.pop_front();
        return Emit(g, "read", std::to_string(b));
      }
      case Op::kAlive: return Emit(g, "alive", kAny);
      case Op::kMainThread: return Emit(g, "main-thread", threads_ && g.on_main ? "1" : kAny);
      case Op::kElapsed: return Emit(g, "elapsed", kAny);
      case Op::kIntrospect:
        // The runtime's own choices (IMPL clauses): the model allows any
        // answer. `introspect gosched` yields, a step like gosched.
        return Emit(g, "introspect", kAny);
      case Op::kForever: PushBlock(g.frames.back(), &st.body, kForever); return;
      case Op::kExit: n.exit = static_cast<int>(st.n); return;
      default: return;  // gosched, sleep, syscall, recurse (when it returns), spin, stopwatch: a step, no effect
    }
  }

  static std::string Recover(G& g) {
    const Frame& f = g.frames.back();
    int top = static_cast<int>(g.panics.size()) - 1;
    if (!f.is_deferred || f.invoker < 0 || f.invoker != top) return "nil";
    PanicEntry& p = g.panics[top];
    if (p.goexit || p.recovered || p.aborted) return "nil";
    p.recovered = true;
    return p.value;
  }

  // --- channels ---

  static std::vector<Offer> Offers(const State& s, const Stmt& st) {
    std::vector<Offer> out;
    if (st.op == Op::kSend) out.push_back({true, ChanOf(s, st.name), Eval(s, st.value), -1});
    else if (st.op == Op::kClose) out.push_back({false, ChanOf(s, st.name), 0, -1});
    else if (st.op == Op::kRecv) out.push_back({false, ChanOf(s, st.name), 0, -1});
    else
      for (size_t k = 0; k < st.cases.size(); ++k) {
        const auto& c = st.cases[k];
        out.push_back({c.is_send, ChanOf(s, c.chan), c.is_send ? Eval(s, c.value) : 0, static_cast<int>(k)});
      }
    return out;
  }

  // Completes goroutine i's communication statement through offer o.
  static void Complete(State& n, size_t i, const Stmt& st, const Offer& o, int64_t got, bool ok) {
    G& g = n.gs[i];
    g.parked = false;
    g.comm.reset();
    Advance(g);
    if (o.case_idx >= 0) {
      Emit(g, "select", std::to_string(o.case_idx));
      if (!o.is_send) Emit(g, "recv", std::to_string(got) + (ok ? ",true" : ",false"));
      PushBlock(g.frames.back(), &st.cases[o.case_idx].body);
    } else if (!o.is_send && !st.into.empty()) {
      n.vars[st.into] = got;  // recv c into x: no event
    } else if (!o.is_send) {
      Emit(g, "recv", std::to_string(got) + (ok ? ",true" : ",false"));
    }
    Normalize(g.frames.back());
  }

  static void CloseMove(const State& s, size_t i, std::vector<State>* out) {
    State n = s;
    G& g = n.gs[i];
    int c = (*g.comm)[0].chan;
    g.comm.reset();
    Advance(g);
    if (c < 0) StartPanic(g, "close of nil channel", false);
    else if (n.chans[c].closed) StartPanic(g, "close of closed channel", false);
    else n.chans[c].closed = true;
    if (!g.frames.empty()) Normalize(g.frames.back());
    out->push_back(std::move(n));
  }

  void CommMoves(const State& s, size_t i, const Stmt& st, std::vector<State>* out) {
    std::vector<Offer> offers = *s.gs[i].comm;
    bool ready = false;
    for (const Offer& o : offers) {
      if (o.chan < 0) continue;  // nil channels never become ready
      const ChanObj& c = s.chans[o.chan];
      if (o.is_send && c.closed) {
        ready = true;
        State n = s;
        n.gs[i].parked = false;
        n.gs[i].comm.reset();
        Advance(n.gs[i]);
        StartPanic(n.gs[i], "send on closed channel", false);
        out->push_back(std::move(n));
      } else if (o.is_send && c.cap > 0 && static_cast<int64_t>(c.buf.size()) < c.cap) {
        ready = true;
        State n = s;
        n.chans[o.chan].buf.push_back(o.value);
        Complete(n, i, st, o, 0, true);
        out->push_back(std::move(n));
      } else if (!o.is_send && !c.buf.empty()) {
        ready = true;
        State n = s;
        int64_t v = n.chans[o.chan].buf.front();
        n.chans[o.chan].buf.pop_front();
        Complete(n, i, st, o, v, true);
        out->push_back(std::move(n));
      } else if (!o.is_send && c.closed) {
        ready = true;
        State n = s;
        Complete(n, i, st, o, 0, false);
        out->push_back(std::move(n));
      } else if (c.cap == 0 && !c.closed) {
        ready |= RendezvousMoves(s, i, st, o, out);
      }
    }
    if (st.op == Op::kSelect && st.has_default && !ready) {
      State n = s;
      G& g = n.gs[i];
      g.comm.reset();
      Advance(g);
      Emit(g, "select", "default");
      PushBlock(g.frames.back(), &st.default_body);
      Normalize(g.frames.back());
      out->push_back(std::move(n));
    }
    if (!s.gs[i].parked && !(st.op == Op::kSelect && st.has_default)) {
      State n = s;
      n.gs[i].parked = true;
      out->push_back(std::move(n));
    }
  }

  // Pairs goroutine i's offer on an unbuffered channel with a partner's
  // matching offer. Returns whether a parked partner made the offer ready.
  bool RendezvousMoves(const State& s, size_t i, const Stmt& st, const Offer& o,
                       std::vector<State>* out) {
    bool parked_partner = false;
    for (size_t j = 0; j < s.gs.size(); ++j) {
      if (j == i) continue;
      const Stmt* pst = Next(s.gs[j]);
      if (!pst || !s.gs[j].comm || pst->op == Op::kClose) continue;  // partner must be at its operation
      for (const Offer& p : *s.gs[j].comm) {
        if (p.chan != o.chan || p.is_send == o.is_send) continue;
        parked_partner |= s.gs[j].parked;
        if (!o.is_send) continue;  // generate each pair once, from the sender
        State n = s;
        Complete(n, i, st, o, 0, true);
        Complete(n, j, *pst, p, o.value, true);
        out->push_back(std::move(n));
      }
    }
    return parked_partner;
  }

  const Scenario& sc_;
  const Observation* obs_;
  Options opts_;
  bool threads_;  // capability os-threads: thread identity is known
  bool stacks_;   // capability stack-limit: SetMaxStack and overflow are known
  std::unordered_set<std::string> visited_;
  bool busy_ = false;
};

}  // namespace

Result Check(const Scenario& sc, const Observation& obs, const Options& opts) {
  Explorer ex(sc, &obs, opts);
  bool complete = ex.Run();
  Result r;
  r.states = ex.states();
  r.longest_prefix = ex.longest_;
  if (ex.found_) r.verdict = Verdict::kValid;
  else r.verdict = complete ? Verdict::kInvalid : Verdict::kBoundExceeded;
  return r;
}

std::optional<std::set<Outcome>> Enumerate(const Scenario& sc, const Options& opts) {
  Explorer ex(sc, nullptr, opts);
  if (!ex.Run()) return std::nullopt;
  return ex.outcomes_;
}

}  // namespace spec::model
