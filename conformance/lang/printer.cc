#include "conformance/lang/printer.h"

#include <sstream>

#include "conformance/lang/lexer.h"

namespace conform::lang {
namespace {

// A word prints bare when it would lex back as the same word; else quoted.
std::string Label(const std::string& s) {
  std::optional<LexError> err;
  auto toks = LexLine(s, &err);
  if (!err && toks.size() == 1 && toks[0].kind != Token::Kind::kString &&
      toks[0].kind != Token::Kind::kVar && toks[0].kind != Token::Kind::kCmp &&
      toks[0].text == s && s != "*" && s != ";")
    return s;
  return QuoteString(s);
}

std::string OperandText(const Operand& o) {
  switch (o.kind) {
    case Operand::Kind::kInt: return std::to_string(o.i);
    case Operand::Kind::kString: return QuoteString(o.s);
    case Operand::Kind::kVar: return "$" + o.s;
  }
  return "";
}

const char* CmpText(Cmp c) {
  switch (c) {
    case Cmp::kEq: return "==";
    case Cmp::kNe: return "!=";
    case Cmp::kLe: return "<=";
    case Cmp::kGe: return ">=";
    case Cmp::kLt: return "<";
    case Cmp::kGt: return ">";
  }
  return "==";
}

void PrintStmt(const Stmt& s, int indent, std::ostringstream& out);

void PrintBody(const Block& b, int indent, std::ostringstream& out) {
  for (const Stmt& s : b) PrintStmt(s, indent, out);
}

void PrintStmt(const Stmt& s, int indent, std::ostringstream& out) {
  std::string pad(2 * indent, ' ');
  out << pad;
  auto block = [&](const char* kw) {
    out << kw << "\n";
    PrintBody(s.body, indent + 1, out);
    out << pad << "end\n";
  };
  switch (s.op) {
    case Op::kGo: return block("go");
    case Op::kDefer: return block("defer");
    case Op::kCall: return block("call");
    case Op::kForever: return block("forever");
    case Op::kRepeat:
      out << "repeat " << s.n << "\n";
      PrintBody(s.body, indent + 1, out);
      out << pad << "end\n";
      return;
    case Op::kSelect:
      out << "select\n";
      for (const SelectCase& c : s.cases) {
        out << pad << "case " << (c.is_send ? "send " : "recv ") << c.chan;
        if (c.is_send) out << " " << OperandText(c.value);
        out << "\n";
        PrintBody(c.body, indent + 1, out);
      }
      if (s.has_default) {
        out << pad << "default\n";
        PrintBody(s.default_body, indent + 1, out);
      }
      out << pad << "end\n";
      return;
    case Op::kGosched: out << "gosched"; break;
    case Op::kGoexit: out << "goexit"; break;
    case Op::kRecover: out << "recover"; break;
    case Op::kLock: out << "lock"; break;
    case Op::kUnlock: out << "unlock"; break;
    case Op::kThread: out << "thread"; break;
    case Op::kNumGoroutine: out << "numgoroutine"; break;
    case Op::kDeferRecover: out << "defer-recover"; break;
    case Op::kMainThread: out << "main-thread"; break;
    case Op::kRead: out << "read " << s.name; break;
    case Op::kWrite: out << "write " << s.name << " " << OperandText(s.value); break;
    case Op::kAlive: out << "alive " << s.name; break;
    case Op::kStopwatch: out << "stopwatch " << s.name; break;
    case Op::kElapsed: out << "elapsed " << s.name; break;
    case Op::kIntrospect: out << "introspect " << s.name; break;
    case Op::kDeferValue: out << "defer-value " << s.name; break;
    case Op::kValue: out << "value " << s.name; break;
    case Op::kPanic: out << "panic " << OperandText(s.value); break;
    case Op::kRecord: out << "record " << Label(s.name); break;
    case Op::kChan:
      out << "chan " << s.name << " " << (s.nil_chan ? std::string("nil") : std::to_string(s.n));
      break;
    case Op::kSend: out << "send " << s.name << " " << OperandText(s.value); break;
    case Op::kRecv:
      out << "recv " << s.name;
      if (!s.into.empty()) out << " into " << s.into;
      break;
    case Op::kClose: out << "close " << s.name; break;
    case Op::kSleep: out << "sleep " << s.n; break;
    case Op::kExit: out << "exit " << s.n; break;
    case Op::kSyscall:
    case Op::kSpin:
      out << (s.op == Op::kSyscall ? "syscall " : "spin ");
      if (s.until) out << "until $" << s.name;
      else out << s.n;
      break;
    case Op::kGomaxprocs: out << "gomaxprocs " << s.n; break;
    case Op::kSetMaxStack: out << "setmaxstack " << s.n; break;
    case Op::kRecurse: out << "recurse " << s.n << " " << s.m; break;
    case Op::kSet: out << "set " << s.name << " " << OperandText(s.value); break;
    case Op::kAdd: out << "add " << s.name << " " << OperandText(s.value); break;
    case Op::kPoll:
      out << "poll "
          << (s.cond.numgoroutine      ? std::string("numgoroutine")
              : !s.cond.alive.empty() ? "alive " + s.cond.alive
                                       : "$" + s.cond.var)
          << " " << CmpText(s.cond.cmp) << " " << s.cond.k << " within " << s.n;
      if (s.yielding) out << " yielding";
      break;
  }
  out << "\n";
}

std::string Patterns(const std::vector<EventPattern>& ps) {
  std::string out;
  for (size_t k = 0; k < ps.size(); ++k) out += (k ? " ; " : "") + PrintPattern(ps[k]);
  return out;
}

std::string PrintExpectation(const Expectation& e) {
  using K = Expectation::Kind;
  std::string out = "@expect ";
  switch (e.kind) {
    case K::kExit: return out + "exit " + std::to_string(e.n);
    case K::kStderr: return out + "stderr " + QuoteString(e.text);
    case K::kStderrMatch: return out + "stderr-match " + QuoteString(e.text);
    case K::kTraceExact: return out + "trace exact " + Patterns(e.events);
    case K::kTraceContains: return out + "trace contains " + Patterns(e.events);
    case K::kTraceAbsent: return out + "trace absent " + Patterns(e.events);
    case K::kTraceGoroutine:
      return out + "trace goroutine " + std::to_string(e.n) + " " + Patterns(e.events);
    case K::kRange:
      return out + "range " + e.text + " " + std::to_string(e.n) + " " + std::to_string(e.hi);
    case K::kCount:
      return out + "count " + Patterns(e.events) + " " + std::to_string(e.n) + " " +
             std::to_string(e.hi);
    case K::kBypass: return out + "bypass " + std::to_string(e.n) + " " + Patterns(e.events);
    case K::kModel: return out + "model";
  }
  return out;
}

void ClearBlock(Block* b) {
  for (Stmt& s : *b) {
    s.pos = {};
    ClearBlock(&s.body);
    ClearBlock(&s.default_body);
    for (SelectCase& c : s.cases) {
      c.pos = {};
      ClearBlock(&c.body);
    }
  }
}

}  // namespace

std::string PrintPattern(const EventPattern& p) {
  std::string out;
  if (p.g) out += "g" + std::to_string(p.g) + " ";
  else if (IsGoroutineSelector(p.op)) out += "g* ";  // keep "any goroutine" explicit
  out += p.op;
  out += " " + (p.value ? Label(*p.value) : std::string("*"));
  return out;
}

std::string PrintBlock(const Block& b, int indent) {
  std::ostringstream out;
  PrintBody(b, indent, out);
  return out.str();
}

std::string Print(const Scenario& sc) {
  std::ostringstream out;
  if (!sc.clauses.empty()) {
    out << "@clause";
    for (const auto& c : sc.clauses) out << " " << c;
    out << "\n";
  }
  if (!sc.requires_caps.empty()) {
    out << "@requires";
    for (const auto& c : sc.requires_caps) out << " " << c;
    out << "\n";
  }
  if (sc.gomaxprocs) out << "@gomaxprocs " << *sc.gomaxprocs << "\n";
  out << "@timeout " << sc.timeout_ms << "\n";
  for (const auto& e : sc.expect) out << PrintExpectation(e) << "\n";
  for (const Block& b : sc.inits) {
    out << "init\n";
    PrintBody(b, 1, out);
    out << "end\n";
  }
  PrintBody(sc.main, 0, out);
  return out.str();
}

void ClearPositions(Scenario* sc) {
  for (auto& e : sc->expect) e.pos = {};
  for (auto& b : sc->inits) ClearBlock(&b);
  ClearBlock(&sc->main);
}

}  // namespace conform::lang
