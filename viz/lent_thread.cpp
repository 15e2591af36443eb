// The waiting thread's loan.
#include "viz/lent_thread.hpp"

#include <exception>
#include <thread>
#include <utility>

namespace gilsim::viz {

void LentThread::run_beside(const std::function<void()>& work) {
  // Each side's throw is kept until both are done (the other side reads `work`, which is the
  // caller's), then the caller's own first: out of memory in the indexing lent to the other
  // thread reaches the viewer, which says what ran out, rather than ending the program.
  std::exception_ptr mine;
  std::unique_lock lock(mutex_);
  if (!serving_ || finished_ || lending_) {  // lent to another lender meanwhile: not waited for
    lock.unlock();
    std::exception_ptr theirs;
    {
      std::jthread beside([&work, &theirs] {
        try {
          work();
        } catch (...) {
          theirs = std::current_exception();
        }
      });
      try {
        work();
      } catch (...) {
        mine = std::current_exception();
      }
    }
    if (mine) std::rethrow_exception(mine);
    if (theirs) std::rethrow_exception(theirs);
    return;
  }
  lending_ = true;
  work_ = &work;
  work_done_ = false;
  stop_meanwhile_.store(true, std::memory_order_relaxed);
  lock.unlock();
  changed_.notify_all();
  try {
    work();
  } catch (...) {
    mine = std::current_exception();
  }
  lock.lock();
  changed_.wait(lock, [this] { return work_done_; });
  lending_ = false;
  const std::exception_ptr theirs = std::exchange(failed_, nullptr);
  lock.unlock();
  if (mine) std::rethrow_exception(mine);
  if (theirs) std::rethrow_exception(theirs);
}

void LentThread::share(const std::vector<std::function<void()>>& tasks) {
  std::mutex taking;
  std::size_t front = 0, back = tasks.size();  // the tasks not taken: [front, back)
  const std::thread::id lender = std::this_thread::get_id();
  run_beside([&] {
    const bool from_back = std::this_thread::get_id() == lender;
    // The first is left to the other thread even when it comes late (a busy core): the lender
    // waits for it anyway, and would take it to a heap that was not warmed for it.
    const std::size_t first_left = from_back ? 1 : 0;
    for (;;) {
      std::size_t i = 0;
      {
        const std::lock_guard lock(taking);
        if (back - front <= (front == 0 ? first_left : 0)) return;
        i = from_back ? --back : front++;
      }
      tasks[i]();
    }
  });
}

void LentThread::finish() {
  {
    const std::lock_guard lock(mutex_);
    finished_ = true;
    stop_meanwhile_.store(true, std::memory_order_relaxed);
  }
  changed_.notify_all();
}

void LentThread::serve(const std::function<void(const std::atomic<bool>& stop)>& meanwhile) {
  {
    const std::lock_guard lock(mutex_);
    if (finished_) return;
    serving_ = true;
  }
  if (meanwhile) meanwhile(stop_meanwhile_);
  std::unique_lock lock(mutex_);
  for (;;) {
    changed_.wait(lock, [this] { return work_ != nullptr || finished_; });
    if (work_ == nullptr) break;  // finished
    const std::function<void()>& work = *std::exchange(work_, nullptr);
    ++lent_;
    lock.unlock();
    std::exception_ptr failed;  // the lender's to throw, once it has waited for this
    try {
      work();
    } catch (...) {
      failed = std::current_exception();
    }
    lock.lock();
    failed_ = failed;
    work_done_ = true;
    changed_.notify_all();
  }
  serving_ = false;
}

int LentThread::lent() const {
  const std::lock_guard lock(mutex_);
  return lent_;
}

}  // namespace gilsim::viz
