// Growable stacks (runtime/stack/stack.h): goroutines recurse far past their
// first stack, up to the SetMaxStack limit, on split stacks; large frames
// never jump over a guard page. Builds with fixed stacks (sanitizers) check
// what they promise instead: an overflow is always Go's report.
#include <atomic>
#include <fstream>

#include "runtime/preempt/preempt.h"
#include "runtime/stack/stack.h"
#include "runtime/tests/program_test_util.h"

namespace goruntime::testing {
namespace {

using ::testing::ContainsRegex;
using ::testing::HasSubstr;

// Plain C++ recursion (no Call frames): `frames` deep, `Bytes` of locals per
// frame, each frame written lowest byte first (what jumps over a guard page
// when nothing probes). Returns a checksum so nothing is optimised away.
template <size_t Bytes>
[[gnu::noinline]] int64_t Plain(int64_t frames) {
  char pad[Bytes];
  pad[0] = static_cast<char>(frames);
  pad[Bytes - 1] = static_cast<char>(frames + 1);
  asm volatile("" : : "r"(pad) : "memory");
  if (frames <= 1) return pad[0] + pad[Bytes - 1];
  const int64_t r = Plain<Bytes>(frames - 1);
  asm volatile("" : : "r"(pad) : "memory");
  return r + pad[0] + pad[Bytes - 1];
}

// The same, yielding every 64 frames, so other goroutines run on this M while
// this one is deep in its segments.
[[gnu::noinline]] int64_t PlainYielding(int64_t frames) {
  char pad[1024];
  pad[0] = static_cast<char>(frames);
  asm volatile("" : : "r"(pad) : "memory");
  if (frames % 64 == 0) Gosched();
  if (frames <= 1) return pad[0];
  const int64_t r = PlainYielding(frames - 1);
  asm volatile("" : : "r"(pad) : "memory");
  return r + pad[0];
}

template <size_t Bytes>
int64_t Expected(int64_t frames) {
  int64_t sum = 0;
  for (int64_t f = frames; f >= 1; f--) sum += static_cast<char>(f) + static_cast<char>(f + 1);
  return sum;
}

int64_t ResidentBytes() {
  std::ifstream f("/proc/self/status");
  std::string key;
  int64_t v = 0;
  while (f >> key) {
    if (key == "VmRSS:" && f >> v) return v * 1024;
  }
  return 0;
}

#define REQUIRE_GROWABLE_STACKS()                                                     \
  if (!detail::StacksGrow()) GTEST_SKIP() << "fixed stacks in this build (sanitizers: " \
                                             "see runtime/stack/stack.h)"

TEST(StackGrowth, GoroutineRecursesThroughTensOfMiB) {
  REQUIRE_GROWABLE_STACKS();
  auto r = RunProgram([] {
    auto done = Chan<int64_t>::Make();
    Go([done] { done.Send(Plain<1024>(40 << 10)); });  // 40 MiB of frames
    Emit(std::to_string(done.Recv()));
  });
  EXPECT_CLEAN_EXIT(r);
  EXPECT_EQ(r.out, std::to_string(Expected<1024>(40 << 10)) + "\n");
}

TEST(StackGrowth, MainRecursesThroughTensOfMiB) {
  REQUIRE_GROWABLE_STACKS();
  auto r = RunProgram([] { Emit(std::to_string(Plain<1024>(40 << 10))); });
  EXPECT_CLEAN_EXIT(r);
  EXPECT_EQ(r.out, std::to_string(Expected<1024>(40 << 10)) + "\n");
}

TEST(StackGrowth, DeepThroughCallFramesWithDefers) {
  REQUIRE_GROWABLE_STACKS();
  // Call frames grow too, and their defers run in order as the stack
  // shrinks back across segments.
  auto r = RunProgram([] {
    int64_t ran = 0;
    std::function<void(int)> rec = [&](int n) {
      char pad[1024];
      asm volatile("" : : "r"(pad) : "memory");
      Defer([&ran] { ran++; });
      if (n > 0) Call([&, n] { rec(n - 1); });
    };
    Call([&] { rec(20000); });  // ~20k frames of over 1 KiB
    Emit(std::to_string(ran));
  });
  EXPECT_CLEAN_EXIT(r);
  EXPECT_EQ(r.out, "20001\n");
}

TEST(StackGrowth, PanicFromDeepSegmentRecoveredOnFirstStack) {
  REQUIRE_GROWABLE_STACKS();
  // The unwinding crosses every segment back to the first stack; the stack
  // is then usable again, from its first stack (libgcc's findstack left a
  // stale segment here before the runtime's wrapper fixed it).
  auto r = RunProgram([] {
    const size_t first = detail::StackInUse();
    for (int round = 0; round < 3; round++) {
      Call([] {
        Defer([] { Emit("recovered " + Recover().as_string()); });
        std::function<void(int)> rec = [&](int n) {
          char pad[1024];
          asm volatile("" : : "r"(pad) : "memory");
          if (n == 0) Panic(Value(std::string("deep")));
          rec(n - 1);
        };
        rec(10000);  // ~10 MiB below the first stack
      });
      Emit(detail::StackInUse() == first ? "on first stack" : "still on a segment");
    }
    Emit(std::to_string(Plain<1024>(20 << 10)));
  });
  EXPECT_CLEAN_EXIT(r);
  EXPECT_EQ(r.out, "recovered deep\non first stack\nrecovered deep\non first stack\n"
                   "recovered deep\non first stack\n" +
                       std::to_string(Expected<1024>(20 << 10)) + "\n");
}

TEST(StackGrowth, GoroutinesSwitchWhileDeep) {
  REQUIRE_GROWABLE_STACKS();
  // 64 goroutines on 2 Ps recurse 4 MiB each and yield every 64 frames: each
  // switch saves one goroutine's segments and restores another's.
  auto r = RunProgram([] {
    constexpr int kG = 64;
    auto results = Chan<int64_t>::Make(kG);
    for (int i = 0; i < kG; i++) Go([results] { results.Send(PlainYielding(4096)); });
    int64_t expected = 0;
    for (int64_t f = 4096; f >= 1; f--) expected += static_cast<char>(f);
    int ok = 0;
    for (int i = 0; i < kG; i++) ok += results.Recv() == expected;
    Emit(std::to_string(ok));
  }, {"GOMAXPROCS=2"});
  EXPECT_CLEAN_EXIT(r);
  EXPECT_EQ(r.out, "64\n");
}

TEST(StackGrowth, ExitedGoroutineGivesItsSegmentsBack) {
  REQUIRE_GROWABLE_STACKS();
  // 64 MiB grown and touched, then the goroutine exits: its segments go back
  // to the pool without their pages.
  auto r = RunProgram([] {
    const int64_t before = ResidentBytes();
    auto done = Chan<int>::Make();
    Go([done] {
      Plain<1024>(64 << 10);
      done.Send(1);
    });
    done.Recv();
    // The exiting goroutine releases its segments after its last send.
    PollUntil([] { return NumGoroutine() == 1; });
    const int64_t after = ResidentBytes();
    Emit(after - before < (16 << 20) ? "released" : "kept " + std::to_string(after - before));
  });
  EXPECT_CLEAN_EXIT(r);
  EXPECT_EQ(r.out, "released\n");
}

TEST(StackGrowth, ManyGoroutinesParkWhileGrown) {
  REQUIRE_GROWABLE_STACKS();
  // 2,000 goroutines each park over 100 KiB deep (past their first stack),
  // then all finish: segments from the pool at scale.
  auto r = RunProgram([] {
    constexpr int kG = 2000;
    auto parked = Chan<int>::Make(kG);
    auto release = Chan<int>::Make();
    auto results = Chan<int64_t>::Make(kG);
    for (int i = 0; i < kG; i++) {
      Go([=] {
        std::function<int64_t(int)> rec = [&](int n) -> int64_t {
          char pad[1024];
          pad[0] = static_cast<char>(n);
          asm volatile("" : : "r"(pad) : "memory");
          if (n == 0) {
            parked.Send(1);
            release.Recv();
            return 0;
          }
          return rec(n - 1) + pad[0];
        };
        results.Send(rec(100));
      });
    }
    for (int i = 0; i < kG; i++) parked.Recv();
    release.Close();
    int64_t expected = 0;
    for (int n = 100; n >= 1; n--) expected += static_cast<char>(n);
    int ok = 0;
    for (int i = 0; i < kG; i++) ok += results.Recv() == expected;
    Emit(std::to_string(ok));
  }, {"GOMAXPROCS=2"}, std::chrono::seconds(60));
  EXPECT_CLEAN_EXIT(r);
  EXPECT_EQ(r.out, "2000\n");
}

// Recurses `frames` frames of 1 KiB, sets *started to 1 if it is then still
// on its first stack, 2 if on a segment, and spins with no call until *stop.
[[gnu::noinline]] int64_t SpinDeep(int64_t frames, std::atomic<int>* started, const std::atomic<bool>* stop) {
  char pad[1024];
  pad[0] = static_cast<char>(frames);
  asm volatile("" : : "r"(pad) : "memory");
  if (frames <= 1) {
    started->store(detail::StackInUse() > detail::StackReservation() ? 2 : 1);
    while (!stop->load(std::memory_order_relaxed)) {
    }
    return pad[0];
  }
  const int64_t r = SpinDeep(frames - 1, started, stop);
  asm volatile("" : : "r"(pad) : "memory");
  return r + pad[0];
}

TEST(StackGrowth, TightLoopOnASegmentIsPreempted) {
  REQUIRE_GROWABLE_STACKS();
  if (!AsyncPreemptEnabled()) GTEST_SKIP() << "asynchronous preemption is off in this build";
  // At GOMAXPROCS=1 main runs again only if the spinner, 4 MiB deep in its
  // segments, is preempted there: the signal handler must take the bounds
  // of the segment it runs on, not of its first stack (preempt/signal.cc).
  auto r = RunProgram([] {
    std::atomic<int> started{0};
    std::atomic<bool> stop{false};
    auto done = Chan<int64_t>::Make();
    Go([&, done] { done.Send(SpinDeep(4096, &started, &stop)); });
    while (started == 0) Gosched();  // returns once the spinner is preempted
    const bool deep = started == 2;
    const uint64_t before = detail::Stats().injected.load();
    Sleep(std::chrono::milliseconds(30));  // wakes only by preempting it again
    stop = true;
    done.Recv();
    Emit(deep && detail::Stats().injected.load() > before ? "preempted on a segment" : "not preempted");
  }, {"GOMAXPROCS=1"});
  EXPECT_CLEAN_EXIT(r);
  EXPECT_EQ(r.out, "preempted on a segment\n");
}

// Code built without split stacks never checks its frames: past the 16 KiB
// every limit leaves below it, it reaches the guard page under the first
// stack or the segment it runs on, and the SIGSEGV handler reports it.
[[gnu::no_split_stack, gnu::noinline]] int64_t NonSplitRecurse(int64_t n) {
  char pad[1024];
  pad[0] = static_cast<char>(n);
  asm volatile("" : : "r"(pad) : "memory");
  if (n <= 0) return 0;
  const int64_t r = NonSplitRecurse(n - 1);
  asm volatile("" : : "r"(pad) : "memory");
  return r + pad[0];
}

TEST(StackGuard, NonSplitCodeOutgrowingTheFirstStackIsReported) {
  auto r = RunProgram([] {
    Defer([] { Emit("deferred call ran"); });
    NonSplitRecurse(1 << 20);
  });
  EXPECT_EQ(r.signal, 0) << r.err;
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_EQ(r.out, "");
  EXPECT_THAT(r.err, ContainsRegex("^runtime: goroutine stack exceeds [0-9]+-byte limit\n"
                                   "runtime: sp=0x[0-9a-f]+ stack=\\[0x[0-9a-f]+, 0x[0-9a-f]+\\]\n"
                                   "fatal error: stack overflow\n"));
}

TEST(StackGuard, NonSplitCodeOutgrowingASegmentIsReported) {
  REQUIRE_GROWABLE_STACKS();
  auto r = RunProgram([] {
    auto done = Chan<int>::Make();
    Go([done] {
      std::function<void(int)> rec = [&](int n) {
        char pad[1024];
        asm volatile("" : : "r"(pad) : "memory");
        if (n == 0) {
          if (detail::StackInUse() <= detail::StackReservation()) Emit("still on the first stack");
          NonSplitRecurse(1 << 20);
        }
        rec(n - 1);
      };
      rec(1000);  // about 1 MiB: well into the segments
      done.Send(1);
    });
    done.Recv();
  });
  EXPECT_EQ(r.signal, 0) << r.err;
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_EQ(r.out, "");
  EXPECT_THAT(r.err, HasSubstr("fatal error: stack overflow\n"));
}

// --- Large frames and the guard (issue 10: four 100 KiB frames on a 256 KiB
// stack wrote into the neighbouring goroutine's stack) ---------------------

// A goroutine whose frame holds canaries sits on the stack just below the
// one that recurses with large frames (the pool hands out neighbouring
// stacks in order), so a frame that jumps the guard lands on them.
void LargeFramesLeaveNeighbourIntact(int64_t (*recurse)(int64_t), int64_t frames) {
  constexpr size_t kCanaries = 4096;
  auto ready = Chan<uintptr_t>::Make();
  auto check = Chan<int>::Make();
  auto verdict = Chan<std::string>::Make();
  auto grower_sp = Chan<uintptr_t>::Make();
  auto go_grow = Chan<int>::Make();
  // Spawned first: its stack is the upper neighbour.
  Go([=] {
    char probe;
    grower_sp.Send(reinterpret_cast<uintptr_t>(&probe));
    go_grow.Recv();
    Emit("frames " + std::to_string(recurse(frames)));
    go_grow.Send(1);
  });
  const uintptr_t grower = grower_sp.Recv();
  Go([=] {
    char canaries[kCanaries];
    for (size_t i = 0; i < kCanaries; i++) canaries[i] = static_cast<char>(0x5a ^ i);
    asm volatile("" : : "r"(canaries) : "memory");
    ready.Send(reinterpret_cast<uintptr_t>(canaries));
    check.Recv();
    asm volatile("" : : "r"(canaries) : "memory");
    size_t bad = 0;
    for (size_t i = 0; i < kCanaries; i++) bad += canaries[i] != static_cast<char>(0x5a ^ i);
    verdict.Send(std::to_string(bad) + " canaries corrupted");
  });
  const uintptr_t canary = ready.Recv();
  // The canaries lie below the grower's stack, within reach of a frame that
  // jumps its guard.
  Emit(canary < grower && grower - canary < (1 << 20) ? "neighbour below" : "not neighbours");
  go_grow.Send(1);
  go_grow.Recv();
  check.Send(1);
  Emit(verdict.Recv());
}

template <size_t Bytes>
void ExpectLargeFramesSafe(int64_t frames) {
  auto r = RunProgram([frames] { LargeFramesLeaveNeighbourIntact(&Plain<Bytes>, frames); });
  if (detail::StacksGrow()) {
    // Each frame is checked before it is touched and gets a segment of its own.
    EXPECT_CLEAN_EXIT(r);
    EXPECT_EQ(r.out, "neighbour below\nframes " + std::to_string(Expected<Bytes>(frames)) +
                         "\n0 canaries corrupted\n") << r.err;
  } else {
    // Fixed 256 KiB stacks: the frames do not fit, and -fstack-clash-protection
    // makes the first of them that crosses the guard page hit it.
    EXPECT_EQ(r.exit_code, 2) << r.err;
    EXPECT_EQ(r.out, "neighbour below\n");
    EXPECT_THAT(r.err, HasSubstr("fatal error: stack overflow\n"));
  }
}

TEST(StackClash, FourFramesOf8KiB) { ExpectLargeFramesSafe<8 << 10>(40); }
TEST(StackClash, FourFramesOf64KiB) { ExpectLargeFramesSafe<64 << 10>(5); }
TEST(StackClash, FourFramesOf100KiB) { ExpectLargeFramesSafe<100 << 10>(4); }
TEST(StackClash, FourFramesOf1MiB) { ExpectLargeFramesSafe<1 << 20>(4); }

// Code built without split stacks has only the 16 KiB headroom below the
// limit, then the guard page: with -fstack-clash-protection (in both
// GOROUTINE_COPTS and GOROUTINE_NOSPLIT_COPTS, runtime/defs.bzl) each page of
// a large frame is touched in order, so the first frame that does not fit
// hits the guard, and nothing below it is ever written.
template <size_t Bytes>
[[gnu::no_split_stack, gnu::noinline]] int64_t NonSplitPlain(int64_t frames) {
  char pad[Bytes];
  pad[0] = static_cast<char>(frames);
  pad[Bytes - 1] = static_cast<char>(frames + 1);
  asm volatile("" : : "r"(pad) : "memory");
  if (frames <= 1) return pad[0] + pad[Bytes - 1];
  const int64_t r = NonSplitPlain<Bytes>(frames - 1);
  asm volatile("" : : "r"(pad) : "memory");
  return r + pad[0] + pad[Bytes - 1];
}

template <size_t Bytes>
void ExpectNonSplitLargeFramesReported(int64_t frames) {
  auto r = RunProgram([frames] {
    Defer([] { Emit("deferred call ran"); });
    LargeFramesLeaveNeighbourIntact(&NonSplitPlain<Bytes>, frames);
  });
  EXPECT_EQ(r.signal, 0) << r.err;
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_EQ(r.out, "neighbour below\n");
  EXPECT_THAT(r.err, ContainsRegex("^runtime: goroutine stack exceeds [0-9]+-byte limit\n"
                                   "runtime: sp=0x[0-9a-f]+ stack=\\[0x[0-9a-f]+, 0x[0-9a-f]+\\]\n"
                                   "fatal error: stack overflow\n"));
}

// Enough frames to pass the headroom, the first stack and its guard several
// times over (the canary check never runs: the guard ends the program first).
TEST(StackClash, NonSplitFramesOf8KiBHitTheGuard) { ExpectNonSplitLargeFramesReported<8 << 10>(64); }
TEST(StackClash, NonSplitFramesOf64KiBHitTheGuard) { ExpectNonSplitLargeFramesReported<64 << 10>(8); }
TEST(StackClash, NonSplitFrameOf1MiBHitsTheGuard) { ExpectNonSplitLargeFramesReported<1 << 20>(2); }

// Frames of `Bytes` until the limit: Go's report naming the limit, exit 2,
// no deferred call, never a SIGSEGV death.
template <size_t Bytes>
void ExpectLargeFrameOverflowReported() {
  auto r = RunProgram([] {
    debug::SetMaxStack(8 << 20);
    auto done = Chan<int>::Make();
    Go([done] {
      Defer([] { Emit("deferred call ran"); });
      Plain<Bytes>(int64_t{1} << 40);
      done.Send(1);
    });
    done.Recv();
  });
  EXPECT_EQ(r.signal, 0) << r.err;
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_EQ(r.out, "");
  EXPECT_THAT(r.err, ContainsRegex("^runtime: goroutine stack exceeds 8388608-byte limit\n"
                                   "runtime: sp=0x[0-9a-f]+ stack=\\[0x[0-9a-f]+, 0x[0-9a-f]+\\]\n"
                                   "fatal error: stack overflow\n"));
}

TEST(StackClash, OverflowBy8KiBFramesIsReported) { ExpectLargeFrameOverflowReported<8 << 10>(); }
TEST(StackClash, OverflowBy64KiBFramesIsReported) { ExpectLargeFrameOverflowReported<64 << 10>(); }
TEST(StackClash, OverflowBy1MiBFramesIsReported) { ExpectLargeFrameOverflowReported<1 << 20>(); }

}  // namespace
}  // namespace goruntime::testing
