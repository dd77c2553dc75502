#include "conformance/runner/runtimes.h"

#include <unistd.h>

#include <cstdlib>
#include <sstream>

namespace conform {

const std::vector<RuntimeInfo>& Runtimes() {
  static const std::vector<RuntimeInfo> kRuntimes = {
      {"reference", "conformance/drivers/reference/reference_driver", {}, false, "the reference G/M/P runtime (//runtime)"},
      {"thread", "conformance/drivers/thread/thread_driver", {}, false, "baseline: one OS thread per goroutine"},
      {"go", "conformance/drivers/go/go_driver", {"go"}, true, "Go gc (system go)"},
      {"gccgo", "conformance/drivers/go/gccgo_driver", {"go", "gccgo"}, true, "gccgo's libgo"},
      {"fiber", "conformance/drivers/fiber/fiber_driver", {}, false, "Boost.Fiber"},
  };
  return kRuntimes;
}

const RuntimeInfo* FindRuntime(const std::string& name) {
  for (const auto& r : Runtimes())
    if (r.name == name) return &r;
  return nullptr;
}

std::string ExpectationsPath(const std::string& runtime) { return "conformance/expectations/" + runtime + ".txt"; }

std::string MissingTool(const RuntimeInfo& info) {
  const char* path = std::getenv("PATH");
  for (const auto& tool : info.tools) {
    bool found = false;
    std::stringstream dirs(path ? path : "/usr/bin:/bin");
    std::string dir;
    while (!found && std::getline(dirs, dir, ':'))
      found = !dir.empty() && access((dir + "/" + tool).c_str(), X_OK) == 0;
    if (!found) return tool;
  }
  return "";
}

}  // namespace conform
