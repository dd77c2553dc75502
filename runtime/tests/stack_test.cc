// Stack limit and overflow (spec-facts §6).
#include <regex>

#include "runtime/stack/stack.h"
#include "runtime/tests/program_test_util.h"

namespace goruntime::testing {
namespace {

using ::testing::ContainsRegex;
using ::testing::HasSubstr;

// Recurses through Go frames, each with `kFrame` bytes of locals.
constexpr int kFrame = 1024;
void Recurse(int n) {
  char pad[kFrame];
  asm volatile("" : : "r"(pad) : "memory");  // the frame escapes: it cannot shrink
  if (n > 0) Call([n] { Recurse(n - 1); });
  asm volatile("" : : "r"(pad) : "memory");
}

// Plain C++ recursion (no Call frames), 1 KiB of locals per frame.
[[gnu::noinline]] int64_t PlainRecurse(int64_t n) {
  char pad[1024];
  pad[0] = static_cast<char>(n);
  asm volatile("" : : "r"(pad) : "memory");
  if (n <= 0) return 0;
  const int64_t r = PlainRecurse(n - 1);
  asm volatile("" : : "r"(pad) : "memory");
  return r + pad[0];
}

// Checks Go's overflow report in `err`: the limit it names, and that sp lies
// inside the stack range it prints (as Go's newstack prints them).
void ExpectOverflowReport(const ChildResult& r, const std::string& limit, bool sp_inside) {
  EXPECT_EQ(r.signal, 0) << r.err;
  EXPECT_EQ(r.exit_code, 2) << r.err;
  std::smatch m;
  const std::regex report(
      "^runtime: goroutine stack exceeds ([0-9]+)-byte limit\n"
      "runtime: sp=0x([0-9a-f]+) stack=\\[0x([0-9a-f]+), 0x([0-9a-f]+)\\]\n"
      "fatal error: stack overflow\n");
  ASSERT_TRUE(std::regex_search(r.err, m, report)) << r.err;
  EXPECT_EQ(m[1], limit);
  if (!sp_inside) return;
  const uint64_t sp = std::stoull(m[2], nullptr, 16);
  const uint64_t lo = std::stoull(m[3], nullptr, 16);
  const uint64_t hi = std::stoull(m[4], nullptr, 16);
  EXPECT_LE(lo, sp) << r.err;
  EXPECT_LT(sp, hi) << r.err;
}

TEST(SetMaxStack, ReturnsPreviousDefault64Bit) {
  auto r = RunProgram([] {
    Emit(std::to_string(debug::SetMaxStack(1 << 20)));
    Emit(std::to_string(debug::SetMaxStack(1 << 21)));
  });
  EXPECT_CLEAN_EXIT(r);
  EXPECT_THAT(Lines(r.out), ::testing::ElementsAre("1000000000", "1048576"));
}

TEST(StackOverflow, GuardPageHitGivesGoReportAndExit2WithoutDefers) {
  auto r = RunProgram([] {
    Defer([] { Emit("defer ran"); });
    Recurse(1 << 30);
  });
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.out, "");
  EXPECT_THAT(r.err, ContainsRegex("^runtime: goroutine stack exceeds [0-9]+-byte limit\n"
                                   "runtime: sp=0x[0-9a-f]+ stack=\\[0x[0-9a-f]+, 0x[0-9a-f]+\\]\n"
                                   "fatal error: stack overflow\n"));
}

TEST(StackOverflow, SetMaxStackLimitIsExactInReport) {
  auto r = RunProgram([] {
    debug::SetMaxStack(1 << 20);
    auto done = Chan<int>::Make();
    Go([done] {
      Recurse(4096);  // ~4 MiB of frames
      done.Send(1);
    });
    done.Recv();
  });
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("runtime: goroutine stack exceeds 1048576-byte limit\n"));
  EXPECT_THAT(r.err, HasSubstr("fatal error: stack overflow\n"));
}

TEST(StackOverflow, SmallLimitBoundsPlainRecursionInMain) {
  // Issue 10: main's large reservation let plain recursion run on to 64 MiB.
  // Go stops a 4 MiB recursion at a 1 MiB limit, runs no deferred call, and
  // prints sp inside the range it prints.
  auto r = RunProgram([] {
    debug::SetMaxStack(1 << 20);
    Defer([] { Emit("deferred call ran"); });
    Emit(std::to_string(PlainRecurse(4096)));
  });
  EXPECT_EQ(r.out, "");
  // Fixed stacks: the fault happens at the guard page SetMaxStack placed, so
  // sp is wherever the faulting frame left it.
  ExpectOverflowReport(r, "1048576", /*sp_inside=*/detail::StacksGrow());
}

TEST(StackOverflow, SmallLimitBoundsPlainRecursionInGoroutine) {
  auto r = RunProgram([] {
    debug::SetMaxStack(1 << 20);
    auto done = Chan<int>::Make();
    Go([done] {
      Defer([] { Emit("deferred call ran"); });
      PlainRecurse(4096);
      done.Send(1);
    });
    done.Recv();
  });
  EXPECT_EQ(r.out, "");
  ExpectOverflowReport(r, "1048576", /*sp_inside=*/detail::StacksGrow());
}

TEST(StackOverflow, ReportNamesTheLimitSet) {
  // Not a power of two: the report names the limit as set, not a stack size.
  auto r = RunProgram([] {
    debug::SetMaxStack(3'000'000);
    PlainRecurse(1 << 20);
  });
  ExpectOverflowReport(r, "3000000", /*sp_inside=*/detail::StacksGrow());
}

TEST(StackOverflow, LimitRaisedAgainLetsMainRecurseFurther) {
  // SetMaxStack(1 MiB) then SetMaxStack(8 MiB): a 4 MiB recursion is legal.
  auto r = RunProgram([] {
    debug::SetMaxStack(1 << 20);
    debug::SetMaxStack(8 << 20);
    PlainRecurse(4096);
    Emit("ok");
  });
  EXPECT_CLEAN_EXIT(r);
  EXPECT_EQ(r.out, "ok\n");
}

TEST(StackOverflow, OverflowInGoroutineOfDeepCallFramesNamesLimit) {
  // Through Call frames, in a goroutine started before the limit was set.
  auto r = RunProgram([] {
    auto start = Chan<int>::Make();
    auto done = Chan<int>::Make();
    Go([start, done] {
      start.Recv();
      Recurse(1 << 20);
      done.Send(1);
    });
    debug::SetMaxStack(2 << 20);
    start.Send(1);
    done.Recv();
  });
  EXPECT_EQ(r.out, "");
  // Fixed stacks: this goroutine's reservation (256 KiB) was fixed before the
  // limit was set; its guard page bounds it first.
  ExpectOverflowReport(r, detail::StacksGrow() ? "2097152" : "262144", /*sp_inside=*/detail::StacksGrow());
}

TEST(StackOverflow, RecoverDoesNotHelp) {
  auto r = RunProgram([] {
    debug::SetMaxStack(64 << 10);
    Defer([] { Emit(Recover().is_nil() ? "nil" : "recovered"); });
    Recurse(1 << 20);
  });
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.out, "");
  EXPECT_THAT(r.err, HasSubstr("exceeds 65536-byte limit"));
}

TEST(StackOverflow, DeepButLegalRecursionWorks) {
  auto r = RunProgram([] {
    Recurse(100);  // ~100 KiB: past a split first stack, under a fixed reservation
    Emit("ok");
  });
  EXPECT_CLEAN_EXIT(r);
  EXPECT_EQ(r.out, "ok\n");
}

TEST(Stacks, GuardPagesDoNotSplitMappings) {
  // With MADV_GUARD_INSTALL, 70,000 parked goroutines (each on its own
  // guarded stack) fit under vm.max_map_count = 65530; with mprotect guards
  // they would need 140,000 mappings.
#if defined(GORT_TSAN) || defined(GORT_ASAN)
  GTEST_SKIP() << "70,000 fibers are too heavy for sanitizer shadow memory";
#endif
  auto r = RunProgram([] {
    if (!detail::StackGuardsUseMadvise()) Emit("kernel has no MADV_GUARD_INSTALL");
    constexpr int kN = 70000;
    auto stop = Chan<int>::Make();
    auto started = Chan<int>::Make(kN);
    for (int i = 0; i < kN; i++) Go([stop, started] { started.Send(1); stop.Recv(); });
    for (int i = 0; i < kN; i++) started.Recv();
    Emit(std::to_string(NumGoroutine() - 1) + " parked");
    stop.Close();
  });
  EXPECT_CLEAN_EXIT(r);
  EXPECT_EQ(r.out, "70000 parked\n");
}

}  // namespace
}  // namespace goruntime::testing
