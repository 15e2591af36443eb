// The GIL, rule by rule (docs/model.md G1-G8, O1-O3): the new GIL's timed wait, drop request,
// forced switching, unfair wake-ups and its mutex (G1-G8b), with wake-ups that take as long as the
// waiter's core needs to leave its idle state (G8) and the cache refill after a halted one
// (S6); the old GIL's release-and-reacquire every check interval (O1-O3); and no GIL at all
// for free-threaded builds (F1).
#include <algorithm>
#include <array>
#include <cassert>
#include <cmath>

#include "sim/model/engine.hpp"
#include "sim/model/engine_state.hpp"

namespace gilsim::model {

using trace::MarkKind;

namespace {
/// std::llround for 0 <= v < 2^62, inline: half away from zero, the same value (the
/// fraction v - trunc(v) is exact). The library call was a third of halted_wake().
std::int64_t round_half_away(double v) {
  assert(v >= 0 && v < 0x1p62);
  const auto whole = static_cast<std::int64_t>(v);
  return whole + (v - static_cast<double>(whole) >= 0.5 ? 1 : 0);
}

// G8d: one band of the measured law, its median and 10th percentile.
struct HaltBand {
  Time median;
  Time p10;
};

/// A draw from `band`: its quantile at a uniform u, straight from the 10th percentile at 0.1
/// to the median at 0.5 and on as far above it at 0.9, held beyond, `spread` of the way from
/// the median (0: the median, with no draw). The runs' 90th percentiles are not used: the
/// host's rare stalls, they moved 2 to 8 times between runs minutes apart.
Time drawn_from(const HaltBand& band, double spread, scenario::Random& random) {
  if (spread <= 0.0) return band.median;
  const double u = std::clamp(random.unit(), 0.1, 0.9);
  const double median = static_cast<double>(band.median.ns());
  const double half_width = median - static_cast<double>(band.p10.ns());
  return Time{static_cast<std::int64_t>(median + spread * (u - 0.5) / 0.4 * half_width)};
}

/// A draw from the one of G8d's three bands (short, middle, long) that `halt` falls in.
Time drawn_by_halt(const scenario::Costs& c, Time halt, const std::array<HaltBand, 3>& bands, scenario::Random& random) {
  const std::size_t band = halt < c.cross_halt_short ? 0 : halt < c.cross_halt_long ? 1 : 2;
  return drawn_from(bands[band], c.cross_spread, random);
}

/// G8d's signal cost to the dropper after its waiter's CPU halted `halt`.
Time cross_signal_after(const scenario::Costs& c, Time halt, scenario::Random& random) {
  return drawn_by_halt(c, halt,
                       {{{c.cross_signal_short, c.cross_signal_short_p10},
                         {c.cross_signal_mid, c.cross_signal_mid_p10},
                         {c.cross_signal_long, c.cross_signal_long_p10}}},
                       random);
}

/// G8d's wake-up of the waiter after its CPU halted `halt`.
Time cross_wake_after(const scenario::Costs& c, Time halt, scenario::Random& random) {
  return drawn_by_halt(c, halt,
                       {{{c.cross_wake_short, c.cross_wake_short_p10},
                         {c.cross_wake_mid, c.cross_wake_mid_p10},
                         {c.cross_wake_long, c.cross_wake_long_p10}}},
                       random);
}

/// G8c's unlock: a waiter woken before it sleeps on the mutex, and its second futex wake-up
/// costs the dropper another signal: G8d's for a CPU halted since then (`signal` - `wake`)
/// where the first was G8d's, else the first again (G8b).
Time unlock_signal(const scenario::Costs& c, bool halted_elsewhere, Time signal, Time wake, scenario::Random& random) {
  return halted_elsewhere ? cross_signal_after(c, signal - wake, random) : signal;
}
}  // namespace

Operation Engine::acquire_gil(ThreadId t) {
  Thread& th = threads_[t];
  Gil* gil = gil_of(t);
  if (gil == nullptr || th.s.holds_gil()) return Operation{this, t, true};
  th.s.after_gil = AfterGil::ResumeProgram;
  // The usual return from a blocking call under a busy GIL (new GIL): an idle core it takes
  // alone, and the GIL locked, so it gives the core back at once to wait: a straight path.
  if (gil->locked && th.s.core == CoreState::Off && config_.gil == scenario::GilMode::New && queued_total_ == 0) {
    const int c = idle_core_for(t);
    if (takes_idle_core_alone(t, c) && !run_queues_[static_cast<std::size_t>(c)].has_entries()) {
      wait_through_idle_core(t, c);
      return Operation{this, t, false};
    }
  }
  // G8a: take_gil runs on a core. A thread back from a blocking call with every core busy
  // waits in the run queue first; the GIL stays free meanwhile to whoever runs and asks.
  if (!th.s.on_core() && !request_core(t)) {
    th.s.ask_for_gil();
    return Operation{this, t, false};
  }
  if (!gil->locked) {  // G1: an unlocked GIL is taken at once, by whoever asks
    take_gil(t);
    return go_on_after_take(t);
  }
  enter_gil_wait(t);
  return Operation{this, t, false};
}

Operation Engine::release_gil(ThreadId t) {
  Thread& th = threads_[t];
  Gil* gil = gil_of(t);
  if (gil == nullptr || !th.s.holds_gil()) return Operation{this, t, true};
  const bool signals = !gil->waiters.empty() && config_.gil == scenario::GilMode::New;
  if (signals && !gil->drop_request) {
    // The usual voluntary release under a busy new GIL: drop_gil() straight.
    drop_and_signal(t, *gil);
    // A look is asked for (the drop deadline moved): the compute cannot run through
    // (ran_through()), and goes the long way, written straight.
    if (drop_section_ > Time::zero() && th.s.on_core() && !dirty_gils_.empty()) return run_drop_section(t);
    return compute(t, drop_section_, Work::native(th.job, th.step));
  }
  if (!drop_gil(t, false)) {
    // G8b: drop_gil returns at its MUTEX_UNLOCK, after the signal's wake-up of a waiter on
    // another core: C code on this core, without the GIL.
    if (!signals) return Operation{this, t, true};
    // The usual case: a look is asked for (the drop deadline moved), so the compute cannot
    // run through (ran_through()), and goes the long way; written straight.
    if (drop_section_ > Time::zero() && th.s.on_core() && !dirty_gils_.empty()) return run_drop_section(t);
    return compute(t, drop_section_, Work::native(th.job, th.step));
  }
  // G6: with a drop request pending, the dropper waits until another thread took the GIL.
  th.s.wait_for_switch(AfterGil::ResumeProgram);
  block_for_switch(t);
  return Operation{this, t, false};
}

// drop_gil()'s signal of one waiter (G6/G8) with the GIL's mutex held (G8b), in the straight
// paths (drop_and_signal(), force_out()) where there is a waiter: its idle core looked up once,
// its GilAttempt set, and the dropper's mutex section (drop_section_) returned with it.
[[gnu::always_inline]] inline Engine::Signalled Engine::signal_a_waiter(Gil& gil, int dropper_core) {
  const ThreadId woken = gil.signal_one(random_);
  Thread& w = threads_[woken];
  w.s.signalled();
  const int idle = idle_core_for(woken);
  if (idle < 0) join_on_signal_queued(woken);  // S3: the signal enqueues it on a busy core at once
  builder_.prefetch(w.lane);
  const bool elsewhere = (idle >= 0 ? idle : w.cpu) != dropper_core;
  Time signal = config_.costs.gil_mutex_signal;
  Time wake;
  const bool halted_elsewhere = elsewhere && cross_cpu_signal(idle, signal, wake);
  if (!halted_elsewhere) wake = woken_latency_from(woken, idle);
  gil.mutex.hold(now_, signal);
  // G8c: woken on another core before the unlock, the waiter sleeps on the mutex (G8b), and
  // the unlock's futex wake-up of it costs the dropper that core's interrupt once more.
  const Time section =
      elsewhere && wake < signal ? signal + unlock_signal(config_.costs, halted_elsewhere, signal, wake, random_) : signal;
  drop_section_ = section;
  set_thread_timer(woken, now_ + wake, EventKind::GilAttempt);
  return {woken, section};
}

// drop_gil(t, false) of the holder of a new GIL that others wait for, with no drop request
// pending (so it signals one and does not wait for a switch): its statements for that case in
// their order, the woken waiter's idle core looked up once where join_on_signal(),
// wakes_elsewhere() and woken_latency() each looked it up (nothing between the looks changes
// it; its queued placement, with none, moves only its run queue's core, read after it), as
// force_out() does.
[[gnu::always_inline]] inline void Engine::drop_and_signal(ThreadId t, Gil& gil) {
  Thread& th = threads_[t];
  assert(config_.gil == scenario::GilMode::New && gil.holder == t && !gil.waiters.empty() && !gil.drop_request);
  gil.drop(t);
  th.s.dropped_gil();
  builder_.clear_state(gil.lane, now_);
  signal_a_waiter(gil, th.core);
  if (timers_.pending(gil.deadline)) schedule_drop_deadline(gil);
}

// compute() of drop_section_ by the dropper on its core, with a drop deadline's look asked
// for (so not ran_through()): proceed(), start_run_anyhow() of native work (no GIL, no old
// GIL's dilation, no refill; its end set, as a look is pending) and finished_at_once(), in
// their order.
Operation Engine::run_drop_section(ThreadId t) {
  Thread& th = threads_[t];
  assert(th.s.on_core() && !dirty_gils_.empty() && drop_section_ > Time::zero() && !th.s.holds_gil());
  th.s.doing = Activity::Compute;
  th.work = Work::native(th.job, th.step);
  th.remaining = drop_section_;
  // start_run_anyhow()
  begin_run(t);
  th.run_end = th.run_start + wall_time_on(th.core, drop_section_);  // S7
  if (resuming_ == t && !stopped_ && ended_at_once_ < kEndedAtOnce) return Operation{this, t, section_end_next_or_park(t)};
  schedule_compute_done(t);
  show_running(t);
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

void Engine::take_gil(ThreadId t) { take_gil_inline(t); }

[[gnu::always_inline]] inline void Engine::take_gil_inline(ThreadId t) {
  Thread& th = threads_[t];
  Gil& gil = *gil_of(t);
  take_signal_cost_ = Time::zero();
  const Gil::Taken taken = gil.take(t, now_);  // G3: a new holder increments switch_number
  gil.mutex.hold(now_, config_.costs.gil_mutex_take);  // G8b: until take_gil's MUTEX_UNLOCK
  th.s.took_gil();
  // A thread off its core that takes the GIL runs there for a moment, if only to block
  // again at once (I/O, G7): the idle core it woke on was busy (G8).
  if (!th.s.on_core()) brief_wake(t);
  builder_.set_state(gil.lane, now_, SpanState::Held, th.lane);
  // A forced switch already said who takes over; other hand-offs say it here.
  if (taken.switched && taken.previous != kNoThread && th.waiting_since != Time::max() && !taken.after_forced_drop) {
    builder_.mark(now_, MarkKind::GilHandoff, th.lane, threads_[taken.previous].lane, (now_ - th.waiting_since).ns());
  }
  th.waiting_since = Time::max();
  after_take(gil, t);
}

// take_gil() of a waiter on its core after a forced switch (new GIL), its previous holder
// the one dropper waiting on switch_cond and not in its unlock: what take_gil(), after_take()
// and switch_done() do then, in their order, the dropper's idle core looked up once (nothing
// between the two looks changes it).
void Engine::take_from_forced_out(ThreadId t) { take_from_forced_out_inline(t); }

// take_from_forced_out(), inline in take_and_run(); given `wake`, the dropper's switch wake is
// left for the caller to run or set (switch_wake_next_or_set()), its sequence number taken.
[[gnu::always_inline]] inline void Engine::take_from_forced_out_inline(ThreadId t, DeferredTimer* wake_later) {
  Thread& th = threads_[t];
  Gil& gil = *th.gil;
  take_signal_cost_ = Time::zero();
  [[maybe_unused]] const Gil::Taken taken = gil.take(t, now_);  // G3: a new holder
  assert(taken.switched && taken.after_forced_drop);
  gil.mutex.hold(now_, config_.costs.gil_mutex_take);  // G8b: until take_gil's MUTEX_UNLOCK
  th.s.took_gil();
  builder_.set_state(gil.lane, now_, SpanState::Held, th.lane);
  // The forced switch said who takes over: no hand-off mark.
  th.waiting_since = Time::max();
  schedule_drop_deadline(gil);
  // switch_cond: the dropper goes on (switch_done()).
  const ThreadId d = gil.switch_waiters.front();
  gil.switch_waiters.clear();
  Thread& dropper = threads_[d];
  dropper.s.switch_done();
  const auto& c = config_.costs;
  const int idle = idle_core_for(d);
  // G8c: on another core, the futex wake-up costs the taker that core's interrupt.
  if ((idle >= 0 ? idle : dropper.cpu) != th.core) take_signal_cost_ = c.gil_mutex_signal;
  const Time wake = woken_latency_from(d, idle);
  if (wake_later != nullptr && wake > Time::zero() && !timers_.pending(dropper.timer)) {
    owners_[dropper.timer].kind = EventKind::SwitchWake;
    *wake_later = DeferredTimer{d, now_ + wake, timers_.take_seq()};
  } else if (wake > Time::zero()) {
    set_thread_timer(d, now_ + wake, EventKind::SwitchWake);
  } else if (dropper.s.after_gil == AfterGil::ResumeProgram) {
    schedule_resume(d);
  } else {
    proceed(d);  // a forced switch: ask for the GIL again and carry on computing
  }
}

// try_gil_on_core() of a forced-out thread (new GIL) taking the GIL back on its core to go on
// with its Python, with no GIL waiting for a drop deadline's look: take_from_forced_out(),
// the mutex's sleeper woken at its unlock, then proceed() (on its core, holding the GIL: the
// check point, then start_run_plain()), in their order. The run is the event's last change:
// the drop deadline's look that end_event() would make is made here, the same, with no call.
void Engine::take_and_run(ThreadId t, bool event_ends) {
  Thread& th = threads_[t];
  Gil& gil = *th.gil;
  DeferredTimer wake;
  take_from_forced_out_inline(t, event_ends ? &wake : nullptr);
  if (gil.mutex.has_sleepers()) wake_mutex_sleeper(gil);  // at take_gil's MUTEX_UNLOCK
  // proceed()
  if (gil.drop_request && gil.holder == t) {
    if (wake.thread != kNoThread) set_deferred(wake);
    forced_switch(t);  // a check point: the eval loop sees the pending request (G4, G5)
    return;
  }
  start_run_plain_inline(t);
  if (gil.deadline_dirty && dirty_gils_.first == &gil && dirty_gils_.more.empty()) {
    dirty_gils_.first = nullptr;
    gil.deadline_dirty = false;
    look_at_drop_deadline(gil);
  }
  if (wake.thread != kNoThread) switch_wake_next_or_set(wake);
}

// Inline in take_gil(), its one caller.
[[gnu::always_inline]] inline void Engine::after_take(Gil& gil, ThreadId taker) {
  // With nobody waiting and no deadline pending, the look would find no due waiter and
  // nothing to cancel; a waiter armed later in this event asks for its own look. Not asked,
  // the thread's next compute may run through (a worker process's own GIL, a free parent's).
  if (!gil.waiters.empty() || timers_.pending(gil.deadline)) schedule_drop_deadline(gil);
  // switch_cond: droppers waiting for another thread to take the GIL go on. (With none,
  // the scratch is left alone: this may run inside the loop below, through proceed().)
  if (gil.switch_waiters.empty()) return;
  if (gil.switch_waiters.size() == 1 && gil.switch_waiters.front() != taker) {
    // One dropper, not the taker: the usual case, with no scratch list (what
    // release_switch_waiters() does for it).
    const ThreadId d = gil.switch_waiters.front();
    gil.switch_waiters.clear();
    switch_done(d);
    return;
  }
  auto& released = released_scratch_;
  gil.release_switch_waiters(taker, released);
  for (const ThreadId d : released) switch_done(d);
}

[[gnu::always_inline]] inline void Engine::block_for_switch(ThreadId t) {
  Thread& th = threads_[t];
  gil_of(t)->wait_for_switch(t);
  const Time signal = drop_section_;
  if (signal > Time::zero() && th.s.on_core()) {
    // G8b: drop_gil signalled a waiter with the GIL's mutex held, on this core: the core
    // is the dropper's until its MUTEX_UNLOCK, and only then does it wait on switch_cond.
    show(t, SpanState::Native);
    builder_.set_state(cores_[static_cast<std::size_t>(th.core)].lane, now_, SpanState::Native, th.lane);
    set_thread_timer(t, now_ + signal, EventKind::MutexUnlock);
    return;
  }
  release_core(t);
  show(t, SpanState::WaitingGil);
}

// In drop_gil's signal (block_for_switch()): its one timer is the unlock's.
bool Engine::unlocking(ThreadId t) const {
  const Thread& th = threads_[t];
  return owners_[th.timer].kind == EventKind::MutexUnlock && timers_.pending(th.timer);
}

// Inline in dispatch() and where the forced switch runs it at once (unlock_next_or_set()).
[[gnu::always_inline]] inline void Engine::on_mutex_unlock(ThreadId t, bool at_once) {
  Thread& th = threads_[t];
  if (th.s.gil == GilState::Switch) {  // not switched yet: COND_WAIT(switch_cond)
    release_core(t, at_once);
    show(t, SpanState::WaitingGil);
    return;
  }
  // Another thread took the GIL during the signal (G1): drop_gil returns without waiting.
  if (th.s.after_gil == AfterGil::ResumeProgram) {
    resume_program(t);
  } else {
    proceed(t);  // a forced switch: ask for the GIL again and carry on computing
  }
}

// Inline in after_take(), its one caller in a hand-off (the call saved and restored registers).
[[gnu::always_inline]] inline void Engine::switch_done(ThreadId d) {
  Thread& dropper = threads_[d];
  dropper.s.switch_done();
  if (unlocking(d)) return;  // not waiting on switch_cond yet: it goes on at its unlock
  // G6: the dropper is blocked in COND_WAIT(switch_cond); the signal wakes it (G8). G8c: on
  // another core, the futex wake-up costs the taker, who signals it, that core's interrupt.
  const ThreadId taker = gil_of(d)->holder;
  if (taker != kNoThread && wakes_elsewhere(d, taker)) take_signal_cost_ = config_.costs.gil_mutex_signal;
  const Time wake = woken_latency(d);
  if (wake > Time::zero()) {
    set_thread_timer(d, now_ + wake, EventKind::SwitchWake);
  } else if (dropper.s.after_gil == AfterGil::ResumeProgram) {
    schedule_resume(d);
  } else {
    proceed(d);  // a forced switch: ask for the GIL again and carry on computing
  }
}

// Inline in dispatch() and where the take runs it at once (switch_wake_next_or_set()).
[[gnu::always_inline]] inline void Engine::on_switch_wake(ThreadId t, bool run_at_once) {
  Thread& th = threads_[t];
  // It runs now, on the core it woke on (an idle one if any: one choice serves both the
  // wake-up and the core it then takes); it takes a core if it goes on.
  const int core = idle_core_for(t);
  if (core >= 0) end_idle_period(core);
  th.s.just_woke = true;  // woken from a futex: it may preempt a CPU hog (S3)
  if (th.s.after_gil == AfterGil::ResumeProgram) {
    resume_program(t);
    return;
  }
  // The common hand-off: a forced-out dropper wakes after the new holder took the GIL and
  // goes back to its timed wait at once. proceed() would give it the idle core and take it
  // back in the same instant (request_core(), then enter_gil_wait()'s release_core()); with
  // nobody waiting for a core that is passing through the core, done once. A thread still
  // counted on a run queue (S3: DELAY_DEQUEUE) takes the long way, which places it again.
  assert(th.s.doing == Activity::Compute);
  const Gil* gil = th.work.needs_gil ? gil_of(t) : nullptr;
  if (core >= 0 && gil != nullptr && gil->locked && th.s.core == CoreState::Off && !waiting() &&
      th.parked == Parked::No) {
    if (run_at_once) {
      return_to_timed_wait_inline(t, core);  // in take_and_run(), out of line already
    } else {
      return_to_timed_wait(t, core);
    }
    return;
  }
  proceed(t);
}

// A new GIL's waiter armed as the event's last change (the straight paths' enter_gil_wait()):
// a deadline still pending is right unless the arrival is due first (as enter_gil_wait()), and
// with no other GIL waiting for its look, the look end_event() would make is made here.
[[gnu::always_inline]] inline void Engine::look_after_last_arming(Gil& gil, bool due_changed) {
  if (!due_changed && timers_.pending(gil.deadline)) return;
  if (!dirty_gils_.empty()) {
    schedule_drop_deadline(gil);
    return;
  }
  look_at_drop_deadline(gil);
}

// on_switch_wake()'s usual case: pass_through_core(), then enter_gil_wait() with its
// release_core() left out (the thread is off any core, the caller checked), in their order.
// The wait is the event's last change: with no other GIL waiting for its look, the drop
// deadline's look that end_event() would make is made here, the same, with no call.
void Engine::return_to_timed_wait(ThreadId t, int core) { return_to_timed_wait_inline(t, core); }

[[gnu::always_inline]] inline void Engine::return_to_timed_wait_inline(ThreadId t, int core) {
  pass_through_core(core, t);
  Thread& th = threads_[t];
  th.s.just_woke = false;
  Gil& gil = *th.gil;
  start_gil_wait(th, gil);
  show(t, SpanState::WaitingGil);
  const bool due_changed = gil.waiters.arm(t, now_);
  if (config_.gil != scenario::GilMode::New) {
    replan_old_gil_holder(gil);
    return;
  }
  look_after_last_arming(gil, due_changed);
}

// Idle times recur (a core's last period, hand-offs of one length): woken_latency() gives one
// seen before the result computed for it then, which is what the law below gives again.
Time Engine::halted_wake(Time idle) {
  const auto& c = config_.costs;
  // Each doubling of the idle time past the polling window: a deeper idle state, a slower exit.
  const double doublings = std::log2(static_cast<double>(idle.ns()) / static_cast<double>(c.wake_poll_window.ns()));
  const Time wake = c.wake_poll_max + Time{round_half_away(doublings * static_cast<double>(c.wake_per_doubling.ns()))};
  halted_wakes_.keep(idle.ns(), wake.ns());
  return wake;
}

[[gnu::always_inline]] inline bool Engine::cross_cpu_signal(int idle_core, Time& signal, Time& wake) {
  const auto& c = config_.costs;
  if (idle_core < 0 || c.cross_wake_short <= Time::zero()) return false;
  // Within the window only, where G8 gives the polling draw: past it G8's halted law holds,
  // which the hand-off gaps were calibrated on (the waiter there halted a moment after a
  // long idle, which the governor remembers).
  const Core& k = cores_[static_cast<std::size_t>(idle_core)];
  const Time halt = now_ - k.idle_period_since;
  if (max(halt, k.last_idle) > c.wake_poll_window) return false;
  return cross_cpu_draw(halt, signal, wake);
}

[[gnu::cold]] [[gnu::noinline]] bool Engine::cross_cpu_draw(Time halt, Time& signal, Time& wake) {
  const auto& c = config_.costs;
  signal = cross_signal_after(c, halt, random_);
  wake = cross_wake_after(c, halt, random_);
  return true;
}

Time Engine::wake_latency(ThreadId t) { return woken_latency(t); }

// Inline in the hand-off's two wake-ups (drop_gil's signal, switch_done()): its usual answer
// (a halted core's idle time seen before) is a few loads; the law's logarithm and the polling
// draw are calls of their own, so the usual path saves few registers.
[[gnu::always_inline]] inline Time Engine::woken_latency(ThreadId t) { return woken_latency_from(t, idle_core_for(t)); }

// woken_latency() of `t` whose idle_core_for() is `core`, looked up by the caller.
[[gnu::always_inline]] inline Time Engine::woken_latency_from(ThreadId t, int core) {
  const auto& c = config_.costs;
  // Every core busy: the woken thread is queued on a running core, which answers at once.
  if (core >= 0) {
    // The idle governor judges by what the core did lately: the idle period going on
    // now, or the one before it if that was longer (a core that woke a moment ago after a
    // long sleep goes back to a deep state).
    const Core& k = cores_[static_cast<std::size_t>(core)];
    const Time idle = max(now_ - k.idle_period_since, k.last_idle);
    if (idle > c.wake_poll_window) {
      threads_[t].refill_pending = true;  // S6
      if (const std::int64_t* seen = halted_wakes_.find(idle.ns())) return Time{*seen};
      return halted_wake(idle);
    }
  }
  return polling_wake();
}

Time Engine::polling_wake() {
  const auto& c = config_.costs;
  if (c.wake_poll_max <= c.wake_poll_min) return c.wake_poll_min;
  return c.wake_poll_min +
         Time{static_cast<std::int64_t>(random_.unit() * static_cast<double>((c.wake_poll_max - c.wake_poll_min).ns()))};
}

void Engine::brief_wake(ThreadId t) {
  const int core = idle_core_for(t);
  if (core >= 0) end_idle_period(core);
}

void Engine::end_idle_period(int c) {
  Core& k = cores_[static_cast<std::size_t>(c)];
  k.last_idle = now_ - k.idle_period_since;
  k.idle_period_since = now_;
}

// The wait's start, shared by enter_gil_wait() and its straight path return_to_timed_wait():
// when it began, and the request's mark.
[[gnu::always_inline]] inline void Engine::start_gil_wait(Thread& th, const Gil& gil) {
  if (th.s.wait_for_gil()) {
    th.waiting_since = now_;
    // After a forced switch the ForcedSwitch mark already says why this thread waits.
    if (!th.s.forced_out) {
      builder_.mark(now_, MarkKind::GilRequest, th.lane,
                    gil.holder != kNoThread ? threads_[gil.holder].lane : trace::kNone);
    }
  }
  th.s.forced_out = false;
}

// acquire_gil() of a thread off any core (back from a blocking call) given idle core `c`
// alone (takes_idle_core_alone(), nobody queued on any core and no stale entry in c's queue)
// with the GIL locked (new GIL): take_idle_core_alone(), then enter_gil_wait() whose
// release_core() is leave_core_alone(), in their order, with what the core's taking and its
// release leave written once (the thread's runtime charged nothing, its queue's sum the same,
// the idle mask as it was).
void Engine::wait_through_idle_core(ThreadId t, int c) {
  Thread& th = threads_[t];
  Core& core = cores_[static_cast<std::size_t>(c)];
  Gil& gil = *th.gil;
  assert(per_cpu_ && queued_total_ == 0 && core.thread == kNoThread && th.core == -1 &&
         th.s.core == CoreState::Off && th.parked == Parked::No && gil.locked);
  // take_idle_core_alone(): place_request(), then assign_core()
  const Time deadline = th.vruntime + config_.machine.quantum;
  th.deadline = deadline;
  th.lag = Time::zero();
  core.slice_start = now_;
  core.charged_since = now_;
  core.protected_until = deadline;  // S3
  if (!th.placed && th.clone_cpu >= 0) --unplaced_clones_;
  th.placed = true;
  th.cpu = static_cast<std::int16_t>(c);
  if (now_ > core.idle_period_since) core.last_idle = now_ - core.idle_period_since;  // G8
  th.s.just_woke = false;
  // enter_gil_wait()
  start_gil_wait(th, gil);
  // leave_core_alone(): it ran no time, so its runtime, deadline and queue's sum stay.
  th.left_core = now_;  // S1c
  core.idle_since = now_;
  core.idle_period_since = now_;
  timers_.cancel(core.quantum);
  builder_.clear_state(core.lane, now_);
  core.next_balance = Time::max();  // idle (S1c, S1d)
  show(t, SpanState::WaitingGil);
  // The program suspends in acquire_gil() now, the event's last change.
  look_after_last_arming(gil, gil.waiters.arm(t, now_));
}

void Engine::enter_gil_wait(ThreadId t) {
  Thread& th = threads_[t];
  Gil& gil = *gil_of(t);
  start_gil_wait(th, gil);
  release_core(t);
  show(t, SpanState::WaitingGil);
  const bool due_changed = gil.waiters.arm(t, now_);
  if (config_.gil == scenario::GilMode::New) {
    // A pending drop deadline is the first due waiter's as of the last look (every change to
    // the GIL before this one in the event asked for a look): an arrival not due first
    // leaves it right, and the look after this event would find nothing to move.
    if (due_changed || !timers_.pending(gil.deadline)) schedule_drop_deadline(gil);
  } else {
    replan_old_gil_holder(gil);
  }
}

[[gnu::always_inline]] inline bool Engine::drop_gil(ThreadId t, bool forced, const RequestMark* request) {
  Thread& th = threads_[t];
  Gil& gil = *gil_of(t);
  assert(gil.holder == t && "drop_gil() by a thread that does not hold the GIL");
  gil.drop(t);
  th.s.dropped_gil();
  builder_.clear_state(gil.lane, now_);
  const ThreadId woken = gil.signal_one(random_);  // G6/G8
  drop_section_ = config_.costs.gil_mutex_signal;
  if (woken != kNoThread) {
    threads_[woken].s.signalled();
    join_on_signal(woken);  // S3: the signal enqueues it on a busy core at once
    builder_.prefetch(threads_[woken].lane);
    const bool elsewhere = wakes_elsewhere(woken, t);
    const int idle = idle_core_for(woken);
    Time signal = drop_section_;
    Time wake;
    const bool halted_elsewhere = elsewhere && cross_cpu_signal(idle, signal, wake);
    if (!halted_elsewhere) wake = woken_latency_from(woken, idle);
    // G8b: drop_gil signals with the mutex held, so the signal's futex wake-up is part of it.
    gil.mutex.hold(now_, signal);
    // G8c: woken on another core before the unlock, the waiter sleeps on the mutex (G8b), and
    // the unlock's futex wake-up of it costs the dropper that core's interrupt once more.
    // G8d: the section is the signal drawn for a waiter halted elsewhere, not G8b's.
    drop_section_ =
        elsewhere && wake < signal ? signal + unlock_signal(config_.costs, halted_elsewhere, signal, wake, random_) : signal;
    set_thread_timer(woken, now_ + wake, EventKind::GilAttempt);
  }
  const bool must_wait = config_.gil == scenario::GilMode::New && gil.drop_request && woken != kNoThread;
  if (forced) {
    const std::uint32_t woken_lane = woken != kNoThread ? threads_[woken].lane : trace::kNone;
    const std::int64_t held = (now_ - gil.held_since).ns();
    if (request != nullptr) {
      // Nothing was marked since the drop deadline's request (this is its forced switch, in
      // the same event): the two marks go to the store together.
      builder_.mark_request_and_switch(now_, request->requester, th.lane, request->wait, woken_lane, held);
    } else {
      builder_.mark(now_, MarkKind::ForcedSwitch, th.lane, woken_lane, held);
    }
  }
  // An unlocked GIL has no drop deadline: only a pending one needs the look that cancels it
  // (a forced switch's was the event firing now). A take later in this event looks anyway.
  if (timers_.pending(gil.deadline)) schedule_drop_deadline(gil);
  return must_wait;
}

void Engine::forced_switch(ThreadId t) { forced_switch_inline(t); }

// forced_switch(), inline where a drop deadline cuts the holder's compute (on_drop_deadline()).
[[gnu::always_inline]] inline void Engine::forced_switch_inline(ThreadId t, const RequestMark* request) {
  Thread& th = threads_[t];
  Gil& gil = *gil_of(t);
  pause(t);
  th.s.forced_out = true;
  gil.forced_drop = true;
  if (drop_gil(t, true, request)) {
    th.s.wait_for_switch(AfterGil::ContinueCompute);
    block_for_switch(t);
    return;
  }
  proceed(t);
}

[[gnu::always_inline]] inline void Engine::on_gil_attempt(ThreadId t) {
  Thread& th = threads_[t];
  if (th.s.gil != GilState::Woken) return;
  // G8a: awake, the waiter must run to lock the GIL's mutex and see `locked` clear. Woken
  // from a futex, it may preempt a CPU hog (S3); else it waits in the run queue, the GIL
  // still free to whoever runs and asks first (G1), and run_assigned() calls
  // try_gil_on_core() when it has a core.
  if (!th.s.on_core()) {
    th.s.just_woke = true;
    const int c = idle_core_for(t);
    if (takes_idle_core_alone(t, c)) {
      attempt_on_idle_core(t, c);
      return;
    }
    if (!request_core_anyhow(t, c)) return;
  }
  try_gil_on_core(t);
}

// request_core() given its usual case (take_idle_core_alone()), then try_gil_on_core(), in one
// call where two were made.
void Engine::attempt_on_idle_core(ThreadId t, int c) {
  take_idle_core_alone(t, c);
  try_gil_on_core(t, true);
}

// The take's Resume of the program at this instant, as the event's last change
// (on_gil_attempt()): when it would be the loop's next event (nothing pending at this instant
// was set before it; what the event's end sets, its drop deadline's look, ties after it), and
// the loop would run it (not stopped, under the limit), the event ends here as the loop ends
// it (end_event()) and the Resume runs as the loop would run it, counted, with no timer set
// and popped; the loop's end_event() after it is the Resume's.
[[gnu::always_inline]] inline void Engine::resume_after_event(ThreadId t) {
  const TimerHeap::Slot slot = threads_[t].timer;
  if (events_ < config_.max_events && !stopped_ && !timers_.pending(slot) &&
      (timers_.empty() || timers_.top_time() > now_)) {
    owners_[slot].kind = EventKind::Resume;
    end_event_inline();
    ++events_;
    on_resume(t);
    return;
  }
  schedule_resume(t);
}

[[gnu::always_inline]] inline void Engine::try_gil_on_core(ThreadId t, bool event_ends) {
  Thread& th = threads_[t];
  Gil& gil = *gil_of(t);
  if (th.s.gil == GilState::Woken) {
    gil.mutex.arrived(t);
    if (gil.mutex.held(now_) && relock_sleeps(gil, t)) return;
  }
  if (gil.locked) {
    // Lost the race to a thread that barged in (G1), on a core or while this one waited for
    // a core: it blocks again, a signalled waiter for a fresh full interval (G2), as
    // take_gil's loop does.
    enter_gil_wait(t);
    if (gil.mutex.has_sleepers()) wake_mutex_sleeper(gil);  // its COND_TIMED_WAIT unlocks the mutex
    return;
  }
  // The usual hand-off: a waiter on its core takes the GIL from a holder forced out, who
  // waits on switch_cond alone (not in its unlock still): a straight path of its own.
  if (config_.gil == scenario::GilMode::New && gil.forced_drop && gil.last_holder != t && th.s.on_core() &&
      gil.switch_waiters.size() == 1 && gil.switch_waiters.front() != t && !unlocking(gil.switch_waiters.front())) {
    if (th.s.after_gil == AfterGil::ContinueCompute && th.work.needs_gil && th.work.checkpoints &&
        ending_at_once_ != t && dirty_gils_.empty()) {
      take_and_run(t, event_ends);
      return;
    }
    take_from_forced_out(t);
  } else if (event_ends) {
    take_gil_inline(t);  // attempt_on_idle_core(): a woken waiter's take, once a busy cycle
  } else {
    take_gil(t);
  }
  if (gil.mutex.has_sleepers()) wake_mutex_sleeper(gil);  // at take_gil's MUTEX_UNLOCK
  if (th.s.after_gil == AfterGil::ResumeProgram) {
    if (go_on_after_take(t).ready) {
      if (event_ends) {
        resume_after_event(t);
      } else {
        schedule_resume(t);
      }
    }
  } else {
    proceed(t);
  }
}

// Inline at its two callers, the hand-off's two wake-ups (drop_gil's signal, switch_done()),
// where the woken thread's idle core it looks up is the one woken_latency() looks up next.
[[gnu::always_inline]] inline bool Engine::wakes_elsewhere(ThreadId woken, ThreadId waker) {
  const Thread& w = threads_[woken];
  const int idle = idle_core_for(woken);
  const int core = idle >= 0 ? idle : w.cpu;
  return core != threads_[waker].core;
}

Operation Engine::go_on_after_take(ThreadId t) {
  const Time cost = take_signal_cost_;
  take_signal_cost_ = Time::zero();
  // G8c: only a taker that goes on into its program (back from a blocking call, or a waiter
  // that asked between two calls) pays here; a forced-out thread retaking the GIL to go on
  // with its Python does not (the hand-off gaps G8's law was calibrated on hold it already).
  if (cost <= Time::zero()) return Operation{this, t, true};
  const Thread& th = threads_[t];
  return compute(t, cost, Work::signalling(th.job, th.step));
}

// Rare (a woken waiter that finds the mutex held): kept out of the hand-off path's inlining.
[[gnu::cold]] bool Engine::relock_sleeps(Gil& gil, ThreadId t) {
  if (config_.gil != scenario::GilMode::New) return false;
  // Back from the condition wait, pthread_cond_timedwait re-locks gil->mutex before
  // take_gil can read `locked`: held (by drop_gil signalling it, or by a taker), the waiter
  // sleeps on the mutex's futex and gives its core back. Still signalled, it tries again
  // when an unlock wakes it (G8's wake-up).
  release_core(t);
  show(t, SpanState::WaitingGil);
  if (gil.mutex.sleep(t)) wake_mutex_sleeper(gil);
  return true;
}

[[gnu::cold]] void Engine::wake_mutex_sleeper(Gil& gil) {
  const ThreadId next = gil.mutex.wake_next();
  if (next == kNoThread) return;
  set_thread_timer(next, max(gil.mutex.free_at(), now_) + wake_latency(next), EventKind::GilAttempt);
}

// Inline: a few loads and stores, asked at every take (after_take()) and at some waits and drops.
[[gnu::always_inline]] inline void Engine::schedule_drop_deadline(Gil& gil) {
  // Many changes can happen in one event; the deadline is computed once, after it.
  if (config_.gil != scenario::GilMode::New || gil.deadline_dirty) return;
  gil.deadline_dirty = true;
  dirty_gils_.push_back(&gil);
}

void Engine::update_drop_deadline(Gil& gil) {
  gil.deadline_dirty = false;
  look_at_drop_deadline(gil);
}

// run_drop_section() and resume_after_event() end their event with one GIL to look at
// (busy.toml's voluntary hand-off, twice a switch), where end_event()'s calls of
// update_drop_deadline() saved and restored registers around a few loads.
[[gnu::always_inline]] inline void Engine::end_event_inline() {
  Gil* const first = dirty_gils_.first;
  if (first == nullptr) return;
  if (!dirty_gils_.more.empty()) [[unlikely]] {
    end_event();
    return;
  }
  dirty_gils_.first = nullptr;
  first->deadline_dirty = false;
  look_at_drop_deadline(*first);
}

// update_drop_deadline()'s look, inline where a rule makes it at its event's end.
[[gnu::always_inline]] inline void Engine::look_at_drop_deadline(Gil& gil) {
  const GilWaitQueue::Due* due = gil.next_due();
  if (!due) {
    timers_.cancel(gil.deadline);
    return;
  }
  const Time at = max(due->at, now_);
  if (timers_.pending(gil.deadline) && timers_.when(gil.deadline) == at) return;
  timers_.set_late(gil.deadline, at);
}

// forced_switch() at a drop deadline (new GIL) of a holder running Python with check points,
// with a waiter to signal (the one due set the request) and a signal that takes time: what
// pause(), drop_gil() and block_for_switch() do then, in their order, the woken waiter's idle
// core looked up once (nothing between the looks changes it; its queued placement, with none,
// moves only its run queue's core, read after it).
[[gnu::always_inline]] inline void Engine::force_out(ThreadId t, const RequestMark& request) {
  Thread& th = threads_[t];
  Gil& gil = *th.gil;
  assert(config_.gil == scenario::GilMode::New && th.s.progress == ComputeProgress::Running && th.s.on_core() &&
         gil.holder == t && !gil.waiters.empty() && gil.drop_request);
  // pause()
  const Time progress = work_done_on(th.core, max(Time::zero(), now_ - th.run_start));  // S7
  th.remaining = max(Time::zero(), th.remaining - progress);
  th.s.progress = ComputeProgress::Stopped;
  cancel_thread_timer(t);
  timers_.cancel(th.compute_timer());
  th.s.forced_out = true;
  gil.forced_drop = true;
  // drop_gil(): the GIL unlocked, one waiter signalled (G6/G8) with the mutex held (G8b).
  gil.drop(t);
  th.s.dropped_gil();
  builder_.clear_state(gil.lane, now_);
  const auto [woken, section] = signal_a_waiter(gil, th.core);
  builder_.mark_request_and_switch(now_, request.requester, th.lane, request.wait, threads_[woken].lane,
                                   (now_ - gil.held_since).ns());
  if (timers_.pending(gil.deadline)) schedule_drop_deadline(gil);
  // G6: the request pending, the dropper waits until another thread took the GIL; G8b: its
  // core is its own until its MUTEX_UNLOCK (block_for_switch()).
  th.s.wait_for_switch(AfterGil::ContinueCompute);
  gil.wait_for_switch(t);
  show(t, SpanState::Native);
  builder_.set_state(cores_[static_cast<std::size_t>(th.core)].lane, now_, SpanState::Native, th.lane);
  unlock_next_or_set(t, now_ + section);  // the event's last change
}

// Inline in dispatch(), its one caller.
[[gnu::always_inline]] inline void Engine::on_drop_deadline(std::uint32_t index) {
  Gil& gil = *gils_[index];
  const GilWaitQueue::Due* due = gil.next_due();
  if (!due) return;
  // G2: a whole interval passed with no switch: ask the holder to drop the GIL.
  gil.drop_request = true;
  const Thread& requester = threads_[due->thread];
  const ThreadId h = gil.holder;
  const RequestMark request{requester.lane, (now_ - requester.waiting_since).ns()};
  Thread& holder = threads_[h];
  // A compute that ends at this very instant is not cut: the holder sees the request at its
  // next check point (proceed()) or drops the GIL for its next blocking call (G6).
  if (holder.s.running() && holder.run_end > now_ && holder.work.needs_gil && holder.work.checkpoints) {
    // The request is marked with the forced switch it causes (drop_gil()): nothing between
    // the two marks another (pause() marks only an old GIL's dilated run, which has no drop
    // deadline).
    assert(holder.s.progress != ComputeProgress::RunningDilated);
    // The usual case: drop_gil's signal is a section of the mutex on the holder's core.
    if (config_.costs.gil_mutex_signal > Time::zero()) {
      force_out(h, request);
    } else {
      forced_switch_inline(h, &request);
    }
    return;
  }
  builder_.mark(now_, MarkKind::DropRequest, request.requester, holder.lane, request.wait);
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
  std::int64_t delay = 0;
  if (__builtin_mul_overflow(period.ns(), static_cast<std::int64_t>(failures + 1), &delay) ||
      delay > Time::max().ns() / 2) [[unlikely]] {
    // With a probability at or near 0 the waiter waits past any run's end: the delay stops
    // at the last period within half of Time's range instead of overflowing it (the timer
    // is then never set). Checked by the product, so a usual hand-off pays no division.
    return period * std::max<std::int64_t>(Time::max().ns() / 2 / std::max<std::int64_t>(period.ns(), 1), 1);
  }
  return Time{delay};
}

void Engine::replan_old_gil_holder(Gil& gil) {
  if (gil.holder == kNoThread) return;
  Thread& holder = threads_[gil.holder];
  if (!holder.s.running() || !holder.work.needs_gil) return;
  const bool dilated = holder.s.progress == ComputeProgress::RunningDilated;
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
