#include "runtime/lifecycle/fatal.h"

#include <unistd.h>

#include <cstdio>
#include <mutex>

#include "runtime/scheduler/deterministic.h"

namespace goruntime::detail {
namespace {
std::mutex& PrintLock() {
  static std::mutex* mu = new std::mutex;  // never destroyed: used at exit
  return *mu;
}
}  // namespace

void FatalWrite(const std::string& msg) {
  fflush(stdout);
  PrintLock().lock();  // held until exit: a second fatal waits, never interleaves
  const char* p = msg.data();
  size_t n = msg.size();
  while (n > 0) {
    ssize_t w = write(2, p, n);
    if (w <= 0) break;
    p += w;
    n -= static_cast<size_t>(w);
  }
}

void ExitProcess(int code) {
  WriteScheduleLog();
  fflush(stdout);
  fflush(stderr);
  _exit(code);
}

void Fatal(const std::string& msg) {
  FatalWrite("fatal error: " + msg + "\n");
  ExitProcess(2);
}

void FatalThrow(const std::string& msg) {
  FatalWrite("fatal error: " + msg + "\n\nruntime: internal invariant broken\n");
  ExitProcess(2);
}

}  // namespace goruntime::detail
