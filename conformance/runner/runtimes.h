// The runtimes the suite knows how to run: one row per runtime, so adding a
// driver is one line here (and one `data` line in tools/BUILD).
#pragma once

#include <string>
#include <vector>

namespace conform {

struct RuntimeInfo {
  std::string name;         // --runtime=NAME
  std::string driver;       // the driver binary, relative to the runfiles root
  std::vector<std::string> tools;  // programs needed on PATH at run time
  bool prebuild = false;    // the driver has `--build FILE` (compile before timing)
  std::string description;
};

// Every known runtime, in matrix column order.
const std::vector<RuntimeInfo>& Runtimes();

// The runtime called `name`, or nullptr.
const RuntimeInfo* FindRuntime(const std::string& name);

// The expectations file of a runtime, relative to the workspace root.
std::string ExpectationsPath(const std::string& runtime);

// The first of info.tools missing from PATH; empty when all are there.
std::string MissingTool(const RuntimeInfo& info);

}  // namespace conform
