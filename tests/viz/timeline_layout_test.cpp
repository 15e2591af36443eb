// Rows: runs stacked on one axis, each with cores, then GIL, threads and tasks per process.
#include <doctest/doctest.h>

#include <algorithm>

#include <fmt/format.h>

#include "fake_runs.hpp"
#include "viz/app_state.hpp"
#include "viz/lane_density.hpp"
#include "viz/timeline_layout.hpp"

using namespace gilsim;
using namespace gilsim::viz;
using namespace gilsim::literals;

TEST_CASE("rows stack runs, each with cores then GIL then threads") {
  const std::vector<trace::Trace> runs = {viz::testing::two_threads(), viz::testing::asyncio_run()};
  LayoutOptions o;
  o.lane_height = 10;
  o.header_height = 20;
  o.gap = 5;
  o.hide_idle_cores = false;
  const TimelineLayout layout = layout_rows(runs, o);
  // run 0: header + 2 cores + GIL + T1 + T2; run 1: header + core + GIL + loop + 3 tasks
  REQUIRE(layout.rows.size() == 6 + 7);
  CHECK(layout.rows[0].kind == Row::Kind::RunHeader);
  CHECK(runs[0].lanes[layout.rows[3].lane].kind == trace::LaneKind::Gil);
  CHECK(layout.rows[6].run == 1);
  CHECK(layout.rows[6].y == doctest::Approx(20 + 5 * 10 + 5));
  CHECK(layout.total_height == doctest::Approx(20 + 50 + 5 + 20 + 60 + 5));
  CHECK(layout.row_at(25)->lane == 0);
  CHECK(layout.row_at(72) == nullptr);  // the gap after run 0
  CHECK(layout.find(1, 2)->y == doctest::Approx(75 + 20 + 20));

  o.core_height = 4;  // thinner cores: run 0 has two, run 1 one
  CHECK(layout_rows(runs, o).total_height == doctest::Approx(layout.total_height - 3 * 6));

  o.show_cores = false;
  CHECK(layout_rows(runs, o).rows.size() == 4 + 6);

  o.show_cores = true;
  o.hide_idle_cores = true;  // the asyncio run's only core never ran a thread in this fake
  CHECK(idle_cores(runs[1]) == 1);
  CHECK(layout_rows(runs, o).rows.size() == 6 + 6);
}

TEST_CASE("a measured run is stacked right under its simulated namesake") {
  auto sim_threads = viz::testing::two_threads();
  auto sim_async = viz::testing::asyncio_run();
  auto measured_threads = viz::testing::two_threads();
  measured_threads.origin = trace::Origin::Measured;
  auto measured_other = viz::testing::asyncio_run();
  measured_other.origin = trace::Origin::Measured;
  measured_other.run_name = "only measured";
  const std::vector<trace::Trace> runs = {sim_threads, sim_async, measured_threads, measured_other};
  CHECK(stacking_order(runs) == std::vector<std::uint32_t>{0, 2, 1, 3});
  const TimelineLayout layout = layout_rows(runs, LayoutOptions{});
  std::vector<std::uint32_t> headers;
  for (const Row& r : layout.rows) {
    if (r.kind == Row::Kind::RunHeader) headers.push_back(r.run);
  }
  CHECK(headers == std::vector<std::uint32_t>{0, 2, 1, 3});
  CHECK(run_label(runs[0]) == runs[0].run_name);
  CHECK(run_label(runs[3]) == "only measured (measured)");
}

TEST_CASE("a collapsed run is one line (its name beside its GIL lane) and a busy-cores strip") {
  const std::vector<trace::Trace> runs = {viz::testing::two_threads(), viz::testing::asyncio_run()};
  LayoutOptions o;
  o.lane_height = 10;
  o.header_height = 20;
  o.strip_height = 4;
  o.gap = 5;
  o.folding = {RunFolding{true, {}}};
  const TimelineLayout layout = layout_rows(runs, o);
  REQUIRE(layout.rows.size() >= 3);
  CHECK(layout.rows[0].kind == Row::Kind::RunHeader);
  CHECK(layout.rows[0].lane == runs[0].processes[0].gil_lane);
  CHECK(layout.find(0, runs[0].processes[0].gil_lane) == &layout.rows[0]);
  CHECK(layout.rows[0].height == doctest::Approx(20));  // the taller of a header and a lane
  CHECK(layout.rows[1].kind == Row::Kind::BusyCores);
  CHECK(layout.rows[2].kind == Row::Kind::RunHeader);
  CHECK(layout.rows[2].y == doctest::Approx(20 + 4 + 5));
}

TEST_CASE("a run without core lanes (measured) has no busy-cores strip, collapsed or with its cores folded") {
  // Lesson 1's measured runs, collapsed, showed "cores busy (of 2)" over an empty strip: as if
  // no core was ever busy, where no recording sees the cores.
  trace::TraceBuilder b("threads", "threads", "new", trace::Origin::Measured, 2, 5_ms);
  const auto main = b.add_process("main", true);
  const auto t1 = b.add_lane("T1", trace::LaneKind::Thread, main);
  b.set_state(t1, 0_ms, trace::SpanState::Running);
  b.set_state(b.gil_lane(main), 0_ms, trace::SpanState::Held, t1);
  const std::vector<trace::Trace> runs = {viz::testing::two_threads(), b.finish(10_ms)};
  LayoutOptions o;
  o.lane_height = 10;
  o.header_height = 20;
  o.strip_height = 4;
  o.gap = 5;
  for (const RunFolding& f : {RunFolding{true, {}}, RunFolding{false, {}, true}}) {
    o.folding = {f, f};
    const TimelineLayout layout = layout_rows(runs, o);
    const auto strips = [&](std::uint32_t r) {
      return std::count_if(layout.rows.begin(), layout.rows.end(),
                           [&](const Row& row) { return row.run == r && row.kind == Row::Kind::BusyCores; });
    };
    CHECK(strips(0) == 1);
    CHECK(strips(1) == 0);
  }
}

TEST_CASE("fitting collapses runs only when needed, and opens the most telling ones first") {
  const std::vector<trace::Trace> runs = {viz::testing::two_threads(), viz::testing::asyncio_run(),
                                          viz::testing::two_threads()};
  LayoutOptions o;
  o.lane_height = 10;
  o.header_height = 20;
  o.strip_height = 4;
  o.gap = 5;
  std::vector<std::vector<LaneGroup>> groups(runs.size());
  const float full = layout_rows(runs, groups, o).total_height;
  CHECK(fit_runs(runs, groups, o, full) == std::vector<RunFolding>(3));  // room for all: nothing folds
  // 10 px short: every run opens with its cores as a strip (two cores of 10 px become a 4 px
  // strip); the cores come back for every open run or for none (lesson 5 presented showed
  // them for one of its three alike runs): here not all fit, so none.
  const auto tight = fit_runs(runs, groups, o, full - 10);
  for (const RunFolding& f : tight) {
    CHECK(!f.collapsed);
    CHECK(f.cores_folded);
  }
  o.folding = tight;
  CHECK(layout_rows(runs, groups, o).total_height <= full - 10);
  o.folding = {};
  const auto telling = fit_runs(runs, groups, o, full - 10, {0.0, 0.0, 5.0});
  for (const RunFolding& f : telling) CHECK(f.cores_folded);
  // Where the strips leave room for every run's cores, they all come back.
  o.folding = {RunFolding{false, {}, true}, RunFolding{false, {}, true}, RunFolding{false, {}, true}};
  const float strips = layout_rows(runs, groups, o).total_height;
  o.folding = {};
  CHECK(strips < full);
  const auto all = fit_runs(runs, groups, o, full);
  for (const RunFolding& f : all) CHECK(!f.cores_folded);
  o.folding = {};
  // Room for one open run (threads, no cores) beside two collapsed ones: the most telling.
  const float one_open = 2 * (20 + 4 + 5) + (20 + 4 + 3 * 10 + 5);
  const auto one = fit_runs(runs, groups, o, one_open, {0.0, 0.0, 5.0});
  CHECK(one[0].collapsed);
  CHECK(one[1].collapsed);
  CHECK(!one[2].collapsed);
  CHECK(one[2].cores_folded);
  o.folding = one;
  const TimelineLayout shown = layout_rows(runs, groups, o);
  CHECK(shown.total_height <= one_open);
  CHECK(shown.find(2, 0) == nullptr);  // core 0 is in the strip
  CHECK(shown.find(2, 3) != nullptr);  // T1 has its row
  o.folding = {};
  const auto tiny = fit_runs(runs, groups, o, 1);
  for (const RunFolding& f : tiny) CHECK(f.collapsed);  // never hidden: all collapsed at worst
  const auto focused = focus_run(3, 1, {});
  CHECK(!focused[1].collapsed);
  CHECK(focused[0].collapsed);
  CHECK(focused[2].collapsed);
}

TEST_CASE("many alike lanes fold into one group row that expands on demand") {
  trace::TraceBuilder b("asyncio", "asyncio", "new", trace::Origin::Simulated, 1, 5_ms);
  b.add_cores(1);
  const auto main = b.add_process("main", true);
  const auto loop = b.add_lane("event loop", trace::LaneKind::Thread, main);
  b.set_state(loop, Time::zero(), trace::SpanState::Running);
  for (int i = 0; i < 20; ++i) b.add_lane("task " + std::to_string(i), trace::LaneKind::Task, main);
  const std::vector<trace::Trace> runs = {b.finish(Time{1000})};
  const auto groups = lane_groups(runs[0]);
  REQUIRE(groups.size() == 1);
  CHECK(groups[0].label == "20 tasks");
  CHECK(groups[0].members.size() == 20);
  LayoutOptions o;
  const TimelineLayout folded = layout_rows(runs, {groups}, o);
  CHECK(std::count_if(folded.rows.begin(), folded.rows.end(), [](const Row& r) { return r.kind == Row::Kind::Group; }) == 1);
  o.folding = {RunFolding{false, {GroupShown::Expanded}}};
  const TimelineLayout open = layout_rows(runs, {groups}, o);
  CHECK(open.rows.size() == folded.rows.size() - 1 + 20);
}

TEST_CASE("a group's full height is the most of its lanes alive at once: 20 tasks, 3 at a time") {
  // Task i lives from i ms to i + 3 ms: at most three at once (one ends as the fourth begins).
  trace::TraceBuilder b("asyncio", "asyncio", "new", trace::Origin::Simulated, 1, 5_ms);
  b.add_cores(1);
  const auto main = b.add_process("main", true);
  const auto loop = b.add_lane("event loop", trace::LaneKind::Thread, main);
  b.set_state(loop, Time::zero(), trace::SpanState::Running);
  for (int i = 0; i < 20; ++i) {
    const auto task = b.add_lane("task " + std::to_string(i), trace::LaneKind::Task, main);
    b.set_state(task, Time{i * 1'000'000}, trace::SpanState::Awaiting);
    b.clear_state(task, Time{(i + 3) * 1'000'000});
  }
  const std::vector<trace::Trace> runs = {b.finish(Time{30'000'000})};
  const auto groups = lane_groups(runs[0]);
  REQUIRE(groups.size() == 1);
  CHECK(groups[0].members.size() == 20);
  CHECK(groups[0].most_at_once == 3);
}

TEST_CASE("lanes folded for being many open where every row fits, in a fit or not; a user's choice stays") {
  trace::TraceBuilder b("asyncio", "asyncio", "new", trace::Origin::Simulated, 1, 5_ms);
  const auto main = b.add_process("main", true);
  const auto loop = b.add_lane("event loop", trace::LaneKind::Thread, main);
  b.set_state(loop, Time::zero(), trace::SpanState::Running);
  for (int i = 0; i < 10; ++i) b.add_lane("task " + std::to_string(i), trace::LaneKind::Task, main);
  const std::vector<trace::Trace> runs = {b.finish(Time{1000})};
  const std::vector<std::vector<LaneGroup>> groups = {lane_groups(runs[0])};
  REQUIRE(groups[0].size() == 1);
  CHECK(groups[0][0].folded_at_first);  // ten tasks: more than eight
  LayoutOptions o;
  o.lane_height = 10;
  o.header_height = 20;
  o.gap = 5;
  o.show_cores = false;
  // Folded: header, GIL, loop, "+ 10 tasks" = 20 + 3 x 10 + 5; open, nine rows more.
  CHECK(layout_rows(runs, groups, o).total_height == doctest::Approx(55));
  const std::vector<RunFolding> as_left(1);
  CHECK(open_groups_that_fit(runs, groups, o, as_left, 145)[0].shown(0) == GroupShown::Expanded);
  CHECK(open_groups_that_fit(runs, groups, o, as_left, 144)[0].shown(0) == GroupShown::AsGrouped);  // 1 px short
  // A fit with room opens them too (it kept them folded, leaving the room empty).
  CHECK(fit_runs(runs, groups, o, 145)[0].shown(0) == GroupShown::Expanded);
  CHECK(fit_runs(runs, groups, o, 100)[0].shown(0) == GroupShown::AsGrouped);
  // Folded by a click: they stay folded, however much room.
  std::vector<RunFolding> folded(1);
  folded[0].show_group(0, GroupShown::Folded);
  CHECK(open_groups_that_fit(runs, groups, o, folded, 1000)[0].shown(0) == GroupShown::Folded);
}

TEST_CASE("a main thread that only starts the others and joins them gets no row") {
  trace::TraceBuilder b("threads", "threads", "new", trace::Origin::Simulated, 1, 5_ms);
  const auto main = b.add_process("main", true);
  const auto m = b.add_lane("main", trace::LaneKind::Thread, main);
  const auto t1 = b.add_lane("T1", trace::LaneKind::Thread, main);
  const auto tpl = b.add_template("crunch", {"cpu"});
  const auto j = b.add_job("crunch", tpl);
  b.set_state(m, Time::zero(), trace::SpanState::Starting);
  b.clear_state(m, Time{100});
  b.set_state(t1, Time{100}, trace::SpanState::Running, j, 0);
  const trace::Trace t = b.finish(Time{1000});
  CHECK(idle_thread(t, t.lanes[m]));
  CHECK(!idle_thread(t, t.lanes[t1]));
  const auto order = ordered_lanes(t, LayoutOptions{});
  CHECK(std::find(order.begin(), order.end(), m) == order.end());
}

TEST_CASE("the timeline takes its share of the window unless the panels under it would get too little") {
  CHECK(timeline_height(500, 0.7f, 100) == doctest::Approx(350));  // 150 left below: enough
  CHECK(timeline_height(500, 0.8f, 150) == doctest::Approx(350));  // the panels below keep 150
  CHECK(timeline_height(500, 0.7f, 400) == doctest::Approx(325));  // never less than 65%
}

TEST_CASE("the sweep panel takes from the timeline what it can spare: the timeline keeps 40%, or a line per run") {
  CHECK(timeline_height_beside_sweep(600, 380, 150) == doctest::Approx(240));  // the chart gets 360 where it had 220
  CHECK(timeline_height_beside_sweep(600, 380, 300) == doctest::Approx(300));  // many runs keep their lines
  CHECK(timeline_height_beside_sweep(600, 380, 500) == doctest::Approx(380));  // never taller than without the panel
  CHECK(timeline_height_beside_sweep(600, 380, 150, 0.0f) == doctest::Approx(150));  // presenting: a line per run
}

namespace {

/// A threads run without cores: the main process's GIL, a handler thread that runs no job,
/// and four threads that each run a job (two running, one waiting for the GIL, one not
/// started yet at 150 ns).
trace::Trace four_workers() {
  trace::TraceBuilder b("threads", "threads", "new", trace::Origin::Simulated, 1, 5_ms);
  const auto main = b.add_process("main", true);
  const auto handler = b.add_lane("handler", trace::LaneKind::Thread, main);
  b.set_state(handler, Time::zero(), trace::SpanState::Running);
  const auto tpl = b.add_template("crunch", {"cpu"});
  const trace::SpanState states[] = {trace::SpanState::Running, trace::SpanState::Running,
                                     trace::SpanState::WaitingGil, trace::SpanState::Running};
  for (int i = 0; i < 4; ++i) {
    const auto lane = b.add_lane(fmt::format("T{}", i + 1), trace::LaneKind::Thread, main);
    b.set_state(lane, Time{i == 3 ? 200 : 100}, states[i], b.add_job("crunch", tpl), 0);
  }
  return b.finish(Time{1000});
}

}  // namespace

TEST_CASE("a few alike lanes make a group that starts open; a fit folds it when the run would not fit otherwise") {
  const std::vector<trace::Trace> runs = {four_workers()};
  const auto groups = lane_groups(runs[0]);
  REQUIRE(groups.size() == 1);
  CHECK(groups[0].label == "4 threads");  // the handler runs no job: not one of them
  CHECK(groups[0].members.size() == 4);
  CHECK(!groups[0].folded_at_first);
  LayoutOptions o;
  o.lane_height = 10;
  o.header_height = 20;
  o.strip_height = 4;
  o.gap = 5;
  o.show_cores = false;
  // Open: header, GIL, handler and the four threads = 20 + 6 x 10 + 5. Folded: header, GIL, handler, "4 threads".
  CHECK(layout_rows(runs, {groups}, o).total_height == doctest::Approx(85));
  CHECK(fit_runs(runs, {groups}, o, 85, {}, true) == std::vector<RunFolding>(1));  // fits: nothing folds
  // 1 px short: without folding alike lanes the run collapses; with it, it opens, its threads
  // as one aggregate row and the handler on its own.
  CHECK(fit_runs(runs, {groups}, o, 84)[0].collapsed);
  const auto fitted = fit_runs(runs, {groups}, o, 84, {}, true);
  CHECK(!fitted[0].collapsed);
  CHECK(fitted[0].shown(0) == GroupShown::Folded);
  o.folding = fitted;
  const TimelineLayout folded = layout_rows(runs, {groups}, o);
  CHECK(folded.total_height == doctest::Approx(55));
  REQUIRE(folded.rows.size() == 4);
  CHECK(folded.rows[2].lane == 1);  // the handler
  CHECK(folded.rows[3].kind == Row::Kind::Group);
  // Too short even for the aggregate: collapsed.
  CHECK(fit_runs(runs, {groups}, o, 54, {}, true)[0].collapsed);
  // Expanded by hand, the group shows each lane again.
  o.folding[0].show_group(0, GroupShown::Expanded);
  CHECK(layout_rows(runs, {groups}, o).total_height == doctest::Approx(85));
}

TEST_CASE("a folded group's tooltip counts its lanes in each state at the mouse") {
  const trace::Trace run = four_workers();
  const auto groups = lane_groups(run);
  REQUIRE(groups.size() == 1);
  CHECK(group_breakdown(run, groups[0].members, Time{150}) ==
        fmt::format("at {}: 2 running Python, 1 waiting for GIL; 1 idle", Time{150}));
  CHECK(group_breakdown(run, groups[0].members, Time{50}) == fmt::format("at {}: 4 idle", Time{50}));
  CHECK(group_breakdown(run, groups[0].members, Time{300}) ==
        fmt::format("at {}: 3 running Python, 1 waiting for GIL", Time{300}));
}

TEST_CASE("of two fits, the one with more runs open shows more; then the one with the more telling runs open") {
  const auto fit = [](std::initializer_list<bool> collapsed) {
    std::vector<RunFolding> folding;
    for (const bool c : collapsed) {
      RunFolding f;
      f.collapsed = c;
      folding.push_back(f);
    }
    return folding;
  };
  const std::vector<double> priority{0.0, std::numeric_limits<double>::infinity(), 5.0};  // run 1 featured, then 2
  // Lesson 1 in presentation: the threads (1) open with the pool (2), or with sequential (0).
  CHECK(shows_more(fit({true, false, false}), fit({false, false, true}), priority));
  CHECK_FALSE(shows_more(fit({false, false, true}), fit({true, false, false}), priority));
  // More runs open wins over which.
  CHECK(shows_more(fit({false, false, false}), fit({true, false, false}), priority));
  CHECK_FALSE(shows_more(fit({true, false, true}), fit({false, true, false}), priority));
  // Equal fits: neither shows more, so the first tried stays.
  CHECK_FALSE(shows_more(fit({true, false, false}), fit({true, false, false}), priority));
}

namespace {

/// A pool run on 4 cores: the main process, its handler picking results (a job's pickling), and
/// `workers` worker processes whose thread runs job i from i ms to i + 10 ms; with
/// `main_runs_a_job`, the main thread runs a job of its own too; with `tracker`, a spawn pool's
/// resource tracker process beside them.
trace::Trace pool_run(int workers, bool main_runs_a_job, bool tracker, const std::string& worker_name = "worker") {
  trace::TraceBuilder b("pool", "process_pool", "new", trace::Origin::Simulated, 4, 5_ms);
  b.add_cores(4);
  const auto main = b.add_process("main", true);
  const auto main_thread = b.add_lane("main", trace::LaneKind::Thread, main);
  const auto handler = b.add_lane("result handler", trace::LaneKind::Thread, main);
  const std::uint32_t kind = b.add_template("crunch", {});
  const std::uint32_t own = b.add_job("own", kind);
  b.set_state(main_thread, Time::zero(), main_runs_a_job ? trace::SpanState::Running : trace::SpanState::Sleeping,
              main_runs_a_job ? own : trace::kNone);
  b.clear_state(main_thread, 30_ms);
  if (tracker) {
    const auto t = b.add_process(std::string(trace::kResourceTracker), true);
    const auto lane = b.add_lane(std::string(trace::kResourceTracker), trace::LaneKind::Thread, t);
    b.set_state(lane, Time::zero(), trace::SpanState::Starting);
    b.clear_state(lane, 1_ms);
  }
  for (int w = 0; w < workers; ++w) {
    const auto p = b.add_process(worker_name + " " + std::to_string(w + 1), true);
    const auto lane = b.add_lane(worker_name + " " + std::to_string(w + 1), trace::LaneKind::Thread, p);
    const std::uint32_t job = b.add_job("crunch " + std::to_string(w + 1), kind);
    b.set_state(lane, Time{w * 1'000'000}, trace::SpanState::Running, job);
    b.clear_state(lane, Time{(w + 10) * 1'000'000});
    b.set_state(handler, Time{(w + 10) * 1'000'000}, trace::SpanState::Pickling, job);
    b.clear_state(handler, Time{(w + 10) * 1'000'000 + 100'000});
  }
  return b.finish(30_ms);
}

}  // namespace

TEST_CASE("a collapsed pool's line shows where its jobs run: its workers, its one worker's thread, or its main GIL") {
  SUBCASE("three workers run every job: the line is their group, no lane, full height the 4 cores") {
    const std::vector<trace::Trace> runs = {pool_run(3, false, false)};
    const auto groups = lane_groups(runs[0]);
    const std::uint32_t g = summary_group(groups);
    REQUIRE(g < groups.size());
    CHECK(groups[g].label == "3 worker processes");
    CHECK(groups[g].shows_run);
    CHECK(groups[g].most_at_once == 3);
    CHECK(summary_group_height(runs[0], groups[g]) == 4.0f);  // three of four cores at most: not a full line
    LayoutOptions o;
    RunFolding collapsed;
    collapsed.collapsed = true;
    o.folding = {collapsed};
    const TimelineLayout layout = layout_rows(runs, {groups}, o);
    const Row* line = layout.header(0);
    REQUIRE(line);
    CHECK(line->collapsed);
    CHECK(line->group == g);
    CHECK(line->lane == trace::kNone);
  }
  SUBCASE("processes the parent started, one per job (lesson 18), are processes, not a pool's workers") {
    const auto groups = lane_groups(pool_run(3, false, false, "process"));
    const std::uint32_t g = summary_group(groups);
    REQUIRE(g < groups.size());
    CHECK(groups[g].label == "3 processes");
  }
  SUBCASE("a spawn pool's resource tracker folds with the workers but is not counted as one") {
    const auto groups = lane_groups(pool_run(3, false, true));
    const std::uint32_t g = summary_group(groups);
    REQUIRE(g < groups.size());
    CHECK(groups[g].label == "3 worker processes");
  }
  SUBCASE("one worker: the line is its thread, where the jobs run") {
    const trace::Trace run = pool_run(1, false, false);
    CHECK(summary_group(lane_groups(run)) == trace::kNone);
    const trace::LaneId l = summary_lane(run);
    REQUIRE(l < run.lanes.size());
    CHECK(run.lanes[l].name == "worker 1");
  }
  SUBCASE("the main process runs a job too: the line stays its GIL") {
    const trace::Trace run = pool_run(3, true, false);
    CHECK(summary_group(lane_groups(run)) == trace::kNone);
    CHECK(summary_lane(run) == run.processes[0].gil_lane);
    const trace::Trace one = pool_run(1, true, false);
    CHECK(summary_lane(one) == one.processes[0].gil_lane);
  }
}

TEST_CASE("presentation scale follows the narrower of the window's width and height") {
  using gilsim::viz::presentation_scale;
  CHECK(presentation_scale(1600, 900) == doctest::Approx(1.75));
  CHECK(presentation_scale(1920, 1080) == doctest::Approx(1.75));
  CHECK(presentation_scale(1280, 720) == doctest::Approx(1.40));
  // A 4:3 projector: by its height alone 1.5, which folded lesson 15's eight threads.
  CHECK(presentation_scale(1024, 768) == doctest::Approx(1.25));
  CHECK(presentation_scale(800, 600) == doctest::Approx(1.25));
}
