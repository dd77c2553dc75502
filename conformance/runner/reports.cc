#include "conformance/runner/reports.h"

#include <cerrno>
#include <cmath>
#include <cstring>
#include <cstdio>

#include "conformance/runner/json_text.h"

namespace conform {
namespace {

// Bytes of a scenario's own text a report keeps (its start and end).
constexpr size_t kTextKept = 64 * 1024;

std::string Num(double x) {
  if (!std::isfinite(x)) x = 0;  // JSON has no NaN or Infinity
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3f", x);
  return buf;
}

std::string TraceJson(const std::vector<Event>& trace) {
  std::string out = "[";
  for (size_t i = 0; i < trace.size(); ++i)
    out += (i ? "," : "") + std::string("{\"g\":") + std::to_string(trace[i].g) + ",\"op\":" +
           JsonQuote(trace[i].op) + ",\"value\":" + JsonQuote(trace[i].value) + "}";
  return out + "]";
}

std::string ScenarioJson(const ScenarioRecord& s) {
  const ScenarioResult& r = s.result;
  std::string out = "{\"file\":" + JsonQuote(s.file) + ",\"area\":" + JsonQuote(s.area) +
                    ",\"clauses\":" + JsonStrings(s.clauses) + ",\"impl_only\":" + (s.impl_only ? "true" : "false") +
                    ",\"status\":" + JsonQuote(StatusName(r.status)) + ",\"verdict\":" +
                    JsonQuote(VerdictName(s.judgement.verdict)) + ",\"note\":" + JsonQuote(s.judgement.note);
  if (s.known)
    out += ",\"known\":{\"status\":" + JsonQuote(s.known->flaky ? "FLAKY" : StatusName(s.known->status)) +
           ",\"category\":" + JsonQuote(s.known->category) + ",\"reason\":" + JsonQuote(s.known->reason) + "}";
  // "trace" holds the events kept (see SummarizeOutcome): all of them when
  // trace_events equals its length, else the first trace_head and the last.
  out += ",\"invalid\":" + std::string(r.invalid ? "true" : "false") +
         ",\"engine_families\":" + JsonStrings(r.engine_families) + ",\"failures\":" + JsonStrings(r.failures) +
         ",\"expected\":" + JsonStrings(s.expected) + ",\"trace_events\":" + std::to_string(r.trace_events) +
         ",\"trace_head\":" + std::to_string(r.trace_head) + ",\"trace\":" + TraceJson(r.outcome.trace) +
         ",\"exit_status\":" + std::to_string(r.outcome.exit_status) + ",\"stderr_bytes\":" +
         std::to_string(r.stderr_bytes) + ",\"stderr\":" + JsonQuote(r.outcome.stderr_text) + ",\"seconds\":" +
         Num(r.seconds) + ",\"text\":" + JsonQuote(CutMiddle(s.text, kTextKept)) + "}";
  return out;
}

std::string ClauseJson(const ClauseRecord& c, const RuntimeRun& run) {
  std::vector<std::string> files;
  for (size_t i : c.scenarios) files.push_back(run.scenarios[i].file);
  return "{\"id\":" + JsonQuote(c.clause.id) + ",\"area\":" + JsonQuote(c.area) + ",\"level\":" +
         JsonQuote(c.clause.level) + ",\"capability\":" + JsonQuote(c.clause.capability) + ",\"statement\":" +
         JsonQuote(c.clause.statement) + ",\"status\":" + JsonQuote(StatusName(c.status)) + ",\"verdict\":" +
         JsonQuote(VerdictName(c.verdict)) + ",\"scenarios\":" + JsonStrings(files) + "}";
}

std::string SummaryJson(const RuntimeRun& run) {
  RunCounts n = CountRun(run);
  return "{\"clauses_passed\":" + std::to_string(n.clauses_passed) + ",\"clauses_passed_engine\":" +
         std::to_string(n.clauses_passed_engine) + ",\"clauses_failed\":" +
         std::to_string(n.clauses_failed) + ",\"clauses_expected_failure\":" + std::to_string(n.clauses_expected) +
         ",\"clauses_unsupported\":" + std::to_string(n.clauses_unsupported) + ",\"clauses_flaky\":" +
         std::to_string(n.clauses_flaky) + ",\"clauses_unexpected_pass\":" + std::to_string(n.clauses_unexpected_pass) +
         ",\"impl_clauses_differing\":" + std::to_string(n.clauses_impl_differs) + ",\"scenarios\":" +
         std::to_string(n.scenarios) + ",\"scenarios_passed\":" + std::to_string(n.scenarios_passed) +
         ",\"scenarios_passed_engine\":" + std::to_string(n.scenarios_passed_engine) +
         ",\"scenario_errors\":" + std::to_string(n.scenario_errors) + ",\"problems\":" +
         std::to_string(n.problems) + "}";
}

// Where the runtime came from and what exactly ran: the description file,
// capabilities as declared and as overridden, families, identity lines.
std::string ProvenanceJson(const RuntimeRun& run) {
  std::string families = "{";
  for (const auto& [name, source] : run.families)
    families += (families.size() > 1 ? "," : "") + JsonQuote(name) + ":" + JsonQuote(FamilySourceName(source));
  return ",\"runtime_file\":" + JsonQuote(run.runtime_file) + ",\"declared_capabilities\":" +
         JsonStrings({run.declared_capabilities.begin(), run.declared_capabilities.end()}) +
         ",\"capability_overrides\":" + JsonQuote(run.capability_overrides) + ",\"families\":" + families + "}" +
         ",\"identity\":" + JsonStrings(run.identity);
}

// JUnit <properties> of the suite: identity lines and family sources.
std::string JunitProperties(const RuntimeRun& run) {
  std::string out = "<properties>\n";
  auto prop = [&](const std::string& name, const std::string& value) {
    out += "  <property name=\"" + XmlEscape(name) + "\" value=\"" + XmlEscape(value) + "\"/>\n";
  };
  for (const auto& id : run.identity) prop("identity", id);
  for (const auto& [name, source] : run.families) prop("family." + name, FamilySourceName(source));
  if (!run.capability_overrides.empty()) prop("capability_overrides", run.capability_overrides);
  return out + "</properties>\n";
}

// The <failure> or <skipped> element of a scenario that did not plainly
// pass; for a pass through the engine, a property and a line saying so.
std::string JunitOutcome(const ScenarioRecord& s) {
  if (s.judgement.verdict == Verdict::kPassEngine)
    return "<properties><property name=\"verdict\" value=\"pass-engine\"/></properties><system-out>" +
           XmlEscape(std::string(VerdictLabel(s.judgement.verdict)) + ": " + s.judgement.note) + "</system-out>";
  std::string details;
  for (const auto& f : s.result.failures) details += f + "\n";
  if (!s.result.outcome.stderr_text.empty()) details += "--- stderr ---\n" + s.result.outcome.stderr_text;
  if (IsProblem(s.judgement.verdict))
    return "<failure message=\"" + XmlEscape(std::string(StatusName(s.result.status)) + ": " + s.judgement.note) +
           "\" type=\"" + VerdictName(s.judgement.verdict) + "\">" + XmlEscape(details) + "</failure>";
  if (s.judgement.verdict == Verdict::kPass) return "";
  return "<skipped message=\"" + XmlEscape(std::string(VerdictName(s.judgement.verdict)) + " (" +
                                          StatusName(s.result.status) + "): " + s.judgement.note) + "\"/>";
}

}  // namespace

std::string RunToJson(const RuntimeRun& run) {
  std::string out = "{\"runtime\":" + JsonQuote(run.runtime) + ",\"description\":" + JsonQuote(run.description) +
                    ",\"driver\":" + JsonQuote(run.driver) + ProvenanceJson(run) + ",\"capabilities\":" +
                    JsonStrings({run.capabilities.begin(), run.capabilities.end()}) + ",\"skipped\":" +
                    JsonQuote(run.skipped) + ",\"interrupted\":" + (run.interrupted ? "true" : "false") +
                    ",\"seconds\":" + Num(run.seconds) + ",\"summary\":" + SummaryJson(run) +
                    ",\n\"scenarios\":[";
  for (size_t i = 0; i < run.scenarios.size(); ++i) out += (i ? ",\n" : "\n") + ScenarioJson(run.scenarios[i]);
  out += "],\n\"clauses\":[";
  for (size_t i = 0; i < run.clauses.size(); ++i) out += (i ? ",\n" : "\n") + ClauseJson(run.clauses[i], run);
  return out + "]}\n";
}

std::string RunToJunit(const RuntimeRun& run) {
  int failures = 0, skipped = 0;
  for (const auto& s : run.scenarios) {
    failures += IsProblem(s.judgement.verdict);
    skipped += !IsProblem(s.judgement.verdict) && !IsPass(s.judgement.verdict);
  }
  std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites>\n<testsuite name=\"conform." +
                    XmlEscape(run.runtime) + "\" tests=\"" + std::to_string(run.scenarios.size()) + "\" failures=\"" +
                    std::to_string(failures) + "\" skipped=\"" + std::to_string(skipped) + "\" time=\"" +
                    Num(run.seconds) + "\">\n" + JunitProperties(run);
  for (const auto& s : run.scenarios) {
    std::string name = s.file.substr(s.file.rfind('/') + 1);
    out += "  <testcase classname=\"" + XmlEscape(s.area) + "\" name=\"" + XmlEscape(name) + "\" file=\"" +
           XmlEscape(s.file) + "\" time=\"" + Num(s.result.seconds) + "\">" + JunitOutcome(s) + "</testcase>\n";
  }
  return out + "</testsuite>\n</testsuites>\n";
}

std::optional<std::string> WriteTextFile(const std::string& path, const std::string& text) {
  std::FILE* f = std::fopen(path.c_str(), "w");
  if (!f) return "cannot write " + path + ": " + std::strerror(errno);
  int err = 0;
  if (std::fwrite(text.data(), 1, text.size(), f) != text.size()) err = errno;
  if (std::fflush(f) != 0 && !err) err = errno;
  if (std::fclose(f) != 0 && !err) err = errno;
  if (err) return "cannot write " + path + ": " + std::strerror(err);
  return std::nullopt;
}

}  // namespace conform
