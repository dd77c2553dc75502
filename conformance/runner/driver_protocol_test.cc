// Driver protocol 2: the --capabilities answer parsed strictly (every way a
// driver can get it wrong is one clear reason), asking real and broken
// drivers, and capability overrides.
#include "conformance/runner/driver_protocol.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

namespace conform {
namespace {

namespace fs = std::filesystem;

std::string AllFamilies(const std::string& source = "native") {
  std::string out;
  for (const auto& f : KnownFamilies()) out += "family " + f + " " + source + "\n";
  return out;
}

std::string ParseError(const std::string& text) {
  std::string error;
  auto info = ParseDriverInfo(text, &error);
  EXPECT_FALSE(info.has_value()) << text;
  return error;
}

TEST(DriverProtocol, ParsesAFullAnswer) {
  std::string error;
  auto info = ParseDriverInfo("goconform-protocol 2\ncapability os-threads\ncapability syscalls\n" +
                                  AllFamilies() + "family select absent\n"
                                  "identity boost-fiber 1.74.0 (Debian)\nidentity built with clang-19\n",
                              &error);
  ASSERT_FALSE(info.has_value()) << "select is declared twice";
  EXPECT_NE(error.find("family select declared twice"), std::string::npos) << error;

  std::string text = "goconform-protocol 2\r\ncapability os-threads\ncapability syscalls\n\n";
  for (const auto& f : KnownFamilies())
    text += "family " + f + (f == "select" ? " absent\n" : f == "deadlock" ? " engine\n" : " native\n");
  text += "identity boost-fiber 1.74.0 (Debian)\nidentity built with clang-19\n";
  info = ParseDriverInfo(text, &error);
  ASSERT_TRUE(info.has_value()) << error;
  EXPECT_EQ(info->protocol, 2);
  EXPECT_EQ(info->capabilities, (std::set<std::string>{"os-threads", "syscalls"}));
  EXPECT_EQ(info->families.size(), KnownFamilies().size());
  EXPECT_EQ(info->families.at("select"), FamilySource::kAbsent);
  EXPECT_EQ(info->families.at("deadlock"), FamilySource::kEngine);
  EXPECT_EQ(info->families.at("channels"), FamilySource::kNative);
  EXPECT_EQ(info->identity, (std::vector<std::string>{"boost-fiber 1.74.0 (Debian)", "built with clang-19"}));
}

TEST(DriverProtocol, EveryMistakeIsOneClearReason) {
  EXPECT_NE(ParseError("").find("printed nothing"), std::string::npos);
  EXPECT_NE(ParseError("os-threads\nsyscalls\n").find("speaks protocol 1"), std::string::npos);
  EXPECT_NE(ParseError("goconform-protocol 3\n" + AllFamilies()).find("speaks goconform-protocol 3; this runner speaks 2"),
            std::string::npos);
  EXPECT_NE(ParseError("goconform-protocol two\n").find("bad version line"), std::string::npos);
  EXPECT_NE(ParseError("\x7f" "ELF\x02\x01garbage\n").find("does not speak the driver protocol: its first line is '?ELF??garbage'"),
            std::string::npos);
  EXPECT_NE(ParseError("goconform-protocol 2\n" + AllFamilies() + "capabilty os-threads\n").find("line 10 'capabilty os-threads': unknown key"),
            std::string::npos);
  EXPECT_NE(ParseError("goconform-protocol 2\ncapability preemptve\n" + AllFamilies()).find("unknown capability"),
            std::string::npos);
  EXPECT_NE(ParseError("goconform-protocol 2\nfamily chanels native\n").find("unknown family"), std::string::npos);
  EXPECT_NE(ParseError("goconform-protocol 2\nfamily defer borrowed\n").find("native, engine or absent"),
            std::string::npos);
  EXPECT_NE(ParseError("goconform-protocol 2\nidentity\n" + AllFamilies()).find("identity needs a text"), std::string::npos);
  std::string missing = ParseError("goconform-protocol 2\nfamily defer native\nfamily panic native\n");
  EXPECT_NE(missing.find("declares no source for the families goexit, channels, select, deadlock, numgoroutine, timers"),
            std::string::npos) << missing;
}

TEST(DriverProtocol, ErrorsQuoteOnlyAShortPrintableLine) {
  std::string error = ParseError(std::string(500, 'x') + "\n");
  EXPECT_LT(error.size(), 200u);
  EXPECT_EQ(error.find('\n'), std::string::npos);
}

fs::path Dir() {
  fs::path dir = fs::path(std::getenv("TEST_TMPDIR") ? std::getenv("TEST_TMPDIR") : "/tmp") / "driver_protocol_test";
  fs::create_directories(dir);
  return dir;
}

std::string Script(const std::string& name, const std::string& body, mode_t mode = 0755) {
  std::string p = (Dir() / name).string();
  std::ofstream(p) << "#!/bin/sh\n" << body << "\n";
  chmod(p.c_str(), mode);
  return p;
}

std::string QueryError(const DriverCommand& cmd) {
  std::string error;
  EXPECT_FALSE(QueryDriver(cmd, &error).has_value());
  EXPECT_EQ(error.find('\n'), std::string::npos) << error;
  return error;
}

TEST(DriverProtocol, TheThreadDriverSpeaksProtocol2) {
  std::string error;
  auto info = QueryDriver({{"conformance/drivers/thread/thread_driver"}, {}}, &error);
  ASSERT_TRUE(info.has_value()) << error;
  EXPECT_EQ(info->capabilities, (std::set<std::string>{"os-threads", "preemptive", "syscalls"}));
  EXPECT_EQ(info->families.size(), KnownFamilies().size());
}

TEST(DriverProtocol, BrokenDriversAreOneLineErrors) {
  EXPECT_EQ(QueryError({{"/nonexistent/driver"}, {}}), "driver /nonexistent/driver is missing (No such file or directory)");
  EXPECT_EQ(QueryError({{"no-such-driver"}, {}}),
            "driver no-such-driver is not on PATH (for a file in this directory, write ./no-such-driver)");
  std::string plain = Script("plain.sh", "echo hi", 0644);
  EXPECT_EQ(QueryError({{plain}, {}}), "driver " + plain + " is not executable (chmod +x " + plain + ")");
  EXPECT_EQ(QueryError({{Dir().string()}, {}}), "driver " + Dir().string() + " is a directory, not a program");
  std::string failing = Script("failing.sh", "echo 'mylib: cannot find libmylib.so' >&2\necho more >&2\nexit 3");
  EXPECT_EQ(QueryError({{failing}, {}}), "driver " + failing + " --capabilities exited 3: mylib: cannot find libmylib.so");
  std::string old = Script("old.sh", "echo os-threads");
  EXPECT_NE(QueryError({{old}, {}}).find("speaks protocol 1"), std::string::npos);
  std::string noisy = Script("noisy.sh", "head -c 3000 /dev/urandom");
  EXPECT_NE(QueryError({{noisy}, {}}).find("driver " + noisy + " "), std::string::npos);
}

TEST(DriverProtocol, ArgumentsAndEnvironmentReachTheDriver) {
  std::string families;
  for (const auto& f : KnownFamilies()) families += "echo family " + f + " native; ";
  std::string driver = Script("args.sh", "[ \"$1\" = --fast ] && [ \"$2\" = --capabilities ] || exit 9\n"
                                         "echo goconform-protocol 2; " + families + "echo identity mylib $MYLIB_MODE");
  std::string error;
  auto info = QueryDriver({{driver, "--fast"}, {"MYLIB_MODE=turbo"}}, &error);
  ASSERT_TRUE(info.has_value()) << error;
  EXPECT_EQ(info->identity, std::vector<std::string>{"mylib turbo"});
}

TEST(DriverProtocol, CapabilityOverrides) {
  std::string error;
  std::set<std::string> caps = {"preemptive", "os-threads"};
  EXPECT_EQ(*ApplyCapabilityOverrides(caps, "", &error), caps);
  EXPECT_EQ(*ApplyCapabilityOverrides(caps, "-preemptive,+fairness", &error),
            (std::set<std::string>{"os-threads", "fairness"}));
  EXPECT_EQ(*ApplyCapabilityOverrides(caps, "syscalls,stack-limit", &error),
            (std::set<std::string>{"syscalls", "stack-limit"}));
  EXPECT_FALSE(ApplyCapabilityOverrides(caps, "-preemptve", &error));
  EXPECT_NE(error.find("unknown capability 'preemptve'"), std::string::npos);
  EXPECT_FALSE(ApplyCapabilityOverrides(caps, "-preemptive,fairness", &error));
  EXPECT_NE(error.find("either every entry"), std::string::npos);
}

}  // namespace
}  // namespace conform
