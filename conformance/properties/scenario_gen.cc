#include "conformance/properties/scenario_gen.h"

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
      {1, Op::kAlive},   {1, Op::kStopwatch}, {1, Op::kElapsed}};
  static const std::vector<std::pair<int, Op>> kBlock = {
      {3, Op::kGo}, {2, Op::kDefer}, {1, Op::kCall}, {1, Op::kRepeat}, {2, Op::kSelect},
      {1, Op::kForever}};
  lang::Stmt s;
  const bool block = depth > 0 && Uniform(0, 3) == 0;
  s.op = Weighted(block ? kBlock : kLeaf);
  if (in_repeat && s.op == Op::kRead) s.op = Op::kWrite;
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
    default: break;
  }
  return s;
}

lang::Block GenBlock(int depth, int max_len, bool in_repeat) {
  lang::Block b;
  const int n = Uniform(0, max_len + 1);
  for (int k = 0; k < n; ++k) b.push_back(GenStmt(depth, in_repeat));
  return b;
}

}  // namespace

rc::Gen<lang::Scenario> GenScenario() {
  return rc::gen::exec([] {
    lang::Scenario sc;
    sc.clauses = {"model.property"};
    sc.timeout_ms = 10000;
    // Make both channels first so that most operations can complete.
    for (const char* c : {"c", "d", "e"}) {
      lang::Stmt mk;
      mk.op = Op::kChan;
      mk.name = c;
      mk.n = Uniform(0, 4);
      sc.main.push_back(mk);
    }
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
    return sc;
  });
}

}  // namespace conform::properties
