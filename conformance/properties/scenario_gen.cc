#include "conformance/properties/scenario_gen.h"

#include <set>
#include <string>
#include <utility>
#include <vector>

namespace conform::properties {
namespace {

using lang::Op;

// A statement that blocks for good without being asleep (a pipe read nobody
// answers, a loop that never blocks) would turn a deadlock into a hang, which
// a run can only end by its timeout. So every `read` is answered by a byte
// main writes first (reads are never inside a repeat, so each runs at most
// once; g_reads counts them), and a `forever` body always blocks on a
// receive from e, a channel never closed (a closed one would never block):
// it drains e until nobody sends, then sleeps.
thread_local int g_reads = 0;
// The runtime's capabilities: overflow through frames is drawn only for a
// runtime with an enforced stack limit (elsewhere deep recursion may hit
// the thread's guard page, a crash no clause speaks of).
thread_local bool g_stack_limit = false;

lang::Block GenBlock(int depth, int max_len, bool in_repeat);

// Uniform in [lo, hi) at every size (rc::gen::inRange scales with size,
// which made most early scenarios empty).
int Uniform(int lo, int hi) {
  std::vector<int> v;
  for (int k = lo; k < hi; ++k) v.push_back(k);
  return *rc::gen::elementOf(v);
}

Op Weighted(const std::vector<std::pair<int, Op>>& choices) {
  int total = 0;
  for (const auto& c : choices) total += c.first;
  int r = Uniform(0, total);
  for (const auto& c : choices) {
    if (r < c.first) return c.second;
    r -= c.first;
  }
  return choices.back().second;
}

lang::Stmt GenStmt(int depth, bool in_repeat) {
  // Mostly operations that record or communicate; the ones that end a
  // goroutine or the program are rarer, so traces get long enough to matter.
  static const std::vector<std::pair<int, Op>> kLeaf = {
      {4, Op::kRecord},  {3, Op::kSend},    {3, Op::kRecv},  {2, Op::kValue},        {2, Op::kAdd},
      {2, Op::kGosched}, {1, Op::kSet},     {1, Op::kRecover}, {1, Op::kPanic},      {1, Op::kGoexit},
      {1, Op::kClose},   {1, Op::kChan},    {1, Op::kDeferValue}, {2, Op::kNumGoroutine},
      {1, Op::kLock},    {1, Op::kUnlock},  {1, Op::kSyscall}, {1, Op::kDeferRecover},
      {1, Op::kWrite},   {2, Op::kRead},    {1, Op::kMainThread}, {1, Op::kThread},
      {1, Op::kAlive},   {1, Op::kStopwatch}, {1, Op::kElapsed}, {2, Op::kGomaxprocs},
      {1, Op::kSetMaxStack}, {1, Op::kSleep}};
  static const std::vector<std::pair<int, Op>> kBlock = {
      {3, Op::kGo}, {2, Op::kDefer}, {1, Op::kCall}, {1, Op::kRepeat}, {2, Op::kSelect},
      {1, Op::kForever}};
  lang::Stmt s;
  const bool block = depth > 0 && Uniform(0, 3) == 0;
  s.op = Weighted(block ? kBlock : kLeaf);
  if (in_repeat && s.op == Op::kRead) s.op = Op::kWrite;
  if (s.op == Op::kSetMaxStack && !g_stack_limit) s.op = Op::kRecord;
  if (s.op == Op::kRead) ++g_reads;
  auto chan = [] { return *rc::gen::element<std::string>("c", "d"); };
  auto var = [] { return *rc::gen::element<std::string>("x", "y"); };
  switch (s.op) {
    case Op::kGo: case Op::kDefer: case Op::kCall: s.body = GenBlock(depth - 1, 3, in_repeat); break;
    case Op::kRepeat: s.n = Uniform(0, 3); s.body = GenBlock(depth - 1, 2, true); break;
    case Op::kForever: {
      // `for { v, ok := <-e; record }`: ends blocked once nobody sends.
      lang::Stmt r;
      r.op = Op::kRecv;
      r.name = "e";
      if (Uniform(0, 2) == 0) r.into = var();
      s.body.push_back(r);
      if (Uniform(0, 2) == 0) {
        lang::Stmt rec;
        rec.op = Op::kRecord;
        rec.name = "f";
        s.body.push_back(rec);
      }
      break;
    }
    case Op::kSelect: {
      const int n = Uniform(0, 3);
      for (int k = 0; k < n; ++k) {
        lang::SelectCase c;
        c.is_send = *rc::gen::arbitrary<bool>();
        c.chan = chan();
        c.value.i = Uniform(1, 4);
        c.body = GenBlock(depth - 1, 2, in_repeat);
        s.cases.push_back(std::move(c));
      }
      s.has_default = *rc::gen::arbitrary<bool>();
      break;
    }
    case Op::kPanic:
      if (*rc::gen::arbitrary<bool>()) {
        s.value.kind = lang::Operand::Kind::kString;
        s.value.s = "p";
      } else {
        s.value.i = Uniform(1, 4);
      }
      break;
    case Op::kRecord: s.name = *rc::gen::element<std::string>("a", "b", "c"); break;
    case Op::kChan: s.name = chan(); s.n = Uniform(0, 3); s.nil_chan = Uniform(0, 5) == 0; break;
    case Op::kSend: s.name = Uniform(0, 4) == 0 ? "e" : chan(); s.value.i = Uniform(1, 4); break;
    case Op::kRecv:
      s.name = chan();
      if (Uniform(0, 4) == 0) s.into = var();
      break;
    case Op::kClose: s.name = chan(); break;
    case Op::kRead: s.name = "p"; break;
    case Op::kAlive: s.name = *rc::gen::element<std::string>("T1", "T2"); break;  // maybe never recorded: -1
    case Op::kStopwatch: case Op::kElapsed: s.name = "w"; break;
    case Op::kWrite: s.name = "p"; s.value.i = Uniform(0, 300); break;
    case Op::kSet: case Op::kAdd: s.name = var(); s.value.i = Uniform(1, 4); break;
    case Op::kValue: case Op::kDeferValue: s.name = var(); break;
    case Op::kSyscall: s.n = Uniform(0, 3); break;  // milliseconds in a blocking call
    case Op::kGomaxprocs: s.n = Uniform(-1, 4); break;  // n < 1 queries
    case Op::kSleep: s.n = Uniform(0, 3); break;  // a pending timer: never a deadlock (deadlock.timer-defers-check)
    case Op::kSetMaxStack: s.n = *rc::gen::element<int64_t>(1 << 20, 2 << 20); break;
    default: break;
  }
  return s;
}

lang::Stmt Simple(Op op, std::string name = "", int64_t n = 0) {
  lang::Stmt s;
  s.op = op;
  s.name = std::move(name);
  s.n = n;
  return s;
}

lang::Stmt WithBody(Op op, lang::Block body) {
  lang::Stmt s = Simple(op);
  s.body = std::move(body);
  return s;
}

// Channel operations that panic, under a deferred recover so the program
// goes on and the trace shows the panic's value (chan.close-closed-panics,
// chan.close-nil-panics, chan.send-closed-panics):
//   call; defer; recover; end; close c; send d 2; ...; end
lang::Stmt GenGuarded() {
  lang::Block body;
  body.push_back(WithBody(Op::kDefer, {Simple(Op::kRecover)}));
  const int n = Uniform(1, 4);
  for (int k = 0; k < n; ++k) {
    switch (Uniform(0, 5)) {
      case 0: case 1: body.push_back(Simple(Op::kClose, *rc::gen::element<std::string>("c", "d"))); break;
      case 2: body.push_back(Simple(Op::kClose, "n")); break;  // the nil channel
      case 3: {
        lang::Stmt send = Simple(Op::kSend, *rc::gen::element<std::string>("c", "d"));
        send.value.i = Uniform(1, 4);
        body.push_back(send);
        break;
      }
      default: body.push_back(Simple(Op::kRecord, "g")); break;
    }
  }
  return WithBody(Op::kCall, std::move(body));
}

// LockOSThread nesting with thread facts (lockosthread.pins-goroutine,
// .nesting, .unlock-without-lock-noop): `locks` locks, some unlocks that
// leave it locked, the thread recorded around a body that may block or
// yield, then the remaining unlocks, or none (the goroutine may end locked,
// taking its thread with it).
void GenLocked(lang::Block& b, int depth, bool in_repeat) {
  if (Uniform(0, 3) == 0) b.push_back(Simple(Op::kUnlock));  // without a lock: a no-op
  const int locks = Uniform(1, 4);
  for (int k = 0; k < locks; ++k) b.push_back(Simple(Op::kLock));
  const int early = Uniform(0, locks);
  for (int k = 0; k < early; ++k) b.push_back(Simple(Op::kUnlock));
  b.push_back(Simple(Op::kThread));
  // A sleep parks the goroutine and a timer readies it: unlocked, it would
  // often resume on another thread.
  b.push_back(Uniform(0, 2) == 0 ? Simple(Op::kGosched) : Simple(Op::kSleep, "", 1));
  for (lang::Stmt& s : GenBlock(depth - 1, 2, in_repeat)) b.push_back(std::move(s));
  b.push_back(Simple(Op::kThread));
  if (Uniform(0, 4) > 0)
    for (int k = early; k < locks; ++k) b.push_back(Simple(Op::kUnlock));
}

// Recursion through call frames with a pending deferred record, after a
// small SetMaxStack (stack.overflow-no-defers, stack.setmaxstack-returns-
// previous): 8 MiB of recursion must overflow a 1 or 2 MiB limit; 4 KiB
// must not.
//   setmaxstack L; call; defer; record s; end; call; recurse F B; end; end
void GenOverflow(lang::Block& b) {
  b.push_back(Simple(Op::kSetMaxStack, "", *rc::gen::element<int64_t>(1 << 20, 2 << 20)));
  lang::Stmt rec = Simple(Op::kRecurse);
  const bool deep = Uniform(0, 2) == 0;
  rec.n = deep ? 8192 : 16;
  rec.m = deep ? 1024 : 256;
  b.push_back(WithBody(Op::kCall, {WithBody(Op::kDefer, {Simple(Op::kRecord, "s")}),
                                   WithBody(Op::kCall, {rec}), Simple(Op::kRecord, "r")}));
}

// Goexit under pending defers in nested frames (goexit.runs-defers-across-
// frames): go; defer; record o; end; call; defer-value x; call; defer ...;
// goexit; end; end; end.
lang::Stmt GenNestedGoexit(int depth, bool in_repeat) {
  lang::Block inner = {WithBody(Op::kDefer, {Simple(Op::kRecord, "i")})};
  for (lang::Stmt& s : GenBlock(depth - 1, 1, in_repeat)) inner.push_back(std::move(s));
  inner.push_back(Simple(Op::kGoexit));
  lang::Block mid = {Simple(Op::kDeferValue, "x"), WithBody(Op::kCall, std::move(inner)),
                     Simple(Op::kRecord, "m")};
  return WithBody(Op::kGo, {WithBody(Op::kDefer, {Simple(Op::kRecord, "o")}),
                            WithBody(Op::kCall, std::move(mid)), Simple(Op::kRecord, "z")});
}

// A goroutine blocked in a system call is still counted
// (numgoroutine.counts-syscall): it waits in a pipe read that this goroutine
// answers only after reading NumGoroutine, so the reader cannot have ended:
//   go; read q; record q; end; sleep 1; numgoroutine; write q 1
void GenCountsSyscall(lang::Block& b) {
  b.push_back(WithBody(Op::kGo, {Simple(Op::kRead, "q"), Simple(Op::kRecord, "q")}));
  b.push_back(Simple(Op::kSleep, "", 1));
  b.push_back(Simple(Op::kNumGoroutine));
  lang::Stmt w = Simple(Op::kWrite, "q");
  w.value.i = 1;
  b.push_back(w);
}

// A buffered channel is FIFO even when a sender waits on the full buffer
// (chan.buffered-fifo): a goroutine fills f (capacity k) and blocks on one
// more; the receives must see 1..k+1 in order.
//   chan f k; go; send f 1; ...; send f k+1; end; sleep 1; recv f (k+1 times)
void GenFifo(lang::Block& b) {
  const int k = Uniform(1, 3);
  b.push_back(Simple(Op::kChan, "f", k));
  lang::Block sends;
  for (int v = 1; v <= k + 1; ++v) {
    lang::Stmt send = Simple(Op::kSend, "f");
    send.value.i = v;
    sends.push_back(send);
  }
  b.push_back(WithBody(Op::kGo, std::move(sends)));
  b.push_back(Simple(Op::kSleep, "", 1));
  for (int v = 1; v <= k + 1; ++v) b.push_back(Simple(Op::kRecv, "f"));
}

// Close wakes every goroutine blocked on the channel: receivers with the
// zero value and ok=false (chan.close-wakes-receivers), a sender, plain or
// in a select, with a panic (chan.close-panics-blocked-sender), here
// recovered:
//   chan w 0; go; recv w; end (k times); [go; call; defer; recover; end;
//   send w 1 | select; case send w 1; end; end; end]; sleep 1; close w
void GenCloseWakes(lang::Block& b) {
  b.push_back(Simple(Op::kChan, "w", 0));
  const int k = Uniform(1, 4);
  for (int j = 0; j < k; ++j) b.push_back(WithBody(Op::kGo, {Simple(Op::kRecv, "w")}));
  if (Uniform(0, 2) == 0) {
    lang::Stmt send = Simple(Op::kSend, "w");
    send.value.i = 1;
    if (Uniform(0, 2) == 0) {
      lang::SelectCase c;
      c.is_send = true;
      c.chan = "w";
      c.value.i = 1;
      send = Simple(Op::kSelect);
      send.cases.push_back(std::move(c));
    }
    b.push_back(WithBody(Op::kGo, {WithBody(Op::kCall, {WithBody(Op::kDefer, {Simple(Op::kRecover)}), send})}));
  }
  b.push_back(Simple(Op::kSleep, "", 1));
  b.push_back(Simple(Op::kClose, "w"));
}

// GOMAXPROCS settings in a row, each returning the one before, and a query
// (gomaxprocs.returns-previous, .nonpositive-queries):
//   gomaxprocs a; gomaxprocs b; gomaxprocs 0|-1
void GenGomaxprocs(lang::Block& b) {
  b.push_back(Simple(Op::kGomaxprocs, "", Uniform(1, 4)));
  b.push_back(Simple(Op::kGomaxprocs, "", Uniform(1, 4)));
  b.push_back(Simple(Op::kGomaxprocs, "", Uniform(-1, 1)));
}

lang::Block GenBlock(int depth, int max_len, bool in_repeat) {
  lang::Block b;
  const int n = Uniform(0, max_len + 1);
  for (int k = 0; k < n; ++k) {
    // Now and then a composite of several statements, each a behaviour a
    // random statement sequence rarely shows.
    switch (depth > 0 ? Uniform(0, 32) : -1) {
      case 0: b.push_back(GenGuarded()); break;
      case 1: GenLocked(b, depth, in_repeat); break;
      case 2:
        if (g_stack_limit) GenOverflow(b);
        else b.push_back(GenStmt(depth, in_repeat));
        break;
      case 3: b.push_back(GenNestedGoexit(depth, in_repeat)); break;
      case 4: GenCountsSyscall(b); break;
      case 5: GenFifo(b); break;
      case 6: GenCloseWakes(b); break;
      case 7: GenGomaxprocs(b); break;
      default: b.push_back(GenStmt(depth, in_repeat)); break;
    }
  }
  return b;
}

// Init functions: they run first, on the main thread, and a lock taken
// there keeps main on it (lifecycle.init-on-main-thread,
// lockosthread.init-lock-keeps-main). Only statements that end: no
// goroutine, channel or Goexit (which init does not promise anything of).
lang::Block GenInit() {
  static const std::vector<std::pair<int, Op>> kInit = {
      {3, Op::kMainThread}, {3, Op::kThread}, {2, Op::kLock}, {1, Op::kUnlock},
      {2, Op::kRecord},     {1, Op::kGosched}, {1, Op::kNumGoroutine}, {1, Op::kGomaxprocs},
      {1, Op::kSleep}};
  lang::Block b;
  const int n = Uniform(1, 5);
  for (int k = 0; k < n; ++k) {
    lang::Stmt s = Simple(Weighted(kInit));
    if (s.op == Op::kRecord) s.name = "init";
    if (s.op == Op::kGomaxprocs) s.n = Uniform(-1, 4);
    if (s.op == Op::kSleep) s.n = 1;  // parks main: it must wake on the main thread still
    b.push_back(std::move(s));
  }
  return b;
}

}  // namespace

rc::Gen<lang::Scenario> GenScenario(const std::set<std::string>& caps) {
  const bool stack_limit = caps.count("stack-limit") > 0;
  return rc::gen::exec([stack_limit] {
    g_stack_limit = stack_limit;
    lang::Scenario sc;
    sc.clauses = {"model.property"};
    sc.timeout_ms = 10000;
    const int inits = Uniform(0, 4) == 0 ? Uniform(1, 3) : 0;
    for (int k = 0; k < inits; ++k) sc.inits.push_back(GenInit());
    // Make both channels first so that most operations can complete.
    for (const char* c : {"c", "d", "e"}) {
      lang::Stmt mk;
      mk.op = Op::kChan;
      mk.name = c;
      mk.n = Uniform(0, 4);
      sc.main.push_back(mk);
    }
    lang::Stmt nil = Simple(Op::kChan, "n");  // a nil channel, for close's panic
    nil.nil_chan = true;
    sc.main.push_back(nil);
    g_reads = 0;
    lang::Block body = GenBlock(2, 14, false);
    // One byte for every read, written before anything else runs.
    for (int k = 0; k < g_reads; ++k) {
      lang::Stmt w;
      w.op = Op::kWrite;
      w.name = "p";
      w.value.i = 1 + k;
      sc.main.push_back(w);
    }
    for (auto& s : body) sc.main.push_back(std::move(s));
    lang::Stmt wait;
    wait.op = Op::kPoll;
    wait.cond.numgoroutine = true;
    wait.cond.k = 1;
    wait.n = 50;
    sc.main.push_back(wait);
    // Now and then main then blocks for good (a receive from the nil
    // channel), so the program ends only in Go's deadlock report, which is
    // legal only once no goroutine can move: every goroutine a close, send
    // or receive made runnable must have run on (deadlock.all-asleep-fatal).
    if (Uniform(0, 3) == 0) sc.main.push_back(Simple(Op::kRecv, "n"));
    return sc;
  });
}

}  // namespace conform::properties
