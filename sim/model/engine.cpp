// The engine's event loop, thread programs, cores and the OS run queue, and compute.
//
// The usual hand-off's steps also have straight paths of their own, each tested for where
// its general path is called and doing that path's work for the case in the same order:
// leave_core_alone() (release_core_or_queue()), take_idle_core_alone() (request_core()),
// take_from_forced_out() (take_gil(), after_take(), switch_done()), force_out()
// (forced_switch_inline(), drop_gil(), block_for_switch()), start_run_plain()
// (start_run()), take_and_run() (try_gil_on_core()'s take, then proceed()),
// attempt_on_idle_core() (on_gil_attempt()'s request_core()) and return_to_timed_wait()
// (on_switch_wake()'s pass_through_core() and enter_gil_wait()). The last two events' paths
// make the drop deadline's look that end_event() would make, as their event's last change.
// A voluntary release and re-take (an I/O wait under a busy GIL) has its own:
// drop_and_signal() (release_gil()'s drop_gil()), run_drop_section() (its compute of the
// mutex's section), wait_through_idle_core() (acquire_gil()'s request_core() and
// enter_gil_wait(), the look made at its end) and resume_after_event() (the take's Resume,
// run at once when it is the loop's next event).
// A compute on the thread's own core with its GIL held (the new holder's first Python after
// its take, a refill pending) has start_on_own_core() (proceed_from_compute()'s proceed(),
// start_run_anyhow() and finished_at_once()).
// Two of the usual hand-off's events run at once where the event before them ends, when they
// are the loop's next event: the forced-out dropper's mutex unlock (unlock_next_or_set(), from
// force_out()) and its switch wake (switch_wake_next_or_set(), from take_and_run()), counted,
// their timers' sequence numbers taken where set() took them.
// A rule changed in a general path is changed in its straight path too.
#include "sim/model/engine.hpp"

#include <algorithm>
#include <cassert>
#include <cstddef>

#include "sim/model/engine_state.hpp"
#include "sim/scenario/effective_settings.hpp"

namespace gilsim::model {

Engine::Engine(const EngineConfig& config, trace::TraceBuilder& builder)
    : config_(config), builder_(builder), random_(config.seed) {
  static_assert(offsetof(Thread, work) + sizeof(WorkKind) <= 64, "a thread's hot fields fill one cache line");
  static_assert(sizeof(Thread) == 128, "a thread's record is two cache lines");
  cores_.resize(static_cast<std::size_t>(config.cores));
  idle_cores_.reset(config.cores);
  idle_mask_answers_ = idle_cores_.usable();
  for (int c = 0; c < config.cores; ++c) full_speed_ = full_speed_ && config.machine.speed_of(c) == 1.0;
  for (std::size_t c = 0; c < cores_.size(); ++c) {
    cores_[c].quantum = add_timer(EventKind::QuantumEnd, static_cast<std::uint32_t>(c));
  }
  init_run_queues();
  builder_.add_cores(config.cores);
  for (std::size_t c = 0; c < cores_.size(); ++c) cores_[c].lane = builder_.core_lane(static_cast<int>(c));
}

Engine::~Engine() = default;

trace::ProcessId Engine::add_process(std::string name, ProcessCode code) {
  const bool has_gil = code == ProcessCode::Python && config_.gil != scenario::GilMode::None;
  const auto pid = builder_.add_process(std::move(name), has_gil);
  if (has_gil) {
    // Each timed wait ends the timer slack after its nominal end, on a core that idled that
    // long and wakes by the timer's own law (G2a), so a waiter's timeouts lie that far apart.
    const Time timed_wait = config_.switch_interval + config_.costs.timer_slack;
    auto gil = std::make_unique<Gil>(static_cast<std::uint32_t>(gils_.size()), builder_.gil_lane(pid),
                                     timed_wait + scenario::timer_wake(config_.costs, timed_wait));
    gil->deadline = add_timer(EventKind::DropDeadline, gil->index);
    // The first GIL's deadline has its own place beside the timer heap (set twice a hand-off).
    if (!timers_.has_fixed()) timers_.fix(gil->deadline);
    gils_.push_back(std::move(gil));
  } else {
    gils_.push_back(nullptr);
  }
  return pid;
}

ThreadId Engine::add_thread(std::string name, trace::ProcessId process) {
  const auto lane = builder_.add_lane(name, trace::LaneKind::Thread, process);
  const auto id = static_cast<ThreadId>(threads_.size());
  Thread& t = threads_.emplace_back();
  programs_.emplace_back();
  continuations_.emplace_back();
  t.lane = lane;
  t.process = process;
  t.gil = gils_[process].get();
  t.timer = add_timer(EventKind::Resume, id);
  [[maybe_unused]] const TimerHeap::Slot compute_timer = add_timer(EventKind::ComputeDone, id);
  assert(compute_timer == t.compute_timer());
  return id;
}

void Engine::start(ThreadId t, Program program) {
  // S1a: a new thread is placed from its creator's core (the running program's, if any);
  // a new process, at its creation, while its creator still runs there: Linux's
  // wake_up_new_task picks the CPU inside clone(), before a vfork() parent waits for the
  // child's exec (a new thread of the same process is placed when it first runs, S1a).
  if (resuming_ != trace::kNone && threads_[resuming_].core >= 0) {
    threads_[t].cpu = threads_[resuming_].core;
    if (per_cpu_ && threads_[t].process != threads_[resuming_].process) {
      Thread& th = threads_[t];
      th.clone_cpu = static_cast<std::int16_t>(placement_cpu(t));
      th.clone_pending = true;
      ++cloned_[static_cast<std::size_t>(th.clone_cpu)];
      ++cloned_total_;
      ++unplaced_clones_;
    }
  }
  programs_[t] = std::move(program);
  continuations_[t] = programs_[t].handle();
  schedule_resume(t);
}

bool Engine::holds_gil(ThreadId t) const { return threads_[t].s.holds_gil(); }
trace::LaneId Engine::lane(ThreadId t) const { return threads_[t].lane; }

// ---------------------------------------------------------------------------------------
// Events and programs

bool Engine::run() {
  // With no timer left it ends (true) though the limit was reached: the emptiness is asked
  // by the pop itself, after the limit, where its answer is then the same.
  while (!stopped_) {
    if (events_ >= config_.max_events) [[unlikely]] return timers_.empty();
    Time at;
    const TimerHeap::Slot slot = timers_.pop_if_any(at);
    if (slot == TimerHeap::kNoSlot) break;
    assert(at >= now_ && "a timer was set in the past");
    now_ = at;
    ++events_;
    dispatch(owners_[slot]);
    end_event();
  }
  return true;
}

void Engine::end_event() {
  Gil* const first = dirty_gils_.first;
  if (first == nullptr) return;
  dirty_gils_.first = nullptr;
  update_drop_deadline(*first);
  if (!dirty_gils_.more.empty()) [[unlikely]] {
    for (Gil* const g : dirty_gils_.more) update_drop_deadline(*g);
    dirty_gils_.more.clear();
  }
}

TimerHeap::Slot Engine::add_timer(EventKind kind, std::uint32_t target) {
  owners_.push_back(TimerOwner{kind, target});
  return timers_.add_slot();
}

// Inline: three or four times a hand-off, a store and the heap's set(), whose usual paths
// need no call.
[[gnu::always_inline]] inline void Engine::set_thread_timer(ThreadId t, Time at, EventKind kind) {
  // The kind goes with the timer's owner, which the loop reads as the timer fires: dispatch()
  // then reads no thread's record to know what to do.
  const TimerHeap::Slot slot = threads_[t].timer;
  owners_[slot].kind = kind;
  timers_.set(slot, at);
}

void Engine::cancel_thread_timer(ThreadId t) { timers_.cancel(threads_[t].timer); }

// Events run at once, where the event before them ends (unlock_next_or_set(),
// switch_wake_next_or_set()): a thread's timer set as its event's last change, when it is the
// loop's next event, needs no entry set and popped. Its sequence number is taken where set()
// would take it (TimerHeap::take_seq()), so that what the event's end sets (a drop deadline's
// look) ties after it as before; the event ends as the loop ends it (end_event()), and then the
// timer's event runs as the loop would run it (not stopped, under the limit, before every timer
// pending), counted, or the timer is set with that number. The loop's end_event() after it is
// the event's run here.
template <class Event>
[[gnu::always_inline]] inline void Engine::run_next_or_set(const DeferredTimer& timer, Event&& event) {
  end_event_inline();
  if (stopped_ || events_ >= config_.max_events || !timers_.fires_first(timer.at, timer.seq)) {
    set_deferred(timer);
    return;
  }
  assert(timer.at >= now_);
  now_ = timer.at;
  ++events_;
  event();
}

// The rest of start_run_anyhow() and finished_at_once() for run_drop_section(): the
// compute-done's sequence number is taken where its park() took it, the event ends (the drop
// deadline's look, which ties after it), and when the compute-done fires first (before every
// entry pending; usually, as the woken waiter's attempt comes after the section) and the loop
// would run it, it runs here with nothing parked and popped: the entry parked before (that
// attempt) stays parked rather than going into the heap. Else it is parked with that number.
[[gnu::always_inline]] inline bool Engine::section_end_next_or_park(ThreadId t) {
  Thread& th = threads_[t];
  const std::uint64_t seq = timers_.take_seq();
  show_running(t);
  end_event_inline();
  if (events_ >= config_.max_events || !timers_.fires_first(th.run_end, seq)) {
    timers_.park_at_seq(th.compute_timer(), th.run_end, seq);
    return false;
  }
  ++ended_at_once_;
  now_ = th.run_end;
  ++events_;
  // end_compute()
  th.s.progress = ComputeProgress::Stopped;
  th.remaining = Time::zero();
  cancel_thread_timer(t);
  th.s.doing = Activity::Nothing;
  return true;
}

void Engine::set_deferred(const DeferredTimer& timer) {
  timers_.set_at_seq(threads_[timer.thread].timer, timer.at, timer.seq);
}

// The dropper's mutex unlock (G8b), the forced switch's last change (force_out()).
[[gnu::always_inline]] inline void Engine::unlock_next_or_set(ThreadId t, Time at) {
  const TimerHeap::Slot slot = threads_[t].timer;
  owners_[slot].kind = EventKind::MutexUnlock;
  if (timers_.pending(slot)) [[unlikely]] {
    timers_.set(slot, at);
    return;
  }
  run_next_or_set(DeferredTimer{t, at, timers_.take_seq()}, [this, t] { on_mutex_unlock(t, true); });
}

// A dropper's switch wake (G6), whose sequence number take_and_run() took.
[[gnu::always_inline]] inline void Engine::switch_wake_next_or_set(const DeferredTimer& wake) {
  run_next_or_set(wake, [this, &wake] { on_switch_wake(wake.thread, true); });
}

[[gnu::always_inline]] inline void Engine::dispatch(TimerOwner e) {
  switch (e.kind) {
    case EventKind::Resume:
      on_resume(e.target);
      return;
    case EventKind::ComputeDone:
      // Pending only while the compute runs, at its planned end: pause() cancels it.
      assert(threads_[e.target].s.running() && threads_[e.target].run_end == now_);
      on_compute_done(e.target);
      return;
    case EventKind::QuantumEnd:
      on_quantum_end(static_cast<int>(e.target));
      return;
    case EventKind::DropDeadline:
      on_drop_deadline(e.target);
      return;
    case EventKind::GilAttempt:
      on_gil_attempt(e.target);
      return;
    case EventKind::OldGilHandoff:
      on_old_gil_handoff(e.target);
      return;
    case EventKind::SwitchWake:
      on_switch_wake(e.target);
      return;
    case EventKind::MutexUnlock:
      on_mutex_unlock(e.target);
      return;
  }
}

void Engine::schedule_resume(ThreadId t) { set_thread_timer(t, now_, EventKind::Resume); }

void Engine::resume_program(ThreadId t) {
  Thread& th = threads_[t];
  if (cloned_total_ != 0 && th.clone_pending) {  // its first run: counted as it is from now on
    th.clone_pending = false;
    --cloned_[static_cast<std::size_t>(th.clone_cpu)];
    --cloned_total_;
  }
  th.s.doing = Activity::Nothing;
  auto h = std::exchange(continuations_[t], {});
  assert(h && "a thread was resumed with no operation pending");
  // Every caller resumes a program as the last step of its event (see dispatch()).
  resuming_ = t;
  ended_at_once_ = 0;
  h.resume();
  resuming_ = kNoThread;
}

Operation Engine::wait(ThreadId t, Time duration, SpanState state, std::uint32_t job, std::uint16_t step) {
  Thread& th = threads_[t];
  release_core(t, true);
  th.s.doing = Activity::Wait;
  th.job = job;
  th.step = step;
  show(t, state);
  set_thread_timer(t, now_ + duration, EventKind::Resume);
  return Operation{this, t, false};
}

Operation Engine::wait_for_notify(ThreadId t, std::optional<SpanState> state, Time deadline,
                                  std::uint32_t job) {
  Thread& th = threads_[t];
  if (th.s.wait_for_notify()) return Operation{this, t, true};
  release_core(t);
  th.s.doing = Activity::Wait;
  th.job = job;
  th.step = trace::kNoStep;
  if (state) {
    show(t, *state);
  } else {
    builder_.clear_state(th.lane, now_);
  }
  if (deadline != Time::max()) {
    set_thread_timer(t, max(deadline, now_), EventKind::Resume);
  } else {
    cancel_thread_timer(t);
  }
  return Operation{this, t, false};
}

void Engine::notify(ThreadId t) {
  Thread& th = threads_[t];
  if (th.s.notified()) schedule_resume(t);
}

void Engine::exit(ThreadId t) {
  Thread& th = threads_[t];
  if (th.s.holds_gil()) drop_gil(t, false);
  th.s.doing = Activity::Exited;  // before its core goes: an exiting thread is not delayed (S3)
  release_core(t);
  cancel_thread_timer(t);
  last_exit_ = now_;
  builder_.clear_state(th.lane, now_);
}

// ---------------------------------------------------------------------------------------
// Compute

Operation Engine::compute(ThreadId t, Time work, const Work& what) {
  if (work <= Time::zero()) return Operation{this, t, true};
  Thread& th = threads_[t];
  th.s.doing = Activity::Compute;
  th.work = what;
  th.job = what.job;
  th.step = what.step;
  th.remaining = work;
  switch (ran_through(t)) {
    case RunThrough::Ran:
      return Operation{this, t, true};
    case RunThrough::Stopped:
      // What stopped it (a refill, another thread last on the core, a timer due first) leaves
      // start_on_own_core()'s event quiet: its look at that is not made again.
      if (starts_on_own_core(th)) return Operation{this, t, start_quietly_on_own_core(t)};
      break;
    case RunThrough::LongWay:
      break;
  }
  return Operation{this, t, proceed_from_compute(t)};
}

// proceed()'s usual case: on its core, its GIL held (or none needed) with no drop request
// to see at a check point, and no old GIL to dilate the run: start_run_anyhow() at once.
[[gnu::always_inline]] inline bool Engine::starts_on_own_core(const Thread& th) const {
  const Gil* const gil = th.work.needs_gil ? th.gil : nullptr;
  return config_.gil != scenario::GilMode::Old && th.s.on_core() &&
         (gil == nullptr || (th.s.holds_gil() && !gil->drop_request));
}

bool Engine::start_quietly_on_own_core(ThreadId t) { return start_on_own_core(t, true); }

bool Engine::proceed_from_compute(ThreadId t) {
  if (starts_on_own_core(threads_[t])) return start_on_own_core(t);
  ending_at_once_ = t;
  proceed(t);
  ending_at_once_ = kNoThread;
  return finished_at_once(t);
}

// start_run_anyhow() of a compute that compute() starts on the thread's own core with no old
// GIL (proceed_from_compute()), then finished_at_once(): the same statements in their order,
// the dilation left out.
[[gnu::always_inline]] inline bool Engine::start_on_own_core(ThreadId t, bool known_quiet) {
  Thread& th = threads_[t];
  const Time duration = begin_run(t);
  th.run_end = th.run_start + wall_time_on(th.core, duration);  // S7
  const bool quiet = known_quiet || (resuming_ == t && ended_at_once_ < kEndedAtOnce && dirty_gils_.empty() &&
                                     !stopped_ && events_ < config_.max_events);
  const bool next_event = quiet && (timers_.empty() || timers_.top_time() > th.run_end);
  if (!next_event) timers_.park_inline(th.compute_timer(), th.run_end);  // schedule_compute_done(), its park inline
  show_running(t);
  // finished_at_once() when only a timer due first stopped it: its end_event() has no GIL to
  // look at, and the heap's first timer is not the compute-done, set last at or after it.
  if (quiet && !next_event) return false;
  return finished_at_once(t);
}

bool Engine::finished_at_once(ThreadId t) {
  // The program of `t` runs as the last step of its event, so the event ends when it
  // suspends. If the loop's next event would be this compute's end, the loop is run here
  // instead: the event ends (end_event()), the compute-done fires, and the program goes on
  // without suspending. Same events in the same order, minus a suspend, a dispatch and a
  // resume per step (a lesson's thousands of tiny steps).
  Thread& th = threads_[t];
  if (resuming_ != t || th.s.progress != ComputeProgress::Running || stopped_) return false;
  if (timers_.pending(th.compute_timer())) {
    if (ended_at_once_ >= kEndedAtOnce) return false;
    end_event();
    if (events_ >= config_.max_events || timers_.top_slot() != th.compute_timer()) return false;
    timers_.pop();
  }
  // else start_run() saw that the compute-done would be the next event and did not set it.
  ++ended_at_once_;
  assert(th.run_end >= now_);
  now_ = th.run_end;
  ++events_;
  end_compute(t);
  th.s.doing = Activity::Nothing;
  return true;
}

// The core's lane first: the thread's, which changes with each step, ends the function with
// its store's call (the lanes are apart: which is recorded first changes no span).
[[gnu::always_inline]] inline void Engine::show_running(ThreadId t) {
  const Thread& th = threads_[t];
  builder_.set_state(cores_[static_cast<std::size_t>(th.core)].lane, now_, trace::core_state(th.work.state), th.lane);
  show(t, th.work.state);
}

// Inline in compute(), its one caller: as a call (which the compiler chose or not with the
// size of the rule files' unit) it cost lesson 15's threads run 4% more instructions.
[[gnu::always_inline]] inline Engine::RunThrough Engine::ran_through(ThreadId t) {
  // The common step of a program: the thread is on its core and was the last to run there
  // (no context switch), holds its GIL if the work needs it, no drop request stops it at
  // this check point, nothing of the old GIL or a cache refill applies, and nothing is due
  // before the work ends (strictly: a tie goes to the timer set first). Then proceed(),
  // start_run() and the compute-done event would only record the spans below and move the
  // clock to the end: that is done here, with the same event counted. A cache refill (S6)
  // applies only to Python with check points under the GIL, so it stops only that work
  // (a lesson's statements without check points ran the long way while it was pending).
  Thread& th = threads_[t];
  if (resuming_ != t || ended_at_once_ >= kEndedAtOnce || stopped_ || !th.s.on_core() ||
      !dirty_gils_.empty() || events_ >= config_.max_events || timers_.pending(th.timer)) {
    return RunThrough::LongWay;
  }
  if (th.work.needs_gil) {
    const Gil* gil = gil_of(t);
    if (gil != nullptr && (!th.s.holds_gil() || (th.work.checkpoints && (gil->drop_request || th.refill_pending)) ||
                           config_.gil == scenario::GilMode::Old)) {
      return RunThrough::Stopped;
    }
  }
  if (cores_[static_cast<std::size_t>(th.core)].last != t) return RunThrough::Stopped;
  const Time end = now_ + wall_time_on(th.core, th.remaining);  // S7
  if (!timers_.empty() && timers_.top_time() <= end) return RunThrough::Stopped;
  run_through_to(t, end, 1);
  ++ended_at_once_;
  return RunThrough::Ran;
}

[[gnu::always_inline]] inline void Engine::start_run(ThreadId t) {
  if (config_.gil != scenario::GilMode::Old && ending_at_once_ != t) {
    start_run_plain(t);
  } else {
    start_run_anyhow(t);
  }
}

// start_run() with no old GIL's dilation to plan and not started by compute() in the thread's
// own program (so its end is not fired at once): the usual hand-off's new holder, straight.
void Engine::start_run_plain(ThreadId t) { start_run_plain_inline(t); }

// start_run_plain(), inline in the take's straight path (take_and_run()).
[[gnu::always_inline]] inline void Engine::start_run_plain_inline(ThreadId t) {
  Thread& th = threads_[t];
  const Time duration = begin_run(t);
  th.run_end = th.run_start + wall_time_on(th.core, duration);  // S7
  schedule_compute_done(t);
  show_running(t);
}

void Engine::start_run_anyhow(ThreadId t) {
  Thread& th = threads_[t];
  Time duration = begin_run(t);  // S6's refill is the new GIL's, the dilation the old one's
  Gil* gil = gil_of(t);
  if (config_.gil == scenario::GilMode::Old && gil != nullptr && gil->holder == t && th.work.needs_gil &&
      !gil->waiters.empty()) {
    duration = start_dilated_run(t);
  }
  th.run_end = th.run_start + wall_time_on(th.core, duration);  // S7
  // Started by compute() in the thread's own program, with nothing left to do in this event
  // and nothing due until it ends (a tie goes to the timer set first, so strictly): its end
  // is the next event, which finished_at_once() fires without a round trip through the heap.
  const bool next_event = ending_at_once_ == t && resuming_ == t && ended_at_once_ < kEndedAtOnce &&
                          th.s.progress == ComputeProgress::Running &&
                          dirty_gils_.empty() && !stopped_ && events_ < config_.max_events &&
                          (timers_.empty() || timers_.top_time() > th.run_end);
  if (!next_event) schedule_compute_done(t);
  show_running(t);
}

// Out of line: the new GIL's hand-offs never take it, and start_run() saves fewer registers.
Time Engine::start_dilated_run(ThreadId t) {
  Thread& th = threads_[t];
  // Every check interval the holder releases and re-acquires, paying for the signal (O2).
  const Time period = config_.costs.check_period;
  const Time cost = old_gil_release_cost();
  th.s.progress = ComputeProgress::RunningDilated;
  const Time duration = Time{static_cast<std::int64_t>(static_cast<double>(th.remaining.ns()) *
                                                       static_cast<double>((period + cost).ns()) /
                                                       static_cast<double>(period.ns()))};
  // O3: with another core, each release wakes a waiter that loses the race for the GIL.
  if (config_.cores > 1) {
    builder_.begin_repeating(th.run_start + period + cost, trace::MarkKind::RacesLost, th.lane, period + cost);
  }
  const Time handoff = old_gil_handoff_delay();
  if (handoff < duration) {
    set_thread_timer(t, th.run_start + handoff, EventKind::OldGilHandoff);
  }
  return duration;
}

// Inline: once a hand-off, in the new holder's run; as a call it saved and restored registers.
[[gnu::always_inline]] inline void Engine::schedule_compute_done(ThreadId t) {
  const Thread& th = threads_[t];
  // Beside the heap: a compute under contention is cut (a drop request, a preemption) long
  // before its end, and pause() cancels the timer there without the heap ever holding it.
  timers_.park(th.compute_timer(), th.run_end);
}

void Engine::note_races_lost(ThreadId t) {
  const Thread& th = threads_[t];
  if (th.s.progress != ComputeProgress::RunningDilated || config_.cores <= 1) return;  // one core: nobody races (O3)
  // O3: each release in [run_start, now) woke a waiter that lost; a release at now_ is the
  // hand-off (or the run ended first), not a loss.
  builder_.end_repeating(th.lane, now_);
}

void Engine::end_compute(ThreadId t) {
  Thread& th = threads_[t];
  if (th.s.progress == ComputeProgress::RunningDilated) note_races_lost(t);
  th.s.progress = ComputeProgress::Stopped;
  th.remaining = Time::zero();
  cancel_thread_timer(t);
}

void Engine::on_compute_done(ThreadId t) {
  end_compute(t);
  resume_program(t);
}

}  // namespace gilsim::model
