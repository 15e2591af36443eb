// The OS side of the engine: cores, the run queue, time slices and wake-up preemption
// (docs/model.md S1-S5, S7).
#include <cassert>
#include <cmath>
#include <utility>

#include "sim/model/engine.hpp"
#include "sim/model/engine_state.hpp"

namespace gilsim::model {

int Engine::idle_core_for(ThreadId t) const {
  return choose_idle_core(static_cast<int>(cores_.size()), t, [this, t](int c) {
    const Core& core = cores_[static_cast<std::size_t>(c)];
    return CoreView{.idle = core.thread == kNoThread && allowed(t, c), .last = core.last, .idle_since = core.idle_since};
  });
}

// S7: a core of relative speed s does d of work in d / s. At 1.0 (the default) both are
// the identity, with no rounding.
Time Engine::wall_time_on(int c, Time work) const {
  const double speed = config_.machine.speed_of(c);
  if (speed == 1.0) return work;
  return Time{static_cast<std::int64_t>(std::llround(static_cast<double>(work.ns()) / speed))};
}

Time Engine::work_done_on(int c, Time wall) const {
  const double speed = config_.machine.speed_of(c);
  if (speed == 1.0) return wall;
  return Time{static_cast<std::int64_t>(std::llround(static_cast<double>(wall.ns()) * speed))};
}

bool Engine::request_core(ThreadId t) {
  Thread& th = threads_[t];
  const int free_core = idle_core_for(t);
  if (free_core >= 0) {
    assign_core(free_core, t);
    th.s.just_woke = false;
    return true;
  }
  const int target = per_cpu_ ? placement_cpu(t) : -1;  // S1a, S1b
  if (std::exchange(th.s.just_woke, false) && preempt_for_waker(t, target)) return true;
  enqueue(t, target);
  show(t, SpanState::Runnable);
  arm_quantums();
  return false;
}

bool Engine::preempt_for_waker(ThreadId t, int target) {
  // S3: a thread woken from I/O or a sleep preempts the thread that has run longest, once
  // that one has had a minimum slice (a quarter of the quantum, as CFS's granularity); a
  // signalled GIL waiter does not wait for that. With per-CPU queues only the thread of
  // the core it is placed on (S1b).
  int victim = -1;
  for (int c = 0; c < static_cast<int>(cores_.size()); ++c) {
    if (target >= 0 && c != target) continue;
    const Core& core = cores_[c];
    if (core.thread == kNoThread || !threads_[core.thread].s.running() || threads_[core.thread].run_end <= now_) continue;
    if (victim < 0 || core.slice_start < cores_[victim].slice_start) victim = c;
  }
  // A signalled GIL waiter preempts at once, whatever the victim's slice (S3, G8a).
  const bool gil_waiter = threads_[t].s.gil == GilState::Woken;
  if (victim < 0 || (!gil_waiter && now_ - cores_[victim].slice_start < config_.machine.quantum / 4)) return false;
  preempt(victim, t);
  return true;
}

void Engine::preempt(int c, ThreadId next) {
  Core& core = cores_[c];
  const ThreadId t = core.thread;
  Thread& th = threads_[t];
  pause(t);
  builder_.mark(now_, trace::MarkKind::Preempt, th.lane, threads_[next].lane);
  th.core = -1;
  if (per_cpu_) th.left_core = now_;  // S1c (the record's second line: only when it is used)
  core.thread = kNoThread;
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
}

ThreadId Engine::pop_run_queue(int c) {
  // A thread moved to another core's queue (S1c) left a stale entry here: skipped.
  const std::size_t q = queue_index(c);
  const auto next = run_queues_[q].pop([this, c](ThreadId t) {
    const Thread& th = threads_[t];
    return th.s.core == CoreState::Queued && (!per_cpu_ || th.cpu == c);
  });
  if (next == RunQueue::kEmpty) return kNoThread;
  --queued_[q];
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

void Engine::assign_core(int c, ThreadId t) {
  Core& core = cores_[c];
  Thread& th = threads_[t];
  core.thread = t;
  core.slice_start = now_;
  timers_.cancel(core.quantum);
  th.core = static_cast<std::int16_t>(c);
  th.s.core = CoreState::OnCore;
  if (per_cpu_) {  // the record's second line: only when it is used
    th.placed = true;
    th.cpu = static_cast<std::int16_t>(c);
    // S1d: an idle core balances at every tick; busy from now, next in a busy interval.
    if (core.next_balance == Time::max()) core.next_balance = now_ + kBusyBalanceInterval;
  }
  if (now_ > core.idle_period_since) core.last_idle = now_ - core.idle_period_since;  // its idle period ends (G8)
  if (waiting()) arm_quantums();
}

void Engine::release_core(ThreadId t) {
  Thread& th = threads_[t];
  if (!th.s.on_core()) {
    if (th.s.core == CoreState::Queued) --queued_[per_cpu_ ? static_cast<std::size_t>(th.cpu) : 0];
    th.s.core = CoreState::Off;  // leaves the run queue lazily
    return;
  }
  const int c = th.core;
  Core& core = cores_[c];
  th.core = -1;
  if (per_cpu_) th.left_core = now_;  // S1c
  th.s.core = CoreState::Off;
  core.thread = kNoThread;
  core.idle_since = now_;
  core.idle_period_since = now_;
  timers_.cancel(core.quantum);
  builder_.clear_state(core.lane, now_);
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

void Engine::pass_through_core(int c, ThreadId t) {
  Core& core = cores_[static_cast<std::size_t>(c)];
  Thread& th = threads_[t];
  assert(core.thread == kNoThread && th.s.core == CoreState::Off && !waiting());
  // What assign_core() leaves: its slice began now, its idle period ended (G8). The
  // thread's core and CoreState come back to what they were.
  core.slice_start = now_;
  if (now_ > core.idle_period_since) core.last_idle = now_ - core.idle_period_since;
  // What release_core() leaves, with nobody queued to take the core.
  core.idle_since = now_;
  core.idle_period_since = now_;
  timers_.cancel(core.quantum);
  builder_.clear_state(core.lane, now_);
  if (per_cpu_) {
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
  if (threads_[core.thread].run_end <= now_) {
    // Its compute ends at this very instant: let it finish, then look again.
    if (waiting()) arm_quantums();
    return;
  }
  ThreadId next = pop_run_queue(c);
  if (next == kNoThread && per_cpu_) next = pull_for(c, true);  // S1d: a periodic balance
  if (next == kNoThread) {
    // Nobody waits for this core: the thread keeps it. With per-CPU queues the core
    // still balances at its next slice end while threads wait elsewhere (S1d).
    if (per_cpu_ && any_queued()) timers_.set(core.quantum, now_ + config_.machine.quantum);
    return;
  }
  preempt(c, next);
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
