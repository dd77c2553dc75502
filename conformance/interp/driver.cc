#include "conformance/interp/driver.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "conformance/interp/interpreter.h"
#include "conformance/lang/parser.h"

namespace conform {

bool DescribeDriver(const RuntimeAdapter& adapter, std::string* out, std::string* error) {
  std::string text = "goconform-protocol " + std::to_string(kDriverProtocolVersion) + "\n";
  const auto& known = lang::KnownCapabilities();
  const Capabilities caps = adapter.capabilities();
  for (const std::string& cap : caps.names()) {
    // A misspelt capability would silently mark its scenarios UNSUPPORTED.
    if (std::find(known.begin(), known.end(), cap) == known.end()) {
      *error = adapter.name() + " declares unknown capability '" + cap + "' (not in spec/clauses.txt)";
      return false;
    }
    text += "capability " + cap + "\n";
  }
  const Families families = adapter.families();
  for (Family f : kAllFamilies)
    text += std::string("family ") + FamilyName(f) + " " + SourceName(families.Of(f)) + "\n";
  for (const std::string& id : adapter.identity()) {
    if (id.empty() || id.find_first_of("\r\n") != std::string::npos) {
      *error = adapter.name() + " declares an identity that is not one non-empty line";
      return false;
    }
    text += "identity " + id + "\n";
  }
  *out = std::move(text);
  return true;
}

void RunDriver(int argc, char** argv, RuntimeAdapter& adapter) {
  if (argc == 2 && std::string(argv[1]) == "--capabilities") {
    std::string text, error;
    if (!DescribeDriver(adapter, &text, &error)) {
      std::fprintf(stderr, "%s\n", error.c_str());
      std::exit(kDriverErrorExit);
    }
    std::fputs(text.c_str(), stdout);
    std::exit(0);
  }
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s SCENARIO.scn | --capabilities\n", argc > 0 ? argv[0] : "driver");
    std::exit(kDriverErrorExit);
  }
  lang::ParseError err;
  // Both live until the process exits, which the runtime does from inside Run.
  static std::optional<lang::Scenario> sc;
  sc = lang::ParseFile(argv[1], &err);
  if (!sc) {
    std::fprintf(stderr, "%s\n", err.ToString().c_str());
    std::exit(kDriverErrorExit);
  }
  static JsonLinesSink sink(stdout);
  static Interpreter* interp = new Interpreter(*sc, adapter, sink);
  interp->Run();
}

}  // namespace conform
