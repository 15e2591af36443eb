// A thread's or a task's row label, for the command line's text timeline and the viewer's
// lanes alike: the lane's name, with the job it ran when it ran only one ("T1 heartbeat",
// "task 1 heartbeat"), so both speak the scenario's words and still match the story's "T1".
#pragma once

#include <cstdint>
#include <string>

#include "sim/trace/trace.hpp"

namespace gilsim::trace {

/// `lane`'s label given `job`, the one job its spans ran (kNone: none, or several). Not named
/// where another lane ran it: a one-job pool's handler threads, whose spans pickle the job's
/// messages, read "task handler a" beside "worker 1 a".
inline std::string lane_label(const Trace& run, LaneId lane, std::uint32_t job) {
  const Lane& l = run.lanes[lane];
  if ((l.kind != LaneKind::Thread && l.kind != LaneKind::Task) || job >= run.jobs.size() ||
      (run.jobs[job].lane != kNone && run.jobs[job].lane != lane) || run.jobs[job].name == l.name) {
    return l.name;
  }
  return l.name + " " + run.jobs[job].name;
}

/// The one job `lane`'s spans ran, read span by span: kNone for none, or for several (a pool's
/// worker). For a reader that has not read the spans already (the viewer reads them once, for
/// more than this, and feeds lane_label the same way).
inline std::uint32_t one_job(const Trace& run, LaneId lane) {
  std::uint32_t job = kNone;
  bool several = false;
  run.lanes[lane].spans.for_each([&](const Span& s) {
    if (several || s.subject >= run.jobs.size() || s.subject == job) return;
    several = job != kNone;
    job = s.subject;
  });
  return several ? kNone : job;
}

}  // namespace gilsim::trace
