// Why a goroutine is waiting: Go's waitReason (runtime2.go), printed in the
// goroutine headers of tracebacks ("goroutine 1 [chan receive]:").
#pragma once

#include <cstdint>

namespace goruntime::detail {

enum class WaitReason : uint8_t {
  kZero,               // no reason recorded: printed as "waiting"
  kChanReceive,        // <-c
  kChanSend,           // c <- v
  kChanReceiveNilChan, // <-c on a nil channel
  kChanSendNilChan,    // c <- v on a nil channel
  kSelect,             // a select with no ready case (also one whose cases are all nil)
  kSelectNoCases,      // select {}
  kSleep,              // time.Sleep
  kPanicWait,          // main waiting for a panicking goroutine to finish dying
};

// Go's string for the reason (waitReasonStrings).
inline const char* WaitReasonString(WaitReason r) {
  switch (r) {
    case WaitReason::kZero: return "waiting";
    case WaitReason::kChanReceive: return "chan receive";
    case WaitReason::kChanSend: return "chan send";
    case WaitReason::kChanReceiveNilChan: return "chan receive (nil chan)";
    case WaitReason::kChanSendNilChan: return "chan send (nil chan)";
    case WaitReason::kSelect: return "select";
    case WaitReason::kSelectNoCases: return "select (no cases)";
    case WaitReason::kSleep: return "sleep";
    case WaitReason::kPanicWait: return "panicwait";
  }
  return "waiting";
}

}  // namespace goruntime::detail
