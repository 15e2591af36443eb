// What the jobs of a run share: user locks (threading.Lock and RLock, asyncio.Lock,
// multiprocessing.Lock), each a small resource with its own queue of waiters and its own
// lane, and shared counters whose `+= 1` runs as LOAD, ADD, STORE (docs/model.md L1-L8, U1-U4).
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <optional>
#include <vector>

#include "sim/model/engine.hpp"
#include "sim/scenario/job_plan.hpp"

namespace gilsim::model {

/// One user lock: who holds it (a thread or task lane), how deep (RLock), who waits.
class UserLock {
 public:
  struct Waiter {
    trace::LaneId who = trace::kNone;
    ThreadId thread = 0;          ///< a thread waiter: notified when woken
    std::uint32_t task = trace::kNone;  ///< a task waiter: handed the lock through the loop
  };

  UserLock(std::string name, bool reentrant) : name_(std::move(name)), reentrant_(reentrant) {}

  const std::string& name() const { return name_; }
  bool reentrant() const { return reentrant_; }
  trace::LaneId lane() const { return lane_; }
  void set_lane(trace::LaneId lane) { lane_ = lane; }
  trace::LaneId holder() const { return holder_; }
  bool free() const { return holder_ == trace::kNone; }
  std::size_t waiting() const { return waiters_.size(); }
  bool has_waiters() const { return !waiters_.empty(); }
  bool first_waiter_is_thread() const { return waiters_.front().task == trace::kNone; }

  /// Takes a free lock, or enters an RLock again. False when another holder has it.
  bool try_take(trace::TraceBuilder& trace, Time now, trace::LaneId who);
  /// Releases one level; at depth zero the lock is free and the waiter the OS wakes first
  /// (the longest waiter, L3) is returned so the caller can wake it.
  std::optional<Waiter> release(trace::TraceBuilder& trace, Time now, trace::LaneId who);
  /// Queues a waiter at the back, as a new futex wait does (L2, L4).
  void enqueue(const Waiter& w) { waiters_.push_back(w); }
  int depth() const { return depth_; }
  /// try_take() of a free lock by a caller that records its Held span itself (a stretch's
  /// steps in one piece, docs/model.md U4).
  void take_unrecorded(trace::LaneId who) {
    holder_ = who;
    depth_ = 1;
  }
  /// release() of its last level by a caller that records the span itself.
  std::optional<Waiter> release_unrecorded() {
    holder_ = trace::kNone;
    depth_ = 0;
    return next_woken();
  }

 private:
  /// The waiter a release wakes: the longest (L3), out of the queue.
  std::optional<Waiter> next_woken() {
    if (waiters_.empty()) return std::nullopt;
    const Waiter first = waiters_.front();
    waiters_.pop_front();
    return first;
  }

  std::string name_;
  bool reentrant_ = false;
  trace::LaneId lane_ = trace::kNone;
  trace::LaneId holder_ = trace::kNone;
  int depth_ = 0;
  std::deque<Waiter> waiters_;
};

/// A shared integer: the value and how many stores ran (to tell a lost update, U2).
struct SharedCounter {
  std::string name;
  std::int64_t initial = 0;
  std::int64_t value = 0;
  std::int64_t stores = 0;
};

class SharedState {
 public:
  SharedState(const scenario::Scenario& s, Engine& engine);

  /// Adds one lane per lock, owned by `process` (the main process).
  void add_lanes(trace::ProcessId process);

  /// `with lock:` on a thread holding the GIL, in the order a program awaits them: the
  /// statement's own work (with_statement), then acquire() without blocking, which takes a
  /// free lock at once with the GIL kept (L1), and only when it was held the blocking wait.
  /// A free lock costs no coroutine frame: lesson 15 takes one 80,000 times per run.
  bool try_acquire(ThreadId t, std::uint32_t lock);
  /// The held lock waited for with the GIL dropped (L2-L4), and the GIL taken back.
  Program wait_to_acquire(ThreadId t, std::uint32_t lock, std::uint32_t job, std::uint16_t step);
  /// L7: the `with` (or `async with`) statement's own bytecode and its calls of acquire()
  /// and __exit__, as Python work before the acquire, without a check point of its own.
  Operation with_statement(ThreadId t, std::uint32_t job, std::uint16_t step);
  /// lock.release() by a thread or task lane; wakes the lock's first waiter. True when
  /// that waiter is a thread asleep on the lock, whose wake the releaser pays (L8).
  bool release(trace::LaneId who, std::uint32_t lock);
  /// L8: the releaser's time in release() waking a sleeping waiter: C code with the GIL held
  /// and no check point, while the lock is already free for the woken thread to take.
  Operation release_wake(ThreadId t, std::uint32_t job, std::uint16_t step);
  /// Whether a release of `lock` now wakes a thread asleep on it, at a price (L8): a stretch
  /// of steps in one piece leaves such a release to the long way.
  bool release_costs_a_wake(const UserLock& lock) const {
    return lock.has_waiters() && lock.depth() == 1 && lock.first_waiter_is_thread() && release_wake_ > Time::zero();
  }

  /// asyncio.Lock.acquire() by a task: true when taken at once; otherwise the task is
  /// queued and must yield to the loop (L5); `on_task_woken` hands it the lock later.
  bool acquire_as_task(trace::LaneId who, std::uint32_t task, std::uint32_t lock);
  std::function<void(std::uint32_t task)> on_task_woken;

  /// `counter += 1` (or `+= f()`) on a thread holding the GIL, with CPython 3.11's check
  /// points: the back edge of the loop, and the call's RESUME between the load and the store (U1).
  /// Runs `count` increment steps of `job`, from `first`, one after another: a run of them
  /// (lesson 15's 20,000) takes one coroutine frame, not one each. Each costs the loop's own
  /// bytecode (costs.increment) and f()'s Python work (the step's duration). An asyncio task
  /// passes its lane as `task_lane`: it shows each step as Running there as it starts it.
  /// It stops before a step of another kind among the `count`: where it stopped goes to
  /// `stopped` (a thread's job passes the rest of its steps, and learns where its run of
  /// increments ended without looking ahead). `at_once_first` false: the caller's
  /// increments_at_once() (or steps_at_once()) has just stopped at `first`, which a second
  /// ask would only find again: its statement goes the long way without asking.
  Program increment(ThreadId t, const scenario::PlannedJob& job, std::size_t first, std::size_t count,
                    const scenario::EffectiveSettings& settings, trace::LaneId task_lane = trace::kNone,
                    std::size_t* stopped = nullptr, bool at_once_first = true);
  /// The increment steps of `job` from `first` (before `end`, and before the first step of
  /// another kind) that run now, one after another, with nothing that could come between
  /// them (U4): where the next is to start.
  std::size_t increments_at_once(ThreadId t, const scenario::PlannedJob& job, std::size_t first, std::size_t end,
                                 const scenario::EffectiveSettings& settings, trace::LaneId task_lane = trace::kNone);
  /// The lock and counter steps of `job` from `first` (acquire, increment, release) that
  /// thread `t` runs now with nothing that could come between them (U4): where the next is
  /// to start, `first` when none does. An asyncio task passes its lane.
  /// Where either of these two stops, it stops because that step cannot run at once now (it
  /// would not end before the stretch's end or within its events, its lock is held, it is of
  /// another kind) or because no stretch is left: asked again at once from there, with
  /// nothing done in between, either returns where it was asked. A caller goes the long way
  /// there without asking.
  std::size_t steps_at_once(ThreadId t, const scenario::PlannedJob& job, std::size_t first,
                            const scenario::EffectiveSettings& settings, trace::LaneId task_lane = trace::kNone);
  /// How many increment steps of `job` come in a row from `first` (an increment step itself).
  static std::size_t increments_in_a_row(const scenario::PlannedJob& job, std::size_t first);

  /// When a wait-for cycle was found, if one was (L6).
  std::optional<Time> deadlock_at() const { return deadlock_at_; }
  /// The counters as the trace reports them.
  std::vector<trace::Counter> counters() const;

 private:
  /// A new waiter closes a cycle of lanes waiting for locks held by each other: mark each
  /// edge of it and stop the run (L6).
  void check_deadlock(trace::LaneId waiter);
  /// `who` starts waiting for lock `index`: the LockWait mark, the wait-for edge, the check.
  void begin_wait(trace::LaneId who, std::uint32_t index);
  /// What a thread waiting for a lock does when its timer fires, while it touches nothing of
  /// any other thread's: an aside in another thread's stretch (Engine::run_asides()).
  enum class WaiterWake : std::uint8_t {
    None,      ///< not known to be an aside (not in the lock's wait, or about to take it)
    Drops,     ///< back from dropping the GIL (L2), it tries the lock: as Tries
    WaitsOut,  ///< woken by a release (L3): it waits out the latency drawn then, its only change
    Tries,     ///< tries the lock: when it is held, it queues (L4) and waits for a notify
  };
  /// Engine::run_asides()' question for a waiter `w` whose wake-up is due at `at`: when that
  /// wake-up sets its next timer, if it is an aside.
  std::optional<Time> waiter_aside(ThreadId w, Time at) const;
  /// A step of `t`, from now to `end`, of `pieces` events, that does not fit `stretch`: whether
  /// it does once the lock waiters' asides before it ran (Engine::run_asides()).
  bool fits_after_asides(ThreadId t, Engine::Stretch& stretch, Time end, std::uint32_t pieces);
  /// The waiter a release woke (L3, L5): out of line, where a stretch's releases wake nobody.
  [[gnu::noinline]] void wake(UserLock& lock, const UserLock::Waiter& woken);
  /// release(), inline where a stretch of steps releases a lock once per `with` statement:
  /// whether it woke a thread (L8).
  bool release_lock(trace::LaneId who, std::uint32_t lock);
  /// A statement's own work (U1) on `t`'s core, besides the call: its wall time and its computes.
  struct StatementCost {
    Time wall;
    std::uint32_t pieces = 0;
    /// A call's wall time is its drawn duration (no free-threading factor, a core at full
    /// speed): each statement's call then needs neither python_cost() nor wall_time().
    bool call_as_drawn = false;
  };
  StatementCost statement_cost(ThreadId t, const scenario::EffectiveSettings& settings);
  /// What a stretch of steps costs on `t`'s core: a statement's work, and the with
  /// statement's (L7), its CPU time and wall time.
  struct StepCosts {
    StatementCost statement;
    Time with;
    Time wall_with;
  };
  /// step_costs() on a core at full speed (S7), where they are the settings' own, kept for
  /// the settings they were made from: a stretch asks for them each time it begins (lesson
  /// 15's threads run 17,000 times), and making them took four calls each time.
  /// Inline, the kept costs looked up where the stretch begins; made out of line.
  const StepCosts& step_costs(ThreadId t, const scenario::EffectiveSettings& settings);
  [[gnu::noinline]] const StepCosts& make_step_costs(ThreadId t, const scenario::EffectiveSettings& settings,
                                                     bool full_speed);
  /// Increment step `i` of `job` at once inside `stretch` (U4), which it shortens: false,
  /// and nothing done, when it would not end inside it.
  /// `step` is job.steps[i], `counters` counters_.data(): read once by the caller's loop.
  bool statement_at_once(ThreadId t, const scenario::PlannedJob& job, std::size_t i, const scenario::PlannedStep& step,
                         SharedCounter* counters, Engine::Stretch& stretch, const StatementCost& cost,
                         const scenario::EffectiveSettings& settings, trace::LaneId task_lane);
  /// The steps of `job` from `i` (before `end`) that a thread's stretch runs after its first
  /// step (its lane open as Running, its core's showing it), in one piece (U4): increments,
  /// `with` statements taking a free lock, releases that wake nobody, each step's span and
  /// the lock's recorded as run_at_once() and the lock's calls record them, the clock and the
  /// events moved once at the end. Where the next step is to start: the first step that
  /// does not end inside the stretch, or that it leaves to the caller (a release that wakes a
  /// waiter, a lock held by another, any other kind of step, a step index past kNoStep).
  /// Needs each call as drawn, `cost.wall` and `wall_with` more than nothing: every span
  /// then lasts and each step's labels differ from the last.
  std::size_t in_one_piece(ThreadId t, const scenario::PlannedJob& job, std::size_t i, std::size_t end,
                           Engine::Stretch& stretch, const StatementCost& cost, Time wall_with);
  /// An asyncio task's lane shows `step` of its job from now, in a stretch of its steps.
  void show_task_step(trace::LaneId task_lane, std::uint32_t job, std::uint16_t step, const Engine::Stretch& stretch);
  /// An increment's STORE_GLOBAL: `loaded + 1`, over the stores made since its load (U2).
  void store(ThreadId t, std::uint32_t counter, std::int64_t loaded, std::int64_t stores_at_load);
  /// The same on the counter itself (`counters_[target]`).
  void store_into(SharedCounter& counter, ThreadId t, std::uint32_t target, std::int64_t loaded,
                  std::int64_t stores_at_load);

  Engine& engine_;
  Time release_wake_;  ///< costs.lock_release_wake (L8)
  std::vector<UserLock> locks_;
  std::vector<SharedCounter> counters_;
  std::vector<std::uint32_t> waits_for_;  ///< by lane: the lock it waits for, or kNone
  std::vector<Time> waiting_since_;       ///< by lane
  std::vector<WaiterWake> waiter_wakes_;  ///< by lane
  std::vector<Time> woken_latency_;       ///< by lane: a woken waiter's latency, drawn at its release (L3)
  std::vector<std::int64_t> stores_;      ///< scratch
  std::optional<Time> deadlock_at_;
  struct KeptCosts {
    bool kept = false;
    Time increment;  ///< the settings they were made from
    Time lock_with;
    double factor = 1.0;
    StepCosts costs;
  };
  KeptCosts kept_costs_;  ///< step_costs() at full speed
  StepCosts made_costs_;  ///< step_costs() on a slower core, the last made
};

}  // namespace gilsim::model
