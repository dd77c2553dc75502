#include "conformance/runner/families.h"

namespace conform {
namespace {

using lang::Op;

// Go's deadlock report, as scenarios expect it on stderr.
bool ExpectsDeadlockReport(const lang::Expectation& e) {
  if (e.kind != lang::Expectation::Kind::kStderr && e.kind != lang::Expectation::Kind::kStderrMatch) return false;
  return e.text.find("all goroutines are asleep") != std::string::npos ||
         e.text.find("no goroutines") != std::string::npos;
}

// Go's report of an unrecovered panic (`panic: …`, nested `\tpanic: …`):
// whoever prints it runs the panic machinery, even when the scenario's own
// statements never say `panic` (a send on a closed channel, say).
bool ExpectsPanicReport(const lang::Expectation& e) {
  if (e.kind != lang::Expectation::Kind::kStderr && e.kind != lang::Expectation::Kind::kStderrMatch) return false;
  return e.text.find("panic: ") != std::string::npos;
}

void AddBlock(const lang::Block& block, std::set<std::string>* out);

// The family one statement needs by itself ("" for none), plus its nested
// blocks. Every statement kind is listed (no default), so that a new one
// added to the language is a compiler warning here until it is classified.
void AddStmt(const lang::Stmt& s, std::set<std::string>* out) {
  const char* family = nullptr;
  switch (s.op) {
    case Op::kDefer:
    case Op::kDeferValue: family = "defer"; break;
    case Op::kPanic:
    case Op::kRecover: family = "panic"; break;
    case Op::kDeferRecover:  // defer f(recover()): a deferred call and a recover
      out->insert("defer");
      family = "panic";
      break;
    case Op::kGoexit: family = "goexit"; break;
    case Op::kChan:
    case Op::kSend:
    case Op::kRecv:
    case Op::kClose: family = "channels"; break;
    case Op::kSelect: family = "select"; break;
    case Op::kNumGoroutine: family = "numgoroutine"; break;
    case Op::kSleep: family = "timers"; break;
    case Op::kPoll:
      // A poll re-reads through Gosched and then 1 ms sleeps (unless
      // `yielding`), and `poll numgoroutine` reads NumGoroutine.
      if (s.cond.numgoroutine) out->insert("numgoroutine");
      if (!s.yielding) family = "timers";
      break;
    // The runtime's own in every driver (or a capability): not families.
    case Op::kGo:
    case Op::kGosched:
    case Op::kCall:
    case Op::kRecord:
    case Op::kSyscall:
    case Op::kLock:
    case Op::kUnlock:
    case Op::kThread:
    case Op::kGomaxprocs:
    case Op::kSetMaxStack:
    case Op::kRecurse:
    case Op::kSpin:
    case Op::kRepeat:
    case Op::kSet:
    case Op::kAdd:
    case Op::kValue:
    case Op::kExit:
    case Op::kRead:        // a system call (the syscalls capability)
    case Op::kWrite:
    case Op::kAlive:       // facts of the OS and the clock, read by the interpreter
    case Op::kMainThread:
    case Op::kStopwatch:
    case Op::kElapsed:
    case Op::kIntrospect:  // the introspection capability
    case Op::kForever: break;
  }
  if (family) out->insert(family);
  AddBlock(s.body, out);
  AddBlock(s.default_body, out);
  for (const auto& c : s.cases) AddBlock(c.body, out);
}

void AddBlock(const lang::Block& block, std::set<std::string>* out) {
  for (const lang::Stmt& s : block) AddStmt(s, out);
}

}  // namespace

const char* FamilySourceName(FamilySource s) {
  switch (s) {
    case FamilySource::kNative: return "native";
    case FamilySource::kEngine: return "engine";
    case FamilySource::kAbsent: return "absent";
  }
  return "?";
}

const std::vector<std::string>& KnownFamilies() {
  static const std::vector<std::string> kFamilies = {"defer",    "panic",        "goexit", "channels",
                                                     "select",   "deadlock",     "numgoroutine", "timers"};
  return kFamilies;
}

std::set<std::string> NeededFamilies(const lang::Scenario& sc) {
  std::set<std::string> out;
  for (const lang::Block& b : sc.inits) AddBlock(b, &out);
  AddBlock(sc.main, &out);
  for (const auto& e : sc.expect) {
    if (ExpectsDeadlockReport(e)) out.insert("deadlock");
    if (ExpectsPanicReport(e)) out.insert("panic");
  }
  return out;
}

std::string AbsentFamily(const FamilyMap& declared, const std::set<std::string>& needed) {
  for (const auto& f : needed)
    if (auto it = declared.find(f); it != declared.end() && it->second == FamilySource::kAbsent) return f;
  return "";
}

std::vector<std::string> EngineFamilies(const FamilyMap& declared, const std::set<std::string>& needed) {
  std::vector<std::string> out;
  for (const auto& f : needed)
    if (auto it = declared.find(f); it != declared.end() && it->second == FamilySource::kEngine) out.push_back(f);
  return out;
}

}  // namespace conform
