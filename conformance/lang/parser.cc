#include "conformance/lang/parser.h"

#include <fstream>
#include <map>
#include <re2/re2.h>
#include <sstream>
#include <vector>

#include "conformance/lang/lexer.h"

namespace conform::lang {

std::string ParseError::ToString() const {
  return file + ":" + std::to_string(line) + ":" + std::to_string(col) + ": " + message;
}

namespace {

// One source line, already tokenized.
struct Line {
  int number = 0;
  bool header = false;  // started with '@'
  int at_col = 0;       // column of '@'
  std::vector<Token> toks;
};

// Thrown only inside this file and always caught by Parse: it keeps the
// recursive descent free of error plumbing.
struct Failure {
  int line, col;
  std::string message;
};

class Parser {
 public:
  explicit Parser(std::vector<Line> lines) : lines_(std::move(lines)) {}

  Scenario Run() {
    Scenario sc;
    while (at_ < lines_.size() && lines_[at_].header) ParseHeader(lines_[at_++], &sc);
    while (at_ < lines_.size()) {
      const Line& l = lines_[at_];
      if (l.header) Fail(l.number, l.at_col, "header lines (@...) must come before the body");
      if (Word(l, 0) == "init") {
        ExpectArity(l, 1);
        ++at_;
        sc.inits.push_back(ParseBlockUntilEnd(l));
        continue;
      }
      if (IsTerminator(Word(l, 0)))
        Fail(l.number, l.toks[0].col, "'" + Word(l, 0) + "' without an open block");
      sc.main.push_back(ParseStmt());
    }
    return sc;
  }

 private:
  [[noreturn]] static void Fail(int line, int col, std::string msg) {
    throw Failure{line, col, std::move(msg)};
  }

  static std::string Word(const Line& l, size_t k) {
    if (k < l.toks.size() && l.toks[k].kind == Token::Kind::kWord) return l.toks[k].text;
    return "";
  }

  static bool IsTerminator(const std::string& w) {
    return w == "end" || w == "case" || w == "default";
  }

  static int EndCol(const Line& l) {
    if (l.toks.empty()) return 1;
    const Token& t = l.toks.back();
    return t.col + static_cast<int>(t.text.size());
  }

  static const Token& Arg(const Line& l, size_t k, const char* what) {
    if (k >= l.toks.size()) Fail(l.number, EndCol(l) + 1, std::string("expected ") + what);
    return l.toks[k];
  }

  static void ExpectArity(const Line& l, size_t n) {
    if (l.toks.size() > n)
      Fail(l.number, l.toks[n].col, "unexpected '" + l.toks[n].text + "' after '" +
                                         l.toks[0].text + "'");
  }

  static int64_t Int(const Line& l, size_t k, const char* what, int64_t min = INT64_MIN) {
    const Token& t = Arg(l, k, what);
    if (t.kind != Token::Kind::kInt) Fail(l.number, t.col, std::string("expected ") + what);
    if (t.i < min)
      Fail(l.number, t.col, std::string(what) + " must be at least " + std::to_string(min));
    return t.i;
  }

  static std::string Name(const Line& l, size_t k, const char* what) {
    const Token& t = Arg(l, k, what);
    if (t.kind != Token::Kind::kWord) Fail(l.number, t.col, std::string("expected ") + what);
    return t.text;
  }

  // A thread token as `thread` records it: T1, T2, ...
  static std::string ThreadTokenArg(const Line& l, size_t k) {
    const Token& t = Arg(l, k, "a thread token (T1, T2, ...)");
    if (t.kind != Token::Kind::kWord || !IsThreadToken(t.text))
      Fail(l.number, t.col, "expected a thread token (T1, T2, ...)");
    return t.text;
  }

  static std::string VarRef(const Line& l, size_t k) {
    const Token& t = Arg(l, k, "a variable ($name)");
    if (t.kind != Token::Kind::kVar) Fail(l.number, t.col, "expected a variable ($name)");
    return t.text;
  }

  static Operand ParseOperand(const Line& l, size_t k, bool allow_string) {
    const Token& t = Arg(l, k, allow_string ? "a value (integer, \"string\" or $var)"
                                            : "an integer or $var");
    Operand o;
    switch (t.kind) {
      case Token::Kind::kInt: o.kind = Operand::Kind::kInt; o.i = t.i; return o;
      case Token::Kind::kVar: o.kind = Operand::Kind::kVar; o.s = t.text; return o;
      case Token::Kind::kString:
        if (allow_string) { o.kind = Operand::Kind::kString; o.s = t.text; return o; }
        break;
      default: break;
    }
    Fail(l.number, t.col, allow_string ? "expected a value (integer, \"string\" or $var)"
                                       : "expected an integer or $var");
  }

  // Parses statements until a line starting with end/case/default (not consumed).
  Block ParseBlock(const Line& opener) {
    // Bounded so that hostile input cannot exhaust the parser's own stack.
    if (++depth_ > kMaxDepth) Fail(opener.number, opener.toks[0].col, "blocks nested too deeply");
    struct Leave { int& d; ~Leave() { --d; } } leave{depth_};
    Block b;
    while (true) {
      if (at_ >= lines_.size())
        Fail(opener.number, opener.toks[0].col,
             "'" + opener.toks[0].text + "' block is not closed with 'end'");
      const Line& l = lines_[at_];
      if (l.header) Fail(l.number, l.at_col, "header lines (@...) must come before the body");
      if (IsTerminator(Word(l, 0))) return b;
      b.push_back(ParseStmt());
    }
  }

  Block ParseBlockUntilEnd(const Line& opener) {
    Block b = ParseBlock(opener);
    const Line& l = lines_[at_];
    if (Word(l, 0) != "end")
      Fail(l.number, l.toks[0].col, "'" + Word(l, 0) + "' is only allowed inside select");
    ExpectArity(l, 1);
    ++at_;
    return b;
  }

  Stmt ParseStmt() {
    const Line& l = lines_[at_++];
    Stmt s;
    s.pos = {l.number, l.toks[0].col};
    if (l.toks[0].kind != Token::Kind::kWord)
      Fail(l.number, l.toks[0].col, "expected a statement, found '" + l.toks[0].text + "'");
    const std::string& w = l.toks[0].text;
    static const std::map<std::string, Op> simple = {
        {"gosched", Op::kGosched}, {"goexit", Op::kGoexit}, {"recover", Op::kRecover},
        {"lock", Op::kLock},       {"unlock", Op::kUnlock}, {"thread", Op::kThread},
        {"numgoroutine", Op::kNumGoroutine}, {"defer-recover", Op::kDeferRecover},
        {"main-thread", Op::kMainThread}};
    if (auto it = simple.find(w); it != simple.end()) {
      s.op = it->second;
      ExpectArity(l, 1);
      return s;
    }
    static const std::map<std::string, Op> blocks = {
        {"go", Op::kGo}, {"defer", Op::kDefer}, {"call", Op::kCall}, {"forever", Op::kForever}};
    if (auto it = blocks.find(w); it != blocks.end()) {
      s.op = it->second;
      ExpectArity(l, 1);
      s.body = ParseBlockUntilEnd(l);
      return s;
    }
    if (w == "repeat") {
      s.op = Op::kRepeat;
      s.n = Int(l, 1, "a repeat count", 0);
      ExpectArity(l, 2);
      s.body = ParseBlockUntilEnd(l);
      return s;
    }
    if (w == "select") return ParseSelect(l, s);
    if (w == "defer-value" || w == "value") {
      s.op = w == "value" ? Op::kValue : Op::kDeferValue;
      s.name = Name(l, 1, "a variable name");
      ExpectArity(l, 2);
      return s;
    }
    if (w == "stopwatch" || w == "elapsed") {
      s.op = w == "stopwatch" ? Op::kStopwatch : Op::kElapsed;
      s.name = Name(l, 1, "a stopwatch name");
      ExpectArity(l, 2);
      return s;
    }
    if (w == "read" || w == "write") {
      s.op = w == "read" ? Op::kRead : Op::kWrite;
      s.name = Name(l, 1, "a pipe name");
      if (s.op == Op::kWrite) {
        s.value = ParseOperand(l, 2, false);
        ExpectArity(l, 3);
      } else {
        ExpectArity(l, 2);
      }
      return s;
    }
    if (w == "introspect") {
      s.op = Op::kIntrospect;
      const Token& t = Arg(l, 1, "a fact (gosched, reused or m0)");
      bool known = false;
      for (const auto& f : IntrospectFacts()) known |= t.kind == Token::Kind::kWord && t.text == f;
      if (!known) Fail(l.number, t.col, "unknown fact '" + t.text + "' (gosched, reused or m0)");
      s.name = t.text;
      ExpectArity(l, 2);
      return s;
    }
    if (w == "alive") {
      s.op = Op::kAlive;
      s.name = ThreadTokenArg(l, 1);
      ExpectArity(l, 2);
      return s;
    }
    if (w == "panic") {
      s.op = Op::kPanic;
      s.value = ParseOperand(l, 1, true);
      ExpectArity(l, 2);
      return s;
    }
    if (w == "record") {
      s.op = Op::kRecord;
      const Token& t = Arg(l, 1, "a label");
      if (t.kind != Token::Kind::kWord && t.kind != Token::Kind::kString &&
          t.kind != Token::Kind::kInt)
        Fail(l.number, t.col, "expected a label");
      s.name = t.text;
      ExpectArity(l, 2);
      return s;
    }
    if (w == "chan") {
      s.op = Op::kChan;
      s.name = Name(l, 1, "a channel name");
      if (Word(l, 2) == "nil") s.nil_chan = true;
      else s.n = Int(l, 2, "a capacity or nil", 0);
      ExpectArity(l, 3);
      return s;
    }
    if (w == "send") {
      s.op = Op::kSend;
      s.name = Name(l, 1, "a channel name");
      s.value = ParseOperand(l, 2, false);
      ExpectArity(l, 3);
      return s;
    }
    if (w == "recv" && Word(l, 2) == "into") {
      s.op = Op::kRecv;
      s.name = Name(l, 1, "a channel name");
      s.into = Name(l, 3, "a variable name");
      ExpectArity(l, 4);
      return s;
    }
    if (w == "recv" || w == "close") {
      s.op = w == "recv" ? Op::kRecv : Op::kClose;
      s.name = Name(l, 1, "a channel name");
      ExpectArity(l, 2);
      return s;
    }
    if (w == "sleep" || w == "exit") {
      s.op = w == "sleep" ? Op::kSleep : Op::kExit;
      s.n = Int(l, 1, w == "sleep" ? "milliseconds" : "an exit status", 0);
      ExpectArity(l, 2);
      return s;
    }
    if (w == "syscall" || w == "spin") {
      s.op = w == "syscall" ? Op::kSyscall : Op::kSpin;
      if (Word(l, 1) == "until") {
        s.until = true;
        s.name = VarRef(l, 2);
        ExpectArity(l, 3);
      } else {
        s.n = Int(l, 1, w == "syscall" ? "milliseconds or 'until $var'"
                                        : "an iteration count or 'until $var'", 0);
        ExpectArity(l, 2);
      }
      return s;
    }
    if (w == "gomaxprocs" || w == "setmaxstack") {
      s.op = w == "gomaxprocs" ? Op::kGomaxprocs : Op::kSetMaxStack;
      s.n = Int(l, 1, "an integer");
      ExpectArity(l, 2);
      return s;
    }
    if (w == "recurse") {
      s.op = Op::kRecurse;
      s.n = Int(l, 1, "a frame count", 0);
      s.m = Int(l, 2, "bytes per frame", 0);
      ExpectArity(l, 3);
      return s;
    }
    if (w == "set" || w == "add") {
      s.op = w == "set" ? Op::kSet : Op::kAdd;
      s.name = Name(l, 1, "a variable name");
      s.value = ParseOperand(l, 2, false);
      ExpectArity(l, 3);
      return s;
    }
    if (w == "poll") return ParsePoll(l, s);
    if (w == "init") Fail(l.number, l.toks[0].col, "'init' is only allowed at top level");
    Fail(l.number, l.toks[0].col, "unknown statement '" + w + "'");
  }

  Stmt ParsePoll(const Line& l, Stmt& s) {
    s.op = Op::kPoll;
    size_t k = 1;
    const Token& subj = Arg(l, k, "numgoroutine, alive T<n> or $var");
    if (subj.kind == Token::Kind::kWord && subj.text == "numgoroutine") s.cond.numgoroutine = true;
    else if (subj.kind == Token::Kind::kWord && subj.text == "alive") s.cond.alive = ThreadTokenArg(l, ++k);
    else if (subj.kind == Token::Kind::kVar) s.cond.var = subj.text;
    else Fail(l.number, subj.col, "expected numgoroutine, alive T<n> or $var");
    const Token& op = Arg(l, ++k, "a comparison (== != <= >= < >)");
    if (op.kind != Token::Kind::kCmp) Fail(l.number, op.col, "expected a comparison (== != <= >= < >)");
    static const std::map<std::string, Cmp> cmps = {{"==", Cmp::kEq}, {"!=", Cmp::kNe},
                                                    {"<=", Cmp::kLe}, {">=", Cmp::kGe},
                                                    {"<", Cmp::kLt},  {">", Cmp::kGt}};
    s.cond.cmp = cmps.at(op.text);
    s.cond.k = Int(l, ++k, "an integer");
    if (Word(l, ++k) != "within") Fail(l.number, Arg(l, k, "'within'").col, "expected 'within'");
    s.n = Int(l, ++k, "milliseconds", 0);
    if (Word(l, ++k) == "yielding") {
      s.yielding = true;
      ExpectArity(l, k + 1);
    } else {
      ExpectArity(l, k);
    }
    return s;
  }

  Stmt ParseSelect(const Line& l, Stmt& s) {
    s.op = Op::kSelect;
    ExpectArity(l, 1);
    while (true) {
      if (at_ >= lines_.size()) Fail(l.number, l.toks[0].col, "'select' is not closed with 'end'");
      const Line& c = lines_[at_];
      std::string w = Word(c, 0);
      if (w == "end") { ExpectArity(c, 1); ++at_; return s; }
      if (w == "default") {
        if (s.has_default) Fail(c.number, c.toks[0].col, "select has two defaults");
        ExpectArity(c, 1);
        ++at_;
        s.has_default = true;
        s.default_body = ParseBlock(l);
        continue;
      }
      if (w != "case") {
        int col = c.header ? c.at_col : c.toks[0].col;
        Fail(c.number, col, "expected 'case', 'default' or 'end' in select");
      }
      SelectCase sc;
      sc.pos = {c.number, c.toks[0].col};
      std::string dir = Name(c, 1, "send or recv");
      if (dir != "send" && dir != "recv") Fail(c.number, c.toks[1].col, "expected send or recv");
      sc.is_send = dir == "send";
      sc.chan = Name(c, 2, "a channel name");
      if (sc.is_send) { sc.value = ParseOperand(c, 3, false); ExpectArity(c, 4); }
      else ExpectArity(c, 3);
      ++at_;
      sc.body = ParseBlock(l);
      s.cases.push_back(std::move(sc));
    }
  }

  // --- header ---------------------------------------------------------------

  static EventPattern ParsePattern(const Line& l, size_t& k) {
    EventPattern p;
    const Token& first = Arg(l, k, "an event pattern");
    if (first.kind == Token::Kind::kWord && IsGoroutineSelector(first.text)) {
      if (first.text != "g*") {
        try {
          p.g = std::stoll(first.text.substr(1));
        } catch (...) {
          Fail(l.number, first.col, "bad goroutine id '" + first.text + "'");
        }
        if (p.g < 1 || std::to_string(p.g) != first.text.substr(1))
          Fail(l.number, first.col, "bad goroutine id '" + first.text + "'");
      }
      ++k;
    }
    const Token& op = Arg(l, k, "an event kind");
    if (op.kind != Token::Kind::kWord) Fail(l.number, op.col, "expected an event kind");
    p.op = op.text;
    ++k;
    if (k < l.toks.size() && !(l.toks[k].kind == Token::Kind::kWord && l.toks[k].text == ";")) {
      const Token& v = l.toks[k];
      if (v.kind == Token::Kind::kVar || v.kind == Token::Kind::kCmp)
        Fail(l.number, v.col, "expected an event value");
      if (!(v.kind == Token::Kind::kWord && v.text == "*")) p.value = v.text;
      ++k;
    }
    return p;
  }

  static std::vector<EventPattern> ParsePatterns(const Line& l, size_t k) {
    // Patterns are separated by ';', which the lexer makes a word of its own.
    std::vector<EventPattern> out;
    if (k >= l.toks.size()) Fail(l.number, EndCol(l) + 1, "expected an event pattern");
    while (k < l.toks.size()) {
      out.push_back(ParsePattern(l, k));
      if (k < l.toks.size()) {
        if (!(l.toks[k].kind == Token::Kind::kWord && l.toks[k].text == ";"))
          Fail(l.number, l.toks[k].col, "expected ';' between event patterns");
        ++k;
        if (k >= l.toks.size()) Fail(l.number, EndCol(l) + 1, "expected an event pattern after ';'");
      }
    }
    return out;
  }

  void ParseHeader(const Line& l, Scenario* sc) {
    if (l.toks.empty()) Fail(l.number, l.at_col + 1, "expected a header keyword after '@'");
    std::string w = Word(l, 0);
    if (w == "clause") {
      Arg(l, 1, "a clause id");
      for (size_t k = 1; k < l.toks.size(); ++k) sc->clauses.push_back(Name(l, k, "a clause id"));
    } else if (w == "requires") {
      Arg(l, 1, "a capability");
      for (size_t k = 1; k < l.toks.size(); ++k) {
        std::string cap = Name(l, k, "a capability");
        bool known = false;
        for (const auto& c : KnownCapabilities()) known |= c == cap;
        if (!known) Fail(l.number, l.toks[k].col, "unknown capability '" + cap + "'");
        sc->requires_caps.push_back(cap);
      }
    } else if (w == "gomaxprocs") {
      sc->gomaxprocs = Int(l, 1, "a positive integer", 1);
      ExpectArity(l, 2);
    } else if (w == "timeout") {
      sc->timeout_ms = Int(l, 1, "milliseconds", 1);
      ExpectArity(l, 2);
    } else if (w == "expect") {
      sc->expect.push_back(ParseExpectation(l));
    } else {
      Fail(l.number, l.toks.empty() ? l.at_col : l.toks[0].col,
           "unknown header '@" + (l.toks.empty() ? std::string() : l.toks[0].text) + "'");
    }
  }

  Expectation ParseExpectation(const Line& l) {
    Expectation e;
    e.pos = {l.number, l.at_col};
    std::string kind = Name(l, 1, "an expectation kind");
    using K = Expectation::Kind;
    if (kind == "exit") {
      e.kind = K::kExit;
      e.n = Int(l, 2, "an exit status", 0);
      ExpectArity(l, 3);
    } else if (kind == "stderr" || kind == "stderr-match") {
      e.kind = kind == "stderr" ? K::kStderr : K::kStderrMatch;
      const Token& t = Arg(l, 2, "a quoted string");
      if (t.kind != Token::Kind::kString) Fail(l.number, t.col, "expected a quoted string");
      e.text = t.text;
      if (e.kind == K::kStderrMatch) {
        // RE2: linear time and no recursion on the C++ stack, so neither a
        // huge stderr line nor a deeply nested pattern can crash the suite.
        RE2::Options quiet;
        quiet.set_log_errors(false);
        RE2 re(e.text, quiet);
        if (!re.ok()) Fail(l.number, t.col, "bad regular expression: " + re.error());
      }
      ExpectArity(l, 3);
    } else if (kind == "trace") {
      std::string mode = Name(l, 2, "exact, contains, goroutine or absent");
      size_t k = 3;
      if (mode == "exact") e.kind = K::kTraceExact;
      else if (mode == "contains") e.kind = K::kTraceContains;
      else if (mode == "absent") e.kind = K::kTraceAbsent;
      else if (mode == "goroutine") { e.kind = K::kTraceGoroutine; e.n = Int(l, 3, "a goroutine id", 1); k = 4; }
      else Fail(l.number, l.toks[2].col, "expected exact, contains, goroutine or absent");
      e.events = ParsePatterns(l, k);
    } else if (kind == "range") {
      e.kind = K::kRange;
      e.text = Name(l, 2, "an event kind (op or op:key)");
      e.n = Int(l, 3, "a lower bound");
      e.hi = Int(l, 4, "an upper bound");
      if (e.hi < e.n) Fail(l.number, l.toks[4].col, "upper bound is below lower bound");
      ExpectArity(l, 5);
    } else if (kind == "count") {
      e.kind = K::kCount;
      size_t k = 2;
      e.events.push_back(ParsePattern(l, k));
      e.n = Int(l, k, "a lower bound", 0);
      e.hi = Int(l, k + 1, "an upper bound", 0);
      if (e.hi < e.n) Fail(l.number, l.toks[k + 1].col, "upper bound is below lower bound");
      ExpectArity(l, k + 2);
    } else if (kind == "fair") {
      // The Gosched fairness bound, kept as a name: bypass 1 over one op.
      e.kind = K::kBypass;
      e.n = 1;
      EventPattern p;
      p.op = Name(l, 2, "an event kind");
      if (IsGoroutineSelector(p.op)) Fail(l.number, l.toks[2].col, "expected an event kind");
      e.events.push_back(std::move(p));
      ExpectArity(l, 3);
    } else if (kind == "bypass") {
      e.kind = K::kBypass;
      e.n = Int(l, 2, "a bound (at least 1)", 1);
      size_t k = 3;
      e.events.push_back(ParsePattern(l, k));
      ExpectArity(l, k);
    } else if (kind == "model") {
      e.kind = K::kModel;
      ExpectArity(l, 2);
    } else {
      Fail(l.number, l.toks[1].col, "unknown expectation '" + kind + "'");
    }
    return e;
  }

  static constexpr int kMaxDepth = 64;
  std::vector<Line> lines_;
  size_t at_ = 0;
  int depth_ = 0;
};

// Splits text into tokenized, non-blank lines.
std::vector<Line> LexAll(std::string_view text) {
  std::vector<Line> out;
  int number = 0;
  size_t start = 0;
  while (start <= text.size()) {
    size_t nl = text.find('\n', start);
    if (nl == std::string_view::npos) nl = text.size();
    std::string_view raw = text.substr(start, nl - start);
    ++number;
    start = nl + 1;
    Line l;
    l.number = number;
    size_t first = raw.find_first_not_of(" \t\r");
    std::string body(raw);
    if (first != std::string_view::npos && raw[first] == '@') {
      l.header = true;
      l.at_col = static_cast<int>(first) + 1;
      body[first] = ' ';
    }
    std::optional<LexError> err;
    l.toks = LexLine(body, &err);
    if (err) throw Failure{number, err->col, err->message};
    if (!l.toks.empty() || l.header) out.push_back(std::move(l));
    if (nl == text.size()) break;
  }
  return out;
}

}  // namespace

std::optional<Scenario> Parse(std::string_view text, const std::string& file, ParseError* error) {
  try {
    Parser p(LexAll(text));
    Scenario sc = p.Run();
    sc.file = file;
    return sc;
  } catch (const Failure& f) {
    *error = ParseError{file, f.line, f.col, f.message};
  } catch (const std::exception& e) {
    // Defensive: a library failure (e.g. allocation) still becomes an error.
    *error = ParseError{file, 0, 0, std::string("internal error: ") + e.what()};
  }
  return std::nullopt;
}

std::optional<Scenario> ParseFile(const std::string& path, ParseError* error) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    *error = ParseError{path, 0, 0, "cannot open file"};
    return std::nullopt;
  }
  std::stringstream ss;
  ss << in.rdbuf();
  return Parse(ss.str(), path, error);
}

}  // namespace conform::lang
