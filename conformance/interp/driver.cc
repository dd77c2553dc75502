#include "conformance/interp/driver.h"

#include <cstdio>
#include <cstdlib>
#include <string>

#include "conformance/interp/interpreter.h"
#include "conformance/lang/parser.h"

namespace conform {

void RunDriver(int argc, char** argv, RuntimeAdapter& adapter) {
  if (argc == 2 && std::string(argv[1]) == "--capabilities") {
    // Driver protocol 2 (INTERPRETING.md). Every family is declared native
    // until the adapters declare their own (native, engine or absent).
    std::printf("goconform-protocol 2\n");
    Capabilities caps = adapter.capabilities();
    for (const auto& name : lang::KnownCapabilities())
      if (caps.Has(name)) std::printf("capability %s\n", name.c_str());
    for (const char* family : {"defer", "panic", "goexit", "channels", "select", "deadlock", "numgoroutine", "timers"})
      std::printf("family %s native\n", family);
    std::printf("identity %s\n", adapter.name().c_str());
    std::exit(0);
  }
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s SCENARIO.scn\n", argc > 0 ? argv[0] : "driver");
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
