// The OS side of the engine: cores, the run queue, time slices and wake-up preemption
// (docs/model.md S1-S5).
#include <utility>

#include "sim/model/engine.hpp"
#include "sim/model/engine_state.hpp"

namespace gilsim::model {

bool Engine::request_core(ThreadId t) {
  Thread& th = *threads_[t];
  // Like Linux's wake-up placement: back on the thread's previous core if it is idle (its
  // cache is warm, no context switch), else on the core that has been idle the longest.
  int free_core = -1;
  for (int c = 0; c < static_cast<int>(cores_.size()); ++c) {
    if (cores_[c].thread != kNoThread) continue;
    if (cores_[c].last == t) {
      free_core = c;
      break;
    }
    if (free_core < 0 || cores_[c].idle_since < cores_[free_core].idle_since) free_core = c;
  }
  if (free_core >= 0) {
    assign_core(free_core, t);
    th.just_woke = false;
    return true;
  }
  if (std::exchange(th.just_woke, false) && preempt_for_waker(t)) return true;
  th.queued = true;
  run_queue_.push_back(t);
  show(t, SpanState::Runnable);
  arm_quantums();
  return false;
}

bool Engine::preempt_for_waker(ThreadId t) {
  // S3: a thread woken from I/O or a sleep preempts the thread that has run longest, once
  // that one has had a minimum slice (a quarter of the quantum, as CFS's granularity).
  int victim = -1;
  for (int c = 0; c < static_cast<int>(cores_.size()); ++c) {
    const Core& core = cores_[c];
    if (core.thread == kNoThread || !threads_[core.thread]->running || threads_[core.thread]->run_end <= now_) continue;
    if (victim < 0 || core.slice_start < cores_[victim].slice_start) victim = c;
  }
  if (victim < 0 || now_ - cores_[victim].slice_start < config_.machine.quantum / 4) return false;
  preempt(victim, t);
  return true;
}

void Engine::preempt(int c, ThreadId next) {
  Core& core = cores_[c];
  const ThreadId t = core.thread;
  Thread& th = *threads_[t];
  pause(t);
  builder_.mark(now_, trace::MarkKind::Preempt, th.lane, threads_[next]->lane);
  th.core = -1;
  core.thread = kNoThread;
  builder_.clear_state(builder_.core_lane(c), now_);
  assign_core(c, next);
  th.queued = true;
  run_queue_.push_back(t);
  show(t, SpanState::Runnable);
  arm_quantums();
}

ThreadId Engine::pop_run_queue() {
  ThreadId next = kNoThread;
  while (run_queue_head_ < run_queue_.size() && next == kNoThread) {
    const ThreadId candidate = run_queue_[run_queue_head_++];
    if (threads_[candidate]->queued) next = candidate;  // others left the queue lazily
  }
  if (run_queue_head_ == run_queue_.size()) {
    run_queue_.clear();
    run_queue_head_ = 0;
  }
  return next;
}

void Engine::arm_quantums() {
  for (std::size_t c = 0; c < cores_.size(); ++c) {
    Core& core = cores_[c];
    if (core.thread == kNoThread || core.quantum_armed) continue;
    core.quantum_armed = true;
    queue_.push(max(now_, core.slice_start + config_.machine.quantum), EventKind::QuantumEnd,
                static_cast<std::uint32_t>(c), core.epoch);
  }
}

void Engine::assign_core(int c, ThreadId t) {
  Core& core = cores_[c];
  Thread& th = *threads_[t];
  core.thread = t;
  core.slice_start = now_;
  ++core.epoch;
  core.quantum_armed = false;
  th.core = c;
  th.queued = false;
  if (run_queue_head_ < run_queue_.size()) arm_quantums();
}

void Engine::release_core(ThreadId t) {
  Thread& th = *threads_[t];
  if (th.core < 0) {
    th.queued = false;  // leaves the run queue lazily
    return;
  }
  const int c = th.core;
  Core& core = cores_[c];
  th.core = -1;
  core.thread = kNoThread;
  core.idle_since = now_;
  ++core.epoch;
  core.quantum_armed = false;
  builder_.clear_state(builder_.core_lane(c), now_);
  const ThreadId next = pop_run_queue();
  if (next == kNoThread) return;
  assign_core(c, next);
  proceed(next);
}

void Engine::on_quantum_end(int c) {
  Core& core = cores_[c];
  core.quantum_armed = false;
  if (core.thread == kNoThread) return;
  if (threads_[core.thread]->run_end <= now_) {
    // Its compute ends at this very instant: let it finish, then look again.
    if (run_queue_head_ < run_queue_.size()) arm_quantums();
    return;
  }
  const ThreadId next = pop_run_queue();
  if (next == kNoThread) return;  // nobody waits for a core: the thread keeps it
  preempt(c, next);
  proceed(next);
}

}  // namespace gilsim::model
