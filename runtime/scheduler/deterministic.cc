#include "runtime/scheduler/deterministic.h"

#include <fcntl.h>
#include <unistd.h>

#include <cstdlib>
#include <random>

namespace goruntime::detail {
namespace {

// Written once before any goroutine runs; afterwards only the M holding the
// single P touches it (scheduling choices are made under sched.lock, select's
// by the running G, and there is one P).
struct DetState {
  bool replay = false;
  std::mt19937_64 rng;
  std::vector<Choice> script;
  size_t pos = 0;
  std::vector<Choice> log;
};

DetState& State() {
  static DetState* s = new DetState;  // used until _exit
  return *s;
}

}  // namespace

bool g_deterministic = false;

bool ParseSchedule(const std::string& text, std::vector<Choice>* out) {
  out->clear();
  size_t i = 0;
  while (i < text.size()) {
    size_t end = text.find(',', i);
    if (end == std::string::npos) end = text.size();
    const std::string item = text.substr(i, end - i);
    char* rest = nullptr;
    const unsigned long idx = strtoul(item.c_str(), &rest, 10);
    if (rest == item.c_str()) return false;
    unsigned long count = 0;
    if (*rest == '/') {
      const char* c = rest + 1;
      count = strtoul(c, &rest, 10);
      if (rest == c) return false;
    }
    if (*rest != 0) return false;
    out->push_back(Choice{static_cast<uint32_t>(idx), static_cast<uint32_t>(count)});
    i = end + 1;
  }
  return true;
}

std::string InitDeterministic() {
  const char* env = getenv("GORUNTIME_SCHED");
  if (env == nullptr || *env == 0) return "";
  DetState& s = State();
  const std::string v = env;
  if (v.rfind("seed:", 0) == 0) {
    char* rest = nullptr;
    const unsigned long long seed = strtoull(v.c_str() + 5, &rest, 10);
    if (rest == v.c_str() + 5 || *rest != 0) return "GORUNTIME_SCHED: bad seed in '" + v + "'";
    s.rng.seed(seed);
  } else if (v.rfind("replay:", 0) == 0) {
    if (!ParseSchedule(v.substr(7), &s.script)) return "GORUNTIME_SCHED: bad replay list in '" + v + "'";
    s.replay = true;
  } else {
    return "GORUNTIME_SCHED: want seed:N or replay:i,j,... , got '" + v + "'";
  }
  g_deterministic = true;
  return "";
}

uint32_t ChooseNext(uint32_t count) {
  DetState& s = State();
  uint32_t idx = 0;
  if (s.replay) {
    if (s.pos < s.script.size()) idx = s.script[s.pos].index;
    s.pos++;
    if (idx >= count) idx = count - 1;  // a replay from another program: stay in range
  } else {
    idx = static_cast<uint32_t>(s.rng() % count);
  }
  s.log.push_back(Choice{idx, count});
  return idx;
}

void WriteScheduleLog() {
  const char* path = getenv("GORUNTIME_SCHED_LOG");
  DetState& s = State();
  if (path == nullptr || !g_deterministic) return;
  std::string text;
  for (const Choice& c : s.log) {
    if (!text.empty()) text += ',';
    text += std::to_string(c.index) + "/" + std::to_string(c.count);
  }
  text += '\n';
  const int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd < 0) return;
  ssize_t unused = write(fd, text.data(), text.size());
  (void)unused;
  close(fd);
}

}  // namespace goruntime::detail
