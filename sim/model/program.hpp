// Thread programs are C++20 coroutines: `co_await engine.compute(...)` reads like the Python
// it models, while the engine decides when each operation completes.
#pragma once

#include <array>
#include <coroutine>
#include <cstddef>
#include <exception>
#include <new>
#include <utility>

namespace gilsim::model {

/// Coroutine frames, recycled by size: each step of a job is a coroutine, and a big scenario
/// makes and ends hundreds of thousands of them (a malloc and a free each). Per OS thread, so
/// simulations on several threads share nothing; a frame freed on another thread than the
/// one that made it just joins that thread's lists. Sanitizer builds use plain new/delete,
/// so a frame used after its end is still caught.
class FramePool {
 public:
  static void* take(std::size_t bytes) {
    const std::size_t c = size_class(bytes);
    if (!kPooled || c >= kClasses) return ::operator new(bytes);
    Node*& head = lists().heads[c];
    if (head == nullptr) return ::operator new(c * kGrain);
    Node* n = head;
    head = n->next;
    return n;
  }
  static void give(void* frame, std::size_t bytes) noexcept {
    const std::size_t c = size_class(bytes);
    if (!kPooled || c >= kClasses) {
      ::operator delete(frame);
      return;
    }
    Node*& head = lists().heads[c];
    head = new (frame) Node{head};
  }

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
  static constexpr bool kPooled = false;
#else
  static constexpr bool kPooled = true;
#endif

 private:
  static constexpr std::size_t kGrain = 64;   ///< frames are pooled in sizes of 64-byte steps
  static constexpr std::size_t kClasses = 16;  ///< up to 960 bytes; larger frames are not pooled
  struct Node {
    Node* next = nullptr;
  };
  struct Lists {
    std::array<Node*, kClasses> heads{};
    Lists() = default;
    Lists(const Lists&) = delete;
    Lists& operator=(const Lists&) = delete;
    ~Lists() {
      for (Node* head : heads) {
        while (head != nullptr) ::operator delete(std::exchange(head, head->next));
      }
    }
  };
  static std::size_t size_class(std::size_t bytes) { return (bytes + kGrain - 1) / kGrain; }
  static Lists& lists() {
    thread_local Lists l;
    return l;
  }
};

/// A lazily started coroutine that can be awaited by another Program (symmetric transfer)
/// or started as the body of a simulated thread.
class [[nodiscard]] Program {
 public:
  struct promise_type {
    std::coroutine_handle<> continuation;
    static void* operator new(std::size_t bytes) { return FramePool::take(bytes); }
    static void operator delete(void* frame, std::size_t bytes) noexcept { FramePool::give(frame, bytes); }
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
