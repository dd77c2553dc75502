// How the engine's blocking parts (channels, select, timers) tell a liveness
// tracker, the deadlock detector (deadlock.h), when a goroutine stops and
// starts waiting. It is an interface so that those parts do not depend on
// the detector: an adapter that borrows channels but has its own deadlock
// detection passes its own Liveness, or none.
#pragma once

namespace conform::engine {

// Go's wait reasons, as its traceback prints them (waitReasonStrings in
// runtime/runtime2.go), for the goroutine headers of a deadlock report.
namespace wait_reason {
inline constexpr const char kChanReceive[] = "chan receive";
inline constexpr const char kChanSend[] = "chan send";
inline constexpr const char kChanReceiveNil[] = "chan receive (nil chan)";
inline constexpr const char kChanSendNil[] = "chan send (nil chan)";
inline constexpr const char kSelect[] = "select";
inline constexpr const char kSelectNoCases[] = "select (no cases)";
inline constexpr const char kSleep[] = "sleep";
}  // namespace wait_reason

class Liveness {
 public:
  // Identifies a parked goroutine to the goroutine that wakes it.
  using Token = void*;

  virtual ~Liveness() = default;

  // The calling goroutine is about to wait until another goroutine wakes it;
  // `reason` is one of wait_reason. May end the process (Go's deadlock
  // report) when nothing could ever wake anyone. Returns the caller's token.
  virtual Token Park(const char* reason) = 0;

  // The goroutine holding `t` can run again. Called by whoever woke it,
  // before it runs, so a wake-up in flight never looks like a deadlock.
  virtual void Unpark(Token t) = 0;

  // The calling goroutine starts (+1) or stops (-1) a wait that ends by
  // itself (a timer, a blocking system call): while any exists, nobody is
  // deadlocked.
  virtual void SelfWaking(int delta) = 0;
};

}  // namespace conform::engine
