#include "conformance/drivers/fiber/fiber_adapter.h"

#include <sys/syscall.h>
#include <unistd.h>

#include <bit>
#include <boost/version.hpp>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <thread>

#include "conformance/engine/liveness.h"

namespace conform {
namespace {

namespace wait_reason = engine::wait_reason;
using boost::fibers::channel_op_status;

// A Go channel as Boost.Fiber's own channel: unbuffered_channel for make(chan,
// 0), buffered_channel otherwise. Nothing is added to either.
class FiberChan : public Chan {
 public:
  explicit FiberChan(size_t go_capacity) {
    if (go_capacity == 0) {
      unbuffered_ = std::make_unique<boost::fibers::unbuffered_channel<int64_t>>();
    } else {
      // buffered_channel(n) throws unless n is a power of two >= 2, and its
      // ring holds n - 1 values: the smallest legal ring that holds
      // go_capacity (exactly go_capacity only when go_capacity + 1 is a
      // power of two).
      buffered_ = std::make_unique<boost::fibers::buffered_channel<int64_t>>(std::bit_ceil(go_capacity + 1));
    }
  }
  channel_op_status Push(int64_t v) { return unbuffered_ ? unbuffered_->push(v) : buffered_->push(v); }
  channel_op_status Pop(int64_t& v) { return unbuffered_ ? unbuffered_->pop(v) : buffered_->pop(v); }
  void Close() { unbuffered_ ? unbuffered_->close() : buffered_->close(); }

 private:
  std::unique_ptr<boost::fibers::unbuffered_channel<int64_t>> unbuffered_;
  std::unique_ptr<boost::fibers::buffered_channel<int64_t>> buffered_;
};

// Boost.Fiber has no nil channel: there is nothing of its own to call, and
// imitating Go's (block forever, or panic on close) would be ours, not
// Boost.Fiber's. So the driver stops, loudly.
[[noreturn]] void NoNilChannel(const char* op) {
  std::fflush(stdout);
  std::fprintf(stderr, "boost-fiber: %s the nil channel: Boost.Fiber has no nil channel\n", op);
  std::fflush(stderr);
  std::abort();
}

// Boost.Fiber's round_robin, which also tells the engine's deadlock detector
// when the dispatcher has nothing ready and no sleeping fiber to wait for:
// suspend_until(time_point::max()). With one thread and no fiber blocked
// outside Boost.Fiber, nothing can make a fiber ready again: Go's deadlock.
class DeadlockAwareRoundRobin : public boost::fibers::algo::round_robin {
 public:
  explicit DeadlockAwareRoundRobin(engine::DeadlockDetector<BoostFibers>* detector) : detector_(detector) {}

  void suspend_until(std::chrono::steady_clock::time_point const& until) noexcept override {
    if (until == (std::chrono::steady_clock::time_point::max)()) detector_->Idle();
    round_robin::suspend_until(until);
  }

 private:
  engine::DeadlockDetector<BoostFibers>* const detector_;
};

}  // namespace

Capabilities FiberAdapter::capabilities() const {
  return {"fairness"};  // round_robin: yield requeues at the tail
}

Families FiberAdapter::families() const {
  Families f;
  f.Set(Family::kChannels, Source::kNative);   // unbuffered_channel, buffered_channel, close
  f.Set(Family::kTimers, Source::kNative);     // this_fiber::sleep_for
  f.Set(Family::kSelect, Source::kAbsent);     // Boost.Fiber has no select
  f.Set(Family::kDeadlock, Source::kEngine);   // engine detector, on round_robin's idle hook
  f.Set(Family::kDefer, Source::kEngine);      // engine frames
  f.Set(Family::kPanic, Source::kEngine);      // engine frames
  f.Set(Family::kGoexit, Source::kEngine);     // engine frames
  f.Set(Family::kNumGoroutine, Source::kEngine);  // engine count
  return f;
}

std::vector<std::string> FiberAdapter::identity() const {
  return {"Boost.Fiber " + std::to_string(BOOST_VERSION / 100000) + "." + std::to_string(BOOST_VERSION / 100 % 1000) +
          "." + std::to_string(BOOST_VERSION % 100) + " (round_robin, one thread)"};
}

void FiberAdapter::RegisterInit(std::function<void()> fn) { inits_.push_back(std::move(fn)); }

void FiberAdapter::RunGoroutine(int64_t id, const std::function<void()>& body) {
  deadlock_.Enter(id);
  Frames::RunGoroutine(id, body);
  count_.Exited();
  deadlock_.Exited(id == 1);  // only main's Goexit reaches here for id 1
}

void FiberAdapter::RunProgram(std::function<void()> main) {
  boost::fibers::use_scheduling_algorithm<DeadlockAwareRoundRobin>(&deadlock_);
  const char* env = std::getenv("GOMAXPROCS");
  int n = env ? std::atoi(env) : 0;
  gomaxprocs_ = n > 0 ? n : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  const int64_t id = next_id_++;
  count_.Started();
  deadlock_.Started(id);
  RunGoroutine(id, [&] {
    for (auto& f : inits_) Call(f);
    main();
  });
  // main called Goexit: block this fiber for good; the others carry on.
  boost::fibers::mutex mu;
  boost::fibers::condition_variable cv;
  std::unique_lock<boost::fibers::mutex> lock(mu);
  for (;;) cv.wait(lock);
}

void FiberAdapter::Exit(int code) {
  std::fflush(stdout);
  std::fflush(stderr);
  _exit(code);
}

void FiberAdapter::Spawn(std::function<void()> body) {
  const int64_t id = next_id_++;
  count_.Started();
  deadlock_.Started(id);
  boost::fibers::fiber([this, id, body = std::move(body)] { RunGoroutine(id, body); }).detach();
}

int64_t FiberAdapter::ThreadId() { return static_cast<int64_t>(::syscall(SYS_gettid)); }

int FiberAdapter::Gomaxprocs(int n) {
  int prev = gomaxprocs_;
  if (n >= 1) gomaxprocs_ = n;
  return prev;
}

int64_t FiberAdapter::SetMaxStack(int64_t bytes) { return std::exchange(max_stack_, bytes); }

std::shared_ptr<Chan> FiberAdapter::MakeChan(size_t capacity) { return std::make_shared<FiberChan>(capacity); }

void FiberAdapter::Send(Chan* c, int64_t v) {
  if (!c) NoNilChannel("send on");
  auto token = deadlock_.Park(wait_reason::kChanSend);  // names the wait, should the push block
  channel_op_status st = static_cast<FiberChan*>(c)->Push(v);
  deadlock_.Unpark(token);
  // Boost.Fiber's own answer to a push on a closed channel (closed before the
  // push, or while it waited), raised as Go raises it.
  if (st == channel_op_status::closed) Panic(PanicValue::RuntimeError("send on closed channel"));
}

int64_t FiberAdapter::Recv(Chan* c, bool* ok) {
  if (!c) NoNilChannel("receive from");
  int64_t v = 0;
  auto token = deadlock_.Park(wait_reason::kChanReceive);
  channel_op_status st = static_cast<FiberChan*>(c)->Pop(v);
  deadlock_.Unpark(token);
  *ok = st == channel_op_status::success;
  return *ok ? v : 0;  // closed and drained: the zero value
}

void FiberAdapter::Close(Chan* c) {
  if (!c) NoNilChannel("close of");
  static_cast<FiberChan*>(c)->Close();
}

int FiberAdapter::Select(std::vector<SelectCase>&, bool) { AbsentFamily(name(), Family::kSelect); }

}  // namespace conform
