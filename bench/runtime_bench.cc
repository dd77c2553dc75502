// The anchor workloads (../shared/anchors/go/main.go), written for the
// reference runtime, as Google Benchmarks. Each runs the same 1,000,000
// iterations as the Go program and reports the same unit in the counter
// `ns_per_op` (and `bytes_per_goroutine` for parked). bench/compare.sh runs
// this beside Go gc and gccgo in one job and prints the ratios.
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <fstream>
#include <string>

#include "runtime/chan.h"
#include "runtime/runtime.h"

namespace rt = goruntime;

namespace {

constexpr int kN = 1'000'000;

// A WaitGroup stand-in: the last Done closes `zero`.
class WaitGroup {
 public:
  explicit WaitGroup(int n) : left_(n), zero_(rt::Chan<int>::Make()) {}
  void Done() {
    if (left_.fetch_sub(1) == 1) zero_.Close();
  }
  void Wait() { zero_.Recv(); }

 private:
  std::atomic<int> left_;
  rt::Chan<int> zero_;
};

void SetProcs(benchmark::State& state) { rt::GOMAXPROCS(static_cast<int>(state.range(0))); }

void Report(benchmark::State& state, int64_t ns, double per) {
  state.SetIterationTime(static_cast<double>(ns) / 1e9);
  state.counters["ns_per_op"] = static_cast<double>(ns) / per;
}

void BM_SpawnExit(benchmark::State& state) {
  SetProcs(state);
  for (auto _ : state) {
    WaitGroup wg(kN);
    const int64_t t0 = rt::Nanotime();
    for (int i = 0; i < kN; i++) rt::Go([&wg] { wg.Done(); });
    wg.Wait();
    Report(state, rt::Nanotime() - t0, kN);
  }
}

void BM_PingPong(benchmark::State& state) {
  SetProcs(state);
  for (auto _ : state) {
    auto a = rt::Chan<int>::Make(), b = rt::Chan<int>::Make();
    rt::Go([a, b] {
      bool ok = true;
      for (int v = a.Recv(&ok); ok; v = a.Recv(&ok)) b.Send(v);
      b.Close();
    });
    const int64_t t0 = rt::Nanotime();
    for (int i = 0; i < kN; i++) {
      a.Send(i);
      b.Recv();
    }
    const int64_t ns = rt::Nanotime() - t0;
    a.Close();
    Report(state, ns, kN);
  }
}

void BM_Gosched(benchmark::State& state) {
  SetProcs(state);
  for (auto _ : state) {
    WaitGroup wg(2);
    const int64_t t0 = rt::Nanotime();
    for (int g = 0; g < 2; g++) {
      rt::Go([&wg] {
        for (int i = 0; i < kN; i++) rt::Gosched();
        wg.Done();
      });
    }
    wg.Wait();
    Report(state, rt::Nanotime() - t0, 2.0 * kN);
  }
}

// Resident memory plus page tables, in bytes: what a parked goroutine costs
// the machine (Go's figure is MemStats.Sys growth).
int64_t MemoryFootprint() {
  std::ifstream f("/proc/self/status");
  std::string key;
  int64_t rss = 0, pte = 0, v;
  while (f >> key) {
    if (key == "VmRSS:" && f >> v) rss = v * 1024;
    if (key == "VmPTE:" && f >> v) pte = v * 1024;
  }
  return rss + pte;
}

void BM_Parked(benchmark::State& state) {
  SetProcs(state);
  for (auto _ : state) {
    const int64_t m0 = MemoryFootprint();
    auto stop = rt::Chan<int>::Make();
    WaitGroup wg(kN);
    const int64_t t0 = rt::Nanotime();
    for (int i = 0; i < kN; i++) {
      rt::Go([&wg, stop] {
        wg.Done();
        stop.Recv();
      });
    }
    wg.Wait();
    const int64_t ns = rt::Nanotime() - t0;
    const int64_t m1 = MemoryFootprint();
    stop.Close();
    Report(state, ns, kN);
    state.counters["bytes_per_goroutine"] = static_cast<double>(m1 - m0) / kN;
  }
}

#define ANCHOR(fn) BENCHMARK(fn)->Arg(1)->Arg(2)->Iterations(1)->UseManualTime()->Unit(benchmark::kMillisecond)
ANCHOR(BM_SpawnExit);
ANCHOR(BM_PingPong);
ANCHOR(BM_Gosched);
ANCHOR(BM_Parked);

}  // namespace

int main(int argc, char** argv) {
  rt::Run([argc, argv]() mutable {
    benchmark::Initialize(&argc, argv);
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
  });
}
