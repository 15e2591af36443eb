// The engine's private records of threads and cores, and the few small rules every rule file
// inlines; shared by its source files only, and by SharedState's stretches of steps, which
// inline run_at_once().
#pragma once

#include "sim/model/engine.hpp"
#include "sim/model/thread_state.hpp"

namespace gilsim::model {

inline constexpr ThreadId kNoThread = trace::kNone;

/// What the engine keeps of a running Work: the kind of code (its labels are the thread's
/// job and step).
struct WorkKind {
  SpanState state = SpanState::Running;
  bool needs_gil = true;
  bool checkpoints = true;

  WorkKind& operator=(const Work& w) {
    state = w.state;
    needs_gil = w.needs_gil;
    checkpoints = w.checkpoints;
    return *this;
  }
};

/// A thread's hot record: plain data in one flat vector, indexed by ThreadId, one cache
/// line each (a hand-off touches three or four threads; at 100k threads each is a miss).
/// Its program (the coroutine that owns the frame) lives in Engine::programs_, the
/// operation it waits on in Engine::continuations_.
struct alignas(64) Engine::Thread {
  // Current compute.
  Time remaining;
  Time run_start;
  Time run_end;  ///< when the running compute ends, if nothing interrupts it

  Time waiting_since = Time::max();  ///< when its GIL wait began; Time::max() while not waiting
  trace::LaneId lane = trace::kNone;
  TimerHeap::Slot timer = 0;  ///< its program timer: Resume, GilAttempt or OldGilHandoff;
                              ///< timer + 1 is its ComputeDone, pending while a compute runs
  // Labels for its spans.
  std::uint32_t job = trace::kNone;
  std::uint16_t step = trace::kNoStep;
  std::int16_t core = -1;  ///< its core while s.core == CoreState::OnCore
  trace::ProcessId process = 0;  ///< its GIL is gils_[process] (null without one)
  ThreadState s;  ///< the state machines
  WorkKind work;  ///< the running compute's kind
  // The line is full (engine.cpp checks): fields added below go to the record's second line.

  bool refill_pending = false;  ///< woken on a halted core: its next Python refills caches (S6)
  bool placed = false;  ///< it has had a core: a wake-up, not a fork, places it (S1a, S1b)
  bool clone_pending = false;  ///< counted on clone_cpu's core until its program first runs
  std::int16_t clone_cpu = -1;  ///< per-CPU queues: the core S1a chose at its creation (clone())
  std::int16_t cpu = -1;  ///< per-CPU queues: its run queue's core, its last (S1a)
  Time left_core;  ///< when it last left a core: cache-hot for a while after (S1c)
  std::uint16_t affinity = 0;  ///< 0: any core; else 1 + its entry in Engine::affinities_ (S9)
  // EEVDF (S3): its virtual runtime and virtual deadline while it is runnable on a run
  // queue (the one shared, or its core's), and its lag while it is not.
  Time vruntime;
  Time deadline;
  Time lag;
  Parked parked = Parked::No;  ///< counted on its run queue with no core, not queued
  /// gils_[process], kept here: gil_of(), asked a dozen times a hand-off, loads it from the
  /// record in hand rather than through the GILs' vector (a GIL never moves: each is its own
  /// allocation).
  Gil* gil = nullptr;

  TimerHeap::Slot compute_timer() const { return timer + 1; }
};

struct Engine::Core {
  ThreadId thread = kNoThread;
  ThreadId last = kNoThread;
  Time slice_start;
  Time idle_since;  ///< for placement (S1): since when nobody was given it
  // What the idle governor knows (G8): a woken thread that ran on it for a moment ended
  // one idle period and began another, though the core was never given to it.
  Time idle_period_since;
  Time last_idle;  ///< how long its previous idle period lasted
  TimerHeap::Slot quantum = 0;  ///< QuantumEnd, pending while its slice is armed; on an
                                ///< idle core with per-CPU queues, its next idle balance (S1c)
  Time next_balance = Time::max();  ///< a busy core's next periodic balance; max while idle (S1d)
  Time charged_since;  ///< S3: its thread's virtual runtime counts its time on it from here
  Time protected_until;  ///< S3: the virtual runtime its thread's protected slice ends at
  trace::LaneId lane = trace::kNone;  ///< its lane in the trace
};

inline Gil* Engine::gil_of(ThreadId t) { return threads_[t].gil; }

// Inline: every choice of an idle core asks it of each core (a call was 45 instructions a
// hand-off of its own).
inline bool Engine::allowed(ThreadId t, int c) const {
  const std::uint16_t a = threads_[t].affinity;
  return a == 0 || affinities_[a - 1U][static_cast<std::size_t>(c)];
}

// Inline: asked five times per GIL hand-off, and mostly answered by the idle cores' mask
// alone (a pass over every core, as a call, was 40 instructions).
[[gnu::always_inline]] inline int Engine::idle_core_for(ThreadId t) const {
  // With no affinity set in the run (S9), the usual case, no thread's needs looking up.
  if (!idle_mask_answers_) return idle_core_by_scan(t);
  const int lone = idle_cores_.lone();  // under a GIL, one idle core or none: no core looked at
  return lone != IdleCores::kSeveral ? lone : idle_core_among(t);
}

// Inline: a signalled waiter usually has an idle core to wake on, and then nothing is done.
inline void Engine::join_on_signal(ThreadId t) {
  if (idle_core_for(t) < 0) join_on_signal_queued(t);
}

// The Resume event: the thread's program goes on (its wait, if any, ended). Inline in
// dispatch() and in resume_after_event().
[[gnu::always_inline]] inline void Engine::on_resume(ThreadId t) {
  Thread& th = threads_[t];
  th.s.wait_ended();
  th.s.just_woke = th.s.doing == Activity::Wait;
  resume_program(t);
}

// A running compute stops where it is (a forced switch, a preemption): inline in each rule
// that stops one (18 instructions a hand-off fewer than the call).
[[gnu::always_inline]] inline void Engine::pause(ThreadId t) {
  Thread& th = threads_[t];
  if (!th.s.running()) return;
  Time progress = work_done_on(th.core, max(Time::zero(), now_ - th.run_start));  // S7
  if (th.s.progress == ComputeProgress::RunningDilated) {
    note_races_lost(t);
    const Time period = config_.costs.check_period;
    const Time cost = old_gil_release_cost();
    progress = Time{static_cast<std::int64_t>(static_cast<double>(progress.ns()) *
                                              static_cast<double>(period.ns()) /
                                              static_cast<double>((period + cost).ns()))};
  }
  th.remaining = max(Time::zero(), th.remaining - progress);
  th.s.progress = ComputeProgress::Stopped;
  cancel_thread_timer(t);
  timers_.cancel(th.compute_timer());  // one pending event per timer: none while paused
}

// A compute starts on the thread's core (start_run_anyhow() and its straight copies): a
// context switch first when the core last ran another thread; returns how long it runs, with
// S6's refill when due. Inline, as the copies were.
[[gnu::always_inline]] inline Time Engine::begin_run(ThreadId t) {
  Thread& th = threads_[t];
  Core& core = cores_[static_cast<std::size_t>(th.core)];
  const Time switch_cost =
      (core.last != kNoThread && core.last != t) ? config_.machine.context_switch : Time::zero();
  core.last = t;
  th.run_start = now_ + switch_cost;
  th.s.progress = ComputeProgress::Running;
  cancel_thread_timer(t);
  Time duration = th.remaining;
  const Gil* const gil = th.gil;
  if (th.refill_pending && config_.gil == scenario::GilMode::New && gil != nullptr && gil->holder == t &&
      th.work.needs_gil && th.work.checkpoints) {
    // S6: woken from a halted core, whose private caches went cold, the eval loop refetches
    // its code and data before it runs at full speed.
    th.refill_pending = false;
    duration += config_.costs.handoff_refill;
    th.remaining += config_.costs.handoff_refill;
  }
  return duration;
}

// A compute goes on: a core, then its GIL, then a check point, then it runs. Inline in each
// rule that calls it (a hand-off calls it twice; the call saved and restored a register set).
[[gnu::always_inline]] inline void Engine::proceed(ThreadId t) {
  Thread& th = threads_[t];
  assert(th.s.doing == Activity::Compute);
  Gil* gil = th.work.needs_gil ? gil_of(t) : nullptr;
  // Queued, release_core() proceeds it later. A core comes first: take_gil runs on one (G8a).
  if (!th.s.on_core() && !request_core(t)) return;
  if (gil != nullptr && !th.s.holds_gil()) {
    if (gil->locked) {
      th.s.after_gil = AfterGil::ContinueCompute;
      enter_gil_wait(t);
      return;
    }
    take_gil(t);
  }
  if (gil != nullptr && gil->drop_request && gil->holder == t && th.work.checkpoints) {
    forced_switch(t);  // a check point: the eval loop sees the pending request (G4, G5)
    return;
  }
  start_run(t);
}

// A thread's lane shows `state`. Inline in every rule (a call per span change cost more
// than the unchanged state's early return it usually makes).
[[gnu::always_inline]] inline void Engine::show(ThreadId t, SpanState state) {
  const Thread& th = threads_[t];
  builder_.set_state(th.lane, now_, state, th.job, th.step);
}

// What compute() would record for work that runs through to `end` on `t`'s core with nothing
// in the way (ran_through(), run_at_once()): its spans, the clock at the end, and the
// compute-done event of each of its `pieces`.
// Its engine fields are written first and the thread's lane (whose span changes with each
// step: a store's push, a call) last, so that nothing is read again after that call: the
// lanes are apart, and which is recorded first changes no span.
// `core_shows_it`: the core's lane shows this work already (the open span set_state() would
// leave as it is), so it is not looked at.
[[gnu::always_inline]] inline void Engine::run_through_to(ThreadId t, Time end, std::uint32_t pieces,
                                                          bool core_shows_it) {
  Thread& th = threads_[t];
  const Time at = now_;
  th.run_start = at;
  th.run_end = end;
  now_ = end;
  events_ += pieces;
  th.remaining = Time::zero();
  th.s.doing = Activity::Nothing;
  const SpanState state = th.work.state;
  if (core_shows_it) {
    // A step after the stretch's first: the thread's lane is open in this state (the step
    // before it ran at once), so only its labels are compared.
    builder_.next_labels(th.lane, at, state, th.job, th.step);
    return;
  }
  builder_.set_state(cores_[static_cast<std::size_t>(th.core)].lane, at, trace::core_state(state), th.lane);
  builder_.set_state(th.lane, at, state, th.job, th.step);
}

// Inline in SharedState's stretches of steps, its one user (a call per statement, 713,000
// on lesson 15's three runs, saved and restored a register set each).
[[gnu::always_inline]] inline void Engine::run_at_once(ThreadId t, Time wall, std::uint32_t pieces, const Work& what,
                                                       Stretch& stretch) {
  if (pieces == 0) return;  // as compute() of no work: nothing runs, nothing is counted
  Thread& th = threads_[t];
  th.work = what;
  th.job = what.job;
  th.step = what.step;
  const Time end = now_ + wall;
  assert((timers_.empty() || end < timers_.top_time()) && events_ + pieces <= config_.max_events &&
         "run_at_once() outside its stretch");
  // S6: a refill pending stops Python with check points, which compute() then runs the long way.
  assert(!(what.checkpoints && what.needs_gil && th.refill_pending) && "run_at_once() of work a cache refill applies to");
  // After the stretch's first step its core's lane shows it running: a step of Python then
  // leaves that span as it is (set_state() of the same labels), and is not looked at.
  const bool running = what.state == SpanState::Running;
  run_through_to(t, end, pieces, running && stretch.core_shows_running);
  stretch.core_shows_running = running;
}

// Inline in SharedState's loop of a stretch's steps after its first (SharedState::in_one_piece).
[[gnu::always_inline]] inline void Engine::ran_at_once(ThreadId t, Time last_start, Time end, std::uint64_t pieces,
                                                       const Work& last, Stretch& stretch) {
  assert(stretch.core_shows_running && last.state == SpanState::Running && pieces <= stretch.events &&
         end < stretch.until && "ran_at_once() outside its stretch");
  Thread& th = threads_[t];
  th.work = last;
  th.job = last.job;
  th.step = last.step;
  th.run_start = last_start;
  th.run_end = end;
  th.remaining = Time::zero();
  th.s.doing = Activity::Nothing;
  now_ = end;
  events_ += pieces;
  stretch.events -= pieces;
}

template <class Aside>
inline bool Engine::run_asides(ThreadId t, Stretch& stretch, Time end, std::uint32_t pieces, Aside&& aside) {
  assert(resuming_ == t && "run_asides() outside t's stretch");
  // One event for the aside, `pieces` for the step after it.
  while (stretch.until <= end && stretch.events > pieces) {
    const TimerOwner next = owners_[timers_.top_slot()];
    if ((next.kind != EventKind::Resume && next.kind != EventKind::ComputeDone) || next.target == t) return false;
    const std::optional<Time> sets = aside(static_cast<ThreadId>(next.target), stretch.until);
    if (!sets || !(end < *sets)) return false;
    run_aside(t, stretch);
  }
  return end < stretch.until && pieces <= stretch.events;
}

}  // namespace gilsim::model
