// A stretch of Python with nothing in the way (docs/model.md U4): the steps a program runs
// while no event is due and no check point can switch it out run here one after another,
// with the spans, the clock and the event count compute() gives them, without its checks
// and its round trip through the program for each.
#include <cassert>

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

Time Engine::wall_time(ThreadId t, Time work) const { return wall_time_on(threads_[t].core, work); }

void Engine::run_at_once(ThreadId t, Time wall, std::uint32_t pieces, const Work& what) {
  if (pieces == 0) return;  // as compute() of no work: nothing runs, nothing is counted
  Thread& th = threads_[t];
  th.work = what;
  th.job = what.job;
  th.step = what.step;
  th.run_start = now_;
  th.run_end = now_ + wall;
  assert((timers_.empty() || th.run_end < timers_.top_time()) && events_ + pieces <= config_.max_events &&
         "run_at_once() outside its stretch");
  // S6: a refill pending stops Python with check points, which compute() then runs the long way.
  assert(!(what.checkpoints && what.needs_gil && th.refill_pending) && "run_at_once() of work a cache refill applies to");
  show(t, what.state);
  builder_.set_state(cores_[static_cast<std::size_t>(th.core)].lane, now_, what.state, th.lane);
  now_ = th.run_end;
  events_ += pieces;  // each piece's compute-done, as compute() counts it
  th.remaining = Time::zero();
  th.s.doing = Activity::Nothing;
}

}  // namespace gilsim::model
