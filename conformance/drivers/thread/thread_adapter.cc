#include "conformance/drivers/thread/thread_adapter.h"

#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>

namespace conform {
namespace {

// Starts fn on a new detached thread with a small stack (so that ten
// thousand goroutines fit); dies with Go's message if none can be made.
void StartThread(std::function<void()> fn) {
  auto* arg = new std::function<void()>(std::move(fn));
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setstacksize(&attr, 256 * 1024);  // std::thread cannot set this
  pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
  pthread_t t;
  auto start = [](void* p) -> void* {
    auto* f = static_cast<std::function<void()>*>(p);
    (*f)();
    delete f;
    return nullptr;
  };
  int rc = pthread_create(&t, &attr, start, arg);
  // Thread limits are shared with the rest of the machine: retry briefly.
  for (int tries = 0; rc == EAGAIN && tries < 200; ++tries) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
    rc = pthread_create(&t, &attr, start, arg);
  }
  pthread_attr_destroy(&attr);
  if (rc != 0) {
    std::fputs("runtime: failed to create new OS thread\n", stderr);
    _exit(2);
  }
}

}  // namespace

ThreadAdapter::ThreadAdapter() = default;

Capabilities ThreadAdapter::capabilities() const {
  return {
      "os-threads",  // a thread per goroutine: pinning holds trivially
      "preemptive",  // the OS preempts threads
      "syscalls",    // a blocked thread blocks only its goroutine
      // not "stack-limit": SetMaxStack is recorded but not enforced
      // not "fairness": Gosched is sched_yield, which promises no order
  };
}

Families ThreadAdapter::families() const {
  Families f;
  for (Family family : kAllFamilies) f.Set(family, Source::kEngine);
  return f;
}

std::vector<std::string> ThreadAdapter::identity() const {
  return {"goconform thread baseline: one OS thread per goroutine, every family from conformance/engine"};
}

void ThreadAdapter::RegisterInit(std::function<void()> fn) { inits_.push_back(std::move(fn)); }

void ThreadAdapter::RunGoroutine(int64_t id, const std::function<void()>& body) {
  deadlock_.Enter(id);
  Frames::RunGoroutine(id, body);
  count_.Exited();
  deadlock_.Exited(id == 1);  // only main's Goexit reaches here for id 1
}

void ThreadAdapter::RunProgram(std::function<void()> main) {
  const char* env = std::getenv("GOMAXPROCS");
  int n = env ? std::atoi(env) : 0;
  gomaxprocs_ = n > 0 ? n : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  const int64_t id = next_id_++;
  count_.Started();
  deadlock_.Started(id);
  RunGoroutine(id, [&] {
    for (auto& f : inits_) Call(f);
    main();
  });
  for (;;) pause();  // main called Goexit: the others carry on
}

void ThreadAdapter::Exit(int code) {
  std::fflush(stdout);
  std::fflush(stderr);
  _exit(code);
}

void ThreadAdapter::Spawn(std::function<void()> body) {
  const int64_t id = next_id_++;
  count_.Started();
  deadlock_.Started(id);
  StartThread([this, id, body = std::move(body)] { RunGoroutine(id, body); });
}

int64_t ThreadAdapter::ThreadId() { return static_cast<int64_t>(::syscall(SYS_gettid)); }

int ThreadAdapter::Gomaxprocs(int n) { return n >= 1 ? gomaxprocs_.exchange(n) : gomaxprocs_.load(); }

int64_t ThreadAdapter::SetMaxStack(int64_t bytes) { return max_stack_.exchange(bytes); }

void ThreadAdapter::Syscall(const std::function<void()>& blocking) {
  deadlock_.SelfWaking(+1);  // a blocking call ends by itself: no deadlock meanwhile
  blocking();
  deadlock_.SelfWaking(-1);
}

}  // namespace conform
