#include "conformance/runner/child_process.h"

#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>

extern char** environ;

namespace conform {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

// How often the memory is measured: the driver itself every 50 ms (one
// small /proc read), its whole process group every 10th time (a scan of
// /proc: about 0.7 ms with 160 processes, so it must stay rare).
constexpr milliseconds kMemoryPollInterval{50};
constexpr int kGroupScanEvery = 10;
// How long an interrupted or timed-out child has to exit before SIGKILL.
constexpr milliseconds kGrace{2000};
// No deadline is further away than this (a huge @timeout must not overflow
// steady_clock arithmetic).
constexpr milliseconds kMaxTimeout{7LL * 24 * 3600 * 1000};

// ---- The registry of running children, read by the signal handler ----
//
// Every running child's pid (= its process group id) sits in a slot. The
// handler may run on any thread at any time, so slots are lock-free atomics
// and the handler only loads them and calls kill(). A child is registered
// before anything waits for it and deregistered before it is reaped, so a
// registered pid is never a reused one.
constexpr int kSlots = 4096;  // > the most jobs (1024), each running one child at a time
std::atomic<pid_t> g_children[kSlots];
std::atomic<int> g_signal{0};
std::atomic<bool> g_die{false};

void ForwardToChildren(int sig) {
  for (auto& slot : g_children) {
    pid_t pid = slot.load();
    if (pid > 0) kill(-pid, sig);
  }
}

void OnSignal(int sig) {
  int none = 0;
  bool first = g_signal.compare_exchange_strong(none, sig);
  if (g_die.load()) {
    ForwardToChildren(SIGKILL);
    signal(sig, SIG_DFL);
    raise(sig);
    return;
  }
  ForwardToChildren(first ? sig : SIGKILL);
}

// Registers pid; if an interrupt came before the handler could see it, the
// child is killed at once. Returns the slot (-1 if all are taken, which
// only leaves the child unforwarded, never unwaited).
int Register(pid_t pid) {
  for (int k = 0; k < kSlots; ++k) {
    pid_t none = 0;
    if (g_children[k].compare_exchange_strong(none, pid)) {
      if (g_signal.load() != 0) kill(-pid, SIGKILL);
      return k;
    }
  }
  return -1;
}

void Deregister(int slot) {
  if (slot >= 0) g_children[slot].store(0);
}

// ---- Environment ----

// Whether the environment entry `e` sets a variable that one of `overrides`
// ("K=V") sets too.
bool Overridden(const char* e, const std::vector<std::string>& overrides) {
  for (const std::string& o : overrides) {
    const size_t eq = o.find('=');
    if (std::strncmp(e, o.c_str(), eq + 1) == 0) return true;
  }
  return false;
}

// The parent's environment with GOMAXPROCS and `extra` applied; built before
// spawning because a child of a multithreaded parent must not allocate.
std::vector<std::string> ChildEnvironment(std::optional<int64_t> gomaxprocs,
                                          const std::vector<std::string>& extra) {
  std::vector<std::string> env;
  for (char** e = environ; *e; ++e)
    if (std::strncmp(*e, "GOMAXPROCS=", 11) != 0 && !Overridden(*e, extra)) env.emplace_back(*e);
  if (gomaxprocs) env.push_back("GOMAXPROCS=" + std::to_string(*gomaxprocs));
  env.insert(env.end(), extra.begin(), extra.end());
  return env;
}

std::vector<char*> CStrings(std::vector<std::string>& v) {
  std::vector<char*> out;
  for (auto& s : v) out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

// ---- Watching a running child ----

int64_t ProcessResidentBytes(pid_t pid);

struct Watch {
  pid_t pid;
  ChildLimits limits;
  Clock::time_point deadline;
  Clock::time_point next_memory_check;
  int checks = 0;
};

// Kills the child's group once, recording why.
void KillForLimit(pid_t pid, const std::string& why, ChildResult& r) {
  if (!r.limit.empty()) return;
  r.limit = why;
  kill(-pid, SIGKILL);
}

std::string Mib(int64_t bytes) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f MiB", static_cast<double>(bytes) / (1 << 20));
  return buf;
}

// Measures the group's memory when it is time to.
void CheckMemory(Watch& w, ChildResult& r) {
  if (w.limits.max_memory <= 0 || Clock::now() < w.next_memory_check) return;
  w.next_memory_check = Clock::now() + kMemoryPollInterval;
  int64_t rss = w.checks++ % kGroupScanEvery == 0 ? ProcessGroupResidentBytes(w.pid) : ProcessResidentBytes(w.pid);
  if (rss > r.peak_memory) r.peak_memory = rss;
  if (rss > w.limits.max_memory)
    KillForLimit(w.pid, "resident memory reached " + Mib(rss) + ", over the " + Mib(w.limits.max_memory) +
                            " limit (--driver-memory); the runner killed it", r);
}

// Appends a read chunk to `buf`, keeping at most max_output bytes; passing
// the cap kills the child.
void Keep(const char* data, size_t n, std::string& buf, const char* stream, const Watch& w, ChildResult& r) {
  int64_t cap = w.limits.max_output;
  if (cap <= 0) {
    buf.append(data, n);
    return;
  }
  size_t room = buf.size() < static_cast<size_t>(cap) ? static_cast<size_t>(cap) - buf.size() : 0;
  buf.append(data, n < room ? n : room);
  if (n > room)
    KillForLimit(w.pid, std::string(stream) + " passed the " + Mib(cap) +
                            " output limit (--driver-output) and was cut there; the runner killed it", r);
}

// Once an interrupt has arrived, the child has kGrace to exit.
void NoteInterrupt(Watch& w, ChildResult& r) {
  if (r.interrupted || g_signal.load() == 0) return;
  r.interrupted = true;
  w.deadline = std::min(w.deadline, Clock::now() + kGrace);
}

// Reads both pipes until they close or the deadline passes, watching memory.
void Drain(int out_fd, int err_fd, Watch& w, ChildResult& r) {
  pollfd fds[2] = {{out_fd, POLLIN, 0}, {err_fd, POLLIN, 0}};
  std::string* bufs[2] = {&r.out, &r.err};
  const char* names[2] = {"stdout", "stderr"};
  int open_fds = 2;
  static thread_local char buf[65536];
  while (open_fds > 0) {
    NoteInterrupt(w, r);
    CheckMemory(w, r);
    auto left = std::chrono::duration_cast<milliseconds>(w.deadline - Clock::now()).count();
    if (left <= 0) {
      r.timed_out = true;
      break;
    }
    int wait_ms = static_cast<int>(std::min<int64_t>(left, w.limits.max_memory > 0 ? kMemoryPollInterval.count() : 1000));
    int n = poll(fds, 2, wait_ms);
    if (n < 0 && errno != EINTR) break;
    for (int k = 0; k < 2; ++k) {
      if (n <= 0 || fds[k].fd < 0 || !(fds[k].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      ssize_t got = read(fds[k].fd, buf, sizeof buf);
      if (got > 0) {
        Keep(buf, static_cast<size_t>(got), *bufs[k], names[k], w, r);
      } else if (got == 0 || errno != EINTR) {
        close(fds[k].fd);
        fds[k].fd = -1;
        --open_fds;
      }
    }
  }
  for (auto& f : fds)
    if (f.fd >= 0) close(f.fd);
}

// Waits for pid to exit, killing its process group once the deadline (plus a
// grace period for a driver whose pipes closed early) has passed. The group
// is killed before the leader is reaped, so its id cannot have been reused.
void Reap(Watch& w, int slot, ChildResult& r) {
  pid_t pid = w.pid;
  if (r.timed_out) kill(-pid, SIGKILL);
  siginfo_t info;
  for (;;) {
    info.si_pid = 0;
    if (waitid(P_PID, pid, &info, WEXITED | WNOHANG | WNOWAIT) != 0) break;
    if (info.si_pid == pid) break;
    NoteInterrupt(w, r);
    CheckMemory(w, r);
    if (Clock::now() > w.deadline + (r.interrupted ? milliseconds(0) : kGrace)) {
      r.timed_out = !r.interrupted;
      kill(-pid, SIGKILL);
    }
    usleep(1000);
  }
  kill(-pid, SIGKILL);  // leftovers of the group (a driver's own children)
  Deregister(slot);
  waitpid(pid, &r.wait_status, 0);
}

// The resident set of /proc/<entry> in bytes if it is in group pgid, else 0.
// (A driver is its group's leader, so its own entry passes with its pid.)
int64_t ResidentIfInGroup(const char* entry, pid_t pgid, long page) {
  char path[64], text[1024];
  std::snprintf(path, sizeof path, "/proc/%s/stat", entry);
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return 0;
  ssize_t n = read(fd, text, sizeof text - 1);
  close(fd);
  if (n <= 0) return 0;
  text[n] = '\0';
  // "pid (comm) state ppid pgrp ... rss": comm may hold spaces and ')'.
  const char* p = std::strrchr(text, ')');
  if (!p) return 0;
  long long fields[22] = {0};
  ++p;
  for (int k = 0; k < 22 && *p; ++k) {
    while (*p == ' ') ++p;
    if (k == 0) {  // state: a letter
      ++p;
      continue;
    }
    fields[k] = std::strtoll(p, const_cast<char**>(&p), 10);
  }
  // fields[k] is field k+3 of proc(5): pgrp is 5, rss is 24.
  if (fields[2] != pgid) return 0;
  return fields[21] * page;
}

// The resident memory of process `pid` alone (bytes; 0 if it is gone).
int64_t ProcessResidentBytes(pid_t pid) {
  static const long page = sysconf(_SC_PAGESIZE);
  return ResidentIfInGroup(std::to_string(pid).c_str(), pid, page);
}

}  // namespace

int64_t ProcessGroupResidentBytes(int pgid) {
  static const long page = sysconf(_SC_PAGESIZE);
  DIR* proc = opendir("/proc");
  if (!proc) return 0;
  int64_t total = 0;
  while (dirent* d = readdir(proc))
    if (d->d_name[0] >= '0' && d->d_name[0] <= '9') total += ResidentIfInGroup(d->d_name, pgid, page);
  closedir(proc);
  return total;
}

std::string ExecutableProblem(const std::string& path) {
  struct stat st;
  if (stat(path.c_str(), &st) != 0) return std::string("is missing (") + std::strerror(errno) + ")";
  if (S_ISDIR(st.st_mode)) return "is a directory, not a program";
  if (access(path.c_str(), X_OK) != 0) return "is not executable (chmod +x " + path + ")";
  return "";
}

void InstallInterruptForwarding(OnInterrupt mode) {
  g_die.store(mode == OnInterrupt::kDie);
  struct sigaction sa;
  std::memset(&sa, 0, sizeof sa);
  sa.sa_handler = OnSignal;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = 0;  // no SA_RESTART: a blocked poll() returns and notices
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
}

int InterruptSignal() { return g_signal.load(); }

ChildResult RunChild(const std::vector<std::string>& argv, std::optional<int64_t> gomaxprocs,
                     int64_t timeout_ms, const std::vector<std::string>& extra_env, const ChildLimits& limits) {
  ChildResult r;
  if (g_signal.load() != 0) {
    r.interrupted = true;
    r.spawn_error = "not started: the runner was interrupted";
    return r;
  }
  int out_pipe[2], err_pipe[2];
  if (pipe2(out_pipe, O_CLOEXEC) != 0) {
    r.spawn_error = std::strerror(errno);
    return r;
  }
  if (pipe2(err_pipe, O_CLOEXEC) != 0) {
    r.spawn_error = std::strerror(errno);
    close(out_pipe[0]);
    close(out_pipe[1]);
    return r;
  }
  std::vector<std::string> args = argv, env = ChildEnvironment(gomaxprocs, extra_env);
  std::vector<char*> c_args = CStrings(args), c_env = CStrings(env);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, out_pipe[1], 1);
  posix_spawn_file_actions_adddup2(&actions, err_pipe[1], 2);
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  // The child starts with SIGINT/SIGTERM at their defaults, whatever the
  // runner installed, and in a process group of its own.
  sigset_t defaults;
  sigemptyset(&defaults);
  sigaddset(&defaults, SIGINT);
  sigaddset(&defaults, SIGTERM);
  posix_spawnattr_setsigdefault(&attr, &defaults);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF);
  posix_spawnattr_setpgroup(&attr, 0);
  pid_t pid = 0;
  int rc = posix_spawn(&pid, c_args[0], &actions, &attr, c_args.data(), c_env.data());
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  close(out_pipe[1]);
  close(err_pipe[1]);
  if (rc != 0) {
    r.spawn_error = std::strerror(rc);
    close(out_pipe[0]);
    close(err_pipe[0]);
    return r;
  }
  int slot = Register(pid);
  Watch w{pid, limits, Clock::now() + std::min(milliseconds(std::max<int64_t>(timeout_ms, 0)), kMaxTimeout),
          Clock::now()};
  Drain(out_pipe[0], err_pipe[0], w, r);
  Reap(w, slot, r);
  if (g_signal.load() != 0) r.interrupted = true;
  return r;
}

}  // namespace conform
