// A CPython recording that does not see a job's steps (lesson 15's `counter += one()`): the job
// drawn from its thread's CPU time where that says it ran throughout, and the tables printing
// '-' and saying what was seen instead of figures the recorder never saw.
#include <doctest/doctest.h>

#include <sstream>
#include <string>
#include <vector>

#include "../real/real_test_support.hpp"
#include "sim/cli/measured_runs.hpp"
#include "tests/lessons/record_each.hpp"
#include "sim/cli/scenario_report.hpp"
#include "sim/cpython/cpython_trace.hpp"
#include "sim/model/simulate.hpp"
#include "sim/scenario/loader.hpp"

using namespace gilsim;

namespace {

/// Two jobs each adding to `counter` 200 times with `counter += one()`, steps the recorder does
/// not see: some microseconds of work, far less than a gap.
constexpr std::string_view kUnsafe = R"(title = "Unsafe"
[counters]
counter = 0
[[job]]
name = "unsafe"
count = 2
steps = [ { repeat = 200, steps = [ { increment = "counter", call = "10ns" } ] } ]
[[run]]
executor = "threads"
[[run]]
executor = "sequential"
[[run]]
executor = "asyncio"
)";

/// T1's job from 1,000 to 3,000 ns, its thread on a CPU for 1,900 of them (a pause shorter than
/// the 250 ns gap); T2's from `second_begin` to 9,000 ns with 1,000 ns of CPU: it waited, when
/// the recording cannot tell. Every update kept.
std::string recording(std::int64_t second_begin = 5000, const std::string& first_cpu = " 1900") {
  return "gilsim-cpython-trace 1\npython 3.11.2 1\ncalibration 0 0\nrecording 50 250\nmachine 2 0.50 1000\n"
         "run 0 10000 7 7 2\n"
         "job 7.1 0 7 8 0 1000 3000" + first_cpu + "\n" +
         "job 7.2 0 7 9 0 " + std::to_string(second_begin) + " 9000 1000\n" +
         "counter counter 400\nend 10\n";
}

std::vector<std::tuple<std::int64_t, std::int64_t, trace::SpanState, bool>> spans_of(const trace::Trace& t,
                                                                                    std::string_view name) {
  std::vector<std::tuple<std::int64_t, std::int64_t, trace::SpanState, bool>> out;
  for (const auto& lane : t.lanes) {
    if (lane.name != name) continue;
    for (const auto& span : lane.spans) out.emplace_back(span.begin.ns(), span.end.ns(), span.state, span.step == trace::kNoStep);
  }
  return out;
}

}  // namespace

TEST_CASE("a job the recording saw no step of is drawn running only where its thread's CPU time says it ran throughout") {
  const auto s = scenario::load_string(kUnsafe, "15.toml");
  const auto r = cpython::parse_cpython_recording(recording(), "t.txt");
  REQUIRE(r.jobs.size() == 2);
  CHECK(r.jobs[0].cpu == 1900);
  const trace::Trace t = cpython::cpython_trace(s, s.runs[0], r);
  real::testing::check_invariants(t);
  using S = trace::SpanState;
  using Spans = std::vector<std::tuple<std::int64_t, std::int64_t, S, bool>>;
  CHECK(spans_of(t, "T1") == Spans{{1000, 3000, S::Running, true}});
  CHECK(spans_of(t, "T2").empty());  // 1,000 ns of CPU in 4,000: it waited, nobody knows when
  CHECK(spans_of(t, "GIL, inferred") == Spans{{1000, 3000, S::Held, true}});
  // Its thread was seen running, not its steps: the run is not scored, its figures not seen.
  const auto seen = cpython::jobs_seen(t);
  CHECK(seen.seen == Time::zero());
  CHECK(seen.unseen_jobs == 2);
  CHECK(cpython::figures_not_seen(t));

  SUBCASE("a recording without the CPU figure (an older one) draws nothing") {
    const auto old = cpython::parse_cpython_recording(recording(5000, ""), "t.txt");
    CHECK(old.jobs[0].cpu == -1);
    CHECK(spans_of(cpython::cpython_trace(s, s.runs[0], old), "T1").empty());
  }
  SUBCASE("CPU time short of the job's time by more than a gap: nothing drawn") {
    CHECK(spans_of(cpython::cpython_trace(s, s.runs[0], cpython::parse_cpython_recording(recording(5000, " 1700"), "t.txt")),
                   "T1")
              .empty());
  }
  SUBCASE("a negative CPU time is refused") {
    CHECK_THROWS_WITH(cpython::parse_cpython_recording(recording(5000, " -5"), "t.txt"),
                      "t.txt:7: a job's CPU time of -5 ns");
  }
}

TEST_CASE("figures the recorder did not see are '-' in both tables, and a kept counter says what was seen instead") {
  const auto s = scenario::load_string(kUnsafe, "15.toml");
  trace::Trace predicted = model::simulate(s, s.runs[0]);
  REQUIRE(predicted.counters.size() == 1);
  predicted.counters[0].final_value = predicted.counters[0].expected() - 2;  // the model lost 2
  const trace::Trace measured =
      cpython::cpython_trace(s, s.runs[0], cpython::parse_cpython_recording(recording(2000), "t.txt"));
  REQUIRE(cpython::figures_not_seen(measured));
  CHECK_FALSE(cpython::figures_not_seen(predicted));

  const std::string table = cli::render_run_table({&predicted, &measured}, 200);
  INFO(table);
  const auto row = table.find("threads, CPython 3.11 (measured)");
  REQUIRE(row != std::string::npos);
  const std::string line = table.substr(row, table.find('\n', row) - row);
  CHECK(line.find('%') == std::string::npos);  // no cores busy, no GIL held
  CHECK(line.find(" 0 s") == std::string::npos);
  std::vector<std::string> cells;
  std::istringstream words(line);
  for (std::string word; words >> word;) cells.push_back(word);
  REQUIRE(cells.size() >= 5);
  // cores busy, GIL held, GIL wait, switches, drop requests
  CHECK(std::vector<std::string>(cells.end() - 5, cells.end()) == std::vector<std::string>(5, "-"));
  CHECK(table.find("'-' for 'threads, CPython 3.11 (measured)': not seen.") != std::string::npos);

  const std::string compared = cli::render_prediction_table({&predicted}, {&measured}, {}, 200);
  INFO(compared);
  CHECK(compared.find(" / -  ") != std::string::npos);
  CHECK(compared.find(" / 0 ") == std::string::npos);
  CHECK(compared.find("/ 0 s") == std::string::npos);

  // Not "its GIL changed hands 0 times": how long the jobs ran together, which it did see.
  CHECK_FALSE(cli::kept_updates_note(predicted, measured));  // without the scenario, nothing to say
  const auto note = cli::kept_updates_note(predicted, measured, &s);
  REQUIRE(note);
  CHECK(note->find("changed hands") == std::string::npos);
  CHECK(note->starts_with("threads, CPython 3.11 (measured): kept every update of counter, where the model lost 2. "
                          "The recorder does not see `counter += ...` run"));
  CHECK(note->find("the 2 jobs that update counter ran at the same time for 1.00 us of the 8.00 us from the first's "
                   "start to the last's end (in the model, ") != std::string::npos);
  CHECK(note->find("`gilsim python 15.toml > program.py; python3 program.py`") != std::string::npos);
  const std::string report = cli::render_scenario_report(s, {&predicted, &measured}, cli::ReportOptions{1000, false, 16, {}, {}});
  CHECK(report.find(*note) != std::string::npos);
}

TEST_CASE("how long jobs ran at the same time") {
  const auto s = scenario::load_string(kUnsafe, "15.toml");
  const auto apart = cpython::cpython_trace(s, s.runs[0], cpython::parse_cpython_recording(recording(), "t.txt"));
  CHECK(cli::jobs_together(apart, {0, 1}) == std::pair{Time::zero(), Time{8000}});
  const auto overlapping = cpython::cpython_trace(s, s.runs[0], cpython::parse_cpython_recording(recording(2000), "t.txt"));
  CHECK(cli::jobs_together(overlapping, {0, 1}) == std::pair{Time{1000}, Time{8000}});
  CHECK(cli::jobs_together(overlapping, {0}) == std::pair{Time::zero(), Time{2000}});
  CHECK(cli::jobs_together(overlapping, {}) == std::pair{Time::zero(), Time::zero()});
}

TEST_CASE("the recorder notes each thread job's CPU time: a short job it saw no step of is drawn running") {
  // Any CPU time it notes covers a job of some microseconds.
  const auto s = scenario::load_string(kUnsafe, "15.toml");
  test::record_each(s, {"sequential", "asyncio"}, [&](const cpython::ProgramRun& r, const trace::Trace& recorded) {
    const trace::Trace* t = &recorded;
    REQUIRE(t->jobs.size() == 2);
    for (std::uint32_t j = 0; j < 2; ++j) {
      const trace::Job& job = t->jobs[j];
      std::vector<trace::Span> drawn;
      for (const auto& span : t->lanes[job.lane].spans) {
        if (span.subject == j && span.state == trace::SpanState::Running) drawn.push_back(span);
      }
      if (r.run->executor == scenario::Executor::Asyncio) {
        CHECK(drawn.empty());  // a task's thread runs other tasks while it awaits: no CPU time of its own
        continue;
      }
      REQUIRE(drawn.size() == 1);
      CHECK(drawn[0].begin == job.begin);
      CHECK(drawn[0].end == job.end);
      CHECK(drawn[0].step == trace::kNoStep);
    }
  });
}
