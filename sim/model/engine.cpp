// The engine's event loop, thread programs, cores and the OS run queue, and compute.
#include "sim/model/engine.hpp"

#include <algorithm>
#include <cassert>

#include "sim/model/engine_state.hpp"

namespace gilsim::model {

void Operation::await_suspend(std::coroutine_handle<> h) const noexcept {
  engine->threads_[thread]->continuation = h;
}

Engine::Engine(const EngineConfig& config, trace::TraceBuilder& builder)
    : config_(config), builder_(builder), random_(config.seed) {
  cores_.resize(static_cast<std::size_t>(config.cores));
  builder_.add_cores(config.cores);
}

Engine::~Engine() = default;

trace::ProcessId Engine::add_process(std::string name) {
  const bool has_gil = config_.gil != scenario::GilMode::None;
  const auto pid = builder_.add_process(std::move(name), has_gil);
  if (has_gil) {
    auto gil = std::make_unique<Gil>(config_.switch_interval);
    gil->index = static_cast<std::uint32_t>(gils_.size());
    gil->lane = builder_.gil_lane(pid);
    gils_.push_back(std::move(gil));
  } else {
    gils_.push_back(nullptr);
  }
  return pid;
}

ThreadId Engine::add_thread(std::string name, trace::ProcessId process) {
  const auto lane = builder_.add_lane(name, trace::LaneKind::Thread, process);
  auto t = std::make_unique<Thread>();
  t->name = std::move(name);
  t->lane = lane;
  t->process = process;
  t->gil = gils_[process].get();
  threads_.push_back(std::move(t));
  return static_cast<ThreadId>(threads_.size() - 1);
}

void Engine::start(ThreadId t, Program program) {
  Thread& th = *threads_[t];
  th.body = std::move(program);
  th.continuation = th.body.handle();
  schedule_resume(t);
}

bool Engine::holds_gil(ThreadId t) const { return threads_[t]->holds_gil; }
trace::LaneId Engine::lane(ThreadId t) const { return threads_[t]->lane; }

// ---------------------------------------------------------------------------------------
// Events and programs

bool Engine::run() {
  while (!queue_.empty()) {
    if (events_ >= config_.max_events) return false;
    const Event e = queue_.pop();
    assert(e.at >= now_ && "an event was scheduled in the past");
    now_ = e.at;
    ++events_;
    dispatch(e);
    for (const auto g : dirty_gils_) update_drop_deadline(*gils_[g]);
    dirty_gils_.clear();
  }
  return true;
}

void Engine::dispatch(const Event& e) {
  switch (e.kind) {
    case EventKind::Resume: {
      Thread& th = *threads_[e.target];
      if (th.epoch != e.token) return;
      th.waiting_notify = false;
      th.just_woke = th.doing == Thread::Doing::Wait;
      resume_program(e.target);
      return;
    }
    case EventKind::ComputeDone: {
      // One pending ComputeDone per thread at most: a paused compute leaves its event in the
      // queue and the event, when it comes, moves itself to the compute's new end.
      Thread& th = *threads_[e.target];
      if (!th.done_pending || th.done_at != e.at) return;
      th.done_pending = false;
      if (!th.running) return;
      if (th.run_end == now_) {
        on_compute_done(e.target);
      } else {
        schedule_compute_done(e.target);
      }
      return;
    }
    case EventKind::QuantumEnd:
      if (cores_[e.target].epoch != e.token) return;
      on_quantum_end(static_cast<int>(e.target));
      return;
    case EventKind::DropDeadline:
      if (gils_[e.target]->deadline_epoch != e.token) return;
      on_drop_deadline(e.target);
      return;
    case EventKind::GilAttempt:
      if (threads_[e.target]->epoch != e.token) return;
      on_gil_attempt(e.target);
      return;
    case EventKind::OldGilHandoff:
      if (threads_[e.target]->epoch != e.token) return;
      on_old_gil_handoff(e.target);
      return;
  }
}

void Engine::schedule_resume(ThreadId t) { queue_.push(now_, EventKind::Resume, t, threads_[t]->epoch); }

void Engine::resume_program(ThreadId t) {
  Thread& th = *threads_[t];
  th.doing = Thread::Doing::Nothing;
  auto h = std::exchange(th.continuation, {});
  assert(h && "a thread was resumed with no operation pending");
  h.resume();
}

Operation Engine::wait(ThreadId t, Time duration, SpanState state, std::uint32_t job, std::uint16_t step) {
  Thread& th = *threads_[t];
  release_core(t);
  th.doing = Thread::Doing::Wait;
  th.job = job;
  th.step = step;
  show(t, state);
  ++th.epoch;
  queue_.push(now_ + duration, EventKind::Resume, t, th.epoch);
  return Operation{this, t, false};
}

Operation Engine::wait_for_notify(ThreadId t, std::optional<SpanState> state, Time deadline,
                                  std::uint32_t job) {
  Thread& th = *threads_[t];
  if (th.notified) {
    th.notified = false;
    return Operation{this, t, true};
  }
  release_core(t);
  th.doing = Thread::Doing::Wait;
  th.job = job;
  th.step = trace::kNoStep;
  th.waiting_notify = true;
  if (state) {
    show(t, *state);
  } else {
    builder_.clear_state(th.lane, now_);
  }
  ++th.epoch;
  if (deadline != Time::max()) queue_.push(max(deadline, now_), EventKind::Resume, t, th.epoch);
  return Operation{this, t, false};
}

void Engine::notify(ThreadId t) {
  Thread& th = *threads_[t];
  if (!th.waiting_notify) {
    th.notified = true;
    return;
  }
  th.waiting_notify = false;
  ++th.epoch;
  schedule_resume(t);
}

void Engine::exit(ThreadId t) {
  Thread& th = *threads_[t];
  if (th.holds_gil) drop_gil(t, false);
  release_core(t);
  th.doing = Thread::Doing::Exited;
  ++th.epoch;
  last_exit_ = now_;
  builder_.clear_state(th.lane, now_);
}

void Engine::show(ThreadId t, SpanState state) {
  const Thread& th = *threads_[t];
  builder_.set_state(th.lane, now_, state, th.job, th.step);
}

// ---------------------------------------------------------------------------------------
// Compute

Operation Engine::compute(ThreadId t, Time work, const Work& what) {
  if (work <= Time::zero()) return Operation{this, t, true};
  Thread& th = *threads_[t];
  th.doing = Thread::Doing::Compute;
  th.work = what;
  th.job = what.job;
  th.step = what.step;
  th.remaining = work;
  proceed(t);
  return Operation{this, t, false};
}

void Engine::proceed(ThreadId t) {
  Thread& th = *threads_[t];
  assert(th.doing == Thread::Doing::Compute);
  Gil* gil = th.work.needs_gil ? gil_of(t) : nullptr;
  if (gil != nullptr && !th.holds_gil) {
    if (gil->locked) {
      th.resume_when_gil_taken = false;
      enter_gil_wait(t);
      return;
    }
    take_gil(t);
  }
  if (th.core < 0 && !request_core(t)) return;  // queued; release_core() proceeds it later
  if (gil != nullptr && gil->drop_request && gil->holder == t && th.work.checkpoints) {
    forced_switch(t);  // a check point: the eval loop sees the pending request (G4, G5)
    return;
  }
  start_run(t);
}

void Engine::start_run(ThreadId t) {
  Thread& th = *threads_[t];
  Core& core = cores_[static_cast<std::size_t>(th.core)];
  const Time switch_cost =
      (core.last != kNoThread && core.last != t) ? config_.machine.context_switch : Time::zero();
  core.last = t;
  th.run_start = now_ + switch_cost;
  th.running = true;
  th.dilated = false;
  ++th.epoch;
  Time duration = th.remaining;
  Gil* gil = gil_of(t);
  if (config_.gil == scenario::GilMode::Old && gil != nullptr && gil->holder == t && th.work.needs_gil &&
      !gil->waiters.empty()) {
    // Every check interval the holder releases and re-acquires, paying for the signal (O2).
    const Time period = config_.costs.check_period;
    const Time cost = old_gil_release_cost();
    th.dilated = true;
    duration = Time{static_cast<std::int64_t>(static_cast<double>(th.remaining.ns()) *
                                              static_cast<double>((period + cost).ns()) /
                                              static_cast<double>(period.ns()))};
    const Time handoff = old_gil_handoff_delay();
    if (handoff < duration) {
      queue_.push(th.run_start + handoff, EventKind::OldGilHandoff, t, th.epoch);
    }
  }
  th.run_end = th.run_start + duration;
  schedule_compute_done(t);
  show(t, th.work.state);
  builder_.set_state(builder_.core_lane(th.core), now_, th.work.state, th.lane);
}

void Engine::schedule_compute_done(ThreadId t) {
  Thread& th = *threads_[t];
  if (th.done_pending && th.done_at <= th.run_end) return;  // it will move itself on
  th.done_pending = true;
  th.done_at = th.run_end;
  queue_.push(th.run_end, EventKind::ComputeDone, t, 0);
}

void Engine::pause(ThreadId t) {
  Thread& th = *threads_[t];
  if (!th.running) return;
  Time progress = max(Time::zero(), now_ - th.run_start);
  if (th.dilated) {
    const Time period = config_.costs.check_period;
    const Time cost = old_gil_release_cost();
    progress = Time{static_cast<std::int64_t>(static_cast<double>(progress.ns()) *
                                              static_cast<double>(period.ns()) /
                                              static_cast<double>((period + cost).ns()))};
  }
  th.remaining = max(Time::zero(), th.remaining - progress);
  th.running = false;
  ++th.epoch;
}

void Engine::on_compute_done(ThreadId t) {
  Thread& th = *threads_[t];
  th.running = false;
  th.remaining = Time::zero();
  ++th.epoch;
  resume_program(t);
}

}  // namespace gilsim::model
