// Each in-process adapter's family declaration against the code it links:
// a family declared `engine` must have its engine part among the adapter's
// Bazel dependencies, and one declared `native` or `absent` must not (so no
// pass through engine code is ever credited to a runtime). Also checks the
// protocol 2 answer RunDriver prints from the declarations.
#include <gtest/gtest.h>

#include <fstream>
#include <set>
#include <sstream>
#include <string>

#include "conformance/drivers/fiber/fiber_adapter.h"
#include "conformance/drivers/reference/reference_adapter.h"
#include "conformance/drivers/thread/thread_adapter.h"
#include "conformance/interp/driver.h"

namespace conform {
namespace {

// The engine library that provides family f (conformance/engine/BUILD).
std::string EnginePart(Family f) {
  switch (f) {
    case Family::kDefer:
    case Family::kPanic:
    case Family::kGoexit: return "//conformance/engine:frames";
    case Family::kChannels: return "//conformance/engine:channels";
    case Family::kSelect: return "//conformance/engine:select";
    case Family::kDeadlock: return "//conformance/engine:deadlock";
    case Family::kNumGoroutine: return "//conformance/engine:numgoroutine";
    case Family::kTimers: return "//conformance/engine:timers";
  }
  return "?";
}

// The engine libraries adapter `name` depends on (the genquery's output).
std::set<std::string> LinkedParts(const std::string& name) {
  std::ifstream in("conformance/drivers/" + name + "_engine_parts");
  EXPECT_TRUE(in) << "missing genquery output for " << name;
  std::set<std::string> parts;
  for (std::string line; std::getline(in, line);)
    if (!line.empty()) parts.insert(line);
  return parts;
}

void ExpectDeclarationsMatchLinkedCode(const RuntimeAdapter& adapter, const std::string& name) {
  const std::set<std::string> linked = LinkedParts(name);
  const Families families = adapter.families();
  std::set<std::string> needed;
  for (Family f : kAllFamilies)
    if (families.Of(f) == Source::kEngine) needed.insert(EnginePart(f));
  for (Family f : kAllFamilies) {
    const bool is_linked = linked.count(EnginePart(f)) > 0;
    if (families.Of(f) == Source::kEngine)
      EXPECT_TRUE(is_linked) << name << " declares " << FamilyName(f) << " engine but does not link " << EnginePart(f);
    else
      EXPECT_FALSE(is_linked && !needed.count(EnginePart(f)))
          << name << " declares " << FamilyName(f) << " " << SourceName(families.Of(f)) << " but links "
          << EnginePart(f);
  }
}

TEST(Families, ReferenceIsAllNativeAndLinksNoEnginePart) {
  ReferenceAdapter a;
  for (Family f : kAllFamilies) EXPECT_EQ(a.families().Of(f), Source::kNative) << FamilyName(f);
  for (const std::string& part : LinkedParts("reference"))
    EXPECT_TRUE(part == "//conformance/engine:substrate" || part == "//conformance/engine:liveness") << part;
  ExpectDeclarationsMatchLinkedCode(a, "reference");
}

TEST(Families, ThreadBaselineBorrowsEveryFamilyFromTheEngine) {
  ThreadAdapter a;
  for (Family f : kAllFamilies) EXPECT_EQ(a.families().Of(f), Source::kEngine) << FamilyName(f);
  ExpectDeclarationsMatchLinkedCode(a, "thread");
}

TEST(Families, FiberUsesBoostChannelsAndLinksNoEngineChannels) {
  FiberAdapter a;
  const Families f = a.families();
  EXPECT_EQ(f.Of(Family::kChannels), Source::kNative);
  EXPECT_EQ(f.Of(Family::kTimers), Source::kNative);
  EXPECT_EQ(f.Of(Family::kSelect), Source::kAbsent);
  EXPECT_EQ(f.Of(Family::kDeadlock), Source::kEngine);
  EXPECT_EQ(LinkedParts("fiber").count("//conformance/engine:channels"), 0u);
  ExpectDeclarationsMatchLinkedCode(a, "fiber");
}

TEST(Describe, VersionFirstThenCapabilitiesEveryFamilyOnceAndIdentity) {
  FiberAdapter a;
  std::string text, error;
  ASSERT_TRUE(DescribeDriver(a, &text, &error)) << error;
  EXPECT_EQ(text,
            "goconform-protocol 2\n"
            "capability fairness\n"
            "family defer engine\n"
            "family panic engine\n"
            "family goexit engine\n"
            "family channels native\n"
            "family select absent\n"
            "family deadlock engine\n"
            "family numgoroutine engine\n"
            "family timers native\n"
            "identity Boost.Fiber " +
                std::to_string(BOOST_VERSION / 100000) + "." + std::to_string(BOOST_VERSION / 100 % 1000) + "." +
                std::to_string(BOOST_VERSION % 100) + " (round_robin, one thread)\n");
}

// An adapter whose declarations cannot be written: RunDriver refuses them.
class Misdeclared : public ThreadAdapter {
 public:
  explicit Misdeclared(Capabilities caps, std::vector<std::string> id) : caps_(std::move(caps)), id_(std::move(id)) {}
  Capabilities capabilities() const override { return caps_; }
  std::vector<std::string> identity() const override { return id_; }

 private:
  Capabilities caps_;
  std::vector<std::string> id_;
};

TEST(Describe, RefusesAnUnknownCapabilityOrAMultiLineIdentity) {
  std::string text, error;
  EXPECT_FALSE(DescribeDriver(Misdeclared({"os-thread"}, {}), &text, &error));
  EXPECT_NE(error.find("unknown capability 'os-thread'"), std::string::npos) << error;
  EXPECT_FALSE(DescribeDriver(Misdeclared({}, {"two\nlines"}), &text, &error));
  EXPECT_TRUE(DescribeDriver(Misdeclared({"os-threads"}, {"one line"}), &text, &error)) << error;
}

TEST(Capabilities, ASetOfNames) {
  Capabilities c{"os-threads"};
  c.Add("growable-stacks");
  EXPECT_TRUE(c.Has("os-threads"));
  EXPECT_TRUE(c.Has("growable-stacks"));
  EXPECT_FALSE(c.Has("preemptive"));
  EXPECT_EQ(c.names().size(), 2u);
}

}  // namespace
}  // namespace conform
