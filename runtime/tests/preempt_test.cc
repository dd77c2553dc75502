// Asynchronous preemption (runtime/preempt/): a goroutine in a loop with no
// call is preempted at a safe point and resumes on its own thread; never
// while it holds a runtime lock, runs inside a library or inside the
// runtime; never in deterministic mode or with GODEBUG=asyncpreemptoff=1.
//
// Each program runs in a child process. "Spinning" below always means a
// loop with no call in it, so it has no cooperative safe point: at
// GOMAXPROCS=1 nothing else can run unless the spinner is preempted.
#include <dlfcn.h>
#include <elf.h>
#include <link.h>
#include <pthread.h>
#include <signal.h>
#include <x86intrin.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <functional>
#include <mutex>
#include <set>
#include <shared_mutex>
#include <thread>

#include "runtime/base/mutex.h"
#include "runtime/preempt/preempt.h"
#include "runtime/stack/split_stack.h"
#include "runtime/tests/program_test_util.h"

extern "C" char __start_goruntime_text[];
extern "C" char __stop_goruntime_text[];

namespace goruntime::testing {
namespace {

using detail::Stats;
using ::testing::ElementsAre;

#define SKIP_WITHOUT_ASYNC_PREEMPTION()                                                          \
  do {                                                                                           \
    if (!AsyncPreemptEnabled())                                                                  \
      GTEST_SKIP() << "asynchronous preemption is off in this build (ThreadSanitizer defers "    \
                      "asynchronous signals: runtime/scheduler/scheduler.cc, Preemption)";        \
  } while (0)

// The calling thread's identity without a call: its thread pointer (%fs:0
// is the TCB's self pointer on x86-64 Linux).
inline uintptr_t ThreadPointer() {
  uintptr_t tp;
  asm volatile("movq %%fs:0, %0" : "=r"(tp));
  return tp;
}

// Spins until the calling goroutine has been asynchronously preempted and
// resumed once. At GOMAXPROCS=1 no other goroutine is running meanwhile, so
// the next resumption counted is this one's.
void SpinUntilPreempted() {
  auto& resumed = Stats().resumed;
  const uint64_t before = resumed.load();
  while (resumed.load(std::memory_order_relaxed) == before) {
  }
}

// TSC ticks per millisecond, measured once in the test process (children
// inherit it).
uint64_t TscPerMs() {
  static const uint64_t per_ms = [] {
    const auto t0 = std::chrono::steady_clock::now();
    const uint64_t c0 = __rdtsc();
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    const uint64_t c1 = __rdtsc();
    const auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - t0);
    return (c1 - c0) * 1'000'000 / static_cast<uint64_t>(ns.count());
  }();
  return per_ms;
}

// Spins for about `ms` with no call: the whole loop is the program's code.
void SpinFor(int ms, uint64_t per_ms) {
  const uint64_t end = __rdtsc() + per_ms * static_cast<uint64_t>(ms);
  while (__rdtsc() < end) {
  }
}

// Spins, with no call, while another thread keeps `flag` set.
void SpinWhile(const std::atomic<bool>& flag) {
  while (flag.load(std::memory_order_relaxed)) {
  }
}

TEST(AsyncPreempt, TightLoopDoesNotStarveMainAtOneP) {
  SKIP_WITHOUT_ASYNC_PREEMPTION();
  auto r = RunProgram([] {
    std::atomic<bool> started{false}, stop{false};
    auto done = Chan<int>::Make();
    Go([&, done] {
      started = true;
      while (!stop.load(std::memory_order_relaxed)) {
      }
      done.Send(1);
    });
    while (!started) Gosched();  // returns only once the spinner is preempted
    Sleep(std::chrono::milliseconds(30));  // wakes only by preempting it again
    stop = true;
    done.Recv();
    Emit(Stats().injected.load() >= 2 ? "preempted" : "not preempted");
  }, {"GOMAXPROCS=1"});
  EXPECT_CLEAN_EXIT(r);
  EXPECT_THAT(Lines(r.out), ElementsAre("preempted"));
}

TEST(AsyncPreempt, TwoTightLoopsDoNotStarveMainAtTwoPs) {
  SKIP_WITHOUT_ASYNC_PREEMPTION();
  auto r = RunProgram([] {
    std::atomic<int> started{0};
    std::atomic<bool> stop{false};
    auto done = Chan<int>::Make(2);
    for (int i = 0; i < 2; i++) {
      Go([&, done] {
        started++;
        while (!stop.load(std::memory_order_relaxed)) {
        }
        done.Send(1);
      });
    }
    while (started < 2) Gosched();
    // Both Ps spin now: each of these sleeps ends only by a preemption.
    for (int i = 0; i < 5; i++) Sleep(std::chrono::milliseconds(5));
    stop = true;
    done.Recv();
    done.Recv();
    Emit("main ran");
  }, {"GOMAXPROCS=2"});
  EXPECT_CLEAN_EXIT(r);
  EXPECT_THAT(Lines(r.out), ElementsAre("main ran"));
}

TEST(AsyncPreempt, PreemptedGoroutineResumesOnItsThread) {
  SKIP_WITHOUT_ASYNC_PREEMPTION();
  // Three spinners on two Ps, each checking its thread pointer on every
  // iteration; main sleeps in 1ms steps, so a spinner is preempted every
  // 10ms or so, and its next run could be on any M but its own.
  auto r = RunProgram([] {
    constexpr int kSpinners = 3;
    std::atomic<bool> stop{false};
    std::atomic<int> moved{0};
    auto done = Chan<int>::Make(kSpinners);
    for (int i = 0; i < kSpinners; i++) {
      Go([&, done] {
        const uintptr_t mine = ThreadPointer();
        while (!stop.load(std::memory_order_relaxed)) {
          if (ThreadPointer() != mine) moved++;
        }
        done.Send(1);
      });
    }
    const uint64_t before = Stats().resumed.load();
    const int64_t deadline = Nanotime() + 10'000'000'000;
    while (Stats().resumed.load() - before < 30 && Nanotime() < deadline) Sleep(std::chrono::milliseconds(1));
    stop = true;
    for (int i = 0; i < kSpinners; i++) done.Recv();
    const uint64_t resumed = Stats().resumed.load() - before;
    Emit(resumed >= 30 ? "30 preemptions" : "only " + std::to_string(resumed) + " preemptions");
    Emit("moved " + std::to_string(moved.load()));
  }, {"GOMAXPROCS=2"});
  EXPECT_CLEAN_EXIT(r);
  EXPECT_THAT(Lines(r.out), ElementsAre("30 preemptions", "moved 0"));
}

TEST(AsyncPreempt, NotWhileHoldingARuntimeLock) {
  SKIP_WITHOUT_ASYNC_PREEMPTION();
  // The spinner holds a runtime Mutex for 200ms while main waits to run: the
  // signals come and are declined (locked), and main does not run until the
  // lock is released; then the spinner is preempted as usual.
  auto r = RunProgram([] {
    static detail::Mutex mu;
    std::atomic<bool> started{false}, hold{true}, stop{false};
    std::atomic<bool> main_ran{false};
    std::atomic<bool> main_ran_while_locked{false};
    auto done = Chan<int>::Make();
    std::thread timer([&] {
      while (!started) std::this_thread::sleep_for(std::chrono::milliseconds(1));
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
      hold = false;
    });
    Go([&, done] {
      mu.lock();
      started = true;
      SpinWhile(hold);
      main_ran_while_locked = main_ran.load();
      mu.unlock();
      while (!stop.load(std::memory_order_relaxed)) {
      }
      done.Send(1);
    });
    const uint64_t locked_before = Stats().locked.load();
    Gosched();  // runs the spinner; returns after it is preempted
    main_ran = true;
    stop = true;
    done.Recv();
    timer.join();
    Emit(main_ran_while_locked ? "ran while locked" : "waited for the lock");
    Emit(Stats().locked.load() > locked_before ? "declined: locked" : "no signal while locked");
  }, {"GOMAXPROCS=1"});
  EXPECT_CLEAN_EXIT(r);
  EXPECT_THAT(Lines(r.out), ElementsAre("waited for the lock", "declined: locked"));
}

// Spins in a critical section of `kind` for about 200ms (a plain thread
// clears `hold`), while main waits to run at GOMAXPROCS=1; returns
// "waited" if main did not run meanwhile, and whether signals were
// declined because of the lock.
void OsLockedSpin(const std::string& kind) {
  static std::mutex mutex;
  static std::shared_mutex shared;
  static std::once_flag once;
  std::atomic<bool> started{false}, hold{true}, stop{false}, main_ran{false}, ran_inside{false};
  auto done = Chan<int>::Make();
  std::thread timer([&] {
    while (!started) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    hold = false;
  });
  const uint64_t locked_before = Stats().locked.load();
  Go([&, done, kind] {
    auto critical = [&] {
      started = true;
      SpinWhile(hold);
      ran_inside = main_ran.load();
    };
    if (kind == "std::mutex") {
      std::lock_guard<std::mutex> l(mutex);
      critical();
    } else if (kind == "std::shared_mutex") {
      std::shared_lock<std::shared_mutex> l(shared);
      critical();
    } else if (kind == "std::call_once") {
      std::call_once(once, critical);
    } else {  // a function-local static's initializer
      static const bool initialized = (critical(), true);
      (void)initialized;
    }
    while (!stop.load(std::memory_order_relaxed)) {
    }
    done.Send(1);
  });
  Gosched();
  main_ran = true;
  stop = true;
  done.Recv();
  timer.join();
  Emit(kind + (ran_inside ? " ran while locked" : " waited") +
       (Stats().locked.load() > locked_before ? ", declined: locked" : ", no signal while locked"));
}

TEST(AsyncPreempt, NotWhileHoldingAnOsLock) {
  SKIP_WITHOUT_ASYNC_PREEMPTION();
  // A goroutine preempted inside one would block every goroutine that then
  // waits for it, with its P (runtime/preempt/oslocks.cc).
  for (const char* kind : {"std::mutex", "std::shared_mutex", "std::call_once", "static init"}) {
    auto r = RunProgram([kind] { OsLockedSpin(kind); }, {"GOMAXPROCS=1"});
    EXPECT_CLEAN_EXIT(r);
    EXPECT_THAT(Lines(r.out), ElementsAre(std::string(kind) + " waited, declined: locked"));
  }
}

TEST(AsyncPreempt, NotInsideLibc) {
  SKIP_WITHOUT_ASYNC_PREEMPTION();
  // The spinner spins inside libc (pthread_spin_lock on a lock a plain
  // thread holds for 200ms): the signals are declined (bad_pc) and main
  // waits; once it has the lock it spins in its own code and is preempted.
  auto r = RunProgram([] {
    static pthread_spinlock_t spin;
    pthread_spin_init(&spin, PTHREAD_PROCESS_PRIVATE);
    pthread_spin_lock(&spin);
    std::atomic<bool> started{false}, stop{false}, main_ran{false};
    std::atomic<bool> main_ran_before_lock{false};
    auto done = Chan<int>::Make();
    std::thread holder([&] {
      while (!started) std::this_thread::sleep_for(std::chrono::milliseconds(1));
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
      pthread_spin_unlock(&spin);
    });
    Go([&, done] {
      started = true;
      pthread_spin_lock(&spin);
      main_ran_before_lock = main_ran.load();
      pthread_spin_unlock(&spin);
      while (!stop.load(std::memory_order_relaxed)) {
      }
      done.Send(1);
    });
    const uint64_t bad_pc_before = Stats().bad_pc.load();
    Gosched();
    main_ran = true;
    stop = true;
    done.Recv();
    holder.join();
    Emit(main_ran_before_lock ? "ran while in libc" : "waited for libc");
    Emit(Stats().bad_pc.load() > bad_pc_before ? "declined: pc" : "no signal in libc");
  }, {"GOMAXPROCS=1"});
  EXPECT_CLEAN_EXIT(r);
  EXPECT_THAT(Lines(r.out), ElementsAre("waited for libc", "declined: pc"));
}

// Calls fn(name, lo, hi) for every allocated section of this executable,
// at its loaded address (read from /proc/self/exe's section headers).
void ForEachSection(const std::function<void(const char*, uintptr_t, uintptr_t)>& fn) {
  std::ifstream f("/proc/self/exe", std::ios::binary);
  std::string file((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  ASSERT_GE(file.size(), sizeof(Elf64_Ehdr));
  const auto* eh = reinterpret_cast<const Elf64_Ehdr*>(file.data());
  const auto* sh = reinterpret_cast<const Elf64_Shdr*>(file.data() + eh->e_shoff);
  const char* names = file.data() + sh[eh->e_shstrndx].sh_offset;
  uintptr_t bias = 0;
  dl_iterate_phdr([](dl_phdr_info* info, size_t, void* data) {
    *static_cast<uintptr_t*>(data) = info->dlpi_addr;
    return 1;
  }, &bias);
  for (int i = 0; i < eh->e_shnum; i++)
    if ((sh[i].sh_flags & SHF_ALLOC) != 0 && sh[i].sh_size > 0)
      fn(names + sh[i].sh_name, bias + sh[i].sh_addr, bias + sh[i].sh_addr + sh[i].sh_size);
}

// A function of the program (this test), outside the runtime.
__attribute__((noinline)) int ProgramFunction(int x) {
  asm volatile("" : "+r"(x));
  return x + 1;
}

TEST(AsyncPreempt, PreemptibleCodeIsTheProgramsOwn) {
  detail::InitCodeLayout();
  auto pc = [](auto* f) { return reinterpret_cast<uintptr_t>(f); };
  // This test is linked statically: the runtime's code is in the
  // executable, in its own section, and that section is excluded.
  const uintptr_t gosched = pc(&Gosched);
  EXPECT_GE(gosched, pc(__start_goruntime_text));
  EXPECT_LT(gosched, pc(__stop_goruntime_text));
  EXPECT_FALSE(detail::PreemptiblePC(gosched));
  EXPECT_FALSE(detail::PreemptiblePC(pc(&detail::ChanSend)));
  EXPECT_FALSE(detail::PreemptiblePC(pc(__start_goruntime_text)));
  EXPECT_FALSE(detail::PreemptiblePC(pc(__stop_goruntime_text) - 1));
  // The program's own code is preemptible.
  EXPECT_TRUE(detail::PreemptiblePC(pc(&ProgramFunction)));
  EXPECT_TRUE(detail::PreemptiblePC(pc(&SpinUntilPreempted)));
  // Libraries are not: libc's malloc and memcpy, libstdc++, the loader.
  for (const char* name : {"malloc", "free", "memcpy", "strlen", "printf", "pthread_mutex_lock", "_ZNSt6thread6_StateD2Ev",
                           "_dl_find_object"}) {
    void* sym = dlsym(RTLD_DEFAULT, name);
    if (sym == nullptr) continue;
    Dl_info info;
    ASSERT_NE(dladdr(sym, &info), 0) << name;
    if (info.dli_fname != nullptr && strstr(info.dli_fname, ".so") == nullptr) {
      // In a sanitizer build the executable itself defines malloc and
      // memcpy: the sanitizer's, excluded by symbol (text.cc).
      EXPECT_FALSE(detail::PreemptiblePC(pc(sym))) << name << " in the executable";
      continue;
    }
    EXPECT_FALSE(detail::PreemptiblePC(pc(sym))) << name << " in " << info.dli_fname;
  }
  EXPECT_FALSE(detail::PreemptiblePC(0));
  // Nor are the executable's PLT stubs, through which the runtime calls
  // libraries (jump_fcontext@plt mid-switch), and its .init/.fini.
  int checked = 0;
  ForEachSection([&](const char* name, uintptr_t lo, uintptr_t hi) {
    const bool code = strcmp(name, ".text") == 0;
    if (!code && strncmp(name, ".plt", 4) != 0 && strcmp(name, ".init") != 0 && strcmp(name, ".fini") != 0) return;
    if (code) {
      EXPECT_TRUE(detail::PreemptiblePC(pc(&ProgramFunction)) && pc(&ProgramFunction) >= lo && pc(&ProgramFunction) < hi);
      return;
    }
    for (uintptr_t a : {lo, lo + (hi - lo) / 2, hi - 1}) EXPECT_FALSE(detail::PreemptiblePC(a)) << name;
    checked++;
  });
  EXPECT_GE(checked, 2) << "no .plt/.init/.fini found";
}

// Calls fn(name, lo, hi) for every function symbol of this executable, at
// its loaded address (read from /proc/self/exe's symbol table).
void ForEachFunction(const std::function<void(const char*, uintptr_t, uintptr_t)>& fn) {
  std::ifstream f("/proc/self/exe", std::ios::binary);
  std::string file((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  ASSERT_GE(file.size(), sizeof(Elf64_Ehdr));
  const auto* eh = reinterpret_cast<const Elf64_Ehdr*>(file.data());
  const auto* sh = reinterpret_cast<const Elf64_Shdr*>(file.data() + eh->e_shoff);
  uintptr_t bias = 0;
  dl_iterate_phdr([](dl_phdr_info* info, size_t, void* data) {
    *static_cast<uintptr_t*>(data) = info->dlpi_addr;
    return 1;
  }, &bias);
  for (int i = 0; i < eh->e_shnum; i++) {
    if (sh[i].sh_type != SHT_SYMTAB) continue;
    const auto* syms = reinterpret_cast<const Elf64_Sym*>(file.data() + sh[i].sh_offset);
    const char* names = file.data() + sh[sh[i].sh_link].sh_offset;
    for (size_t k = 0; k < sh[i].sh_size / sizeof(Elf64_Sym); k++)
      if (ELF64_ST_TYPE(syms[k].st_info) == STT_FUNC && syms[k].st_shndx != SHN_UNDEF && syms[k].st_size > 0)
        fn(names + syms[k].st_name, bias + syms[k].st_value, bias + syms[k].st_value + syms[k].st_size);
  }
}

// libgcc's split-stack support, linked into this executable from libgcc.a
// (morestack.o, generic-morestack.o), runs while a goroutine switches
// between stack segments: no address in it is preemptible (text.cc).
TEST(AsyncPreempt, NotInsideLibgccSplitStackSupport) {
  detail::InitCodeLayout();
  ASSERT_TRUE(detail::PreemptiblePC(reinterpret_cast<uintptr_t>(&ProgramFunction)));
  std::set<std::string> seen;
  ForEachFunction([&](const char* name, uintptr_t lo, uintptr_t hi) {
    const std::string n = name;
    const bool libgcc = n.rfind("__morestack", 0) == 0 || n.rfind("__generic_morestack", 0) == 0 ||
                        n == "__generic_releasestack" || n == "__generic_findstack" ||
                        n.rfind("__splitstack_", 0) == 0 || n == "__stack_split_initialize";
    if (!libgcc) return;
    seen.insert(n);
    for (uintptr_t a = lo; a < hi; a++) {
      if (detail::PreemptiblePC(a)) {
        ADD_FAILURE() << name << "+" << (a - lo) << " is preemptible";
        return;
      }
    }
  });
  if (!detail::kSplitStacks) return;  // fixed stacks: libgcc's support is not linked
  // The functions __morestack runs while it switches: the switch itself,
  // the segment allocation behind the runtime's --wrap wrappers, the signal
  // blocking around it, and the context calls.
  for (const char* name : {"__morestack", "__morestack_non_split", "__generic_morestack", "__generic_releasestack",
                           "__generic_findstack", "__morestack_block_signals", "__morestack_unblock_signals",
                           "__morestack_allocate_stack_space", "__splitstack_getcontext"})
    EXPECT_EQ(seen.count(name), 1u) << name << " not found in this split-stack executable";
}

TEST(AsyncPreempt, OnInEveryBuildButThreadSanitizers) {
#if defined(GORT_TSAN)
  EXPECT_FALSE(AsyncPreemptEnabled());
#else
  EXPECT_TRUE(AsyncPreemptEnabled());
#endif
}

TEST(AsyncPreempt, DeterministicModeNeverPreempts) {
  // With the schedule drawn from a seed, preemption would make runs differ:
  // a spinner runs until it stops by itself, and no signal is ever sent.
  const uint64_t per_ms = TscPerMs();
  auto program = [per_ms] {
    std::atomic<bool> started{false}, finished{false};
    Go([&] {
      started = true;
      SpinFor(100, per_ms);
      finished = true;
    });
    while (!started) Gosched();
    Emit(finished ? "main after spinner" : "main during spinner");
    Emit("signals " + std::to_string(Stats().signals.load()));
  };
  auto r = RunProgram(program, {"GORUNTIME_SCHED=seed:3"});
  EXPECT_CLEAN_EXIT(r);
  EXPECT_THAT(Lines(r.out), ElementsAre("main after spinner", "signals 0"));
}

TEST(AsyncPreempt, GodebugAsyncPreemptOffTurnsItOff) {
  const uint64_t per_ms = TscPerMs();
  auto r = RunProgram([per_ms] {
    std::atomic<bool> started{false}, finished{false};
    Go([&] {
      started = true;
      SpinFor(100, per_ms);
      finished = true;
    });
    while (!started) Gosched();
    Emit(finished ? "main after spinner" : "main during spinner");
    Emit(AsyncPreemptEnabled() ? "enabled" : "disabled");
  }, {"GOMAXPROCS=1", "GODEBUG=inittrace=0,asyncpreemptoff=1"});
  EXPECT_CLEAN_EXIT(r);
  EXPECT_THAT(Lines(r.out), ElementsAre("main after spinner", "disabled"));
}

TEST(AsyncPreempt, StopTheWorldCompletesWhileAGoroutineSpins) {
  SKIP_WITHOUT_ASYNC_PREEMPTION();
  auto r = RunProgram([] {
    std::atomic<bool> started{false}, stop{false};
    auto done = Chan<int>::Make();
    Go([&, done] {
      started = true;
      while (!stop.load(std::memory_order_relaxed)) {
      }
      done.Send(1);
    });
    while (!started) Sleep(std::chrono::milliseconds(1));
    for (int n : {1, 3, 2, 1, 2}) GOMAXPROCS(n);  // each change stops the world
    Emit("gomaxprocs " + std::to_string(GOMAXPROCS(0)));
    stop = true;
    done.Recv();
  }, {"GOMAXPROCS=2"});
  EXPECT_CLEAN_EXIT(r);
  EXPECT_THAT(Lines(r.out), ElementsAre("gomaxprocs 2"));
}

TEST(AsyncPreempt, SleeperWakesWhileAGoroutineSpins) {
  SKIP_WITHOUT_ASYNC_PREEMPTION();
  // main parks on a channel; the only goroutine that can release the
  // spinner is a sleeper whose timer fires while the spinner holds the P.
  auto r = RunProgram([] {
    std::atomic<bool> stop{false};
    auto done = Chan<int>::Make();
    Go([&] {
      Sleep(std::chrono::milliseconds(20));
      Emit("woke");
      stop = true;
    });
    Go([&, done] {
      while (!stop.load(std::memory_order_relaxed)) {
      }
      Emit("released");
      done.Send(1);
    });
    done.Recv();
  }, {"GOMAXPROCS=1"});
  EXPECT_CLEAN_EXIT(r);
  EXPECT_THAT(Lines(r.out), ElementsAre("woke", "released"));
}

TEST(AsyncPreempt, PreemptedMainGoroutineCarriesOn) {
  SKIP_WITHOUT_ASYNC_PREEMPTION();
  auto r = RunProgram([] {
    std::atomic<bool> other_ran{false};
    Go([&] { other_ran = true; });
    while (!other_ran.load(std::memory_order_relaxed)) {
    }
    Emit("main preempted, other ran");
  }, {"GOMAXPROCS=1"});
  EXPECT_CLEAN_EXIT(r);
  EXPECT_THAT(Lines(r.out), ElementsAre("main preempted, other ran"));
}

TEST(AsyncPreempt, WiringEndsWhenThePreemptedGoroutineRunsAgain) {
  SKIP_WITHOUT_ASYNC_PREEMPTION();
  // After a preemption the G is unwired at once: it is not locked to its
  // thread, so exiting does not take its M down, Gosched may move it, and
  // LockOSThread/UnlockOSThread keep their meaning.
  auto r = RunProgram([] {
    std::atomic<bool> stop{false};
    Go([&] {  // keeps another G runnable, so that preemptions happen
      while (!stop) Gosched();
    });
    auto done = Chan<std::string>::Make();
    Go([done] {
      SpinUntilPreempted();
      std::string report = detail::CurrentGoroutineWired() ? "wired" : "unwired";
      LockOSThread();
      const int64_t tid = ThreadID();
      SpinUntilPreempted();  // a locked G is preempted too, and stays locked
      for (int i = 0; i < 20; i++) Gosched();
      Sleep(std::chrono::milliseconds(1));
      report += ThreadID() == tid && detail::CurrentGoroutineWired() ? " locked-kept" : " locked-lost";
      UnlockOSThread();
      report += detail::CurrentGoroutineWired() ? " still-wired" : " unlocked";
      done.Send(report);
    });
    Emit(done.Recv());
    // Goroutines that exit right after being preempted leave their Ms alive.
    auto exited = Chan<int>::Make(20);
    for (int i = 0; i < 20; i++) {
      Go([exited] {
        SpinUntilPreempted();
        exited.Send(1);
      });
    }
    for (int i = 0; i < 20; i++) exited.Recv();
    stop = true;
    Emit("goroutines " + std::to_string(NumGoroutine()));
  }, {"GOMAXPROCS=1"});
  EXPECT_CLEAN_EXIT(r);
  EXPECT_THAT(Lines(r.out), ElementsAre("unwired locked-kept unlocked", ::testing::StartsWith("goroutines ")));
}

TEST(AsyncPreempt, SignalMaskAndErrnoAreKept) {
  SKIP_WITHOUT_ASYNC_PREEMPTION();
  auto r = RunProgram([] {
    std::atomic<bool> stop{false};
    Go([&] {
      while (!stop) Gosched();
    });
    auto done = Chan<std::string>::Make();
    Go([done] {
      sigset_t block, now;
      sigemptyset(&block);
      sigaddset(&block, SIGUSR2);
      pthread_sigmask(SIG_BLOCK, &block, nullptr);
      errno = 4242;
      for (int i = 0; i < 5; i++) SpinUntilPreempted();
      std::string report = errno == 4242 ? "errno kept" : "errno " + std::to_string(errno);
      pthread_sigmask(SIG_BLOCK, nullptr, &now);
      report += sigismember(&now, SIGUSR2) ? ", mask kept" : ", mask lost";
      report += sigismember(&now, SIGURG) ? ", SIGURG blocked" : "";
      pthread_sigmask(SIG_UNBLOCK, &block, nullptr);
      done.Send(report);
    });
    Emit(done.Recv());
    stop = true;
  }, {"GOMAXPROCS=1"});
  EXPECT_CLEAN_EXIT(r);
  EXPECT_THAT(Lines(r.out), ElementsAre("errno kept, mask kept"));
}

TEST(AsyncPreempt, SpinnersAndChannelTrafficAtOneAndTwoPs) {
  SKIP_WITHOUT_ASYNC_PREEMPTION();
  // Preemptions land among goroutines that lock and unlock channels all the
  // time: every message arrives exactly once, in order, and nothing hangs.
  for (const char* procs : {"GOMAXPROCS=1", "GOMAXPROCS=2"}) {
    auto r = RunProgram([] {
      std::atomic<bool> stop{false};
      auto spun = Chan<int>::Make(2);
      for (int i = 0; i < 2; i++) {
        Go([&, spun] {
          uint64_t n = 0;
          while (!stop.load(std::memory_order_relaxed)) n++;
          spun.Send(n > 0);
        });
      }
      constexpr int kMessages = 20000;
      auto ping = Chan<int>::Make(), pong = Chan<int>::Make(3);
      Go([ping, pong] {
        for (int i = 0; i < kMessages; i++) pong.Send(ping.Recv());
      });
      int bad = 0;
      for (int i = 0; i < kMessages; i++) {
        ping.Send(i);
        if (pong.Recv() != i) bad++;
      }
      stop = true;
      spun.Recv();
      spun.Recv();
      Emit("bad " + std::to_string(bad));
    }, {procs});
    SCOPED_TRACE(procs);
    EXPECT_CLEAN_EXIT(r);
    EXPECT_THAT(Lines(r.out), ElementsAre("bad 0")) << procs;
  }
}

}  // namespace
}  // namespace goruntime::testing
