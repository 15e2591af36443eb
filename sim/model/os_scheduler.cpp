// The OS side of the engine: cores, the run queue, time slices and wake-up preemption
// (docs/model.md S1-S5, S7).
#include <cmath>
#include <utility>

#include "sim/model/engine.hpp"
#include "sim/model/engine_state.hpp"

namespace gilsim::model {

int Engine::idle_core_for(ThreadId t) const {
  return choose_idle_core(static_cast<int>(cores_.size()), t, [this](int c) {
    const Core& core = cores_[static_cast<std::size_t>(c)];
    return CoreView{.idle = core.thread == kNoThread, .last = core.last, .idle_since = core.idle_since};
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
  if (std::exchange(th.s.just_woke, false) && preempt_for_waker(t)) return true;
  th.s.core = CoreState::Queued;
  run_queue_.push(t);
  show(t, SpanState::Runnable);
  arm_quantums();
  return false;
}

bool Engine::preempt_for_waker(ThreadId t) {
  // S3: a thread woken from I/O or a sleep preempts the thread that has run longest, once
  // that one has had a minimum slice (a quarter of the quantum, as CFS's granularity); a
  // signalled GIL waiter does not wait for that.
  int victim = -1;
  for (int c = 0; c < static_cast<int>(cores_.size()); ++c) {
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
  th.s.core = CoreState::Queued;
  core.thread = kNoThread;
  builder_.clear_state(core.lane, now_);
  assign_core(c, next);
  run_queue_.push(t);
  show(t, SpanState::Runnable);
  arm_quantums();
}

ThreadId Engine::pop_run_queue() {
  const auto next = run_queue_.pop([this](ThreadId t) { return threads_[t].s.core == CoreState::Queued; });
  return next == RunQueue::kEmpty ? kNoThread : next;
}

void Engine::arm_quantums() {
  for (std::size_t c = 0; c < cores_.size(); ++c) {
    Core& core = cores_[c];
    if (core.thread == kNoThread || timers_.pending(core.quantum)) continue;
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
  if (now_ > core.idle_period_since) core.last_idle = now_ - core.idle_period_since;  // its idle period ends (G8)
  if (run_queue_.has_entries()) arm_quantums();
}

void Engine::release_core(ThreadId t) {
  Thread& th = threads_[t];
  if (!th.s.on_core()) {
    th.s.core = CoreState::Off;  // leaves the run queue lazily
    return;
  }
  const int c = th.core;
  Core& core = cores_[c];
  th.core = -1;
  th.s.core = CoreState::Off;
  core.thread = kNoThread;
  core.idle_since = now_;
  core.idle_period_since = now_;
  timers_.cancel(core.quantum);
  builder_.clear_state(core.lane, now_);
  const ThreadId next = pop_run_queue();
  if (next == kNoThread) return;
  assign_core(c, next);
  run_assigned(next);
}

void Engine::on_quantum_end(int c) {
  Core& core = cores_[c];
  if (core.thread == kNoThread) return;
  if (threads_[core.thread].run_end <= now_) {
    // Its compute ends at this very instant: let it finish, then look again.
    if (run_queue_.has_entries()) arm_quantums();
    return;
  }
  const ThreadId next = pop_run_queue();
  if (next == kNoThread) return;  // nobody waits for a core: the thread keeps it
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
