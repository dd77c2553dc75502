// The scenario language's syntax tree: a Scenario is a header (clauses,
// capabilities, settings, expectations) plus the main goroutine's body.
// The grammar is in conformance/INTERPRETING.md.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace conform::lang {

struct Pos {
  int line = 0;
  int col = 0;
  friend bool operator==(const Pos&, const Pos&) = default;
};

// A literal or a variable read: 5, "boom", $x.
struct Operand {
  enum class Kind { kInt, kString, kVar };
  Kind kind = Kind::kInt;
  int64_t i = 0;
  std::string s;  // the string, or the variable name for kVar
  friend bool operator==(const Operand&, const Operand&) = default;
};

enum class Cmp { kEq, kNe, kLe, kGe, kLt, kGt };

// The condition of a poll: `numgoroutine == 3`, `$x >= 1` or `alive T2 == 0`.
struct Cond {
  bool numgoroutine = false;  // else the thread `alive` if set, else the variable `var`
  std::string var;
  std::string alive;          // a thread token (T<n>): 1 while that thread exists, else 0
  Cmp cmp = Cmp::kEq;
  int64_t k = 0;
  friend bool operator==(const Cond&, const Cond&) = default;

  // Whether the polled value v meets the condition. The interpreter and the
  // model must agree on this, so it is defined once, here.
  bool Holds(int64_t v) const {
    switch (cmp) {
      case Cmp::kEq: return v == k;
      case Cmp::kNe: return v != k;
      case Cmp::kLe: return v <= k;
      case Cmp::kGe: return v >= k;
      case Cmp::kLt: return v < k;
      case Cmp::kGt: return v > k;
    }
    return false;
  }
};

// Whether a word in an event pattern selects a goroutine ("g*", "g7") rather
// than naming an op. The parser reads it so; the printer must not print an op
// that would read back as one.
inline bool IsGoroutineSelector(const std::string& w) {
  return w.size() > 1 && w[0] == 'g' && (w == "g*" || (w[1] >= '0' && w[1] <= '9'));
}

// Whether w names a thread as `thread` records it: T1, T2, ...
inline bool IsThreadToken(const std::string& w) {
  if (w.size() < 2 || w.size() > 10 || w[0] != 'T' || w[1] == '0') return false;
  for (size_t k = 1; k < w.size(); ++k)
    if (w[k] < '0' || w[k] > '9') return false;
  return true;
}

enum class Op {
  kGo,            // go ... end
  kGosched,       // gosched
  kGoexit,        // goexit
  kDefer,         // defer ... end
  kDeferValue,    // defer-value x      (x read now, recorded when the call runs)
  kPanic,         // panic <operand>
  kRecover,       // recover            (records `recover <value>`)
  kCall,          // call ... end       (a nested function frame)
  kRecord,        // record <label>
  kChan,          // chan c <cap> | chan c nil
  kSend,          // send c <operand>
  kRecv,          // recv c             (records `recv <v>,<ok>`); recv c into x: stores v in x, records nothing
  kClose,         // close c
  kSelect,        // select / case ... / default / end
  kSleep,         // sleep <ms>
  kSyscall,       // syscall <ms> | syscall until $x
  kLock,          // lock
  kUnlock,        // unlock
  kThread,        // thread             (records `thread T<n>`)
  kNumGoroutine,  // numgoroutine       (records the count)
  kGomaxprocs,    // gomaxprocs <n>     (records the previous value)
  kSetMaxStack,   // setmaxstack <n>    (records the previous value)
  kRecurse,       // recurse <frames> <bytes>
  kSpin,          // spin <n> | spin until $x   (no safe points)
  kRepeat,        // repeat <n> ... end
  kSet,           // set x <operand>
  kAdd,           // add x <operand>
  kValue,         // value x            (records `value x=<n>`)
  kPoll,          // poll <cond> within <ms> [yielding]  (records `poll <final>`)
  kExit,          // exit <status>      (os.Exit)
  kDeferRecover,  // defer-recover      (defer f(recover()): recover runs now; records `recover <value>` when f runs)
  kRead,          // read p             (one byte from pipe p, blocking in the syscall state; records `read <byte>`)
  kWrite,         // write p <operand>  (one byte, the operand's low 8 bits, to pipe p in the syscall state)
  kAlive,         // alive T<n>         (records `alive T<n>=<1|0|-1>`: that thread exists, is gone, was never seen)
  kMainThread,    // main-thread        (records `main-thread <1|0>`: whether this is the process's main thread)
  kForever,       // forever ... end    (an endless loop; an empty body is a loop with no calls)
  kStopwatch,     // stopwatch t        (restarts stopwatch t; every stopwatch starts with the program)
  kElapsed,       // elapsed t          (records `elapsed t=<ms>`, whole milliseconds since stopwatch t started)
  kIntrospect,    // introspect <fact>  (records `introspect <fact>=<answer>`: a scheduler fact; capability introspection)
};

struct Stmt;
using Block = std::vector<Stmt>;

struct SelectCase {
  Pos pos;
  bool is_send = false;
  std::string chan;
  Operand value;  // for sends
  Block body;
  friend bool operator==(const SelectCase&, const SelectCase&) = default;
};

struct Stmt {
  Op op = Op::kGosched;
  Pos pos;
  std::string name;      // channel, variable or label
  std::string into;      // recv c into x: the variable that receives the value
  Operand value;         // panic, send, set, add
  int64_t n = 0;         // cap, ms, frames, iterations, count, status
  int64_t m = 0;         // bytes per frame (recurse)
  bool nil_chan = false; // chan c nil
  bool until = false;    // syscall/spin until $name
  bool yielding = false; // poll ... yielding: re-read after Gosched only, never sleep
  Cond cond;             // poll
  Block body;            // go, defer, call, repeat, forever
  std::vector<SelectCase> cases;
  bool has_default = false;
  Block default_body;
  friend bool operator==(const Stmt&, const Stmt&) = default;
};

// A pattern for one trace event: [g<N>|g*] <op> [<value>|*].
struct EventPattern {
  int64_t g = 0;  // 0: any goroutine
  std::string op;
  std::optional<std::string> value;  // nullopt: any value
  friend bool operator==(const EventPattern&, const EventPattern&) = default;
};

struct Expectation {
  enum class Kind {
    kExit,         // @expect exit <n>
    kStderr,       // @expect stderr "<line>"      (an exact line)
    kStderrMatch,  // @expect stderr-match "<re>"  (a line matching the ECMAScript regex)
    kTraceExact,   // @expect trace exact <events>
    kTraceContains,// @expect trace contains <events>   (ordered subsequence)
    kTraceGoroutine,// @expect trace goroutine <g> <events> (that goroutine's events, exactly)
    kTraceAbsent,  // @expect trace absent <events>     (no ordered subsequence matches)
    kRange,        // @expect range <op>[:<key>] <lo> <hi>  (every such value; at least one)
    kCount,        // @expect count <event> <lo> <hi>       (number of matching events)
    kBypass,       // @expect bypass <k> <event>   (while one goroutine waits for its next matching
                   // event, no other records more than k; `fair <op>` is `bypass 1 <op> *`)
    kModel,        // @expect model   (trace and exit status valid under spec/model)
  };
  Kind kind = Kind::kExit;
  Pos pos;
  int64_t n = 0;                    // exit status; goroutine; lo; bypass bound
  int64_t hi = 0;
  std::string text;                 // stderr line/regex; range selector
  std::vector<EventPattern> events; // trace patterns
  friend bool operator==(const Expectation&, const Expectation&) = default;
};

struct Scenario {
  std::string file;
  std::vector<std::string> clauses;
  std::vector<std::string> requires_caps;
  std::optional<int64_t> gomaxprocs;  // set in the driver's environment
  int64_t timeout_ms = 10000;
  std::vector<Expectation> expect;
  std::vector<Block> inits;  // init ... end, run before main
  Block main;
  friend bool operator==(const Scenario& a, const Scenario& b) {
    return a.clauses == b.clauses && a.requires_caps == b.requires_caps &&
           a.gomaxprocs == b.gomaxprocs && a.timeout_ms == b.timeout_ms &&
           a.expect == b.expect && a.inits == b.inits && a.main == b.main;
  }
};

// The capability names a scenario or clause may require.
inline const std::vector<std::string>& KnownCapabilities() {
  static const std::vector<std::string> caps = {"preemptive", "os-threads", "stack-limit",
                                                "syscalls", "fairness", "introspection",
                                                "growable-stacks"};
  return caps;
}

// The facts `introspect <fact>` asks a runtime with the capability
// introspection for, about the calling goroutine:
//   gosched  yield as gosched does; answers the run queue the yield put the
//            caller on: global, local, or none (it went on without queueing)
//   reused   1 if its goroutine descriptor served a goroutine that died
//            before (Go's free list of dead Gs), else 0
//   m0       1 if it runs on m0, the runtime's M on the process's first thread, else 0
inline const std::vector<std::string>& IntrospectFacts() {
  static const std::vector<std::string> facts = {"gosched", "reused", "m0"};
  return facts;
}

}  // namespace conform::lang
