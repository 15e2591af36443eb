// The viewer in front of a class: in presentation mode every run of every bundled lesson
// shows its header and GIL lane inside the window, and dense runs draw every job-done dot
// that has room (at least 2 px from the one before), checked on the frame's own layout.
#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <numeric>

#include <imgui_internal.h>

#include "headless_viewer.hpp"
#include "lesson_runs.hpp"
#include "sim/scenario/loader.hpp"
#include "viz/ui/timeline_rows.hpp"

using namespace gilsim;
using namespace gilsim::viz;
using gilsim::viz::testing::HeadlessViewer;

namespace {

/// Whether `row` lies wholly inside the visible part of the timeline's lanes.
bool on_screen(const TimelineFrame& t, const Row& row) {
  return row.y - t.scroll >= -0.5f && row.y + row.height - t.scroll <= t.lanes_height + 0.5f;
}

/// Checks that every GIL, lock, thread and task lane of open run `r` is on screen, on its
/// own row or in its folded group's row; returns how many lanes that was.
int on_screen_lanes(const HeadlessViewer& v, std::uint32_t r) {
  const TimelineFrame& t = v.app.timeline;
  const trace::Trace& run = v.app.session.runs()[r];
  const auto& groups = v.app.runs[r].groups;
  std::vector<const Row*> group_rows(groups.size(), nullptr);
  for (const Row& row : t.layout.rows) {
    if (row.run == r && row.kind == Row::Kind::Group) group_rows[row.group] = &row;
  }
  std::vector<const Row*> row_of(run.lanes.size(), nullptr);
  for (const Row& row : t.layout.rows) {
    if (row.run == r && row.kind == Row::Kind::Lane) row_of[row.lane] = &row;
  }
  for (std::uint32_t g = 0; g < groups.size(); ++g) {
    if (!group_rows[g]) continue;
    for (trace::LaneId l : groups[g].hidden) row_of[l] = group_rows[g];
  }
  int shown = 0;
  for (trace::LaneId l : ordered_lanes(run, t.options)) {
    if (run.lanes[l].kind == trace::LaneKind::Core) continue;
    INFO("lane ", run.lanes[l].name);
    REQUIRE(row_of[l]);
    CHECK(on_screen(t, *row_of[l]));
    ++shown;
  }
  return shown;
}

}  // namespace

TEST_CASE("presenting, every run's header and GIL lane fit the window, for every bundled lesson") {
  for (const ImVec2 size : {ImVec2(1024, 640), ImVec2(1280, 720), ImVec2(1920, 1080)}) {
    for (const auto& file : scenario::bundled_scenarios()) {
      INFO(file.filename().string(), " at ", size.x, "x", size.y);
      HeadlessViewer v(size);
      v.present(file);
      const TimelineFrame& t = v.app.timeline;
      CHECK(t.lanes_top + t.lanes_height <= size.y);
      CHECK(v.app.narrative.lines_shown >= 3.0f);  // "What happened" keeps three lines of its story
      const auto& runs = v.app.session.runs();
      for (std::uint32_t r = 0; r < runs.size(); ++r) {
        INFO("run ", runs[r].run_name);
        const Row* header = t.layout.header(r);
        REQUIRE(header);
        CHECK(on_screen(t, *header));
        if (runs[r].processes.empty() || runs[r].processes[0].gil_lane >= runs[r].lanes.size()) continue;
        // Its line shows its workers, or its threads where its GIL is nearly free (summary_group, summary_lane).
        if (header->collapsed && header->lane != runs[r].processes[0].gil_lane) continue;
        const Row* gil = t.layout.find(r, runs[r].processes[0].gil_lane);
        REQUIRE(gil);
        CHECK(on_screen(t, *gil));
      }
      // The run that carries the lesson's point (featured in its file, else the most waiting) is
      // open, with the lanes its note talks about on screen: its GILs, its locks, its threads and
      // tasks, each on a row of its own or in the aggregate row its alike lanes folded into.
      const std::vector<double> interest = fit_priorities(v.app);
      const std::uint32_t r = most_telling(interest);
      if (interest.empty() || interest[r] <= 0) continue;
      INFO("the most telling run: ", runs[r].run_name);
      REQUIRE(t.layout.header(r));
      REQUIRE(!t.layout.header(r)->collapsed);  // open, not collapsed to its summary
      const int lanes = on_screen_lanes(v, r);
      CHECK(lanes > 0);
    }
  }
}

TEST_CASE("lesson 14 at 1280x720: the threads run, where clerks wait for the lock, opens and uses the room") {
  HeadlessViewer v(ImVec2(1280, 720));
  v.present(std::filesystem::path(GILSIM_SOURCE_DIR) / "scenarios/14-two-locks.toml");
  const TimelineFrame& t = v.app.timeline;
  const auto& runs = v.app.session.runs();
  std::uint32_t threads = 0;
  while (threads < runs.size() && runs[threads].run_name != "threads") ++threads;
  REQUIRE(threads < runs.size());
  int clerks = 0, locks = 0;
  for (trace::LaneId l = 0; l < runs[threads].lanes.size(); ++l) {
    const Row* row = t.layout.find(threads, l);
    if (!row || row->kind != Row::Kind::Lane || !on_screen(t, *row)) continue;
    const trace::Lane& lane = runs[threads].lanes[l];
    clerks += lane.kind == trace::LaneKind::Thread && lane.name != "main";
    locks += lane.kind == trace::LaneKind::Lock;
  }
  CHECK(clerks == 4);
  CHECK(locks == 1);
  // The space goes to the runs: less than two lane heights stay empty below the last row.
  CHECK(t.lanes_height - t.layout.total_height < 2 * v.app.layout.lane_height);
}

TEST_CASE("at 1280x720 lesson 10's chunksize 1 pool opens, its worker processes folded into one row") {
  // (Lesson 15's eight threads folded so too, until the tightest rows showed them each on its
  // row: the presented test below.)
  const std::filesystem::path lessons = std::filesystem::path(GILSIM_SOURCE_DIR) / "scenarios";
  struct Case {
    const char* file;
    const char* run;
    const char* folded;  // the aggregate row's label
    trace::LaneKind kept;  // a lane the note talks about that keeps its own row
  };
  for (const Case& c : {Case{"10-pool-overhead.toml", "chunksize 1", "4 worker processes", trace::LaneKind::Thread}}) {
    INFO(c.file);
    HeadlessViewer v(ImVec2(1280, 720));
    v.present(lessons / c.file);
    const TimelineFrame& t = v.app.timeline;
    const auto& runs = v.app.session.runs();
    std::uint32_t r = 0;
    while (r < runs.size() && runs[r].run_name != c.run) ++r;
    REQUIRE(r < runs.size());
    std::vector<double> interest;
    for (const RunIndex& index : v.app.runs) interest.push_back(index.interest);
    CHECK(most_telling(interest) == r);
    REQUIRE(t.layout.header(r));
    CHECK(!t.layout.header(r)->collapsed);
    int groups = 0, kept = 0;
    for (const Row& row : t.layout.rows) {
      if (row.run != r || !on_screen(t, row)) continue;
      if (row.kind == Row::Kind::Group) {
        ++groups;
        CHECK(v.app.runs[r].groups[row.group].label == c.folded);
        CHECK(ui::group_note(v.app.runs[r].groups[row.group]) == std::string(c.folded) + " (folded: click to expand)");
      }
      kept += row.kind == Row::Kind::Lane && runs[r].lanes[row.lane].kind == c.kept;
    }
    CHECK(groups == 1);
    CHECK(kept >= 1);
    CHECK(t.layout.find(r, runs[r].processes[0].gil_lane)->kind == Row::Kind::Lane);
    // A click on the aggregate shows each lane again (the fit stops deciding).
    const auto group_row = std::find_if(t.layout.rows.begin(), t.layout.rows.end(),
                                        [&](const Row& row) { return row.run == r && row.kind == Row::Kind::Group; });
    REQUIRE(group_row != t.layout.rows.end());
    const Row folded = *group_row;  // the frame after the click lays out new rows
    // Hovering the aggregate explains it in a tooltip.
    ImGui::GetIO().MousePos = ImVec2(v.app.timeline_rect[0] + v.app.timeline_rect[2] * 0.5f,
                                     t.lanes_top + folded.y - t.scroll + folded.height * 0.5f);
    v.frame();
    const ImGuiWindow* tip = ImGui::FindWindowByName("##Tooltip_00");
    CHECK((tip && tip->Active));
    v.click(ImVec2(v.app.timeline_rect[0] + 20, t.lanes_top + folded.y - t.scroll + folded.height * 0.5f));
    v.frame(1.0);
    CHECK(v.app.folding[r].shown(folded.group) == GroupShown::Expanded);
    CHECK(!v.app.fit_runs);
    for (const Row& row : v.app.timeline.layout.rows) CHECK(!(row.run == r && row.kind == Row::Kind::Group));
  }
}

namespace {

/// For every lane row on screen: each job-done dot at least 2 px after the previous one
/// is among the marks the frame drew. Returns how many dots that asked for.
std::size_t check_dots_drawn(const HeadlessViewer& v, Time& latest) {
  const TimelineFrame& t = v.app.timeline;
  const auto& runs = v.app.session.runs();
  const TimeView& view = v.app.view;
  std::size_t required = 0;
  for (const Row& row : t.layout.rows) {
    if (row.kind != Row::Kind::Lane || !on_screen(t, row)) continue;
    const trace::Trace& run = runs[row.run];
    const auto& drawn = t.marks_drawn[row.run];
    double previous_x = -1e18;
    for (std::uint32_t m = 0; m < run.marks.size(); ++m) {
      const trace::Mark& mark = run.marks[m];
      if (mark.lane != row.lane || mark.kind != trace::MarkKind::JobEnd) continue;
      const double x = view.x_of(mark.at);
      const bool roomy = x - previous_x >= 2.0;  // from the dot before it on the lane
      previous_x = x;
      if (!roomy || x < 0 || x > view.width_px()) continue;
      ++required;
      latest = max(latest, mark.at);
      INFO(run.run_name, " ", run.lanes[row.lane].name, " dot at ", mark.at.ns(), " ns");
      CHECK(std::find(drawn.begin(), drawn.end(), m) != drawn.end());
    }
  }
  return required;
}

}  // namespace

TEST_CASE("every job-done dot with room is drawn: lesson 11, and a thread pool 1250 s long") {
  const std::filesystem::path lessons = std::filesystem::path(GILSIM_SOURCE_DIR) / "scenarios";
  SUBCASE("lesson 11, every run open") {
    HeadlessViewer v(ImVec2(1600, 2000));
    REQUIRE(v.app.session.open(lessons / "11-old-gil.toml"));
    refresh_derived(v.app);
    for (int i = 0; i < 3; ++i) v.frame(0);
    Time latest;
    CHECK(check_dots_drawn(v, latest) >= 4);
  }
  SUBCASE("lesson 03's thread pool, focused") {
    HeadlessViewer v(ImVec2(1600, 2000));
    REQUIRE(v.app.session.open(lessons / "03-ten-thousand-connections.toml"));
    refresh_derived(v.app);
    const auto& runs = v.app.session.runs();
    std::uint32_t pool = 0;
    while (pool < runs.size() && runs[pool].executor != "thread_pool") ++pool;
    REQUIRE(pool < runs.size());
    REQUIRE(runs[pool].end > Time::from_seconds(1000));
    v.app.focus = pool;
    // Whole: each worker ends a job about every second, a pixel apart, so most dots fold,
    // and the lanes say how many.
    for (int i = 0; i < 3; ++i) v.frame(0);
    Time latest;
    check_dots_drawn(v, latest);
    CHECK(v.app.timeline.marks_folded > 1000);
    // The last 350 s: the dots are 2 px apart or more, and every one of them is drawn.
    v.app.fit_range = std::make_pair(Time::from_seconds(900), runs[pool].end);
    v.app.fit_pending = true;
    for (int i = 0; i < 3; ++i) v.frame(0);
    CHECK(check_dots_drawn(v, latest) > 1000);
    CHECK(latest > Time::from_seconds(1200));  // dots all the way, not only the first 470 s
  }
}

TEST_CASE("a click on a run's header collapses it; a double-click focuses it; F fits them all again") {
  HeadlessViewer v;
  REQUIRE(v.open());
  ImGuiIO& io = ImGui::GetIO();
  const auto header_at = [&](std::uint32_t run) {
    const Row* h = v.app.timeline.layout.header(run);
    REQUIRE(h);
    return ImVec2(v.app.timeline_rect[0] + 20, v.app.timeline.lanes_top + h->y - v.app.timeline.scroll + h->height * 0.5f);
  };
  const auto click_header = [&](std::uint32_t run) {
    v.click(header_at(run));
    v.frame(1.0);  // the new rows are laid out, and the next click is no double-click
  };
  click_header(1);
  REQUIRE(v.app.folding.size() == v.app.session.runs().size());
  CHECK(v.app.folding[1].collapsed);
  CHECK(!v.app.fit_runs);
  CHECK(v.app.timeline.layout.find(1, v.app.session.runs()[1].processes[0].gil_lane) == v.app.timeline.layout.header(1));
  click_header(1);
  CHECK(!v.app.folding[1].collapsed);
  // A double-click: two clicks in quick succession.
  io.MousePos = header_at(2);
  for (int i = 0; i < 2; ++i) {
    io.MouseDown[0] = true;
    v.frame();
    io.MouseDown[0] = false;
    v.frame();
  }
  CHECK(v.app.focus == 2u);
  v.frame();
  for (std::uint32_t r = 0; r < v.app.session.runs().size(); ++r) {
    CHECK(v.app.timeline.layout.header(r)->collapsed == (r != 2));  // only run 2 open
  }
  v.press(ui::kKeyF);
  CHECK(!v.app.focus);
  CHECK(v.app.fit_runs);
}

TEST_CASE("a click on a folded row's name shows each lane; a click on one of their names folds them") {
  HeadlessViewer v;
  REQUIRE(v.open(std::filesystem::path(GILSIM_SOURCE_DIR) / "scenarios/03-ten-thousand-connections.toml"));
  const auto row_of = [&](Row::Kind kind) -> const Row* {
    for (const Row& r : v.app.timeline.layout.rows) {
      if (r.kind == kind) return &r;
    }
    return nullptr;
  };
  const auto label_at = [&](const Row& r) {
    return ImVec2(v.app.timeline_rect[0] + 20, v.app.timeline.lanes_top + r.y - v.app.timeline.scroll + r.height * 0.5f);
  };
  const Row* group = row_of(Row::Kind::Group);
  REQUIRE(group);
  const std::uint32_t run = group->run, g = group->group;
  CHECK(v.app.runs[run].groups[g].label == "10,000 tasks");
  v.click(label_at(*group));
  v.frame(1.0);
  REQUIRE(run < v.app.folding.size());
  CHECK(v.app.folding[run].shown(g) == GroupShown::Expanded);
  CHECK(row_of(Row::Kind::Group) == nullptr);  // the asyncio run's tasks now have a row each
  const trace::LaneId first_task = v.app.runs[run].groups[g].hidden.front();
  const Row* task = v.app.timeline.layout.find(run, first_task);
  REQUIRE(task);
  v.click(label_at(*task));
  v.frame(1.0);
  CHECK(v.app.folding[run].shown(g) == GroupShown::Folded);
  CHECK(row_of(Row::Kind::Group) != nullptr);
}

TEST_CASE("at --scale 2 and 3 on 1920x1080 the toolbar and legend fit their share of the window") {
  CHECK(chrome_font_scale(17 * 3, 1080) == doctest::Approx(30.0 / 51.0));
  CHECK(chrome_font_scale(17 * 1.75f, 1080) == 1.0f);  // presenting at 1080: untouched
  for (const float scale : {2.0f, 3.0f}) {
    for (const auto& file : scenario::bundled_scenarios()) {
      INFO(file.filename().string(), " at scale ", scale);
      HeadlessViewer v(ImVec2(1920, 1080));
      REQUIRE(v.app.session.open(file));
      refresh_derived(v.app);
      v.app.ui_scale = scale;
      for (int i = 0; i < 4; ++i) v.frame(0);
      CHECK(!v.app.toolbar_overflows);
      // Fitting (on at these scales) keeps every run's header on screen.
      v.app.fit_runs = true;
      for (int i = 0; i < 2; ++i) v.frame(0);
      const TimelineFrame& t = v.app.timeline;
      for (std::uint32_t r = 0; r < v.app.session.runs().size(); ++r) {
        REQUIRE(t.layout.header(r));
        CHECK(on_screen(t, *t.layout.header(r)));
      }
    }
  }
}

TEST_CASE("presented at 1280x720, the rows a lesson is about each have a row: lesson 2's ten threads, lesson 15's eight") {
  // Lesson 2 opened all three runs with its threads and tasks folded into one row each, lesson
  // 15 its three runs with "+ 8 threads": thin rows rather than hidden ones, and the runs the
  // lesson is less about on one line each, saying how to open them.
  struct Case {
    const char* file;
    const char* run;
    int threads;  // each on its row
  };
  for (const Case& c : {Case{"02-io-bound.toml", "10 threads", 10}, Case{"15-lost-update.toml", "threads", 8}}) {
    INFO(std::string(c.file));
    HeadlessViewer v(ImVec2(1280, 720));
    v.present(std::filesystem::path(GILSIM_SOURCE_DIR) / "scenarios" / c.file);
    const TimelineFrame& t = v.app.timeline;
    const auto& runs = v.app.session.runs();
    const std::uint32_t r = testing::run_named(v, c.run);
    REQUIRE(t.layout.header(r));
    CHECK(!t.layout.header(r)->collapsed);
    int threads = 0;
    for (const Row& row : t.layout.rows) {
      CHECK(row.kind != Row::Kind::Group);
      threads += row.run == r && row.kind == Row::Kind::Lane && on_screen(t, row) &&
                 runs[r].lanes[row.lane].kind == trace::LaneKind::Thread && runs[r].lanes[row.lane].name != "main";
    }
    CHECK(threads == c.threads);
    CHECK(t.options.lane_height >= 18);  // read from the back of a room (19 px, its text 20 px)
    CHECK(t.layout.total_height <= t.lanes_height);
    for (std::uint32_t o = 0; o < runs.size(); ++o) {
      REQUIRE(t.layout.header(o));
      CHECK(on_screen(t, *t.layout.header(o)));
    }
  }
  // Lesson 2's asyncio run, on one line, says how to see its ten tasks.
  HeadlessViewer v(ImVec2(1280, 720));
  v.present(std::filesystem::path(GILSIM_SOURCE_DIR) / "scenarios/02-io-bound.toml");
  const std::uint32_t asyncio = testing::run_named(v, "asyncio");
  REQUIRE(v.app.timeline.options.folding[asyncio].collapsed);
  CHECK(v.app.timeline.open_hints[asyncio] == "click the name to open");
}

TEST_CASE("lesson 2's ten threads, folded for being many, show where the window has room for them, fitted or not") {
  // At 1920x1080 every row of the three runs, the ten threads open, takes 586 px of 603: they
  // were folded into one row all the same, 217 px left empty under the runs. At 1280x720 the
  // rows with the threads folded already need 379 px of 335: unfitted, they stay folded;
  // fitted, the other runs go on one line each and the threads show.
  for (const bool fitted : {false, true}) {
    for (const ImVec2 size : {ImVec2(1920, 1080), ImVec2(1280, 720)}) {
      INFO(size.x, "x", size.y, std::string(fitted ? ", fitted (F)" : ""));
      HeadlessViewer v(size);
      REQUIRE(v.open(std::filesystem::path(GILSIM_SOURCE_DIR) / "scenarios/02-io-bound.toml"));
      if (fitted) v.press(ui::kKeyF);
      v.frame();
      const TimelineFrame& t = v.app.timeline;
      const auto& runs = v.app.session.runs();
      REQUIRE(runs.size() == 3);
      REQUIRE(runs[1].run_name == "10 threads");
      int thread_rows = 0;
      for (const Row& row : t.layout.rows) {
        thread_rows += row.run == 1 && row.kind == Row::Kind::Lane && runs[1].lanes[row.lane].kind == trace::LaneKind::Thread &&
                       runs[1].lanes[row.lane].name != "main";
      }
      // Fitted at 1280x720, the other runs go on one line each and the rows shrink for them.
      const bool room = size.y >= 1080 || fitted;
      CHECK(thread_rows == (room ? 10 : 0));
      if (room) CHECK(t.layout.total_height <= t.lanes_height);
      // The shown lanes' names fold them again, as a click on the aggregate's would have opened them.
      if (room) CHECK(t.options.folding[1].shown(0) == GroupShown::Expanded);
    }
  }
}

namespace {

/// Every run of the lesson shown measured too (a copy of its prediction, its cores blank as no
/// recording sees them), each measurement waiting more than its prediction, as on a busy machine.
void add_busy_measurements(HeadlessViewer& v) {
  gilsim::viz::testing::measure_as_predicted(v, gilsim::viz::testing::without_cores);
  const auto& runs = v.app.session.runs();
  for (std::uint32_t r = 0; r < runs.size(); ++r) {
    if (runs[r].origin == trace::Origin::Measured) v.app.runs[r].interest = 3 * v.app.runs[r].interest + 1;
  }
  for (int i = 0; i < 4; ++i) v.frame(0);
}

}  // namespace

TEST_CASE("lesson 04 presented at 1024x640 with its runs measured: a prediction opens first, its measurement beside it") {
  // On a busy machine the measured asyncio run waited longest (its threads starved): the fit
  // opened it, folded the prediction above it, and left empty space below.
  HeadlessViewer v(ImVec2(1024, 640));
  v.present(gilsim::viz::testing::bundled_lesson("04-blocking-coroutine.toml"));
  add_busy_measurements(v);
  const auto& runs = v.app.session.runs();
  REQUIRE(runs.size() == 4);
  // The fit's order: each prediction, then its measurement, whatever the measurement waited.
  const std::vector<double> priority = fit_priorities(v.app);
  std::vector<std::uint32_t> order(runs.size());
  std::iota(order.begin(), order.end(), 0u);
  std::stable_sort(order.begin(), order.end(), [&](std::uint32_t a, std::uint32_t b) { return priority[a] > priority[b]; });
  const std::vector<std::uint32_t> stacked = stacking_order(runs);
  CHECK(order == stacked);  // asyncio, measured; threads, measured (asyncio waited more)
  const TimelineFrame& t = v.app.timeline;
  // The predicted asyncio run opens, its measurement beside it (its four tasks in one
  // aggregate row, as the prediction's): the room below went to them.
  for (const std::uint32_t r : {stacked[0], stacked[1]}) {
    INFO(run_label(runs[r]));
    REQUIRE(t.layout.header(r));
    CHECK(!t.layout.header(r)->collapsed);
    CHECK(on_screen_lanes(v, r) > 0);
  }
  CHECK(t.lanes_height - t.layout.total_height < 2 * v.app.layout.lane_height);
}

TEST_CASE("lesson 01 presented at 1280x720 with its runs measured: the four threads open beside their measurement") {
  // At tight rows the pair was 2 px too tall: the measurement stayed one line under its
  // prediction; the tightest rows (19 px at this scale) show both.
  HeadlessViewer v(ImVec2(1280, 720));
  v.present(gilsim::viz::testing::bundled_lesson("01-cpu-bound.toml"));
  add_busy_measurements(v);
  const auto& runs = v.app.session.runs();
  const TimelineFrame& t = v.app.timeline;
  int open = 0;
  for (std::uint32_t r = 0; r < runs.size(); ++r) {
    if (runs[r].run_name != "4 threads") continue;
    INFO(run_label(runs[r]));
    REQUIRE(t.layout.header(r));
    CHECK(!t.layout.header(r)->collapsed);
    CHECK(on_screen_lanes(v, r) > 0);
    ++open;
  }
  CHECK(open == 2);
  CHECK(v.app.layout.lane_height >= 18);  // still read from the back of a room
}
