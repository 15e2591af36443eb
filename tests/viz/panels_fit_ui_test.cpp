// The panels at a classroom's window sizes: nothing they write runs past their right edge
// (a cut label, a table that scrolls sideways), checked on what ImGui laid out.
#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <string>

#include <imgui_internal.h>

#include "headless_viewer.hpp"
#include "viz/ui/panels.hpp"

using namespace gilsim;
using namespace gilsim::viz;
using gilsim::viz::testing::HeadlessViewer;

namespace {

/// The panels (and their children) whose items reach past the panel's right edge, with how far.
/// The toolbar sizes itself to its content, but never wider than the window: it counts too.
std::string cut_on_the_right() {
  std::string cut;
  ImGuiContext& g = *ImGui::GetCurrentContext();
  for (ImGuiWindow* w : g.Windows) {
    if (!w->WasActive || w->Hidden) continue;
    if (w->Flags & (ImGuiWindowFlags_Tooltip | ImGuiWindowFlags_Popup)) continue;
    if ((w->Flags & ImGuiWindowFlags_AlwaysAutoResize) && std::string(w->Name) != "##toolbar") continue;
    const float over = w->DC.CursorMaxPos.x - w->WorkRect.Max.x;
    if (over > 1.0f) cut += std::string(w->Name) + " by " + std::to_string(static_cast<int>(over)) + " px; ";
  }
  return cut;
}

/// The side panel's numbers table (its widest): it does not scroll, and its columns end inside it.
void check_numbers_table() {
  ImGuiContext& g = *ImGui::GetCurrentContext();
  bool found = false;
  for (int i = 0; i < g.Tables.GetMapSize(); ++i) {
    const ImGuiTable* t = g.Tables.TryGetMapData(i);
    if (!t || t->LastFrameActive < g.FrameCount - 1) continue;
    if (std::string(t->OuterWindow->RootWindow->Name).find("##details") == std::string::npos) continue;
    found = true;
    CHECK_FALSE((t->Flags & ImGuiTableFlags_ScrollX));
    for (int c = 0; c < t->ColumnsCount; ++c) {
      INFO("column ", c);
      CHECK(t->Columns[c].MaxX <= t->OuterRect.Max.x + 0.5f);
    }
  }
  CHECK(found);
}

}  // namespace

TEST_CASE("presenting at 1280 and 1920 wide, no panel writes past its right edge") {
  for (const ImVec2 size : {ImVec2(1280, 720), ImVec2(1920, 1080)}) {
    for (const char* lesson : {"01-cpu-bound.toml", "07-convoy.toml", "09-pool-sizing.toml", "13-to-thread.toml"}) {
      INFO(std::string(lesson), " at ", size.x, "x", size.y);
      HeadlessViewer v(size);
      REQUIRE(v.open(testing::bundled_lesson(lesson)));
      v.press(ui::kKeyP);
      for (int i = 0; i < 4; ++i) v.frame();
      REQUIRE(v.app.presentation);
      CHECK(cut_on_the_right() == "");
    }
  }
}

TEST_CASE("at 1280, 1600 and 1920 wide no panel writes past its right edge, and the numbers table fits") {
  for (const ImVec2 size : {ImVec2(1280, 720), ImVec2(1600, 900), ImVec2(1920, 1080)}) {
    for (const char* lesson : {"01-cpu-bound.toml", "07-convoy.toml", "09-pool-sizing.toml", "13-to-thread.toml",
                               "14-two-locks.toml"}) {
      INFO(std::string(lesson), " at ", size.x, "x", size.y);
      HeadlessViewer v(size);
      REQUIRE(v.open(testing::bundled_lesson(lesson)));
      CHECK(cut_on_the_right() == "");
      check_numbers_table();
      // The inspector, on a span of the lesson's longest-named thread lane.
      const auto& runs = v.app.session.runs();
      SpanRef pick;
      std::size_t longest = 0;
      for (std::uint32_t r = 0; r < runs.size(); ++r) {
        for (trace::LaneId l = 0; l < runs[r].lanes.size(); ++l) {
          const trace::Lane& lane = runs[r].lanes[l];
          if (lane.kind != trace::LaneKind::Thread || lane.spans.empty() || lane.name.size() <= longest) continue;
          longest = lane.name.size();
          pick = SpanRef{r, l, 0};
        }
      }
      REQUIRE(pick.valid());
      v.app.selected = pick;
      v.frame();
      v.frame();
      REQUIRE(v.app.inspector_shown == v.app.selected);
      CHECK(cut_on_the_right() == "");
      // The sweep panel's controls, before any sweep ran.
      v.app.sweep.visible = true;
      v.frame();
      v.frame();
      CHECK(cut_on_the_right() == "");
    }
  }
}

TEST_CASE("at 1024x640 and 1280x720, presenting or not, no panel of any lesson cuts a label, the toolbar's included") {
  for (const ImVec2 size : {ImVec2(1024, 640), ImVec2(1280, 720)}) {
    for (const auto& file : scenario::bundled_scenarios()) {
      for (const bool presenting : {false, true}) {
        INFO(file.filename().string(), " at ", size.x, "x", size.y, std::string(presenting ? ", presenting" : ""));
        HeadlessViewer v(size);
        if (presenting) {
          v.present(file);
        } else {
          REQUIRE(v.open(file));
        }
        for (int i = 0; i < 2; ++i) v.frame();
        CHECK(cut_on_the_right() == "");
        CHECK_FALSE(v.app.toolbar_overflows);
        // And where the pictures put the playhead: longer times, holders and waiters.
        v.app.playback.seek(Time::from_seconds(0.1));
        for (int i = 0; i < 2; ++i) v.frame();
        CHECK(cut_on_the_right() == "");
      }
    }
  }
}

TEST_CASE("lesson 20's sweep at 1024x640 and 1280x720: its chart takes what the timeline can spare, its labels whole") {
  for (const ImVec2 size : {ImVec2(1024, 640), ImVec2(1280, 720)}) {
    for (const bool presenting : {false, true}) {
      INFO(size.x, "x", size.y, std::string(presenting ? ", presenting" : ""));
      HeadlessViewer v(size);
      if (presenting) {
        v.present(testing::bundled_lesson("20-sweep-pool-size.toml"));
      } else {
        REQUIRE(v.open(testing::bundled_lesson("20-sweep-pool-size.toml")));
      }
      v.app.sweep.vary = "workers=1,2,4,8,16";
      ui::start_sweep(v.app.sweep, v.app.session);
      v.app.sweep.runner.wait();
      for (int i = 0; i < 3; ++i) v.frame();
      REQUIRE(v.app.sweep.shown);
      const ImGuiWindow* panel = ImGui::FindWindowByName("Sweep: speed-up as one knob moves###sweep");
      REQUIRE(panel);
      // It had the panels' share under the timeline: 212 px of the 604 under the toolbar at
      // 1280x720, a chart 70 px tall; now the timeline keeps 40% of them, or a line per run.
      const float rest = size.y - ImGui::FindWindowByName("##toolbar")->Size.y;
      CHECK(panel->Size.y >= 0.55f * rest);
      CHECK(cut_on_the_right() == "");
    }
  }
}

TEST_CASE("presenting the sweep lessons on a projector's 1280x720, 1366x768 and 1600x900, the chart draws") {
  // It said "Too little room for the chart" at each of them: only 1920x1080 drew the curve.
  struct Lesson {
    const char* file;
    std::string vary, also;
  };
  const Lesson lessons[] = {
      {"20-sweep-pool-size.toml", "workers=1..16", ""},
      // Its runs run alike: gilsim sweep's sentence on two lines left the chart no room.
      {"09-pool-sizing.toml", "workers=1..16", ""},
      {"21-sweep-waiting-share.toml",
       "job.request.steps.2.io=0ms..90ms:10ms; job.request.steps.1.cpu=100ms..10ms:10ms", ""},
      {"21-sweep-waiting-share.toml",
       "job.request.steps.2.io=0ms..90ms:10ms; job.request.steps.1.cpu=100ms..10ms:10ms", "cores=2,4"},
  };
  for (const ImVec2 size : {ImVec2(1280, 720), ImVec2(1366, 768), ImVec2(1600, 900)}) {
    for (const Lesson& lesson : lessons) {
      INFO(size.x, "x", size.y, " ", lesson.file, " ", lesson.also);
      HeadlessViewer v(size);
      v.present(testing::bundled_lesson(lesson.file));
      v.app.sweep.vary = lesson.vary;
      v.app.sweep.vary_also = lesson.also;
      ui::start_sweep(v.app.sweep, v.app.session);
      v.app.sweep.runner.wait();
      for (int i = 0; i < 3; ++i) v.frame();
      REQUIRE(v.app.sweep.shown);
      CHECK_FALSE(v.app.sweep.chart_too_small);
      CHECK(cut_on_the_right() == "");
    }
  }
}

TEST_CASE("presented at 1280x720, the playhead panel shows whole the lines each lesson points at, the timeline's rows whole") {
  // Lesson 4 at 200 ms cut "event loop: stuck in task 2's blocking call ..." mid-line under
  // four idle cores; lesson 15 at 100 ms cut "lock counter_lock:" in half; lesson 16 at 3 ms
  // showed the deadlock and "GIL: free" and hid its two locks.
  for (const auto& [lesson, at] : {std::pair{"04-blocking-coroutine.toml", 0.2}, std::pair{"14-two-locks.toml", 0.045},
                                   std::pair{"15-lost-update.toml", 0.1}, std::pair{"16-deadlock.toml", 0.003}}) {
    INFO(std::string(lesson), " at ", at, " s");
    HeadlessViewer v(ImVec2(1280, 720));
    v.present(testing::bundled_lesson(lesson));
    v.app.follow_playhead = false;
    v.app.playback.seek(Time::from_seconds(at));
    for (int i = 0; i < 2; ++i) v.frame(0);
    const ImGuiWindow* panel = ImGui::FindWindowByName("At the playhead");
    REQUIRE(panel != nullptr);
    REQUIRE(v.app.playhead_lesson_lines_bottom > panel->Pos.y);
    CHECK(v.app.playhead_lesson_lines_bottom <= panel->InnerClipRect.Max.y);
    // Above the panel, every row of the timeline, as the fit laid them out.
    const TimelineFrame& t = v.app.timeline;
    CHECK(t.layout.total_height <= t.lanes_height);
    float last_row = 0;
    for (const Row& row : t.layout.rows) last_row = std::max(last_row, row.y + row.height);
    CHECK(t.lanes_top + last_row <= panel->Pos.y);
  }
}

TEST_CASE("the playhead panel says on its first line that it goes on below its foot, only where it does") {
  // Lesson 9 presented at 1280x720 at 100 ms: the four workers' GILs ran past the panel's foot,
  // the last cut in half, and nothing said the panel scrolls.
  {
    HeadlessViewer v(ImVec2(1280, 720));
    v.present(testing::bundled_lesson("09-pool-sizing.toml"));
    v.app.follow_playhead = false;
    v.app.playback.seek(Time::from_seconds(0.1));
    for (int i = 0; i < 2; ++i) v.frame(0);
    ImGuiWindow* panel = ImGui::FindWindowByName("At the playhead");
    REQUIRE(panel != nullptr);
    REQUIRE(panel->ScrollMax.y > 0);
    CHECK(v.app.playhead_more_below);
    // Scrolled to its foot, there is no more below.
    ImGui::SetScrollY(panel, panel->ScrollMax.y);
    for (int i = 0; i < 2; ++i) v.frame(0);
    CHECK_FALSE(v.app.playhead_more_below);
  }
  // A panel tall enough for all it says: lesson 14 in a window 2160 high, not presented.
  HeadlessViewer tall(ImVec2(1920, 2160));
  REQUIRE(tall.open(testing::bundled_lesson("14-two-locks.toml")));
  const ImGuiWindow* panel = ImGui::FindWindowByName("At the playhead");
  REQUIRE(panel != nullptr);
  CHECK(panel->ScrollMax.y == 0);
  CHECK_FALSE(tall.app.playhead_more_below);
}

TEST_CASE("lesson 14 presented at 1280x720 at 45 ms: the playhead panel shows who holds ledger_lock and who waits for it") {
  // docs/lessons.md sends the class to the panel's lock lines; "waiting, without the GIL:" and
  // clerk 4's wait were cut in half at the panel's foot, under its title bar, the bold time
  // and the run's name.
  HeadlessViewer v(ImVec2(1280, 720));
  v.present(testing::bundled_lesson("14-two-locks.toml"));
  v.app.follow_playhead = false;
  v.app.playback.seek(Time::from_seconds(0.045));
  for (int i = 0; i < 2; ++i) v.frame(0);
  const ImGuiWindow* panel = ImGui::FindWindowByName("At the playhead");
  REQUIRE(panel != nullptr);
  REQUIRE(v.app.playhead_lesson_lines_bottom > panel->Pos.y);
  CHECK(v.app.playhead_lesson_lines_bottom <= panel->InnerClipRect.Max.y);
}
