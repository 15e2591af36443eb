// The links the timeline may draw, found from the shown lanes' drop requests, are every link
// in view whose asker is shown.
#include <doctest/doctest.h>

#include <algorithm>
#include <vector>

#include "bundled_runs.hpp"
#include "viz/level_of_detail.hpp"
#include "viz/link_candidates.hpp"

using namespace gilsim;
using namespace gilsim::viz;

namespace {

struct Seen {
  std::size_t views = 0, links = 0, from_marks = 0;  ///< from_marks: views answered from the shown lanes' marks
};

/// For a few sets of shown threads and views, the candidates whose asker is shown are the
/// links in view whose asker is shown, in order.
void check_run(const trace::Trace& run, Seen& seen) {
  const std::vector<HandoffLink> links = handoff_links(run);
  const LaneMarks marks = marks_by_lane(run);
  std::vector<trace::LaneId> threads;
  for (trace::LaneId l = 0; l < run.lanes.size(); ++l) {
    if (run.lanes[l].kind == trace::LaneKind::Thread) threads.push_back(l);
  }
  std::vector<std::vector<trace::LaneId>> shown_sets{{}, threads};
  for (std::size_t keep : {1, 2, 3}) {
    std::vector<trace::LaneId> some;
    for (std::size_t k = 0; k < threads.size(); k += keep * 7 + 1) some.push_back(threads[k]);
    shown_sets.push_back(some);
  }
  const Time end = run.end;
  const std::vector<std::pair<Time, Time>> views{{Time{0}, end + Time{1}}, {end / 3, end / 2}, {end / 2, end / 2 + Time{1'000'000}}};
  std::vector<std::uint32_t> got;
  for (const auto& shown : shown_sets) {
    const auto is_shown = [&](trace::LaneId l) { return std::find(shown.begin(), shown.end(), l) != shown.end(); };
    for (const auto& [from, to] : views) {
      links_to_draw(run, links, marks.glyphs, shown, from, to, got);
      CHECK(std::is_sorted(got.begin(), got.end()));
      std::vector<std::uint32_t> asked_by_shown, expected;
      for (std::uint32_t k : got) {
        if (is_shown(links[k].asker)) asked_by_shown.push_back(k);
      }
      for (std::uint32_t k = 0; k < links.size(); ++k) {
        if (links[k].asked >= from && links[k].asked < to && is_shown(links[k].asker)) expected.push_back(k);
      }
      CHECK(asked_by_shown == expected);
      ++seen.views;
      seen.links += expected.size();
      std::size_t in_view = 0;
      for (const HandoffLink& l : links) in_view += l.asked >= from && l.asked < to;
      seen.from_marks += got.size() < in_view;
    }
  }
}

}  // namespace

TEST_CASE("the links found from the shown lanes' drop requests are those in view asked by a shown lane") {
  Seen seen;
  viz::testing::for_each_bundled_run_and_many_threads([&](const trace::Trace& run) { check_run(run, seen); });
  // Both ways were taken, and links were found.
  CHECK(seen.from_marks > 10);
  CHECK(seen.links > 1000);
  MESSAGE(seen.views, " views, ", seen.links, " links asked by a shown lane, ", seen.from_marks, " views from the marks");
}
