// The state-at-playhead query: binary searches over each lane's spans and the marks.
#include "viz/playhead_state.hpp"

#include <algorithm>
#include <optional>

#include <fmt/format.h>

#include "viz/handoff_links.hpp"
#include "viz/hit_test.hpp"
#include "viz/level_of_detail.hpp"

namespace gilsim::viz {

using trace::LaneKind;
using trace::MarkKind;
using trace::Span;
using trace::SpanState;

PlayheadIndex PlayheadIndex::build(const trace::Trace& trace, std::size_t gil_min_threads) {
  PlayheadIndex index;
  for (trace::LaneId l = 0; l < trace.lanes.size(); ++l) {
    const LaneKind kind = trace.lanes[l].kind;
    if (kind == LaneKind::Core || kind == LaneKind::Task) index.cores_and_tasks.push_back(l);
    if (kind == LaneKind::Lock) index.locks.push_back(l);
  }
  index.gil_waits = GilWaitIndex::build(trace, gil_min_threads);
  for (const trace::Job& j : trace.jobs) {
    index.job_begins.push_back(j.begin);
    index.job_ends.push_back(j.end);
  }
  trace.marks.for_each([&index](std::size_t, const trace::Mark& m) {  // the kind read first
    if (m.kind == MarkKind::Dispatch) {
      index.dispatches.push_back(m.at);
      index.jobs_sent.push_back((index.jobs_sent.empty() ? 0 : index.jobs_sent.back()) + m.value);
    }
  });
  std::sort(index.job_begins.begin(), index.job_begins.end());
  std::sort(index.job_ends.begin(), index.job_ends.end());
  return index;
}

namespace {

std::optional<Span> span_of(const trace::Lane& lane, Time t) {
  auto i = span_at(lane.spans, t);
  if (!i) return std::nullopt;
  return lane.spans[*i];
}

int count_at_or_before(const std::vector<Time>& sorted, Time t) {
  return static_cast<int>(std::upper_bound(sorted.begin(), sorted.end(), t) - sorted.begin());
}

/// How long the plan made the step of job span `s`, where the trace recorded it.
std::optional<Time> step_duration(const trace::Trace& trace, const Span& s) {
  if (s.subject >= trace.jobs.size() || s.step == trace::kNoStep) return std::nullopt;
  const auto& durations = trace.jobs[s.subject].step_durations;
  if (!durations || s.step >= durations->size()) return std::nullopt;
  return (*durations)[s.step];
}

std::string step_text(const trace::Trace& trace, const Span& s) {
  if (s.subject >= trace.jobs.size()) return std::string(trace::to_string(s.state));
  const trace::Job& job = trace.jobs[s.subject];
  if (s.step != trace::kNoStep && job.template_index < trace.templates.size()) {
    const auto& labels = trace.templates[job.template_index].step_labels;
    if (s.step < labels.size()) return labels[s.step];
  }
  return std::string(trace::to_string(s.state));
}

/// The drop request, if any, made to the current holder since it took the GIL.
void find_drop_request(const trace::Trace& trace, Time t, ProcessAtPlayhead& p) {
  auto it = std::upper_bound(trace.marks.begin(), trace.marks.end(), t,
                             [](Time v, const trace::Mark& m) { return v < m.at; });
  // Walk back to when the holder took the GIL; bounded, so a long hold cannot stall a frame.
  for (int looked = 0; it != trace.marks.begin() && looked < 100'000; ++looked) {
    --it;
    if (it->at < p.held_since) break;
    if (it->kind == MarkKind::DropRequest && it->other == p.holder) {
      p.drop_requested = true;
      p.drop_requester = it->lane;
      p.drop_requested_at = it->at;
      return;
    }
  }
}

}  // namespace

PlayheadState state_at(const trace::Trace& trace, const PlayheadIndex& index, Time t) {
  PlayheadState state;
  state.at = t;
  for (trace::ProcessId pid = 0; pid < trace.processes.size(); ++pid) {
    ProcessAtPlayhead p;
    p.process = pid;
    const trace::LaneId gil = trace.processes[pid].gil_lane;
    p.has_gil = gil < trace.lanes.size();
    if (p.has_gil) {
      if (const std::optional<Span> held = span_of(trace.lanes[gil], t); held && held->state == SpanState::Held) {
        p.holder = held->subject;
        p.held_since = held->begin;
        find_drop_request(trace, t, p);
      } else {
        const GilTaker next = next_gil_taker(trace, pid, t);
        p.next_holder = next.lane;
        p.next_held_at = next.at;
      }
    }
    state.processes.push_back(std::move(p));
  }

  // Locks: the holder from the lock's lane; a waiter from its WaitingLock span and its last
  // LockWait mark, which names the lock.
  std::vector<std::size_t> lock_of_lane(trace.lanes.size(), state.locks.size());
  for (const trace::LaneId l : index.locks) {
    LockAtPlayhead lock{l, trace::kNone, Time{}, {}};
    if (const std::optional<Span> held = span_of(trace.lanes[l], t); held && held->state == SpanState::Held) {
      lock.holder = held->subject;
      lock.held_since = held->begin;
    }
    lock_of_lane[l] = state.locks.size();
    state.locks.push_back(std::move(lock));
  }
  const auto last_mark = std::upper_bound(trace.marks.begin(), trace.marks.end(), t,
                                          [](Time at, const trace::Mark& m) { return at < m.at; });
  for (trace::LaneId l = 0; l < trace.lanes.size() && !state.locks.empty(); ++l) {
    const trace::Lane& lane = trace.lanes[l];
    if (lane.kind != LaneKind::Thread && lane.kind != LaneKind::Task) continue;
    const std::optional<Span> s = span_of(lane, t);
    if (!s || s->state != SpanState::WaitingLock) continue;
    // A wait woken by a release goes on in a span of its own until the thread takes the lock
    // (L3, L8): the wait began with the first of its spans.
    Time waiting_since = s->begin;
    std::optional<Span> asked_in = span_of(lane, waiting_since - Time{1});
    while (asked_in && asked_in->state == SpanState::WaitingLock) {
      waiting_since = asked_in->begin;
      asked_in = span_of(lane, waiting_since - Time{1});
    }
    // The mark comes when the thread asks (L2), which can be a step before its waiting span
    // begins: look back over the span before the wait too, not further (an older wait).
    const Time asked_after = asked_in ? asked_in->begin : waiting_since;
    for (auto m = last_mark; m != trace.marks.begin();) {
      --m;
      if (m->at < asked_after) break;
      if (m->kind != MarkKind::LockWait || m->lane != l) continue;
      if (m->other < lock_of_lane.size() && lock_of_lane[m->other] < state.locks.size()) {
        state.locks[lock_of_lane[m->other]].waiters.push_back(GilWaiter{l, waiting_since, t - waiting_since});
      }
      break;
    }
  }
  for (LockAtPlayhead& lock : state.locks) {
    std::stable_sort(lock.waiters.begin(), lock.waiters.end(),
                     [](const GilWaiter& a, const GilWaiter& b) { return a.since < b.since; });
  }

  std::vector<LoopAtPlayhead> loops(trace.processes.size());
  std::vector<bool> has_tasks(trace.processes.size(), false);
  for (const trace::LaneId l : index.cores_and_tasks) {
    const trace::Lane& lane = trace.lanes[l];
    const std::optional<Span> s = span_of(lane, t);
    if (lane.kind == LaneKind::Core) {
      CoreAtPlayhead core{l, trace::kNone, SpanState::Running};
      if (s) core.thread = s->subject, core.state = s->state;
      state.cores.push_back(core);
      continue;
    }
    if (lane.process >= trace.processes.size()) continue;
    if (lane.kind == LaneKind::Task) {
      LoopAtPlayhead& loop = loops[lane.process];
      has_tasks[lane.process] = true;
      if (!s) continue;
      TaskAtPlayhead task{l, s->begin, s->end, step_text(trace, *s)};
      const bool timer = s->state == SpanState::Sleeping ||
                         (s->state == SpanState::Awaiting && task.what.rfind("sleep", 0) == 0);
      if (s->state == SpanState::Ready) {
        loop.ready.push_back(std::move(task));
      } else if (timer) {
        // Due when its sleep is over; the span goes on until the loop runs the task, later
        // when the loop waits for the GIL (lesson 13).
        if (const std::optional<Time> length = step_duration(trace, *s)) task.until = s->begin + *length;
        loop.timers.push_back(std::move(task));
      } else if (s->state == SpanState::Awaiting) {
        loop.awaiting.push_back(std::move(task));
      } else if (s->state == SpanState::Running || s->state == SpanState::Stalled) {
        loop.running = l;
      }
    }
  }
  for (ProcessAtPlayhead& p : state.processes) {
    GilQueue queue = gil_queue_at(trace, index, p.process, t, kWaitersListed);
    p.waiters = std::move(queue.longest);
    p.waiting = queue.waiting;
  }
  const bool any_loop = std::find(has_tasks.begin(), has_tasks.end(), true) != has_tasks.end();
  for (trace::LaneId l = 0; l < trace.lanes.size() && any_loop; ++l) {
    const trace::Lane& lane = trace.lanes[l];
    if (lane.kind != LaneKind::Thread || lane.process >= loops.size() || !has_tasks[lane.process]) continue;
    if (lane.name != "event loop") continue;
    LoopAtPlayhead& loop = loops[lane.process];
    loop.thread = l;
    if (const std::optional<Span> s = span_of(lane, t)) loop.thread_state = s->state, loop.thread_since = s->begin;
  }
  for (trace::ProcessId pid = 0; pid < loops.size(); ++pid) {
    if (!has_tasks[pid]) continue;
    LoopAtPlayhead& loop = loops[pid];
    loop.process = pid;
    const auto by_since = [](const TaskAtPlayhead& a, const TaskAtPlayhead& b) { return a.since < b.since; };
    const auto by_until = [](const TaskAtPlayhead& a, const TaskAtPlayhead& b) { return a.until < b.until; };
    std::stable_sort(loop.ready.begin(), loop.ready.end(), by_since);
    std::stable_sort(loop.timers.begin(), loop.timers.end(), by_until);
    std::stable_sort(loop.awaiting.begin(), loop.awaiting.end(), by_until);
    state.loops.push_back(std::move(loop));
  }

  const int total = static_cast<int>(trace.jobs.size());
  const int started = count_at_or_before(index.job_begins, t);
  state.jobs.done = count_at_or_before(index.job_ends, t);
  state.jobs.running = started - state.jobs.done;
  state.jobs.waiting = total - started;
  state.jobs.chunks_sent = count_at_or_before(index.dispatches, t);
  state.jobs.chunks_unsent = static_cast<int>(index.dispatches.size()) - state.jobs.chunks_sent;
  if (state.jobs.chunks_sent > 0) {
    const auto sent = index.jobs_sent[static_cast<std::size_t>(state.jobs.chunks_sent - 1)];
    state.jobs.jobs_queued = std::max(0, static_cast<int>(sent) - started);
  }
  return state;
}

GilQueue gil_queue_at(const trace::Trace& trace, const PlayheadIndex& index, trace::ProcessId process, Time t,
                      std::size_t longest) {
  if (index.gil_waits.covers(process)) return index.gil_waits.at(process, t, longest);
  GilQueue queue;
  queue.longest = gil_waiters_at(trace, process, t);
  queue.waiting = queue.longest.size();
  if (queue.longest.size() > longest) queue.longest.resize(longest);
  return queue;
}

std::vector<GilWaiter> gil_waiters_at(const trace::Trace& trace, trace::ProcessId process, Time t) {
  std::vector<GilWaiter> waiters;
  for (trace::LaneId l = 0; l < trace.lanes.size(); ++l) {
    const trace::Lane& lane = trace.lanes[l];
    if (lane.kind != LaneKind::Thread || lane.process != process) continue;
    if (const std::optional<Span> s = span_of(lane, t); s && s->state == SpanState::WaitingGil) {
      waiters.push_back(GilWaiter{l, s->begin, t - s->begin});
    }
  }
  std::stable_sort(waiters.begin(), waiters.end(), [](const GilWaiter& a, const GilWaiter& b) { return a.since < b.since; });
  return waiters;
}

PlayheadState state_at_deadlock(const trace::Trace& trace, const PlayheadIndex& index) {
  PlayheadState state = state_at(trace, index, trace.end - Time{1});
  state.at = trace.end;
  const auto to_end = [&](std::vector<GilWaiter>& waiters) {
    for (GilWaiter& w : waiters) w.waited = trace.end - w.since;
  };
  for (ProcessAtPlayhead& p : state.processes) to_end(p.waiters);
  for (LockAtPlayhead& lock : state.locks) to_end(lock.waiters);
  const auto at_end = std::lower_bound(trace.marks.begin(), trace.marks.end(), trace.end,
                                       [](const trace::Mark& m, Time at) { return m.at < at; });
  for (auto m = at_end; m != trace.marks.end(); ++m) {
    if (m->kind != MarkKind::Deadlock) continue;
    const trace::LaneId waiter = m->lane;
    for (LockAtPlayhead& lock : state.locks) {
      const bool listed = std::any_of(lock.waiters.begin(), lock.waiters.end(),
                                      [&](const GilWaiter& w) { return w.lane == waiter; });
      if (lock.lock == m->other && !listed) lock.waiters.push_back(GilWaiter{waiter, trace.end, Time{}});
    }
    for (ProcessAtPlayhead& p : state.processes) {
      if (p.holder != waiter) continue;
      p.holder = trace::kNone;  // it dropped the GIL to wait (L2); nobody takes it after
      p.held_since = Time{};
      p.next_holder = trace::kNone;
      p.drop_requested = false;
      p.drop_requester = trace::kNone;
    }
    for (CoreAtPlayhead& core : state.cores) {
      if (core.thread == waiter) core = CoreAtPlayhead{core.core, trace::kNone, SpanState::Running};
    }
  }
  return state;
}

const char* lock_waiters_words(const trace::Trace& trace, const LockAtPlayhead& lock) {
  const bool tasks = std::all_of(lock.waiters.begin(), lock.waiters.end(), [&](const GilWaiter& w) {
    return w.lane < trace.lanes.size() && trace.lanes[w.lane].kind == trace::LaneKind::Task;
  });
  return tasks ? "waiting for the lock:" : "waiting, without the GIL:";
}

std::string loop_doing(const trace::Trace& run, const LoopAtPlayhead& loop, Time now) {
  if (loop.running != trace::kNone && loop.thread_state == trace::SpanState::Stalled) {
    // Lesson 04 said "running task 2" beside idle cores and a free GIL: the loop's thread
    // waits inside the call (A5), with neither.
    return fmt::format("stuck in {}'s blocking call, for {} (its thread waits there: no core, no GIL); every other "
                       "task waits",
                       run.lanes[loop.running].name, format_time(now - loop.thread_since));
  }
  if (loop.running != trace::kNone) return "running " + run.lanes[loop.running].name;
  if (loop.thread != trace::kNone && loop.thread_state == trace::SpanState::WaitingGil) {
    return fmt::format("running nothing: it waits for the GIL, for {}, to run what is due",
                       format_time(now - loop.thread_since));
  }
  return "running nothing";
}

namespace {

/// When the parent process last (un)pickled a job's result: its last one read back, for a pool.
Time last_unpickling_end(const trace::Trace& run) {
  Time last = Time::zero();
  for (const trace::Lane& lane : run.lanes) {
    if (lane.kind != trace::LaneKind::Thread || lane.process != 0) continue;
    for (std::size_t i = lane.spans.size(); i-- > 0;) {  // from the end: the last one is near it
      // A job's result: not the None that tells a worker to stop, pickled at the shutdown.
      if (lane.spans.state_at(i) == trace::SpanState::Pickling && lane.spans[i].subject != trace::kNone) {
        last = max(last, lane.spans[i].end);
        break;
      }
    }
  }
  return last;
}

}  // namespace

std::optional<std::string> pool_results_words(const trace::Trace& run, const JobsAtPlayhead& jobs, Time now) {
  if (jobs.waiting != 0 || jobs.running != 0 || jobs.done == 0 || now >= run.end ||
      (run.executor != "process_pool" && run.executor != "process_pool_executor")) {
    return std::nullopt;
  }
  // Lesson 17's pool reads "8 done" for 100 ms while its results still travel; after the
  // parent's last unpickling, what is left is the pool's shutdown (lesson 10's tail).
  const Time unpickled = last_unpickling_end(run);
  if (now < unpickled) {
    return fmt::format("results: every job has run; their results are still being pickled, sent and unpickled until {}",
                       format_time(unpickled));
  }
  return fmt::format("results: every one is back in the parent; the run ends at {}, once the pool has shut down (its "
                     "workers exit)",
                     format_time(run.end));
}

}  // namespace gilsim::viz
