// Stack limit and overflow (spec-facts §6).
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
    Recurse(100);  // ~100 KiB, under the 256 KiB reservation
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
