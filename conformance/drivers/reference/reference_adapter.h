// The adapter for this project's reference runtime (namespace goruntime,
// runtime/runtime.h and runtime/chan.h). Each method is a direct call, so
// every behaviour family is declared native.
#pragma once

#include "conformance/adapter/runtime_adapter.h"

namespace conform {

class ReferenceAdapter : public RuntimeAdapter {
 public:
  std::string name() const override { return "reference"; }
  Capabilities capabilities() const override;
  Families families() const override;  // all native
  std::vector<std::string> identity() const override;

  // The runtime's one-time set-up, for a process that forks many children
  // which each run a program (goruntime::Prewarm).
  static void Prewarm();

  void RegisterInit(std::function<void()> fn) override;
  [[noreturn]] void RunProgram(std::function<void()> main) override;
  [[noreturn]] void Exit(int code) override;

  void Spawn(std::function<void()> body) override;
  void Gosched() override;
  // The facts of runtime/introspect.
  std::string Introspect(const std::string& fact) override;
  [[noreturn]] void Goexit() override;
  int NumGoroutine() override;
  void LockOSThread() override;
  void UnlockOSThread() override;
  int64_t ThreadId() override;
  int Gomaxprocs(int n) override;
  int64_t SetMaxStack(int64_t bytes) override;

  void Call(const std::function<void()>& frame) override;
  void Defer(std::function<void()> fn) override;
  [[noreturn]] void Panic(PanicValue v) override;
  PanicValue Recover() override;

  std::shared_ptr<Chan> MakeChan(size_t capacity) override;
  void Send(Chan* c, int64_t v) override;
  int64_t Recv(Chan* c, bool* ok) override;
  void Close(Chan* c) override;
  int Select(std::vector<SelectCase>& cases, bool has_default) override;

  void Sleep(std::chrono::milliseconds d) override;
  void Syscall(const std::function<void()>& blocking) override;
};

}  // namespace conform
