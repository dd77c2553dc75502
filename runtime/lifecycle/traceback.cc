#include "runtime/lifecycle/traceback.h"

#include <atomic>
#include <vector>

#include "runtime/lifecycle/fatal.h"
#include "runtime/scheduler/scheduler.h"

namespace goruntime::detail {
namespace {

// allgs as a list through G::alllink, newest first: a G is pushed once, when
// it is allocated, and never removed (dead Gs are skipped when printing).
std::atomic<G*> allgs{nullptr};

// Go's goroutineheader (traceback.go), without the wait time in minutes.
void AppendHeader(std::string& out, G* g) {
  out += "\ngoroutine " + std::to_string(g->goid) + " [";
  out += IsParked(g) ? WaitReasonString(g->waitreason) : "runnable";
  if (g->lockedm != nullptr) out += ", locked to thread";
  out += "]:\n";
}

}  // namespace

void RegisterG(G* g) {
  G* head = allgs.load(std::memory_order_relaxed);
  do {
    g->alllink = head;
  } while (!allgs.compare_exchange_weak(head, g, std::memory_order_release, std::memory_order_relaxed));
}

std::string GoroutineHeaders() {
  std::vector<G*> gs;  // oldest first, as Go's allgs
  for (G* g = allgs.load(std::memory_order_acquire); g != nullptr; g = g->alllink) gs.push_back(g);
  std::string out;
  for (auto it = gs.rbegin(); it != gs.rend(); ++it) {
    G* g = *it;
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
