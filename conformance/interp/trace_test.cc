#include "conformance/interp/trace.h"

#include <gtest/gtest.h>

#include <thread>

namespace conform {
namespace {

TEST(Trace, JsonRoundTripsAwkwardText) {
  Event e{3, "record", "a \"quoted\"\\ line\nwith\ttabs and \x01"};
  std::string line = EventToJson(e);
  EXPECT_EQ(line.find('\n'), std::string::npos);
  auto back = EventFromJson(line);
  ASSERT_TRUE(back);
  EXPECT_EQ(*back, e);
}

TEST(Trace, JsonShape) {
  EXPECT_EQ(EventToJson({1, "recv", "5,true"}), R"({"g":1,"op":"recv","value":"5,true"})");
}

TEST(Trace, RejectsMalformedLines) {
  EXPECT_FALSE(EventFromJson(""));
  EXPECT_FALSE(EventFromJson("{}"));
  EXPECT_FALSE(EventFromJson(R"({"g":1,"op":"x"})"));            // no value
  EXPECT_FALSE(EventFromJson(R"({"g":"1","op":"x","value":""})")); // g not a number
  EXPECT_FALSE(EventFromJson(R"({"g":1,"op":"x","value":""} junk)"));
  EXPECT_FALSE(EventFromJson(R"({"g":1,"op":"x","value":"\q"})"));
  EXPECT_TRUE(EventFromJson(R"( { "value" : "" , "op":"x", "g" : 12 } )"));
}

TEST(Trace, SinkIsThreadSafeAndDropsAfterClose) {
  MemorySink sink;
  std::vector<std::thread> ts;
  for (int t = 0; t < 4; ++t)
    ts.emplace_back([&sink, t] {
      for (int k = 0; k < 1000; ++k) sink.Emit({t + 1, "record", std::to_string(k)});
    });
  for (auto& t : ts) t.join();
  EXPECT_EQ(sink.events.size(), 4000u);
  sink.Close();
  sink.Emit({1, "record", "late"});
  EXPECT_EQ(sink.events.size(), 4000u);
}

}  // namespace
}  // namespace conform
