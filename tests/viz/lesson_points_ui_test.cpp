// What a lesson's first picture shows in front of a class (a teacher's review of lessons 1 to
// 13): a collapsed run is one line that shows a lane and says how its run ended, marks never
// hide the state they sit on, a run much shorter than the axis is pointed out, and every
// glyph the lanes draw is in the legend.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <string>

#include <fmt/format.h>

#include "headless_viewer.hpp"
#include "lesson_runs.hpp"
#include "viz/level_of_detail.hpp"
#include "viz/palette.hpp"
#include "viz/ui/timeline_painter.hpp"
#include "viz/ui/timeline_rows.hpp"

using namespace gilsim;
using namespace gilsim::viz;
using gilsim::viz::testing::bundled_lesson;
using gilsim::viz::testing::HeadlessViewer;
using gilsim::viz::testing::run_named;

namespace {

/// Of the pixel columns where thread lane `row` runs Python, the share under a mark glyph
/// that reaches the middle of the lane (where the state is read).
double running_hidden(const HeadlessViewer& v, const Row& row, int& running_columns) {
  const TimelineFrame& t = v.app.timeline;
  const trace::Lane& lane = v.app.session.runs()[row.run].lanes[row.lane];
  const TimeView& view = v.app.view;
  const int width = static_cast<int>(view.width_px());
  std::vector<char> running(static_cast<std::size_t>(width), 0), hidden(static_cast<std::size_t>(width), 0);
  for (const trace::Span& s : lane.spans) {
    if (s.state != trace::SpanState::Running) continue;
    const int c0 = std::max(0, static_cast<int>(std::floor(view.x_of(s.begin))));
    const int c1 = std::min(width, std::max(c0 + 1, static_cast<int>(std::ceil(view.x_of(s.end)))));
    for (int c = c0; c < c1; ++c) running[static_cast<std::size_t>(c)] = 1;
  }
  const float top = t.lanes_top + row.y - t.scroll, bottom = top + row.height;
  const float mid0 = top + row.height * 0.4f, mid1 = top + row.height * 0.6f;
  for (const ScreenRect& m : t.mark_boxes) {
    if (m.top < top - 0.5f || m.bottom > bottom + 0.5f || m.top >= mid1 || m.bottom <= mid0) continue;
    const int c0 = std::max(0, static_cast<int>(std::floor(m.left - t.lanes_left)));
    const int c1 = std::min(width, static_cast<int>(std::ceil(m.right - t.lanes_left)));
    for (int c = c0; c < c1; ++c) hidden[static_cast<std::size_t>(c)] = 1;
  }
  int covered = 0;
  running_columns = 0;
  for (int c = 0; c < width; ++c) {
    running_columns += running[static_cast<std::size_t>(c)];
    covered += running[static_cast<std::size_t>(c)] && hidden[static_cast<std::size_t>(c)];
  }
  return running_columns > 0 ? static_cast<double>(covered) / running_columns : 0.0;
}

}  // namespace

TEST_CASE("lesson 12 presented: a run without a GIL shows its main thread, open or on its collapsed line") {
  // Its "sequential, no GIL" run, collapsed, had no GIL lane for its line: it was drawn as an
  // open header (a triangle pointing down, its figures) with nothing under it.
  for (const ImVec2 size : {ImVec2(1280, 720), ImVec2(1920, 1080)}) {
    INFO(size.x, "x", size.y);
    HeadlessViewer v(size);
    v.present(bundled_lesson("12-free-threaded.toml"));
    const TimelineFrame& t = v.app.timeline;
    const auto& runs = v.app.session.runs();
    for (std::uint32_t r = 0; r < runs.size(); ++r) {
      INFO("run ", runs[r].run_name);
      const Row* header = t.layout.header(r);
      REQUIRE(header);
      const bool collapsed = t.options.folding[r].collapsed;
      CHECK(header->collapsed == collapsed);
      CHECK((t.headers[r].right > 0) == !collapsed);  // an open header for an open run only
      if (collapsed) CHECK((header->lane != trace::kNone || header->group != trace::kNone));  // its line shows a lane or a pool's workers
    }
    const std::uint32_t sequential = run_named(v, "sequential, no GIL");
    const trace::LaneId main = summary_lane(runs[sequential]);
    REQUIRE(main != trace::kNone);
    CHECK(runs[sequential].lanes[main].kind == trace::LaneKind::Thread);
    CHECK(t.layout.find(sequential, main));  // its crunch bars, on its row or its line
  }
}

TEST_CASE("every collapsed run's line says how its run ended, in the words of every other") {
  // Lesson 9's Pool(2), as long as the axis, had no room after its end and said nothing, where
  // lesson 6's pool said "new GIL, 4 cores, done at 210 ms".
  int collapsed_lines = 0;
  for (const ImVec2 size : {ImVec2(1024, 640), ImVec2(1280, 720)}) {
    for (const auto& file : scenario::bundled_scenarios()) {
      INFO(file.filename().string(), " at ", size.x, "x", size.y);
      HeadlessViewer v(size);
      v.present(file);
      const TimelineFrame& t = v.app.timeline;
      const auto& runs = v.app.session.runs();
      for (std::uint32_t r = 0; r < runs.size(); ++r) {
        if (!t.options.folding[r].collapsed) continue;
        INFO("run ", runs[r].run_name);
        ++collapsed_lines;
        const std::vector<std::string> texts =
            ui::summary_texts(runs[r], v.app.runs[r], nullptr, v.app.session.scenario().note);
        REQUIRE(r < t.summaries.size());
        CHECK(std::find(texts.begin(), texts.end(), t.summaries[r]) != texts.end());
      }
    }
  }
  CHECK(collapsed_lines > 10);
  HeadlessViewer v(ImVec2(1280, 720));
  v.present(bundled_lesson("09-pool-sizing.toml"));
  const std::uint32_t pool2 = run_named(v, "Pool(2)");
  REQUIRE(v.app.timeline.options.folding[pool2].collapsed);
  // Its figures where its line draws nothing (never over its bars): the settings where a fit's
  // room allows them, how it ended always.
  CHECK(v.app.timeline.summaries[pool2].find("done at 807 ms") != std::string::npos);
}

TEST_CASE("marks never hide the running state they sit on: lessons 1, 10 and 11, presented or not") {
  // Lesson 1's threads at the default zoom read solid orange: forced-switch diamonds and
  // drop-request triangles covered their green slices; lesson 10's main lane was a grey band of
  // job-done dots. Marks too close to draw apart go small on the lane's edge.
  int lanes = 0;
  for (const std::string lesson : {"01-cpu-bound.toml", "10-pool-overhead.toml", "11-old-gil.toml", "07-convoy.toml"}) {
    for (const bool presenting : {false, true}) {
      INFO(lesson, presenting ? ", presenting" : "");
      HeadlessViewer v(ImVec2(1280, 720));
      if (presenting) {
        v.present(bundled_lesson(lesson));
      } else {
        REQUIRE(v.open(bundled_lesson(lesson)));
      }
      const TimelineFrame& t = v.app.timeline;
      const auto& runs = v.app.session.runs();
      for (const Row& row : t.layout.rows) {
        if (row.kind != Row::Kind::Lane || runs[row.run].lanes[row.lane].kind != trace::LaneKind::Thread) continue;
        if (row.y - t.scroll < 0 || row.y + row.height - t.scroll > t.lanes_height) continue;
        int running = 0;
        const double hidden = running_hidden(v, row, running);
        if (running < 20) continue;
        ++lanes;
        INFO(runs[row.run].run_name, " ", runs[row.run].lanes[row.lane].name, ": ", running, " running columns");
        CHECK(hidden <= 0.35);  // at most the isolated marks, drawn whole
      }
    }
  }
  CHECK(lanes >= 12);  // the lessons' thread lanes were looked at (presented, lesson 1's fold into one row)
}

TEST_CASE("a run much shorter than the axis is pointed out: lesson 3's asyncio presented") {
  // At 1920x1080: at 1280x720 the thread pool's eight threads each take a row, and asyncio a line.
  HeadlessViewer v(ImVec2(1920, 1080));
  v.present(bundled_lesson("03-ten-thousand-connections.toml"));
  const TimelineFrame& t = v.app.timeline;
  const std::uint32_t asyncio = run_named(v, "asyncio"), pool = run_named(v, "thread_pool");
  REQUIRE(!t.options.folding[asyncio].collapsed);
  INFO("end at x ", v.app.view.x_of(v.app.session.runs()[asyncio].end), " of ", v.app.view.width_px());
  CHECK(t.headers[asyncio].end_line >= t.lanes_left);
  CHECK(t.headers[asyncio].end_line < t.lanes_left + v.app.view.x_of(v.app.session.runs()[asyncio].end) + 3);
  CHECK(t.headers[pool].end_line == 0.0f);
}

TEST_CASE("every glyph the lanes draw is explained in the legend") {
  // Lesson 4's blocked loop and lesson 10's dispatches drew a triangle the legend did not name:
  // the first is explained now, the second not drawn.
  for (std::size_t k = 0; k < trace::kMarkKindCount; ++k) {
    const auto kind = static_cast<trace::MarkKind>(k);
    INFO(trace::to_string(kind));
    CHECK((mark_legend_label(kind) != nullptr) == has_glyph(kind));
  }
}

TEST_CASE("compact marks: a mark too close to its neighbour's glyph is drawn small, a lone one whole") {
  const std::vector<float> widths(4, 10.0f);
  CHECK(ui::compact_marks({0, 50, 100, 150}, widths) == std::vector<bool>{false, false, false, false});
  CHECK(ui::compact_marks({0, 50, 58, 150}, widths) == std::vector<bool>{false, true, true, false});
}

