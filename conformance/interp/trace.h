// Trace events and where they go. One event per recording operation:
// {"g":<goroutine>,"op":"<kind>","value":"<text>"} as one JSON line.
#pragma once

#include <cstdint>
#include <compare>
#include <cstdio>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace conform {

struct Event {
  int64_t g = 0;  // 1 = main; others numbered in spawn order by the interpreter
  std::string op;
  std::string value;
  friend auto operator<=>(const Event&, const Event&) = default;
  friend bool operator==(const Event&, const Event&) = default;
};

// The event as one JSON line, without the newline.
std::string EventToJson(const Event& e);

// Parses one line written by EventToJson (or any driver following
// INTERPRETING.md); nullopt if it is not such an object.
std::optional<Event> EventFromJson(std::string_view line);

// Receives events from every goroutine; implementations are thread-safe.
class TraceSink {
 public:
  virtual ~TraceSink() = default;
  // Records e unless the sink has been closed.
  void Emit(const Event& e);
  // Drops every later event: the program has ended (main returned).
  void Close();

 protected:
  virtual void Write(const Event& e) = 0;  // called with mu_ held

 private:
  std::mutex mu_;
  bool closed_ = false;
};

// Writes JSON lines to a FILE, flushed per event so a fatal exit loses nothing.
class JsonLinesSink : public TraceSink {
 public:
  explicit JsonLinesSink(std::FILE* out) : out_(out) {}

 protected:
  void Write(const Event& e) override;

 private:
  std::FILE* out_;
};

// Keeps events in memory (tests).
class MemorySink : public TraceSink {
 public:
  std::vector<Event> events;  // read only after the program has finished

 protected:
  void Write(const Event& e) override { events.push_back(e); }
};

}  // namespace conform
