#include "runtime/lifecycle/traceback.h"

#include <vector>

#include "runtime/base/mutex.h"
#include "runtime/lifecycle/fatal.h"
#include "runtime/scheduler/scheduler.h"

namespace goruntime::detail {
namespace {

Mutex allglock;
std::vector<G*>& AllGs() {
  static auto* allgs = new std::vector<G*>;  // never destroyed: read at exit
  return *allgs;
}

// Go's goroutineheader (traceback.go), without the wait time in minutes.
void AppendHeader(std::string& out, G* g) {
  out += "\ngoroutine " + std::to_string(g->goid) + " [";
  out += IsParked(g) ? WaitReasonString(g->waitreason) : "runnable";
  if (g->lockedm != nullptr) out += ", locked to thread";
  out += "]:\n";
}

}  // namespace

void RegisterG(G* g) {
  MutexLock l(allglock);
  AllGs().push_back(g);
}

std::string GoroutineHeaders() {
  std::vector<G*> gs;
  {
    MutexLock l(allglock);
    gs = AllGs();
  }
  std::string out;
  for (G* g : gs) {
    // A dead G (on the free list) has neither a body to run nor a stack.
    if (g->fiber == nullptr && !g->fn) continue;
    AppendHeader(out, g);
  }
  return out;
}

void FatalWithGoroutines(const std::string& msg) {
  FatalWrite("fatal error: " + msg + "\n" + GoroutineHeaders());
  ExitProcess(2);
}

}  // namespace goruntime::detail
