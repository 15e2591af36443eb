// The GIL contention band read from the waits' edges merged as they come, lane by lane in time
// order (gil_contention): the same spans as the edges sorted first, on every bundled run, 200
// threads, and edges written by hand (an instant shared by lanes, waits that touch, more lanes
// than are merged, edges in no order).
#include <doctest/doctest.h>

#include <algorithm>
#include <cstdint>
#include <random>
#include <tuple>
#include <utility>
#include <vector>

#include "bundled_runs.hpp"
#include "fake_runs.hpp"
#include "sim/trace/metrics.hpp"
#include "viz/app_state.hpp"

using namespace gilsim;
using namespace gilsim::viz;

namespace {

using Edge = std::pair<Time, int>;
using Band = std::vector<std::tuple<std::int64_t, std::int64_t, std::uint32_t>>;  // begin, end, waiters

/// The band as the edges sorted first give it: a sweep of +1 at each wait's start and -1 at
/// its end, the edges at one instant summed before they count.
Band sorted_band(std::vector<Edge> edges, std::uint32_t& most) {
  std::stable_sort(edges.begin(), edges.end(), [](const Edge& a, const Edge& b) { return a.first < b.first; });
  Band out;
  most = 0;
  int waiting = 0;
  Time since;
  for (std::size_t i = 0; i < edges.size();) {
    const Time at = edges[i].first;
    const int before = waiting;
    while (i < edges.size() && edges[i].first == at) waiting += edges[i++].second;
    if (waiting == before) continue;
    if (before > 0) out.emplace_back(since.ns(), at.ns(), static_cast<std::uint32_t>(before));
    most = std::max(most, static_cast<std::uint32_t>(waiting));
    since = at;
  }
  return out;
}

Band band_of(const GilContention& c) {
  Band out;
  for (const trace::Span& s : c.spans) out.emplace_back(s.begin.ns(), s.end.ns(), s.subject);
  return out;
}

/// gil_contention of `run` with `waits` (one per process) against the sorted sweep.
void check_against_sorted(const trace::Trace& run, const std::vector<trace::GilWaitEdges>& waits) {
  const std::vector<GilContention> merged = gil_contention(run, waits);
  std::size_t shown = 0;
  for (trace::ProcessId p = 0; p < run.processes.size() && p < waits.size(); ++p) {
    if (run.processes[p].gil_lane >= run.lanes.size()) continue;
    REQUIRE(shown < merged.size());
    const GilContention& c = merged[shown++];
    CHECK(c.process == p);
    std::uint32_t most = 0;
    CHECK(band_of(c) == sorted_band(waits[p].edges, most));
    CHECK(c.most_waiters == most);
  }
  CHECK(shown == merged.size());
}

Time us(std::int64_t v) { return Time{v * 1000}; }

/// Lane after lane, each lane's waits [begin, end) in time order: their edges as the
/// metrics write them.
std::vector<trace::GilWaitEdges> edges_of(const std::vector<std::vector<std::pair<std::int64_t, std::int64_t>>>& lanes) {
  std::vector<trace::GilWaitEdges> waits(1);
  for (const auto& lane : lanes) {
    for (const auto& [begin, end] : lane) {
      waits[0].edges.push_back({us(begin), +1});
      waits[0].edges.push_back({us(end), -1});
    }
  }
  return waits;
}

}  // namespace

TEST_CASE("the contention band from the waits merged lane by lane is the sorted sweep's, on every bundled run") {
  std::size_t bands = 0;
  testing::for_each_bundled_run_and_many_threads([&](const trace::Trace& run) {
    std::vector<trace::GilWaitEdges> waits;
    trace::compute_metrics(run, waits);
    check_against_sorted(run, waits);
    for (const trace::GilWaitEdges& w : waits) bands += w.edges.empty() ? 0 : 1;
  });
  CHECK(bands > 20);  // most runs wait for a GIL somewhere
}

TEST_CASE("the contention band from edges written by hand is the sorted sweep's") {
  const trace::Trace run = testing::two_threads();  // one process with a GIL lane: the band's place
  REQUIRE(run.processes.size() == 1);
  SUBCASE("none") { check_against_sorted(run, edges_of({})); }
  SUBCASE("one lane, waits that touch (a wait's step changed mid-wait)") {
    check_against_sorted(run, edges_of({{{0, 10}, {10, 20}, {30, 40}}}));
  }
  SUBCASE("an instant where one lane's wait ends and another's begins: no change, no span") {
    const auto waits = edges_of({{{0, 10}}, {{10, 20}}, {{5, 15}}});
    check_against_sorted(run, waits);
    const std::vector<GilContention> c = gil_contention(run, waits);
    REQUIRE(c.size() == 1);
    CHECK(band_of(c[0]) == Band{{0, 5'000, 1}, {5'000, 15'000, 2}, {15'000, 20'000, 1}});
  }
  SUBCASE("instants shared by many lanes, of no wait and of waits") {
    check_against_sorted(run, edges_of({{{0, 10}, {20, 20}, {30, 40}},
                                        {{0, 10}, {10, 30}},
                                        {{10, 10}, {20, 30}, {40, 50}},
                                        {{0, 50}}}));
  }
  SUBCASE("the most lanes merged, and one more (sorted first), and edges in no order") {
    std::mt19937_64 random(11);
    for (const std::size_t lanes : {std::size_t{15}, std::size_t{16}, std::size_t{17}, std::size_t{40}}) {
      CAPTURE(lanes);
      std::vector<std::vector<std::pair<std::int64_t, std::int64_t>>> waits(lanes);
      for (auto& lane : waits) {
        std::int64_t at = static_cast<std::int64_t>(random() % 5);
        for (int w = 0; w < 30; ++w) {
          const std::int64_t begin = at + static_cast<std::int64_t>(random() % 4);  // often on another lane's instant
          const std::int64_t end = begin + static_cast<std::int64_t>(random() % 6);
          lane.emplace_back(begin, end);
          at = end;
        }
      }
      std::vector<trace::GilWaitEdges> edges = edges_of(waits);
      check_against_sorted(run, edges);
      std::shuffle(edges[0].edges.begin(), edges[0].edges.end(), random);
      check_against_sorted(run, edges);
    }
  }
}
