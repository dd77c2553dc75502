// Property: printing any well-formed scenario and parsing it back gives the
// same tree. Random trees come from RapidCheck; a failure is shrunk and
// shown in the scenario language.
#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include "conformance/lang/parser.h"
#include "conformance/lang/printer.h"

namespace conform::lang {
namespace {

std::string Name() { return *rc::gen::element<std::string>("c", "d", "x", "y", "done", "n-2"); }

// Labels include text that must be quoted to survive a round trip.
std::string Label() {
  return *rc::gen::element<std::string>("a", "b", "42", "-7", "two words", "x=1", "$v", "==", ";",
                                        "*", "#hash", "q\"uote", "back\\slash", "tab\there", "");
}

std::string ThreadToken() { return "T" + std::to_string(*rc::gen::inRange(1, 20)); }

Operand GenOperand(bool allow_string) {
  Operand o;
  int k = *rc::gen::inRange(0, allow_string ? 3 : 2);
  if (k == 0) { o.kind = Operand::Kind::kInt; o.i = *rc::gen::inRange<int64_t>(-1000, 1000); }
  else if (k == 1) { o.kind = Operand::Kind::kVar; o.s = Name(); }
  else { o.kind = Operand::Kind::kString; o.s = Label(); }
  return o;
}

Block GenBlock(int depth);

Stmt GenStmt(int depth) {
  static const Op kLeaf[] = {Op::kGosched, Op::kGoexit, Op::kDeferValue, Op::kPanic, Op::kRecover,
                             Op::kRecord, Op::kChan, Op::kSend, Op::kRecv, Op::kClose, Op::kSleep,
                             Op::kSyscall, Op::kLock, Op::kUnlock, Op::kThread, Op::kNumGoroutine,
                             Op::kGomaxprocs, Op::kSetMaxStack, Op::kRecurse, Op::kSpin, Op::kSet,
                             Op::kAdd, Op::kValue, Op::kPoll, Op::kExit, Op::kDeferRecover,
                             Op::kRead, Op::kWrite, Op::kAlive, Op::kMainThread, Op::kStopwatch,
                             Op::kElapsed, Op::kIntrospect};
  static const Op kBlock[] = {Op::kGo, Op::kDefer, Op::kCall, Op::kRepeat, Op::kSelect, Op::kForever};
  constexpr int kLeaves = sizeof kLeaf / sizeof kLeaf[0];
  constexpr int kBlocks = sizeof kBlock / sizeof kBlock[0];
  bool block = depth > 0 && *rc::gen::inRange(0, 4) == 0;
  Stmt s;
  s.op = block ? kBlock[*rc::gen::inRange(0, kBlocks)] : kLeaf[*rc::gen::inRange(0, kLeaves)];
  auto nat = [] { return *rc::gen::inRange<int64_t>(0, 100000); };
  switch (s.op) {
    case Op::kGo: case Op::kDefer: case Op::kCall: case Op::kForever: s.body = GenBlock(depth - 1); break;
    case Op::kRepeat: s.n = nat(); s.body = GenBlock(depth - 1); break;
    case Op::kSelect: {
      int n = *rc::gen::inRange(0, 3);
      for (int k = 0; k < n; ++k) {
        SelectCase c;
        c.is_send = *rc::gen::arbitrary<bool>();
        c.chan = Name();
        if (c.is_send) c.value = GenOperand(false);
        c.body = GenBlock(depth - 1);
        s.cases.push_back(std::move(c));
      }
      s.has_default = *rc::gen::arbitrary<bool>();
      if (s.has_default) s.default_body = GenBlock(depth - 1);
      break;
    }
    case Op::kDeferValue: case Op::kValue: case Op::kRead: case Op::kStopwatch: case Op::kElapsed:
      s.name = Name();
      break;
    case Op::kWrite: s.name = Name(); s.value = GenOperand(false); break;
    case Op::kAlive: s.name = ThreadToken(); break;
    case Op::kIntrospect: s.name = *rc::gen::elementOf(IntrospectFacts()); break;
    case Op::kPanic: s.value = GenOperand(true); break;
    case Op::kRecord: s.name = Label(); break;
    case Op::kChan:
      s.name = Name();
      s.nil_chan = *rc::gen::arbitrary<bool>();
      if (!s.nil_chan) s.n = nat();
      break;
    case Op::kSend: s.name = Name(); s.value = GenOperand(false); break;
    case Op::kRecv:
      s.name = Name();
      if (*rc::gen::arbitrary<bool>()) s.into = Name();
      break;
    case Op::kClose: s.name = Name(); break;
    case Op::kSleep: case Op::kExit: s.n = nat(); break;
    case Op::kSyscall: case Op::kSpin:
      s.until = *rc::gen::arbitrary<bool>();
      if (s.until) s.name = Name(); else s.n = nat();
      break;
    case Op::kGomaxprocs: case Op::kSetMaxStack: s.n = *rc::gen::inRange<int64_t>(-5, 1 << 30); break;
    case Op::kRecurse: s.n = nat(); s.m = nat(); break;
    case Op::kSet: case Op::kAdd: s.name = Name(); s.value = GenOperand(false); break;
    case Op::kPoll:
      switch (*rc::gen::inRange(0, 3)) {
        case 0: s.cond.numgoroutine = true; break;
        case 1: s.cond.alive = ThreadToken(); break;
        default: s.cond.var = Name(); break;
      }
      s.cond.cmp = static_cast<Cmp>(*rc::gen::inRange(0, 6));
      s.cond.k = *rc::gen::inRange<int64_t>(-10, 10);
      s.n = nat();
      s.yielding = *rc::gen::arbitrary<bool>();
      break;
    default: break;
  }
  return s;
}

Block GenBlock(int depth) {
  Block b;
  int n = *rc::gen::inRange(0, 4);
  for (int k = 0; k < n; ++k) b.push_back(GenStmt(depth));
  return b;
}

EventPattern GenPattern() {
  EventPattern p;
  p.g = *rc::gen::inRange<int64_t>(0, 4);
  p.op = *rc::gen::element<std::string>("record", "recv", "value", "thread", "poll");
  if (*rc::gen::arbitrary<bool>()) p.value = Label();
  return p;
}

Expectation GenExpectation() {
  using K = Expectation::Kind;
  Expectation e;
  e.kind = static_cast<K>(*rc::gen::inRange(0, 11));
  switch (e.kind) {
    case K::kExit: e.n = *rc::gen::inRange(0, 256); break;
    case K::kStderr: e.text = Label(); break;
    case K::kStderrMatch: e.text = *rc::gen::element<std::string>("^a$", "[0-9]+", "x|y"); break;
    case K::kTraceExact: case K::kTraceContains: case K::kTraceGoroutine: {
      if (e.kind == K::kTraceGoroutine) e.n = *rc::gen::inRange(1, 5);
      int n = *rc::gen::inRange(1, 4);
      for (int k = 0; k < n; ++k) e.events.push_back(GenPattern());
      break;
    }
    case K::kTraceAbsent: {
      int n = *rc::gen::inRange(1, 3);
      for (int k = 0; k < n; ++k) e.events.push_back(GenPattern());
      break;
    }
    case K::kRange: case K::kCount:
      e.n = *rc::gen::inRange(0, 10);
      e.hi = e.n + *rc::gen::inRange(0, 10);
      if (e.kind == K::kRange) e.text = *rc::gen::element<std::string>("poll", "value:x");
      else e.events.push_back(GenPattern());
      break;
    case K::kBypass:
      e.n = *rc::gen::inRange(1, 6);
      e.events.push_back(GenPattern());
      break;
    case K::kModel: break;
  }
  return e;
}

RC_GTEST_PROP(PrinterProperty, ParseOfPrintIsIdentity, ()) {
  Scenario sc;
  int nclauses = *rc::gen::inRange(0, 3);
  for (int k = 0; k < nclauses; ++k) sc.clauses.push_back(*rc::gen::element<std::string>("a.b", "goexit.runs-defers-lifo"));
  if (*rc::gen::arbitrary<bool>()) sc.requires_caps.push_back("os-threads");
  if (*rc::gen::arbitrary<bool>()) sc.gomaxprocs = *rc::gen::inRange<int64_t>(1, 64);
  sc.timeout_ms = *rc::gen::inRange<int64_t>(1, 100000);
  int nexp = *rc::gen::inRange(0, 4);
  for (int k = 0; k < nexp; ++k) sc.expect.push_back(GenExpectation());
  if (*rc::gen::arbitrary<bool>()) sc.inits.push_back(GenBlock(1));
  sc.main = GenBlock(3);

  std::string text = Print(sc);
  ParseError err;
  auto back = Parse(text, "gen.scn", &err);
  RC_ASSERT(back.has_value());
  ClearPositions(&*back);
  RC_LOG() << text;
  RC_ASSERT(*back == sc);
  RC_ASSERT(Print(*back) == text);
}

}  // namespace
}  // namespace conform::lang
