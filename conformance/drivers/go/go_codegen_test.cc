#include "conformance/drivers/go/go_codegen.h"

#include <gtest/gtest.h>

#include <regex>

#include "conformance/lang/parser.h"

namespace conform::gocodegen {
namespace {

std::string Gen(const std::string& text) {
  lang::ParseError err;
  auto sc = lang::Parse(text, "t.scn", &err);
  EXPECT_TRUE(sc) << err.ToString();
  return sc ? Generate(*sc) : "";
}

bool Has(const std::string& src, const std::string& piece) { return src.find(piece) != std::string::npos; }

TEST(GoCodegen, EachStatementBecomesTheGoConstructItNames) {
  std::string src = Gen(R"(init
  lock
end
chan c 1
go
  defer
    recover
  end
  goexit
end
defer-value x
select
case send c $x
case recv c
default
end
panic "boom"
)");
  EXPECT_TRUE(Has(src, "func init() {"));
  EXPECT_TRUE(Has(src, "runtime.LockOSThread()"));
  EXPECT_TRUE(Has(src, "go func(g int64) {"));
  EXPECT_TRUE(Has(src, "defer func() {"));
  // recover is called directly by the deferred function, as Go requires.
  EXPECT_TRUE(std::regex_search(src, std::regex(R"(defer func\(\) \{\n\t+emit\(g, "recover", show\(recover\(\)\)\)\n)")));
  EXPECT_TRUE(Has(src, "runtime.Goexit()"));
  EXPECT_TRUE(Has(src, "}(atomic.LoadInt64(&v0))"));  // defer argument evaluated now
  EXPECT_TRUE(Has(src, "case c0 <- s0:"));
  EXPECT_TRUE(Has(src, "case v, ok := <-c1:"));
  EXPECT_TRUE(Has(src, "emit(g, \"select\", \"default\")"));
  EXPECT_TRUE(Has(src, "panic(\"boom\")"));
  EXPECT_TRUE(Has(src, "closeTrace()"));
}

TEST(GoCodegen, NewConstructsBecomeTheirGoForms) {
  std::string src = Gen(R"(go
  read p
  forever
    gosched
  end
end
defer
  defer-recover
end
write p $x
thread
alive T1
poll alive T1 == 0 within 10
main-thread
stopwatch w
elapsed w
)");
  // recover() is the deferred call's argument: evaluated at the defer statement.
  EXPECT_TRUE(Has(src, "defer func(v interface{}) { emit(g, \"recover\", show(v)) }(recover())")) << src;
  EXPECT_TRUE(Has(src, "var _ = makePipes(\"p\")"));
  EXPECT_TRUE(Has(src, "emit(g, \"read\", itoa(pipeRead(\"p\")))"));
  EXPECT_TRUE(Has(src, "pipeWrite(\"p\", atomic.LoadInt64(&v0))"));
  EXPECT_TRUE(Has(src, "syscall.Read(pipeFds[name][0], b[:])"));  // a raw blocking read, not os.File
  EXPECT_TRUE(std::regex_search(src, std::regex(R"(for \{\n\t+runtime.Gosched\(\)\n\t+\})")));
  EXPECT_TRUE(Has(src, "emit(g, \"alive\", \"T1=\"+itoa(threadAlive(\"T1\")))"));
  EXPECT_TRUE(Has(src, "return threadAlive(\"T1\")"));
  EXPECT_TRUE(Has(src, "emit(g, \"main-thread\", mainThread())"));
  EXPECT_TRUE(Has(src, "var w0 int64 // stopwatch w"));
  EXPECT_TRUE(Has(src, "atomic.StoreInt64(&w0, sinceStart())"));
  EXPECT_TRUE(Has(src, "(sinceStart()-atomic.LoadInt64(&w0))/1000000"));
}

TEST(GoCodegen, StringsAreQuotedForGo) {
  std::string src = Gen("record \"a\\\"b\\\\c\"\n");
  EXPECT_TRUE(Has(src, R"(emit(g, "record", "a\"b\\c"))")) << src;
}

TEST(GoCodegen, IntrospectExitsAsADriverErrorForGoHasNoSuchApi) {
  // Go does not declare introspection (INTERPRETING.md, "Introspection"):
  // a run forced on anyway must end with the driver contract's 125, never
  // with an answer made up.
  std::string src = Gen("introspect reused\n");
  EXPECT_TRUE(Has(src, "introspectAbsent(\"reused\")"));
  EXPECT_TRUE(Has(src, "os.Exit(125)"));
}

}  // namespace
}  // namespace conform::gocodegen
