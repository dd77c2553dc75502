// Property: whatever bytes a scenario file, a driver's trace and stderr or a
// runtime's name hold, the JSON report is valid UTF-8 that a real JSON
// parser (Python's json module, strict) reads back, every string equal to
// its bytes as Python decodes them with U+FFFD replacement; and the JUnit
// report is XML that Python's xml.etree parses.
//
// Regression (issue 12): a scenario with invalid UTF-8, even in a comment,
// made reference.json unreadable by Python's json.load.
#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>

#include "conformance/runner/child_process.h"
#include "conformance/runner/reports.h"

namespace conform {
namespace {

namespace fs = std::filesystem;

// Checks report.json against fields.txt ("key HEX" per line) and parses
// report.xml; prints what differs and exits 1 on any failure.
constexpr const char* kChecker = R"PY(
import json, sys, xml.etree.ElementTree as ET
report, fields, junit = sys.argv[1:4]
def no_constants(name): raise ValueError("not JSON: " + name)
raw = open(report, "rb").read()
text = raw.decode("utf-8")  # strict: the report itself must be valid UTF-8
d = json.loads(text, parse_constant=no_constants)
want = {}
for line in open(fields, encoding="ascii"):
    key, _, hexed = line.rstrip("\n").partition(" ")
    want[key] = bytes.fromhex(hexed).decode("utf-8", "replace")
s, c = d["scenarios"][0], d["clauses"][0]
got = {"runtime": d["runtime"], "description": d["description"], "capability": d["capabilities"][0],
       "file": s["file"], "text": s["text"], "failure": s["failures"][0], "expected": s["expected"][0],
       "op": s["trace"][0]["op"], "value": s["trace"][0]["value"], "stderr": s["stderr"], "note": s["note"],
       "clause": c["id"], "statement": c["statement"]}
bad = [k for k in want if got[k] != want[k]]
for k in bad: print("%s: want %r, got %r" % (k, want[k], got[k]))
ET.parse(junit)
sys.exit(1 if bad else 0)
)PY";

// Bytes of every kind: any byte at all, well-formed multi-byte characters,
// ill-formed sequences (overlong, surrogate, truncated, beyond U+10FFFF),
// and what JSON, XML and HTML treat specially.
rc::Gen<std::string> AnyBytes() {
  auto byte = rc::gen::map(rc::gen::arbitrary<unsigned char>(), [](unsigned char c) { return std::string(1, static_cast<char>(c)); });
  auto special = rc::gen::element<std::string>(
      "\xC3\xA9", "\xE2\x82\xAC", "\xF0\x9F\x98\x80", "\xF4\x8F\xBF\xBF", "\xEF\xBF\xBF", "\xED\xA0\x80",
      "\xC0\xAF", "\xE0\x80\xAF", "\xF0\x9F", "\xF4\x90\x80\x80", "\xFF", "</", "</script>", "<!--", "\"",
      "\\", "\n", "\t", std::string(1, '\0'), "\x7f", "&", "]]>", "\\u0000");
  auto piece = rc::gen::weightedOneOf<std::string>({{3, byte}, {2, special}});
  return rc::gen::map(rc::gen::container<std::vector<std::string>>(piece), [](const std::vector<std::string>& v) {
    std::string s;
    for (const auto& p : v) s += p;
    return s;
  });
}

std::string Hex(const std::string& s) {
  static const char* d = "0123456789abcdef";
  std::string out;
  for (unsigned char c : s) out += {d[c >> 4], d[c & 15]};
  return out;
}

// A run of one scenario whose every string comes from `f`.
RuntimeRun RunFrom(std::map<std::string, std::string>& f) {
  RuntimeRun run;
  run.runtime = f["runtime"];
  run.description = f["description"];
  run.capabilities = {f["capability"]};
  ScenarioRecord rec;
  rec.file = rec.result.file = f["file"];
  rec.clauses = {f["clause"]};
  rec.text = f["text"];
  rec.expected = {f["expected"]};
  rec.result.status = Status::kFail;
  rec.result.failures = {f["failure"]};
  rec.result.outcome.trace = {Event{1, f["op"], f["value"]}};
  rec.result.trace_events = 1;
  rec.result.trace_head = 1;
  rec.result.outcome.stderr_text = f["stderr"];
  rec.judgement = {Verdict::kNewFailure, f["note"]};
  run.scenarios.push_back(rec);
  ClauseRecord c;
  c.clause.id = f["clause"];
  c.clause.level = "MUST";
  c.clause.statement = f["statement"];
  c.scenarios = {0};
  run.clauses.push_back(c);
  return run;
}

RC_GTEST_PROP(Reports, AreValidJsonAndXmlWhateverTheBytes, ()) {
  std::map<std::string, std::string> f;
  for (const char* key : {"runtime", "description", "capability", "file", "text", "failure", "expected", "op",
                          "value", "stderr", "note", "clause", "statement"})
    f[key] = *AnyBytes();
  RuntimeRun run = RunFrom(f);
  fs::path dir = fs::path(std::getenv("TEST_TMPDIR") ? std::getenv("TEST_TMPDIR") : "/tmp") / "reports_property";
  fs::create_directories(dir);
  std::string fields;
  for (const auto& [k, v] : f) fields += k + " " + Hex(v) + "\n";
  RC_ASSERT(!WriteTextFile((dir / "report.json").string(), RunToJson(run)));
  RC_ASSERT(!WriteTextFile((dir / "report.xml").string(), RunToJunit(run)));
  RC_ASSERT(!WriteTextFile((dir / "fields.txt").string(), fields));
  ChildResult r = RunChild({"/usr/bin/python3", "-c", kChecker, (dir / "report.json").string(),
                            (dir / "fields.txt").string(), (dir / "report.xml").string()},
                           std::nullopt, 60000);
  RC_LOG() << r.out << r.err;
  RC_ASSERT(r.spawn_error.empty());
  RC_ASSERT(!r.timed_out);
  RC_ASSERT(WIFEXITED(r.wait_status) && WEXITSTATUS(r.wait_status) == 0);
}

// The writer reports a full disk (ENOSPC at flush) and a missing directory,
// naming the path and the OS error. Regression: conform's old writer used
// an ofstream whose buffered data was only flushed (and lost) on
// destruction, after the check.
TEST(WriteTextFile, ReportsEveryFailureWithThePathAndTheError) {
  EXPECT_EQ(WriteTextFile("/dev/full", "x"), "cannot write /dev/full: No space left on device");
  EXPECT_EQ(WriteTextFile("/nonexistent-dir/r.json", "x"), "cannot write /nonexistent-dir/r.json: No such file or directory");
  EXPECT_EQ(WriteTextFile("/proc/r.json", "x").value_or("").rfind("cannot write /proc/r.json: ", 0), 0u);
  fs::path ok = fs::path(std::getenv("TEST_TMPDIR") ? std::getenv("TEST_TMPDIR") : "/tmp") / "ok.json";
  EXPECT_EQ(WriteTextFile(ok.string(), "{}"), std::nullopt);
}

}  // namespace
}  // namespace conform
