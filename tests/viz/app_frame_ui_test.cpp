// Whole frames of the viewer built headlessly (ImGui without a window): the default
// scenario draws, keys drive playback, knobs re-run the model, a broken edit keeps the runs.
#include <doctest/doctest.h>
#include <imgui_internal.h>  // FindWindowByName: where the playhead panel is

#include <chrono>
#include <filesystem>
#include <fstream>
#include <optional>
#include <vector>

#include <imgui.h>

#include "fake_runs.hpp"
#include "headless_viewer.hpp"
#include "sim/model/simulate.hpp"
#include "sim/scenario/loader.hpp"
#include "tests/lane_lookup.hpp"
#include "tests/temp_folder.hpp"
#include "viz/run_caveats.hpp"
#include "viz/app_state.hpp"
#include "viz/ui/panels.hpp"
#include "viz/ui/app_frame.hpp"
#include "viz/ui/keys.hpp"
#include "viz/ui/theme.hpp"

using namespace gilsim;
using namespace gilsim::literals;
using namespace gilsim::viz;
using gilsim::viz::testing::HeadlessViewer;


TEST_CASE("the default scenario draws a full frame without a window") {
  HeadlessViewer v;
  REQUIRE(v.app.session.open({}));
  refresh_derived(v.app);
  v.frame();
  const int vertices = v.frame();
  CHECK(vertices > 5000);
  CHECK(v.app.session.runs().size() >= 2);
  CHECK(v.app.narrative.narrative.size() > 0);
}

TEST_CASE("Space plays and pauses; the arrows step exactly onto events") {
  HeadlessViewer v;
  REQUIRE(v.app.session.open({}));
  refresh_derived(v.app);
  v.frame();
  v.press(ui::kKeySpace);
  CHECK(v.app.playback.playing());
  CHECK(v.app.playback.now() > 0_ms);
  v.press(ui::kKeySpace);
  CHECK(!v.app.playback.playing());

  v.press(ui::kKeyHome);
  CHECK(v.app.playback.now() == 0_ms);
  const Time first = v.app.events.next(0_ms, false);
  v.press(ui::kKeyRight);
  CHECK(v.app.playback.now() == first);
  v.press(ui::kKeyRight);
  CHECK(v.app.playback.now() == v.app.events.next(first, false));
  v.press(ui::kKeyLeft);
  CHECK(v.app.playback.now() == first);
  v.press(ui::kKeyEnd);
  CHECK(v.app.playback.now() == v.app.playback.end());
}

TEST_CASE("clicking the time axis moves the playhead; the wheel zooms around the mouse") {
  HeadlessViewer v;
  REQUIRE(v.open());
  ImGuiIO& io = ImGui::GetIO();
  const float* r = v.app.timeline_rect;
  const float axis_y = r[1] + ImGui::GetFontSize() * 0.8f;
  const float x = r[0] + r[2] * 0.6f;
  v.click(ImVec2(x, axis_y));
  const Time at = v.app.playback.now();
  CHECK(at > 0_ms);
  CHECK(at < v.app.playback.end());

  // Over the lanes, one notch of the wheel zooms in and keeps the time under the mouse.
  const float lanes_y = r[1] + r[3] * 0.5f;
  io.MousePos = ImVec2(x, lanes_y);
  v.frame();
  const double ns_per_px = v.app.view.ns_per_px();
  const double lanes_left = x - v.app.view.x_of(at);  // screen x of the view's x = 0
  const Time under = v.app.view.time_at(x - lanes_left);
  io.MouseWheel = 1;
  v.frame();
  CHECK(v.app.view.ns_per_px() < ns_per_px);
  CHECK(std::abs((v.app.view.time_at(x - lanes_left) - under).ns()) <= static_cast<std::int64_t>(v.app.view.ns_per_px()) + 1);
}

TEST_CASE("G makes the arrows step between GIL events only; Ctrl+S asks for a timeline PNG") {
  HeadlessViewer v;
  REQUIRE(v.app.session.open({}));
  refresh_derived(v.app);
  v.frame();
  v.press(ui::kKeyG);
  CHECK(v.app.gil_events_only);
  v.press(ui::kKeyRight);
  CHECK(v.app.playback.now() == v.app.events.next(0_ms, true));

  ImGui::GetIO().KeyCtrl = true;
  v.press(ui::kKeyS);
  ImGui::GetIO().KeyCtrl = false;
  REQUIRE(v.app.screenshot);
  CHECK(v.app.screenshot->timeline_only);
  CHECK(v.app.screenshot->path.rfind("gilviz-default-", 0) == 0);
}

TEST_CASE("F1 opens the help, Esc closes it; P toggles presentation at a larger scale") {
  HeadlessViewer v;
  REQUIRE(v.app.session.open({}));
  refresh_derived(v.app);
  v.frame();
  v.press(ui::kKeyF1);
  CHECK(v.app.show_help);
  v.press(ui::kKeyEscape);
  CHECK(!v.app.show_help);
  v.press(ui::kKeyP);
  CHECK(v.app.presentation);
  CHECK(v.app.ui_scale >= 1.75f);
  ui::apply_theme(v.app.ui_scale);
  CHECK(v.frame() > 1000);
}

TEST_CASE("knobs re-run the model; going back restores the file's values") {
  HeadlessViewer v;
  REQUIRE(v.app.session.open({}));
  refresh_derived(v.app);
  Knobs k;
  k.cores = 1;
  k.switch_interval = 1_ms;
  REQUIRE(v.app.session.set_knobs(k));
  refresh_derived(v.app);
  for (const auto& run : v.app.session.runs()) CHECK(run.cores == 1);
  v.frame();
  REQUIRE(v.app.session.set_knobs({}));
  CHECK(v.app.session.runs().front().cores == v.app.session.scenario().machine.cores);
}

namespace {

/// The watched file of the test below, in a folder of its own.
struct WatchedFile {
  gilsim::testing::TempFolder folder{"gilviz_watched"};
  std::filesystem::path file = folder.path() / "watched.toml";
};

}  // namespace

TEST_CASE("two runs of the watched-file test at once watch files of their own") {
  const WatchedFile one, other;
  CHECK(one.file != other.file);
  CHECK(std::filesystem::is_directory(one.folder.path()));
  std::filesystem::path gone;
  {
    const WatchedFile brief;
    gone = brief.folder.path();
    std::ofstream(brief.file) << "title = \"x\"\n";
  }
  CHECK(!std::filesystem::exists(gone));  // removed with its file
}

TEST_CASE("a broken edit of the watched file shows its error and keeps the last good runs") {
  namespace fs = std::filesystem;
  const WatchedFile watched;
  const fs::path& file = watched.file;
  {
    std::ofstream out(file);
    out << scenario::embedded_default_text();
  }
  Session s;
  REQUIRE(s.open(file));
  const auto generation = s.generation();
  const std::size_t runs = s.runs().size();
  {
    std::ofstream out(file);
    out << "title = \"broken\"\n[machine]\ncores = \"many\"\n";
  }
  fs::last_write_time(file, fs::last_write_time(file) + std::chrono::seconds(2));
  CHECK(!s.poll(1.5));
  CHECK(s.error().find("watched.toml:3") != std::string::npos);
  CHECK(s.runs().size() == runs);
  CHECK(s.generation() == generation);
  CHECK(!s.poll(1.5));  // the same broken version is not reloaded every second

  {
    std::ofstream out(file);
    out << scenario::embedded_default_text();
  }
  fs::last_write_time(file, fs::last_write_time(file) + std::chrono::seconds(4));
  CHECK(s.poll(1.5));
  CHECK(s.error().empty());
  CHECK(s.generation() == generation + 1);
}

TEST_CASE("opening a missing file keeps what was open") {
  Session s;
  REQUIRE(s.open({}));
  CHECK(!s.open("/nonexistent/file.toml"));
  CHECK(!s.error().empty());
  CHECK(s.file().empty());
  CHECK(!s.runs().empty());
}

TEST_CASE("a span's tooltip says who, what, when, how long and why") {
  const trace::Trace t = viz::testing::two_threads();
  // T2 (lane 4) waits for the GIL from 1 ms to 6.5 ms while T1 holds it.
  CHECK(ui::describe_span_detail(t, 4, 0) ==
        "T2 waiting for GIL, crunch 2, step 1: cpu 9 ms  (threads)\n"
        "from 1.00 ms to 6.50 ms, for 5.50 ms\n"
        "T1 held the GIL when T2 asked for it.");
  // T2's I/O: the legend's meaning of the state, as a sentence.
  CHECK(ui::describe_span_detail(t, 4, 2).find("In a system call") != std::string::npos);
}

TEST_CASE("a peer's answer is told as its answer, its last one too, not as the process ending (S9)") {
  // An echo server's only answer was "The process ending: its exit, in C code without the GIL (P8)."
  const scenario::Scenario s = scenario::load_string(R"(
title = "Echo"
[machine]
cores = 2
[[job]]
name = "client"
steps = [ { io = "1ms", answer = "5ms" }, { cpu = "1ms" } ]
[[run]]
executor = "threads"
)",
                                                     "echo.toml");
  const trace::Trace t = model::simulate(s, s.runs.front());
  const trace::LaneId peer = gilsim::test::lane_id_named(t, "peer");
  REQUIRE(t.lanes[peer].spans.size() == 1);
  CHECK(ui::describe_span_detail(t, peer, 0) ==
        "peer native  (threads)\n"
        "from 35.7 us to 5.04 ms, for 5.00 ms\n"
        "The peer computing its answer: the process at the other end of client's socket, on a core for the step's "
        "answer before it replies, with a GIL of its own that nothing else wants (S9).");
}

namespace {

/// The first span of `lane` (by name) in `state`: its index, or none.
std::optional<std::size_t> first_in(const trace::Trace& t, trace::LaneId lane, trace::SpanState state) {
  const auto& spans = t.lanes[lane].spans;
  for (std::size_t i = 0; i < spans.size(); ++i) {
    if (spans[i].state == state) return i;
  }
  return std::nullopt;
}

}  // namespace

TEST_CASE("a wake's tooltip names whom it wakes: the thread its take forced out, or the lock's waiter") {
  // Two hogs: the main thread, back from starting T1, forces T1 out to start T2, and its
  // signal of switch_cond wakes T1 (G8c).
  const scenario::Scenario hogs = scenario::load_string(R"(
title = "two hogs"
[machine]
cores = 2
[python]
switch_interval = "4ms"
[[job]]
name = "hog"
count = 2
steps = [ { cpu = "6ms" } ]
[[run]]
name = "threads"
executor = "threads"
)", "hogs.toml");
  const trace::Trace forced = model::simulate(hogs, hogs.runs[0]);
  const trace::LaneId main = gilsim::test::lane_id_named(forced, "main");
  const auto signal = first_in(forced, main, trace::SpanState::Waking);
  REQUIRE(signal);
  const std::string detail = ui::describe_span_detail(forced, main, *signal);
  CHECK(detail.find("main has just taken the GIL from T1 and wakes T1") != std::string::npos);
  CHECK(detail.find("no Python runs") != std::string::npos);

  // T1 releases the lock T2 sleeps on: its release() wakes T2, which takes the lock next (L8).
  const scenario::Scenario locked = scenario::load_string(R"(
title = "a lock's wake"
[machine]
cores = 2
[locks]
L = "Lock"
[[job]]
name = "a"
steps = [ { acquire = "L" }, { io = "1ms" }, { cpu = "1ms" }, { release = "L" }, { cpu = "1ms" } ]
[[job]]
name = "b"
steps = [ { acquire = "L" }, { cpu = "1ms" }, { release = "L" } ]
[[run]]
name = "threads"
executor = "threads"
)", "locked.toml");
  const trace::Trace woke = model::simulate(locked, locked.runs[0]);
  const trace::LaneId t1 = gilsim::test::lane_id_named(woke, "T1");
  const auto release = first_in(woke, t1, trace::SpanState::Waking);
  REQUIRE(release);
  const std::string why = ui::describe_span_detail(woke, t1, *release);
  CHECK(why.find("T1 has released lock L and wakes T2, asleep on it; T2 holds it next") != std::string::npos);
}

TEST_CASE("every wake in the lessons with convoys names whom it wakes") {
  for (const char* lesson : {"scenarios/07-convoy.toml", "scenarios/14-two-locks.toml", "scenarios/15-lost-update.toml"}) {
    CAPTURE(lesson);
    const scenario::Scenario s = scenario::load_file(std::filesystem::path(GILSIM_SOURCE_DIR) / lesson);
    std::size_t wakes = 0;
    for (const scenario::Run& r : s.runs) {
      const trace::Trace t = model::simulate(s, r);
      for (trace::LaneId lane = 0; lane < t.lanes.size(); ++lane) {
        const auto& spans = t.lanes[lane].spans;
        for (std::size_t i = 0; i < spans.size() && wakes < 2000; ++i) {
          if (spans[i].state != trace::SpanState::Waking) continue;
          ++wakes;
          const std::string detail = ui::describe_span_detail(t, lane, i);
          CAPTURE(detail);
          CHECK((detail.find("has just taken the GIL from") != std::string::npos ||
                 detail.find("has released lock") != std::string::npos));
          CHECK(detail.find("a thread asleep") == std::string::npos);  // the woken thread named
        }
      }
    }
    CHECK(wakes > 0);
  }
}

TEST_CASE("frames keep coming while runs execute for real; Cancel in the toolbar state stops them") {
  HeadlessViewer v;
  REQUIRE(v.app.session.open(std::filesystem::path(GILSIM_SOURCE_DIR) / "tests/viz/data/sleepy_real.toml"));
  refresh_derived(v.app);
  start_measuring(v.app);
  // Each frame returns while the 30-second naps still run: drawing never waits for them.
  for (int i = 0; i < 3; ++i) CHECK(v.frame() > 1000);
  CHECK(measuring(v.app));
  v.app.measuring.runner.cancel();
  v.app.measuring.runner.wait();
  v.frame();
  CHECK_FALSE(measuring(v.app));
  REQUIRE(v.app.measuring.outcomes.size() == 2);
  CHECK(v.app.measuring.outcomes[0].kind == RealOutcome::Kind::Cancelled);
  CHECK(v.app.session.runs().size() == 2);  // nothing measured, nothing added
}

TEST_CASE("runs asked for at start-up are measured once the first frame is drawn") {
  HeadlessViewer v;
  REQUIRE(v.app.session.open(std::filesystem::path(GILSIM_SOURCE_DIR) / "tests/viz/data/tiny_real.toml"));
  refresh_derived(v.app);
  start_measuring_after_first_frame(v.app);
  // Nothing runs before the window is drawn: its drawing would share the first run's cores.
  collect_measurements(v.app);
  CHECK_FALSE(measuring(v.app));
  CHECK(v.app.measuring.runner.progress().run_count == 0);  // never started
  v.frame();  // the first frame: drawn before anything is measured
  CHECK(v.app.measuring.runner.progress().run_count == 0);
  CHECK(v.app.measuring.start_pending.has_value());
  v.frame();  // the next frame starts the runs
  CHECK_FALSE(v.app.measuring.start_pending.has_value());
  v.app.measuring.runner.wait();
  v.frame();
  CHECK(v.app.session.runs().size() == 4);  // both runs measured, under their predictions
}

TEST_CASE("measured runs of a tiny scenario arrive in the frames that follow") {
  HeadlessViewer v;
  REQUIRE(v.app.session.open(std::filesystem::path(GILSIM_SOURCE_DIR) / "tests/viz/data/tiny_real.toml"));
  refresh_derived(v.app);
  start_measuring(v.app);
  v.frame();  // the view fits the predictions
  v.app.measuring.runner.wait();
  v.frame();
  CHECK(v.app.session.runs().size() == 4);
  CHECK(v.app.runs.size() == 4);
  CHECK(v.frame() > 1000);
  // The view showed everything, so it grows to the axis' end: the predictions' end while
  // slower measured runs are clipped (the default), every run's end when they are not.
  CHECK(v.app.view.end() >= axis_end(v.app.session.runs(), true));
  v.app.clip_measured = false;
  v.press(ui::kKeyF);
  CHECK(v.app.view.end() >= total_end(v.app.session.runs()));
}

TEST_CASE("the story's lines below the playhead's stay put while a line at the playhead shows on two rows") {
  // Lesson 16 at 1280x720, all runs: at 1.045 ms T1's wait for lock_b shows on two rows, the
  // line before it (T2's job start, 77 us) on one. Stepping onto it and along it, the line
  // after the playhead's starts at the same height: the list scrolls under the playhead
  // instead of jumping. The deadlock comes at 1.080 ms (1.096 ms before the starts' two
  // wake-ups, docs/model.md T1a, which also took away the main thread's GIL waits and their
  // lines, so the list scrolls from 77 us on where it did from 59; 1.266 ms before T1a's
  // measured thread_start; 1.259 ms before G8c).
  HeadlessViewer v(ImVec2(1280, 720));
  REQUIRE(v.open(gilsim::viz::testing::bundled_lesson("16-deadlock.toml")));
  std::vector<float> below;
  for (const Time t : {80_us, 1045_us, 1060_us, 1075_us, 1100_us}) {
    INFO("at ", t);
    v.app.playback.seek(t);
    v.frame();
    const float first = v.app.narrative.after_playhead_y;
    v.frame();
    CHECK(v.app.narrative.after_playhead_y == first);  // in the frame the playhead moved, not one later
    below.push_back(first);
  }
  REQUIRE(below.size() == 5);
  CHECK(below[0] > 0);
  for (std::size_t i = 1; i < 4; ++i) CHECK(below[i] == below[0]);
  // The deadlock's three lines take five rows, more than three fifths of the list: they end lower.
  CHECK(below[4] > below[0]);
}

namespace {
/// Lesson 17 presented as `gilviz 17 --presentation` opens it: its scale and theme.
void present_lesson_17(HeadlessViewer& v) {
  REQUIRE(v.open(gilsim::viz::testing::bundled_lesson("17-big-results.toml")));
  v.app.presentation = true;
  v.app.auto_presentation_scale = true;
  v.frame();
  ui::apply_theme(v.app.ui_scale);
  v.frame();
}
}  // namespace

TEST_CASE("in a short story panel the playhead's line stays in view when its instant's lines take more rows than the panel") {
  // Lesson 17 presented at 1280x720, at 53.45 ms: the instant's three lines took five rows in
  // a list of three, and the lines above the view, skipped by the clipper, counted one row
  // each where the scroll had counted them whole: the list began at 53.669 ms, the playhead's
  // line above it.
  HeadlessViewer v(ImVec2(1280, 720));
  present_lesson_17(v);
  INFO("scale ", v.app.ui_scale, ", story lines shown ", v.app.narrative.lines_shown);
  CHECK(v.app.narrative.lines_shown < 5);  // the short panel of a projector's 1280x720
  for (const Time t : {53'450_us, 53'438_us, 1045_us, 120_ms}) {
    INFO("at ", t);
    v.app.playback.seek(t);
    v.frame();
    v.frame();
    const auto& panel = v.app.narrative;
    REQUIRE(panel.after_playhead_y > 0);
    CHECK(panel.playhead_line_y >= panel.list_top);
    CHECK(panel.playhead_line_y < panel.list_bottom);
    CHECK(panel.after_playhead_y <= panel.list_bottom);
  }
}

TEST_CASE("the playhead panel folds a run as the timeline does, lists the open ones first, the featured one first of them, and a click on its name there folds it on both") {
  // Presenting lesson 17 at 1280x720, the panel's three lines went to the baseline the
  // timeline had folded; the runs the timeline showed were below them, out of view.
  HeadlessViewer v(ImVec2(1280, 720));
  present_lesson_17(v);
  v.app.fit_runs = false;
  v.app.folding.resize(v.app.session.runs().size());
  v.app.folding[0].collapsed = true;  // the baseline, as gilviz 17 --presentation folds it
  for (int i = 0; i < 3; ++i) v.frame();
  const auto folded = [&](std::uint32_t r) {
    const auto& shown = v.app.timeline.options.folding;
    return r < shown.size() && shown[r].collapsed;
  };
  REQUIRE(folded(0));
  REQUIRE(!folded(1));
  const ImGuiWindow* panel = ImGui::FindWindowByName("At the playhead");
  REQUIRE(panel != nullptr);
  // The first run's header: under the bold "At the playhead" line (presenting, its lines are
  // closer together: playhead_panel_spacing).
  const float tight = ui::playhead_panel_spacing(v.app.ui_scale);
  // Presenting, the panel starts under the timeline's last row, higher as runs fold.
  const auto header_y = [&] {
    return panel->Pos.y + panel->TitleBarHeight() + tight + ImGui::GetTextLineHeight() + tight +
           (ImGui::GetTextLineHeight() + 2 * tight) * 0.5f;
  };
  // The runs the timeline shows come first in the panel, the lesson's featured run first of
  // them: the first header is run 2's, the pool of 4, though the threads run is above it.
  v.click(ImVec2(panel->Pos.x + panel->Size.x * 0.5f, header_y()));
  v.frame();
  CHECK(folded(2));  // folded here, folded on the timeline
  CHECK(folded(0));
  // Run 1, still open, comes first now; folded too, every run is folded and they come in the
  // order a fit opens them: the featured run first, the sequential baseline last.
  REQUIRE(!folded(1));
  v.click(ImVec2(panel->Pos.x + panel->Size.x * 0.5f, header_y()));
  v.frame();
  REQUIRE(folded(1));
  v.click(ImVec2(panel->Pos.x + panel->Size.x * 0.5f, header_y()));
  v.frame();
  CHECK(!folded(2));  // opened here, opened on the timeline
  CHECK(folded(1));
  CHECK(folded(0));
}
