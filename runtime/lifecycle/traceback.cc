#include "runtime/lifecycle/traceback.h"

#include <atomic>
#include <new>

#include "runtime/base/mutex.h"
#include "runtime/lifecycle/fatal.h"
#include "runtime/scheduler/scheduler.h"

namespace goruntime::detail {
namespace {

// allgs: Gs are constructed in place in chunks of kChunk, indexed in
// creation order. A slot is handed out by one fetch_add; the chunk it falls
// in is allocated by whoever gets there first. Nothing is ever freed.
constexpr size_t kChunk = 1024;
constexpr size_t kMaxChunks = 1 << 16;  // 67M goroutines
std::atomic<size_t> allg_next{0};
std::atomic<char*> allg_chunks[kMaxChunks];
std::atomic<size_t> allg_built{0};  // slots whose G is constructed (for readers)
Mutex allg_chunk_lock;

char* Chunk(size_t c) {
  char* chunk = allg_chunks[c].load(std::memory_order_acquire);
  if (chunk != nullptr) return chunk;
  MutexLock l(allg_chunk_lock);
  chunk = allg_chunks[c].load(std::memory_order_relaxed);
  if (chunk == nullptr) {
    chunk = static_cast<char*>(::operator new(kChunk * sizeof(G), std::align_val_t{alignof(G)}));
    allg_chunks[c].store(chunk, std::memory_order_release);
  }
  return chunk;
}

G* Slot(size_t i) { return reinterpret_cast<G*>(Chunk(i / kChunk) + (i % kChunk) * sizeof(G)); }

// Go's goroutineheader (traceback.go), without the wait time in minutes.
void AppendHeader(std::string& out, G* g) {
  out += "\ngoroutine " + std::to_string(g->goid) + " [";
  out += IsParked(g) ? WaitReasonString(g->waitreason) : "runnable";
  if (g->lockedm != nullptr) out += ", locked to thread";
  out += "]:\n";
}

}  // namespace

G* AllocG() {
  const size_t i = allg_next.fetch_add(1, std::memory_order_relaxed);
  if (i / kChunk >= kMaxChunks) FatalThrow("too many goroutines");
  G* g = new (Slot(i)) G;
  allg_built.fetch_add(1, std::memory_order_release);
  return g;
}

std::string GoroutineHeaders() {
  // Called when every M is idle (a deadlock) or dying: every slot handed
  // out is constructed, which allg_built confirms.
  const size_t n = allg_built.load(std::memory_order_acquire);
  std::string out;
  for (size_t i = 0; i < n; i++) {
    G* g = Slot(i);
    // A dead G (on a free list) has neither a body to run nor a stack.
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
