// Asynchronous preemption keeps the interrupted code's whole state: every
// general register, rflags (the direction flag set), the vector registers
// (xmm, ymm or zmm and the AVX-512 mask registers, whatever the CPU has),
// MXCSR and the x87 control word, and the 128-byte red zone below rsp,
// which a leaf function may use without moving rsp. The trampoline itself
// changes the direction flag, MXCSR and x87 state before calling C++ code,
// and the scheduler's code runs on the same thread meanwhile, so a state it
// did not save and restore shows up here.
#include <cstring>
#include <sstream>

#include "runtime/preempt/preempt.h"
#include "runtime/tests/program_test_util.h"

extern "C" {
// preempt_registers_spin_amd64.S
void SpinKeepingState(volatile int* flag, uint64_t* out, uint64_t level, volatile int* in_loop);
// What the vector registers are loaded with: byte j of register i is
// kVecPattern[64 * i + j]. Filled before the child is forked.
alignas(64) unsigned char kVecPattern[32 * 64];
}

namespace goruntime::testing {
namespace {

using ::testing::ElementsAre;

// Slots of SpinKeepingState's `out` (uint64_t words).
constexpr int kRedZone = 0;       // 16 words: 0x5ed20e0000000000 + i at -8*(i+1)(%rsp)
constexpr int kGprs = 16;         // rax rbx rcx rdx rsi rdi r8..r15 rbp rsp
constexpr int kFlags = 33;
constexpr int kMxcsr = 34;
constexpr int kFpuCw = 35;
constexpr int kRbpBefore = 38;
constexpr int kRspBefore = 39;
constexpr int kMasks = 41;        // k1..k7
constexpr int kVectors = 64;      // 64 bytes per register
constexpr int kOutWords = kVectors + 32 * 8;

uint64_t GprPattern(int n) { return 0x1000000000000000ULL * (n + 1) + 0x0123456789ULL * (n + 3); }

// Which vector registers the CPU and the OS support: 0 SSE, 1 AVX, 2 AVX-512.
int VectorLevel() {
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx512f")) return 2;
  if (__builtin_cpu_supports("avx")) return 1;
  return 0;
}

// Compares `out` with what SpinKeepingState loaded; returns the differences.
std::string Differences(const uint64_t* out, int level, const volatile int* flag) {
  std::ostringstream d;
  for (int i = 0; i < 16; i++)
    if (out[kRedZone + i] != 0x5ed20e0000000000ULL + i) d << "red-zone[" << i << "] ";
  const char* names[] = {"rax", "rbx", "rcx", "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15"};
  const int slots[] = {0, 1, 2, 6, 7, 8, 9, 10, 11, 12, 13};
  for (int n = 0; n < 11; n++)
    if (out[kGprs + slots[n]] != GprPattern(n)) d << names[n] << " ";
  if (out[kGprs + 3] != static_cast<uint64_t>(level)) d << "rdx ";
  if (out[kGprs + 4] != reinterpret_cast<uint64_t>(out)) d << "rsi ";
  if (out[kGprs + 5] != reinterpret_cast<uint64_t>(flag)) d << "rdi ";
  if (out[kGprs + 14] != out[kRbpBefore]) d << "rbp ";
  if (out[kGprs + 15] != out[kRspBefore]) d << "rsp ";
  if ((out[kFlags] & 0x400) == 0) d << "direction-flag ";
  if ((out[kMxcsr] & 0xffffffff) != 0x7f80) d << "mxcsr ";
  if ((out[kFpuCw] & 0xffff) != 0x0f7f) d << "x87-control-word ";
  const int nregs = level == 2 ? 32 : 16;
  const int width = level == 2 ? 64 : level == 1 ? 32 : 16;
  for (int i = 0; i < nregs; i++) {
    if (memcmp(reinterpret_cast<const unsigned char*>(out + kVectors) + 64 * i, kVecPattern + 64 * i, width) != 0)
      d << (level == 2 ? "zmm" : level == 1 ? "ymm" : "xmm") << i << " ";
  }
  if (level == 2)
    for (int k = 1; k <= 7; k++)
      if (out[kMasks + k - 1] != 0x0f0f0f0f0f0f0f00ULL + k) d << "k" << k << " ";
  return d.str();
}

void StateSurvivesPreemption(int level) {
  for (int i = 0; i < 32 * 64; i++) kVecPattern[i] = static_cast<unsigned char>(i * 7 + 3);
  auto r = RunProgram([level] {
    static volatile int flag = 0, in_loop = 0;
    alignas(64) static uint64_t out[kOutWords];
    auto done = Chan<int>::Make();
    Go([done, level] {
      SpinKeepingState(&flag, out, static_cast<uint64_t>(level), &in_loop);
      done.Send(1);
    });
    // At GOMAXPROCS=1 main runs again only when the spinner is preempted:
    // once it has seen in_loop, the spinner was preempted inside its loop.
    while (in_loop == 0) Gosched();
    flag = 1;
    done.Recv();
    const std::string diff = Differences(out, level, &flag);
    Emit(diff.empty() ? "all kept" : "changed: " + diff);
  }, {"GOMAXPROCS=1"});
  EXPECT_CLEAN_EXIT(r);
  EXPECT_THAT(Lines(r.out), ElementsAre("all kept")) << "vector level " << level;
}

TEST(AsyncPreemptState, KeptWithSseRegisters) {
  if (!AsyncPreemptEnabled()) GTEST_SKIP() << "asynchronous preemption is off in this build";
  StateSurvivesPreemption(0);
}

TEST(AsyncPreemptState, KeptWithAvxRegisters) {
  if (!AsyncPreemptEnabled()) GTEST_SKIP() << "asynchronous preemption is off in this build";
  if (VectorLevel() < 1) GTEST_SKIP() << "no AVX on this CPU";
  StateSurvivesPreemption(1);
}

TEST(AsyncPreemptState, KeptWithAvx512Registers) {
  if (!AsyncPreemptEnabled()) GTEST_SKIP() << "asynchronous preemption is off in this build";
  if (VectorLevel() < 2) GTEST_SKIP() << "no AVX-512 on this CPU";
  StateSurvivesPreemption(2);
}

}  // namespace
}  // namespace goruntime::testing
