// User locks and shared counters (docs/model.md L1-L8, U1-U4): the lock's queue and
// hand-off, the wait-for graph that finds a deadlock, and `counter += 1` as its bytecodes.
#include "sim/model/shared_state.hpp"

#include <algorithm>
#include <cassert>
#include <type_traits>

#include "sim/model/engine_state.hpp"

namespace gilsim::model {

using trace::LaneId;
using trace::MarkKind;
using trace::SpanState;

// Inline in this file, its one user: a free lock is taken once per `with` statement.
[[gnu::always_inline]] inline bool UserLock::try_take(trace::TraceBuilder& trace, Time now, LaneId who) {
  if (holder_ == who && reentrant_) {
    ++depth_;
    return true;
  }
  if (holder_ != trace::kNone) return false;
  holder_ = who;
  depth_ = 1;
  trace.set_state(lane_, now, SpanState::Held, who);
  return true;
}

// Inline in this file, its one user: a lock is released once per `with` statement.
[[gnu::always_inline]] inline std::optional<UserLock::Waiter> UserLock::release(trace::TraceBuilder& trace, Time now,
                                                                                LaneId who) {
  assert(holder_ == who && "release() of a lock by a lane that does not hold it; the loader rejects such jobs");
  (void)who;
  if (--depth_ > 0) return std::nullopt;
  holder_ = trace::kNone;
  trace.clear_state_inline(lane_, now);
  return next_woken();  // L3: the futex wakes its longest waiter
}

SharedState::SharedState(const scenario::Scenario& s, Engine& engine)
    : engine_(engine), release_wake_(s.costs.lock_release_wake) {
  locks_.reserve(s.locks.size());
  for (const auto& lock : s.locks) locks_.emplace_back(lock.name, lock.reentrant);
  for (const auto& counter : s.counters) {
    counters_.push_back(SharedCounter{counter.name, counter.initial, counter.initial, 0});
  }
}

void SharedState::add_lanes(trace::ProcessId process) {
  for (auto& lock : locks_) {
    lock.set_lane(engine_.trace().add_lane("lock " + lock.name(), trace::LaneKind::Lock, process));
  }
}

bool SharedState::try_acquire(ThreadId t, std::uint32_t index) {
  Engine& e = engine_;
  return locks_[index].try_take(e.trace(), e.now(), e.lane(t));
}

Program SharedState::wait_to_acquire(ThreadId t, std::uint32_t index, std::uint32_t job, std::uint16_t step) {
  Engine& e = engine_;
  UserLock& lock = locks_[index];
  const LaneId me = e.lane(t);
  // L2: a blocking wait on the OS lock, with the GIL dropped like any blocking call.
  begin_wait(me, index);
  waiter_wakes_[me] = WaiterWake::Drops;
  co_await e.release_gil(t);
  const Time woken_try = e.config().costs.lock_woken_try;
  // After the wake-up's latency: the try on a core, which touches the cores (no aside), or
  // the try at once.
  const WaiterWake then = woken_try > Time::zero() ? WaiterWake::None : WaiterWake::Tries;
  // The lock may have been released while drop_gil ran on this core (G8b, G8c): the OS
  // lock's acquire then takes it at once, with nobody left to wake this thread.
  bool taken = lock.try_take(e.trace(), e.now(), me);
  while (!taken) {
    lock.enqueue(UserLock::Waiter{me, t, trace::kNone});
    // Its wake-ups up to the try below are asides in another thread's stretch (waiter_aside()).
    waiter_wakes_[me] = WaiterWake::WaitsOut;
    co_await e.wait_for_notify(t, SpanState::WaitingLock, Time::max(), job);
    // L3: the woken waiter needs a moment to run, drawn by the release that woke it (wake());
    // L4: meanwhile anyone may take the lock.
    const Time latency = woken_latency_[me];
    if (latency > Time::zero()) {
      waiter_wakes_[me] = then;
      co_await e.wait(t, latency, SpanState::WaitingLock, job, step);
    }
    // L3: it tries on a core; with every core busy it waits for one, and the lock may be
    // taken again meanwhile (L4).
    waiter_wakes_[me] = WaiterWake::None;
    co_await e.compute(t, woken_try, Work::native(job, step));
    taken = lock.try_take(e.trace(), e.now(), me);
  }
  waiter_wakes_[me] = WaiterWake::None;
  waits_for_[me] = trace::kNone;
  e.trace().mark(e.now(), MarkKind::LockTaken, me, lock.lane(), (e.now() - waiting_since_[me]).ns());
  co_await e.acquire_gil(t);
}

Operation SharedState::with_statement(ThreadId t, std::uint32_t job, std::uint16_t step) {
  Engine& e = engine_;
  const Time with = scenario::python_cost(e.config(), e.config().costs.lock_with);
  Work statement = Work::python(job, step);
  statement.checkpoints = false;
  return e.compute(t, with, statement);  // completes at once when it costs nothing
}

bool SharedState::acquire_as_task(LaneId who, std::uint32_t task, std::uint32_t index) {
  Engine& e = engine_;
  UserLock& lock = locks_[index];
  // asyncio.Lock is fair: a free lock with waiters queued goes to the first of them.
  if (lock.waiting() == 0 && lock.try_take(e.trace(), e.now(), who)) return true;
  lock.enqueue(UserLock::Waiter{who, 0, task});
  begin_wait(who, index);
  return false;
}

[[gnu::always_inline]] inline bool SharedState::release_lock(LaneId who, std::uint32_t index) {
  UserLock& lock = locks_[index];
  Engine& e = engine_;
  const auto woken = lock.release(e.trace(), e.now(), who);
  if (!woken) return false;
  wake(lock, *woken);
  return woken->task == trace::kNone;
}

void SharedState::wake(UserLock& lock, const UserLock::Waiter& woken) {
  Engine& e = engine_;
  if (woken.task == trace::kNone) {
    // L3: how soon it runs is the kernel's wake-up of a thread blocked on a futex, drawn now,
    // at the signal, as a GIL waiter's is (G8), and the lock's own extra.
    woken_latency_[woken.who] = e.wake_latency(woken.thread) + e.config().costs.lock_wake_latency;
    e.notify(woken.thread);
    return;
  }
  // L5: release() sets the first waiter's future; the lock is that task's from now on and
  // its wake-up goes through the loop's ready queue.
  lock.try_take(e.trace(), e.now(), woken.who);
  waits_for_[woken.who] = trace::kNone;
  e.trace().mark(e.now(), MarkKind::LockTaken, woken.who, lock.lane(), (e.now() - waiting_since_[woken.who]).ns());
  if (on_task_woken) on_task_woken(woken.task);
}

bool SharedState::release(LaneId who, std::uint32_t index) { return release_lock(who, index); }

Operation SharedState::release_wake(ThreadId t, std::uint32_t job, std::uint16_t step) {
  // L8: sem_post's futex wake, made before release() returns to Python: no check point, the
  // GIL kept (a thread's Waking span labelled with its release step).
  return engine_.compute(t, release_wake_, Work::signalling(job, step));
}

void SharedState::begin_wait(LaneId who, std::uint32_t index) {
  Engine& e = engine_;
  const UserLock& lock = locks_[index];
  e.trace().mark(e.now(), MarkKind::LockWait, who, lock.lane(), lock.holder());
  if (waits_for_.size() <= who) {
    waits_for_.resize(who + 1, trace::kNone);
    waiting_since_.resize(who + 1);
    waiter_wakes_.resize(who + 1, WaiterWake::None);
    woken_latency_.resize(who + 1);
  }
  waits_for_[who] = index;
  waiting_since_[who] = e.now();
  check_deadlock(who);
}

std::optional<Time> SharedState::waiter_aside(ThreadId w, Time at) const {
  const LaneId lane = engine_.lane(w);
  const WaiterWake wake = lane < waiter_wakes_.size() ? waiter_wakes_[lane] : WaiterWake::None;
  // Woken by a release (L3): its program waits out the latency drawn at the release, a timer
  // of its own. Without one it goes on to its try: on a core, no aside; at once, as Tries.
  if (wake == WaiterWake::WaitsOut) {
    if (woken_latency_[lane] > Time::zero()) return at + woken_latency_[lane];
    if (engine_.config().costs.lock_woken_try > Time::zero()) return std::nullopt;
  }
  // Its try finds the lock held (the stretch's thread takes it only after the try, or holds
  // it): it queues (L4) and waits for a notify, with no timer, leaving its core (after
  // dropping the GIL, L2) as nobody else notices. A free lock it takes.
  if ((wake == WaiterWake::Tries || wake == WaiterWake::Drops || wake == WaiterWake::WaitsOut) &&
      !locks_[waits_for_[lane]].free() &&
      engine_.leaves_core_quietly(w)) {
    return Time::max();
  }
  return std::nullopt;
}

bool SharedState::fits_after_asides(ThreadId t, Engine::Stretch& stretch, Time end, std::uint32_t pieces) {
  return engine_.run_asides(t, stretch, end, pieces, [this](ThreadId w, Time at) { return waiter_aside(w, at); });
}

void SharedState::check_deadlock(LaneId waiter) {
  // Follow waiter -> lock it waits for -> that lock's holder -> ... ; a lane never waits
  // for two locks at once, so the walk is a path that either ends or comes back (L6). The
  // path is walked again to mark it, when it comes back: most waits end the walk at once
  // (lesson 15's 1,500 at a free-running holder), and keeping the path took an allocation each.
  std::size_t steps = 0;
  LaneId at = waiter;
  while (at < waits_for_.size() && waits_for_[at] != trace::kNone && steps <= locks_.size()) {
    ++steps;
    const LaneId holder = locks_[waits_for_[at]].holder();
    if (holder == waiter) {
      Engine& e = engine_;
      LaneId who = waiter;
      for (std::size_t k = 0; k < steps; ++k) {
        const UserLock& lock = locks_[waits_for_[who]];
        e.trace().mark(e.now(), MarkKind::Deadlock, who, lock.lane(), lock.holder());
        who = lock.holder();
      }
      deadlock_at_ = e.now();
      e.stop();
      return;
    }
    if (holder == trace::kNone) return;
    at = holder;
  }
}

// Inline in each statement (once per increment); its lost update's mark is the rare branch.
[[gnu::always_inline]] inline void SharedState::store(ThreadId t, std::uint32_t target, std::int64_t loaded,
                                                     std::int64_t stores_at_load) {
  store_into(counters_[target], t, target, loaded, stores_at_load);
}

[[gnu::always_inline]] inline void SharedState::store_into(SharedCounter& counter, ThreadId t, std::uint32_t target,
                                                          std::int64_t loaded, std::int64_t stores_at_load) {
  counter.value = loaded + 1;
  const std::int64_t overwritten = counter.stores - stores_at_load;
  ++counter.stores;
  if (overwritten > 0) {
    Engine& e = engine_;
    e.trace().mark(e.now(), MarkKind::LostUpdate, e.lane(t), target, overwritten);  // U2
  }
}

Program SharedState::increment(ThreadId t, const scenario::PlannedJob& job, std::size_t first, std::size_t count,
                               const scenario::EffectiveSettings& settings, LaneId task_lane, std::size_t* stopped,
                               bool at_once_first) {
  Engine& e = engine_;
  const Time iteration = scenario::python_cost(settings, settings.costs.increment);
  const Time before = iteration / 2;
  const std::size_t end = first + count;
  std::size_t i = first;
  for (; i < end; ++i) {
    if (i != first || at_once_first) i = increments_at_once(t, job, i, end, settings, task_lane);  // U4
    if (i == end || job.steps[i].kind != scenario::StepKind::Increment) break;
    // The long way: something may come between the steps of this one.
    const scenario::PlannedStep& step = job.steps[i];
    SharedCounter& counter = counters_[step.target];
    const auto index = static_cast<std::uint16_t>(std::min<std::size_t>(i, trace::kNoStep));
    if (task_lane != trace::kNone) e.trace().set_state(task_lane, e.now(), SpanState::Running, job.index, index);
    // U1: FOR_ITER, STORE_FAST, LOAD_GLOBAL counter: no check point inside the statement.
    Work bytecode = Work::python(job.index, index);
    bytecode.checkpoints = false;
    co_await e.compute(t, before, bytecode);
    const std::int64_t loaded = counter.value;
    const std::int64_t stores_at_load = counter.stores;
    if (step.has_call) {
      co_await e.check_eval_breaker(t);  // f()'s RESUME: a switch here falls between load and store
      co_await e.compute(t, scenario::python_cost(settings, step.duration), bytecode);
    }
    co_await e.compute(t, iteration - before, bytecode);  // BINARY_OP, STORE_GLOBAL
    store(t, step.target, loaded, stores_at_load);
    co_await e.check_eval_breaker(t);  // JUMP_BACKWARD
  }
  if (stopped != nullptr) *stopped = i;
}

SharedState::StatementCost SharedState::statement_cost(ThreadId t, const scenario::EffectiveSettings& settings) {
  const Engine& e = engine_;
  const Time iteration = scenario::python_cost(settings, settings.costs.increment);
  const Time before = iteration / 2;
  return StatementCost{e.wall_time(t, before) + e.wall_time(t, iteration - before),
                       (before > Time::zero() ? 1U : 0U) + (iteration - before > Time::zero() ? 1U : 0U),
                       settings.python_cost_factor == 1.0 && e.at_full_speed(t)};
}

[[gnu::always_inline]] inline const SharedState::StepCosts& SharedState::step_costs(
    ThreadId t, const scenario::EffectiveSettings& settings) {
  const bool full_speed = engine_.at_full_speed(t);
  const KeptCosts& kept = kept_costs_;
  if (full_speed && kept.kept && kept.increment == settings.costs.increment && kept.lock_with == settings.costs.lock_with &&
      kept.factor == settings.python_cost_factor) [[likely]] {
    return kept.costs;
  }
  return make_step_costs(t, settings, full_speed);
}

const SharedState::StepCosts& SharedState::make_step_costs(ThreadId t, const scenario::EffectiveSettings& settings,
                                                           bool full_speed) {
  const Engine& e = engine_;
  const Time with = scenario::python_cost(settings, settings.costs.lock_with);
  const StepCosts costs{statement_cost(t, settings), with, e.wall_time(t, with)};
  if (!full_speed) return made_costs_ = costs;
  kept_costs_ = KeptCosts{true, settings.costs.increment, settings.costs.lock_with, settings.python_cost_factor, costs};
  return kept_costs_.costs;
}

// A task's lane shows its step as it starts it. After the stretch's first step (run at once:
// the core's lane shows it running) the task's lane is open as Running, set by that step:
// only the labels change.
[[gnu::always_inline]] inline void SharedState::show_task_step(LaneId task_lane, std::uint32_t job, std::uint16_t step,
                                                              const Engine::Stretch& stretch) {
  Engine& e = engine_;
  if (stretch.core_shows_running) {
    e.trace().next_labels(task_lane, e.now(), SpanState::Running, job, step);
  } else {
    e.trace().set_state(task_lane, e.now(), SpanState::Running, job, step);
  }
}

// Inline in its two callers' loops, where it runs once per statement.
[[gnu::always_inline]] inline bool SharedState::statement_at_once(ThreadId t, const scenario::PlannedJob& job, std::size_t i,
                                                                 const scenario::PlannedStep& step, SharedCounter* counters,
                                                                 Engine::Stretch& stretch, const StatementCost& cost,
                                                                 const scenario::EffectiveSettings& settings,
                                                                 LaneId task_lane) {
  Engine& e = engine_;
  const Time call = !step.has_call     ? Time::zero()
                    : cost.call_as_drawn ? step.duration
                                         : scenario::python_cost(settings, step.duration);
  const std::uint32_t pieces = cost.pieces + (call > Time::zero() ? 1U : 0U);
  const Time wall = call <= Time::zero() ? cost.wall : cost.wall + (cost.call_as_drawn ? call : e.wall_time(t, call));
  if ((pieces > stretch.events || e.now() + wall >= stretch.until) && !fits_after_asides(t, stretch, e.now() + wall, pieces)) {
    return false;
  }
  stretch.events -= pieces;
  const auto index = static_cast<std::uint16_t>(std::min<std::size_t>(i, trace::kNoStep));
  if (task_lane != trace::kNone) show_task_step(task_lane, job.index, index, stretch);
  // The load, the call and the store with nobody in between: the counter as loaded is the
  // counter now, and the statement's computes are one span.
  SharedCounter& counter = counters[step.target];
  const std::int64_t loaded = counter.value;
  const std::int64_t stores_at_load = counter.stores;
  Work bytecode = Work::python(job.index, index);
  bytecode.checkpoints = false;
  e.run_at_once(t, wall, pieces, bytecode, stretch);
  store_into(counter, t, step.target, loaded, stores_at_load);
  return true;
}

namespace {

/// What a loop of whole statements in one piece moves (SharedState::in_one_piece): the
/// clock, the open span's begin and labels, the events left.
struct PieceClock {
  Time now;
  Time begin;
  std::uint64_t left;
  std::uint16_t labelled;
};

using Appender = trace::SpanStore::Appender;
using Record = trace::SpanStore::Record;
constexpr std::int64_t kReach = trace::SpanStore::kMaxReach + 1;
constexpr std::int64_t kReachAfterGap = trace::SpanStore::kMaxReachAfterGap + 1;

// The loops below write their records themselves, in batches: a batch's records need no
// check (room in their groups, their ends within reach of the groups' bases, a Held span
// after the with statement's work, which fits a record's gap). A statement outside one (the
// first, one that begins a group or reaches past a base) goes through the appenders' checked
// pushes, which keep the store's place; a batch begins after it. Out of line, each loop has
// the registers to itself.

/// Increments of one counter from `at` on a thread's lane (`spans`, its open span begun at
/// `clock.begin`, where the last record ends): where the next step is to start.
[[gnu::noinline]] std::size_t increments_in_piece(const scenario::PlannedStep* steps, std::size_t at, std::size_t end,
                                                  Time until, Time cost_wall, std::uint32_t cost_pieces,
                                                  std::uint32_t subject, Appender& spans, PieceClock& clock) {
  const std::size_t from = at;
  const std::uint64_t thread_lo = Appender::labels_lo(subject, SpanState::Running);
  const std::uint32_t thread_hi = Appender::labels_hi(subject, 0);
  const bool batches = subject <= trace::SpanStore::kMaxSubject;
  Time now = clock.now;
  Time begin = clock.begin;
  std::uint64_t left = clock.left;
  Record* next = spans.next();
  std::int64_t base = spans.base();
  Record* batch_end = next;  // none before the first checked push
  Time batch_limit;          // an end before this one fits a record, and the stretch
  // The plan counted the increments of this counter in a row (PlannedStep::run): no step's
  // kind or target is looked at.
  const std::size_t stop = std::min<std::size_t>(end, at + steps[at].run);
  for (; at < stop; ++at) {
    const scenario::PlannedStep& step = steps[at];
    const Time call = step.has_call ? step.duration : Time::zero();
    const bool calls = call > Time::zero();
    const std::uint32_t pieces = cost_pieces + (calls ? 1U : 0U);
    const Time done = now + (calls ? cost_wall + call : cost_wall);
    if (pieces > left) break;
    // The step before ends now: in a batch, the step before is this loop's (at - 1).
    if (next != batch_end && done < batch_limit) [[likely]] {
      Appender::put(*next++, static_cast<std::uint64_t>(now.ns() - base) | thread_lo,
                    thread_hi | static_cast<std::uint16_t>(at - 1));
    } else {
      if (done >= until) break;
      spans.advance(next, begin);
      spans.push_next(now, subject, at == from ? clock.labelled : static_cast<std::uint16_t>(at - 1), SpanState::Running);
      next = spans.next();
      base = spans.base();
      batch_end = batches ? next + spans.room() : next;
      batch_limit = Time{std::min(until.ns(), base + kReach)};
    }
    begin = now;
    left -= pieces;
    now = done;
  }
  spans.advance(next, begin);
  clock = PieceClock{now, begin, left, at > from ? static_cast<std::uint16_t>(at - 1) : clock.labelled};
  return at;
}

/// `with lock: counter += f()` statements of one lock (free, nobody waiting) and one counter
/// from `at`, on a thread's lane (`spans`, as above) and the lock's (`held`): where the next
/// step is to start (a whole statement's first).
[[gnu::noinline]] std::size_t with_statements_in_piece(const scenario::PlannedStep* steps, std::size_t at,
                                                       std::size_t end, Time until, Time cost_wall,
                                                       std::uint32_t cost_pieces, Time wall_with, std::uint32_t subject,
                                                       trace::LaneId me, Appender& spans, Appender& held,
                                                       PieceClock& clock) {
  const std::size_t from = at;
  const std::uint64_t thread_lo = Appender::labels_lo(subject, SpanState::Running);
  const std::uint32_t thread_hi = Appender::labels_hi(subject, 0);
  const std::uint64_t held_lo =
      Appender::labels_lo(me, SpanState::Held) | Appender::gap_lo(static_cast<std::uint64_t>(wall_with.ns()));
  const std::uint32_t held_hi = Appender::labels_hi(me, trace::kNoStep);
  // A Held span after a gap too long for a record, or a lane past a record's subjects: every
  // span the checked way.
  const bool batches = subject <= trace::SpanStore::kMaxSubject && me <= trace::SpanStore::kMaxSubject &&
                       wall_with.ns() <= static_cast<std::int64_t>(trace::SpanStore::kMaxGap);
  const std::uint32_t with_pieces = 1U + cost_pieces;
  Time now = clock.now;
  Time begin = clock.begin;
  std::uint64_t left = clock.left;
  Record* next = spans.next();
  std::int64_t base = spans.base();
  Record* lock_next = held.next();
  std::int64_t lock_base = held.base();
  Record* batch_end = next;  // none before the first checked push
  Time batch_limit;          // a release before this one fits the records, and the stretch
  // The plan counted the whole with statements of this lock and counter in a row
  // (PlannedStep::run): no step's kind or target is looked at.
  const std::size_t stop = at + 3 * std::min<std::size_t>(steps[at].run, end > at ? (end - at) / 3 : 0);
  for (; at < stop; at += 3) {
    const scenario::PlannedStep* const s = steps + at;
    const Time call = s[1].has_call ? s[1].duration : Time::zero();
    const bool calls = call > Time::zero();
    const std::uint32_t pieces = with_pieces + (calls ? 1U : 0U);
    const Time held_from = now + wall_with;
    const Time released = held_from + (calls ? cost_wall + call : cost_wall);
    if (pieces > left) break;
    // The step before ends now (in a batch, this loop's last increment, at - 2); the with
    // statement's span; the lock's Held span, after the last statement's (in a batch).
    if (next != batch_end && released < batch_limit) [[likely]] {
      Appender::put(next[0], static_cast<std::uint64_t>(now.ns() - base) | thread_lo,
                    thread_hi | static_cast<std::uint16_t>(at - 2));
      Appender::put(next[1], static_cast<std::uint64_t>(held_from.ns() - base) | thread_lo,
                    thread_hi | static_cast<std::uint16_t>(at));
      next += 2;
      Appender::put(*lock_next++, static_cast<std::uint64_t>(released.ns() - lock_base) | held_lo, held_hi);
    } else {
      if (released >= until) break;
      spans.advance(next, begin);
      // The lock's records written since the last checked push end at the last release.
      held.advance(lock_next, lock_next == held.next() ? Time{held.last_end()} : now);
      spans.push_next(now, subject, at == from ? clock.labelled : static_cast<std::uint16_t>(at - 2), SpanState::Running);
      spans.push_next(held_from, subject, static_cast<std::uint16_t>(at), SpanState::Running);
      held.push_after_gap(held_from, released, me, trace::kNoStep, SpanState::Held);
      next = spans.next();
      base = spans.base();
      lock_next = held.next();
      lock_base = held.base();
      batch_end = batches ? next + 2 * std::min(spans.room() / 2, held.room()) : next;
      batch_limit = Time{std::min({until.ns(), base + kReach, lock_base + kReachAfterGap})};
    }
    begin = held_from;
    left -= pieces;
    now = released;
  }
  spans.advance(next, begin);
  held.advance(lock_next, lock_next == held.next() ? Time{held.last_end()} : now);
  clock = PieceClock{now, begin, left, at > from ? static_cast<std::uint16_t>(at - 2) : clock.labelled};
  return at;
}

}  // namespace

std::size_t SharedState::in_one_piece(ThreadId t, const scenario::PlannedJob& job, std::size_t i, std::size_t end,
                                      Engine::Stretch& stretch, const StatementCost& cost, Time wall_with) {
  Engine& e = engine_;
  trace::TraceBuilder& b = e.trace();
  const LaneId me = e.lane(t);
  trace::SpanStore::Open& open = b.open_span(me);
  const std::uint32_t subject = job.index;
  Time now = e.now();
  // The lane is open as Running since the stretch's step before (run_at_once()); a span that
  // lasted no time, or other labels, go the step-by-step way.
  if (open.state != SpanState::Running || open.subject != subject || !(open.begin < now)) return i;
  end = std::min<std::size_t>(end, trace::kNoStep);  // below it, each step's labels are its own
  Time until = stretch.until;
  std::uint64_t left = stretch.events;  // events the run's limit allows
  std::uint64_t events = left;  // less the asides': the piece's own are events - left
  // A step that does not fit: the lock waiters' wake-ups before it, as asides, told the
  // events left now (the piece's own are counted at its end, by ran_at_once()).
  const auto fits_after_asides_here = [&](Time step_end, std::uint32_t pieces) {
    const std::uint64_t at_start = stretch.events;
    stretch.events = left;
    const bool fits = fits_after_asides(t, stretch, step_end, pieces);
    const std::uint64_t asides = left - stretch.events;
    stretch.events = at_start - asides;
    left -= asides;
    events -= asides;
    until = stretch.until;
    return fits;
  };
  const scenario::PlannedStep* const steps = job.steps.data();
  UserLock* const locks = locks_.data();
  SharedCounter* const counters = counters_.data();
  Time begin = open.begin;
  std::uint16_t labelled = open.step;
  Time last_start = now;
  // A lock taken here whose Held span is not yet told to the builder (one at a time): its
  // release here stores the span, or the end of the piece opens it as try_take() would have.
  UserLock* deferred = nullptr;
  Time held_since;
  {
    trace::SpanStore::Appender spans(b.lane_spans(me));
    std::optional<trace::SpanStore::Appender> held;  // the lane of the last lock released here
    LaneId held_lane = trace::kNone;
    // Before the builder records on a lock's lane, the appender there puts its place back.
    const auto builder_records_on = [&](LaneId lane) {
      if (held_lane == lane) {
        held.reset();
        held_lane = trace::kNone;
      }
    };
    // `counter += f()` statements of one counter from `at`, each one step (its span), the
    // counter's new value and stores counted once at the end; where the next step is.
    const auto increments = [&](std::size_t at) {
      PieceClock clock{now, begin, left, labelled};
      const std::size_t from = at;
      at = increments_in_piece(steps, at, end, until, cost.wall, cost.pieces, subject, spans, clock);
      const auto ran = static_cast<std::int64_t>(at - from);
      if (ran > 0) {
        now = clock.now;
        begin = last_start = clock.begin;
        left = clock.left;
        labelled = clock.labelled;
        SharedCounter& counter = counters[steps[from].target];
        counter.value += ran;
        counter.stores += ran;
      }
      return at;
    };
    // `with lock: counter += f()` statements of one free lock nobody waits for and one
    // counter from `at` (acquire, increment, release): the with statement's span, the
    // increment's, the lock's Held span from the with statement's end to the release, the
    // lock free again after each. Where the next step is.
    const auto with_statements = [&](std::size_t at) {
      const std::uint32_t target = steps[at].target;
      UserLock& lock = locks[target];
      if (wall_with <= Time::zero() || !lock.free() || lock.has_waiters() || at + 2 >= end ||
          steps[at + 1].kind != scenario::StepKind::Increment || steps[at + 2].kind != scenario::StepKind::Release ||
          steps[at + 2].target != target) {
        return at;
      }
      if (held_lane != lock.lane()) {
        held.reset();
        held.emplace(b.lane_spans(lock.lane()));
        held_lane = lock.lane();
      }
      PieceClock clock{now, begin, left, labelled};
      const std::size_t from = at;
      at = with_statements_in_piece(steps, at, end, until, cost.wall, cost.pieces, wall_with, subject, me, spans, *held,
                                    clock);
      const auto ran = static_cast<std::int64_t>((at - from) / 3);
      if (ran > 0) {
        now = clock.now;
        begin = last_start = clock.begin;
        left = clock.left;
        labelled = clock.labelled;
        SharedCounter& counter = counters[steps[from + 1].target];
        counter.value += ran;
        counter.stores += ran;
      }
      return at;
    };
    for (; i < end; ++i) {
      // Whole statements in a row, each as the steps below would run it, with no lock
      // deferred and the lane's last span ending where the open one begins: every span
      // pushed here then begins where the one before it on its lane ended (a thread's) or
      // after the with statement's work (a lock's Held spans).
      if (deferred == nullptr && spans.last_end() == begin.ns()) {
        const scenario::StepKind kind = steps[i].kind;
        if (kind == scenario::StepKind::Acquire) {
          i = with_statements(i);
        } else if (kind == scenario::StepKind::Increment) {
          i = increments(i);
        }
        if (i >= end) break;
      }
      const scenario::PlannedStep& step = steps[i];
      Time wall;
      std::uint32_t pieces;
      UserLock* taken = nullptr;
      if (step.kind == scenario::StepKind::Increment) {
        // statement_at_once() with each call as drawn: the load, the call and the store with
        // nobody in between, the counter as loaded the counter now (no lost update).
        const Time call = step.has_call ? step.duration : Time::zero();
        const bool calls = call > Time::zero();
        pieces = cost.pieces + (calls ? 1U : 0U);
        wall = calls ? cost.wall + call : cost.wall;
        if ((pieces > left || now + wall >= until) && !fits_after_asides_here(now + wall, pieces)) break;
        SharedCounter& counter = counters[step.target];
        counter.value = counter.value + 1;
        ++counter.stores;
      } else if (step.kind == scenario::StepKind::Acquire) {
        // The with statement's work, then a free lock taken (L1, L7), as steps_at_once() does.
        UserLock& lock = locks[step.target];
        if (!(lock.free() || (lock.reentrant() && lock.holder() == me)) || wall_with <= Time::zero()) break;
        pieces = 1;
        wall = wall_with;
        if ((pieces > left || now + wall >= until) && !fits_after_asides_here(now + wall, pieces)) break;
        taken = &lock;
      } else if (step.kind == scenario::StepKind::Release) {
        UserLock& lock = locks[step.target];
        // Increments alone (no with statement's cost, increments_at_once()) stop at the first
        // step of another kind. A task's wake-up (L5), or a nested level's, is the caller's.
        if (wall_with <= Time::zero()) break;
        const bool wakes = lock.has_waiters();
        if (wakes && (lock.depth() != 1 || !lock.first_waiter_is_thread() || release_costs_a_wake(lock))) break;
        if (wakes && left < events) {
          // The thread it wakes (L3) resumes now: the engine's clock and events as the steps
          // so far leave them first (the rest are counted at the end).
          Work last = Work::python(subject, labelled);
          last.checkpoints = false;
          e.ran_at_once(t, last_start, now, events - left, last, stretch);
          events = left;
        }
        std::optional<UserLock::Waiter> woken;
        if (&lock == deferred && lock.depth() == 1) {
          // clear_state() of the lock's lane at the Held span's end, its record written here.
          woken = lock.release_unrecorded();
          deferred = nullptr;
          if (now > held_since) {
            if (held_lane != lock.lane()) {
              held.reset();
              held.emplace(b.lane_spans(lock.lane()));
              held_lane = lock.lane();
            }
            held->push(held_since, now, me, trace::kNoStep, SpanState::Held);
          }
        } else {
          builder_records_on(lock.lane());
          woken = lock.release(b, now, me);
        }
        if (woken) {
          // Its Resume, due now, ends the stretch: the next step runs it first, an aside.
          wake(lock, *woken);
          e.stretch_after_wake(stretch);
          until = stretch.until;
        }
        continue;
      } else {
        break;
      }
      // The step's span: the one before it ends now (next_labels()).
      spans.push(begin, now, subject, labelled, SpanState::Running);
      begin = now;
      labelled = static_cast<std::uint16_t>(i);
      left -= pieces;
      last_start = now;
      now = now + wall;
      if (taken != nullptr) {
        if (taken->free() && deferred == nullptr) {
          taken->take_unrecorded(me);
          deferred = taken;
          held_since = now;
        } else {
          builder_records_on(taken->lane());
          taken->try_take(b, now, me);
        }
      }
    }
  }
  open.begin = begin;
  open.step = labelled;
  if (deferred != nullptr) b.set_state(deferred->lane(), held_since, SpanState::Held, me);
  if (left < events) {
    Work last = Work::python(subject, labelled);
    last.checkpoints = false;
    e.ran_at_once(t, last_start, now, events - left, last, stretch);
  }
  return i;
}

std::size_t SharedState::increments_at_once(ThreadId t, const scenario::PlannedJob& job, std::size_t first,
                                            std::size_t end, const scenario::EffectiveSettings& settings,
                                            LaneId task_lane) {
  // U4: with nothing due and no drop request pending, every check point of the statements
  // below does nothing and every compute runs through, so they run here one after another,
  // as the long way in increment() runs them then, for as many whole statements as end
  // before the next event (and within the run's event limit).
  Engine::Stretch stretch = engine_.stretch(t);
  if (stretch.events == 0) return first;
  const StatementCost cost = step_costs(t, settings).statement;
  // The steps and the counters, read once: the spans' records written in the loop could be
  // any memory to the compiler, which would load the vectors' starts again at every step.
  const scenario::PlannedStep* const steps = job.steps.data();
  SharedCounter* const counters = counters_.data();
  // After the first statement, a thread's run in one piece (its calls as drawn).
  const bool in_one = task_lane == trace::kNone && cost.call_as_drawn && cost.wall > Time::zero();
  // The loop made thrice: a task's has no look at the piece, nor at the steps' kinds (its
  // caller passes a run of increments alone, increments_in_a_row()); a thread's job passes
  // the rest of its steps (`mixed`), the run's end the first step of another kind.
  const auto statements_from = [&](auto one_piece, auto mixed) {
    std::size_t i = first;
    while (i < end && (!decltype(mixed)::value || steps[i].kind == scenario::StepKind::Increment)) {
      if constexpr (decltype(one_piece)::value) {
        if (stretch.core_shows_running) {
          i = in_one_piece(t, job, i, end, stretch, cost, Time::zero());
          if (i == end || steps[i].kind != scenario::StepKind::Increment) break;
        }
      }
      if (!statement_at_once(t, job, i, steps[i], counters, stretch, cost, settings, task_lane)) break;
      ++i;
    }
    return i;
  };
  if (in_one) return statements_from(std::true_type{}, std::true_type{});
  return task_lane == trace::kNone ? statements_from(std::false_type{}, std::true_type{})
                                   : statements_from(std::false_type{}, std::false_type{});
}

std::size_t SharedState::steps_at_once(ThreadId t, const scenario::PlannedJob& job, std::size_t first,
                                       const scenario::EffectiveSettings& settings, LaneId task_lane) {
  // U4 for `with lock: counter += f()` (or `async with` in a task): the with statement's
  // work, a free lock taken (L1, L5, L7), the statements, the release, as the long way in
  // run_job() (or run_task()) runs them when nothing comes between. A release that wakes a
  // waiter may set its timer: the stretch is asked for again.
  Engine& e = engine_;
  Engine::Stretch stretch = e.stretch(t);
  if (stretch.events == 0) return first;
  const StepCosts costs = step_costs(t, settings);
  const StatementCost& cost = costs.statement;
  const Time with = costs.with;
  const Time wall_with = costs.wall_with;
  const std::uint32_t with_pieces = with > Time::zero() ? 1U : 0U;
  const bool in_task = task_lane != trace::kNone;
  const LaneId who = in_task ? task_lane : e.lane(t);
  // Read once, as in increments_at_once(): nothing in the loop adds a step, lock or counter.
  const scenario::PlannedStep* const steps = job.steps.data();
  const std::size_t steps_end = job.steps.size();
  UserLock* const locks = locks_.data();
  SharedCounter* const counters = counters_.data();
  // After the first step, a thread's run in one piece (its calls as drawn, each step lasting).
  const bool in_one =
      !in_task && cost.call_as_drawn && cost.wall > Time::zero() && with_pieces > 0 && wall_with > Time::zero();
  // The loop made twice: a task's (or a thread's not in one piece) has no look at it.
  const auto steps_from = [&](auto one_piece) {
    std::size_t i = first;
    for (; i < steps_end; ++i) {
      if constexpr (decltype(one_piece)::value) {
        // Not while the stretch ends now (a release woke a thread): the step below runs the
        // wake-up as an aside first.
        if (stretch.core_shows_running && e.now() < stretch.until) {
          i = in_one_piece(t, job, i, steps_end, stretch, cost, wall_with);
          if (i == steps_end) break;
        }
      }
      const scenario::PlannedStep& step = steps[i];
      const auto index = static_cast<std::uint16_t>(std::min<std::size_t>(i, trace::kNoStep));
      if (step.kind == scenario::StepKind::Increment) {
        if (!statement_at_once(t, job, i, step, counters, stretch, cost, settings, task_lane)) break;
      } else if (step.kind == scenario::StepKind::Acquire) {
        UserLock& lock = locks[step.target];
        // A thread takes a free lock (L1); a task one nobody is queued for either (L5).
        const bool takes = (lock.free() || (lock.reentrant() && lock.holder() == who)) && (!in_task || !lock.has_waiters());
        if (!takes) break;
        if ((with_pieces > stretch.events || e.now() + wall_with >= stretch.until) &&
            !fits_after_asides(t, stretch, e.now() + wall_with, with_pieces)) {
          break;
        }
        stretch.events -= with_pieces;
        if (in_task) show_task_step(task_lane, job.index, index, stretch);
        Work statement = Work::python(job.index, index);
        statement.checkpoints = false;
        e.run_at_once(t, wall_with, with_pieces, statement, stretch);
        // Taken as acquire_as_task() takes a lock nobody is queued for, for a task too.
        lock.try_take(e.trace(), e.now(), who);
      } else if (step.kind == scenario::StepKind::Release) {
        UserLock& lock = locks[step.target];
        // A thread woken at a price is the long way's: the releaser's wake (L8) is C code.
        if (!in_task && release_costs_a_wake(lock)) break;
        const bool wakes = lock.has_waiters();
        // A thread woken by the release resumes now (L3: its timer at this instant): the
        // stretch asked again ends now, and the next step goes on past that wake-up, an aside.
        release_lock(who, step.target);
        if (wakes) {
          const bool core_shows_running = stretch.core_shows_running;  // a wake-up records nothing there
          stretch = e.stretch(t);
          if (stretch.events == 0) return i + 1;
          stretch.core_shows_running = core_shows_running;
        }
      } else {
        break;
      }
    }
    return i;
  };
  return in_one ? steps_from(std::true_type{}) : steps_from(std::false_type{});
}

std::size_t SharedState::increments_in_a_row(const scenario::PlannedJob& job, std::size_t first) {
  std::size_t n = 1;
  while (first + n < job.steps.size() && job.steps[first + n].kind == scenario::StepKind::Increment) ++n;
  return n;
}

std::vector<trace::Counter> SharedState::counters() const {
  std::vector<trace::Counter> out;
  for (const auto& c : counters_) out.push_back(trace::Counter{c.name, c.initial, c.value, c.stores});
  return out;
}

}  // namespace gilsim::model
