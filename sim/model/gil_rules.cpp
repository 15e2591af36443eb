// The GIL, rule by rule (docs/model.md G1-G8, O1-O3): the new GIL's timed wait, drop request,
// forced switching and unfair wake-ups (G1-G8); the old GIL's release-and-reacquire
// every check interval (O1-O3); and no GIL at all for free-threaded builds (F1).
#include <algorithm>
#include <cassert>

#include "sim/model/engine.hpp"
#include "sim/model/engine_state.hpp"

namespace gilsim::model {

using trace::MarkKind;

Engine::Gil* Engine::gil_of(ThreadId t) { return threads_[t]->gil; }

Operation Engine::acquire_gil(ThreadId t) {
  Thread& th = *threads_[t];
  Gil* gil = gil_of(t);
  if (gil == nullptr || th.holds_gil) return Operation{this, t, true};
  if (!gil->locked) {  // G1: an unlocked GIL is taken at once, by whoever asks
    take_gil(t);
    return Operation{this, t, true};
  }
  th.resume_when_gil_taken = true;
  enter_gil_wait(t);
  return Operation{this, t, false};
}

Operation Engine::release_gil(ThreadId t) {
  Thread& th = *threads_[t];
  Gil* gil = gil_of(t);
  if (gil == nullptr || !th.holds_gil) return Operation{this, t, true};
  if (!drop_gil(t, false)) return Operation{this, t, true};
  // G6: with a drop request pending, the dropper waits until another thread took the GIL.
  th.gil_wait = Thread::GilWait::Switch;
  th.resume_after_switch = true;
  gil->switch_waiters.push_back(t);
  release_core(t);
  show(t, SpanState::WaitingGil);
  return Operation{this, t, false};
}

void Engine::take_gil(ThreadId t) {
  Thread& th = *threads_[t];
  Gil& gil = *gil_of(t);
  assert(!gil.locked && "take_gil() on a locked GIL");
  gil.locked = true;
  gil.holder = t;
  gil.held_since = now_;
  th.holds_gil = true;
  th.gil_wait = Thread::GilWait::None;
  builder_.set_state(gil.lane, now_, SpanState::Held, th.lane);
  const ThreadId previous = gil.last_holder;
  const bool switched = previous != t;
  if (switched) {  // G3: a new holder increments switch_number
    gil.last_holder = t;
    gil.waiters.on_switch(now_);
    // A forced switch already said who takes over; other hand-offs say it here.
    if (previous != kNoThread && th.waiting_since != Time::max() && !gil.forced_drop) {
      builder_.mark(now_, MarkKind::GilHandoff, th.lane, threads_[previous]->lane,
                    (now_ - th.waiting_since).ns());
    }
  }
  th.waiting_since = Time::max();
  gil.drop_request = false;
  gil.forced_drop = false;
  after_take(gil, t);
}

void Engine::after_take(Gil& gil, ThreadId taker) {
  schedule_drop_deadline(gil);
  if (gil.switch_waiters.empty()) return;
  // switch_cond: droppers waiting for another thread to take the GIL go on.
  auto& waiting = gil.switch_waiters;
  const auto taker_waits = std::find(waiting.begin(), waiting.end(), taker) != waiting.end();
  auto& released = released_scratch_;
  released.clear();
  released.swap(waiting);
  if (taker_waits) {
    std::erase(released, taker);
    waiting.push_back(taker);
  }
  for (const ThreadId d : released) {
    Thread& dropper = *threads_[d];
    dropper.gil_wait = Thread::GilWait::None;
    if (dropper.resume_after_switch) {
      schedule_resume(d);
    } else {
      proceed(d);  // a forced switch: ask for the GIL again and carry on computing
    }
  }
}

void Engine::enter_gil_wait(ThreadId t) {
  Thread& th = *threads_[t];
  Gil& gil = *gil_of(t);
  if (th.gil_wait == Thread::GilWait::None) {
    th.waiting_since = now_;
    // After a forced switch the ForcedSwitch mark already says why this thread waits.
    if (!th.forced_out) {
      builder_.mark(now_, MarkKind::GilRequest, th.lane,
                    gil.holder != kNoThread ? threads_[gil.holder]->lane : trace::kNone);
    }
  }
  th.forced_out = false;
  th.gil_wait = Thread::GilWait::Waiting;
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
  Thread& th = *threads_[t];
  Gil& gil = *gil_of(t);
  assert(gil.holder == t && "drop_gil() by a thread that does not hold the GIL");
  gil.locked = false;
  gil.holder = kNoThread;
  th.holds_gil = false;
  builder_.clear_state(gil.lane, now_);
  ThreadId woken = kNoThread;
  if (!gil.waiters.empty()) {
    // G6/G8: COND_SIGNAL wakes one waiter, chosen by the OS, not by arrival order.
    woken = gil.waiters.at(random_.below(gil.waiters.size()));
    gil.waiters.remove(woken);
    Thread& w = *threads_[woken];
    w.gil_wait = Thread::GilWait::Woken;
    ++w.epoch;
    queue_.push(now_ + config_.costs.gil_wake_latency, EventKind::GilAttempt, woken, w.epoch);
  }
  const bool must_wait = config_.gil == scenario::GilMode::New && gil.drop_request && woken != kNoThread;
  if (forced) {
    builder_.mark(now_, MarkKind::ForcedSwitch, th.lane,
                  woken != kNoThread ? threads_[woken]->lane : trace::kNone, (now_ - gil.held_since).ns());
  }
  schedule_drop_deadline(gil);
  return must_wait;
}

void Engine::forced_switch(ThreadId t) {
  Thread& th = *threads_[t];
  Gil& gil = *gil_of(t);
  pause(t);
  th.forced_out = true;
  gil.forced_drop = true;
  if (drop_gil(t, true)) {
    th.gil_wait = Thread::GilWait::Switch;
    th.resume_after_switch = false;
    gil.switch_waiters.push_back(t);
    release_core(t);
    show(t, SpanState::WaitingGil);
    return;
  }
  proceed(t);
}

void Engine::on_gil_attempt(ThreadId t) {
  Thread& th = *threads_[t];
  if (th.gil_wait != Thread::GilWait::Woken) return;
  Gil& gil = *gil_of(t);
  if (gil.locked) {
    // Lost the race to a thread that barged in (G1): wait a fresh full interval (G2).
    th.gil_wait = Thread::GilWait::Waiting;
    gil.waiters.arm(t, now_);
    if (config_.gil == scenario::GilMode::New) {
      schedule_drop_deadline(gil);
    } else {
      replan_old_gil_holder(gil);
    }
    return;
  }
  take_gil(t);
  if (th.resume_when_gil_taken) {
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
  if (!gil.locked || gil.drop_request || gil.waiters.empty()) {
    if (gil.deadline_at != Time::max()) {
      ++gil.deadline_epoch;
      gil.deadline_at = Time::max();
    }
    return;
  }
  const auto due = gil.waiters.next_drop_request();
  const Time at = max(due->at, now_);
  if (at == gil.deadline_at) return;
  ++gil.deadline_epoch;
  gil.deadline_at = at;
  queue_.push(at, EventKind::DropDeadline, gil.index, gil.deadline_epoch);
}

void Engine::on_drop_deadline(std::uint32_t index) {
  Gil& gil = *gils_[index];
  gil.deadline_at = Time::max();
  if (!gil.locked || gil.drop_request || gil.waiters.empty()) return;
  const auto due = gil.waiters.next_drop_request();
  // G2: a whole interval passed with no switch: ask the holder to drop the GIL.
  gil.drop_request = true;
  const Thread& requester = *threads_[due->thread];
  const ThreadId h = gil.holder;
  builder_.mark(now_, MarkKind::DropRequest, requester.lane, threads_[h]->lane,
                (now_ - requester.waiting_since).ns());
  Thread& holder = *threads_[h];
  // A compute that ends at this very instant is not cut: the holder sees the request at its
  // next check point (proceed()) or drops the GIL for its next blocking call (G6).
  if (holder.running && holder.run_end > now_ && holder.work.needs_gil && holder.work.checkpoints) forced_switch(h);
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
  Thread& holder = *threads_[gil.holder];
  if (!holder.running || !holder.work.needs_gil) return;
  if (holder.dilated == !gil.waiters.empty()) return;  // already planned for these waiters
  pause(gil.holder);
  start_run(gil.holder);
}

void Engine::on_old_gil_handoff(ThreadId t) {
  Thread& th = *threads_[t];
  Gil& gil = *gil_of(t);
  if (gil.holder != t || gil.waiters.empty()) return;
  pause(t);
  const ThreadId winner = gil.waiters.at(random_.below(gil.waiters.size()));
  gil.waiters.remove(winner);
  gil.locked = false;
  gil.holder = kNoThread;
  th.holds_gil = false;
  builder_.clear_state(gil.lane, now_);
  builder_.mark(now_, MarkKind::ForcedSwitch, th.lane, threads_[winner]->lane, (now_ - gil.held_since).ns());
  Thread& w = *threads_[winner];
  gil.forced_drop = true;
  take_gil(winner);
  th.forced_out = true;
  th.resume_when_gil_taken = false;
  enter_gil_wait(t);
  if (w.resume_when_gil_taken) {
    schedule_resume(winner);
  } else {
    proceed(winner);
  }
}

}  // namespace gilsim::model
