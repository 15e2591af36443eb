// The GIL, rule by rule (docs/model.md G1-G8, O1-O3): the new GIL's timed wait, drop request,
// forced switching and unfair wake-ups (G1-G8); the old GIL's release-and-reacquire
// every check interval (O1-O3); and no GIL at all for free-threaded builds (F1).
#include <cassert>

#include "sim/model/engine.hpp"
#include "sim/model/engine_state.hpp"

namespace gilsim::model {

using trace::MarkKind;

Gil* Engine::gil_of(ThreadId t) { return gils_[threads_[t].process].get(); }

Operation Engine::acquire_gil(ThreadId t) {
  Thread& th = threads_[t];
  Gil* gil = gil_of(t);
  if (gil == nullptr || th.s.holds_gil()) return Operation{this, t, true};
  if (!gil->locked) {  // G1: an unlocked GIL is taken at once, by whoever asks
    take_gil(t);
    return Operation{this, t, true};
  }
  th.s.after_gil = AfterGil::ResumeProgram;
  enter_gil_wait(t);
  return Operation{this, t, false};
}

Operation Engine::release_gil(ThreadId t) {
  Thread& th = threads_[t];
  Gil* gil = gil_of(t);
  if (gil == nullptr || !th.s.holds_gil()) return Operation{this, t, true};
  if (!drop_gil(t, false)) return Operation{this, t, true};
  // G6: with a drop request pending, the dropper waits until another thread took the GIL.
  th.s.wait_for_switch(AfterGil::ResumeProgram);
  gil->wait_for_switch(t);
  release_core(t);
  show(t, SpanState::WaitingGil);
  return Operation{this, t, false};
}

Operation Engine::check_eval_breaker(ThreadId t) {
  Thread& th = threads_[t];
  Gil* gil = gil_of(t);
  if (gil == nullptr || !th.s.holds_gil() || !gil->drop_request) return Operation{this, t, true};
  // A compute with nothing left: once the GIL is back, proceed() ends it at once and the
  // program goes on.
  th.s.doing = Activity::Compute;
  th.work = Work::python(th.job, th.step);
  th.remaining = Time::zero();
  forced_switch(t);
  return Operation{this, t, false};
}

void Engine::take_gil(ThreadId t) {
  Thread& th = threads_[t];
  Gil& gil = *gil_of(t);
  const Gil::Taken taken = gil.take(t, now_);  // G3: a new holder increments switch_number
  th.s.took_gil();
  builder_.set_state(gil.lane, now_, SpanState::Held, th.lane);
  // A forced switch already said who takes over; other hand-offs say it here.
  if (taken.switched && taken.previous != kNoThread && th.waiting_since != Time::max() && !taken.after_forced_drop) {
    builder_.mark(now_, MarkKind::GilHandoff, th.lane, threads_[taken.previous].lane, (now_ - th.waiting_since).ns());
  }
  th.waiting_since = Time::max();
  after_take(gil, t);
}

void Engine::after_take(Gil& gil, ThreadId taker) {
  schedule_drop_deadline(gil);
  // switch_cond: droppers waiting for another thread to take the GIL go on. (With none,
  // the scratch is left alone: this may run inside the loop below, through proceed().)
  if (gil.switch_waiters.empty()) return;
  auto& released = released_scratch_;
  gil.release_switch_waiters(taker, released);
  for (const ThreadId d : released) {
    Thread& dropper = threads_[d];
    dropper.s.switch_done();
    if (dropper.s.after_gil == AfterGil::ResumeProgram) {
      schedule_resume(d);
    } else {
      proceed(d);  // a forced switch: ask for the GIL again and carry on computing
    }
  }
}

void Engine::enter_gil_wait(ThreadId t) {
  Thread& th = threads_[t];
  Gil& gil = *gil_of(t);
  if (th.s.wait_for_gil()) {
    th.waiting_since = now_;
    // After a forced switch the ForcedSwitch mark already says why this thread waits.
    if (!th.s.forced_out) {
      builder_.mark(now_, MarkKind::GilRequest, th.lane,
                    gil.holder != kNoThread ? threads_[gil.holder].lane : trace::kNone);
    }
  }
  th.s.forced_out = false;
  release_core(t);
  show(t, SpanState::WaitingGil);
  gil.waiters.arm(t, now_);
  if (config_.gil == scenario::GilMode::New) {
    schedule_drop_deadline(gil);
  } else {
    replan_old_gil_holder(gil);
  }
}

bool Engine::drop_gil(ThreadId t, bool forced) {
  Thread& th = threads_[t];
  Gil& gil = *gil_of(t);
  assert(gil.holder == t && "drop_gil() by a thread that does not hold the GIL");
  gil.drop(t);
  th.s.dropped_gil();
  builder_.clear_state(gil.lane, now_);
  const ThreadId woken = gil.signal_one(random_);  // G6/G8
  if (woken != kNoThread) {
    threads_[woken].s.signalled();
    set_thread_timer(woken, now_ + config_.costs.gil_wake_latency, EventKind::GilAttempt);
  }
  const bool must_wait = config_.gil == scenario::GilMode::New && gil.drop_request && woken != kNoThread;
  if (forced) {
    builder_.mark(now_, MarkKind::ForcedSwitch, th.lane,
                  woken != kNoThread ? threads_[woken].lane : trace::kNone, (now_ - gil.held_since).ns());
  }
  schedule_drop_deadline(gil);
  return must_wait;
}

void Engine::forced_switch(ThreadId t) {
  Thread& th = threads_[t];
  Gil& gil = *gil_of(t);
  pause(t);
  th.s.forced_out = true;
  gil.forced_drop = true;
  if (drop_gil(t, true)) {
    th.s.wait_for_switch(AfterGil::ContinueCompute);
    gil.wait_for_switch(t);
    release_core(t);
    show(t, SpanState::WaitingGil);
    return;
  }
  proceed(t);
}

void Engine::on_gil_attempt(ThreadId t) {
  Thread& th = threads_[t];
  if (th.s.gil != GilState::Woken) return;
  Gil& gil = *gil_of(t);
  if (gil.locked) {
    // Lost the race to a thread that barged in (G1): wait a fresh full interval (G2).
    th.s.wait_for_gil();
    gil.waiters.arm(t, now_);
    if (config_.gil == scenario::GilMode::New) {
      schedule_drop_deadline(gil);
    } else {
      replan_old_gil_holder(gil);
    }
    return;
  }
  take_gil(t);
  if (th.s.after_gil == AfterGil::ResumeProgram) {
    schedule_resume(t);
  } else {
    proceed(t);
  }
}

void Engine::schedule_drop_deadline(Gil& gil) {
  // Many changes can happen in one event; the deadline is computed once, after it.
  if (config_.gil != scenario::GilMode::New || gil.deadline_dirty) return;
  gil.deadline_dirty = true;
  dirty_gils_.push_back(gil.index);
}

void Engine::update_drop_deadline(Gil& gil) {
  gil.deadline_dirty = false;
  const auto due = gil.next_drop_request();
  if (!due) {
    timers_.cancel(gil.deadline);
    return;
  }
  const Time at = max(due->at, now_);
  if (timers_.pending(gil.deadline) && timers_.when(gil.deadline) == at) return;
  timers_.set(gil.deadline, at);
}

void Engine::on_drop_deadline(std::uint32_t index) {
  Gil& gil = *gils_[index];
  const auto due = gil.next_drop_request();
  if (!due) return;
  // G2: a whole interval passed with no switch: ask the holder to drop the GIL.
  gil.drop_request = true;
  const Thread& requester = threads_[due->thread];
  const ThreadId h = gil.holder;
  builder_.mark(now_, MarkKind::DropRequest, requester.lane, threads_[h].lane,
                (now_ - requester.waiting_since).ns());
  Thread& holder = threads_[h];
  // A compute that ends at this very instant is not cut: the holder sees the request at its
  // next check point (proceed()) or drops the GIL for its next blocking call (G6).
  if (holder.s.running() && holder.run_end > now_ && holder.work.needs_gil && holder.work.checkpoints) forced_switch(h);
}

// Old GIL ------------------------------------------------------------------------------

Time Engine::old_gil_release_cost() const {
  return config_.cores <= 1 ? config_.costs.old_gil_release_cost_one_core : config_.costs.old_gil_release_cost;
}

Time Engine::old_gil_handoff_delay() {
  const Time period = config_.costs.check_period + old_gil_release_cost();
  if (config_.cores <= 1) {
    // One core: a waiter runs only when the OS preempts the holder inside its release window.
    return config_.machine.quantum;
  }
  // Several cores: each release signals a waiter that almost always loses the race (O3).
  const std::uint64_t failures = random_.geometric(config_.costs.old_gil_handoff_probability);
  return period * static_cast<std::int64_t>(failures + 1);
}

void Engine::replan_old_gil_holder(Gil& gil) {
  if (gil.holder == kNoThread) return;
  Thread& holder = threads_[gil.holder];
  if (!holder.s.running() || !holder.work.needs_gil) return;
  const bool dilated = holder.s.progress == Progress::RunningDilated;
  if (dilated == !gil.waiters.empty()) return;  // already planned for these waiters
  pause(gil.holder);
  start_run(gil.holder);
}

void Engine::on_old_gil_handoff(ThreadId t) {
  Thread& th = threads_[t];
  Gil& gil = *gil_of(t);
  if (gil.holder != t || gil.waiters.empty()) return;
  pause(t);
  const ThreadId winner = gil.signal_one(random_);
  gil.drop(t);
  th.s.dropped_gil();
  builder_.clear_state(gil.lane, now_);
  builder_.mark(now_, MarkKind::ForcedSwitch, th.lane, threads_[winner].lane, (now_ - gil.held_since).ns());
  Thread& w = threads_[winner];
  gil.forced_drop = true;
  take_gil(winner);
  th.s.forced_out = true;
  th.s.after_gil = AfterGil::ContinueCompute;
  enter_gil_wait(t);
  if (w.s.after_gil == AfterGil::ResumeProgram) {
    schedule_resume(winner);
  } else {
    proceed(winner);
  }
}

}  // namespace gilsim::model
