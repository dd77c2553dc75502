// Value: what panic carries and recover returns. A small stand-in for Go's
// interface{}: nil, an integer, a string, or a runtime error (whose message
// Go prints as "panic: <msg>", e.g. "send on closed channel").
#pragma once

#include <cstdint>
#include <string>
#include <variant>

namespace goruntime {

class Value {
 public:
  enum class Kind { kNil, kInt, kString, kRuntimeError };

  Value() = default;
  Value(int64_t i) : v_(i) {}                  // NOLINT: implicit like Go
  Value(int i) : v_(static_cast<int64_t>(i)) {}  // NOLINT
  Value(std::string s) : v_(std::move(s)) {}   // NOLINT
  Value(const char* s) : v_(std::string(s)) {}  // NOLINT

  // A runtime.Error with message `msg` (what the runtime itself panics with).
  static Value RuntimeError(std::string msg) {
    Value v;
    v.v_ = Err{std::move(msg)};
    return v;
  }

  Kind kind() const { return static_cast<Kind>(v_.index()); }
  bool is_nil() const { return kind() == Kind::kNil; }
  int64_t as_int() const { return std::get<int64_t>(v_); }
  // The string, or the error message for a runtime error.
  const std::string& as_string() const {
    if (auto* e = std::get_if<Err>(&v_)) return e->msg;
    return std::get<std::string>(v_);
  }

  // How Go's printpanicval shows the value after "panic: ".
  std::string ToString() const {
    switch (kind()) {
      case Kind::kNil: return "nil";
      case Kind::kInt: return std::to_string(as_int());
      default: return as_string();
    }
  }

  friend bool operator==(const Value& a, const Value& b) { return a.v_ == b.v_; }

 private:
  struct Err {
    std::string msg;
    friend bool operator==(const Err& a, const Err& b) { return a.msg == b.msg; }
  };
  std::variant<std::monostate, int64_t, std::string, Err> v_;
};

}  // namespace goruntime
