// Clang thread-safety annotations (-Wthread-safety), in the spelling google/marl
// and Abseil use. Every lock-guarded field in the runtime names its lock.
#pragma once

#if defined(__clang__)
#define GORT_TSA(x) __attribute__((x))
#else
#define GORT_TSA(x)
#endif

#define CAPABILITY(x) GORT_TSA(capability(x))
#define SCOPED_CAPABILITY GORT_TSA(scoped_lockable)
#define GUARDED_BY(x) GORT_TSA(guarded_by(x))
#define PT_GUARDED_BY(x) GORT_TSA(pt_guarded_by(x))
#define REQUIRES(...) GORT_TSA(requires_capability(__VA_ARGS__))
#define EXCLUDES(...) GORT_TSA(locks_excluded(__VA_ARGS__))
#define ACQUIRE(...) GORT_TSA(acquire_capability(__VA_ARGS__))
#define RELEASE(...) GORT_TSA(release_capability(__VA_ARGS__))
#define TRY_ACQUIRE(...) GORT_TSA(try_acquire_capability(__VA_ARGS__))
#define NO_THREAD_SAFETY_ANALYSIS GORT_TSA(no_thread_safety_analysis)
