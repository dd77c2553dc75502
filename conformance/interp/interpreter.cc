#include "conformance/interp/interpreter.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <set>
#include <sstream>
#include <thread>

namespace conform {
namespace {

using lang::Op;

// Every name a block uses as a variable, a pipe or a stopwatch.
struct Names {
  std::set<std::string> vars, pipes, stopwatches;
};

void CollectNames(const lang::Block& b, Names* n) {
  auto operand = [&](const lang::Operand& o) {
    if (o.kind == lang::Operand::Kind::kVar) n->vars.insert(o.s);
  };
  for (const lang::Stmt& s : b) {
    switch (s.op) {
      case Op::kSet: case Op::kAdd: case Op::kValue: case Op::kDeferValue: n->vars.insert(s.name); break;
      case Op::kRecv: if (!s.into.empty()) n->vars.insert(s.into); break;
      case Op::kSyscall: case Op::kSpin: if (s.until) n->vars.insert(s.name); break;
      case Op::kPoll: if (!s.cond.numgoroutine && s.cond.alive.empty()) n->vars.insert(s.cond.var); break;
      case Op::kRead: case Op::kWrite: n->pipes.insert(s.name); break;
      case Op::kStopwatch: case Op::kElapsed: n->stopwatches.insert(s.name); break;
      default: break;
    }
    operand(s.value);
    CollectNames(s.body, n);
    CollectNames(s.default_body, n);
    for (const auto& c : s.cases) {
      operand(c.value);
      CollectNames(c.body, n);
    }
  }
}

int64_t SteadyNanos() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

int64_t Gettid() { return static_cast<int64_t>(syscall(SYS_gettid)); }

// Field 22 (starttime) of /proc/self/task/<tid>/stat; nullopt if the thread
// is gone. The comm field may hold spaces and parentheses, so fields are
// counted from the last ')'.
// Read with POSIX calls, not a stream: a thread that exits between the open
// and the read makes read() fail with ESRCH, which libstdc++'s filebuf turns
// into an exception (found by the differential fuzzer).
std::optional<uint64_t> ThreadStartTime(int64_t tid) {
  const std::string path = "/proc/self/task/" + std::to_string(tid) + "/stat";
  const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return std::nullopt;
  char buf[1024];
  ssize_t n;
  do n = read(fd, buf, sizeof buf - 1);
  while (n < 0 && errno == EINTR);
  close(fd);
  if (n <= 0) return std::nullopt;
  const std::string text(buf, static_cast<size_t>(n));
  const size_t paren = text.rfind(')');
  if (paren == std::string::npos) return std::nullopt;
  std::istringstream fields(text.substr(paren + 1));
  std::string f;
  for (int k = 3; k <= 22; ++k)  // fields 3.. follow the comm field (2)
    if (!(fields >> f)) return std::nullopt;
  return std::strtoull(f.c_str(), nullptr, 10);
}

// The scenario cannot run (an OS resource could not be made): the driver
// contract's exit status 125.
[[noreturn]] void CannotRun(const std::string& what) {
  std::fprintf(stderr, "conform: %s: %s\n", what.c_str(), std::strerror(errno));
  std::fflush(stderr);
  _exit(125);
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
  Names names;
  for (const auto& b : sc.inits) CollectNames(b, &names);
  CollectNames(sc.main, &names);
  for (const auto& n : names.vars) vars_[n] = std::make_unique<std::atomic<int64_t>>(0);
  const int64_t start = SteadyNanos();
  for (const auto& n : names.stopwatches) stopwatches_[n] = std::make_unique<std::atomic<int64_t>>(start);
  for (const auto& n : names.pipes) {
    std::array<int, 2> fds{};
    if (pipe2(fds.data(), O_CLOEXEC) != 0) CannotRun("cannot make pipe " + n);
    pipes_[n] = fds;
  }
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
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (auto it = threads_.find(tid); it != threads_.end()) return it->second;
  }
  // A thread seen for the first time: note which OS thread it is (a file
  // read, so outside the lock).
  const int64_t os_tid = Gettid();
  const uint64_t start = ThreadStartTime(os_tid).value_or(0);
  std::lock_guard<std::mutex> lock(mu_);
  auto [it, fresh] = threads_.try_emplace(tid, "");
  if (fresh) {
    it->second = "T" + std::to_string(threads_.size());
    thread_seen_[it->second] = ThreadSeen{os_tid, start};
  }
  return it->second;
}

int64_t Interpreter::ThreadAlive(const std::string& token) {
  ThreadSeen seen;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = thread_seen_.find(token);
    if (it == thread_seen_.end()) return -1;
    seen = it->second;
  }
  std::optional<uint64_t> now = ThreadStartTime(seen.tid);
  return now && *now == seen.start ? 1 : 0;
}

int64_t Interpreter::PollSubject(const lang::Cond& c) {
  if (c.numgoroutine) return rt_.NumGoroutine();
  if (!c.alive.empty()) return ThreadAlive(c.alive);
  return Var(c.var).load();
}

void Interpreter::ExecRead(const lang::Stmt& s, int64_t g) {
  const int fd = pipes_.at(s.name)[0];
  unsigned char byte = 0;
  ssize_t got = 0;
  rt_.Syscall([fd, &byte, &got] {
    do got = read(fd, &byte, 1);
    while (got < 0 && errno == EINTR);
  });
  if (got != 1) CannotRun("read from pipe " + s.name);  // the write end is never closed
  Emit(g, "read", std::to_string(byte));
}

void Interpreter::ExecWrite(const lang::Stmt& s) {
  const int fd = pipes_.at(s.name)[1];
  const unsigned char byte = static_cast<unsigned char>(Eval(s.value) & 0xff);
  ssize_t put = 0;
  rt_.Syscall([fd, byte, &put] {
    do put = write(fd, &byte, 1);
    while (put < 0 && errno == EINTR);
  });
  if (put != 1) CannotRun("write to pipe " + s.name);
}

void Interpreter::Exec(const lang::Stmt& s, int64_t g) {
  switch (s.op) {
    case Op::kGo: {
      // The number and the goroutine are made together, so that numbers
      // follow the order in which goroutines come to exist: a goroutine
      // numbered n+1 never exists while goroutine n does not yet. (Numbered
      // first and spawned after, a `go` elsewhere could take the next number
      // and start a goroutine that counts NumGoroutine before goroutine n
      // exists, a trace no schedule of the scenario allows.) Spawn only
      // queues or starts the goroutine; it never waits for it.
      const lang::Block* body = &s.body;
      std::lock_guard<std::mutex> lock(spawn_mu_);
      const int64_t id = next_g_++;
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
      if (!s.into.empty()) return Var(s.into).store(v);
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
    case Op::kDeferRecover: {
      // Go's `defer f(recover())`: recover is called now, by the function
      // running this statement; f records what it returned when it runs.
      std::string text = rt_.Recover().ToString();
      rt_.Defer([this, text, g] { Emit(g, "recover", text); });
      return;
    }
    case Op::kRead: return ExecRead(s, g);
    case Op::kWrite: return ExecWrite(s);
    case Op::kAlive: return Emit(g, "alive", s.name + "=" + std::to_string(ThreadAlive(s.name)));
    case Op::kMainThread: return Emit(g, "main-thread", Gettid() == getpid() ? "1" : "0");
    case Op::kForever:
      // An empty body is Go's `for {}`: a loop with no calls.
      if (s.body.empty())
        for (;;) rt_.BusyLoopUntil(&never_);
      for (;;) ExecBlock(s.body, g);
    case Op::kStopwatch: stopwatches_.at(s.name)->store(SteadyNanos()); return;
    case Op::kElapsed: {
      const int64_t ms = (SteadyNanos() - stopwatches_.at(s.name)->load()) / 1'000'000;
      return Emit(g, "elapsed", s.name + "=" + std::to_string(ms));
    }
    case Op::kIntrospect: return Emit(g, "introspect", s.name + "=" + rt_.Introspect(s.name));
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
    int64_t v = PollSubject(s.cond);
    if (s.cond.Holds(v) || std::chrono::steady_clock::now() >= deadline)
      return Emit(g, "poll", std::to_string(v));
    if (attempt < 100 || s.yielding) rt_.Gosched();
    else rt_.Sleep(std::chrono::milliseconds(1));
  }
}

}  // namespace conform
