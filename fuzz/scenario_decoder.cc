#include "fuzz/scenario_decoder.h"

#include <string>

namespace gofuzz {
namespace {

using conform::lang::Block;
using conform::lang::Op;
using conform::lang::Operand;
using conform::lang::SelectCase;
using conform::lang::Stmt;

class Decoder {
 public:
  Decoder(const uint8_t* data, size_t size) : p_(data), end_(data + size) {}

  bool Empty() const { return p_ == end_; }
  uint8_t Byte() { return p_ == end_ ? 0 : *p_++; }

  Block DecodeBlock(int depth, bool in_repeat, int max_len) {
    Block b;
    int n = Byte() % (max_len + 1);
    for (int k = 0; k < n && !Empty() && stmts_ < kMaxStmts; ++k) b.push_back(DecodeStmt(depth, in_repeat));
    return b;
  }

 private:
  std::string Chan() { return Byte() % 2 ? "d" : "c"; }
  std::string Var() { return Byte() % 2 ? "y" : "x"; }
  Operand IntOrVar() {
    Operand o;
    uint8_t b = Byte();
    if (b % 5 == 4) {
      o.kind = Operand::Kind::kVar;
      o.s = b & 0x80 ? "y" : "x";
    } else {
      o.i = b % 5;  // 0..3
    }
    return o;
  }

  Stmt DecodeStmt(int depth, bool in_repeat) {
    ++stmts_;
    Stmt s;
    uint8_t b = Byte();
    // Block statements only while depth remains, and with a quarter of the bytes.
    bool block = depth > 0 && (b & 0xC0) == 0xC0;
    if (block) {
      static constexpr Op kBlocks[] = {Op::kGo, Op::kDefer, Op::kCall, Op::kRepeat, Op::kSelect, Op::kSelect};
      s.op = kBlocks[b % 6];
      if (s.op == Op::kGo && (in_repeat || gos_ >= kMaxGo)) s.op = Op::kCall;
      if (s.op == Op::kRepeat && in_repeat) s.op = Op::kCall;
    } else {
      static constexpr Op kLeaves[] = {
          Op::kRecord, Op::kRecord, Op::kSend,    Op::kSend,   Op::kRecv,       Op::kRecv,
          Op::kGosched, Op::kGosched, Op::kValue, Op::kAdd,    Op::kSet,        Op::kRecover,
          Op::kRecover, Op::kPanic,  Op::kGoexit, Op::kClose,  Op::kChan,       Op::kDeferValue,
          Op::kNumGoroutine};
      s.op = kLeaves[b % (sizeof kLeaves / sizeof kLeaves[0])];
    }
    switch (s.op) {
      case Op::kGo:
        ++gos_;
        s.body = DecodeBlock(depth - 1, false, 4);
        break;
      case Op::kDefer:
      case Op::kCall:
        s.body = DecodeBlock(depth - 1, in_repeat, 4);
        break;
      case Op::kRepeat:
        s.n = Byte() % 4;
        s.body = DecodeBlock(depth - 1, true, 3);
        break;
      case Op::kSelect: {
        uint8_t shape = Byte();
        int cases = shape % 4;  // 0..3; select with no case and no default blocks forever
        for (int k = 0; k < cases; ++k) {
          SelectCase c;
          c.is_send = Byte() % 2;
          c.chan = Chan();
          if (c.is_send) c.value = IntOrVar();
          c.body = DecodeBlock(depth - 1, in_repeat, 2);
          s.cases.push_back(std::move(c));
        }
        s.has_default = (shape & 0x10) == 0;  // mostly with a default
        if (s.has_default) s.default_body = DecodeBlock(depth - 1, in_repeat, 2);
        break;
      }
      case Op::kRecord: {
        static const char* kLabels[] = {"a", "b", "c", "d"};
        s.name = kLabels[Byte() % 4];
        break;
      }
      case Op::kSend:
        s.name = Chan();
        s.value = IntOrVar();
        break;
      case Op::kRecv:
      case Op::kClose:
        s.name = Chan();
        break;
      case Op::kChan: {
        uint8_t c = Byte();
        s.name = c % 2 ? "d" : "c";
        s.nil_chan = (c >> 1) % 5 == 4;
        if (!s.nil_chan) s.n = (c >> 1) % 5 % 3;  // 0..2
        break;
      }
      case Op::kSet:
      case Op::kAdd:
        s.name = Var();
        s.value = IntOrVar();
        break;
      case Op::kValue:
      case Op::kDeferValue:
        s.name = Var();
        break;
      case Op::kPanic: {
        uint8_t v = Byte();
        if (v % 4 == 3) {
          s.value.kind = Operand::Kind::kString;
          s.value.s = "boom";
        } else {
          s.value = IntOrVar();
          if (s.value.kind == Operand::Kind::kInt && s.value.i == 0) s.value.i = 1;
        }
        break;
      }
      default:
        break;  // gosched, goexit, recover, numgoroutine
    }
    return s;
  }

  const uint8_t* p_;
  const uint8_t* end_;
  int stmts_ = 0;
  int gos_ = 0;
};

}  // namespace

DecodedScenario DecodeScenario(const uint8_t* data, size_t size) {
  DecodedScenario out;
  Decoder d(data, size);
  for (int k = 0; k < 4; ++k) out.seed |= static_cast<uint32_t>(d.Byte()) << (8 * k);
  conform::lang::Scenario& sc = out.scenario;
  sc.clauses = {"fuzz.differential"};
  sc.timeout_ms = 2000;
  sc.expect.push_back({});
  sc.expect.back().kind = conform::lang::Expectation::Kind::kModel;
  // Both channels are made first (capacity 0..2), unless the byte leaves one nil.
  for (const char* name : {"c", "d"}) {
    uint8_t b = d.Byte();
    if (b % 8 == 7) continue;
    Stmt mk;
    mk.op = Op::kChan;
    mk.name = name;
    mk.n = b % 3;
    sc.main.push_back(mk);
  }
  Block body = d.DecodeBlock(kMaxDepth, false, 12);
  for (Stmt& s : body) sc.main.push_back(std::move(s));
  // Mostly, main then yields a few times before it returns, so that the
  // other goroutines get to run (and record) before the program ends.
  if (uint8_t t = d.Byte(); t % 4 != 3) {
    Stmt r;
    r.op = Op::kRepeat;
    r.n = 1 + (t >> 2) % 8;
    r.body.push_back(Stmt{});  // gosched
    sc.main.push_back(std::move(r));
  }
  return out;
}

}  // namespace gofuzz
