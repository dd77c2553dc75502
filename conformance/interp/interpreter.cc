#include "conformance/interp/interpreter.h"

#include <time.h>

#include <thread>

namespace conform {
namespace {

using lang::Op;

void CollectVars(const lang::Block& b, std::map<std::string, std::unique_ptr<std::atomic<int64_t>>>* vars) {
  auto add = [&](const std::string& n) {
    if (!n.empty() && !vars->count(n)) (*vars)[n] = std::make_unique<std::atomic<int64_t>>(0);
  };
  auto operand = [&](const lang::Operand& o) {
    if (o.kind == lang::Operand::Kind::kVar) add(o.s);
  };
  for (const lang::Stmt& s : b) {
    switch (s.op) {
      case Op::kSet: case Op::kAdd: case Op::kValue: case Op::kDeferValue: add(s.name); break;
      case Op::kSyscall: case Op::kSpin: if (s.until) add(s.name); break;
      case Op::kPoll: if (!s.cond.numgoroutine) add(s.cond.var); break;
      default: break;
    }
    operand(s.value);
    CollectVars(s.body, vars);
    CollectVars(s.default_body, vars);
    for (const auto& c : s.cases) {
      operand(c.value);
      CollectVars(c.body, vars);
    }
  }
}

// A real blocking call: nanosleep, which the kernel blocks in.
void BlockInKernel(std::chrono::milliseconds d) {
  timespec ts{static_cast<time_t>(d.count() / 1000), static_cast<long>((d.count() % 1000) * 1000000)};
  while (nanosleep(&ts, &ts) != 0) {
  }
}

PanicValue ToPanicValue(const lang::Operand& o, int64_t evaluated) {
  if (o.kind == lang::Operand::Kind::kString) return PanicValue::String(o.s);
  return PanicValue::Int(evaluated);
}

}  // namespace

Interpreter::Interpreter(const lang::Scenario& sc, RuntimeAdapter& adapter, TraceSink& sink)
    : sc_(sc), rt_(adapter), sink_(sink) {
  for (const auto& b : sc.inits) CollectVars(b, &vars_);
  CollectVars(sc.main, &vars_);
}

void Interpreter::Run() {
  for (const lang::Block& b : sc_.inits)
    rt_.RegisterInit([this, &b] { rt_.Call([&] { ExecBlock(b, 1); }); });
  rt_.RunProgram([this] {
    // main's body is its own frame so that its defers run before the trace
    // closes; events after main returns are outside the program.
    rt_.Call([this] { ExecBlock(sc_.main, 1); });
    sink_.Close();
  });
}

void Interpreter::ExecBlock(const lang::Block& block, int64_t g) {
  for (const lang::Stmt& s : block) Exec(s, g);
}

void Interpreter::Emit(int64_t g, const char* op, std::string value) {
  sink_.Emit(Event{g, op, std::move(value)});
}

std::atomic<int64_t>& Interpreter::Var(const std::string& name) { return *vars_.at(name); }

int64_t Interpreter::Eval(const lang::Operand& o) {
  switch (o.kind) {
    case lang::Operand::Kind::kInt: return o.i;
    case lang::Operand::Kind::kVar: return Var(o.s).load();
    case lang::Operand::Kind::kString: return 0;
  }
  return 0;
}

Chan* Interpreter::ChanNamed(const std::string& name) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = chans_.find(name);
  return it == chans_.end() ? nullptr : it->second.get();  // unmade: the nil channel
}

std::string Interpreter::ThreadToken(int64_t tid) {
  std::lock_guard<std::mutex> lock(mu_);
  auto [it, fresh] = threads_.try_emplace(tid, "");
  if (fresh) it->second = "T" + std::to_string(threads_.size());
  return it->second;
}

void Interpreter::Exec(const lang::Stmt& s, int64_t g) {
  switch (s.op) {
    case Op::kGo: {
      int64_t id = next_g_.fetch_add(1);
      const lang::Block* body = &s.body;
      rt_.Spawn([this, body, id] { ExecBlock(*body, id); });
      return;
    }
    case Op::kGosched: return rt_.Gosched();
    case Op::kGoexit: rt_.Goexit();
    case Op::kDefer: {
      const lang::Block* body = &s.body;
      rt_.Defer([this, body, g] { ExecBlock(*body, g); });
      return;
    }
    case Op::kDeferValue: {
      // The argument is evaluated now, as Go evaluates defer arguments.
      std::string text = s.name + "=" + std::to_string(Var(s.name).load());
      rt_.Defer([this, text, g] { Emit(g, "value", text); });
      return;
    }
    case Op::kPanic: rt_.Panic(ToPanicValue(s.value, Eval(s.value)));
    case Op::kRecover: return Emit(g, "recover", rt_.Recover().ToString());
    case Op::kCall: {
      const lang::Block* body = &s.body;
      rt_.Call([this, body, g] { ExecBlock(*body, g); });
      return;
    }
    case Op::kRecord: return Emit(g, "record", s.name);
    case Op::kChan: {
      std::shared_ptr<Chan> c = s.nil_chan ? nullptr : rt_.MakeChan(static_cast<size_t>(s.n));
      std::lock_guard<std::mutex> lock(mu_);
      // A channel is never destroyed while the program runs: a goroutine may
      // still be blocked on the old one when the name is remade.
      if (c) retired_.push_back(c);
      chans_[s.name] = std::move(c);
      return;
    }
    case Op::kSend: return rt_.Send(ChanNamed(s.name), Eval(s.value));
    case Op::kRecv: {
      bool ok = false;
      int64_t v = rt_.Recv(ChanNamed(s.name), &ok);
      return Emit(g, "recv", std::to_string(v) + (ok ? ",true" : ",false"));
    }
    case Op::kClose: return rt_.Close(ChanNamed(s.name));
    case Op::kSelect: return ExecSelect(s, g);
    case Op::kSleep: return rt_.Sleep(std::chrono::milliseconds(s.n));
    case Op::kSyscall: {
      if (!s.until) {
        auto d = std::chrono::milliseconds(s.n);
        return rt_.Syscall([d] { BlockInKernel(d); });
      }
      std::atomic<int64_t>* flag = &Var(s.name);
      return rt_.Syscall([flag] {
        while (flag->load() == 0) BlockInKernel(std::chrono::milliseconds(1));
      });
    }
    case Op::kLock: return rt_.LockOSThread();
    case Op::kUnlock: return rt_.UnlockOSThread();
    case Op::kThread: return Emit(g, "thread", ThreadToken(rt_.ThreadId()));
    case Op::kNumGoroutine: return Emit(g, "numgoroutine", std::to_string(rt_.NumGoroutine()));
    case Op::kGomaxprocs:
      return Emit(g, "gomaxprocs", std::to_string(rt_.Gomaxprocs(static_cast<int>(s.n))));
    case Op::kSetMaxStack: return Emit(g, "setmaxstack", std::to_string(rt_.SetMaxStack(s.n)));
    case Op::kRecurse: return rt_.Recurse(s.n, s.m);
    case Op::kSpin:
      if (s.until) return rt_.BusyLoopUntil(&Var(s.name));
      return rt_.BusyLoop(s.n);
    case Op::kRepeat:
      for (int64_t k = 0; k < s.n; ++k) ExecBlock(s.body, g);
      return;
    case Op::kSet: Var(s.name).store(Eval(s.value)); return;
    case Op::kAdd: Var(s.name).fetch_add(Eval(s.value)); return;
    case Op::kValue: return Emit(g, "value", s.name + "=" + std::to_string(Var(s.name).load()));
    case Op::kPoll: return ExecPoll(s, g);
    case Op::kExit: rt_.Exit(static_cast<int>(s.n));
  }
}

void Interpreter::ExecSelect(const lang::Stmt& s, int64_t g) {
  std::vector<SelectCase> cases(s.cases.size());
  std::vector<int64_t> out(s.cases.size(), 0);
  // std::vector<bool> has no addressable elements.
  std::unique_ptr<bool[]> ok(new bool[s.cases.size() + 1]());
  for (size_t k = 0; k < s.cases.size(); ++k) {
    const lang::SelectCase& c = s.cases[k];
    cases[k].chan = ChanNamed(c.chan);
    cases[k].is_send = c.is_send;
    if (c.is_send) cases[k].send_value = Eval(c.value);
    else { cases[k].out = &out[k]; cases[k].ok = &ok[k]; }
  }
  int chosen = rt_.Select(cases, s.has_default);
  if (chosen < 0) {
    Emit(g, "select", "default");
    return ExecBlock(s.default_body, g);
  }
  Emit(g, "select", std::to_string(chosen));
  const lang::SelectCase& c = s.cases[static_cast<size_t>(chosen)];
  if (!c.is_send) Emit(g, "recv", std::to_string(out[chosen]) + (ok[chosen] ? ",true" : ",false"));
  ExecBlock(c.body, g);
}

void Interpreter::ExecPoll(const lang::Stmt& s, int64_t g) {
  // Go's own tests poll like this: yield first (cheap), then sleep briefly,
  // until the condition holds or the deadline passes. A `yielding` poll
  // never sleeps, so only Gosched can let others run. The final value is
  // recorded either way, so the expectation decides.
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(s.n);
  for (int attempt = 0;; ++attempt) {
    int64_t v = s.cond.numgoroutine ? rt_.NumGoroutine() : Var(s.cond.var).load();
    if (s.cond.Holds(v) || std::chrono::steady_clock::now() >= deadline)
      return Emit(g, "poll", std::to_string(v));
    if (attempt < 100 || s.yielding) rt_.Gosched();
    else rt_.Sleep(std::chrono::milliseconds(1));
  }
}

}  // namespace conform
