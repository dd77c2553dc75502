// Channels and select, as in Go: unbuffered channels are a rendezvous,
// buffered ones are FIFO, a nil channel blocks forever, and select picks
// uniformly at random among ready cases. See channel/hchan.h for the engine.
#pragma once

#include <cstddef>
#include <memory>
#include <new>
#include <utility>
#include <vector>

#include "runtime/channel/hchan.h"

namespace goruntime {

template <class T>
class Chan {
 public:
  // The nil channel: operations on it block forever; Close panics.
  Chan() = default;

  // make(chan T, capacity).
  static Chan Make(size_t capacity = 0) {
    return Chan(std::make_shared<detail::HChan>(capacity, &detail::ElemOpsFor<T>::ops));
  }

  // Sends v, blocking until a receiver takes it (or a buffer slot is free).
  // Panics "send on closed channel" if the channel is or becomes closed.
  void Send(T v) const { detail::ChanSend(h_.get(), &v); }

  // Receives a value; *ok (if given) is false when the value is the zero value
  // produced by a closed, drained channel.
  T Recv(bool* ok = nullptr) const {
    alignas(T) unsigned char buf[sizeof(T)];
    bool got = detail::ChanRecv(h_.get(), buf);
    if (ok) *ok = got;
    if (!got) return T{};
    T* p = std::launder(reinterpret_cast<T*>(buf));
    T out = std::move(*p);
    p->~T();
    return out;
  }

  // Closes the channel. Panics on a nil or already-closed channel.
  void Close() const { detail::ChanClose(h_.get()); }

  size_t Len() const { return h_ ? detail::ChanLen(h_.get()) : 0; }
  size_t Cap() const { return h_ ? h_->capacity() : 0; }
  bool is_nil() const { return h_ == nullptr; }
  detail::HChan* raw() const { return h_.get(); }

  friend bool operator==(const Chan& a, const Chan& b) { return a.h_ == b.h_; }

 private:
  explicit Chan(std::shared_ptr<detail::HChan> h) : h_(std::move(h)) {}
  std::shared_ptr<detail::HChan> h_;
};

// One case of a select. Built with SendCase / RecvCase; the channel operands
// and the sent value are evaluated when the case is built, i.e. once, in order.
class SelectCase {
 public:
  SelectCase(detail::SelCase c, std::shared_ptr<void> keep) : c_(c), keep_(std::move(keep)) {}
  detail::SelCase& raw() { return c_; }

 private:
  detail::SelCase c_;
  std::shared_ptr<void> keep_;  // owns the value to send
};

template <class T>
SelectCase SendCase(const Chan<T>& c, T v) {
  auto owned = std::make_shared<T>(std::move(v));
  return SelectCase(detail::SelCase{c.raw(), /*is_send=*/true, owned.get(), nullptr, nullptr}, owned);
}

// `out` receives the value (zero value when closed), or null to discard it;
// `ok` as in v, ok := <-c.
template <class T>
SelectCase RecvCase(const Chan<T>& c, T* out, bool* ok = nullptr) {
  return SelectCase(detail::SelCase{c.raw(), /*is_send=*/false, nullptr, out, ok}, nullptr);
}

// Go's select. Returns the index of the case that ran, or -1 if `has_default`
// and no case was ready. With no cases and no default it blocks forever.
int Select(std::vector<SelectCase>& cases, bool has_default);

}  // namespace goruntime
