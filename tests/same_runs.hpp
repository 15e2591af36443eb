// Two lists of runs compared field by field: what tests check when two ways of simulating must
// give exactly the same runs. Every field of a Trace is compared (the run's settings, ends and
// CPU check, its processes, each lane's name, kind, process and spans, the marks, the job
// templates and their step labels, the jobs, the counters), so what describe() and the CSV
// exports make of a run is the same too. It stops at the first difference and says where it is
// and both values: "run 1 'threads', lane 4 'T2', span 1031: end 5200 ns vs 5300 ns". Cheaper
// than comparing the runs' CSV text by far: lesson 15's millions of spans are read, not printed.
#pragma once

#include <fmt/format.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "sim/trace/trace.hpp"

namespace gilsim::test {

/// Fields left out of a comparison, for a test that checks them apart.
struct Ignoring {
  bool switch_interval = false;  ///< runs the same under another switch interval
};

namespace same_runs_detail {

inline std::string shown(Time t) { return t == Time::max() ? "max" : fmt::format("{} ns", t.ns()); }
inline std::string shown(const std::string& s) { return fmt::format("'{}'", s); }
inline std::string shown(trace::LaneKind k) { return std::string(trace::to_string(k)); }
inline std::string shown(trace::SpanState s) { return std::string(trace::to_string(s)); }
inline std::string shown(trace::MarkKind k) { return std::string(trace::to_string(k)); }
inline std::string shown(trace::Origin o) { return std::string(trace::to_string(o)); }
inline std::string shown(bool b) { return b ? "true" : "false"; }
template <class Number>
std::string shown(Number n) {
  return fmt::format("{}", n);
}

/// The first difference found, with where it is; `where` is called only then (the spans'
/// loop makes no text while they agree).
class Differ {
 public:
  bool found() const { return !difference_.empty(); }
  const std::string& difference() const { return difference_; }

  template <class Where, class T>
  bool same(const Where& where, std::string_view field, const T& a, const T& b) {
    if (a == b) return true;
    difference_ = fmt::format("{}: {} {} vs {}", where(), field, shown(a), shown(b));
    return false;
  }

 private:
  std::string difference_;
};

inline void compare_spans(Differ& d, const std::string& lane_where, const trace::SpanStore& a, const trace::SpanStore& b) {
  auto ia = a.begin();
  auto ib = b.begin();
  for (std::size_t i = 0; i < a.size() && i < b.size(); ++i, ++ia, ++ib) {
    const trace::Span x = *ia;
    const trace::Span y = *ib;
    const auto where = [&] { return fmt::format("{}, span {}", lane_where, i); };
    if (!d.same(where, "begin", x.begin, y.begin) || !d.same(where, "end", x.end, y.end) ||
        !d.same(where, "state", x.state, y.state) || !d.same(where, "subject", x.subject, y.subject) ||
        !d.same(where, "step", x.step, y.step)) {
      return;
    }
  }
  d.same([&] { return lane_where; }, "spans", a.size(), b.size());
}

inline void compare_marks(Differ& d, const std::string& run_where, const trace::MarkStore& a, const trace::MarkStore& b) {
  auto ia = a.begin();
  auto ib = b.begin();
  for (std::size_t i = 0; i < a.size() && i < b.size(); ++i, ++ia, ++ib) {
    const trace::Mark x = *ia;
    const trace::Mark y = *ib;
    const std::int64_t x_value = x.value;
    const std::int64_t y_value = y.value;
    const auto where = [&] { return fmt::format("{}, mark {} ({})", run_where, i, trace::to_string(x.kind)); };
    if (!d.same(where, "at", x.at, y.at) || !d.same(where, "kind", x.kind, y.kind) ||
        !d.same(where, "lane", x.lane, y.lane) || !d.same(where, "other", x.other, y.other) ||
        !d.same(where, "value", x_value, y_value)) {
      return;
    }
  }
  d.same([&] { return run_where; }, "marks", a.size(), b.size());
}

inline void compare_cpu_checks(Differ& d, const std::string& run_where, const trace::CpuCheck& a, const trace::CpuCheck& b) {
  const auto where = [&] { return run_where + ", CPU check"; };
  d.same(where, "checked", a.checked, b.checked) && d.same(where, "load average", a.load_average, b.load_average) &&
      d.same(where, "cpus", a.cpus, b.cpus) && d.same(where, "needed", a.needed, b.needed) &&
      d.same(where, "got", a.got, b.got) && d.same(where, "machine cpus", a.machine_cpus, b.machine_cpus) &&
      d.same(where, "others runnable", a.others_runnable, b.others_runnable) &&
      d.same(where, "planned compute", a.planned_compute, b.planned_compute) &&
      d.same(where, "compute took", a.compute_took, b.compute_took);
}

inline void compare_templates(Differ& d, const std::string& run_where, const std::vector<trace::JobTemplate>& a,
                              const std::vector<trace::JobTemplate>& b) {
  for (std::size_t t = 0; t < a.size() && t < b.size(); ++t) {
    const auto where = [&] { return fmt::format("{}, template {} '{}'", run_where, t, a[t].name); };
    if (!d.same(where, "name", a[t].name, b[t].name)) return;
    const trace::StepLabels& x = a[t].step_labels;
    const trace::StepLabels& y = b[t].step_labels;
    for (std::size_t s = 0; s < x.size() && s < y.size(); ++s) {
      // Runs of one scenario share the labels: the same string, compared by its address first.
      if (&x[s] != &y[s] && !d.same([&] { return fmt::format("{}, step {}", where(), s); }, "label", x[s], y[s])) return;
    }
    if (!d.same(where, "steps", x.size(), y.size())) return;
  }
  d.same([&] { return run_where; }, "templates", a.size(), b.size());
}

inline void compare_jobs(Differ& d, const std::string& run_where, const std::vector<trace::Job>& a,
                         const std::vector<trace::Job>& b) {
  for (std::size_t j = 0; j < a.size() && j < b.size(); ++j) {
    const trace::Job& x = a[j];
    const trace::Job& y = b[j];
    const auto where = [&] { return fmt::format("{}, job {} '{}'", run_where, j, x.name); };
    if (!d.same(where, "name", x.name, y.name) || !d.same(where, "template", x.template_index, y.template_index) ||
        !d.same(where, "begin", x.begin, y.begin) || !d.same(where, "end", x.end, y.end) ||
        !d.same(where, "lane", x.lane, y.lane) ||
        !d.same(where, "step durations recorded", x.step_durations != nullptr, y.step_durations != nullptr)) {
      return;
    }
    if (x.step_durations == nullptr || x.step_durations == y.step_durations) continue;
    const std::vector<Time>& dx = *x.step_durations;
    const std::vector<Time>& dy = *y.step_durations;
    for (std::size_t s = 0; s < dx.size() && s < dy.size(); ++s) {
      if (!d.same([&] { return fmt::format("{}, step {}", where(), s); }, "duration", dx[s], dy[s])) return;
    }
    if (!d.same(where, "step durations", dx.size(), dy.size())) return;
  }
  d.same([&] { return run_where; }, "jobs", a.size(), b.size());
}

inline void compare_run(Differ& d, std::size_t r, const trace::Trace& a, const trace::Trace& b, Ignoring ignoring) {
  const std::string run_where = fmt::format("run {} '{}'", r, a.run_name);
  const auto where = [&] { return run_where; };
  if (!d.same(where, "name", a.run_name, b.run_name) || !d.same(where, "executor", a.executor, b.executor) ||
      !d.same(where, "GIL mode", a.gil_mode, b.gil_mode) || !d.same(where, "origin", a.origin, b.origin) ||
      !d.same(where, "measured by", a.measured_by, b.measured_by) || !d.same(where, "cores", a.cores, b.cores) ||
      (!ignoring.switch_interval && !d.same(where, "switch interval", a.switch_interval, b.switch_interval)) ||
      !d.same(where, "simulated until", a.simulated_until, b.simulated_until)) {
    return;
  }
  for (std::size_t p = 0; p < a.processes.size() && p < b.processes.size(); ++p) {
    const auto at = [&] { return fmt::format("{}, process {} '{}'", run_where, p, a.processes[p].name); };
    if (!d.same(at, "name", a.processes[p].name, b.processes[p].name) ||
        !d.same(at, "GIL lane", a.processes[p].gil_lane, b.processes[p].gil_lane)) {
      return;
    }
  }
  if (!d.same(where, "processes", a.processes.size(), b.processes.size())) return;
  // The lanes before the run's end and counts: the first span apart says more than they do.
  for (std::size_t l = 0; l < a.lanes.size() && l < b.lanes.size(); ++l) {
    const trace::Lane& x = a.lanes[l];
    const trace::Lane& y = b.lanes[l];
    const std::string lane_where = fmt::format("{}, lane {} '{}'", run_where, l, x.name);
    const auto at = [&] { return lane_where; };
    if (!d.same(at, "name", x.name, y.name) || !d.same(at, "kind", x.kind, y.kind) ||
        !d.same(at, "process", x.process, y.process)) {
      return;
    }
    compare_spans(d, lane_where, x.spans, y.spans);
    if (d.found()) return;
  }
  if (!d.same(where, "lanes", a.lanes.size(), b.lanes.size())) return;
  compare_marks(d, run_where, a.marks, b.marks);
  if (d.found()) return;
  compare_templates(d, run_where, a.templates, b.templates);
  if (d.found()) return;
  compare_jobs(d, run_where, a.jobs, b.jobs);
  if (d.found()) return;
  for (std::size_t c = 0; c < a.counters.size() && c < b.counters.size(); ++c) {
    const trace::Counter& x = a.counters[c];
    const trace::Counter& y = b.counters[c];
    const auto at = [&] { return fmt::format("{}, counter {} '{}'", run_where, c, x.name); };
    if (!d.same(at, "name", x.name, y.name) || !d.same(at, "initial", x.initial, y.initial) ||
        !d.same(at, "final value", x.final_value, y.final_value) || !d.same(at, "updates", x.updates, y.updates)) {
      return;
    }
  }
  if (!d.same(where, "counters", a.counters.size(), b.counters.size())) return;
  if (!d.same(where, "end", a.end, b.end)) return;
  compare_cpu_checks(d, run_where, a.cpu_check, b.cpu_check);
}

}  // namespace same_runs_detail

/// Where the two lists of runs first differ, empty when they are the same in every field:
/// `CHECK(test::first_difference(a, b) == "")` prints where they part on a failure.
inline std::string first_difference(const std::vector<trace::Trace>& a, const std::vector<trace::Trace>& b,
                                    Ignoring ignoring = {}) {
  same_runs_detail::Differ d;
  for (std::size_t r = 0; r < a.size() && r < b.size() && !d.found(); ++r) {
    same_runs_detail::compare_run(d, r, a[r], b[r], ignoring);
  }
  if (!d.found()) d.same([] { return std::string("the lists"); }, "runs", a.size(), b.size());
  return d.difference();
}

/// The same for one run of each side (named "run 0" in the difference).
inline std::string first_difference(const trace::Trace& a, const trace::Trace& b, Ignoring ignoring = {}) {
  same_runs_detail::Differ d;
  same_runs_detail::compare_run(d, 0, a, b, ignoring);
  return d.difference();
}

}  // namespace gilsim::test
