// A thread that waits for another lends itself to the other's parallel work: the window's
// thread, idle while the start-up load simulates, indexes half of the runs' indices beside
// the loading thread, instead of a thread made for it whose fresh heap faulted in its pages.
#pragma once

#include <atomic>
#include <condition_variable>
#include <exception>
#include <functional>
#include <mutex>
#include <vector>

namespace gilsim::viz {

class LentThread {
 public:
  // The working thread's side.
  /// Runs `work` on this thread and, at once, on the thread that serve()s (or, when none
  /// does yet, or it is lent to another caller, on a thread made for it, as before): `work`
  /// shares itself out (each call takes what is left). Returns once both calls have returned.
  void run_beside(const std::function<void()>& work);
  /// Runs `tasks` as run_beside() does, each task once: the serving thread (or the one made
  /// for it) takes them from the first on, this thread from the last back but never the first,
  /// so the first, when the costliest, goes to the thread served, whose heap was warmed for it
  /// (BackgroundLoad, WarmPool::indexer()), however late it comes to the work.
  void share(const std::vector<std::function<void()>>& tasks);
  /// No more work comes: serve() returns (at once, when it is not called yet).
  void finish();

  // The waiting thread's side.
  /// Runs each `work` run_beside() lends until finish() (a throw from it ends the program, as
  /// from a thread made for it). Before the first, `meanwhile(stop)` runs once, and must
  /// return soon after `stop` is set (work lent, or finish()).
  void serve(const std::function<void(const std::atomic<bool>& stop)>& meanwhile);

  /// How many run_beside() calls the serving thread took part in (the tests).
  int lent() const;

 private:
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  bool serving_ = false;
  bool finished_ = false;
  const std::function<void()>* work_ = nullptr;  ///< lent, not yet taken
  bool work_done_ = false;                       ///< the serving thread returned from work_
  std::exception_ptr failed_;                    ///< what work_ threw there, for the lender
  bool lending_ = false;                         ///< a run_beside() has lent the serving thread
  int lent_ = 0;
  std::atomic<bool> stop_meanwhile_{false};
};

}  // namespace gilsim::viz
