#include "conformance/drivers/reference/reference_adapter.h"

#include <boost/version.hpp>

#include "runtime/chan.h"
#include "runtime/introspect/introspect.h"
#include "runtime/runtime.h"
#include "runtime/stack/stack.h"

namespace conform {
namespace {

using IntChan = goruntime::Chan<int64_t>;

struct RefChan : Chan {
  explicit RefChan(IntChan c) : ch(std::move(c)) {}
  IntChan ch;
};

// A null Chan* is the nil channel; goruntime's default Chan is nil too.
const IntChan& Unwrap(Chan* c) {
  static const IntChan nil_chan;
  return c ? static_cast<RefChan*>(c)->ch : nil_chan;
}

goruntime::Value ToValue(const PanicValue& v) {
  switch (v.kind) {
    case PanicValue::Kind::kNil: return goruntime::Value();
    case PanicValue::Kind::kInt: return goruntime::Value(v.i);
    case PanicValue::Kind::kString: return goruntime::Value(v.s);
    case PanicValue::Kind::kRuntimeError: return goruntime::Value::RuntimeError(v.s);
  }
  return goruntime::Value();
}

PanicValue FromValue(const goruntime::Value& v) {
  switch (v.kind()) {
    case goruntime::Value::Kind::kNil: return PanicValue::Nil();
    case goruntime::Value::Kind::kInt: return PanicValue::Int(v.as_int());
    case goruntime::Value::Kind::kString: return PanicValue::String(v.as_string());
    case goruntime::Value::Kind::kRuntimeError: return PanicValue::RuntimeError(v.as_string());
  }
  return PanicValue::Nil();
}

}  // namespace

Capabilities ReferenceAdapter::capabilities() const {
  Capabilities c;
  c.Add("os-threads");   // Ms are OS threads; LockOSThread wires G to M
  c.Add("stack-limit");  // the limit is checked where a stack grows; Go's overflow report
  c.Add("syscalls");     // Syscall hands the P off
  c.Add("fairness");     // Gosched requeues at the tail of the P's FIFO run queue
  c.Add("introspection");  // runtime/introspect reports scheduler facts
  // sysmon signals a long-running G's thread and the handler preempts it
  // (off under TSan, in deterministic mode and with GODEBUG=asyncpreemptoff=1).
  if (goruntime::AsyncPreemptEnabled()) c.Add("preemptive");
  if (goruntime::detail::StacksGrow()) c.Add("growable-stacks");  // split stacks; fixed under sanitizers
  return c;
}

Families ReferenceAdapter::families() const {
  // Every family is //runtime's own: each method below is one call into it
  // (frames and panics: runtime/panic; channels and select: runtime/channel;
  // deadlock: the scheduler's CheckDead, reached through goruntime::Run;
  // NumGoroutine: the scheduler's count; Sleep: runtime/time). Nothing here
  // includes conformance/engine.
  Families f;
  for (Family family : kAllFamilies) f.Set(family, Source::kNative);
  return f;
}

std::vector<std::string> ReferenceAdapter::identity() const {
  return {"goconform reference runtime (//runtime, C++20 on Boost.Context " + std::to_string(BOOST_VERSION / 100000) +
          "." + std::to_string(BOOST_VERSION / 100 % 1000) + "." + std::to_string(BOOST_VERSION % 100) + ")"};
}

void ReferenceAdapter::Prewarm() { goruntime::Prewarm(); }

void ReferenceAdapter::RegisterInit(std::function<void()> fn) { goruntime::RegisterInit(std::move(fn)); }
void ReferenceAdapter::RunProgram(std::function<void()> main) { goruntime::Run(std::move(main)); }
void ReferenceAdapter::Exit(int code) { goruntime::Exit(code); }

void ReferenceAdapter::Spawn(std::function<void()> body) { goruntime::Go(std::move(body)); }
void ReferenceAdapter::Gosched() { goruntime::Gosched(); }

std::string ReferenceAdapter::Introspect(const std::string& fact) {
  if (fact == "gosched") return goruntime::introspect::QueueName(goruntime::introspect::GoschedQueue());
  if (fact == "reused") return goruntime::introspect::DescriptorReused() ? "1" : "0";
  if (fact == "m0") return goruntime::introspect::OnM0() ? "1" : "0";
  return RuntimeAdapter::Introspect(fact);  // a fact this runtime does not know: a usage error
}
void ReferenceAdapter::Goexit() { goruntime::Goexit(); }
int ReferenceAdapter::NumGoroutine() { return goruntime::NumGoroutine(); }
void ReferenceAdapter::LockOSThread() { goruntime::LockOSThread(); }
void ReferenceAdapter::UnlockOSThread() { goruntime::UnlockOSThread(); }
int64_t ReferenceAdapter::ThreadId() { return goruntime::ThreadID(); }
int ReferenceAdapter::Gomaxprocs(int n) { return goruntime::GOMAXPROCS(n); }
int64_t ReferenceAdapter::SetMaxStack(int64_t bytes) { return goruntime::debug::SetMaxStack(bytes); }

void ReferenceAdapter::Call(const std::function<void()>& frame) { goruntime::Call(frame); }
void ReferenceAdapter::Defer(std::function<void()> fn) { goruntime::Defer(std::move(fn)); }
void ReferenceAdapter::Panic(PanicValue v) { goruntime::Panic(ToValue(v)); }
PanicValue ReferenceAdapter::Recover() { return FromValue(goruntime::Recover()); }

std::shared_ptr<Chan> ReferenceAdapter::MakeChan(size_t capacity) {
  return std::make_shared<RefChan>(IntChan::Make(capacity));
}
void ReferenceAdapter::Send(Chan* c, int64_t v) { Unwrap(c).Send(v); }
int64_t ReferenceAdapter::Recv(Chan* c, bool* ok) { return Unwrap(c).Recv(ok); }
void ReferenceAdapter::Close(Chan* c) { Unwrap(c).Close(); }

int ReferenceAdapter::Select(std::vector<SelectCase>& cases, bool has_default) {
  std::vector<goruntime::SelectCase> rc;
  rc.reserve(cases.size());
  for (SelectCase& c : cases) {
    if (c.is_send) rc.push_back(goruntime::SendCase(Unwrap(c.chan), c.send_value));
    else rc.push_back(goruntime::RecvCase(Unwrap(c.chan), c.out, c.ok));
  }
  return goruntime::Select(rc, has_default);
}

void ReferenceAdapter::Sleep(std::chrono::milliseconds d) { goruntime::Sleep(d); }
void ReferenceAdapter::Syscall(const std::function<void()>& blocking) {
  goruntime::Syscall([&] { blocking(); });
}

}  // namespace conform
