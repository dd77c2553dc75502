// Fatal errors and process exit, with Go's messages and exit statuses.
#pragma once

#include <string>

namespace goruntime::detail {

// Writes msg to stderr in one piece; concurrent fatal writers do not interleave.
void FatalWrite(const std::string& msg);

// Flushes stdio and ends the process with `code` (no destructors run).
[[noreturn]] void ExitProcess(int code);

// Go's fatal(): "fatal error: <msg>", exit 2. A user-visible runtime error.
[[noreturn]] void Fatal(const std::string& msg);

// Go's throw(): an internal invariant broke ("fatal error: <msg>", exit 2).
[[noreturn]] void FatalThrow(const std::string& msg);

}  // namespace goruntime::detail
