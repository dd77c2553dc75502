#include "conformance/interp/trace.h"

#include <cctype>

namespace conform {
namespace {

std::string JsonString(std::string_view s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      case '\r': out += "\\r"; break;
      default:
        if (c < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  return out + "\"";
}

// A tiny reader for the flat objects EventToJson writes.
class Reader {
 public:
  explicit Reader(std::string_view s) : s_(s) {}
  void Space() { while (k_ < s_.size() && std::isspace(static_cast<unsigned char>(s_[k_]))) ++k_; }
  bool Eat(char c) { Space(); if (k_ < s_.size() && s_[k_] == c) { ++k_; return true; } return false; }
  bool AtEnd() { Space(); return k_ == s_.size(); }
  std::optional<std::string> String() {
    if (!Eat('"')) return std::nullopt;
    std::string out;
    while (k_ < s_.size()) {
      char c = s_[k_++];
      if (c == '"') return out;
      if (c != '\\') { out += c; continue; }
      if (k_ >= s_.size()) return std::nullopt;
      char e = s_[k_++];
      switch (e) {
        case '"': case '\\': case '/': out += e; break;
        case 'n': out += '\n'; break;
        case 't': out += '\t'; break;
        case 'r': out += '\r'; break;
        case 'u': {
          if (k_ + 4 > s_.size()) return std::nullopt;
          unsigned v = 0;
          for (int j = 0; j < 4; ++j) {
            char h = s_[k_++];
            if (!std::isxdigit(static_cast<unsigned char>(h))) return std::nullopt;
            v = v * 16 + (std::isdigit(static_cast<unsigned char>(h)) ? h - '0' : (std::tolower(h) - 'a' + 10));
          }
          if (v >= 0x80) return std::nullopt;  // events are ASCII
          out += static_cast<char>(v);
          break;
        }
        default: return std::nullopt;
      }
    }
    return std::nullopt;
  }
  std::optional<int64_t> Int() {
    Space();
    size_t start = k_;
    if (k_ < s_.size() && s_[k_] == '-') ++k_;
    const size_t digits = k_;
    while (k_ < s_.size() && std::isdigit(static_cast<unsigned char>(s_[k_]))) ++k_;
    if (k_ == digits || k_ - start > 18) return std::nullopt;  // a lone "-" is not a number
    return std::stoll(std::string(s_.substr(start, k_ - start)));
  }

 private:
  std::string_view s_;
  size_t k_ = 0;
};

}  // namespace

std::string EventToJson(const Event& e) {
  return "{\"g\":" + std::to_string(e.g) + ",\"op\":" + JsonString(e.op) +
         ",\"value\":" + JsonString(e.value) + "}";
}

std::optional<Event> EventFromJson(std::string_view line) {
  Reader r(line);
  Event e;
  bool g = false, op = false, value = false;
  if (!r.Eat('{')) return std::nullopt;
  if (r.Eat('}')) return std::nullopt;
  do {
    auto key = r.String();
    if (!key || !r.Eat(':')) return std::nullopt;
    if (*key == "g") {
      auto v = r.Int();
      if (!v) return std::nullopt;
      e.g = *v;
      g = true;
    } else if (*key == "op" || *key == "value") {
      auto v = r.String();
      if (!v) return std::nullopt;
      (*key == "op" ? e.op : e.value) = *v;
      (*key == "op" ? op : value) = true;
    } else {
      return std::nullopt;
    }
  } while (r.Eat(','));
  if (!r.Eat('}') || !r.AtEnd() || !g || !op || !value) return std::nullopt;
  return e;
}

void TraceSink::Emit(const Event& e) {
  std::lock_guard<std::mutex> lock(mu_);
  if (!closed_) Write(e);
}

void TraceSink::Close() {
  std::lock_guard<std::mutex> lock(mu_);
  closed_ = true;
}

void JsonLinesSink::Write(const Event& e) {
  std::string line = EventToJson(e) + "\n";
  std::fwrite(line.data(), 1, line.size(), out_);
  std::fflush(out_);
}

}  // namespace conform
