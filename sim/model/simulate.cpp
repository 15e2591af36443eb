// Builds the engine for one run, starts its executor, runs it to the end, returns the trace.
#include "sim/model/simulate.hpp"

#include <algorithm>
#include <atomic>
#include <cassert>
#include <exception>
#include <numeric>
#include <thread>

#include <fmt/format.h>

#include "sim/model/executors.hpp"
#include "sim/scenario/effective_settings.hpp"

namespace gilsim::model {

namespace {

constexpr const char* kRaiseTheLimit = "raise the limit (gilsim run --max-events N)";
// simulate_all()'s, the viewer's, whose limit no option raises (it named --max-events).
constexpr const char* kTheViewersLimit =
    "simulate it with `gilsim run --max-events N`, whose limit can be raised (the viewer holds each run to this one)";

/// Runs `engine` to its end (true) or `max_events` (false); with `progress`, in slices of
/// its events_between_checks(), answering after each when the watcher asked.
bool run_watched(Engine& engine, const trace::TraceBuilder& builder, Progress* progress, std::size_t run,
                 std::uint64_t max_events) {
  if (progress == nullptr) return engine.run();
  for (;;) {
    const std::uint64_t limit = std::min(max_events, engine.events_processed() + progress->events_between_checks());
    engine.set_max_events(limit);
    if (engine.run()) return true;
    if (limit == max_events) return false;
    if (progress->asked(run)) progress->answer(run, std::make_shared<const trace::Trace>(builder.prefix(engine.now())));
  }
}

/// The simulation's end for a watcher, however simulate_all() leaves.
struct EndOfProgress {
  Progress* progress;
  ~EndOfProgress() {
    if (progress != nullptr) progress->end();
  }
};

/// A run that used twenty times the events its work accounts for (an upper estimate) is most
/// likely going round the same hand-offs without reaching its end: say so, and where it
/// stood, rather than only "make it smaller".
constexpr std::uint64_t kStuckFactor = 20;

/// The error of a run stopped by the limit of events: the limit, the estimate, how far the
/// run got (its simulated time and jobs finished), and why it may never have ended.
WorkLimitExceeded past_the_limit(const scenario::Scenario& s, const scenario::Run& run, const Engine& engine,
                                 const trace::TraceBuilder& builder, std::uint64_t max_events) {
  const std::uint64_t estimate = estimate_work(s, run).events;
  const auto& jobs = builder.peek().jobs;
  const auto ended = std::count_if(jobs.begin(), jobs.end(), [](const trace::Job& j) { return j.end != Time::max(); });
  std::string why;
  if (max_events / kStuckFactor >= std::max<std::uint64_t>(estimate, 1)) {
    why = " The run took far more events than its work accounts for: it looks stuck, its threads handing the GIL"
          " or a core back and forth without coming to the run's end.";
    if (s.costs.cross_spread == 0.0) {
      why += " With costs.cross_spread = 0 a thread can take the GIL back before its waiter on another core"
             " wakes, every time (docs/model.md G8d): give cross_spread a value above 0.";
    } else if (run.executor == scenario::Executor::ProcessPool) {
      why += " In a process pool the likeliest cycle is the parent's result handler losing every race for the"
             " parent's GIL to its worker handler, which loops while results wait in the result pipe and takes the"
             " GIL back after each of its system calls before the signalled result handler runs: the wake-ups and"
             " signals drawn (costs.cross_*, G8d) stay too close to their medians for the race to come out"
             " otherwise (docs/model.md P6, The read drains the pipe).";
    }
  }
  return WorkLimitExceeded(fmt::format(
      "run '{}' went past the limit of {} events of the model before its end (the estimate was {}), at {} of "
      "simulated time with {} of {} jobs finished; make the scenario smaller (fewer jobs or steps, a longer "
      "switch_interval) or raise the limit (gilsim run --max-events N).{}",
      run.name, max_events, estimate, engine.now(), ended, jobs.size(), why));
}

/// One run, with what the runs share made already.
trace::Trace simulate_planned(const scenario::Scenario& s, const scenario::Run& run, const SharedPlan& planned,
                              SimulationStats* stats, std::uint64_t max_events, Progress* progress = nullptr) {
  const scenario::JobPlan& jobs = planned.jobs;
  const scenario::EffectiveSettings settings = scenario::effective_settings(s, run);
  EngineConfig config;
  static_cast<scenario::EffectiveSettings&>(config) = settings;
  // The scheduler's races differ per run; the jobs' durations do not (the job plan).
  std::size_t run_index = 0;
  while (run_index < s.runs.size() && &s.runs[run_index] != &run) ++run_index;
  config.seed = s.seed * 0x9E37'79B9'7F4A'7C15ULL + run_index + 1;
  config.max_events = max_events;

  trace::TraceBuilder builder(run.name, std::string(scenario::to_string(run.executor)),
                              std::string(scenario::to_string(config.gil)), trace::Origin::Simulated,
                              config.cores, config.switch_interval);
  scenario::register_jobs(s, jobs, planned.traced, builder);
  Engine engine(config, builder);
  SharedState shared(s, engine);
  RunContext ctx{s, run, settings, engine, jobs, static_cast<int>(jobs.size()), shared};
  switch (run.executor) {
    case scenario::Executor::Sequential: start_sequential(ctx); break;
    case scenario::Executor::Threads: start_threads(ctx); break;
    case scenario::Executor::ThreadPool: start_thread_pool(ctx); break;
    case scenario::Executor::Asyncio: start_asyncio(ctx); break;
    case scenario::Executor::ProcessPool: start_process_pool(ctx); break;
    case scenario::Executor::Processes: start_processes(ctx); break;
    case scenario::Executor::ProcessPoolExecutor: start_process_pool_executor(ctx); break;
  }
  shared.add_lanes(0);  // after the main process's first lanes, before any thread is spawned
  const bool finished = run_watched(engine, builder, progress, run_index, max_events);
  if (stats != nullptr) {
    stats->events = engine.events_processed();
    stats->asides = engine.asides_run();
  }
  if (!finished) throw past_the_limit(s, run, engine, builder, max_events);

  Time end = Time::zero();
  for (const auto& job : builder.peek().jobs) {
    if (job.end != Time::max()) end = max(end, job.end);
  }
  end = max(end, engine.last_exit());
  if (const auto deadlock = shared.deadlock_at()) end = max(end, *deadlock);  // the run stopped there (L6)
  trace::Trace trace = builder.finish(end);
  trace.counters = shared.counters();
  return trace;
}

/// Every run of `s` against the viewer's limit at once: the largest over it named, the others
/// counted, as `gilsim run` says them (one at a time, the first in file order was named).
void check_runs(const scenario::Scenario& s) {
  std::vector<std::pair<const scenario::Scenario*, const scenario::Run*>> runs;
  for (const auto& run : s.runs) runs.emplace_back(&s, &run);
  check_work(runs, kDefaultMaxEvents, kTheViewersLimit);
}

/// Whether `run` of `s` uses a setting sized by the core count (what effective_settings()
/// derives from it besides the count itself) that differs between `before` cores and its
/// cores now: a pool's default size (T2, P2) and the chunksize made from it (P5, P9). Not
/// asyncio's default executor (A7): a thread of it would be a second thread lane, which
/// core_count_cannot_change() refuses, and its size is read only to start one.
bool sized_by_core_count(const scenario::Scenario& s, const scenario::Run& run, int before) {
  scenario::Run then = run;
  then.cores = before;
  const scenario::EffectiveSettings now = scenario::effective_settings(s, run);
  const scenario::EffectiveSettings was = scenario::effective_settings(s, then);
  const bool workers_read = run.executor != scenario::Executor::Asyncio;
  return (workers_read && now.workers != was.workers) || now.chunksize != was.chunksize;
}

/// Run `r` as simulated before, when `reused` holds it and every moved setting's rule keeps it
/// (reuse_of()): a copy of its trace, with the run's interval and core count now.
std::shared_ptr<trace::Trace> reusable(const scenario::Scenario& s, std::size_t r, const ReusedRuns* reused) {
  const Reuse reuse = reuse_of(s, r, reused);
  if (reuse == Reuse::None) return nullptr;
  const trace::Trace& before = *reused->runs[r];
  auto run = reuse == Reuse::AsIs ? std::make_shared<trace::Trace>(before)
                                  : std::make_shared<trace::Trace>(with_cores(before, scenario::effective_cores(s, s.runs[r])));
  run->switch_interval = scenario::effective_switch_interval(s, s.runs[r]);
  return run;
}

/// The lane `lane` of a run whose first `from` lanes are its cores is once the run has `to` cores.
constexpr std::uint32_t moved_lane(std::uint32_t lane, std::uint32_t from, std::uint32_t to) {
  return lane == trace::kNone || lane < from ? lane : lane - from + to;
}

/// Whether a mark of `kind` names a lane in its `other` field, and in its `value` (describe()).
bool other_is_lane(trace::MarkKind kind) {
  switch (kind) {
    case trace::MarkKind::GilRequest:
    case trace::MarkKind::DropRequest:
    case trace::MarkKind::ForcedSwitch:
    case trace::MarkKind::GilHandoff:
    case trace::MarkKind::Spawn:
    case trace::MarkKind::Preempt:
    case trace::MarkKind::LoopStall:
    case trace::MarkKind::Dispatch:
    case trace::MarkKind::LockWait:
    case trace::MarkKind::LockTaken:
    case trace::MarkKind::Deadlock: return true;
    case trace::MarkKind::JobStart:
    case trace::MarkKind::JobEnd:
    case trace::MarkKind::LostUpdate:
    case trace::MarkKind::RacesLost: return false;
  }
  return false;
}
bool value_is_lane(trace::MarkKind kind) { return kind == trace::MarkKind::LockWait || kind == trace::MarkKind::Deadlock; }

/// Run `r` simulated (or reused); a watcher gets its whole trace, shared rather than copied (a
/// copy of lesson 15's three runs is 15 MB: milliseconds and page faults on each run's thread).
std::shared_ptr<trace::Trace> simulate_answering(const scenario::Scenario& s, std::size_t r, const SharedPlan& planned,
                                                 Progress* progress, const ReusedRuns* reused) {
  if (reused != nullptr && reused->as_is_left_to_caller && reuse_of(s, r, reused) == Reuse::AsIs) {
    const trace::Trace& before = *reused->runs[r];
    auto stand_in = std::make_shared<trace::Trace>(before.described_alike());
    stand_in->end = before.end;
    stand_in->switch_interval = scenario::effective_switch_interval(s, s.runs[r]);
    // The run offered itself, owned by nobody here: the caller leaves it where it is until
    // simulate_all() returns (ReusedRuns), and Progress::answers() copies it.
    if (progress != nullptr) progress->answer(r, std::shared_ptr<const trace::Trace>(std::shared_ptr<const trace::Trace>(), &before));
    return stand_in;
  }
  std::shared_ptr<trace::Trace> whole = reusable(s, r, reused);
  if (!whole) {
    whole = std::make_shared<trace::Trace>(simulate_planned(s, s.runs[r], planned, nullptr, kDefaultMaxEvents, progress));
  }
  if (progress != nullptr) progress->answer(r, whole);
  return whole;
}

/// The runs' traces, every run ended: a watcher's shares given back (Progress::take_back).
std::vector<trace::Trace> taken_back(std::vector<std::shared_ptr<trace::Trace>> whole, Progress* progress) {
  if (progress != nullptr) progress->end();  // answers() gives nothing from here on
  std::vector<trace::Trace> traces;
  traces.reserve(whole.size());
  for (std::size_t r = 0; r < whole.size(); ++r) {
    traces.push_back(progress != nullptr ? progress->take_back(r, std::move(whole[r])) : std::move(*whole[r]));
  }
  return traces;
}

std::vector<trace::Trace> one_after_another(const scenario::Scenario& s, const SharedPlan& planned,
                                            Progress* progress = nullptr, const ReusedRuns* reused = nullptr) {
  if (progress != nullptr) progress->begin(s.runs.size());
  std::vector<std::shared_ptr<trace::Trace>> whole;
  whole.reserve(s.runs.size());
  for (std::size_t r = 0; r < s.runs.size(); ++r) whole.push_back(simulate_answering(s, r, planned, progress, reused));
  return taken_back(std::move(whole), progress);
}

}  // namespace

bool switch_interval_cannot_change(const trace::Trace& run) {
  if (run.origin != trace::Origin::Simulated || run.partial()) return false;
  bool waited = false;
  run.marks.for_each([&waited](std::size_t, const trace::Mark& m) {
    waited = waited || m.kind == trace::MarkKind::GilRequest || m.kind == trace::MarkKind::DropRequest ||
             m.kind == trace::MarkKind::ForcedSwitch;
  });
  return !waited;
}

bool core_count_cannot_change(const trace::Trace& run, int cores) {
  if (run.origin != trace::Origin::Simulated || run.partial() || cores < 1 || run.processes.size() != 1) return false;
  if (run.lanes.size() < static_cast<std::size_t>(run.cores)) return false;
  int threads = 0;
  int busy_core = -1;
  for (std::size_t l = 0; l < run.lanes.size(); ++l) {
    const trace::Lane& lane = run.lanes[l];
    const bool core_lane = l < static_cast<std::size_t>(run.cores);
    if (core_lane != (lane.kind == trace::LaneKind::Core)) return false;  // the engine's layout: its cores first
    if (core_lane && !lane.spans.empty()) {
      if (busy_core >= 0) return false;  // the thread ran on two cores
      busy_core = static_cast<int>(l);
    }
    if (lane.kind != trace::LaneKind::Thread) continue;
    if (++threads > 1) return false;
    bool waited_for_core = false;
    lane.spans.for_each([&waited_for_core](const trace::Span& span) {
      waited_for_core = waited_for_core || span.state == trace::SpanState::Runnable;
    });
    if (waited_for_core) return false;
  }
  if (threads != 1 || busy_core >= cores) return false;
  bool contended = false;
  run.marks.for_each([&contended](std::size_t, const trace::Mark& m) {
    contended = contended || m.kind == trace::MarkKind::GilRequest || m.kind == trace::MarkKind::DropRequest ||
                m.kind == trace::MarkKind::ForcedSwitch || m.kind == trace::MarkKind::Preempt ||
                m.kind == trace::MarkKind::RacesLost;
  });
  return !contended;
}

trace::Trace with_cores(const trace::Trace& run, int cores) {
  const auto from = static_cast<std::uint32_t>(run.cores);
  const auto to = static_cast<std::uint32_t>(cores);
  if (from == to) return run;
  trace::Trace out = run.described_alike();
  out.cores = cores;
  out.end = run.end;
  out.simulated_until = run.simulated_until;
  out.templates = run.templates;
  out.counters = run.counters;
  out.cpu_check = run.cpu_check;
  out.processes = run.processes;
  for (trace::Process& p : out.processes) p.gil_lane = moved_lane(p.gil_lane, from, to);
  out.jobs = run.jobs;
  for (trace::Job& job : out.jobs) job.lane = moved_lane(job.lane, from, to);
  out.lanes.reserve(run.lanes.size() - from + to);
  // Spans of core, GIL and lock lanes name a thread (or task) lane; thread and task lanes' a job.
  const auto copy_lane = [&](const trace::Lane& lane, std::string name) {
    trace::Lane& copy = out.lanes.emplace_back(trace::Lane{std::move(name), lane.kind, lane.process, {}});
    if (lane.kind == trace::LaneKind::Thread || lane.kind == trace::LaneKind::Task) {
      copy.spans = lane.spans;
      return;
    }
    copy.spans.reserve(lane.spans.size());
    lane.spans.for_each([&](trace::Span span) {
      span.subject = moved_lane(span.subject, from, to);
      copy.spans.push_back(span);
    });
  };
  for (std::uint32_t c = 0; c < to; ++c) {
    const std::string name = fmt::format("core {}", c);  // as TraceBuilder::add_cores names them
    if (c < from) {
      copy_lane(run.lanes[c], name);
    } else {
      out.lanes.push_back(trace::Lane{name, trace::LaneKind::Core, trace::kNone, {}});
    }
  }
  for (std::size_t l = from; l < run.lanes.size(); ++l) copy_lane(run.lanes[l], run.lanes[l].name);
  out.marks.reserve(run.marks.size());
  run.marks.for_each([&](std::size_t, trace::Mark m) {
    m.lane = moved_lane(m.lane, from, to);
    if (other_is_lane(m.kind)) m.other = moved_lane(m.other, from, to);
    if (value_is_lane(m.kind) && m.value >= 0 && m.value < trace::kNone) {
      m.value = moved_lane(static_cast<std::uint32_t>(m.value), from, to);
    }
    out.marks.push_back(m);
  });
  return out;
}

Reuse reuse_of(const scenario::Scenario& s, std::size_t r, const ReusedRuns* reused) {
  if (reused == nullptr || r >= reused->runs.size() || r >= s.runs.size() || reused->runs[r] == nullptr) return Reuse::None;
  const trace::Trace& before = *reused->runs[r];
  const scenario::Run& run = s.runs[r];
  if (before.run_name != run.name || before.origin != trace::Origin::Simulated || before.partial()) return Reuse::None;
  const int cores = scenario::effective_cores(s, run);
  // A setting the caller did not move is the same (ReusedRuns): else the run is simulated.
  if (!reused->cores_moved && before.cores != cores) return Reuse::None;
  if (!reused->switch_interval_moved && before.switch_interval != scenario::effective_switch_interval(s, run)) {
    return Reuse::None;
  }
  if (reused->switch_interval_moved && !switch_interval_cannot_change(before)) return Reuse::None;
  // A run with cores of its own (`cores` in its [[run]]) has them whatever the machine's: a
  // change of those leaves every setting of the run as it was (effective_settings()).
  if (!reused->cores_moved || (run.cores && before.cores == cores)) return Reuse::AsIs;
  if (!core_count_cannot_change(before, cores) || sized_by_core_count(s, run, before.cores)) return Reuse::None;
  return before.cores == cores ? Reuse::AsIs : Reuse::NewCoreCount;
}

trace::Trace simulate(const scenario::Scenario& s, const scenario::Run& run, SimulationStats* stats,
                      std::uint64_t max_events) {
  check_work({{&s, &run}}, max_events, kRaiseTheLimit);
  return simulate_planned(s, run, SharedPlan(s), stats, max_events);
}

std::vector<trace::Trace> simulate_all(const scenario::Scenario& s) {
  check_runs(s);  // before the plan: a scenario too large is refused before it is planned
  return one_after_another(s, SharedPlan(s));
}

std::vector<trace::Trace> simulate_all(const scenario::Scenario& s, unsigned threads,
                                       std::shared_ptr<const SharedPlan>* plan, Progress* progress,
                                       const ReusedRuns* reused) {
  const EndOfProgress ending{progress};
  std::shared_ptr<const SharedPlan> made;
  if (plan == nullptr) plan = &made;
  const auto planned = [&]() -> const SharedPlan& {
    if (!*plan) *plan = std::make_shared<const SharedPlan>(s);
    return **plan;
  };
  if (threads < 2 || s.runs.size() < 2) {
    check_runs(s);
    return one_after_another(s, planned(), progress, reused);
  }
  std::vector<std::pair<const scenario::Run*, WorkEstimate>> estimated;  // once: checked, then ordered by
  for (const scenario::Run& run : s.runs) estimated.emplace_back(&run, estimate_work(s, run));
  check_work(estimated, kDefaultMaxEvents, kTheViewersLimit);  // a reused run too, as if simulated
  std::vector<std::uint64_t> events(s.runs.size());
  for (std::size_t r = 0; r < s.runs.size(); ++r) {
    // A run offered for reuse starts last: it is only copied and indexed (a watcher's listener),
    // beside the runs simulated; one that turns out not reusable is simulated then.
    const bool offered = reused != nullptr && r < reused->runs.size() && reused->runs[r] != nullptr;
    events[r] = offered ? 0 : estimated[r].second.events;
  }
  std::vector<std::size_t> order(s.runs.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return events[a] > events[b]; });
  const SharedPlan& shared = planned();
  if (progress != nullptr) progress->begin(s.runs.size());
  std::vector<std::shared_ptr<trace::Trace>> whole(s.runs.size());
  std::vector<std::exception_ptr> errors(s.runs.size());
  std::atomic<std::size_t> next{0};
  const auto work = [&] {
    for (std::size_t i; (i = next.fetch_add(1)) < order.size();) {
      const std::size_t r = order[i];
      try {
        whole[r] = simulate_answering(s, r, shared, progress, reused);
      } catch (...) {
        errors[r] = std::current_exception();
      }
    }
  };
  {
    std::vector<std::jthread> beside;
    const std::size_t others = std::min<std::size_t>(threads, s.runs.size()) - 1;
    for (std::size_t i = 0; i < others; ++i) beside.emplace_back(work);
    work();
  }
  for (const auto& e : errors) {
    if (e) std::rethrow_exception(e);
  }
  return taken_back(std::move(whole), progress);
}

void Progress::ask() {
  {
    const std::lock_guard lock(mutex_);
    asking_ = true;
    for (std::size_t r = 0; r < latest_.size(); ++r) {
      answered_[r] = ended_[r];
      if (!ended_[r]) asked_[r].store(true, std::memory_order_relaxed);
    }
  }
  changed_.notify_all();  // runs held after their last answer
}

void Progress::hold_runs_between_answers() {
  const std::lock_guard lock(mutex_);
  hold_ = true;
}

void Progress::release() {
  {
    const std::lock_guard lock(mutex_);
    hold_ = false;
  }
  changed_.notify_all();
}

bool Progress::wait_for_answers(std::stop_token stop) {
  std::unique_lock lock(mutex_);
  const auto all_answered = [this] {
    return !latest_.empty() && std::find(answered_.begin(), answered_.end(), false) == answered_.end();
  };
  changed_.wait(lock, stop, [&] { return over_ || all_answered(); });
  return !over_ && !stop.stop_requested() && all_answered();
}

std::vector<trace::Trace> Progress::answers() const {
  const std::lock_guard lock(mutex_);
  std::vector<trace::Trace> out;
  if (over_ || std::find(latest_.begin(), latest_.end(), nullptr) != latest_.end()) return out;
  out.reserve(latest_.size());
  for (const auto& run : latest_) out.push_back(*run);
  return out;
}

void Progress::begin(std::size_t runs) {
  const std::lock_guard lock(mutex_);
  latest_.assign(runs, nullptr);
  answered_.assign(runs, false);
  ended_.assign(runs, false);
  asked_ = std::make_unique<std::atomic<bool>[]>(runs);
  for (std::size_t r = 0; r < runs; ++r) asked_[r].store(asking_, std::memory_order_relaxed);
}

void Progress::answer(std::size_t run, std::shared_ptr<const trace::Trace> trace) {
  const std::shared_ptr<const trace::Trace> kept = trace;  // for the listener, after it is stored
  {
    const std::lock_guard lock(mutex_);
    ended_[run] = !trace->partial();
    latest_[run] = std::move(trace);
    answered_[run] = true;
    asked_[run].store(false, std::memory_order_relaxed);
  }
  changed_.notify_all();
  if (listener_) listener_(run, *kept);
  if (!kept->partial()) return;
  std::unique_lock lock(mutex_);
  changed_.wait(lock, [&] { return !hold_ || asked_[run].load(std::memory_order_relaxed); });
}

trace::Trace Progress::take_back(std::size_t run, std::shared_ptr<trace::Trace> whole) {
  const std::lock_guard lock(mutex_);
  assert(over_ && "take_back() before end()");
  if (run < latest_.size() && latest_[run] == whole) latest_[run].reset();
  // answers() copies under the lock and the listener gets a reference: nobody else holds it.
  assert(whole.use_count() == 1);
  return std::move(*whole);
}

void Progress::end() {
  {
    const std::lock_guard lock(mutex_);
    over_ = true;
  }
  changed_.notify_all();
}

}  // namespace gilsim::model
