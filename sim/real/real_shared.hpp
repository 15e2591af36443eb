// Locks and counters of a real run (docs/model.md L1-L7, U1-U2): each lock an atomic holder
// that a thread takes with one compare-and-swap, as a semaphore's value is taken, waited for
// on a futex with the real GIL dropped; each counter a shared integer loaded and stored
// apart, so a forced switch between the two loses updates.
#pragma once

#include <atomic>
#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "sim/real/real_gil.hpp"
#include "sim/scenario/job_plan.hpp"
#include "sim/trace/trace_builder.hpp"

namespace gilsim::real {

class RealShared {
 public:
  RealShared(const scenario::Scenario& s, RunContext& ctx);

  /// One lane per lock, in `process` (the main process).
  void add_lanes(trace::TraceBuilder& builder, trace::ProcessId process);

  /// lock.acquire() by a thread holding the GIL (L1-L4). A wait that closes a wait-for
  /// cycle stops the run at once (L6), with the cycle in its trace, as a real program never
  /// would: its threads would wait forever. Throws RunAborted then and on abort.
  void acquire(GilSeat& seat, std::uint32_t lock, std::uint32_t job, std::uint16_t step);
  void release(GilSeat& seat, std::uint32_t lock);

  /// `await lock.acquire()` of an asyncio.Lock by the task on lane `task`, from the loop
  /// thread (L5): true when taken at once; otherwise the task is queued and must yield to
  /// the loop. A wait that closes a cycle of tasks stops the run (L6): no task can ever
  /// release a lock for it, so the loop would wait forever. Throws RunAborted then.
  bool acquire_as_task(Recorder& rec, trace::LaneId task, std::uint32_t lock);
  /// `lock.release()` by a task: the first waiting task, if any, is handed the lock (asyncio's
  /// locks are FIFO-fair) and returned, for the loop to make it ready.
  std::optional<trace::LaneId> release_as_task(Recorder& rec, std::uint32_t lock);
  /// `counter += 1` or `counter += f()` (U1): the load, the bytecode, the store; its Python
  /// time is the model's (costs.increment and the call, slower without a GIL, F2).
  void increment(GilSeat& seat, const scenario::PlannedStep& planned, std::uint32_t job, std::uint16_t step);

  std::optional<Time> deadlock_at() const;
  std::vector<trace::Counter> counters() const;

 private:
  struct Lock {
    Lock(std::string n, bool r) : name(std::move(n)), reentrant(r) {}
    std::string name;
    bool reentrant = false;
    trace::LaneId lane = trace::kNone;
    /// Taken by a compare-and-swap from kNone, outside mutex_, as CPython's lock (a semaphore)
    /// is: a waiter that wakes takes a lock it finds free at once (L3), and anyone may take
    /// it first (L4). Let go under mutex_, after the lane's record of the release.
    std::atomic<trace::LaneId> holder{trace::kNone};
    int depth = 0;                      ///< written by the holder alone
    std::deque<trace::LaneId> waiters;  ///< in the order they began to wait (mutex_)
    Time last_event{-1};
    /// Bumped by a release with waiters, which then wakes one of them (the longest waiting,
    /// in Linux's futex order, L3): the futex word the waiters sleep on.
    std::atomic<std::uint32_t> freed{0};
  };
  struct Counter {
    Counter(std::string n, std::int64_t start) : name(std::move(n)), initial(start), value(start) {}
    std::string name;
    std::int64_t initial = 0;
    /// Loaded and stored apart, never added to in place: without a GIL two threads race
    /// on the value (U3), which atomics keep a race of values rather than of memory.
    std::atomic<std::int64_t> value;
    std::atomic<std::int64_t> stores{0};
  };

  /// A lock-lane time strictly after the lock's previous event (mutex_ held).
  Time stamp(Lock& lock);
  /// A task's take, on the loop thread (mutex_ held): a free lock, or an RLock it holds.
  bool try_take(Lock& lock, trace::LaneId who, Recorder& rec);
  /// A thread's take (L1, L3, L4): one compare-and-swap, no mutex_; true when `who` holds it
  /// now. The caller records a fresh take (depth 1) under mutex_.
  static bool take_free(Lock& lock, trace::LaneId who);
  /// Records a thread's fresh take on the lock's lane (mutex_ held).
  void record_take(Lock& lock, trace::LaneId who, Recorder& rec);
  /// `who` starts waiting for lock `index`: the LockWait mark and the wait-for edge (mutex_ held).
  void begin_wait(Lock& lock, std::uint32_t index, trace::LaneId who, Recorder& rec, Time at);
  /// Marks each edge of `cycle` and notes the run's end there, at the cycle's last wait
  /// (L6; mutex_ held). The caller then stops the run with mutex_ released.
  void stop_at_deadlock(const std::vector<std::pair<trace::LaneId, std::uint32_t>>& cycle, Recorder& rec);
  /// The cycle through `who`, as (waiter, lock) pairs, or empty (mutex_ held).
  std::vector<std::pair<trace::LaneId, std::uint32_t>> cycle_from(trace::LaneId who) const;

  RunContext& ctx_;
  mutable std::mutex mutex_;
  std::deque<Lock> locks_;  ///< a deque: a Lock holds atomics, so it never moves
  std::deque<Counter> counters_;
  std::vector<std::uint32_t> waits_for_;  ///< by lane
  std::vector<Time> waiting_since_;       ///< by lane
  std::optional<Time> deadlock_at_;
  std::uint64_t increment_before_ = 0;  ///< busy-loop iterations of an increment before its load
  std::uint64_t increment_after_ = 0;   ///< and from its load to its store
  AbortHook wake_on_abort_;
};

}  // namespace gilsim::real
