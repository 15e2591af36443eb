// The OS side of the engine: cores, the run queue, time slices, EEVDF's pick and wake-up
// preemption (docs/model.md S1-S5, S7).
#include <algorithm>
#include <cassert>
#include <cmath>
#include <utility>

#include "sim/model/engine.hpp"
#include "sim/model/engine_state.hpp"

namespace gilsim::model {

int Engine::idle_core_among(ThreadId t) const {
  return idle_cores_.choose(t, [this](int c) {
    const Core& core = cores_[static_cast<std::size_t>(c)];
    return CoreView{.idle = true, .last = core.last, .idle_since = core.idle_since};
  });
}

// Rare (an affinity, or past 64 cores): out of line, so that its callers stay small.
[[gnu::cold]] int Engine::idle_core_by_scan(ThreadId t) const {
  const bool any_core = threads_[t].affinity == 0;  // the usual thread: no affinity to look up per core
  return choose_idle_core(static_cast<int>(cores_.size()), t, [this, t, any_core](int c) {
    const Core& core = cores_[static_cast<std::size_t>(c)];
    return CoreView{.idle = core.thread == kNoThread && (any_core || allowed(t, c)), .last = core.last,
                    .idle_since = core.idle_since};
  });
}

// S7: a core of relative speed s does d of work in d / s. At 1.0 (the default) both are
// the identity, with no rounding.
Time Engine::wall_time_on(int c, Time work) const {
  if (full_speed_) return work;
  const double speed = config_.machine.speed_of(c);
  if (speed == 1.0) return work;
  return Time{static_cast<std::int64_t>(std::llround(static_cast<double>(work.ns()) / speed))};
}

Time Engine::work_done_on(int c, Time wall) const {
  if (full_speed_) return wall;
  const double speed = config_.machine.speed_of(c);
  if (speed == 1.0) return wall;
  return Time{static_cast<std::int64_t>(std::llround(static_cast<double>(wall.ns()) * speed))};
}

bool Engine::request_core(ThreadId t) {
  const int free_core = idle_core_for(t);
  if (takes_idle_core_alone(t, free_core)) {
    take_idle_core_alone(t, free_core);
    return true;
  }
  return request_core_anyhow(t, free_core);
}

// The usual case under a GIL: an idle core, per-CPU queues with nobody queued on it or
// parked there, the thread not parked and no new thread waiting for its first core.
[[gnu::always_inline]] inline bool Engine::takes_idle_core_alone(ThreadId t, int free_core) const {
  if (free_core >= 0 && per_cpu_ && unplaced_clones_ == 0 && threads_[t].parked == Parked::No) {
    const auto q = static_cast<std::size_t>(free_core);
    return queued_[q] == 0 && run_queues_[q].parked() == 0;
  }
  return false;
}

// request_core()'s usual path, straight: join_queue() alone on the idle core's queue
// (place_request()), then assign_core(), in their order.
[[gnu::always_inline]] inline void Engine::take_idle_core_alone(ThreadId t, int c) {
  Thread& th = threads_[t];
  Core& core = cores_[static_cast<std::size_t>(c)];
  assert(per_cpu_ && core.thread == kNoThread && th.parked == Parked::No);
  // place_request(): its runtime stays; its request is one slice from there.
  const Time deadline = th.vruntime + config_.machine.quantum;
  th.deadline = deadline;
  th.lag = Time::zero();
  vruntime_sum_[static_cast<std::size_t>(c)] += th.vruntime.ns();
  // assign_core()
  core.thread = t;
  idle_cores_.busy(c);
  core.slice_start = now_;
  core.charged_since = now_;
  core.protected_until = deadline;  // S3: RUN_TO_PARITY's protected slice
  timers_.cancel(core.quantum);
  th.core = static_cast<std::int16_t>(c);
  th.s.core = CoreState::OnCore;
  if (!th.placed && th.clone_cpu >= 0) --unplaced_clones_;
  th.placed = true;
  th.cpu = static_cast<std::int16_t>(c);
  if (core.next_balance == Time::max()) core.next_balance = now_ + kBusyBalanceInterval;  // S1d
  if (now_ > core.idle_period_since) core.last_idle = now_ - core.idle_period_since;  // G8
  if (queued_total_ > 0) arm_quantums();
  th.s.just_woke = false;
}

bool Engine::request_core_anyhow(ThreadId t, int free_core) {
  Thread& th = threads_[t];
  // S1a at clone(): a new thread runs on the core chosen at its creation when it is idle.
  if (free_core >= 0 && unplaced_clones_ != 0 && !th.placed && th.clone_cpu >= 0 &&
      cores_[static_cast<std::size_t>(th.clone_cpu)].thread == kNoThread && allowed(t, th.clone_cpu)) {
    free_core = th.clone_cpu;
  }
  if (free_core >= 0) {
    join_queue(t, queue_index(free_core));
    assign_core(free_core, t);
    th.s.just_woke = false;
    return true;
  }
  const int target = per_cpu_ ? placement_cpu(t) : -1;  // S1a, S1b
  join_queue(t, per_cpu_ ? static_cast<std::size_t>(target) : 0);
  if (std::exchange(th.s.just_woke, false) && preempt_for_waker(t, target)) return true;
  enqueue(t, target);
  show(t, SpanState::Runnable);
  arm_quantums();
  return false;
}

// The average of `count` virtual runtimes summing to `sum`, rounded down: a runtime v is at
// most the average (eligible) exactly when v * count <= sum.
static Time average(std::int64_t sum, std::int64_t count) {
  const std::int64_t quotient = sum / count;
  return Time{quotient * count > sum ? quotient - 1 : quotient};
}

Engine::QueueLoad Engine::queue_load(std::size_t q, bool as_accounted) const {
  QueueLoad load{.sum = vruntime_sum_[q],
                 .count = static_cast<std::int64_t>(queued_[q] + run_queues_[q].parked())};
  if (per_cpu_) {  // queue q is core q's alone: no need to look at the others
    const Core& core = cores_[q];
    if (core.thread != kNoThread) {
      if (!as_accounted) load.sum += (now_ - core.charged_since).ns();
      ++load.count;
    }
    return load;
  }
  for (std::size_t c = 0; c < cores_.size(); ++c) {
    const Core& core = cores_[c];
    if (core.thread == kNoThread || queue_index(static_cast<int>(c)) != q) continue;
    if (!as_accounted) load.sum += (now_ - core.charged_since).ns();
    ++load.count;
  }
  return load;
}

Time Engine::vruntime_now(ThreadId t) const {
  const Thread& th = threads_[t];
  if (!th.s.on_core()) return th.vruntime;
  return th.vruntime + (now_ - cores_[static_cast<std::size_t>(th.core)].charged_since);
}

// Inline in the rule files (request_core() calls it once a hand-off, for a few stores in the
// usual case); placement.cpp calls move_between_queues().
[[gnu::always_inline]] inline void Engine::join_queue(ThreadId t, std::size_t q) {
  // S3, Linux's place_entity with PLACE_LAG: the thread's virtual runtime is the queue's
  // average less its lag, the lag scaled by (n + 1) / n so that the average, which the
  // thread itself moves, keeps it; its request is one slice from there. Alone on the queue
  // its lag is moot (the average is its own runtime).
  Thread& th = threads_[t];
  // Per-CPU queues, nobody on queue q or its core and nothing parked (load.count 0), the
  // usual case under a GIL: its runtime stays, with no call for the load.
  if (per_cpu_ && th.parked == Parked::No && queued_[q] == 0 && run_queues_[q].parked() == 0 &&
      cores_[q].thread == kNoThread) {
    place_request(t, q);
    return;
  }
  if (th.parked == Parked::Delayed && requeues_delayed(t, q)) {
    th.parked = Parked::Waking;  // back, not a delayed thread for drop_paid() to let go
    drop_paid(q);
    unpark(t, true);
    return;
  }
  drop_paid(q);
  if (th.parked != Parked::No && rejoin_parked(t, q)) return;
  const QueueLoad load = queue_load(q);
  if (load.count > 0) {
    const std::int64_t lag = th.lag.ns() * (load.count + 1) / load.count;
    th.vruntime = average(load.sum, load.count) - Time{lag};
  }
  place_request(t, q);
}

void Engine::place_request(ThreadId t, std::size_t q) {
  Thread& th = threads_[t];
  th.deadline = th.vruntime + config_.machine.quantum;
  th.lag = Time::zero();
  vruntime_sum_[q] += th.vruntime.ns();
}

Time Engine::lag_on(ThreadId t, std::size_t q) const {
  const QueueLoad load = queue_load(q);  // t among them
  return average(load.sum, load.count) - vruntime_now(t);
}

bool Engine::requeues_delayed(ThreadId t, std::size_t q) const {
  // Linux's ttwu_runnable() requeues a delayed task (requeue_delayed_entity) before any
  // update_curr(): its lag is judged against the running thread's runtime as last
  // accounted (at its pick, a tick, a wake-up test), not the time it has run since. So a
  // thread that blocked owing a little time, woken while another has run past it, keeps
  // its runtime and deadline, and the wake-up test that follows (which does account) finds
  // the runner ahead of the average: the woken thread takes the core.
  if (parked_queue(t) != q) return false;
  const QueueLoad load = queue_load(q, true);
  return average(load.sum, load.count) - threads_[t].vruntime <= Time::zero();
}

// Inline as join_queue() is (release_core() calls it once a hand-off).
[[gnu::always_inline]] inline void Engine::leave_queue(ThreadId t, std::size_t q, bool sleeps) {
  // S3: it keeps its lag (the queue's average less its runtime), within two slices. A
  // thread that blocks owing time (negative lag) stays on the queue (DELAY_DEQUEUE, below).
  Thread& th = threads_[t];
  if (th.s.on_core()) charge(th.core);
  drop_paid(q);
  if (per_cpu_ && queued_[q] == 0 && run_queues_[q].parked() == 0 && th.s.on_core()) {
    th.lag = Time::zero();  // alone on its queue: the average is its own runtime
    vruntime_sum_[q] -= th.vruntime.ns();
    return;
  }
  const Time lag = lag_on(t, q);
  if (sleeps && lag < Time::zero() && th.s.doing != Activity::Exited) {
    // DELAY_DEQUEUE: it blocks owing time, so it stays counted on the queue (its runtime in
    // the average) until a pick finds it paid off (drop_paid()) or it wakes (rejoin_parked());
    // one that exits leaves at once (task_dead_fair).
    th.parked = Parked::Delayed;
    if (per_cpu_) th.cpu = static_cast<std::int16_t>(q);
    run_queues_[q].park(t);
    return;
  }
  const Time limit = config_.machine.quantum * 2;
  th.lag = std::clamp(lag, -limit, limit);
  vruntime_sum_[q] -= th.vruntime.ns();
}

void Engine::move_between_queues(ThreadId t, std::size_t from, std::size_t to) {
  leave_queue(t, from, false);
  count_off_queue(from);
  join_queue(t, to);
}

std::size_t Engine::parked_queue(ThreadId t) const {
  return per_cpu_ ? static_cast<std::size_t>(threads_[t].cpu) : 0;
}

void Engine::unpark(ThreadId t, bool keep_runtime) {
  Thread& th = threads_[t];
  const std::size_t q = parked_queue(t);
  run_queues_[q].unpark(t);
  th.parked = Parked::No;
  if (!keep_runtime) vruntime_sum_[q] -= th.vruntime.ns();
}

bool Engine::rejoin_parked(ThreadId t, std::size_t q) {
  // S3. A thread a signal placed (try_to_wake_up enqueued it at once) is placed again
  // now, on whichever queue it joins, with the lag it had at the signal: Linux tests its
  // wake-up preemption at the signal, when it has gained nothing from waiting, not G8's
  // wake-up later. A delayed thread that still owes time keeps its runtime and deadline
  // on its own queue (requeue_delayed_entity) and its debt on another; one that has paid
  // off is placed afresh with a lag of zero (DELAY_ZERO).
  Thread& th = threads_[t];
  const std::size_t from = parked_queue(t);
  if (from != q) drop_paid(from);
  if (th.parked == Parked::No) return false;  // paid off: placed afresh, lag zero
  if (th.parked == Parked::Waking) {
    unpark(t, false);  // th.lag: what it had at the signal
    return false;
  }
  const Time lag = lag_on(t, from);
  if (from == q && lag <= Time::zero()) {
    unpark(t, true);
    return true;
  }
  unpark(t, false);
  const Time limit = config_.machine.quantum * 2;
  th.lag = std::clamp(std::min(lag, Time::zero()), -limit, limit);
  return false;
}

void Engine::drop_paid_parked(std::size_t q) {
  // S3, pick_next_entity: a delayed thread the pick finds eligible (paid off) leaves with a
  // lag of zero (DELAY_ZERO); with nobody else left on the queue (a thread a signal woke
  // is on it), every one leaves.
  RunQueue& queue = run_queues_[q];
  bool others = queued_[q] > 0;
  for (const ThreadId p : queue.parked_threads()) others = others || threads_[p].parked == Parked::Waking;
  for (std::size_t c = 0; c < cores_.size() && !others; ++c) {
    others = cores_[c].thread != kNoThread && queue_index(static_cast<int>(c)) == q;
  }
  for (std::size_t i = 0; i < queue.parked();) {
    const ThreadId d = queue.parked_threads()[i];
    if (threads_[d].parked == Parked::Delayed && (!others || lag_on(d, q) >= Time::zero())) {
      unpark(d, false);
      threads_[d].lag = Time::zero();
    } else {
      ++i;
    }
  }
}

void Engine::enqueue_new_thread(ThreadId t) { join_on_signal(t); }

void Engine::join_on_signal_queued(ThreadId t) {
  // S3, try_to_wake_up: a signalled thread with no idle core to wake on joins its queue at
  // the signal, while the signaller still runs, not when it has woken (G8).
  Thread& th = threads_[t];
  const int target = per_cpu_ ? placement_cpu(t) : 0;
  if (target < 0) return;
  const std::size_t q = static_cast<std::size_t>(target);
  const Time lag = th.lag;
  join_queue(t, q);
  th.lag = lag;  // placed again with it at its wake-up (rejoin_parked())
  if (per_cpu_) th.cpu = static_cast<std::int16_t>(target);
  th.parked = Parked::Waking;
  run_queues_[q].park(t);
}

void Engine::charge(int c) {
  // S3, update_curr and update_deadline: the time the thread ran is its virtual runtime
  // (every thread has nice 0's weight); once it reaches its deadline, its next request
  // is one slice from there.
  Core& core = cores_[static_cast<std::size_t>(c)];
  Thread& th = threads_[core.thread];
  const Time ran = now_ - core.charged_since;
  core.charged_since = now_;
  th.vruntime += ran;
  vruntime_sum_[queue_index(c)] += ran.ns();
  if (th.vruntime >= th.deadline) th.deadline = th.vruntime + config_.machine.quantum;
}

bool Engine::preempt_for_waker(ThreadId t, int target) {
  // S3, Linux's check_preempt_wakeup_fair: the woken thread (already placed on the queue,
  // not yet counted in it) preempts a core's thread when EEVDF would pick it there now.
  // With per-CPU queues only the thread of the core it is placed on (S1b); with the one
  // shared queue, the running thread furthest ahead in virtual runtime.
  int victim = -1;
  Time victim_runtime;
  for (int c = 0; c < static_cast<int>(cores_.size()); ++c) {
    if (target >= 0 && c != target) continue;
    const Core& core = cores_[c];
    if (core.thread == kNoThread || !threads_[core.thread].s.running() || threads_[core.thread].run_end <= now_) continue;
    const Time runtime = vruntime_now(core.thread);
    if (victim < 0 || runtime > victim_runtime) {
      victim = c;
      victim_runtime = runtime;
    }
  }
  if (victim < 0) return false;
  const std::size_t q = queue_index(victim);
  Core& core = cores_[static_cast<std::size_t>(victim)];
  Thread& current = threads_[core.thread];
  charge(victim);  // its deadline is renewed if it ran out (update_curr)
  drop_paid(q);
  QueueLoad load = queue_load(q);
  ++load.count;  // the woken thread
  const Time mean = average(load.sum, load.count);
  const auto eligible = [mean](Time runtime) { return runtime <= mean; };
  const Thread& woken = threads_[t];
  // pick_eevdf: an eligible current thread keeps its core within its protected slice
  // (RUN_TO_PARITY: until it reaches the deadline it had when it took the core), and
  // otherwise the eligible thread with the earliest deadline wins, the current thread
  // only when strictly earlier.
  const bool current_eligible = eligible(current.vruntime);
  if (current_eligible && current.vruntime < core.protected_until) return false;
  if (!eligible(woken.vruntime)) return false;
  if (current_eligible && current.deadline < woken.deadline) return false;
  // A queued eligible thread with a deadline no later than the woken one's would be
  // picked instead: then nobody preempts.
  const ThreadId rival = run_queues_[q].find([&](ThreadId u) {
    const Thread& th = threads_[u];
    return th.s.core == CoreState::Queued && (!per_cpu_ || th.cpu == victim) && eligible(th.vruntime) &&
           th.deadline <= woken.deadline;
  });
  if (rival != RunQueue::kEmpty) return false;
  preempt(victim, t, trace::kWokenFirst);
  return true;
}

void Engine::preempt(int c, ThreadId next, std::int64_t why) {
  Core& core = cores_[c];
  const ThreadId t = core.thread;
  Thread& th = threads_[t];
  pause(t);
  charge(c);
  builder_.mark(now_, trace::MarkKind::Preempt, th.lane, threads_[next].lane, why);
  th.core = -1;
  if (per_cpu_) th.left_core = now_;  // S1c (the record's second line: only when it is used)
  core.thread = kNoThread;  // assign_core() gives it to `next` at once: never idle
  builder_.clear_state(core.lane, now_);
  assign_core(c, next);
  enqueue(t, c);
  show(t, SpanState::Runnable);
  arm_quantums();
}

void Engine::enqueue(ThreadId t, int cpu) {
  Thread& th = threads_[t];
  std::size_t q = 0;
  if (per_cpu_) {
    th.cpu = static_cast<std::int16_t>(cpu);
    q = static_cast<std::size_t>(cpu);
  }
  th.s.core = CoreState::Queued;
  run_queues_[q].push(t);
  ++queued_[q];
  ++queued_total_;
}

ThreadId Engine::pop_run_queue(int c) {
  // A thread moved to another core's queue (S1c) left a stale entry here: skipped.
  // S2, __pick_eevdf: the eligible thread (runtime at most the queue's average) with the
  // earliest deadline, the first queued on a tie; with none eligible, the lowest runtime.
  const std::size_t q = queue_index(c);
  const QueueLoad load = queue_load(q);
  const auto eligible = [&](const Thread& th) { return th.vruntime.ns() * load.count <= load.sum; };
  const auto next = run_queues_[q].pop_best(
      [this, c](ThreadId t) {
        const Thread& th = threads_[t];
        return th.s.core == CoreState::Queued && (!per_cpu_ || th.cpu == c);
      },
      [&](ThreadId a, ThreadId b) {
        const Thread& x = threads_[a];
        const Thread& y = threads_[b];
        const bool x_eligible = eligible(x);
        if (x_eligible != eligible(y)) return x_eligible;
        return x_eligible ? x.deadline < y.deadline : x.vruntime < y.vruntime;
      });
  if (next == RunQueue::kEmpty) return kNoThread;
  count_off_queue(q);
  return next;
}

void Engine::arm_quantums() {
  for (std::size_t c = 0; c < cores_.size(); ++c) {
    Core& core = cores_[c];
    if (core.thread == kNoThread) {
      if (per_cpu_ && !timers_.pending(core.quantum)) arm_idle_balance(static_cast<int>(c));  // S1c
      continue;
    }
    if (timers_.pending(core.quantum)) continue;
    timers_.set(core.quantum, max(now_, core.slice_start + config_.machine.quantum));
  }
}

// Inline in its callers (request_core() gives a woken waiter its core once a hand-off).
[[gnu::always_inline]] inline void Engine::assign_core(int c, ThreadId t) {
  Core& core = cores_[c];
  Thread& th = threads_[t];
  core.thread = t;
  idle_cores_.busy(c);
  core.slice_start = now_;
  core.charged_since = now_;
  core.protected_until = th.deadline;  // S3: RUN_TO_PARITY's protected slice
  timers_.cancel(core.quantum);
  th.core = static_cast<std::int16_t>(c);
  th.s.core = CoreState::OnCore;
  if (per_cpu_) {  // the record's second line: only when it is used
    if (!th.placed && th.clone_cpu >= 0) --unplaced_clones_;
    th.placed = true;
    th.cpu = static_cast<std::int16_t>(c);
    // S1d: an idle core balances at every tick; busy from now, next in a busy interval.
    if (core.next_balance == Time::max()) core.next_balance = now_ + kBusyBalanceInterval;
  }
  if (now_ > core.idle_period_since) core.last_idle = now_ - core.idle_period_since;  // its idle period ends (G8)
  if (waiting()) arm_quantums();
}

// release_core_or_queue()'s usual path under a GIL, written straight: per-CPU queues, nobody
// queued on any core, nothing parked or left (stale) in this core's queue. What leave_queue()
// (charge(), then its thread alone on its queue), the core's release, drop_paid() and the
// look for a next thread (none, and nothing to pull or balance) leave, in their order.
void Engine::leave_core_alone(ThreadId t) { leave_core_alone_inline(t); }

// leave_core_alone(), inline in wait() (a thread blocking on I/O, once a busy cycle).
[[gnu::always_inline]] inline void Engine::leave_core_alone_inline(ThreadId t) {
  Thread& th = threads_[t];
  const int c = th.core;
  Core& core = cores_[static_cast<std::size_t>(c)];
  assert(per_cpu_ && queued_total_ == 0 && core.thread == t);
  // charge(c): the time it ran is its virtual runtime; then it leaves its queue with no lag
  // (alone there: the average is its own runtime).
  const Time ran = now_ - core.charged_since;
  core.charged_since = now_;
  const Time vruntime = th.vruntime + ran;
  th.vruntime = vruntime;
  if (vruntime >= th.deadline) th.deadline = vruntime + config_.machine.quantum;
  th.lag = Time::zero();
  std::int64_t& sum = vruntime_sum_[static_cast<std::size_t>(c)];
  sum = sum + ran.ns() - vruntime.ns();
  th.core = -1;
  th.left_core = now_;  // S1c
  th.s.core = CoreState::Off;
  core.thread = kNoThread;
  idle_cores_.idle(c);
  core.idle_since = now_;
  core.idle_period_since = now_;
  timers_.cancel(core.quantum);
  builder_.clear_state(core.lane, now_);
  core.next_balance = Time::max();  // idle: it balances as an idle core (S1c, S1d)
}

// Inline: a thread with no core and no place in a run queue has nothing to give back (a
// forced-out dropper going back to its timed wait, once a hand-off).
[[gnu::always_inline]] inline void Engine::release_core(ThreadId t, bool alone_inline) {
  const Thread& th = threads_[t];
  if (th.s.core == CoreState::Off) return;
  if (per_cpu_ && queued_total_ == 0 && th.s.on_core()) {
    const RunQueue& queue = run_queues_[static_cast<std::size_t>(th.core)];
    if (queue.parked() == 0 && !queue.has_entries()) {
      if (alone_inline) {
        leave_core_alone_inline(t);
      } else {
        leave_core_alone(t);
      }
      return;
    }
  }
  release_core_or_queue(t);
}

void Engine::release_core_or_queue(ThreadId t) {
  Thread& th = threads_[t];
  if (!th.s.on_core()) {
    if (th.s.core == CoreState::Queued) {
      const std::size_t q = per_cpu_ ? static_cast<std::size_t>(th.cpu) : 0;
      leave_queue(t, q, true);
      count_off_queue(q);
    }
    th.s.core = CoreState::Off;  // leaves the run queue lazily
    return;
  }
  const int c = th.core;
  Core& core = cores_[c];
  leave_queue(t, queue_index(c), true);
  th.core = -1;
  if (per_cpu_) th.left_core = now_;  // S1c
  th.s.core = CoreState::Off;
  core.thread = kNoThread;
  idle_cores_.idle(c);
  core.idle_since = now_;
  core.idle_period_since = now_;
  timers_.cancel(core.quantum);
  builder_.clear_state(core.lane, now_);
  drop_paid(queue_index(c));
  // Nobody queued here, the usual case under the GIL: no call.
  ThreadId next = run_queues_[queue_index(c)].has_entries() ? pop_run_queue(c) : kNoThread;
  // With per-CPU queues and nobody queued on any core, balancing finds nothing to pull and
  // no time to look again (pull_for(), arm_idle_balance()): no call.
  const bool others_queued = per_cpu_ && any_queued();
  if (next == kNoThread && others_queued) next = pull_for(c, false);  // S1c: newly idle
  if (next == kNoThread) {
    if (per_cpu_) {
      core.next_balance = Time::max();  // idle: it balances as an idle core (S1c, S1d)
      if (others_queued) arm_idle_balance(c);
    }
    return;
  }
  assign_core(c, next);
  run_assigned(next);
}

// Inline in on_switch_wake(), its one caller.
[[gnu::always_inline]] inline void Engine::pass_through_core(int c, ThreadId t) {
  Core& core = cores_[static_cast<std::size_t>(c)];
  Thread& th = threads_[t];
  // Its one caller ended the core's idle period at the wake-up (end_idle_period()), which
  // is what assign_core() would do to it, and began the next one now, as release_core() would.
  assert(core.thread == kNoThread && th.s.core == CoreState::Off && !waiting() && core.idle_period_since == now_);
  // What assign_core() leaves: its slice began now. The thread's core and CoreState come
  // back to what they were.
  core.slice_start = now_;
  // What release_core() leaves, with nobody queued to take the core.
  core.idle_since = now_;
  timers_.cancel(core.quantum);
  builder_.clear_state(core.lane, now_);
  if (per_cpu_) {
    if (!th.placed && th.clone_cpu >= 0) --unplaced_clones_;
    th.placed = true;  // it had the core (S1b), and left it now (S1c)
    th.cpu = static_cast<std::int16_t>(c);
    th.left_core = now_;
    core.next_balance = Time::max();  // idle (S1d)
  }
  // release_core() looks in the core's run queue, which drops the entries left there by
  // threads that went elsewhere (none is queued, so none is taken).
  if (run_queues_[queue_index(c)].has_entries()) {
    [[maybe_unused]] const ThreadId next = pop_run_queue(c);
    assert(next == kNoThread);
  }
}

void Engine::on_quantum_end(int c) {
  Core& core = cores_[c];
  if (core.thread == kNoThread) {
    // Per-CPU queues: an idle core's slot times its next idle balance (S1c).
    if (!per_cpu_) return;
    const ThreadId pulled = pull_for(c, false);
    if (pulled == kNoThread) {
      arm_idle_balance(c);
      return;
    }
    assign_core(c, pulled);
    run_assigned(pulled);
    return;
  }
  if (unlocking(core.thread)) {
    // G8b: in drop_gil's signal, the mutex held: its slice ends after the unlock.
    timers_.set(core.quantum, timers_.when(threads_[core.thread].timer));
    return;
  }
  if (threads_[core.thread].run_end <= now_) {
    // Its compute ends at this very instant: let it finish, then look again.
    if (waiting()) arm_quantums();
    return;
  }
  drop_paid(queue_index(c));
  ThreadId next = pop_run_queue(c);
  if (next == kNoThread && per_cpu_) next = pull_for(c, true);  // S1d: a periodic balance
  if (next == kNoThread) {
    // Nobody waits for this core: the thread keeps it. With per-CPU queues the core
    // still balances at its next slice end while threads wait elsewhere (S1d).
    if (per_cpu_ && any_queued()) timers_.set(core.quantum, now_ + config_.machine.quantum);
    return;
  }
  preempt(c, next, trace::kSliceEnded);
  run_assigned(next);
}

void Engine::run_assigned(ThreadId t) {
  // A thread that waited for a core to call take_gil calls it now (G8a).
  const GilState g = threads_[t].s.gil;
  if (g == GilState::Woken || g == GilState::Asking) {
    try_gil_on_core(t);
  } else {
    proceed(t);
  }
}

}  // namespace gilsim::model
