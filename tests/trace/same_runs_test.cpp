// The tests' comparison of runs (tests/same_runs.hpp) finds a difference in each kind of field
// and says where it is: a run, a lane, a span or mark by index, the field and both values.
#include <doctest/doctest.h>

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "sim/trace/trace_builder.hpp"
#include "tests/same_runs.hpp"

using namespace gilsim;
using namespace gilsim::literals;
using namespace gilsim::trace;

namespace {

// One core, one GIL, T1 runs 1.5 ms then waits while T2 runs; a drop request, a forced switch,
// the jobs' starts and ends, a counter.
Trace small_run() {
  TraceBuilder b("threads", "threads", "new", Origin::Simulated, 1, 5_ms);
  b.add_cores(1);
  const auto p = b.add_process("main", true);
  const auto gil = b.gil_lane(p);
  const auto core = b.core_lane(0);
  const auto t1 = b.add_lane("T1", LaneKind::Thread, p);
  const auto t2 = b.add_lane("T2", LaneKind::Thread, p);
  const auto tpl = b.add_template("parse", {"cpu 2 ms"});
  const auto j0 = b.add_job("parse 1", tpl);
  const auto j1 = b.add_job("parse 2", tpl);
  b.job_started(j0, t1, 0_ms);
  b.job_started(j1, t2, 0_ms);
  b.set_state(t1, 0_ms, SpanState::Running, j0, 0);
  b.set_state(core, 0_ms, SpanState::Running, t1);
  b.set_state(gil, 0_ms, SpanState::Held, t1);
  b.set_state(t2, 0_ms, SpanState::WaitingGil, j1, 0);
  b.mark(1500_us, MarkKind::DropRequest, t2, t1, (1500_us).ns());
  b.mark(1500_us, MarkKind::ForcedSwitch, t1, t2, (1500_us).ns());
  b.set_state(t1, 1500_us, SpanState::WaitingGil, j0, 0);
  b.set_state(t2, 1500_us, SpanState::Running, j1, 0);
  b.set_state(core, 1500_us, SpanState::Running, t2);
  b.set_state(gil, 1500_us, SpanState::Held, t2);
  b.job_finished(j1, 3_ms);
  Trace t = b.finish(3_ms);
  t.jobs[0].step_durations = std::make_shared<const std::vector<Time>>(std::vector<Time>{2_ms});
  t.jobs[1].step_durations = t.jobs[0].step_durations;
  t.counters.push_back({"hits", 0, 7, 9});
  return t;
}

/// `lane`'s spans with span `i` changed by `change`.
void change_span(Trace& t, std::size_t lane, std::size_t i, const std::function<void(Span&)>& change) {
  SpanStore spans;
  for (std::size_t k = 0; k < t.lanes[lane].spans.size(); ++k) {
    Span s = t.lanes[lane].spans[k];
    if (k == i) change(s);
    spans.push_back(s);
  }
  t.lanes[lane].spans = std::move(spans);
}

void change_mark(Trace& t, std::size_t i, const std::function<void(Mark&)>& change) {
  MarkStore marks;
  for (std::size_t k = 0; k < t.marks.size(); ++k) {
    Mark m = t.marks[k];
    if (k == i) change(m);
    marks.push_back(m);
  }
  t.marks = std::move(marks);
}

std::size_t lane_named(const Trace& t, const std::string& name) {
  for (std::size_t l = 0; l < t.lanes.size(); ++l) {
    if (t.lanes[l].name == name) return l;
  }
  FAIL("no lane " << name);
  return 0;
}

}  // namespace

TEST_CASE("runs the same in every field show no difference, one run or lists of them") {
  const Trace a = small_run();
  const Trace b = small_run();  // made again: its own step labels and durations, equal
  CHECK(test::first_difference(a, a) == "");
  CHECK(test::first_difference(a, b) == "");
  CHECK(test::first_difference(std::vector<Trace>{a, b}, std::vector<Trace>{b, a}) == "");
  CHECK(test::first_difference(std::vector<Trace>{}, std::vector<Trace>{}) == "");
}

TEST_CASE("each kind of field changed once is found, and said where, with both values") {
  const Trace a = small_run();
  const std::size_t t1 = lane_named(a, "T1");
  REQUIRE(a.lanes[t1].spans.size() == 2);
  REQUIRE(a.marks.size() >= 4);
  struct Case {
    const char* what;
    std::function<void(Trace&)> change;
    std::string expected;
  };
  const std::string run = "run 0 'threads'";
  const std::string lane = fmt::format("{}, lane {} 'T1'", run, t1);
  const std::vector<Case> cases{
      {"the run's name", [](Trace& t) { t.run_name = "pool"; }, run + ": name 'threads' vs 'pool'"},
      {"its executor", [](Trace& t) { t.executor = "asyncio"; }, run + ": executor 'threads' vs 'asyncio'"},
      {"its GIL mode", [](Trace& t) { t.gil_mode = "old"; }, run + ": GIL mode 'new' vs 'old'"},
      {"its origin", [](Trace& t) { t.origin = Origin::Measured; }, run + ": origin simulated vs measured"},
      {"who measured it", [](Trace& t) { t.measured_by = "CPython 3.11"; }, run + ": measured by '' vs 'CPython 3.11'"},
      {"its cores", [](Trace& t) { t.cores = 2; }, run + ": cores 1 vs 2"},
      {"its switch interval", [](Trace& t) { t.switch_interval = 1_ms; }, run + ": switch interval 5000000 ns vs 1000000 ns"},
      {"its end", [](Trace& t) { t.end = 4_ms; }, run + ": end 3000000 ns vs 4000000 ns"},
      {"partial", [](Trace& t) { t.simulated_until = 2_ms; }, run + ": simulated until max vs 2000000 ns"},
      {"a process's name", [](Trace& t) { t.processes[0].name = "worker 1"; }, run + ", process 0 'main': name 'main' vs 'worker 1'"},
      {"a process's GIL", [](Trace& t) { t.processes[0].gil_lane = kNone; },
       fmt::format("{}, process 0 'main': GIL lane {} vs {}", run, a.processes[0].gil_lane, kNone)},
      {"a lane's name", [t1](Trace& t) { t.lanes[t1].name = "T9"; }, lane + ": name 'T1' vs 'T9'"},
      {"a lane's kind", [t1](Trace& t) { t.lanes[t1].kind = LaneKind::Task; }, lane + ": kind thread vs task"},
      {"a lane's process", [t1](Trace& t) { t.lanes[t1].process = 1; }, lane + ": process 0 vs 1"},
      {"a lane more", [](Trace& t) { t.lanes.push_back(Lane{"T3", LaneKind::Thread, 0, {}}); },
       fmt::format("{}: lanes {} vs {}", run, a.lanes.size(), a.lanes.size() + 1)},
      {"a span's begin", [t1](Trace& t) { change_span(t, t1, 1, [](Span& s) { s.begin = 1600_us; }); },
       lane + ", span 1: begin 1500000 ns vs 1600000 ns"},
      {"a span's end", [t1](Trace& t) { change_span(t, t1, 1, [](Span& s) { s.end = 2_ms; }); },
       lane + ", span 1: end 3000000 ns vs 2000000 ns"},
      {"a span's state", [t1](Trace& t) { change_span(t, t1, 0, [](Span& s) { s.state = SpanState::Native; }); },
       lane + ", span 0: state running vs native"},
      {"a span's subject", [t1](Trace& t) { change_span(t, t1, 0, [](Span& s) { s.subject = 1; }); },
       lane + ", span 0: subject 0 vs 1"},
      {"a span's step", [t1](Trace& t) { change_span(t, t1, 0, [](Span& s) { s.step = kNoStep; }); },
       fmt::format("{}, span 0: step 0 vs {}", lane, kNoStep)},
      {"a span more", [t1](Trace& t) { t.lanes[t1].spans.push_back(Span{3_ms, 4_ms, 0, 0, SpanState::Running}); },
       lane + ": spans 2 vs 3"},
      {"a mark's time", [](Trace& t) { change_mark(t, 2, [](Mark& m) { m.at = 1600_us; }); },
       fmt::format("{}, mark 2 ({}): at 1500000 ns vs 1600000 ns", run, to_string(a.marks[2].kind))},
      {"a mark's kind", [](Trace& t) { change_mark(t, 0, [](Mark& m) { m.kind = MarkKind::Spawn; }); },
       fmt::format("{}, mark 0 (job start): kind job start vs spawn", run)},
      {"a mark's lane", [](Trace& t) { change_mark(t, 0, [](Mark& m) { m.lane = 7; }); },
       fmt::format("{}, mark 0 (job start): lane {} vs 7", run, a.marks[0].lane)},
      {"a mark's other", [](Trace& t) { change_mark(t, 0, [](Mark& m) { m.other = 1; }); },
       fmt::format("{}, mark 0 (job start): other 0 vs 1", run)},
      {"a mark's value", [](Trace& t) { change_mark(t, 2, [](Mark& m) { m.value = 5; }); },
       fmt::format("{}, mark 2 ({}): value {} vs 5", run, to_string(a.marks[2].kind), a.marks[2].value)},
      {"a mark more", [](Trace& t) { t.marks.push_back(Mark{4_ms, 0, 0, 0, MarkKind::JobEnd}); },
       fmt::format("{}: marks {} vs {}", run, a.marks.size(), a.marks.size() + 1)},
      {"a template's name", [](Trace& t) { t.templates[0].name = "crunch"; }, run + ", template 0 'parse': name 'parse' vs 'crunch'"},
      {"a step's label", [](Trace& t) { t.templates[0].step_labels = StepLabels{"io 2 ms"}; },
       run + ", template 0 'parse', step 0: label 'cpu 2 ms' vs 'io 2 ms'"},
      {"a template's steps", [](Trace& t) { t.templates[0].step_labels = StepLabels{"cpu 2 ms", "io 1 ms"}; },
       run + ", template 0 'parse': steps 1 vs 2"},
      {"a job's name", [](Trace& t) { t.jobs[1].name = "parse 3"; }, run + ", job 1 'parse 2': name 'parse 2' vs 'parse 3'"},
      {"a job's template", [](Trace& t) { t.jobs[1].template_index = 1; }, run + ", job 1 'parse 2': template 0 vs 1"},
      {"a job's begin", [](Trace& t) { t.jobs[1].begin = 1_ms; }, run + ", job 1 'parse 2': begin 0 ns vs 1000000 ns"},
      {"a job's end", [](Trace& t) { t.jobs[1].end = 2_ms; }, run + ", job 1 'parse 2': end 3000000 ns vs 2000000 ns"},
      {"a job's end, unfinished", [](Trace& t) { t.jobs[0].end = 2_ms; }, run + ", job 0 'parse 1': end max vs 2000000 ns"},
      {"a job's lane", [](Trace& t) { t.jobs[1].lane = 0; },
       fmt::format("{}, job 1 'parse 2': lane {} vs 0", run, a.jobs[1].lane)},
      {"a job's step durations", [](Trace& t) { t.jobs[1].step_durations = nullptr; },
       run + ", job 1 'parse 2': step durations recorded true vs false"},
      {"a step's duration",
       [](Trace& t) { t.jobs[1].step_durations = std::make_shared<const std::vector<Time>>(std::vector<Time>{3_ms}); },
       run + ", job 1 'parse 2', step 0: duration 2000000 ns vs 3000000 ns"},
      {"a job more", [](Trace& t) { t.jobs.push_back(t.jobs[0]); }, run + ": jobs 2 vs 3"},
      {"a counter's name", [](Trace& t) { t.counters[0].name = "misses"; }, run + ", counter 0 'hits': name 'hits' vs 'misses'"},
      {"a counter's start", [](Trace& t) { t.counters[0].initial = 1; }, run + ", counter 0 'hits': initial 0 vs 1"},
      {"a counter's value", [](Trace& t) { t.counters[0].final_value = 8; }, run + ", counter 0 'hits': final value 7 vs 8"},
      {"a counter's updates", [](Trace& t) { t.counters[0].updates = 8; }, run + ", counter 0 'hits': updates 9 vs 8"},
      {"a counter fewer", [](Trace& t) { t.counters.clear(); }, run + ": counters 1 vs 0"},
      {"the CPU check", [](Trace& t) { t.cpu_check.got = 1_ms; }, run + ", CPU check: got 0 ns vs 1000000 ns"},
      {"the load", [](Trace& t) { t.cpu_check.load_average = 1.5; }, run + ", CPU check: load average 0 vs 1.5"},
  };
  for (const Case& c : cases) {
    CAPTURE(c.what);
    Trace b = a;
    c.change(b);
    CHECK(test::first_difference(a, b) == c.expected);
  }
}

TEST_CASE("the first difference is the one reported, and a list says which run") {
  const Trace a = small_run();
  Trace b = a;
  const std::size_t t1 = lane_named(a, "T1");
  change_span(b, t1, 1, [](Span& s) { s.end = 2_ms; });
  b.end = 2_ms;  // checked after the spans: the span says more
  Trace other = a;
  other.run_name = "other";
  CHECK(test::first_difference(std::vector<Trace>{other, a}, std::vector<Trace>{other, b}) ==
        fmt::format("run 1 'threads', lane {} 'T1', span 1: end 3000000 ns vs 2000000 ns", t1));
  CHECK(test::first_difference(std::vector<Trace>{a}, std::vector<Trace>{a, a}) == "the lists: runs 1 vs 2");
}

TEST_CASE("a switch interval left out is not a difference; anything else still is") {
  const Trace a = small_run();
  Trace b = a;
  b.switch_interval = 1_ms;
  CHECK(test::first_difference(a, b) != "");
  CHECK(test::first_difference(a, b, {.switch_interval = true}) == "");
  b.cores = 2;
  CHECK(test::first_difference(a, b, {.switch_interval = true}) == "run 0 'threads': cores 1 vs 2");
}
