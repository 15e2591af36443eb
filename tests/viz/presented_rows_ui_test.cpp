// Presenting, the rows a lesson is about show, and no row label is smaller than a thread's.
#include <doctest/doctest.h>

#include <algorithm>
#include <string>

#include "headless_viewer.hpp"
#include "lesson_runs.hpp"
#include "viz/app_state.hpp"

using namespace gilsim;
using namespace gilsim::viz;
using gilsim::viz::testing::HeadlessViewer;

namespace {

/// How many of run `r`'s lane groups are drawn as one aggregate row.
std::size_t folded_groups(const AppState& app, std::uint32_t r) {
  const auto& groups = app.runs[r].groups;
  std::size_t n = 0;
  for (std::size_t g = 0; g < groups.size(); ++g) n += app.timeline.options.folding[r].group_folded(g, groups[g]);
  return n;
}

}  // namespace

TEST_CASE("lesson 02 presented at 1920x1080: the most telling run shows its threads or tasks each on its row") {
  // Every run fitted with its core lanes, and the ten threads and ten tasks the note points
  // at as "+ 10 threads" and "+ 10 tasks".
  HeadlessViewer v(ImVec2(1920, 1080));
  v.present(testing::bundled_lesson("02-io-bound.toml"));
  const std::vector<double> interest = fit_priorities(v.app);
  const std::uint32_t most = most_telling(interest);
  CHECK_FALSE(v.app.timeline.options.folding[most].collapsed);
  CHECK(folded_groups(v.app, most) == 0);
}

TEST_CASE("lesson 09 presented at 1280x720: Pool(8), the run its note asks about, is open") {
  HeadlessViewer v(ImVec2(1280, 720));
  v.present(testing::bundled_lesson("09-pool-sizing.toml"));
  const std::uint32_t pool8 = testing::run_named(v, "Pool(8)");
  CHECK_FALSE(v.app.timeline.options.folding[pool8].collapsed);
}

TEST_CASE("presenting every lesson at 1280x720, no row label is smaller than a thread's") {
  // "cores busy (of 4)" under each header and "core 0" on compact rows were drawn at 0.6 and
  // 0.7 of the body text at 1.40x: too small for the back of a room.
  int lessons = 0;
  for (const auto& file : scenario::bundled_scenarios()) {
    INFO(file.filename().string());
    HeadlessViewer v(ImVec2(1280, 720));
    v.present(file);
    const TimelineFrame& t = v.app.timeline;
    const float thread_label = std::min(ImGui::GetFontSize(), t.options.lane_height + 1);
    CHECK(t.smallest_label > 0);
    CHECK(t.smallest_label + 0.5f >= thread_label);
    ++lessons;
  }
  CHECK(lessons > 15);
}
