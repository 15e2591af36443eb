// Real user locks and counters (real_shared.hpp).
#include "sim/real/real_shared.hpp"

#include <algorithm>
#include <climits>
#include <ctime>

#include <linux/futex.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "sim/real/busy_loop.hpp"
#include "sim/real/job_runner.hpp"

namespace gilsim::real {

using trace::LaneId;
using trace::MarkKind;
using trace::SpanState;

namespace {

/// Sleeps while `word` still reads `seen`, 10 ms at most (an abort wakes it sooner).
void futex_wait(std::atomic<std::uint32_t>& word, std::uint32_t seen) {
  static_assert(sizeof(std::atomic<std::uint32_t>) == sizeof(std::uint32_t));
  timespec most{0, 10'000'000};
  syscall(SYS_futex, reinterpret_cast<std::uint32_t*>(&word), FUTEX_WAIT_PRIVATE, seen, &most, nullptr, 0);
}

void futex_wake(std::atomic<std::uint32_t>& word, int count) {
  syscall(SYS_futex, reinterpret_cast<std::uint32_t*>(&word), FUTEX_WAKE_PRIVATE, count, nullptr, nullptr, 0);
}

}  // namespace

RealShared::RealShared(const scenario::Scenario& s, RunContext& ctx)
    : ctx_(ctx), wake_on_abort_(ctx, [this] {
        for (Lock& lock : locks_) {
          lock.freed.fetch_add(1, std::memory_order_release);
          futex_wake(lock.freed, INT_MAX);
        }
      }) {
  for (const auto& l : s.locks) locks_.emplace_back(l.name, l.reentrant);
  for (const auto& c : s.counters) counters_.emplace_back(c.name, c.initial);
  // An increment's bytecode, half before the load and half after (U1), worked out once.
  const Time iteration = scenario::python_cost(ctx.settings(), ctx.settings().costs.increment);
  increment_before_ = iterations_for(iteration / 2, ctx.settings().iterations_per_ns);
  increment_after_ = iterations_for(iteration - iteration / 2, ctx.settings().iterations_per_ns);
}

void RealShared::add_lanes(trace::TraceBuilder& builder, trace::ProcessId process) {
  for (Lock& lock : locks_) lock.lane = builder.add_lane("lock " + lock.name, trace::LaneKind::Lock, process);
}

Time RealShared::stamp(Lock& lock) {
  Time at = ctx_.now();
  if (at <= lock.last_event) at = lock.last_event + Time{1};
  lock.last_event = at;
  return at;
}

bool RealShared::try_take(Lock& lock, LaneId who, Recorder& rec) {
  const LaneId holder = lock.holder.load(std::memory_order_relaxed);
  if (holder == who && lock.reentrant) {
    ++lock.depth;
    return true;
  }
  if (holder != trace::kNone) return false;
  lock.holder.store(who, std::memory_order_relaxed);
  lock.depth = 1;
  rec.state(stamp(lock), lock.lane, SpanState::Held, who);
  return true;
}

bool RealShared::take_free(Lock& lock, LaneId who) {
  LaneId holder = lock.holder.load(std::memory_order_relaxed);
  if (holder == who && lock.reentrant) {
    ++lock.depth;
    return true;
  }
  if (holder != trace::kNone) return false;
  return lock.holder.compare_exchange_strong(holder, who, std::memory_order_acquire, std::memory_order_relaxed);
}

void RealShared::record_take(Lock& lock, LaneId who, Recorder& rec) {
  lock.depth = 1;
  // The release before this take was recorded before the lock was let go: this comes after.
  rec.state(stamp(lock), lock.lane, SpanState::Held, who);
}

std::vector<std::pair<LaneId, std::uint32_t>> RealShared::cycle_from(LaneId who) const {
  std::vector<std::pair<LaneId, std::uint32_t>> path;
  LaneId at = who;
  while (at < waits_for_.size() && waits_for_[at] != trace::kNone && path.size() <= locks_.size()) {
    const std::uint32_t l = waits_for_[at];
    path.emplace_back(at, l);
    const LaneId holder = locks_[l].holder.load(std::memory_order_relaxed);
    if (holder == who) return path;
    if (holder == trace::kNone) break;
    at = holder;
  }
  return {};
}

void RealShared::begin_wait(Lock& lock, std::uint32_t index, LaneId who, Recorder& rec, Time at) {
  rec.mark(at, MarkKind::LockWait, who, lock.lane, lock.holder.load(std::memory_order_relaxed));
  if (waits_for_.size() <= who) {
    waits_for_.resize(who + 1, trace::kNone);
    waiting_since_.resize(who + 1);
  }
  waits_for_[who] = index;
  waiting_since_[who] = at;
  lock.waiters.push_back(who);
}

void RealShared::stop_at_deadlock(const std::vector<std::pair<LaneId, std::uint32_t>>& cycle, Recorder& rec) {
  // The cycle closed with its last wait (L6): that is the deadlock's instant, however late
  // the thread that noticed it got round to looking.
  Time at;
  for (const auto& [who, l] : cycle) at = max(at, waiting_since_[who]);
  for (const auto& [who, l] : cycle) rec.mark(at, MarkKind::Deadlock, who, locks_[l].lane, locks_[l].holder);
  deadlock_at_ = at;
}

void RealShared::acquire(GilSeat& seat, std::uint32_t index, std::uint32_t job, std::uint16_t step) {
  run_python_work(ctx_, seat, ctx_.settings().costs.lock_with, job, step);  // L7: the with statement
  Recorder& rec = seat.recorder();
  const LaneId me = seat.lane();
  Lock& lock = locks_[index];
  const bool again = lock.reentrant && lock.holder.load(std::memory_order_relaxed) == me;
  if (take_free(lock, me)) {  // L1: no GIL drop for a free lock
    if (!again) {
      std::lock_guard guard(mutex_);
      record_take(lock, me, rec);
    }
    return;
  }
  std::unique_lock guard(mutex_);
  begin_wait(lock, index, me, rec, ctx_.now());
  // L6: every waiter's edge is here, so the wait that closes a cycle is known as it begins;
  // the threads in it would wait forever, so the run stops now, as the model's does.
  const auto cycle = deadlock_at_ ? std::vector<std::pair<LaneId, std::uint32_t>>{} : cycle_from(me);
  if (!cycle.empty()) stop_at_deadlock(cycle, rec);
  guard.unlock();
  const Time since = seat.drop(DropReason::Blocking, SpanState::WaitingLock, job, step);  // L2
  // The wait is long and this recorder writes the lock lane next: write the GIL's release
  // now, at its own time, instead of holding it back for a quick re-take.
  seat.flush();
  if (!cycle.empty()) {
    ctx_.request_stop();  // wakes this object's waiters too: mutex_ must be free
    throw RunAborted{};
  }
  // L3, L4: a release with waiters wakes one, which takes the lock if it finds it free, as
  // anyone running may first; one that finds it taken sleeps again. No mutex between the
  // wake-up and the take: the lock is free from the holder's release to its next acquire
  // (L7's with statement, the release's wake-up call), and a woken waiter takes it then.
  // (A mutex-guarded holder left the waiter to win that mutex too, against a holder that
  // took it twice an iteration: in lesson 15 a waiter waited milliseconds where CPython's
  // waits a wake-up, and four threads' locked loop ran at one thread's pace.)
  while (true) {
    const std::uint32_t seen = lock.freed.load(std::memory_order_acquire);
    if (take_free(lock, me)) break;
    ctx_.throw_if_aborted();
    futex_wait(lock.freed, seen);
  }
  guard.lock();
  record_take(lock, me, rec);
  const auto queued = std::find(lock.waiters.begin(), lock.waiters.end(), me);
  if (queued != lock.waiters.end()) lock.waiters.erase(queued);
  waits_for_[me] = trace::kNone;
  const Time taken = lock.last_event;
  guard.unlock();
  rec.mark(taken, MarkKind::LockTaken, me, lock.lane, (taken - since).ns());
  seat.take(SpanState::Running, job, step);
}

bool RealShared::acquire_as_task(Recorder& rec, LaneId task, std::uint32_t index) {
  std::unique_lock guard(mutex_);
  Lock& lock = locks_[index];
  // L5: a free lock with nobody queued is taken at once; otherwise the task queues, in order.
  if (lock.waiters.empty() && try_take(lock, task, rec)) return true;
  const Time at = ctx_.now();
  begin_wait(lock, index, task, rec, at);
  const auto cycle = cycle_from(task);
  if (cycle.empty()) return false;
  stop_at_deadlock(cycle, rec);
  guard.unlock();
  ctx_.request_stop();
  throw RunAborted{};
}

std::optional<LaneId> RealShared::release_as_task(Recorder& rec, std::uint32_t index) {
  std::lock_guard guard(mutex_);
  Lock& lock = locks_[index];
  if (--lock.depth > 0) return std::nullopt;
  lock.holder.store(trace::kNone, std::memory_order_relaxed);
  rec.clear(stamp(lock), lock.lane);
  if (lock.waiters.empty()) return std::nullopt;
  // L5: release() sets the first waiter's future: the lock is that task's from now on.
  const LaneId next = lock.waiters.front();
  lock.waiters.pop_front();
  try_take(lock, next, rec);
  waits_for_[next] = trace::kNone;
  const Time taken = lock.last_event;
  rec.mark(taken, MarkKind::LockTaken, next, lock.lane, (taken - waiting_since_[next]).ns());
  return next;
}

void RealShared::release(GilSeat& seat, std::uint32_t index) {
  Lock& lock = locks_[index];
  if (--lock.depth > 0) return;
  bool waiters = false;
  {
    std::lock_guard guard(mutex_);
    seat.recorder().clear(stamp(lock), lock.lane);
    lock.holder.store(trace::kNone, std::memory_order_release);
    waiters = !lock.waiters.empty();
  }
  if (waiters) {  // L3: wake one waiter, as a semaphore's post does, with the lock already free
    lock.freed.fetch_add(1, std::memory_order_release);
    futex_wake(lock.freed, 1);
  }
}

void RealShared::increment(GilSeat& seat, const scenario::PlannedStep& planned, std::uint32_t job, std::uint16_t step) {
  const std::uint32_t index = planned.target;
  const bool has_call = planned.has_call;
  Counter& counter = counters_[index];
  const double rate = ctx_.settings().iterations_per_ns;
  RealGil* gil = seat.gil();
  const auto check_point = [&] {
    if (gil != nullptr && gil->mode() == scenario::GilMode::New && gil->drop_requested()) {
      seat.yield_at_check_point(job, step);
    }
  };
  spin(increment_before_);  // FOR_ITER, STORE_FAST, LOAD_GLOBAL: no check point
  const std::int64_t loaded = counter.value.load(std::memory_order_relaxed);
  const std::int64_t stores_at_load = counter.stores.load(std::memory_order_relaxed);
  if (has_call) {
    check_point();  // f()'s RESUME
    spin(iterations_for(scenario::python_cost(ctx_.settings(), planned.duration), rate));
  }
  spin(increment_after_);  // BINARY_OP, STORE_GLOBAL
  counter.value.store(loaded + 1, std::memory_order_relaxed);
  const std::int64_t overwritten = counter.stores.fetch_add(1, std::memory_order_relaxed) - stores_at_load;
  if (overwritten > 0) seat.recorder().mark(ctx_.now(), MarkKind::LostUpdate, seat.lane(), index, overwritten);
  check_point();  // JUMP_BACKWARD
  ctx_.throw_if_aborted();
}

std::optional<Time> RealShared::deadlock_at() const {
  std::lock_guard guard(mutex_);
  return deadlock_at_;
}

std::vector<trace::Counter> RealShared::counters() const {
  std::vector<trace::Counter> out;
  for (const Counter& c : counters_) {
    out.push_back(trace::Counter{c.name, c.initial, c.value.load(), c.stores.load()});
  }
  return out;
}

}  // namespace gilsim::real
