#include "conformance/lang/parser.h"

#include <gtest/gtest.h>

#include "conformance/lang/printer.h"

namespace conform::lang {
namespace {

std::string ErrorOf(const std::string& text) {
  ParseError err;
  auto sc = Parse(text, "t.scn", &err);
  if (sc) return "parsed";
  return err.ToString();
}

TEST(Parser, HeaderAndBody) {
  ParseError err;
  auto sc = Parse(R"(# a comment
@clause goexit.runs-defers-lifo goexit.never-returns
@requires os-threads
@gomaxprocs 1
@timeout 3000
@expect exit 0
@expect trace exact g2 record a ; g* record b
@expect range poll 1 1
go
  defer
    record b
  end
  defer
    record a   # trailing comment
  end
  goexit
end
poll numgoroutine == 1 within 2000
)", "t.scn", &err);
  ASSERT_TRUE(sc) << err.ToString();
  EXPECT_EQ(sc->clauses, (std::vector<std::string>{"goexit.runs-defers-lifo", "goexit.never-returns"}));
  EXPECT_EQ(sc->requires_caps, std::vector<std::string>{"os-threads"});
  EXPECT_EQ(sc->gomaxprocs, 1);
  EXPECT_EQ(sc->timeout_ms, 3000);
  ASSERT_EQ(sc->expect.size(), 3u);
  EXPECT_EQ(sc->expect[1].kind, Expectation::Kind::kTraceExact);
  ASSERT_EQ(sc->expect[1].events.size(), 2u);
  EXPECT_EQ(sc->expect[1].events[0].g, 2);
  EXPECT_EQ(sc->expect[1].events[1].value, "b");
  EXPECT_EQ(sc->expect[1].events[1].g, 0);  // g* means any goroutine
  ASSERT_EQ(sc->main.size(), 2u);
  EXPECT_EQ(sc->main[0].op, Op::kGo);
  ASSERT_EQ(sc->main[0].body.size(), 3u);
  EXPECT_EQ(sc->main[0].body[1].body[0].name, "a");
  EXPECT_EQ(sc->main[0].body[2].op, Op::kGoexit);
  EXPECT_EQ(sc->main[1].op, Op::kPoll);
  EXPECT_TRUE(sc->main[1].cond.numgoroutine);
  EXPECT_EQ(sc->main[1].n, 2000);
  EXPECT_EQ(sc->main[1].pos, (Pos{18, 1}));
}

TEST(Parser, SelectWithCasesAndDefault) {
  ParseError err;
  auto sc = Parse("chan c 1\nselect\ncase send c $x\n  record s\ncase recv c\ndefault\n  record d\nend\n",
                  "t.scn", &err);
  ASSERT_TRUE(sc) << err.ToString();
  const Stmt& s = sc->main[1];
  ASSERT_EQ(s.cases.size(), 2u);
  EXPECT_TRUE(s.cases[0].is_send);
  EXPECT_EQ(s.cases[0].value.kind, Operand::Kind::kVar);
  EXPECT_EQ(s.cases[0].body.size(), 1u);
  EXPECT_FALSE(s.cases[1].is_send);
  EXPECT_TRUE(s.has_default);
  EXPECT_EQ(s.default_body[0].name, "d");
}

TEST(Parser, SemicolonsInsideStringsAreNotSeparators) {
  // A string ending in an escaped backslash must not flip "inside a string"
  // for what follows: "c;d" is one value, not two patterns.
  ParseError err;
  auto sc = Parse("@expect trace exact g1 record \"a\\\\\" ; g1 record \"c;d\"\n", "t.scn", &err);
  ASSERT_TRUE(sc) << err.ToString();
  ASSERT_EQ(sc->expect.size(), 1u);
  const auto& ps = sc->expect[0].events;
  ASSERT_EQ(ps.size(), 2u);
  EXPECT_EQ(ps[0].value, std::optional<std::string>("a\\"));
  EXPECT_EQ(ps[1].value, std::optional<std::string>("c;d"));
}

TEST(Parser, ErrorsNameFileLineAndColumn) {
  EXPECT_EQ(ErrorOf("gosched\n  frobnicate 3\n"), "t.scn:2:3: unknown statement 'frobnicate'");
  EXPECT_EQ(ErrorOf("go\n  record a\n"), "t.scn:1:1: 'go' block is not closed with 'end'");
  EXPECT_EQ(ErrorOf("end\n"), "t.scn:1:1: 'end' without an open block");
  EXPECT_EQ(ErrorOf("sleep x\n"), "t.scn:1:7: expected milliseconds");
  EXPECT_EQ(ErrorOf("sleep\n"), "t.scn:1:7: expected milliseconds");
  EXPECT_EQ(ErrorOf("record \"abc\n"), "t.scn:1:8: unterminated string");
  EXPECT_EQ(ErrorOf("gosched 3\n"), "t.scn:1:9: unexpected '3' after 'gosched'");
  EXPECT_EQ(ErrorOf("@requires teleport\n"), "t.scn:1:11: unknown capability 'teleport'");
  EXPECT_EQ(ErrorOf("gosched\n@timeout 5\n"), "t.scn:2:1: header lines (@...) must come before the body");
  EXPECT_EQ(ErrorOf("@expect trace exact g1 record a g1\n"),
            "t.scn:1:33: expected ';' between event patterns");
  EXPECT_EQ(ErrorOf("@expect stderr-match \"(\"\n"), "t.scn:1:22: bad regular expression: missing ): (");
  EXPECT_EQ(ErrorOf("poll numgoroutine = 1 within 5\n"), "t.scn:1:19: unknown operator '='");
  EXPECT_EQ(ErrorOf("select\ncase peek c\nend\n"), "t.scn:2:6: expected send or recv");
  EXPECT_EQ(ErrorOf("repeat -1\nend\n"), "t.scn:1:8: a repeat count must be at least 0");
  EXPECT_EQ(ErrorOf("record a%b\n"), "t.scn:1:9: unexpected character '%'");
  EXPECT_EQ(ErrorOf("go\n  init\n  end\nend\n"), "t.scn:2:3: 'init' is only allowed at top level");
}

TEST(Parser, DeepNestingIsAnErrorNotACrash) {
  std::string text;
  for (int k = 0; k < 10000; ++k) text += "call\n";
  EXPECT_EQ(ErrorOf(text), "t.scn:65:1: blocks nested too deeply");
}

TEST(Parser, HostileBytesNeverThrow) {
  std::string junk;
  for (int k = 0; k < 4000; ++k) junk += static_cast<char>((k * 7919) % 256);
  ParseError err;
  EXPECT_FALSE(Parse(junk, "junk", &err));
  EXPECT_EQ(err.file, "junk");
  EXPECT_GT(err.line, 0);
}

TEST(Printer, RoundTripsEveryConstruct) {
  const std::string text = R"(@clause a.b
@requires syscalls stack-limit
@gomaxprocs 2
@timeout 5000
@expect exit 2
@expect stderr "fatal error: stack overflow"
@expect stderr-match "^runtime: goroutine stack exceeds [0-9]+-byte limit$"
@expect trace contains record "two words" ; g3 recv * ; recv 5,true
@expect trace goroutine 3 thread T1 ; thread T1
@expect trace absent record after
@expect trace absent g1 poll 1 ; g1 poll 0
@expect count select 0 10 20
@expect range value:x 1 5
@expect range elapsed:w 0 60000
@expect trace exact g1 value x=5
@expect bypass 1 record *
@expect bypass 4 g2 record a
@expect model
init
  lock
end
chan c 0
chan n nil
set x 1
add x $x
go
  call
    defer
      recover
    end
    defer-value x
    defer-recover
    panic "boom"
  end
  select
  case send c 5
    record sent
  case recv n
  default
    record none
  end
end
repeat 3
  gosched
end
go
  forever
    gosched
  end
end
go
  forever
  end
end
write p 7
write p $x
read p
recv c into x
stopwatch w
elapsed w
main-thread
introspect gosched
introspect reused
introspect m0
alive T1
poll alive T2 == 0 within 1000
recv c
close c
sleep 10
syscall 5
syscall until $x
spin 100
spin until $x
unlock
thread
numgoroutine
gomaxprocs 0
setmaxstack 1048576
recurse 10 4096
value x
poll $x >= 2 within 100
poll numgoroutine == 1 within 100 yielding
goexit
exit 3
)";
  ParseError err;
  auto a = Parse(text, "t.scn", &err);
  ASSERT_TRUE(a) << err.ToString();
  std::string printed = Print(*a);
  EXPECT_EQ(printed, text);  // the text above is already in canonical form
  auto b = Parse(printed, "t.scn", &err);
  ASSERT_TRUE(b) << err.ToString();
  ClearPositions(&*a);
  ClearPositions(&*b);
  EXPECT_EQ(*a, *b);
}

TEST(Parser, FairIsBypassOneOverAnOp) {
  ParseError err;
  auto a = Parse("@expect fair record\n", "t.scn", &err);
  auto b = Parse("@expect bypass 1 record *\n", "t.scn", &err);
  ASSERT_TRUE(a && b) << err.ToString();
  ClearPositions(&*a);
  ClearPositions(&*b);
  EXPECT_EQ(*a, *b);
}

TEST(Parser, NewConstructsReportBadArguments) {
  EXPECT_EQ(ErrorOf("alive t1\n"), "t.scn:1:7: expected a thread token (T1, T2, ...)");
  EXPECT_EQ(ErrorOf("alive T0\n"), "t.scn:1:7: expected a thread token (T1, T2, ...)");
  EXPECT_EQ(ErrorOf("poll alive $x == 0 within 5\n"), "t.scn:1:12: expected a thread token (T1, T2, ...)");
  EXPECT_EQ(ErrorOf("write p\n"), "t.scn:1:9: expected an integer or $var");
  EXPECT_EQ(ErrorOf("write p \"s\"\n"), "t.scn:1:9: expected an integer or $var");
  EXPECT_EQ(ErrorOf("read\n"), "t.scn:1:6: expected a pipe name");
  EXPECT_EQ(ErrorOf("forever 3\nend\n"), "t.scn:1:9: unexpected '3' after 'forever'");
  EXPECT_EQ(ErrorOf("@expect bypass 0 record\n"), "t.scn:1:16: a bound (at least 1) must be at least 1");
  EXPECT_EQ(ErrorOf("@expect bypass 2\n"), "t.scn:1:18: expected an event pattern");
  EXPECT_EQ(ErrorOf("@expect fair g2\n"), "t.scn:1:14: expected an event kind");
  EXPECT_EQ(ErrorOf("introspect\n"), "t.scn:1:12: expected a fact (gosched, reused or m0)");
  EXPECT_EQ(ErrorOf("introspect state\n"), "t.scn:1:12: unknown fact 'state' (gosched, reused or m0)");
  EXPECT_EQ(ErrorOf("introspect m0 1\n"), "t.scn:1:15: unexpected '1' after 'introspect'");
}

TEST(Printer, QuotesLabelsThatAreNotWords) {
  Scenario sc;
  Stmt s;
  s.op = Op::kRecord;
  s.name = "a b\"c";
  sc.main.push_back(s);
  std::string printed = Print(sc);
  EXPECT_NE(printed.find("record \"a b\\\"c\""), std::string::npos) << printed;
  ParseError err;
  auto back = Parse(printed, "t", &err);
  ASSERT_TRUE(back) << err.ToString();
  EXPECT_EQ(back->main[0].name, "a b\"c");
}

}  // namespace
}  // namespace conform::lang
