// A driver process for a real Go toolchain: translates the scenario to Go
// (go_codegen.h), builds it once (cached by content and by the toolchain's
// identity, go_toolchain.h), and runs it in place.
//   go_driver FILE.scn | --capabilities | --build FILE.scn
#pragma once

namespace conform {

// compiler: "gc" (the go command's default) or "gccgo". Never returns.
[[noreturn]] void RunGoDriver(int argc, char** argv, const char* compiler);

}  // namespace conform
