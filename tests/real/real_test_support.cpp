// Helpers for the real executors' tests.
#include "real_test_support.hpp"

#include <algorithm>
#include <chrono>
#include <thread>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include <sched.h>
#include <unistd.h>

#include <doctest/doctest.h>

#include "sim/real/busy_loop.hpp"
#include "sim/real/cpu_check.hpp"
#include "sim/trace/trace_checks.hpp"

namespace gilsim::real::testing {

using scenario::Step;
using scenario::StepKind;
using trace::SpanState;

scenario::JobTemplate make_job(std::string name, int count, std::vector<Step> steps) {
  scenario::JobTemplate t;
  t.name = std::move(name);
  t.count = count;
  t.steps = std::move(steps);
  return t;
}

namespace {
Step step(StepKind k, Time t) { return Step{k, scenario::Duration::fixed(t), StepKind::Cpu}; }
}  // namespace

Step cpu(Time t) { return step(StepKind::Cpu, t); }
Step native(Time t) { return step(StepKind::Native, t); }
Step io(Time t) { return step(StepKind::Io, t); }
Step sleep(Time t) { return step(StepKind::Sleep, t); }
Step block(Time t) { return step(StepKind::Block, t); }
Step offload(StepKind work, Time t) { return Step{StepKind::Offload, scenario::Duration::fixed(t), work}; }

scenario::Scenario make_scenario(std::vector<scenario::JobTemplate> jobs, int cores) {
  scenario::Scenario s;
  s.title = "test";
  s.machine.cores = cores;
  s.jobs = std::move(jobs);
  s.source = "<test>";
  return s;
}

scenario::Run make_run(scenario::Executor e, std::string name) {
  scenario::Run r;
  r.name = std::move(name);
  r.executor = e;
  return r;
}

std::vector<const trace::Lane*> lanes_of(const trace::Trace& t, trace::LaneKind kind) {
  std::vector<const trace::Lane*> out;
  for (const auto& lane : t.lanes) {
    if (lane.kind == kind) out.push_back(&lane);
  }
  return out;
}

Time time_in(const trace::Trace& t, trace::LaneKind kind, SpanState state) {
  Time total;
  for (const auto* lane : lanes_of(t, kind)) {
    for (const auto& span : lane->spans) {
      if (span.state == state) total += span.duration();
    }
  }
  return total;
}

int count_marks(const trace::Trace& t, trace::MarkKind kind) {
  return static_cast<int>(std::count_if(t.marks.begin(), t.marks.end(),
                                        [kind](const trace::Mark& m) { return m.kind == kind; }));
}

Time overlap(const trace::Lane& a, const trace::Lane& b) {
  Time total;
  std::size_t j = 0;
  for (const auto& x : a.spans) {
    while (j < b.spans.size() && b.spans[j].end <= x.begin) ++j;
    for (std::size_t k = j; k < b.spans.size() && b.spans[k].begin < x.end; ++k) {
      total += min(x.end, b.spans[k].end) - max(x.begin, b.spans[k].begin);
    }
  }
  return total;
}

int most_at_once(const trace::Trace& t, trace::LaneKind kind, SpanState state) {
  std::vector<std::pair<Time, int>> edges;  // +1 as a span begins, -1 as it ends (ends first at a tie)
  for (const auto* lane : lanes_of(t, kind)) {
    for (const auto& span : lane->spans) {
      if (span.state != state) continue;
      edges.emplace_back(span.begin, 1);
      edges.emplace_back(span.end, -1);
    }
  }
  std::sort(edges.begin(), edges.end());
  int now = 0;
  int most = 0;
  for (const auto& [at, delta] : edges) most = std::max(most, now += delta);
  return most;
}

Pace::Pace() : before_(real::measure_iterations_per_ns()), pin_(before_) {}

double Pace::after() const {
  if (!after_) {
    after_ = real::measure_iterations_per_ns();
    load_average_ = real::take_cpu_snapshot().load_average;
  }
  return *after_;
}

Time Pace::least(Time work) const {
  const double fastest = std::max(before_, after());
  return Time{static_cast<std::int64_t>(0.25 * static_cast<double>(work.ns()) * before_ / fastest)};
}

std::string Pace::figures() const {
  std::ostringstream out;
  out.precision(3);
  const double a = after();
  out << "busy loop pace " << before_ << " iterations/ns before the runs (pinned for them), " << a
      << " after (x" << a / before_ << "); load average " << load_average_;
  return out.str();
}

double measure_parallelism() { return real::measure_free_cores(2, Time{60'000'000}); }

std::vector<int> child_pids_of_this_process() { return child_pids_of(static_cast<int>(getpid())); }

std::vector<int> child_pids_of(int parent) {
  std::vector<int> children;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator("/proc", ec)) {
    const std::string name = entry.path().filename().string();
    if (name.empty() || name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::ifstream stat(entry.path() / "stat");
    std::string text;
    std::getline(stat, text);
    // "pid (comm) state ppid ...": comm may hold spaces and parentheses.
    const auto close = text.rfind(')');
    if (close == std::string::npos) continue;
    std::istringstream rest(text.substr(close + 1));
    std::string state;
    int ppid = 0;
    rest >> state >> ppid;
    if (ppid == parent) children.push_back(std::stoi(name));
  }
  return children;
}

int first_allowed_cpu() {
  cpu_set_t all;
  CPU_ZERO(&all);
  sched_getaffinity(0, sizeof(all), &all);
  int first = 0;
  while (first < CPU_SETSIZE && !CPU_ISSET(first, &all)) ++first;
  return first;
}

int children_of_this_process() { return static_cast<int>(child_pids_of_this_process().size()); }

bool wait_for_children(int count) {
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::minutes(1);
  while (children_of_this_process() < count) {
    if (std::chrono::steady_clock::now() > give_up) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return true;
}

void check_invariants(const trace::Trace& t) {
  // The invariants every trace keeps, simulated or measured, then what a measured one adds.
  for (const std::string& problem : trace::check_invariants(t)) FAIL_CHECK(problem);
  CHECK(t.origin == trace::Origin::Measured);
  for (const auto& lane : t.lanes) {
    for (std::size_t i = 0; i < lane.spans.size(); ++i) {
      INFO("lane " << lane.name << " span " << i);
      CHECK(lane.spans[i].begin < lane.spans[i].end);
      if (i > 0) CHECK(lane.spans[i - 1].end <= lane.spans[i].begin);
    }
  }
  // Each thread's Running spans lie inside Held spans of its process's GIL, held by it.
  for (trace::LaneId id = 0; id < t.lanes.size(); ++id) {
    const auto& lane = t.lanes[id];
    if (lane.kind != trace::LaneKind::Thread || lane.process == trace::kNone) continue;
    const trace::LaneId gil = t.processes.at(lane.process).gil_lane;
    if (gil == trace::kNone) continue;
    const auto& held = t.lanes[gil].spans;
    for (const auto& span : lane.spans) {
      if (span.state != SpanState::Running && span.state != SpanState::Pickling) continue;
      auto it = std::upper_bound(held.begin(), held.end(), span.begin,
                                 [](Time at, const trace::Span& h) { return at < h.begin; });
      INFO("thread " << lane.name << " running at " << span.begin.ns() << " ns");
      REQUIRE(it != held.begin());
      --it;
      CHECK(it->subject == id);
      CHECK(it->begin <= span.begin);
      CHECK(span.end <= it->end);
    }
  }
  for (const auto& lane : lanes_of(t, trace::LaneKind::Gil)) {
    for (const auto& span : lane->spans) CHECK(span.state == SpanState::Held);
  }
  // Every job started and ended exactly once, in that order.
  std::map<std::uint32_t, int> starts, ends;
  for (const auto& m : t.marks) {
    if (m.kind == trace::MarkKind::JobStart) ++starts[m.other];
    if (m.kind == trace::MarkKind::JobEnd) ++ends[m.other];
  }
  for (std::uint32_t j = 0; j < t.jobs.size(); ++j) {
    INFO("job " << t.jobs[j].name);
    CHECK(starts[j] == 1);
    CHECK(ends[j] == 1);
    CHECK(t.jobs[j].begin <= t.jobs[j].end);
    CHECK(t.jobs[j].end <= t.end);
    CHECK(t.jobs[j].lane != trace::kNone);
  }
  for (std::size_t i = 1; i < t.marks.size(); ++i) CHECK(t.marks[i - 1].at <= t.marks[i].at);
}

}  // namespace gilsim::real::testing
