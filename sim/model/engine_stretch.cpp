// A stretch of Python with nothing in the way (docs/model.md U4): how far a program may run
// its steps one after another while no event is due and no check point can switch it out,
// each then run by run_at_once() (engine_state.hpp, beside compute()'s run-through) with the
// spans, the clock and the event count compute() gives them, without its checks and its
// round trip through the program for each.
#include "sim/model/engine.hpp"
#include "sim/model/engine_state.hpp"

namespace gilsim::model {

Engine::Stretch Engine::stretch(ThreadId t) {
  // ran_through()'s conditions, with no drop request at all: the stretch's check points
  // then do nothing, and its steps need not be told apart by their check points.
  const Thread& th = threads_[t];
  if (resuming_ != t || stopped_ || !th.s.on_core() || !dirty_gils_.empty() || events_ >= config_.max_events ||
      timers_.pending(th.timer) || cores_[static_cast<std::size_t>(th.core)].last != t) {
    return {};
  }
  if (const Gil* gil = gils_[th.process].get(); gil != nullptr) {
    if (config_.gil == scenario::GilMode::Old || gil->drop_request || !th.s.holds_gil()) return {};
  }
  return Stretch{timers_.empty() ? Time::max() : timers_.top_time(), config_.max_events - events_};
}

void Engine::run_aside(ThreadId t, Stretch& stretch) {
  const Time back = now_;
  const std::uint32_t ended = ended_at_once_;
  Time at;
  const TimerHeap::Slot slot = timers_.pop(at);
  now_ = at;
  ++events_;
  ++asides_;
  --stretch.events;
  // As dispatch() runs it; it asks end_event() for nothing.
  const TimerOwner owner = owners_[slot];
  if (owner.kind == EventKind::Resume) {
    on_resume(owner.target);
  } else {
    assert(owner.kind == EventKind::ComputeDone && threads_[owner.target].run_end == now_);
    on_compute_done(owner.target);
  }
  assert(dirty_gils_.empty() && !stopped_ && "an aside changed a GIL or stopped the run");
  now_ = back;
  resuming_ = t;
  ended_at_once_ = ended;
  stretch.until = timers_.empty() ? Time::max() : timers_.top_time();
}

bool Engine::leaves_core_quietly(ThreadId t) const {
  // release_core()'s cases: off any core it returns at once; leave_core_alone() touches the
  // thread, its core and the idle cores' mask, and sets no timer.
  const Thread& th = threads_[t];
  if (th.s.core == CoreState::Off) return true;
  if (!per_cpu_ || queued_total_ != 0 || !th.s.on_core()) return false;
  const RunQueue& queue = run_queues_[static_cast<std::size_t>(th.core)];
  return queue.parked() == 0 && !queue.has_entries();
}

Time Engine::wall_time(ThreadId t, Time work) const { return wall_time_on(threads_[t].core, work); }

bool Engine::at_full_speed(ThreadId t) const { return config_.machine.speed_of(threads_[t].core) == 1.0; }

}  // namespace gilsim::model
