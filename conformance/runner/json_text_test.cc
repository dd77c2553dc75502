// JSON and XML quoting of arbitrary bytes (the property test beside this one
// checks the whole report with a real JSON parser).
#include "conformance/runner/json_text.h"

#include <gtest/gtest.h>

namespace conform {
namespace {

TEST(JsonQuote, EscapesWhatJsonAndHtmlNeed) {
  EXPECT_EQ(JsonQuote("a\"b\\c\nd\te"), R"("a\"b\\c\nd\te")");
  EXPECT_EQ(JsonQuote(std::string("\x01\x1f\x7f", 3)), R"("\u0001\u001f\u007f")");
  EXPECT_EQ(JsonQuote(std::string("a\0b", 3)), R"("a\u0000b")");
  EXPECT_EQ(JsonQuote("</script><!--"), R"("<\/script>\u003c!--")");
}

TEST(JsonQuote, KeepsWellFormedUtf8) {
  for (const char* s : {"caf\xC3\xA9", "\xE2\x82\xAC", "\xF0\x9F\x98\x80", "\xF4\x8F\xBF\xBF", "\xED\x9F\xBF",
                        "\xEE\x80\x80", "\xEF\xBF\xBF"})
    EXPECT_EQ(JsonQuote(s), std::string("\"") + s + "\"") << s;
}

// Regression (issue 12): the old check accepted overlong forms, surrogates
// and code points above U+10FFFF, so reference.json was not valid UTF-8 and
// Python's json.load failed. Each ill-formed maximal subpart is one U+FFFD,
// as Python's bytes.decode("utf-8", "replace") gives.
TEST(JsonQuote, ReplacesEveryIllFormedSequence) {
  struct Case {
    std::string in, out;
  } cases[] = {
      {"\xFF", "\\ufffd"},
      {"\x80", "\\ufffd"},                                 // stray continuation
      {"\xC0\xAF", "\\ufffd\\ufffd"},                      // overlong '/'
      {"\xC1\xBF", "\\ufffd\\ufffd"},                      // overlong
      {"\xE0\x80\xAF", "\\ufffd\\ufffd\\ufffd"},           // overlong 3-byte
      {"\xED\xA0\x80", "\\ufffd\\ufffd\\ufffd"},           // surrogate U+D800
      {"\xED\xBF\xBF", "\\ufffd\\ufffd\\ufffd"},           // surrogate U+DFFF
      {"\xF0\x80\x80\x80", "\\ufffd\\ufffd\\ufffd\\ufffd"},  // overlong 4-byte
      {"\xF4\x90\x80\x80", "\\ufffd\\ufffd\\ufffd\\ufffd"},  // U+110000
      {"\xF5\x80\x80\x80", "\\ufffd\\ufffd\\ufffd\\ufffd"},  // beyond any code point
      {"\xE2\x82", "\\ufffd"},                             // truncated: one maximal subpart
      {"\xF0\x9F\x98", "\\ufffd"},
      {"\xE2\x82x", "\\ufffdx"},
      {"\xF0\x9Fx\x98", "\\ufffdx\\ufffd"},
      {"a\xC3", "a\\ufffd"},
  };
  for (const Case& c : cases) EXPECT_EQ(JsonQuote(c.in), "\"" + c.out + "\"") << testing::PrintToString(c.in);
}

TEST(XmlEscape, KeepsXmlWellFormed) {
  EXPECT_EQ(XmlEscape("<a href=\"x\">&'"), "&lt;a href=&quot;x&quot;&gt;&amp;&apos;");
  EXPECT_EQ(XmlEscape(std::string("\x01\x0b\x00", 3)), "???");
  EXPECT_EQ(XmlEscape("tab\tnl\n"), "tab\tnl\n");
  EXPECT_EQ(XmlEscape("\xED\xA0\x80"), "???");
  EXPECT_EQ(XmlEscape("\xEF\xBF\xBE\xEF\xBF\xBF\xEF\xBF\xBD"), "??\xEF\xBF\xBD");  // U+FFFE, U+FFFF are not XML
  EXPECT_EQ(XmlEscape("caf\xC3\xA9"), "caf\xC3\xA9");
}

}  // namespace
}  // namespace conform
