#include "conformance/check/expectations.h"

#include <map>
#include <optional>
#include <re2/re2.h>
#include <set>
#include <sstream>

#include "conformance/lang/lexer.h"
#include "conformance/lang/printer.h"
#include "spec/model/model.h"

namespace conform {
namespace {

using lang::Expectation;
using K = Expectation::Kind;

std::string Where(const lang::Scenario& sc, const Expectation& e) {
  return sc.file + ":" + std::to_string(e.pos.line) + ":" + std::to_string(e.pos.col) + ": ";
}

std::string Show(const Event& e) {
  return "g" + std::to_string(e.g) + " " + e.op + " " + e.value;
}

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> out;
  std::stringstream ss(text);
  std::string line;
  while (std::getline(ss, line)) out.push_back(line);
  return out;
}

// Returns how many patterns of `ps` match, in order, as a subsequence of trace.
size_t SubsequenceLength(const std::vector<lang::EventPattern>& ps, const std::vector<Event>& trace) {
  size_t k = 0;
  for (const Event& e : trace)
    if (k < ps.size() && Matches(ps[k], e)) ++k;
  return k;
}

std::optional<std::string> CheckExact(const std::vector<lang::EventPattern>& ps,
                                      const std::vector<Event>& trace) {
  for (size_t k = 0; k < std::max(ps.size(), trace.size()); ++k) {
    if (k >= trace.size()) return "trace ends before `" + lang::PrintPattern(ps[k]) + "`";
    if (k >= ps.size()) return "unexpected extra event `" + Show(trace[k]) + "`";
    if (!Matches(ps[k], trace[k]))
      return "event " + std::to_string(k + 1) + " is `" + Show(trace[k]) + "`, expected `" +
             lang::PrintPattern(ps[k]) + "`";
  }
  return std::nullopt;
}

std::optional<std::string> CheckRange(const Expectation& e, const std::vector<Event>& trace) {
  std::string op = e.text, key;
  if (auto colon = op.find(':'); colon != std::string::npos) {
    key = op.substr(colon + 1);
    op = op.substr(0, colon);
  }
  int seen = 0;
  for (const Event& ev : trace) {
    if (ev.op != op) continue;
    std::string v = ev.value;
    if (!key.empty()) {
      if (v.rfind(key + "=", 0) != 0) continue;
      v = v.substr(key.size() + 1);
    }
    ++seen;
    int64_t n = 0;
    try {
      size_t used = 0;
      n = std::stoll(v, &used);
      if (used != v.size()) throw std::invalid_argument(v);
    } catch (...) {
      return "`" + Show(ev) + "` is not an integer";
    }
    if (n < e.n || n > e.hi)
      return "`" + Show(ev) + "` is outside " + std::to_string(e.n) + ".." + std::to_string(e.hi);
  }
  if (seen == 0) return "no `" + e.text + "` event in the trace";
  return std::nullopt;
}

// Bounded bypass: while goroutine h waits for its next event matching p
// (from its previous one, or from the start of the trace), no other
// goroutine records more than k matching events. Windows after h's last
// event are not bounded: h no longer waits. k = 1 is the Gosched fairness
// bound `fair` (between two consecutive events of one goroutine, every
// other goroutine that records later has recorded).
std::optional<std::string> CheckBypass(const lang::EventPattern& p, int64_t k,
                                       const std::vector<Event>& trace) {
  std::vector<int64_t> gs;  // the goroutine of each matching event, in order
  for (const Event& e : trace)
    if (Matches(p, e)) gs.push_back(e.g);
  if (gs.empty()) return "no `" + lang::PrintPattern(p) + "` event in the trace";
  // One pass: for each goroutine h, how many events each other goroutine
  // has recorded since h's last one. A count is checked when h records.
  std::map<int64_t, std::map<int64_t, int64_t>> since;  // h -> g -> count
  std::map<int64_t, size_t> last;                        // h -> index of its last event
  for (size_t i = 0; i < gs.size(); ++i) {
    const int64_t g = gs[i];
    if (!since.count(g)) {
      // g's first event: its wait started with the trace; count everything before.
      auto& mine = since[g];
      for (size_t j = 0; j < i; ++j) ++mine[gs[j]];
    }
    for (const auto& [h, n] : since[g]) {
      if (n <= k) continue;
      std::string from = last.count(g) ? "its event " + std::to_string(last[g] + 1) : "the start";
      return "g" + std::to_string(h) + " recorded " + std::to_string(n) + " `" +
             lang::PrintPattern(p) + "` events while g" + std::to_string(g) + " waited (from " +
             from + " to its event " + std::to_string(i + 1) + "), more than " +
             std::to_string(k);
    }
    since[g].clear();
    last[g] = i;
    for (auto& [h, counts] : since)
      if (h != g) ++counts[g];
  }
  return std::nullopt;
}

std::optional<std::string> CheckOne(const lang::Scenario& sc, const Expectation& e,
                                    const RunOutcome& out, const CheckOptions& opts) {
  switch (e.kind) {
    case K::kExit:
      if (out.exit_status != e.n)
        return "exit status " + std::to_string(out.exit_status) + ", expected " + std::to_string(e.n);
      return std::nullopt;
    case K::kStderr:
    case K::kStderrMatch:
      return std::nullopt;  // checked together, in order, by CheckStderr
    case K::kTraceExact:
      return CheckExact(e.events, out.trace);
    case K::kTraceContains: {
      size_t n = SubsequenceLength(e.events, out.trace);
      if (n < e.events.size())
        return "trace lacks `" + lang::PrintPattern(e.events[n]) + "` (in order, after " +
               std::to_string(n) + " matched)";
      return std::nullopt;
    }
    case K::kTraceGoroutine: {
      std::vector<Event> mine;
      for (const Event& ev : out.trace)
        if (ev.g == e.n) mine.push_back(ev);
      std::vector<lang::EventPattern> ps = e.events;
      for (auto& p : ps) p.g = 0;
      if (auto err = CheckExact(ps, mine)) return "goroutine " + std::to_string(e.n) + ": " + *err;
      return std::nullopt;
    }
    case K::kTraceAbsent: {
      if (e.events.size() == 1) {
        for (const Event& ev : out.trace)
          if (Matches(e.events[0], ev)) return "unexpected `" + Show(ev) + "`";
        return std::nullopt;
      }
      // A sequence: no ordered subsequence may match it.
      std::string shown;
      size_t k = 0;
      for (const Event& ev : out.trace) {
        if (k < e.events.size() && Matches(e.events[k], ev)) {
          shown += (k ? " ; " : "") + Show(ev);
          if (++k == e.events.size()) return "unexpected sequence `" + shown + "`";
        }
      }
      return std::nullopt;
    }
    case K::kRange:
      return CheckRange(e, out.trace);
    case K::kCount: {
      int64_t n = 0;
      for (const Event& ev : out.trace) n += Matches(e.events[0], ev);
      if (n < e.n || n > e.hi)
        return std::to_string(n) + " events match `" + lang::PrintPattern(e.events[0]) +
               "`, expected " + std::to_string(e.n) + ".." + std::to_string(e.hi);
      return std::nullopt;
    }
    case K::kBypass:
      return CheckBypass(e.events[0], e.n, out.trace);
    case K::kModel: {
      if (!opts.check_model) return std::nullopt;
      spec::model::Options mo;
      mo.max_states = opts.model_max_states;
      // The scenario runs only where its required capabilities are: the
      // model checks the facts of those, and no others (spec/model/model.h).
      mo.capabilities = std::set<std::string>(sc.requires_caps.begin(), sc.requires_caps.end());
      auto r = spec::model::Check(sc, {out.trace, out.exit_status}, mo);
      if (r.verdict == spec::model::Verdict::kValid) return std::nullopt;
      if (r.verdict == spec::model::Verdict::kBoundExceeded)
        return "model: gave up after " + std::to_string(r.states) + " states";
      return "model: no legal schedule produces this trace and exit status (longest legal prefix: " +
             std::to_string(r.longest_prefix) + " events)";
    }
  }
  return std::nullopt;
}

// stderr expectations, in file order, must match lines in that order.
std::optional<std::pair<const Expectation*, std::string>> CheckStderr(const lang::Scenario& sc,
                                                                      const std::string& text) {
  std::vector<std::string> lines = Lines(text);
  size_t at = 0;
  for (const Expectation& e : sc.expect) {
    if (e.kind != K::kStderr && e.kind != K::kStderrMatch) continue;
    RE2::Options quiet;
    quiet.set_log_errors(false);
    const RE2 re(e.kind == K::kStderrMatch ? e.text : "", quiet);  // validated by the parser
    bool found = false;
    while (at < lines.size() && !found) {
      const std::string& l = lines[at++];
      found = e.kind == K::kStderr ? l == e.text : RE2::PartialMatch(l, re);
    }
    if (!found)
      return std::make_pair(&e, std::string("stderr has no line ") +
                                    (e.kind == K::kStderr ? "equal to " : "matching ") +
                                    lang::QuoteString(e.text) + " (after the lines matched before)");
  }
  return std::nullopt;
}

}  // namespace

bool Matches(const lang::EventPattern& p, const Event& e) {
  return (p.g == 0 || p.g == e.g) && p.op == e.op && (!p.value || *p.value == e.value);
}

std::vector<std::string> CheckExpectations(const lang::Scenario& sc, const RunOutcome& out,
                                           const CheckOptions& opts) {
  std::vector<std::string> failures;
  for (const Expectation& e : sc.expect)
    if (auto err = CheckOne(sc, e, out, opts)) failures.push_back(Where(sc, e) + *err);
  if (opts.check_stderr)
    if (auto err = CheckStderr(sc, out.stderr_text)) failures.push_back(Where(sc, *err->first) + err->second);
  return failures;
}

}  // namespace conform
