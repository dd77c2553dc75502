// The shared interpreter: runs one scenario on any RuntimeAdapter and
// records its trace. It only sequences operations and records what they
// return; every behaviour under test is performed by the adapter. Facts of
// the operating system (pipes, whether a thread exists, which thread is the
// main one, the monotonic clock) it reads itself.
#pragma once

#include <array>
#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "conformance/adapter/runtime_adapter.h"
#include "conformance/interp/trace.h"
#include "conformance/lang/ast.h"

namespace conform {

class Interpreter {
 public:
  // sc, adapter and sink must outlive the program (which ends the process).
  Interpreter(const lang::Scenario& sc, RuntimeAdapter& adapter, TraceSink& sink);

  // Registers the init blocks and runs main through adapter.RunProgram.
  // Never returns: the runtime exits the process.
  [[noreturn]] void Run();

  // Runs `block` as goroutine `g` would; exposed for adapters' own tests.
  void ExecBlock(const lang::Block& block, int64_t g);

  // A thread as `thread` first saw it: its kernel id and its start time
  // (field 22 of /proc/self/task/<tid>/stat), which together stay unique even
  // if the kernel reuses the id.
  struct ThreadSeen {
    int64_t tid = 0;
    uint64_t start = 0;
  };

 private:
  void Exec(const lang::Stmt& s, int64_t g);
  void ExecSelect(const lang::Stmt& s, int64_t g);
  void ExecPoll(const lang::Stmt& s, int64_t g);
  void Emit(int64_t g, const char* op, std::string value);
  int64_t Eval(const lang::Operand& o);
  void ExecRead(const lang::Stmt& s, int64_t g);
  void ExecWrite(const lang::Stmt& s);
  // 1 while the thread recorded as `token` exists, 0 once it is gone, -1 if
  // no `thread` statement has recorded that token.
  int64_t ThreadAlive(const std::string& token);
  int64_t PollSubject(const lang::Cond& c);
  std::atomic<int64_t>& Var(const std::string& name);
  Chan* ChanNamed(const std::string& name);
  std::string ThreadToken(int64_t tid);  // also notes the calling OS thread

  const lang::Scenario& sc_;
  RuntimeAdapter& rt_;
  TraceSink& sink_;
  // Serializes `go` statements: each takes its goroutine's number and
  // spawns it under this lock (Exec, Op::kGo).
  std::mutex spawn_mu_;
  int64_t next_g_ = 2;  // guarded by spawn_mu_
  // Every variable the scenario names exists from the start, so this map is
  // never modified while goroutines run and needs no lock.
  std::map<std::string, std::unique_ptr<std::atomic<int64_t>>> vars_;
  // Likewise made before main: every pipe ({read fd, write fd}) and every
  // stopwatch (its start, in steady-clock nanoseconds).
  std::map<std::string, std::array<int, 2>> pipes_;
  std::map<std::string, std::unique_ptr<std::atomic<int64_t>>> stopwatches_;
  std::atomic<int64_t> never_{0};  // `forever` with an empty body spins on it
  std::mutex mu_;  // guards chans_ and threads_
  std::map<std::string, std::shared_ptr<Chan>> chans_;
  std::map<int64_t, std::string> threads_;    // adapter ThreadId -> token
  std::map<std::string, ThreadSeen> thread_seen_;  // token -> the thread
  std::vector<std::shared_ptr<Chan>> retired_;  // keeps every made channel alive
};

}  // namespace conform
