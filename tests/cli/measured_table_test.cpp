// The tables of `gilsim run --real` / `--cpython` and `gilsim sweep --seeds` say one thing one
// way: a measured run's speedup divides a measured run, a marker never hides an error within
// the tolerance, counts are grouped, a spread has its value's precision.
#include <algorithm>
#include <string>
#include <tuple>
#include <vector>

#include <doctest/doctest.h>

#include "sim/cli/measured_runs.hpp"
#include "sim/cli/scenario_report.hpp"
#include "sim/cli/sweep_report.hpp"
#include "sim/scenario/effective_settings.hpp"
#include "sim/scenario/loader.hpp"
#include "sim/trace/metrics.hpp"
#include "sim/trace/trace_builder.hpp"
#include "tests/cli/report_fixtures.hpp"
#include "tests/text_files.hpp"

using namespace gilsim;
using namespace gilsim::literals;
using namespace gilsim::trace;
using namespace gilsim::cli;
using gilsim::testing::cells;
using gilsim::testing::one_thread;
using gilsim::testing::lines_of;

namespace {

Trace measured(Trace t, std::string measured_by = "") {
  t.origin = Origin::Measured;
  t.measured_by = std::move(measured_by);
  return t;
}

/// Two threads on `cores` cores handing one GIL back and forth `hand_offs` times, 1 ms apart.
Trace handing_over(const std::string& name, const std::string& gil, int cores, int hand_offs) {
  TraceBuilder b(name, "threads", gil, Origin::Simulated, cores, 5_ms);
  b.add_cores(cores);
  const auto p = b.add_process("main", true);
  const auto t1 = b.add_lane("T1", LaneKind::Thread, p);
  const auto t2 = b.add_lane("T2", LaneKind::Thread, p);
  for (int i = 0; i <= hand_offs; ++i) b.set_state(b.gil_lane(p), Time{i * 1'000'000LL}, SpanState::Held, i % 2 ? t2 : t1);
  return b.finish(Time{(hand_offs + 1) * 1'000'000LL});
}

/// The speedup cell of the row whose name starts `run` (the fourth column, after
/// run, executor and makespan, each two or more spaces apart).
std::string speedup_of(const std::string& table, const std::string& run) {
  for (const std::string& line : lines_of(table)) {
    if (!line.starts_with(run + "  ")) continue;
    return cells(line).at(3);
  }
  return "no row " + run;
}

std::size_t count_of(const std::string& text, const std::string& part) {
  std::size_t n = 0;
  for (std::size_t at = text.find(part); at != std::string::npos; at = text.find(part, at + 1)) ++n;
  return n;
}

/// The text with its wrapped lines joined again, to find a sentence whatever the width.
std::string as_prose(std::string text) {
  std::replace(text.begin(), text.end(), '\n', ' ');
  std::string out;
  for (char c : text) {
    if (c == ' ' && !out.empty() && out.back() == ' ') continue;
    out += c;
  }
  return out;
}

}  // namespace

TEST_CASE("a measured run's speedup divides the first run measured the same way, never a prediction") {
  // Lesson 1 for real: sequential predicted 1.000 s, measured 1.601 s; threads measured 2.317 s.
  const Trace seq = one_thread("sequential", 1000_ms);
  const Trace seq_measured = measured(one_thread("sequential", 1601_ms));
  const Trace pool = one_thread("pool", 500_ms);
  const Trace pool_measured = measured(one_thread("pool", 800_ms));
  const std::string table = render_run_table({&seq, &seq_measured, &pool, &pool_measured}, 200);
  CHECK(speedup_of(table, "sequential ") == "1.00x");
  CHECK(speedup_of(table, "sequential (measured)") == "1.00x");  // not 1.000 / 1.601 = 0.62x
  CHECK(speedup_of(table, "pool ") == "2.00x");
  CHECK(speedup_of(table, "pool (measured)") == "2.00x");  // 1.601 / 0.800, not 1.000 / 0.800
  CHECK(as_prose(table).find("speedup: against 'sequential', and a measured run's against 'sequential (measured)': "
                             "measured against measured.") != std::string::npos);

  SUBCASE("predictions alone, or measured runs alone, say nothing of it") {
    CHECK(render_run_table({&seq, &pool}, 200).find("measured against measured") == std::string::npos);
    const std::string alone = render_run_table({&seq_measured, &pool_measured}, 200);
    CHECK(speedup_of(alone, "pool (measured)") == "2.00x");
    CHECK(alone.find("measured against measured") == std::string::npos);
    CHECK(alone.find("speedup: against 'sequential (measured)', the first run") != std::string::npos);
  }
  SUBCASE("the first run not measured: '-', and a line says why") {
    const std::string without = render_run_table({&seq, &pool, &pool_measured}, 200);
    CHECK(speedup_of(without, "pool (measured)") == "-");
    CHECK(speedup_of(without, "pool ") == "2.00x");
    CHECK(as_prose(without).find("speedup: against 'sequential'; a measured run only against a measured run, and "
                                 "'sequential' was not measured here, so the measured runs show '-'.") !=
          std::string::npos);
  }
  SUBCASE("the line goes with the column, when the width leaves it out") {
    const std::string narrow = render_run_table({&seq, &seq_measured, &pool, &pool_measured}, 32);
    CHECK(lines_of(narrow)[0].find("speedup") == std::string::npos);
    CHECK(narrow.find("speedup:") == std::string::npos);
  }
}

TEST_CASE("speedup_baseline: like with like, for the command line and the viewer alike") {
  const Trace seq = one_thread("sequential", 1000_ms);
  const Trace seq_real = measured(one_thread("sequential", 1100_ms));
  const Trace seq_cpython = measured(one_thread("sequential", 1200_ms), "CPython 3.11");
  const Trace pool = one_thread("pool", 500_ms);
  const Trace pool_real = measured(one_thread("pool", 600_ms));
  const Trace pool_cpython = measured(one_thread("pool", 700_ms), "CPython 3.11");
  const Trace pool_other = measured(one_thread("pool", 700_ms), "CPython 3.13");
  const std::vector<const Trace*> runs{&seq, &seq_real, &seq_cpython, &pool, &pool_real, &pool_cpython, &pool_other};
  CHECK(speedup_baseline(runs, 0) == 0u);
  CHECK(speedup_baseline(runs, 3) == 0u);
  CHECK(speedup_baseline(runs, 1) == 1u);
  CHECK(speedup_baseline(runs, 4) == 1u);  // the real executor's against its own
  CHECK(speedup_baseline(runs, 5) == 2u);  // CPython's against CPython's
  CHECK(speedup_baseline(runs, 6) == std::nullopt);  // no sequential run in that CPython
  // Measured runs alone: the first measured the same way.
  CHECK(speedup_baseline({&pool_real, &seq_real}, 1) == 0u);
}

TEST_CASE("a speed-up dividing by a measured run that is not scored is marked, and the line under the table says why") {
  const Trace seq = one_thread("sequential", 1000_ms);
  Trace seq_cpython = measured(one_thread("sequential", 1200_ms), "CPython 3.11");
  const Trace pool = one_thread("pool", 500_ms);
  Trace pool_cpython = measured(one_thread("pool", 600_ms), "CPython 3.11");
  const std::vector<const Trace*> runs{&seq, &seq_cpython, &pool, &pool_cpython};
  SUBCASE("a scored baseline: no mark") {
    const std::string table = render_run_table(runs, 1000);
    CHECK(cells(lines_of(table)[5])[3] == "2.00x");
    CHECK(table.find("not scored") == std::string::npos);
  }
  SUBCASE("a baseline whose CPU ran 25% slower than calibrated, its error outside the tolerance") {
    seq_cpython.cpu_check.planned_compute = 1000_ms;
    seq_cpython.cpu_check.compute_took = 1250_ms;
    const std::string table = render_run_table(runs, 1000);
    const auto lines = lines_of(table);
    CHECK(cells(lines[3])[3] == "1.00x");  // the baseline itself divides nothing doubtful
    CHECK(cells(lines[5])[3] == "2.00x?");
    CHECK(cells(lines[4])[3] == "2.00x");  // predictions divide by the prediction
    CHECK(count_of(table, "? marks a speed-up that divides by 'sequential, CPython 3.11 (measured)', which is not "
                          "scored (its CPU ran 25% slower than calibrated): not a figure to teach from.") == 1);
    // -16.7% against its prediction: the comparison table says "off pace*", so its own row
    // is marked too, by the same rule (real::judge).
    CHECK(cells(lines[3])[2] == "1.200 s!");
    CHECK(count_of(as_prose(table), "! marks a measured run that is not scored, so that neither its time nor its "
                                    "speed-up is a figure to teach from (the lines after the timelines say more): "
                                    "'sequential, CPython 3.11 (measured)' (its CPU ran 25% slower than "
                                    "calibrated).") == 1);
  }
  SUBCASE("a baseline off its pace whose error is within the tolerance is scored: no mark") {
    // Lesson 04's asyncio in CPython: 2.022 s predicted, 2.028 s measured (-0.3%), its CPU
    // 17% slower than calibrated; the comparison table scored it while the '?' line called
    // it not scored.
    seq_cpython = measured(one_thread("sequential", 1003_ms), "CPython 3.11");
    seq_cpython.cpu_check.planned_compute = 1000_ms;
    seq_cpython.cpu_check.compute_took = 1170_ms;
    const std::string table = render_run_table(runs, 1000);
    const auto lines = lines_of(table);
    CHECK(cells(lines[3])[2] == "1.003 s");
    CHECK(cells(lines[5])[3] == "1.67x");
    CHECK(table.find("not scored") == std::string::npos);
  }
  SUBCASE("a run off its pace whose error is outside the tolerance is marked in its own row") {
    // Lesson 01's 4 threads in CPython: 1.183 s measured, its row unmarked while the
    // comparison table said "off pace*".
    pool_cpython.cpu_check.planned_compute = 500_ms;
    pool_cpython.cpu_check.compute_took = 600_ms;
    const std::string table = render_run_table(runs, 1000);
    const auto lines = lines_of(table);
    CHECK(cells(lines[5])[2] == "600 ms!");
    CHECK(cells(lines[5])[3] == "2.00x");  // its baseline is scored
    CHECK(cells(lines[3])[2] == "1.200 s");
    CHECK(count_of(as_prose(table), "'pool, CPython 3.11 (measured)' (its CPU ran 20% slower than calibrated).") == 1);
    CHECK(table.find("? marks") == std::string::npos);
  }
  SUBCASE("a baseline a busy machine starved: its own row is marked, and only its row") {
    // Other programs used 1.2 s of CPU in the 1.2 s it ran on 2 cores; it got 960 ms of the
    // 1.2 s it needed (gilsim's own executor, whose waits are the CPU it did not get).
    seq_cpython.measured_by.clear();
    seq_cpython.cpu_check = CpuCheck{true, 0.5, 1, 1200_ms, 960_ms, 2, 0};
    seq_cpython.cpu_check.sampled_wall = 1200_ms;
    seq_cpython.cpu_check.machine_busy = 2160_ms;
    seq_cpython.cpu_check.own_cpu = 960_ms;
    seq_cpython.cpu_check.tick = 10_ms;
    seq_cpython.cpu_check.sampled_cpus = 2;
    const std::string table = render_run_table(runs, 1000);
    const auto lines = lines_of(table);
    CHECK(cells(lines[3])[2] == "1.200 s!");
    CHECK(cells(lines[5])[2] == "600 ms");
    CHECK(count_of(as_prose(table), "! marks a measured run that is not scored, so that neither its time nor its "
                                    "speed-up is a figure to teach from (the lines after the timelines say more): "
                                    "'sequential (measured)' (busy machine).") == 1);
  }
}

TEST_CASE("an error within the tolerance is shown, whatever marks the run; outside, one sentence per cause shown") {
  // Lesson 2's sequential run: 1.020 s predicted, 1.027 s measured (-0.7%) on a busy machine,
  // its executor's own CPU time a third of the run's.
  const Trace predicted = one_thread("sequential", 1020_ms);
  Trace close = measured(one_thread("sequential", 1027_ms));
  close.cpu_check = CpuCheck{true, 5.8, 1, 1400_ms, 1400_ms, 2, 6};  // others ready, and 1.4 s of CPU for 1.02 s
  const std::string good = render_prediction_table({&predicted}, {&close}, {}, 1000);
  CHECK(good.find("-0.7%") != std::string::npos);
  CHECK(good.find("executor") == std::string::npos);
  CHECK(good.find("busy") == std::string::npos);

  Trace off = close;  // 30% slower: the executor's work named in the cell, one sentence
  off.end = 1457_ms;
  const std::string bad = render_prediction_table({&predicted}, {&off}, {}, 1000);
  CHECK(bad.find("executor*") != std::string::npos);
  CHECK(count_of(bad, "* executor: 'sequential'") == 1);
  CHECK(bad.find("busy") == std::string::npos);  // others ready as it started are no evidence
  CHECK(bad.find("-30.0%") == std::string::npos);

  Trace faster = close;  // 30% faster than predicted: the executor's own work cannot explain that
  faster.end = 785_ms;
  const std::string quick = render_prediction_table({&predicted}, {&faster}, {}, 1000);
  CHECK(quick.find("+29.9%") != std::string::npos);
  CHECK(quick.find("executor") == std::string::npos);

  Trace plain = off;  // its CPU time within the plan: the error is the model's
  plain.cpu_check.got = 1000_ms;
  plain.cpu_check.needed = 1000_ms;
  const std::string busy = render_prediction_table({&predicted}, {&plain}, {}, 1000);
  CHECK(busy.find("-30.0%") != std::string::npos);
  CHECK(count_of(busy, "\n* ") == 0);
  // Outside the tolerance with no cause seen: a line says so rather than nothing.
  CHECK(count_of(as_prose(busy), "'sequential' (-30.0%): outside the 10% tolerance, with none of the causes gilsim "
                                 "looks for seen in it.") == 1);
  CHECK(as_prose(good).find("outside the") == std::string::npos);  // -0.7%: within it

  SUBCASE("a run not scored shows its note alone") {
    const std::string unscored =
        render_prediction_table({&predicted}, {&off}, {{"sequential", "not scored: the recording saw too little"}}, 1000);
    CHECK(unscored.find("not scored") != std::string::npos);
    CHECK(unscored.find("\n* ") == std::string::npos);
  }
}

TEST_CASE("the prediction table groups its counts as the run table does") {
  const Trace predicted = handing_over("threads", "new", 2, 5959);
  const Trace real = measured(handing_over("threads", "new", 2, 211));
  const std::string table = render_prediction_table({&predicted}, {&real}, {}, 1000);
  CHECK(table.find("5,959 / 211") != std::string::npos);
  CHECK(render_run_table({&predicted}, 200).find("5,959") != std::string::npos);
}

TEST_CASE("a measured old-GIL run on several cores has its switches marked, and a line says why they differ") {
  // Lesson 11: 'old GIL, 2 cores' switches 5,959 predicted, 211 measured.
  const Trace predicted = handing_over("old GIL, 2 cores", "old", 2, 5959);
  const Trace real = measured(handing_over("old GIL, 2 cores", "old", 2, 211));
  const std::string table = as_prose(render_prediction_table({&predicted}, {&real}, {}, 100));
  CHECK(table.find("5,959 / 211+") != std::string::npos);
  CHECK(table.find("+ switches of 'old GIL, 2 cores': not comparable. The model's old GIL goes to a waiter when the "
                   "waiter wins the race for the released lock, with an estimated probability a release (O3") !=
        std::string::npos);
  CHECK(table.find("The real executor's old GIL is a lock released and at once re-taken (O2)") != std::string::npos);

  // On one core both hand over when the holder is preempted: counted alike, no mark.
  const Trace one_core = handing_over("old GIL, 1 core", "old", 1, 296);
  const Trace one_core_real = measured(handing_over("old GIL, 1 core", "old", 1, 170));
  CHECK(render_prediction_table({&one_core}, {&one_core_real}, {}, 1000).find("296 / 170 ") != std::string::npos);
  // The new GIL's switches are the model's to predict.
  const Trace fresh = handing_over("new GIL, 2 cores", "new", 2, 121);
  const Trace fresh_real = measured(handing_over("new GIL, 2 cores", "new", 2, 94));
  CHECK(render_prediction_table({&fresh}, {&fresh_real}, {}, 1000).find("121 / 94 ") != std::string::npos);
}

namespace {

/// A GIL held in turn: each hold's start, length and holder (lanes T1, T2, T3).
Trace holds(const std::string& name, const std::vector<std::tuple<Time, Time, int>>& turns) {
  TraceBuilder b(name, "threads", "new", Origin::Simulated, 2, 5_ms);
  b.add_cores(2);
  const auto p = b.add_process("main", true);
  const LaneId threads[] = {b.add_lane("T1", LaneKind::Thread, p), b.add_lane("T2", LaneKind::Thread, p),
                            b.add_lane("T3", LaneKind::Thread, p)};
  Time end;
  for (const auto& [begin, length, holder] : turns) {
    b.set_state(b.gil_lane(p), begin, SpanState::Held, threads[holder]);
    b.clear_state(b.gil_lane(p), begin + length);
    end = begin + length;
  }
  return b.finish(end);
}

}  // namespace

TEST_CASE("a measured run's extra switches to holds of a few microseconds are marked, and a line counts them") {
  // Lesson 4's threads: the model hands the GIL over 8 times, each hold 13 us or more; the
  // real run's threads also take it for 0.2 to 5 us between their calls, 8 more switches.
  std::vector<std::tuple<Time, Time, int>> model;
  for (int i = 0; i < 9; ++i) model.emplace_back(Time{i * 100'000LL}, 13_us, i % 2 ? 1 : 0);
  std::vector<std::tuple<Time, Time, int>> real_turns = model;
  for (int i = 0; i < 8; ++i) real_turns.emplace_back(1_ms + Time{i * 100'000LL}, 2_us, i % 2 ? 0 : 2);
  const Trace predicted = holds("threads", model);
  const Trace real = measured(holds("threads", real_turns));
  REQUIRE(compute_metrics(predicted).gil_switches == 8);
  REQUIRE(compute_metrics(real).gil_switches == 16);
  CHECK(gil_switches_to_holds_under(real, 10_us) == 8);
  CHECK(gil_switches_to_holds_under(real, 2_us) == 0);  // under: a hold of exactly 2 us is not
  const std::string table = as_prose(render_prediction_table({&predicted}, {&real}, {}, 100));
  CHECK(table.find("8 / 16+") != std::string::npos);
  CHECK(table.find("+ switches of 'threads': 8 of the 16 measured handed the GIL to a thread that kept it under 10.0 "
                   "us (in the model, 0 of 8). A real thread takes the GIL for a few microseconds between two calls") !=
        std::string::npos);

  SUBCASE("no line for a switch or two more") {
    std::vector<std::tuple<Time, Time, int>> two_more = model;
    two_more.emplace_back(1_ms, 2_us, 2);
    two_more.emplace_back(1100_us, 2_us, 0);
    const Trace close = measured(holds("threads", two_more));
    REQUIRE(compute_metrics(close).gil_switches == 10);
    const std::string t = render_prediction_table({&predicted}, {&close}, {}, 1000);
    CHECK(t.find("8 / 10 ") != std::string::npos);
    CHECK(t.find("switches of") == std::string::npos);
  }
  SUBCASE("no line where brief holds are under half the difference") {
    // 8 more switches, 3 of them into brief holds: the rest are not what the line explains.
    std::vector<std::tuple<Time, Time, int>> mixed = model;
    for (int i = 0; i < 8; ++i) mixed.emplace_back(1_ms + Time{i * 100'000LL}, i < 3 ? 2_us : 20_us, i % 2 ? 0 : 2);
    const Trace some = measured(holds("threads", mixed));
    REQUIRE(compute_metrics(some).gil_switches == 16);
    REQUIRE(gil_switches_to_holds_under(some, 10_us) == 3);
    const std::string t = render_prediction_table({&predicted}, {&some}, {}, 1000);
    CHECK(t.find("8 / 16 ") != std::string::npos);
    CHECK(t.find("switches of") == std::string::npos);
  }
  SUBCASE("no line where the extra holds are not brief") {
    std::vector<std::tuple<Time, Time, int>> longer = model;
    for (int i = 0; i < 8; ++i) longer.emplace_back(1_ms + Time{i * 100'000LL}, 20_us, i % 2 ? 0 : 2);
    const Trace slower = measured(holds("threads", longer));
    const std::string t = render_prediction_table({&predicted}, {&slower}, {}, 1000);
    CHECK(t.find("8 / 16 ") != std::string::npos);
    CHECK(t.find("switches of") == std::string::npos);
  }
}

TEST_CASE("a sweep's spread of speed-ups has its mean's precision") {
  CHECK(speedup_with_spread({1.0, 0.000033}, 3) == "1.00x ± <0.01x");
  CHECK(speedup_with_spread({1.94, 0.0214}, 3) == "1.94x ± 0.02x");
  CHECK(speedup_with_spread({1.0, 0.0}, 3) == "1.00x ± 0.00x");
  CHECK(speedup_with_spread({0.0025, 0.0000123}, 3) == "0.0025x ± <0.0001x");
  CHECK(speedup_with_spread({0.0025, 0.0003}, 3) == "0.0025x ± 0.0003x");
  CHECK(speedup_with_spread({1.94, 0.0214}, 1) == "1.94x");
}

TEST_CASE("measured runs alone are not said to be predicted for the machine's cores") {
  scenario::Scenario s = scenario::load_default();
  s.machine.cores = 4;
  scenario::Scenario alone = s;
  const auto with_model = scenario::fit_to_machine(s, 2);
  REQUIRE(with_model);
  CHECK(with_model->find("so the model predicts for 2 too") != std::string::npos);
  const auto measured_only = scenario::fit_to_machine(alone, 2, scenario::FittedFor::MeasuredRunsOnly);
  REQUIRE(measured_only);
  CHECK(*measured_only == "The scenario asks for 4 cores; this machine has 2, so the runs here use 2 of them.");
}

TEST_CASE("a run that stops before its last job (a deadlock) has no error: the cell says which side stopped") {
  // Lesson 16's threads: the model's run stops in its deadlock at 1.08 ms, the measured one at
  // 1.97 ms. Neither has a makespan, so "-45.2%" would compare two moments of deadlock.
  Trace predicted = one_thread("threads", 1080_us);
  Job never_done;  // its end stays Time::max()
  never_done.name = "a_to_b 1";
  predicted.jobs.push_back(never_done);
  Trace stopped = measured(one_thread("threads", 1970_us));
  stopped.jobs.push_back(never_done);
  const std::string both = render_prediction_table({&predicted}, {&stopped}, {}, 1000);
  CHECK(both.find("both stopped") != std::string::npos);
  CHECK(both.find("45.2%") == std::string::npos);
  CHECK(count_of(both, "'threads': neither run finished its jobs") == 1);

  Trace finished = measured(one_thread("threads", 1970_us));
  const std::string one = render_prediction_table({&predicted}, {&finished}, {}, 1000);
  CHECK(one.find("predicted stopped") != std::string::npos);
  CHECK(count_of(one, "'threads': the model's run stopped before its last job and the measured one finished") == 1);
}
