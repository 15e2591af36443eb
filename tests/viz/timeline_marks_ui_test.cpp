// The timeline's honest picture at a classroom size: a measured run's busy-machine flag is
// never cut and never under the folded-marks note.
#include <doctest/doctest.h>

#include <string>

#include <fmt/format.h>
#include <imgui_internal.h>

#include "headless_viewer.hpp"
#include "sim/trace/outcomes.hpp"
#include "lesson_runs.hpp"
#include "viz/few_jobs.hpp"
#include "viz/hit_test.hpp"
#include "viz/level_of_detail.hpp"
#include "viz/run_caveats.hpp"
#include "viz/text_layout.hpp"
#include "viz/ui/timeline_rows.hpp"

using namespace gilsim;
using namespace gilsim::viz;
using gilsim::viz::testing::HeadlessViewer;

namespace {

/// The run with the most marks, copied as a measurement that got a third of the CPU it needed.
std::uint32_t add_busy_measurement(HeadlessViewer& v) {
  const auto& runs = v.app.session.runs();
  std::size_t most = 0;
  for (std::size_t r = 1; r < runs.size(); ++r) {
    if (runs[r].marks.size() > runs[most].marks.size()) most = r;
  }
  trace::Trace m = runs[most];
  m.origin = trace::Origin::Measured;
  // gilsim's executor's run: its waits for a core are the CPU it needed but did not get (a
  // CPython recording's would be its Runnable spans, which this copy of a prediction lacks).
  m.measured_by.clear();
  m.cpu_check.checked = true;
  m.cpu_check.cpus = m.cpu_check.machine_cpus = 2;
  m.cpu_check.needed = Time::from_seconds(3);
  m.cpu_check.got = Time::from_seconds(1);
  REQUIRE(measurement_caveat(m, nullptr));
  v.app.session.add_measured(std::move(m));
  refresh_derived(v.app);
  for (int i = 0; i < 4; ++i) v.frame(0);
  return static_cast<std::uint32_t>(v.app.session.runs().size() - 1);
}

}  // namespace

TEST_CASE("a busy measured run's flag shows whole at 1280x720 and never under the folded-marks note") {
  HeadlessViewer v(ImVec2(1280, 720));
  v.present(testing::bundled_lesson("01-cpu-bound.toml"));
  const std::uint32_t r = add_busy_measurement(v);
  v.app.focus = r;  // its header open, the other runs on a line each
  for (int i = 0; i < 4; ++i) v.frame(0);
  const TimelineFrame& t = v.app.timeline;
  REQUIRE(r < t.headers.size());
  const HeaderDrawn& h = t.headers[r];
  REQUIRE(h.right > 0);                 // the header was drawn
  REQUIRE(h.note_left < h.right);       // with marks folded, so the note is there to overlap
  CHECK(h.flag_left > 0);
  CHECK(h.flag_right > h.flag_left);    // the flag is drawn, not cut
  CHECK(h.flag_right <= h.note_left);   // and lies before the note
  CHECK(h.text_right <= h.note_left);   // no text runs under the note
  // How the run ended is drawn whole: the note says less for it ("marks folded" without
  // "click to zoom in"); what still does not fit is cut short, whole in the tooltip.
  CHECK(h.shown.find(fmt::format("done at {}", v.app.session.runs()[r].end)) != std::string::npos);
}

TEST_CASE("a folded aggregate row says how many marks its lanes hold in view") {
  // Lesson 10's worker processes (lesson 15's eight threads each have a row now).
  HeadlessViewer v(ImVec2(1280, 720));
  v.present(testing::bundled_lesson("10-pool-overhead.toml"));
  const TimelineFrame& t = v.app.timeline;
  const auto& runs = v.app.session.runs();
  int groups = 0;
  std::vector<std::size_t> expected_by_run(runs.size(), 0);
  for (const Row& row : t.layout.rows) {
    if (row.kind != Row::Kind::Group) continue;
    ++groups;
    const trace::Trace& run = runs[row.run];
    const RunIndex& index = v.app.runs[row.run];
    const Time from = v.app.view.time_at(0), to = v.app.view.time_at(v.app.view.width_px());
    std::size_t expected = 0;  // counted one by one, not by the binary search the row uses
    for (trace::LaneId l : index.groups[row.group].hidden) {
      for (const auto* marks : {&index.glyph_marks[l], &index.job_end_marks[l]}) {
        for (std::uint32_t m : *marks) expected += run.marks[m].at >= from && run.marks[m].at <= to;
      }
    }
    INFO("run ", run.run_name);
    CHECK(expected > 0);  // the lesson's workers finish jobs: there is detail to hide
    expected_by_run[row.run] += expected;
    CHECK(ui::group_note(index.groups[row.group], expected).find(counted(expected, "mark") + " inside") !=
          std::string::npos);
  }
  CHECK(groups >= 1);
  CHECK(t.marks_in_groups == expected_by_run);
}

TEST_CASE("lesson 15's lost updates are drawn on the timeline, folded threads or not") {
  HeadlessViewer v(ImVec2(1280, 720));
  v.present(testing::bundled_lesson("15-lost-update.toml"));
  CHECK(has_glyph(trace::MarkKind::LostUpdate));  // so a hover tells what it is
  const auto& runs = v.app.session.runs();
  int runs_with_losses = 0;
  for (std::uint32_t r = 0; r < runs.size(); ++r) {
    std::size_t lost = 0, drawn = 0;
    for (const trace::Mark& m : runs[r].marks) lost += m.kind == trace::MarkKind::LostUpdate;
    if (lost == 0) continue;
    ++runs_with_losses;
    REQUIRE(r < v.app.timeline.marks_drawn.size());
    for (std::uint32_t m : v.app.timeline.marks_drawn[r]) drawn += runs[r].marks[m].kind == trace::MarkKind::LostUpdate;
    INFO("run ", runs[r].run_name, ": ", lost, " updates lost");
    CHECK(drawn > 0);
    // Each one drawn is found under the mouse, as the hover (on its lane or its folded group) finds it.
    for (std::uint32_t m : v.app.timeline.marks_drawn[r]) {
      const trace::Mark& mark = runs[r].marks[m];
      if (mark.kind != trace::MarkKind::LostUpdate) continue;
      const auto lost_update = [](const trace::Mark& k) { return k.kind == trace::MarkKind::LostUpdate; };
      const auto found = mark_near(runs[r], lost_update, v.app.view, v.app.view.x_of(mark.at), 5.0);
      REQUIRE(found);
      CHECK(runs[r].marks[*found].at == mark.at);
    }
  }
  CHECK(runs_with_losses >= 1);
}

TEST_CASE("the story under the timeline keeps three lines, and no room for a sideways scrollbar it lacks") {
  for (const ImVec2 size : {ImVec2(1280, 720), ImVec2(1280, 600)}) {
    INFO(size.x, "x", size.y);
    HeadlessViewer v(size);
    v.present(testing::bundled_lesson("01-cpu-bound.toml"));
    CHECK(v.app.narrative.lines_shown >= 3.0f);
    // The room a scrollbar took (20 px and more) was most of a line: now the timeline has it.
    // Presenting, the story may take more only where the timeline's rows leave room under them.
    const ImGuiWindow* timeline = ImGui::FindWindowByName("###timeline");
    const ImGuiWindow* story = ImGui::FindWindowByName("What happened");
    REQUIRE((timeline && story));
    const float under_rows = timeline->Pos.y + timeline->Size.y - story->Pos.y;
    CHECK(under_rows >= 0);
    CHECK(v.app.narrative.lines_shown - under_rows / ImGui::GetTextLineHeightWithSpacing() < 3.25f);
  }
}

TEST_CASE("no bar label and mark glyph cover each other in any lesson at 1280x720, presenting or not") {
  // Lesson 16's sequential run: the first transfer's job-done dot sat on the "b to a" label
  // of the bar that starts there.
  std::size_t labels = 0;
  for (const bool presenting : {false, true}) {
    for (const auto& file : scenario::bundled_scenarios()) {
      INFO(file.filename().string(), presenting ? ", presenting" : "");
      HeadlessViewer v(ImVec2(1280, 720));
      if (presenting) {
        v.present(file);
      } else {
        REQUIRE(v.open(file));
      }
      const TimelineFrame& t = v.app.timeline;
      labels += t.labels.size();
      std::size_t covered = 0;
      std::string first;
      for (const ScreenRect& label : t.labels) {
        for (const ScreenRect& mark : t.mark_boxes) {
          if (label.left < mark.right && mark.left < label.right && label.top < mark.bottom && mark.top < label.bottom &&
              covered++ == 0) {
            first = fmt::format("label {}..{} at y {}, mark {}..{}", label.left, label.right, label.top, mark.left,
                                mark.right);
          }
        }
      }
      INFO(first);
      CHECK(covered == 0);
    }
  }
  CHECK(labels > 100);  // the lessons' bars are labelled: the check looked at some
}

TEST_CASE("no label lies under a GIL badge: lesson 16's 'deadlocked' moves right of the one at the deadlock") {
  // Presented at 1.08 ms, T2 holds the GIL as the cycle closes, and its badge covered "dead" of
  // "deadlocked: waits for lock lock_a forever".
  HeadlessViewer v(ImVec2(1280, 720));
  v.present(gilsim::viz::testing::bundled_lesson("16-deadlock.toml"));
  v.app.playback.seek(Time{1'080'000});
  for (int i = 0; i < 10; ++i) v.frame(0.1f);  // the badge moves to its holder's row
  const TimelineFrame& t = v.app.timeline;
  REQUIRE_FALSE(t.badges.empty());
  std::size_t deadlock_labels = 0;
  for (const ScreenRect& label : t.labels) {
    for (const ScreenRect& tail : t.stuck_tails) {
      deadlock_labels += label.left >= tail.left && label.top >= tail.top && label.bottom <= tail.bottom;
    }
    for (const ScreenRect& badge : t.badges) {
      CAPTURE(label.left);
      CAPTURE(badge.left);
      const bool same_row = badge.top >= label.top && badge.top <= label.bottom;
      CHECK_FALSE((same_row && label.left < badge.right && badge.left < label.right));
    }
  }
  CHECK(deadlock_labels == 4);  // T1, T2, lock_a, lock_b: each said whole or by its first word
}

TEST_CASE("a few jobs' window: from the first to begin at the moment asked, else from the middle job") {
  trace::Trace run;
  for (int i = 0; i < 10; ++i) {
    trace::Job job;
    job.name = fmt::format("tiny {}", i + 1);
    job.begin = Time{i * 10};
    job.end = Time{i * 10 + 15};
    run.jobs.push_back(job);
  }
  trace::Job unfinished;
  unfinished.begin = Time{3};
  run.jobs.push_back(unfinished);  // never ended: not one of them
  CHECK(few_jobs_window(run, Time{33}, 3) == std::pair{Time{40}, Time{75}});
  CHECK(few_jobs_window(run, Time{0}, 3) == std::pair{Time{50}, Time{85}});    // a playhead at 0 s: the middle
  CHECK(few_jobs_window(run, Time{1000}, 3) == std::pair{Time{50}, Time{85}});  // after the last: the middle
  CHECK(few_jobs_window(run, Time{85}, 3) == std::pair{Time{70}, Time{105}});   // the last three at most
  CHECK_FALSE(few_jobs_window(trace::Trace{}, Time{0}, 3));
}

TEST_CASE("lesson 10 presented at 1280x720: a click on the chunksize 1 run's 'marks folded' note shows a few of its tasks") {
  // Its 4,000 tasks of 50 us are a blur at the zoom a class opens with: the note's round trips
  // (pickle, pipe, result handler) are one click away.
  HeadlessViewer v(ImVec2(1280, 720));
  v.present(testing::bundled_lesson("10-pool-overhead.toml"));
  const auto& runs = v.app.session.runs();
  const std::uint32_t r = testing::run_named(v, "chunksize 1");
  const TimelineFrame& t = v.app.timeline;
  REQUIRE(t.layout.header(r));
  const HeaderDrawn& h = t.headers[r];
  REQUIRE(h.note_left < h.right);  // "… marks folded: click to zoom in"
  const Row& header = *t.layout.header(r);
  v.click(ImVec2(h.note_left + 10, t.lanes_top + header.y - t.scroll + header.height * 0.5f));
  v.frame(0);
  const Time from = v.app.view.time_at(0), to = v.app.view.time_at(v.app.view.width_px());
  int begun = 0;
  for (const trace::Job& job : runs[r].jobs) begun += job.begin >= from && job.begin <= to;
  INFO("view ", from.ns(), " to ", to.ns(), " ns");
  CHECK(begun >= 6);
  CHECK(begun <= 24);  // others begin meanwhile on the other workers: a few, not hundreds
  CHECK(to - from < Time{1'000'000});  // under a millisecond of a 153 ms run
  CHECK(!v.app.timeline.options.folding[r].collapsed);  // the click zoomed, it did not fold the run
}

TEST_CASE("with marks folded, a run's header still says how it ended: lesson 15's threads at 1280x720 and 1024x768") {
  // Its counters take most of the header; the note's whole "... folded: click to zoom in"
  // cut "done at 3.142 s" to "d...". The note says less instead, and at 1024 wide, where the
  // counters took the whole header, they say only what was lost.
  for (const ImVec2 size : {ImVec2(1280, 720), ImVec2(1024, 768)}) {
    INFO(size.x, "x", size.y);
    HeadlessViewer v(size);
    v.present(testing::bundled_lesson("15-lost-update.toml"));
    const auto& runs = v.app.session.runs();
    const std::uint32_t threads = testing::run_named(v, "threads");
    const TimelineFrame& t = v.app.timeline;
    REQUIRE(threads < t.headers.size());
    const HeaderDrawn& h = t.headers[threads];
    REQUIRE(h.note_left < h.right);  // marks are folded: the note is there
    CHECK(h.shown.find(fmt::format("done at {}", runs[threads].end)) != std::string::npos);
    REQUIRE(!runs[threads].counters.empty());
    const trace::Counter& counter = runs[threads].counters.front();  // `counter`, which loses updates
    REQUIRE(counter.lost() > 0);
    CHECK(h.shown.find(trace::group_digits(counter.lost())) != std::string::npos);  // in full or in brief
    CHECK(h.text_right <= h.note_left);
    if (size.x >= 1280) CHECK(h.shown.find("safe = ") != std::string::npos);  // the counters in full
  }
}

TEST_CASE("lesson 11 presented at 1280x720: the lost races' count is whole and clear of the chips, badges and playhead wherever the playhead is") {
  // At 560 ms the chip "T1 76.8 us" left of the playhead covered "112,261 rac", leaving "es
  // lost"; zoomed to 290-310 ms with the playhead at 300 ms, "s lost in view" showed.
  struct Case {
    Time at;
    std::optional<std::pair<Time, Time>> view;
    const char* count;  ///< what the two-core run's GIL lane says
  };
  using namespace gilsim::literals;
  for (const Case& c : {Case{560_ms, std::nullopt, "113,567 races lost"}, Case{300_ms, std::pair{290_ms, 310_ms}, "2,187 races lost in view"},
                        Case{100_ms, std::nullopt, "113,567 races lost"}, Case{900_ms, std::nullopt, "113,567 races lost"}}) {
    INFO("playhead at ", fmt::format("{}", c.at));
    HeadlessViewer v(ImVec2(1280, 720));
    v.present(testing::bundled_lesson("11-old-gil.toml"));
    if (c.view) {
      v.app.view.fit(c.view->first, c.view->second);
      v.app.fitted_view.reset();
    }
    v.app.follow_playhead = false;
    v.app.playback.seek(c.at);
    v.frame(0);
    v.frame(0);
    const auto& runs = v.app.session.runs();
    const auto two_cores = std::find_if(runs.begin(), runs.end(), [](const trace::Trace& r) { return r.run_name == "old GIL, 2 cores"; });
    REQUIRE(two_cores != runs.end());
    const auto run = static_cast<std::uint32_t>(two_cores - runs.begin());
    const auto count = std::find_if(v.app.timeline.race_counts.begin(), v.app.timeline.race_counts.end(),
                                    [&](const RaceCountDrawn& d) { return d.run == run; });
    REQUIRE(count != v.app.timeline.race_counts.end());
    CHECK(count->text == c.count);
    const ScreenRect& box = count->box;
    const float playhead = v.app.timeline.lanes_left + static_cast<float>(v.app.view.x_of(c.at));
    CHECK((playhead < box.left || playhead > box.right));
    const auto over = [&](float left, float top, float right, float bottom) {
      return left < box.right && right > box.left && top < box.bottom && bottom > box.top;
    };
    for (const QueueChipDrawn& chip : v.app.timeline.queue_chips) {
      CAPTURE(chip.text);
      CHECK_FALSE(over(chip.left, chip.top, chip.right, chip.bottom));
    }
    for (const float y : v.app.token_y[run]) {  // the GIL badge, where it stands on the GIL lane
      const auto [left, right] = ui::token_extent(playhead);
      const float half = v.app.timeline.options.lane_height * 0.4f;
      CHECK_FALSE(over(left, v.app.timeline.lanes_top + y - half, right, v.app.timeline.lanes_top + y + half));
    }
  }
}
