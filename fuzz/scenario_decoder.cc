// The byte format of scenario_decoder.h. One template, Codec<IO>, walks a
// scenario and codes each field through IO: a Reader fills the fields from
// bytes, a Writer writes them out. Decoding and encoding are therefore the
// same code, and a statement is added in one place (CodeStmt) for both.
//
// A rule that bends a field to fit the bounds (a go past the goroutine
// budget becomes a call, say) is applied after the field is coded, the same
// way in both directions; when encoding, it also records a loss.
#include "fuzz/scenario_decoder.h"

#include <algorithm>
#include <array>
#include <optional>
#include <string_view>

#include "conformance/lang/printer.h"

namespace gofuzz {
namespace {

using conform::lang::Block;
using conform::lang::Cmp;
using conform::lang::Op;
using conform::lang::Operand;
using conform::lang::Scenario;
using conform::lang::SelectCase;
using conform::lang::Stmt;

// --- statement codes ------------------------------------------------------------
//
// A statement's code is its first byte, taken modulo 64. Codes 0-55 name
// statements (a statement with several codes is drawn more often); 56-63
// end the block, and inside a nested block 48-55 end it too, so that nested
// blocks stay short. The encoder writes each statement's first code (all
// below 48) and kEndCode.
//
// To add a statement: give it one of the repeated codes 30-55 (which only
// changes what old inputs using that code mean) and a case in CodeStmt.
constexpr int kCodeSpace = 64;
constexpr int kFirstEndCode = 56;
constexpr int kFirstNestedEndCode = 48;
constexpr uint8_t kEndCode = 63;

constexpr std::array<Op, kFirstEndCode> kStmtCodes = {
    // 0-29: every statement once.
    Op::kGo, Op::kGosched, Op::kGoexit, Op::kDefer, Op::kDeferValue, Op::kPanic, Op::kRecover,
    Op::kCall, Op::kRecord, Op::kChan, Op::kSend, Op::kRecv, Op::kClose, Op::kSelect, Op::kSleep,
    Op::kSyscall, Op::kLock, Op::kUnlock, Op::kThread, Op::kNumGoroutine, Op::kGomaxprocs,
    Op::kSetMaxStack, Op::kRecurse, Op::kSpin, Op::kRepeat, Op::kSet, Op::kAdd, Op::kValue,
    Op::kPoll, Op::kExit,
    // 30-47: weight for channels, goroutines, defer/panic/recover, and the
    // statements added since (defer-recover, read, write, forever,
    // main-thread, alive, stopwatch, elapsed), each in place of a repeat.
    Op::kSend, Op::kRecv, Op::kDeferRecover, Op::kRead, Op::kGo, Op::kWrite, Op::kDefer,
    Op::kRecover, Op::kPanic, Op::kRecord, Op::kForever, Op::kMainThread, Op::kSelect, Op::kCall,
    Op::kAlive, Op::kStopwatch, Op::kElapsed, Op::kRepeat,
    // 48-55: statements at top level, the end of a nested block.
    Op::kSend, Op::kRecv, Op::kGo, Op::kDefer, Op::kRecord, Op::kGosched, Op::kRecover, Op::kPanic};

int CodeOf(Op op) {
  for (size_t k = 0; k < kStmtCodes.size(); ++k)
    if (kStmtCodes[k] == op) return static_cast<int>(k);
  return -1;
}

// --- value ranges -----------------------------------------------------------------

constexpr int64_t kMaxChanCap = 3;
constexpr int64_t kMaxInt = 8191;  // |operand| and poll bounds
constexpr int64_t kMaxSleepMs = 1;
constexpr int64_t kMaxSyscallMs = 1;
constexpr int64_t kMaxPollMs = 2;
constexpr int64_t kMaxPollBound = 10;
constexpr int64_t kMaxSpin = 10000;
constexpr int64_t kMaxRecurseFrames = 64;
constexpr int64_t kMaxRecurseBytes = 1024;
constexpr int64_t kMaxExit = 3;
constexpr int64_t kMinGomaxprocs = -1;
constexpr int64_t kMaxGomaxprocs = 4;
constexpr std::array<int64_t, 4> kMaxStacks = {1 << 20, 2 << 20, 64 << 20, 1'000'000'000};
constexpr int kMaxCases = 3;
constexpr int kMaxInits = 2;

// Run modes: 0 deterministic; n > 0 free-running with GOMAXPROCS=n.
constexpr std::array<int, 16> kModeProcs = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 2, 2, 3, 4, 2};

// --- names -------------------------------------------------------------------------

struct NameTable {
  const char* const* names;
  int count;
};
constexpr const char* kChanNames[] = {"c", "d"};
constexpr const char* kVarNames[] = {"x", "y"};
constexpr const char* kLabelNames[] = {"a", "b", "c", "d"};
constexpr const char* kStringNames[] = {"boom"};
constexpr NameTable kChans{kChanNames, 2};
constexpr NameTable kVars{kVarNames, 2};
constexpr NameTable kLabels{kLabelNames, 4};
constexpr NameTable kStrings{kStringNames, 1};
constexpr const char* kPipeNames[] = {"p", "q"};
constexpr const char* kWatchNames[] = {"w"};
constexpr NameTable kPipes{kPipeNames, 2};
constexpr NameTable kWatches{kWatchNames, 1};
// Thread tokens are not names (no literal form): one of these.
constexpr std::array<const char*, 3> kThreadTokens = {"T1", "T2", "T3"};
// A forever body ends with a receive on this channel, which no decoded
// program makes (decoded names are lower case): a nil channel, so the loop
// blocks there for good (asleep, as the model's deadlock rule sees it)
// instead of spinning, whatever its body does.
constexpr const char* kForeverStop = "E";

// A name byte below kLiteral picks from the table; kLiteral and above is
// followed by a length byte and one byte per character.
constexpr uint8_t kLiteral = 0xF0;
constexpr int kMaxLiteral = 16;
constexpr std::string_view kFirstChars = "abcdefghijklmnopqrstuvwxyz";
constexpr std::string_view kLaterChars = "abcdefghijklmnopqrstuvwxyz0123456789-";

bool IsLiteral(const std::string& s) {
  if (s.empty() || s.size() > kMaxLiteral || kFirstChars.find(s[0]) == std::string_view::npos) return false;
  return std::all_of(s.begin() + 1, s.end(),
                     [](char ch) { return kLaterChars.find(ch) != std::string_view::npos; });
}

// --- the two directions ------------------------------------------------------------

// Fills fields from bytes; past the end every byte reads as 0.
class Reader {
 public:
  static constexpr bool kEncoding = false;
  Reader(const uint8_t* data, size_t size) : p_(data), end_(data + size) {}

  bool AtEnd() const { return p_ == end_; }
  uint8_t Byte() { return p_ == end_ ? 0 : *p_++; }

  void Int(int64_t* v, int64_t lo, int64_t hi, const char*) {
    *v = lo + static_cast<int64_t>(Varint() % static_cast<uint64_t>(hi - lo + 1));
  }
  // Like Int, but half of all bytes give one of the eight smallest values.
  void SmallInt(int64_t* v, int64_t lo, int64_t hi, const char* what) {
    uint8_t b = Byte();
    if (b & 0x80) return Int(v, lo, hi, what);
    *v = lo + b % std::min<int64_t>(8, hi - lo + 1);
  }
  // Three bytes in four give 0; the rest 1..hi. For milliseconds, which
  // cost real time in every run.
  void MostlyZero(int64_t* v, int64_t hi, const char*) {
    uint8_t b = Byte();
    *v = b % 4 != 3 ? 0 : 1 + (b >> 2) % hi;
  }
  // Zigzag: small bytes give small magnitudes of either sign.
  void Signed(int64_t* v, int64_t limit, const char*) {
    uint64_t z = Varint() % static_cast<uint64_t>(2 * limit + 1);
    *v = static_cast<int64_t>(z >> 1) ^ -static_cast<int64_t>(z & 1);
  }
  void Pick(int* v, int n) { *v = Byte() % n; }
  void Flag(bool* b) { *b = Byte() & 1; }
  // True for one byte value in `one_in`.
  void Rare(bool* b, int one_in) { *b = Byte() % one_in == one_in - 1; }
  void Name(std::string* s, const NameTable& t, const char*) {
    uint8_t b = Byte();
    if (b < kLiteral) {
      *s = t.names[b % t.count];
      return;
    }
    int len = 1 + Byte() % kMaxLiteral;
    s->assign(1, kFirstChars[Byte() % kFirstChars.size()]);
    for (int k = 1; k < len; ++k) s->push_back(kLaterChars[Byte() % kLaterChars.size()]);
  }
  void Lose(const std::string&) {}

 private:
  // Little-endian base 128, at most three bytes.
  uint64_t Varint() {
    uint64_t v = 0;
    for (int k = 0; k < 3; ++k) {
      uint8_t b = Byte();
      v |= static_cast<uint64_t>(b & 0x7F) << (7 * k);
      if (!(b & 0x80)) break;
    }
    return v;
  }

  const uint8_t* p_;
  const uint8_t* end_;
};

// Writes fields as bytes the Reader reads back to the same values; a value
// outside its range is clamped first, and the change recorded.
class Writer {
 public:
  static constexpr bool kEncoding = true;
  std::vector<uint8_t> out;
  std::vector<std::string> losses;

  void Byte(uint8_t b) { out.push_back(b); }

  void Int(int64_t* v, int64_t lo, int64_t hi, const char* what) {
    Clamp(v, lo, hi, what);
    Varint(static_cast<uint64_t>(*v - lo));
  }
  void SmallInt(int64_t* v, int64_t lo, int64_t hi, const char* what) {
    Clamp(v, lo, hi, what);
    if (*v - lo < std::min<int64_t>(8, hi - lo + 1)) return Byte(static_cast<uint8_t>(*v - lo));
    Byte(0x80);
    Varint(static_cast<uint64_t>(*v - lo));
  }
  void MostlyZero(int64_t* v, int64_t hi, const char* what) {
    Clamp(v, 0, hi, what);
    Byte(static_cast<uint8_t>(*v == 0 ? 0 : 3 + 4 * (*v - 1)));
  }
  void Signed(int64_t* v, int64_t limit, const char* what) {
    Clamp(v, -limit, limit, what);
    Varint((static_cast<uint64_t>(*v) << 1) ^ static_cast<uint64_t>(*v >> 63));
  }
  void Pick(int* v, int) { Byte(static_cast<uint8_t>(*v)); }
  void Flag(bool* b) { Byte(*b ? 1 : 0); }
  void Rare(bool* b, int one_in) { Byte(static_cast<uint8_t>(*b ? one_in - 1 : 0)); }
  void Name(std::string* s, const NameTable& t, const char* what) {
    for (int k = 0; k < t.count; ++k)
      if (*s == t.names[k]) return Byte(static_cast<uint8_t>(k));
    if (!IsLiteral(*s)) {
      Lose(std::string(what) + " '" + *s + "' is not [a-z][a-z0-9-]{0,15}: renamed " + t.names[0]);
      *s = t.names[0];
      return Byte(0);
    }
    Byte(kLiteral);
    Byte(static_cast<uint8_t>(s->size() - 1));
    Byte(static_cast<uint8_t>(kFirstChars.find((*s)[0])));
    for (size_t k = 1; k < s->size(); ++k) Byte(static_cast<uint8_t>(kLaterChars.find((*s)[k])));
  }
  void Lose(const std::string& what) { losses.push_back(what); }

 private:
  void Clamp(int64_t* v, int64_t lo, int64_t hi, const char* what) {
    if (*v >= lo && *v <= hi) return;
    int64_t c = std::clamp(*v, lo, hi);
    Lose(std::string(what) + " " + std::to_string(*v) + " outside [" + std::to_string(lo) + ", " +
         std::to_string(hi) + "]: " + std::to_string(c));
    *v = c;
  }
  void Varint(uint64_t v) {
    do {
      uint8_t b = v & 0x7F;
      v >>= 7;
      if (v) b |= 0x80;
      out.push_back(b);
    } while (v);
  }
};

// --- the scenario, field by field ----------------------------------------------------

template <class IO>
class Codec {
 public:
  explicit Codec(IO& io) : io_(io) {}

  void CodeProgram(Scenario* sc, uint32_t* seed, int* procs) {
    for (int k = 0; k < 4; ++k) {
      int b = static_cast<int>((*seed >> (8 * k)) & 0xFF);
      io_.Pick(&b, 256);
      *seed = (*seed & ~(0xFFu << (8 * k))) | static_cast<uint32_t>(b) << (8 * k);
    }
    int mode = 0;
    if constexpr (IO::kEncoding) mode = ModeFor(sc->gomaxprocs);
    io_.Pick(&mode, static_cast<int>(kModeProcs.size()));
    *procs = kModeProcs[mode];
    if (*procs > 0) sc->gomaxprocs = *procs;
    else sc->gomaxprocs.reset();

    // Init blocks are rare in decoded input: 6 of 8 values mean none.
    int inits = 0;
    if constexpr (IO::kEncoding) {
      if (sc->inits.size() > static_cast<size_t>(kMaxInits)) {
        io_.Lose("more than " + std::to_string(kMaxInits) + " init blocks: the rest dropped");
        sc->inits.resize(kMaxInits);
      }
      inits = sc->inits.empty() ? 0 : 5 + static_cast<int>(sc->inits.size());
    }
    io_.Pick(&inits, 8);
    sc->inits.resize(inits < 6 ? 0 : inits - 5);
    const Ctx top{kMaxDepth, 1, true};
    for (Block& b : sc->inits) CodeBlock(&b, top, false);
    CodeBlock(&sc->main, top, false);
  }

 private:
  struct Ctx {
    int depth;           // block levels still allowed below this one
    int64_t passes;      // how often a statement here runs (enclosing repeats)
    bool main_goroutine; // inits and main, not a go body
  };

  int ModeFor(const std::optional<int64_t>& gomaxprocs) {
    if (!gomaxprocs) return 0;
    for (size_t m = 0; m < kModeProcs.size(); ++m)
      if (kModeProcs[m] == *gomaxprocs) return static_cast<int>(m);
    io_.Lose("@gomaxprocs " + std::to_string(*gomaxprocs) + " outside [1, 4]: deterministic mode");
    return 0;
  }

  void Lose(const std::string& what) { io_.Lose(what); }

  void CodeBlock(Block* b, const Ctx& c, bool nested) {
    if constexpr (IO::kEncoding) {
      Block kept;
      for (Stmt& s : *b) {
        if (stmts_ >= kMaxStmts) {
          Lose("more than " + std::to_string(kMaxStmts) + " statements: the rest dropped");
          break;
        }
        int code = CodeOf(s.op);
        if (code < 0) {
          Lose("a statement with no code (scenario_decoder.cc kStmtCodes) dropped");
          continue;
        }
        io_.Byte(static_cast<uint8_t>(code));
        ++stmts_;
        CodeStmt(&s, c);
        kept.push_back(std::move(s));
      }
      *b = std::move(kept);
      // The decoder reads an end code only while the budget lasts.
      if (stmts_ < kMaxStmts) io_.Byte(kEndCode);
    } else {
      b->clear();
      const int end = nested ? kFirstNestedEndCode : kFirstEndCode;
      while (stmts_ < kMaxStmts && !io_.AtEnd()) {
        int code = io_.Byte() % kCodeSpace;
        if (code >= end) break;
        Stmt s;
        s.op = kStmtCodes[code];
        ++stmts_;
        CodeStmt(&s, c);
        b->push_back(std::move(s));
      }
    }
  }

  // The body of go, defer, call, repeat or a select arm: none at the depth limit.
  void CodeBody(Block* b, Ctx c) {
    if (c.depth == 0) {
      if (!b->empty()) Lose("blocks nested deeper than " + std::to_string(kMaxDepth) + " dropped");
      b->clear();
      return;
    }
    --c.depth;
    CodeBlock(b, c, true);
  }

  void CodeOperand(Operand* o, bool strings) {
    // 0-1 an integer, 2 a variable, 3 a string (an integer where none is allowed).
    int kind = 0;
    if constexpr (IO::kEncoding) {
      if (o->kind == Operand::Kind::kString && !strings) {
        Lose("a string operand where only integers are allowed: 0");
        *o = Operand{};
      }
      kind = o->kind == Operand::Kind::kVar ? 2 : o->kind == Operand::Kind::kString ? 3 : 0;
    }
    io_.Pick(&kind, 4);
    if constexpr (!IO::kEncoding) {
      *o = Operand{};
      o->kind = kind == 2 ? Operand::Kind::kVar
                : kind == 3 && strings ? Operand::Kind::kString
                                       : Operand::Kind::kInt;
    }
    switch (o->kind) {
      case Operand::Kind::kInt: return io_.Signed(&o->i, kMaxInt, "integer");
      case Operand::Kind::kVar: return io_.Name(&o->s, kVars, "variable");
      case Operand::Kind::kString: return io_.Name(&o->s, kStrings, "panic string");
    }
  }

  void CodeChoice(int64_t* v, const std::array<int64_t, 4>& table, const char* what) {
    int k = 0;
    if constexpr (IO::kEncoding) {
      auto it = std::find(table.begin(), table.end(), *v);
      if (it == table.end()) {
        Lose(std::string(what) + " " + std::to_string(*v) + " is not one of the four limits: " +
             std::to_string(table[0]));
      } else {
        k = static_cast<int>(it - table.begin());
      }
    }
    io_.Pick(&k, static_cast<int>(table.size()));
    *v = table[k];
  }

  // One case per statement: its fields, then the rules that bound it.
  void CodeStmt(Stmt* s, const Ctx& c) {
    switch (s->op) {
      case Op::kGo: {
        if (goroutines_ + c.passes > kMaxGoroutines) {
          Lose("go past " + std::to_string(kMaxGoroutines) + " goroutines: call");
          s->op = Op::kCall;
          return CodeBody(&s->body, c);
        }
        goroutines_ += c.passes;
        Ctx child = c;
        child.main_goroutine = false;
        return CodeBody(&s->body, child);
      }
      case Op::kGosched:
      case Op::kGoexit:
      case Op::kRecover:
      case Op::kLock:
      case Op::kUnlock:
      case Op::kThread:
      case Op::kNumGoroutine:
        return;
      case Op::kDefer:
      case Op::kCall:
        return CodeBody(&s->body, c);
      case Op::kDeferValue:
      case Op::kValue:
        return io_.Name(&s->name, kVars, "variable");
      case Op::kPanic:
        return CodeOperand(&s->value, true);
      case Op::kRecord:
        return io_.Name(&s->name, kLabels, "label");
      case Op::kChan:
        io_.Name(&s->name, kChans, "channel");
        io_.Rare(&s->nil_chan, 8);
        if (s->nil_chan) s->n = 0;  // a nil channel has no capacity
        else io_.Int(&s->n, 0, kMaxChanCap, "channel capacity");
        return;
      case Op::kSend:
        io_.Name(&s->name, kChans, "channel");
        return CodeOperand(&s->value, false);
      case Op::kRecv: {
        io_.Name(&s->name, kChans, "channel");
        bool into = !s->into.empty();  // recv c into x
        io_.Rare(&into, 4);
        if (into) io_.Name(&s->into, kVars, "variable");
        else s->into.clear();
        return;
      }
      case Op::kClose:
        return io_.Name(&s->name, kChans, "channel");
      case Op::kDeferRecover:
      case Op::kMainThread:
      case Op::kIntrospect:  // never coded (not in kStmtCodes): dropped before this
        return;
      case Op::kRead:
        io_.Name(&s->name, kPipes, "pipe");
        if (c.main_goroutine) {
          // Nothing may ever write: main would hang in the call, which the
          // model cannot tell from a bug (as for syscall until).
          Lose("read in the main goroutine: write 0");
          s->op = Op::kWrite;
          s->value = Operand{};
        }
        return;
      case Op::kWrite:  // at most kMaxStmts * kMaxIterations bytes: a pipe never fills
        io_.Name(&s->name, kPipes, "pipe");
        return CodeOperand(&s->value, false);
      case Op::kAlive:
        return CodeThreadToken(&s->name);
      case Op::kStopwatch:
      case Op::kElapsed:
        return io_.Name(&s->name, kWatches, "stopwatch");
      case Op::kForever: {
        if constexpr (IO::kEncoding) {
          if (!s->body.empty() && s->body.back().op == Op::kRecv && s->body.back().name == kForeverStop &&
              s->body.back().into.empty())
            s->body.pop_back();
          else
            Lose("forever: its body now ends with a receive on the nil channel E, so it cannot spin");
        }
        CodeBody(&s->body, c);
        Stmt stop;
        stop.op = Op::kRecv;
        stop.name = kForeverStop;
        s->body.push_back(std::move(stop));
        return;
      }
      case Op::kSelect:
        return CodeSelect(s, c);
      case Op::kSleep:
        return io_.MostlyZero(&s->n, kMaxSleepMs, "sleep ms");
      case Op::kSyscall:
        io_.Rare(&s->until, 8);
        if (!s->until) return io_.MostlyZero(&s->n, kMaxSyscallMs, "syscall ms");
        io_.Name(&s->name, kVars, "variable");
        if (c.main_goroutine) {
          Lose("syscall until in the main goroutine: syscall 1");
          s->until = false;
          s->name.clear();
          s->n = 1;
        }
        return;
      case Op::kSpin:
        if constexpr (IO::kEncoding) {
          if (s->until) {
            Lose("spin until (needs preemption): spin 1");
            s->until = false;
            s->name.clear();
            s->n = 1;
          }
        }
        return io_.SmallInt(&s->n, 0, kMaxSpin, "spin count");
      case Op::kGomaxprocs:
        return io_.Int(&s->n, kMinGomaxprocs, kMaxGomaxprocs, "gomaxprocs");
      case Op::kSetMaxStack:
        return CodeChoice(&s->n, kMaxStacks, "setmaxstack");
      case Op::kRecurse:
        io_.SmallInt(&s->n, 0, kMaxRecurseFrames, "recurse frames");
        return io_.SmallInt(&s->m, 0, kMaxRecurseBytes, "recurse bytes");
      case Op::kRepeat: {
        io_.SmallInt(&s->n, 0, kMaxIterations, "repeat count");
        const int64_t most = kMaxIterations / c.passes;
        if (s->n > most) {
          Lose("repeat " + std::to_string(s->n) + " inside " + std::to_string(c.passes) +
               " passes: repeat " + std::to_string(most));
          s->n = most;
        }
        Ctx inner = c;
        inner.passes = c.passes * std::max<int64_t>(s->n, 1);
        return CodeBody(&s->body, inner);
      }
      case Op::kSet:
      case Op::kAdd:
        io_.Name(&s->name, kVars, "variable");
        return CodeOperand(&s->value, false);
      case Op::kPoll:
        return CodePoll(s);
      case Op::kExit:
        return io_.Int(&s->n, 0, kMaxExit, "exit status");
    }
  }

  void CodeSelect(Stmt* s, const Ctx& c) {
    int n = static_cast<int>(s->cases.size());
    if constexpr (IO::kEncoding) {
      if (n > kMaxCases) {
        Lose("select with more than " + std::to_string(kMaxCases) + " cases: the rest dropped");
        n = kMaxCases;
      }
    }
    io_.Pick(&n, kMaxCases + 1);
    s->cases.resize(static_cast<size_t>(n));
    for (SelectCase& k : s->cases) {
      io_.Flag(&k.is_send);
      io_.Name(&k.chan, kChans, "channel");
      if (k.is_send) CodeOperand(&k.value, false);
      CodeBody(&k.body, c);
    }
    io_.Flag(&s->has_default);
    if (s->has_default) CodeBody(&s->default_body, c);
    else s->default_body.clear();
  }

  void CodeThreadToken(std::string* t) {
    int k = 0;
    if constexpr (IO::kEncoding) {
      auto it = std::find_if(kThreadTokens.begin(), kThreadTokens.end(),
                             [&](const char* x) { return *t == x; });
      if (it == kThreadTokens.end()) Lose("thread token " + *t + " is not T1-T3: T1");
      else k = static_cast<int>(it - kThreadTokens.begin());
    }
    io_.Pick(&k, static_cast<int>(kThreadTokens.size()));
    *t = kThreadTokens[k];
  }

  void CodePoll(Stmt* s) {
    io_.Flag(&s->cond.numgoroutine);
    if (!s->cond.numgoroutine) {
      bool alive = !s->cond.alive.empty();  // poll alive T<n>
      io_.Rare(&alive, 8);
      if (alive) {
        CodeThreadToken(&s->cond.alive);
        s->cond.var.clear();
      } else {
        s->cond.alive.clear();
        io_.Name(&s->cond.var, kVars, "variable");
      }
    } else {
      s->cond.alive.clear();
      s->cond.var.clear();
    }
    int cmp = static_cast<int>(s->cond.cmp);
    io_.Pick(&cmp, 6);
    s->cond.cmp = static_cast<Cmp>(cmp);
    io_.Int(&s->cond.k, 0, kMaxPollBound, "poll bound");
    io_.MostlyZero(&s->n, kMaxPollMs, "poll ms");
    io_.Flag(&s->yielding);
  }

  IO& io_;
  int stmts_ = 0;
  int64_t goroutines_ = 0;
};

// The header every decoded scenario carries.
void SetHeader(Scenario* sc) {
  sc->clauses = {"fuzz.differential"};
  sc->timeout_ms = 2000;
  sc->expect.assign(1, {});
  sc->expect.back().kind = conform::lang::Expectation::Kind::kModel;
}

}  // namespace

DecodedScenario DecodeScenario(const uint8_t* data, size_t size) {
  DecodedScenario out;
  Reader in(data, size);
  Codec<Reader>(in).CodeProgram(&out.scenario, &out.seed, &out.procs);
  SetHeader(&out.scenario);
  return out;
}

EncodedScenario EncodeScenario(const Scenario& sc, uint32_t seed) {
  Scenario copy = sc;
  conform::lang::ClearPositions(&copy);
  Writer w;
  int procs = 0;
  Codec<Writer>(w).CodeProgram(&copy, &seed, &procs);
  return {std::move(w.out), std::move(copy), std::move(w.losses)};
}

bool SameProgram(const Scenario& a, const Scenario& b) {
  Scenario x = a, y = b;
  conform::lang::ClearPositions(&x);
  conform::lang::ClearPositions(&y);
  return x.inits == y.inits && x.main == y.main && x.gomaxprocs == y.gomaxprocs;
}

}  // namespace gofuzz
