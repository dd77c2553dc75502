// What the engine's parts need from the system a runtime runs on (its
// "substrate": OS threads, Boost.Fiber fibers, ...). Each part asks only for
// the pieces it uses, stated as a concept, so an adapter provides no more
// than the parts it borrows:
//  - LocalStorage: per-goroutine state (frames, the deadlock detector);
//  - Blocking: a mutex and a condition variable that block only the calling
//    goroutine (channels, select);
//  - Sleeping: a sleep that blocks only the calling goroutine (timers).
#pragma once

#include <chrono>
#include <concepts>

namespace conform::engine {

// Sys::Local<T>() is the calling goroutine's own T, value-initialised on its
// first use in that goroutine and never shared with another.
template <class Sys>
concept LocalStorage = requires {
  { Sys::template Local<int>() } -> std::same_as<int&>;
};

// Sys::Mutex and Sys::CondVar behave as std::mutex and
// std::condition_variable (wait with a std::unique_lock<Sys::Mutex> and a
// predicate, notify_all), blocking the calling goroutine only.
template <class Sys>
concept Blocking = requires(typename Sys::Mutex& mu, typename Sys::CondVar& cv) {
  mu.lock();
  mu.unlock();
  cv.notify_all();
};

// Sys::SleepFor(d) blocks the calling goroutine, and only it, for at least d.
template <class Sys>
concept Sleeping = requires(std::chrono::milliseconds d) { Sys::SleepFor(d); };

}  // namespace conform::engine
