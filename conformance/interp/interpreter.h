// The shared interpreter: runs one scenario on any RuntimeAdapter and
// records its trace. It only sequences operations and records what they
// return; every behaviour under test is performed by the adapter.
#pragma once

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

 private:
  void Exec(const lang::Stmt& s, int64_t g);
  void ExecSelect(const lang::Stmt& s, int64_t g);
  void ExecPoll(const lang::Stmt& s, int64_t g);
  void Emit(int64_t g, const char* op, std::string value);
  int64_t Eval(const lang::Operand& o);
  std::atomic<int64_t>& Var(const std::string& name);
  Chan* ChanNamed(const std::string& name);
  std::string ThreadToken(int64_t tid);

  const lang::Scenario& sc_;
  RuntimeAdapter& rt_;
  TraceSink& sink_;
  std::atomic<int64_t> next_g_{2};
  // Every variable the scenario names exists from the start, so this map is
  // never modified while goroutines run and needs no lock.
  std::map<std::string, std::unique_ptr<std::atomic<int64_t>>> vars_;
  std::mutex mu_;  // guards chans_ and threads_
  std::map<std::string, std::shared_ptr<Chan>> chans_;
  std::map<int64_t, std::string> threads_;
  std::vector<std::shared_ptr<Chan>> retired_;  // keeps every made channel alive
};

}  // namespace conform
