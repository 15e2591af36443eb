// Thread programs are C++20 coroutines: `co_await engine.compute(...)` reads like the Python
// it models, while the engine decides when each operation completes.
#pragma once

#include <coroutine>
#include <exception>
#include <utility>

namespace gilsim::model {

/// A lazily started coroutine that can be awaited by another Program (symmetric transfer)
/// or started as the body of a simulated thread.
class [[nodiscard]] Program {
 public:
  struct promise_type {
    std::coroutine_handle<> continuation;
    Program get_return_object() { return Program{std::coroutine_handle<promise_type>::from_promise(*this)}; }
    std::suspend_always initial_suspend() noexcept { return {}; }
    struct FinalAwaiter {
      bool await_ready() noexcept { return false; }
      std::coroutine_handle<> await_suspend(std::coroutine_handle<promise_type> h) noexcept {
        auto next = h.promise().continuation;
        return next ? next : std::noop_coroutine();
      }
      void await_resume() noexcept {}
    };
    FinalAwaiter final_suspend() noexcept { return {}; }
    void return_void() {}
    void unhandled_exception() { std::terminate(); }
  };

  Program() = default;
  explicit Program(std::coroutine_handle<promise_type> h) : handle_(h) {}
  Program(Program&& o) noexcept : handle_(std::exchange(o.handle_, {})) {}
  Program& operator=(Program&& o) noexcept {
    if (this != &o) {
      if (handle_) handle_.destroy();
      handle_ = std::exchange(o.handle_, {});
    }
    return *this;
  }
  Program(const Program&) = delete;
  Program& operator=(const Program&) = delete;
  ~Program() {
    if (handle_) handle_.destroy();
  }

  bool done() const { return !handle_ || handle_.done(); }
  std::coroutine_handle<> handle() const { return handle_; }

  // Awaiting a Program runs it to completion, then continues the awaiter.
  bool await_ready() const noexcept { return done(); }
  std::coroutine_handle<> await_suspend(std::coroutine_handle<> awaiter) noexcept {
    handle_.promise().continuation = awaiter;
    return handle_;
  }
  void await_resume() const noexcept {}

 private:
  std::coroutine_handle<promise_type> handle_;
};

}  // namespace gilsim::model
