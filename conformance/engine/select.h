// Engine part: Go's select (the family `select`) over the engine's own
// channels (channels.h). A select can only wait on channels whose queues it
// can join, so this part needs the channels part; the channels part does not
// need it.
//
// Under the channels' lock: if some cases are ready, one is chosen uniformly
// at random (Go's pseudo-random order) and completed; else the default runs
// if there is one; else one Waiting joins the queue of every non-nil case,
// the goroutine parks until the first of them fires, and leaves the others'
// queues. A select with no cases, or only nil-channel cases, parks forever.
#pragma once

#include <random>
#include <vector>

#include "conformance/adapter/runtime_adapter.h"
#include "conformance/engine/channels.h"
#include "conformance/engine/liveness.h"

namespace conform::engine {

template <class Sys>
class Select {
 public:
  explicit Select(Channels<Sys>& chans) : chans_(chans) {}

  // Go's select: returns the index of the case that ran, or -1 for default.
  // A send case on a closed channel panics (through the adapter's Panic).
  int Run(std::vector<SelectCase>& cases, bool has_default) {
    auto lock = chans_.Acquire();
    std::vector<int> ready;
    for (size_t k = 0; k < cases.size(); ++k)
      if (chans_.Ready(cases[k])) ready.push_back(static_cast<int>(k));
    if (!ready.empty()) {
      int k = ready[std::uniform_int_distribution<size_t>(0, ready.size() - 1)(Rng())];
      if (!chans_.Complete(cases[k])) chans_.PanicSendOnClosed(lock);
      return k;
    }
    if (has_default) return -1;
    typename Channels<Sys>::Waiting w;
    for (size_t k = 0; k < cases.size(); ++k) chans_.Enqueue(cases[k], static_cast<int>(k), &w);
    chans_.Wait(lock, &w, cases.empty() ? wait_reason::kSelectNoCases : wait_reason::kSelect);
    for (const SelectCase& c : cases) chans_.Dequeue(c, &w);
    chans_.Finish(lock, cases[w.case_idx], w);
    return w.case_idx;
  }

 private:
  static std::mt19937_64& Rng() {
    thread_local std::mt19937_64 rng{std::random_device{}()};
    return rng;
  }

  Channels<Sys>& chans_;
};

}  // namespace conform::engine
