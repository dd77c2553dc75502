// The program lifecycle: Go's runtime.main, in the seed's order.
//   1. set the max stack size;
//   2. start sysmon (the timer thread starts with the first sleep);
//   3. lock the main goroutine to m0 and run the init functions there;
//   4. unlock (unless an init function locked it for good) and run main;
//   5. if another goroutine is panicking, wait for it to finish dying;
//   6. exit 0.
#include <vector>

#include "runtime/lifecycle/fatal.h"
#include "runtime/panic/frames.h"
#include "runtime/preempt/preempt.h"
#include "runtime/runtime.h"
#include "runtime/scheduler/scheduler.h"
#include "runtime/stack/stack.h"

namespace goruntime {
namespace detail {

void StartSysmon();
void LockOSThreadInternal();
void UnlockOSThreadInternal();

namespace {

std::vector<std::function<void()>>& Inits() {
  static auto* inits = new std::vector<std::function<void()>>;
  return *inits;
}

// What goroutine 1 runs (it starts locked to m0).
void MainGoroutine(const std::function<void()>& main) {
  for (auto& init : Inits()) Call(init);
  UnlockOSThreadInternal();
  sched.main_started.store(true);
  Call(main);
  // A goroutine that is running panic defers may be about to print: give it
  // time (Go yields up to 1000 times), then, if it is printing, never exit
  // first.
  for (int i = 0; i < 1000 && RunningPanicDefers() > 0; i++) Gosched();
  if (Panicking() > 0) ParkForever(WaitReason::kPanicWait);
  ExitProcess(0);
}

}  // namespace
}  // namespace detail

void RegisterInit(std::function<void()> fn) { detail::Inits().push_back(std::move(fn)); }

void Run(std::function<void()> main) {
  using namespace detail;
  SetMaxStackValue(sizeof(void*) == 8 ? 1'000'000'000 : 250'000'000);
  InstallOverflowHandler();
  CheckSplitStackAbi();
  SchedInit();
  StartSysmon();
  G* main_g = NewG([main = std::move(main)] { MainGoroutine(main); });
  main_g->stack_size = StackSizeForMain();
  M0ScheduleLoop(main_g);
}

void Prewarm() { detail::InitCodeLayout(); }

void Exit(int code) { detail::ExitProcess(code); }

namespace debug {
int64_t SetMaxStack(int64_t bytes) { return detail::SetMaxStackValue(bytes); }
}  // namespace debug

}  // namespace goruntime
