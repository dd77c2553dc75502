#include "conformance/drivers/thread/thread_adapter.h"

#include <unistd.h>

#include <cerrno>
#include <cstdio>

namespace conform {

void OsThreads::Start(std::function<void()> fn) {
  auto* arg = new std::function<void()>(std::move(fn));
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setstacksize(&attr, 256 * 1024);  // std::thread cannot set this
  pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
  pthread_t t;
  auto start = [](void* p) -> void* {
    auto* f = static_cast<std::function<void()>*>(p);
    (*f)();
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

void OsThreads::ParkForever() {
  for (;;) pause();
}

Capabilities ThreadAdapter::capabilities() const {
  Capabilities c;
  c.os_threads = true;  // a thread per goroutine: pinning holds trivially
  c.preemptive = true;  // the OS preempts threads
  c.syscalls = true;    // a blocked thread blocks only its goroutine
  c.stack_limit = false;  // SetMaxStack is recorded but not enforced
  c.fairness = false;     // Gosched is sched_yield: no order promised
  return c;
}

}  // namespace conform
