// The sweep panel's logic without a window: the chart's layout (lines, error bars, small
// multiples, ticks), hit testing, and the bridge between grid points and the knobs.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "viz/sweep_chart.hpp"
#include "viz/sweep_runner.hpp"

using namespace gilsim;

namespace {

const std::string kScenarios = std::string(GILSIM_SOURCE_DIR) + "/scenarios/";

sweep::SweepPlan plan_of(std::string file, std::vector<std::string> vary, int seeds = 1) {
  sweep::SweepRequest r;
  r.file = file.empty() ? "" : kScenarios + file;
  r.vary = std::move(vary);
  r.seeds = seeds;
  return sweep::make_plan(r);
}

const viz::SweepChartSize kSize{100, 50, 800, 400, 10, 5, {}};

}  // namespace

TEST_CASE("a sweep chart of lost updates counts them on its y axis, from the figures the speed-ups came with") {
  sweep::SweepRequest r;
  r.file = kScenarios + "15-lost-update.toml";
  r.vary = {"job.unsafe.count=1,2,4"};
  r.metric = sweep::Metric::LostUpdates;
  sweep::SweepPlan plan = sweep::make_plan(r);
  REQUIRE(plan.has_counters);
  const auto result = sweep::run_sweep_here(plan);
  const auto chart = viz::layout_sweep_chart(plan, result, kSize);
  REQUIRE(chart.plots.size() == 1);
  CHECK(chart.y_label == "lost updates");
  const auto& plot = chart.plots.front();
  const auto threads = std::find(plan.run_names.begin(), plan.run_names.end(), "threads") - plan.run_names.begin();
  const auto& line = plot.lines[static_cast<std::size_t>(threads)];
  REQUIRE(line.size() == 3);
  CHECK(line[0].value == 0.0);  // one thread alone loses nothing
  for (std::size_t i = 0; i < 3; ++i) {
    CHECK(line[i].value == sweep::summarise(result, i, static_cast<std::size_t>(threads)).lost_updates.mean);
  }
  CHECK(line[2].value > 1000.0);
  CHECK(chart.y_top >= line[2].value);
  // Counts, grouped as the tables write them: "40,000", not "40000.0x".
  CHECK(plot.y_ticks.back().label.find(',') != std::string::npos);
  CHECK(plot.y_ticks.back().label.find('x') == std::string::npos);
  CHECK(plot.y_ticks.front().label == "0");
  // The y labels have room: the plot starts right of the widest one.
  CHECK(plot.left - kSize.left >= kSize.char_width * static_cast<float>(plot.y_ticks.back().label.size()));
  // The same figures give the speed-up chart: the panel switches without running the sweep again.
  plan.metric = sweep::Metric::Speedup;
  const auto speedups = viz::layout_sweep_chart(plan, result, kSize);
  CHECK(speedups.y_label == "speed-up");
  CHECK(speedups.plots.front().y_ticks.back().label.back() == 'x');
  // A scenario without counters refuses lost updates, as gilsim sweep does.
  r.file = kScenarios + "20-sweep-pool-size.toml";
  r.vary = {"workers=1,2"};
  CHECK_THROWS_AS(sweep::make_plan(r), sweep::SweepRefused);
}

TEST_CASE("a sweep chart with too little room lays out no plot rather than one upside down") {
  const auto plan = plan_of("20-sweep-pool-size.toml", {"workers=1,2,4"});
  const auto result = sweep::run_sweep_here(plan);
  // 10 px lines: a plot needs 30 px for three y labels, and its cell 21 px of margins beside.
  const auto roomy = viz::layout_sweep_chart(plan, result, viz::SweepChartSize{0, 0, 800, 71, 10, 5, {}});
  CHECK_FALSE(roomy.too_small);
  REQUIRE(roomy.plots.size() == 1);
  CHECK(roomy.plots.front().bottom - roomy.plots.front().top == doctest::Approx(50.0f));
  CHECK(roomy.plots.front().y_ticks.size() == 5);  // 50 px: five labels 12.5 px apart
  const auto short_plot = viz::layout_sweep_chart(plan, result, viz::SweepChartSize{0, 0, 800, 51, 10, 5, {}});
  REQUIRE(short_plot.plots.size() == 1);
  CHECK(short_plot.plots.front().y_ticks.size() == 3);  // 30 px: 0, half and the top, 15 px apart
  CHECK(short_plot.plots.front().y_ticks.back().label == "4.0x");
  const auto squeezed = viz::layout_sweep_chart(plan, result, viz::SweepChartSize{0, 0, 800, 50, 10, 5, {}});
  CHECK(squeezed.too_small);
  CHECK(squeezed.plots.empty());
  // Presenting at 1280x720 left the chart 20 px with 30 px lines: its labels ran from 0.0x down to 8.0x.
  CHECK(viz::layout_sweep_chart(plan, result, viz::SweepChartSize{0, 0, 800, 20, 30, 15, {}}).too_small);
}

TEST_CASE("a sweep chart puts one line per run across the plot, on a shared round axis") {
  const auto plan = plan_of("20-sweep-pool-size.toml", {"workers=1,2,4"});
  const auto result = sweep::run_sweep_here(plan);
  const auto chart = viz::layout_sweep_chart(plan, result, kSize);
  REQUIRE(chart.plots.size() == 1);
  const auto& plot = chart.plots.front();
  CHECK(plot.title.empty());
  CHECK(chart.x_label == "workers");
  CHECK(chart.y_top == 4.0);  // the fork pool reaches 3.3x
  REQUIRE(plot.lines.size() == 4);
  const auto& pool = plot.lines[1];
  REQUIRE(pool.size() == 3);
  // Linear x: 1, 2 and 4 at 0, 1/3 and 1 of the plot's width.
  CHECK(pool[0].x == doctest::Approx(plot.left));
  CHECK(pool[1].x == doctest::Approx(plot.left + (plot.right - plot.left) / 3));
  CHECK(pool[2].x == doctest::Approx(plot.right));
  // y: the speed-up over the 4.0x top.
  CHECK(pool[2].y == doctest::Approx(plot.bottom - static_cast<float>(pool[2].value / 4.0) * (plot.bottom - plot.top)));
  CHECK(plot.lines[0][1].y == doctest::Approx(plot.bottom - 0.25f * (plot.bottom - plot.top)));  // sequential: 1x
  CHECK(pool[2].point == 2);
  CHECK(pool[2].run == 1);
  REQUIRE(plot.y_ticks.size() == 9);  // 0.5x steps: eight fit, at least 1.1 lines apart
  CHECK(plot.y_ticks[2].label == "1.0x");
  CHECK(plot.y_ticks.back().label == "4.0x");
  REQUIRE(plot.x_ticks.size() == 3);
  CHECK(plot.x_ticks[2].label == "4");
  SUBCASE("a click near a point finds it; far from every point, nothing") {
    const auto hit = viz::hit_sweep_marker(chart, pool[2].x + 3, pool[2].y - 2, 8);
    REQUIRE(hit);
    CHECK(hit->point == 2);
    CHECK(hit->run == 1);
    CHECK_FALSE(viz::hit_sweep_marker(chart, plot.left + 200, plot.top - 40, 8));
  }
}

TEST_CASE("a second key gives small multiples, and seeds give error bars") {
  const auto plan = plan_of("", {"cores=1,2,4", "switch_interval=1ms,5ms"}, 3);
  const auto result = sweep::run_sweep_here(plan);
  const auto chart = viz::layout_sweep_chart(plan, result, kSize);
  REQUIRE(chart.plots.size() == 2);
  CHECK(chart.plots[0].title == "switch_interval = 1.00 ms");  // as gilsim writes times
  CHECK(chart.plots[1].title == "switch_interval = 5.00 ms");
  CHECK(chart.plots[0].right <= chart.plots[1].left);  // side by side
  CHECK(chart.error_bars);
  bool any_spread = false;
  for (const auto& line : chart.plots[1].lines) {
    for (const auto& m : line) {
      CHECK(m.y_low >= m.y);
      CHECK(m.y_high <= m.y);
      any_spread = any_spread || m.deviation > 0.0;
    }
  }
  CHECK(any_spread);  // the default scenario draws random durations
  CHECK(chart.plots[1].lines[0][2].point == 5);  // cores=4 (index 2) at switch_interval=5ms (index 1)
}

TEST_CASE("where the seeds disagree, the bar spans their range and the marker says so") {
  // Lesson 15 at 2.4 ms: every seed's locked threads convoy, for longer or shorter (0.0066x to
  // 0.031x); ± a deviation reached below zero.
  sweep::SweepRequest r;
  r.file = kScenarios + "15-lost-update.toml";
  r.vary = {"switch_interval=2400us,3200us"};
  r.seeds = 5;
  r.runs = {1};  // threads
  const auto plan = sweep::make_plan(r);
  const auto chart = viz::layout_sweep_chart(plan, sweep::run_sweep_here(plan), kSize);
  REQUIRE(chart.plots.size() == 1);
  const viz::SweepMarker& split = chart.plots[0].lines[0][0];
  CHECK(split.seeds_disagree);
  CHECK(split.low == doctest::Approx(0.0066).epsilon(0.05));
  CHECK(split.high == doctest::Approx(0.031).epsilon(0.03));
  CHECK(split.y_high < split.y);  // up to the highest seed, far above the mean
  CHECK(split.y_low > split.y);
  const viz::SweepMarker& agreed = chart.plots[0].lines[0][1];  // 3.2 ms: every seed 0.97x
  CHECK_FALSE(agreed.seeds_disagree);
}

TEST_CASE("the value the timeline shows is marked on the curve's axis, where the axis reaches it") {
  const auto plan = plan_of("07-convoy.toml", {"switch_interval=1ms..64ms*2"});
  const auto result = sweep::run_sweep_here(plan);
  const auto s = scenario::load_file(kScenarios + "07-convoy.toml");
  REQUIRE(viz::shown_position(plan.axes.front(), s) == 5e6);
  const auto chart = viz::layout_sweep_chart(plan, result, kSize, viz::shown_position(plan.axes.front(), s));
  REQUIRE(chart.plots.size() == 1);
  const auto& plot = chart.plots[0];
  REQUIRE(plot.shown_x);
  // 5 ms between the 4 ms and 8 ms points, nearer 4 on the log axis (log2 5 = 2.32).
  const float x4 = plot.lines[0][2].x, x8 = plot.lines[0][3].x;
  CHECK(*plot.shown_x == doctest::Approx(x4 + (x8 - x4) * std::log2(5.0 / 4.0)).epsilon(0.001));
  CHECK(chart.shown_text == "shown above: 5.00 ms");
  // Outside the axis, or a key whose value is not one (workers): nothing marked.
  CHECK_FALSE(viz::layout_sweep_chart(plan, result, kSize, 100e6).plots[0].shown_x);
  const auto pools = plan_of("09-pool-sizing.toml", {"workers=1..4"});
  CHECK_FALSE(viz::shown_position(pools.axes.front(), scenario::load_file(kScenarios + "09-pool-sizing.toml")));
}

TEST_CASE("a grid point opens as knobs: knob keys as knobs, other keys as extra overrides") {
  const auto plan = plan_of("21-sweep-waiting-share.toml",
                            {"job.request.steps.2.io=0ms..90ms:30ms; job.request.steps.1.cpu=100ms..10ms:30ms",
                             "cores=2,4", "switch_interval=1ms,2ms"});
  viz::Knobs base;
  base.jobs = 8;
  const viz::Knobs k = viz::knobs_at(plan, plan.points() - 1, base);
  CHECK(k.cores == 4);
  CHECK(k.switch_interval == Time{2'000'000});
  CHECK(k.jobs == 8);
  REQUIRE(k.more.size() == 2);
  CHECK(k.more[0].key == "job.request.steps.2.io");
  CHECK(k.more[0].value == "90ms");
  CHECK(k.more[1].value == "10ms");
  // Opening another point replaces the extra values rather than piling them up.
  CHECK(viz::knobs_at(plan, 0, k).more.size() == 2);
  CHECK(viz::knobs_at(plan, 0, k).more[0].value == "0ms");
  const auto s = scenario::load_file(kScenarios + "21-sweep-waiting-share.toml", k.overrides());
  CHECK(s.jobs[0].steps[1].duration.a == Time{90'000'000});
  CHECK(s.machine.cores == 4);
}

TEST_CASE("sweep this knob: each knob starts from values that reach the scenario's own") {
  const auto s = scenario::load_file(kScenarios + "03-ten-thousand-connections.toml");
  CHECK(viz::default_sweep_values("workers", s) == "1..16");
  CHECK(viz::default_sweep_values("cores", s) == "1..8");
  CHECK(viz::default_sweep_values("switch_interval", s) == "1250us..80ms*2");  // 5 ms a point of it
  const auto lost_update = scenario::load_file(kScenarios + "15-lost-update.toml");
  CHECK(viz::default_sweep_values("switch_interval", lost_update) == "25us..1600us*2");  // its 100 us
  auto tiny = lost_update;  // never under the least interval, 1 us, and through the scenario's own
  tiny.python.switch_interval = Time{1'000};
  CHECK(viz::default_sweep_values("switch_interval", tiny) == "1us..64us*2");
  tiny.python.switch_interval = Time{3'000};
  CHECK(viz::default_sweep_values("switch_interval", tiny) == "1500ns..96us*2");
  CHECK(viz::default_sweep_values("jobs", s) == "1..16384*2");
  viz::SweepView view;
  view.vary = "cores=1..2";
  viz::Knobs knobs;
  knobs.cores = 3;
  knobs.jobs = 10;
  const auto plan = viz::plan_sweep((kScenarios + "01-cpu-bound.toml"), knobs, view);
  // The varied knob is the sweep's; the other knobs stay as set.
  REQUIRE(plan.base_overrides.size() == 1);
  CHECK(plan.base_overrides[0].key == "jobs");
  CHECK(plan.points() == 2);
}

TEST_CASE("the background sweep gives the figures a sweep here gives, and can be cancelled") {
  const auto plan = plan_of("20-sweep-pool-size.toml", {"workers=1..4"});
  viz::SweepRunner runner;
  runner.start(plan);
  runner.wait();
  CHECK_FALSE(runner.running());
  auto finished = runner.take_finished();
  REQUIRE(finished);
  REQUIRE(finished->result);
  const auto here = sweep::run_sweep_here(plan);
  REQUIRE(finished->result->figures.size() == here.figures.size());
  for (std::size_t i = 0; i < here.figures.size(); ++i) CHECK(finished->result->figures[i].makespan_ns == here.figures[i].makespan_ns);
  CHECK(runner.progress() == std::pair<std::size_t, std::size_t>{4, 4});
  CHECK_FALSE(runner.take_finished());
  runner.start(plan_of("", {"seed=1..2000"}));
  runner.cancel();
  runner.wait();
  finished = runner.take_finished();
  REQUIRE(finished);
  CHECK_FALSE(finished->result);
  CHECK(finished->error == "cancelled");
}

TEST_CASE("a run that deadlocks has no point on the curve: a gap, an 'x' on the axis, and a legend note") {
  const auto plan = plan_of("16-deadlock.toml", {"cores=1..3"});
  const auto result = sweep::run_sweep_here(plan);
  const auto chart = viz::layout_sweep_chart(plan, result, kSize);
  REQUIRE(chart.plots.size() == 1);
  const auto& plot = chart.plots.front();
  // The axis is the finished runs': sequential's 1.0x with a little room (1.2x), not the
  // deadlock's 5.5x.
  CHECK(chart.y_top == doctest::Approx(1.2));
  for (const auto& m : plot.lines[1]) {
    CHECK_FALSE(m.finished);
    CHECK(m.unfinished == "deadlocked");
    CHECK(m.y == doctest::Approx(plot.bottom));
  }
  CHECK(plot.lines[0][1].finished);
  const auto hit = viz::hit_sweep_marker(chart, plot.lines[1][1].x, plot.bottom, 4);
  REQUIRE(hit);
  CHECK_FALSE(hit->finished);  // the tooltip says why
  const auto notes = viz::sweep_run_notes(plan, result);
  REQUIRE(notes.size() == 2);
  CHECK(notes[0].empty());
  CHECK(notes[1] == "deadlocked at every point");
}

TEST_CASE("a run whose curve lies under another's is named in the legend; tick labels read as gilsim writes values") {
  const auto plan = plan_of("21-sweep-waiting-share.toml",
                            {"job.request.steps.2.io=0ms..90ms:10ms; job.request.steps.1.cpu=100ms..10ms:10ms"});
  const auto result = sweep::run_sweep_here(plan);
  const auto notes = viz::sweep_run_notes(plan, result);
  REQUIRE(notes.size() == 4);
  CHECK(notes[0].empty());
  CHECK(notes[1] == "under asyncio: within 2% of the axis at every point");  // within 0.07x of it, on an 8.0x axis: 2% is 0.16x
  CHECK(notes[2].empty());
  CHECK(notes[3].empty());
  const auto chart = viz::layout_sweep_chart(plan, result, kSize);
  const auto& ticks = chart.plots.front().x_ticks;
  REQUIRE(!ticks.empty());
  CHECK(ticks.front().label == "0 s");
  CHECK(ticks.back().label == "90.0 ms");
  // Lesson 17's bytes: the last label, "100 MB", ends inside the plot's cell, never cut at the edge.
  const auto bytes = plan_of("17-big-results.toml", {"job.crunch.result_bytes=100..100000000*10"});
  const auto bytes_chart = viz::layout_sweep_chart(bytes, sweep::run_sweep_here(bytes), kSize);
  const auto& last = bytes_chart.plots.front().x_ticks.back();
  CHECK(last.label == "100 MB");
  CHECK(last.label_at + 5.0f * 6 / 2 <= kSize.left + kSize.width);
  CHECK(last.at == doctest::Approx(bytes_chart.plots.front().right));
}

TEST_CASE("gilviz's --sweep is checked as gilsim sweep checks --vary, naming --sweep") {
  const std::string file = kScenarios + "20-sweep-pool-size.toml";
  const auto bad = viz::check_sweep(file, {}, {"wrokers=1..4"});
  REQUIRE(bad);
  CHECK(bad->rfind("--sweep wrokers: unknown key 'wrokers'", 0) == 0);
  CHECK(bad->find("did you mean 'workers'?") != std::string::npos);
  CHECK(viz::check_sweep(file, {}, {"workers=1..16:0"})->rfind("--sweep workers=1..16:0: ", 0) == 0);
  CHECK(viz::check_sweep(file, {}, {"workers=0..4"})->find("--sweep") == 0);
  CHECK_FALSE(viz::check_sweep(file, {}, {"workers=1..4", "cores=2,4"}));
  CHECK_FALSE(viz::check_sweep(file, {}, {}));
  CHECK(viz::check_sweep(file, {}, {"workers=1..4", "cores=2,4", "jobs=1,2"}));
  CHECK_FALSE(viz::check_sweep(kScenarios + "no-such-file.toml", {}, {"wrokers=1..4"}));  // the load says why
  // Too large: what to do, in the viewer's words; gilviz has no --run.
  const auto large = viz::check_sweep(file, {}, {"workers=1..100", "seed=1..100"});
  REQUIRE(large);
  CHECK(large->ends_with("the limit is 10000 simulations: vary fewer values or fewer keys"));
  CHECK(large->find("--run") == std::string::npos);
}

namespace {

/// The labelled x ticks of a chart's first plot, and whether any two labels on one line overlap
/// (by the chart's own measure of a label: char_width a character).
std::vector<std::string> x_labels(const viz::SweepChart& chart, const viz::SweepChartSize& size, bool& overlap) {
  std::vector<std::string> out;
  overlap = false;
  float right[2] = {-1e9f, -1e9f};  // by line under the plot
  for (const viz::SweepTick& t : chart.plots.front().x_ticks) {
    if (t.label.empty()) continue;
    REQUIRE((t.row == 0 || t.row == 1));
    const float half = size.char_width * static_cast<float>(t.label.size()) / 2;
    overlap = overlap || t.label_at - half < right[t.row];
    right[t.row] = t.label_at + half;
    out.push_back(t.label);
  }
  return out;
}

}  // namespace

TEST_CASE("the sweep chart labels every swept value that has room, and the ends and the crossing always, none over another") {
  // Lesson 21 presented at 1280x720: the last label, "90.0 ms", moved in from the cell's edge,
  // pushed out "80.0 ms", where the threads' and asyncio's curves cross the pool's: the one
  // value a class is asked about. The text chart (gilsim sweep) labels every value.
  const auto plan = plan_of("21-sweep-waiting-share.toml",
                            {"job.request.steps.2.io=0ms..90ms:10ms; job.request.steps.1.cpu=100ms..10ms:10ms"});
  const auto result = sweep::run_sweep_here(plan);
  const viz::SweepChartSize presented{10, 500, 1250, 200, 25, 11, {}};
  bool overlap = false;
  const auto chart = viz::layout_sweep_chart(plan, result, presented);
  REQUIRE(chart.plots.size() == 1);
  CHECK(chart.plots.front().x_ticks.size() == 10);  // a tick at every value
  const std::vector<std::string> all = x_labels(chart, presented, overlap);
  CHECK(all == std::vector<std::string>{"0 s", "10.0 ms", "20.0 ms", "30.0 ms", "40.0 ms", "50.0 ms", "60.0 ms",
                                        "70.0 ms", "80.0 ms", "90.0 ms"});
  CHECK_FALSE(overlap);
  // Too narrow for every label: the ends and the crossing stay (the crossing beside an end on a
  // second line), the rest where they fit.
  for (const float width : {700.0f, 500.0f, 400.0f}) {
    INFO("width ", width);
    const viz::SweepChartSize narrow{10, 500, width, 200, 25, 11, {}};
    const std::vector<std::string> some = x_labels(viz::layout_sweep_chart(plan, result, narrow), narrow, overlap);
    CHECK_FALSE(overlap);
    REQUIRE(some.size() >= 3);
    CHECK(some.front() == "0 s");
    CHECK(some.back() == "90.0 ms");
    CHECK(std::find(some.begin(), some.end(), "80.0 ms") != some.end());
  }
}

TEST_CASE("the y axis has as many round steps as its labels have room for, written as ticks are") {
  // Lesson 21 presented at 1280x720: a plot about 115 px tall with 21 px lines read 0, 4.0x, 8.0x.
  CHECK(viz::y_steps(sweep::Metric::Speedup, 8.0, 115, 21) == 4);  // 0, 2, 4, 6, 8
  CHECK(viz::y_steps(sweep::Metric::Speedup, 8.0, 400, 21) == 8);  // every 1x
  CHECK(viz::y_steps(sweep::Metric::Speedup, 4.0, 30, 10) == 2);   // three labels at the least
  CHECK(viz::y_steps(sweep::Metric::Speedup, 10.0, 400, 10) == 5);  // 2x steps, not 1.25x written "1.2x"
  CHECK(viz::y_steps(sweep::Metric::LostUpdates, 40000.0, 400, 10) == 8);
  CHECK(viz::y_steps(sweep::Metric::LostUpdates, 1.0, 400, 10) == 4);  // quarters, as the ticks write them
}

TEST_CASE("a sweep chart writes each curve's values at its peak and its ends, clear of each other and of every point") {
  // gilviz 20 --sweep workers=1..16: the fork pool's peak, 3.55x at 4 workers, was read only by hovering.
  const auto plan = plan_of("20-sweep-pool-size.toml", {"workers=1..16"});
  const auto result = sweep::run_sweep_here(plan);
  const viz::SweepChartSize size{10, 500, 900, 250, 16, 8, {}};
  const auto chart = viz::layout_sweep_chart(plan, result, size);
  REQUIRE(chart.plots.size() == 1);
  const auto& plot = chart.plots.front();
  const auto pool = static_cast<std::size_t>(std::find(plan.run_names.begin(), plan.run_names.end(), "process pool") -
                                             plan.run_names.begin());
  const auto said = [&](std::size_t run, std::size_t index) -> std::string {
    for (const viz::SweepValueLabel& v : plot.values) {
      if (v.run == run && v.index == index) return v.text;
    }
    return {};
  };
  CHECK(said(pool, 3) == "3.55x");   // its peak, at 4 workers
  CHECK(said(pool, 15) == "3.10x");  // its end, at 16
  for (std::size_t a = 0; a < plot.values.size(); ++a) {
    const viz::SweepValueLabel& v = plot.values[a];
    CHECK(v.left >= plot.left);
    CHECK(v.right <= plot.right);
    CHECK(v.top >= plot.top);
    CHECK(v.bottom <= plot.bottom);
    for (std::size_t b = a + 1; b < plot.values.size(); ++b) {
      const viz::SweepValueLabel& w = plot.values[b];
      CHECK_FALSE((v.left < w.right && w.left < v.right && v.top < w.bottom && w.top < v.bottom));
    }
    for (const auto& line : plot.lines) {
      for (const viz::SweepMarker& m : line) CHECK_FALSE((m.x > v.left && m.x < v.right && m.y > v.top && m.y < v.bottom));
    }
  }
}

TEST_CASE("a short plot's y axis is cut into round steps, and reaches every point's bar") {
  // Lesson 15's threads over five seeds: 1.60 ms's seeds disagree (0.0062x to 0.96x), every
  // other point near 0 or 1. A plot about six lines tall could not cut a 1.2x top into round
  // steps (two of 0.60x): its top is 1.5x, three steps of 0.50x.
  const auto plan = plan_of("15-lost-update.toml", {"switch_interval=25us..3200us*2"}, 5);
  const auto result = sweep::run_sweep_here(plan);
  const viz::SweepChartSize short_plot{0, 0, 800, 110, 14, 7, {}};
  const auto chart = viz::layout_sweep_chart(plan, result, short_plot);
  REQUIRE(chart.plots.size() == 1);
  const auto& ticks = chart.plots.front().y_ticks;
  REQUIRE(ticks.size() >= 3);
  CHECK(viz::round_steps(plan.metric, chart.y_top, static_cast<int>(ticks.size()) - 1));
  CHECK(chart.y_top == doctest::Approx(1.5));
  // Lost updates: the 200 us point's seeds reach 60,000, over the means' 50,000 top before.
  auto lost = plan_of("15-lost-update.toml", {"switch_interval=25us..3200us*2"}, 5);
  lost.metric = sweep::Metric::LostUpdates;
  const auto counted = viz::layout_sweep_chart(lost, sweep::run_sweep_here(lost), kSize);
  for (const auto& line : counted.plots.front().lines) {
    for (const auto& m : line) {
      if (m.finished && m.seeds_disagree) CHECK(m.high <= counted.y_top);
    }
  }
}

namespace {

/// Run `run`'s point `index` along x in `plot` is the highest of every shown run but the
/// baseline's, as found here from the figures.
std::pair<std::size_t, std::size_t> highest_but_baseline(const sweep::SweepPlan& plan, const sweep::SweepResult& result,
                                                        const viz::SweepPlot& plot, double& value) {
  std::pair<std::size_t, std::size_t> best{0, 0};
  value = -1.0;
  for (std::size_t run = 0; run < plot.lines.size(); ++run) {
    if (plan.runs[run] == 0) continue;
    for (std::size_t i = 0; i < plot.lines[run].size(); ++i) {
      const auto s = sweep::summarise(result, plot.lines[run][i].point, run);
      if (s.finished() && s.speedup.mean > value + 1e-9) {
        value = s.speedup.mean;
        best = {run, i};
      }
    }
  }
  return best;
}

}  // namespace

TEST_CASE("a small multiple's peak says its value with the key's name or alone, never beside a bare x value") {
  // gilviz 20 --sweep workers=1..16 --sweep cores=1..6 presented at 1280x720 said "3.55x at 4"
  // under "cores = 4": a class read the 4 as the cores.
  const auto plan = plan_of("20-sweep-pool-size.toml", {"workers=1..16", "cores=1..6"});
  const auto result = sweep::run_sweep_here(plan);
  const sweep::Axis& workers = plan.axes.front();
  int alone = 0, named = 0;
  for (float width = 150; width <= 1600; width += 10) {
    INFO("width ", width);
    const auto chart = viz::layout_sweep_chart(plan, result, viz::SweepChartSize{0, 0, width, 300, 10, 5, {}});
    for (const viz::SweepPlot& plot : chart.plots) {
      INFO(plot.title, ": ", plot.peak_text);
      if (!plot.peak) continue;
      const std::string value = sweep::metric_value_text(plan.metric, plot.lines[plot.peak->first][plot.peak->second].value);
      const std::string at = workers.shown(0, plot.peak->second);
      const bool with_key = plot.peak_text == value + " at workers = " + at || plot.peak_text == value + " at workers=" + at ||
                            plot.peak_text == value + " (workers=" + at + ")";
      CHECK((with_key || plot.peak_text == value));
      (with_key ? named : alone) += 1;
    }
  }
  CHECK(named > 0);  // widths with room for the key's name and widths with room for the value alone
  CHECK(alone > 0);
}

TEST_CASE("a small multiple's peak leaves out the baseline, and is not said where the runs are flat or the axis has "
          "one value") {
  // Lesson 20 on one core: every run about 1.00x, and the peak ringed sequential's first point,
  // whose speed-up is 1.00x against itself by definition.
  const auto plan = plan_of("20-sweep-pool-size.toml", {"workers=1..8", "cores=1..3"});
  const auto result = sweep::run_sweep_here(plan);
  const auto chart = viz::layout_sweep_chart(plan, result, viz::SweepChartSize{0, 0, 1200, 300, 10, 5, {}});
  REQUIRE(chart.plots.size() == 3);
  for (const viz::SweepPlot& plot : chart.plots) {
    INFO(plot.title, ": ", plot.peak_text);
    REQUIRE(plot.peak);
    CHECK(plan.runs[plot.peak->first] != 0);
    double value = 0;
    CHECK(*plot.peak == highest_but_baseline(plan, result, plot, value));
    CHECK(plot.peak_text.starts_with(sweep::metric_value_text(plan.metric, value)));
  }
  // Sequential and the thread pool only: the pool's speed-ups are all within 2% of each other
  // (1.00x, 0.99x under the GIL), so no point is named or ringed.
  sweep::SweepRequest r;
  r.file = kScenarios + "20-sweep-pool-size.toml";
  r.vary = {"workers=1..4", "cores=1,2"};
  const auto all = sweep::make_plan(r);
  const auto pool = std::find(all.run_names.begin(), all.run_names.end(), "thread pool") - all.run_names.begin();
  r.runs = {0, static_cast<std::size_t>(pool)};
  const auto flat_plan = sweep::make_plan(r);
  const auto flat_result = sweep::run_sweep_here(flat_plan);
  const auto flat = viz::layout_sweep_chart(flat_plan, flat_result, viz::SweepChartSize{0, 0, 1200, 300, 10, 5, {}});
  REQUIRE(flat.plots.size() == 2);
  for (const viz::SweepPlot& plot : flat.plots) {
    INFO(plot.title, ": ", plot.peak_text);
    double low = 1e9, high = -1e9;
    for (const auto& m : plot.lines[1]) {
      low = std::min(low, m.value);
      high = std::max(high, m.value);
    }
    REQUIRE(high - low <= high * 0.02);  // the figures are flat, as the lesson has them
    CHECK_FALSE(plot.peak);
    CHECK(plot.peak_text.empty());
  }
  // One value along x (--sweep workers=4): the value alone, with nothing to say where.
  const auto one = plan_of("20-sweep-pool-size.toml", {"workers=4", "cores=1..4"});
  const auto one_result = sweep::run_sweep_here(one);
  const auto single = viz::layout_sweep_chart(one, one_result, viz::SweepChartSize{0, 0, 1200, 300, 10, 5, {}});
  int said = 0;
  for (const viz::SweepPlot& plot : single.plots) {
    INFO(plot.title, ": ", plot.peak_text);
    if (!plot.peak) continue;
    ++said;
    CHECK(plot.peak_text == sweep::metric_value_text(one.metric, plot.lines[plot.peak->first][plot.peak->second].value));
  }
  CHECK(said > 0);
}

TEST_CASE("a small multiple's peak takes a shorter wording beside the title before a line of its own, and no line "
          "that leaves the plots too short") {
  // gilviz 20 --sweep workers=1..8 --sweep cores=1..4 --sweep-metric gil-wait presented at
  // 1280x720: the peak's own line under the title left "Too little room for the chart".
  auto plan = plan_of("20-sweep-pool-size.toml", {"workers=1..8", "cores=1..4"});
  const auto result = sweep::run_sweep_here(plan);
  for (const sweep::Metric metric : {sweep::Metric::Speedup, sweep::Metric::GilWait}) {
    plan.metric = metric;
    // Lines 10 px: a plot of three lines under a title's line and a half and over the x
    // labels' line and a half fits a cell 61 px tall; a peak's line more would need 71.
    for (const float height : {62.0f, 66.0f, 70.0f}) {
      for (float width = 400; width <= 1200; width += 100) {
        INFO(sweep::metric_axis_title(metric), " ", width, "x", height);
        const auto chart = viz::layout_sweep_chart(plan, result, viz::SweepChartSize{0, 0, width, height, 10, 5, {}});
        CHECK_FALSE(chart.too_small);
        for (const viz::SweepPlot& plot : chart.plots) {
          if (!plot.peak) continue;
          CHECK(plot.peak_top == doctest::Approx(plot.title_top));  // beside the title: no line of its own
        }
      }
    }
    // Room for a line under the title only where no wording fits beside it.
    for (float width = 500; width <= 1600; width += 50) {
      const auto chart = viz::layout_sweep_chart(plan, result, viz::SweepChartSize{0, 0, width, 400, 10, 5, {}});
      REQUIRE_FALSE(chart.too_small);
      const viz::SweepPlot& first = chart.plots.front();
      if (first.peak_text.empty() || first.peak_top == doctest::Approx(first.title_top)) continue;
      INFO(sweep::metric_axis_title(metric), " ", width, ": ", first.title, " ", first.peak_text);
      // Under the title: even the value alone had no room beside it in some plot.
      float widest = 0;
      for (const viz::SweepPlot& plot : chart.plots) {
        if (!plot.peak) continue;
        const std::string value = sweep::metric_value_text(metric, plot.lines[plot.peak->first][plot.peak->second].value);
        widest = std::max(widest, 5.0f * 1.1f * static_cast<float>(plot.title.size()) + 10 +
                                      5.0f * static_cast<float>(value.size()));
      }
      CHECK(widest > first.right - first.left);
    }
  }
}

TEST_CASE("a sweep chart draws each line from left to right, in whatever order the sweep has its values") {
  // gilviz 20 --sweep workers=4,1,16,2 drew each run's line 4, 1, 16, 2: back and forth
  // across the plot, the fork pool's 3.55x at 4 joined to 0.99x at 1 and on to 16.
  const auto given = plan_of("20-sweep-pool-size.toml", {"workers=4,1,16,2"});
  const auto ascending = plan_of("20-sweep-pool-size.toml", {"workers=1,2,4,16"});
  const auto drawn = viz::layout_sweep_chart(given, sweep::run_sweep_here(given), kSize);
  const auto expected = viz::layout_sweep_chart(ascending, sweep::run_sweep_here(ascending), kSize);
  REQUIRE(drawn.plots.size() == 1);
  REQUIRE(expected.plots.size() == 1);
  const auto& plot = drawn.plots.front();
  const auto& want = expected.plots.front();
  CHECK(drawn.y_top == expected.y_top);
  REQUIRE(plot.lines.size() == want.lines.size());
  for (std::size_t run = 0; run < plot.lines.size(); ++run) {
    REQUIRE(plot.lines[run].size() == 4);
    for (std::size_t i = 0; i < 4; ++i) {
      CAPTURE(run);
      CAPTURE(i);
      CHECK(plot.lines[run][i].x == want.lines[run][i].x);
      CHECK(plot.lines[run][i].y == want.lines[run][i].y);
      CHECK(plot.lines[run][i].value == want.lines[run][i].value);
    }
  }
  // Its points' grid points are the given sweep's own: 1 worker is the second value given.
  CHECK(plot.lines[1][0].point == 1);
  CHECK(plot.lines[1][2].point == 0);
  std::vector<std::string> said, said_ascending;
  for (const auto& v : plot.values) said.push_back(fmt::format("{} {} {}", v.run, v.index, v.text));
  for (const auto& v : want.values) said_ascending.push_back(fmt::format("{} {} {}", v.run, v.index, v.text));
  CHECK(said == said_ascending);  // the fork pool's 3.55x at 4, its peak, among them
  CHECK(std::find(said.begin(), said.end(), "1 2 3.55x") != said.end());
  std::vector<std::pair<float, std::string>> ticks, ticks_ascending;
  for (const auto& t : plot.x_ticks) ticks.emplace_back(t.at, t.label);
  for (const auto& t : want.x_ticks) ticks_ascending.emplace_back(t.at, t.label);
  std::sort(ticks.begin(), ticks.end());
  CHECK(ticks == ticks_ascending);
}

TEST_CASE("the y axis's top is the smallest round value over the peak that the plot's own height cuts into round steps") {
  // Lesson 21 presented at 1280x720 ran to 10.0x for a 6.39x peak, in four steps of 2.5x: its
  // top was rounded for a plot a line shorter (room for a second line of x labels it did not
  // need), where only two steps fit and 8.0x / 2 is no round step.
  const auto plan = plan_of("21-sweep-waiting-share.toml",
                            {"job.request.steps.2.io=0ms..90ms:10ms; job.request.steps.1.cpu=100ms..10ms:10ms"});
  const auto result = sweep::run_sweep_here(plan);
  int eights = 0;
  for (float height = 150; height <= 400; height += 2) {
    CAPTURE(height);
    const viz::SweepChartSize presented{0, 0, 1250, height, 21, 11, {}};
    const auto chart = viz::layout_sweep_chart(plan, result, presented);
    REQUIRE(chart.plots.size() == 1);
    const auto& plot = chart.plots.front();
    const int steps = static_cast<int>(plot.y_ticks.size()) - 1;
    // The ticks cut the top into round steps, as many as the plot's height has room for.
    CHECK(viz::round_steps(plan.metric, chart.y_top, steps));
    CHECK(steps == viz::y_steps(plan.metric, chart.y_top, plot.bottom - plot.top, 21));
    // 8.0x wherever the height cuts it into round steps (four of 2.0x), as at 1280x720.
    if (viz::round_steps(plan.metric, 8.0, viz::y_steps(plan.metric, 8.0, plot.bottom - plot.top, 21))) {
      CHECK(chart.y_top == doctest::Approx(8.0));
      ++eights;
    }
  }
  CHECK(eights > 100);
}
