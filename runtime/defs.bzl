"""Build settings for code that runs on goroutine stacks.

Goroutine stacks grow as split stacks (runtime/stack/stack.h). Code that runs
on them is best compiled with GOROUTINE_COPTS (-fsplit-stack): its frames are
checked and continue on a new segment when the stack is short, so it can
recurse up to the SetMaxStack limit like Go code.

Code compiled without it still runs safely on goroutine stacks: below every
split-stack limit there are at least 16 KiB for it, and guard pages below
that. It cannot grow the stack itself, only through the split-stack code it
calls. Use GOROUTINE_NOSPLIT_COPTS for such code (it probes large frames page
by page, so none jumps a guard page). clang cannot compile a C variadic
function with -fsplit-stack ("Segmented stacks do not support vararg
functions"), and libstdc++'s std::to_string(double) is one: a file that uses
it must use GOROUTINE_NOSPLIT_COPTS. GOROUTINE_COPTS probes too, for the
no_split_stack functions among split ones. Code built with neither list (a
system library) is not probed: a frame there larger than the 16 KiB headroom
plus the 4 KiB guard that writes its lowest bytes first could still skip the
guard (runtime/stack/stack.h, Known limits).

Sanitizer and fuzzing builds keep fixed stacks (--define=gort_stacks=fixed,
set by --config=tsan/asan/fuzz); both lists then only probe large frames.

Tests that use the runtime link it statically (linkstatic = True), so that one
copy of libgcc's split-stack support and of the runtime's wrappers serves the
whole program. //runtime is never a shared library.
"""

GOROUTINE_COPTS = select({
    "//runtime:fixed_stacks": ["-fstack-clash-protection"],
    # -fstack-clash-protection: a no_split_stack function's large frame is
    # probed page by page, so it hits the guard instead of jumping it.
    "//conditions:default": ["-fsplit-stack", "-fstack-clash-protection"],
})

GOROUTINE_NOSPLIT_COPTS = ["-fstack-clash-protection"]
