#include "fuzz/fork_server.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <new>

// The sancov 8-bit counters of this binary (-fsanitize-coverage=inline-8bit-counters,
// which -fsanitize=fuzzer and fuzzer-no-link turn on). The linker defines the
// bounds when the section exists; without it they are null.
extern "C" {
__attribute__((weak)) extern uint8_t __start___sancov_cntrs[];
__attribute__((weak)) extern uint8_t __stop___sancov_cntrs[];
__attribute__((weak)) void __sanitizer_set_death_callback(void (*callback)(void));
}

namespace gofuzz {
namespace {

// The server keeps the next child forked and waiting, so the fork happens
// while the fuzzer is still judging the previous run. Two children can
// therefore be alive at once (one finished and being judged, one waiting),
// and each has its own slot: its flags and its coverage file.
constexpr int kSlots = 2;

struct Slot {
  std::atomic<uint32_t> sanitizer_report;  // it died in a sanitizer report
  std::atomic<uint32_t> setup_failed;      // errno: it could not share its coverage
};

// Shared by the fuzzer, the server and every child (MAP_SHARED, made before
// the server is forked).
struct Shared {
  Slot slots[kSlots];
  uint32_t input_size;
  uint8_t input[kMaxChildInput];
};

struct Request {
  int32_t timeout_ms;
};

struct Reply {
  int32_t wait_status;
  int32_t timed_out;
  int32_t fork_errno;  // the server could not fork
  int32_t slot;        // the slot the child used
  int64_t cpu_us;      // the child's user + system time
  int64_t wall_us;     // from its start signal to reaped
};

struct State {
  bool started = false;
  ChildMain child_main = nullptr;
  Shared* shared = nullptr;
  int request_fd = -1;  // fuzzer -> server
  int reply_fd = -1;    // server -> fuzzer
  int out_fd = -1;      // the child's stdout (a memory file)
  int err_fd = -1;      // the child's stderr
  // Coverage: the page-aligned span holding the counters, a memory file of
  // that size per slot, and the fuzzer's read-only views of them.
  uint8_t* cov_lo = nullptr;
  size_t cov_len = 0;
  int cov_fd[kSlots] = {-1, -1};
  const uint8_t* cov_view[kSlots] = {nullptr, nullptr};
};

State g;

int64_t NowUs() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1000000 + ts.tv_nsec / 1000;
}

int64_t Micros(const timeval& t) { return static_cast<int64_t>(t.tv_sec) * 1000000 + t.tv_usec; }

bool ReadFull(int fd, void* buf, size_t n) {
  auto* p = static_cast<char*>(buf);
  while (n > 0) {
    ssize_t r = read(fd, p, n);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) return false;
    p += r;
    n -= static_cast<size_t>(r);
  }
  return true;
}

bool WriteFull(int fd, const void* buf, size_t n) {
  auto* p = static_cast<const char*>(buf);
  while (n > 0) {
    ssize_t w = write(fd, p, n);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return false;
    p += w;
    n -= static_cast<size_t>(w);
  }
  return true;
}

size_t CounterCount() {
  if (__start___sancov_cntrs == nullptr || __stop___sancov_cntrs == nullptr) return 0;
  return static_cast<size_t>(__stop___sancov_cntrs - __start___sancov_cntrs);
}

// Reserves the memory files the children's counters will live in.
std::string SetUpCoverage() {
  if (CounterCount() == 0) return "";
  const uintptr_t page = static_cast<uintptr_t>(sysconf(_SC_PAGESIZE));
  const uintptr_t lo = reinterpret_cast<uintptr_t>(__start___sancov_cntrs) & ~(page - 1);
  const uintptr_t hi = (reinterpret_cast<uintptr_t>(__stop___sancov_cntrs) + page - 1) & ~(page - 1);
  g.cov_lo = reinterpret_cast<uint8_t*>(lo);
  g.cov_len = hi - lo;
  for (int k = 0; k < kSlots; ++k) {
    g.cov_fd[k] = memfd_create("fuzz-coverage", 0);
    if (g.cov_fd[k] < 0 || ftruncate(g.cov_fd[k], static_cast<off_t>(g.cov_len)) != 0)
      return std::string("memfd for coverage: ") + strerror(errno);
    void* view = mmap(nullptr, g.cov_len, PROT_READ, MAP_SHARED, g.cov_fd[k], 0);
    if (view == MAP_FAILED) return std::string("mmap of coverage: ") + strerror(errno);
    g.cov_view[k] = static_cast<const uint8_t*>(view);
  }
  return "";
}

// In a new child: put the pages holding the counters onto its slot's file,
// keeping everything else on them, and start the counts from zero.
bool ShareChildCoverage(int slot) {
  if (g.cov_fd[slot] < 0) return true;
  // A raw write: the kernel reads the pages, so ASan does not see a read of
  // the redzones between the globals that share them.
  if (syscall(SYS_pwrite64, g.cov_fd[slot], g.cov_lo, g.cov_len, 0) != static_cast<long>(g.cov_len) ||
      mmap(g.cov_lo, g.cov_len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, g.cov_fd[slot], 0) == MAP_FAILED)
    return false;
  std::memset(__start___sancov_cntrs, 0, CounterCount());
  return true;
}

// In the fuzzer, after a child ended: add its counts to ours (saturating).
void MergeChildCoverage(int slot) {
  if (g.cov_view[slot] == nullptr) return;
  const uint8_t* theirs = g.cov_view[slot] + (__start___sancov_cntrs - g.cov_lo);
  uint8_t* ours = __start___sancov_cntrs;
  const size_t n = CounterCount();
  for (size_t k = 0; k < n; ++k) {
    if (theirs[k] == 0) continue;
    unsigned sum = static_cast<unsigned>(ours[k]) + theirs[k];
    ours[k] = static_cast<uint8_t>(sum > 255 ? 255 : sum);
  }
}

int g_child_slot = 0;  // in a child: its slot
void OnSanitizerDeath() { g.shared->slots[g_child_slot].sanitizer_report.store(1); }

// A child: set up, wait for the start signal on go_fd, run the input.
[[noreturn]] void ChildProcess(int slot, int go_fd) {
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  prctl(PR_SET_NAME, "fuzz-child");  // for ps and perf
  g_child_slot = slot;
  Slot& s = g.shared->slots[slot];
  s.sanitizer_report.store(0);
  s.setup_failed.store(0);
  if (!ShareChildCoverage(slot)) {
    s.setup_failed.store(static_cast<uint32_t>(errno ? errno : EIO));
    _exit(1);
  }
  int devnull = open("/dev/null", O_RDONLY);
  if (devnull >= 0) dup2(devnull, 0);
  dup2(g.out_fd, 1);
  dup2(g.err_fd, 2);
  if (devnull > 2) close(devnull);
  close(g.request_fd);
  close(g.reply_fd);
  if (__sanitizer_set_death_callback) __sanitizer_set_death_callback(OnSanitizerDeath);
  char go = 0;
  ssize_t r;
  while ((r = read(go_fd, &go, 1)) < 0 && errno == EINTR) {
  }
  if (r != 1) _exit(0);  // the server is gone: never started
  close(go_fd);
  g.child_main(g.shared->input, g.shared->input_size);
  fflush(nullptr);
  _exit(0);
}

struct Waiting {
  pid_t pid = -1;
  int go_fd = -1;  // write a byte to start it
  int slot = 0;
  int fork_errno = 0;
};

Waiting ForkWaitingChild(int slot) {
  Waiting w;
  w.slot = slot;
  int go[2];
  if (pipe(go) != 0) {
    w.fork_errno = errno;
    return w;
  }
  // _Fork, not fork: no atfork handlers. The server has one thread, so no
  // lock can be held across the fork, and the sanitizers' fork handling
  // (which walks all of ASan's stack depot, about 1 ms a fork) is not needed.
  w.pid = _Fork();
  if (w.pid == 0) {
    close(go[1]);
    ChildProcess(slot, go[0]);
  }
  close(go[0]);
  if (w.pid < 0) {
    w.fork_errno = errno;
    close(go[1]);
  } else {
    w.go_fd = go[1];
  }
  return w;
}

// Waits for pid until deadline; false if it is still running then.
bool WaitUntil(pid_t pid, int64_t deadline_us, int* status, rusage* usage) {
  int pidfd = static_cast<int>(syscall(SYS_pidfd_open, pid, 0));
  bool done = false;
  for (;;) {
    pid_t r = wait4(pid, status, WNOHANG, usage);
    if (r == pid || (r < 0 && errno != EINTR)) {
      done = true;
      break;
    }
    const int64_t left_ms = (deadline_us - NowUs() + 999) / 1000;
    if (left_ms <= 0) break;
    if (pidfd >= 0) {
      pollfd p{pidfd, POLLIN, 0};
      poll(&p, 1, static_cast<int>(left_ms));
    } else {
      usleep(1000);  // no pidfd_open: poll every millisecond
    }
  }
  if (pidfd >= 0) close(pidfd);
  return done;
}

[[noreturn]] void ServerLoop() {
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  prctl(PR_SET_NAME, "fuzz-server");
  signal(SIGPIPE, SIG_IGN);  // a child that died before its start signal
  Waiting next = ForkWaitingChild(0);
  for (;;) {
    Request req;
    if (!ReadFull(g.request_fd, &req, sizeof req)) {  // the fuzzer is gone
      if (next.pid > 0) kill(next.pid, SIGKILL);
      _exit(0);
    }
    Reply rep{0, 0, next.fork_errno, next.slot, 0, 0};
    if (next.pid > 0) {
      const int64_t start = NowUs();
      WriteFull(next.go_fd, "g", 1);
      close(next.go_fd);
      int status = 0;
      rusage usage{};
      if (!WaitUntil(next.pid, start + int64_t{req.timeout_ms} * 1000, &status, &usage)) {
        rep.timed_out = 1;
        kill(next.pid, SIGKILL);
        while (wait4(next.pid, &status, 0, &usage) < 0 && errno == EINTR) {
        }
      }
      rep.wait_status = status;
      rep.cpu_us = Micros(usage.ru_utime) + Micros(usage.ru_stime);
      rep.wall_us = NowUs() - start;
    }
    if (!WriteFull(g.reply_fd, &rep, sizeof rep)) _exit(0);
    next = ForkWaitingChild(next.slot ^ 1);  // while the fuzzer judges this run
  }
}

std::string ReadBack(int fd) {
  struct stat st;
  if (fstat(fd, &st) != 0) return "";
  size_t n = std::min(static_cast<size_t>(st.st_size), kMaxChildOutput);
  std::string s(n, '\0');
  size_t got = 0;
  while (got < n) {
    ssize_t r = pread(fd, s.data() + got, n - got, static_cast<off_t>(got));
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) break;
    got += static_cast<size_t>(r);
  }
  s.resize(got);
  return s;
}

// The harness cannot go on; not a finding (tools/fuzz stops on "setup error:").
[[noreturn]] void SetupError(const std::string& what) {
  std::fprintf(stderr, "fork_server: setup error: %s\n", what.c_str());
  std::_Exit(2);
}

void Reset(int fd) {
  if (ftruncate(fd, 0) != 0 || lseek(fd, 0, SEEK_SET) != 0)
    SetupError(std::string("cannot reset an output file: ") + strerror(errno));
}

}  // namespace

std::string StartForkServer(ChildMain child_main) {
  if (g.started) return "fork server already started";
  g.child_main = child_main;
  void* mem = mmap(nullptr, sizeof(Shared), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (mem == MAP_FAILED) return std::string("mmap: ") + strerror(errno);
  g.shared = new (mem) Shared();
  g.out_fd = memfd_create("fuzz-child-stdout", 0);
  g.err_fd = memfd_create("fuzz-child-stderr", 0);
  if (g.out_fd < 0 || g.err_fd < 0) return std::string("memfd_create: ") + strerror(errno);
  if (std::string e = SetUpCoverage(); !e.empty()) return e;
  int req[2], rep[2];
  if (pipe(req) != 0 || pipe(rep) != 0) return std::string("pipe: ") + strerror(errno);
  fflush(nullptr);
  pid_t pid = fork();
  if (pid < 0) return std::string("fork: ") + strerror(errno);
  if (pid == 0) {
    close(req[1]);
    close(rep[0]);
    g.request_fd = req[0];
    g.reply_fd = rep[1];
    ServerLoop();
  }
  close(req[0]);
  close(rep[1]);
  g.request_fd = req[1];
  g.reply_fd = rep[0];
  signal(SIGPIPE, SIG_IGN);  // a dead server shows as a failed write, not a signal
  g.started = true;
  return "";
}

ChildResult RunInChild(const uint8_t* data, size_t size, int timeout_ms) {
  if (!g.started) SetupError("RunInChild before StartForkServer");
  size = std::min(size, kMaxChildInput);
  if (size > 0) std::memcpy(g.shared->input, data, size);
  g.shared->input_size = static_cast<uint32_t>(size);
  Reset(g.out_fd);
  Reset(g.err_fd);
  Request req{timeout_ms};
  Reply rep;
  if (!WriteFull(g.request_fd, &req, sizeof req) || !ReadFull(g.reply_fd, &rep, sizeof rep))
    SetupError("the fork server died");
  if (rep.fork_errno != 0) SetupError(std::string("fork failed: ") + strerror(rep.fork_errno));
  const Slot& slot = g.shared->slots[rep.slot];
  if (uint32_t e = slot.setup_failed.load())
    SetupError(std::string("a child could not map its coverage counters: ") + strerror(static_cast<int>(e)));
  MergeChildCoverage(rep.slot);
  ChildResult r;
  r.timed_out = rep.timed_out != 0;
  r.wait_status = rep.wait_status;
  r.cpu_us = rep.cpu_us;
  r.wall_us = rep.wall_us;
  r.sanitizer_report = slot.sanitizer_report.load() != 0;
  r.out = ReadBack(g.out_fd);
  r.err = ReadBack(g.err_fd);
  return r;
}

}  // namespace gofuzz
