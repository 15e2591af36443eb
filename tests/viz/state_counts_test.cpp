// An aggregate row's columns from its StateCounts index are those its members' spans add up
// to one by one (LaneDensity::add), to float rounding, and exact; the marks it counts from its
// index are those its hidden lanes hold.
#include <doctest/doctest.h>

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <vector>

#include "bundled_runs.hpp"
#include "viz/lane_density.hpp"
#include "viz/level_of_detail.hpp"
#include "viz/state_counts.hpp"
#include "viz/timeline_layout.hpp"

using namespace gilsim;
using namespace gilsim::literals;
using namespace gilsim::viz;

namespace {

constexpr std::size_t kStates = trace::kSpanStateCount;

/// Per column and state, in double: each span's overlap with the column, in pixels, and how
/// many spans touch the column (each one a float rounding of LaneDensity::add at most).
struct Overlaps {
  std::vector<double> value;
  std::vector<int> spans;
};

Overlaps overlaps(const trace::Trace& run, std::span<const trace::LaneId> lanes, const TimeView& view, int columns) {
  Overlaps out{std::vector<double>(static_cast<std::size_t>(columns) * kStates, 0.0),
               std::vector<int>(static_cast<std::size_t>(columns) * kStates, 0)};
  for (trace::LaneId l : lanes) {
    for (const trace::Span& s : run.lanes[l].spans) {
      const double x0 = std::clamp(view.x_of(s.begin), 0.0, double(columns));
      const double x1 = std::clamp(view.x_of(s.end), 0.0, double(columns));
      for (int c = static_cast<int>(x0); c < columns && c < x1; ++c) {
        const double overlap = std::min(x1, c + 1.0) - std::max(x0, double(c));
        if (overlap <= 0) continue;
        const std::size_t at = static_cast<std::size_t>(c) * kStates + static_cast<std::size_t>(s.state);
        out.value[at] += overlap;
        ++out.spans[at];
      }
    }
  }
  return out;
}

struct Compared {
  std::size_t cells = 0, covered = 0;  ///< columns x states; of them, with some time
  int off_exact = 0, off_summed = 0;   ///< cells outside the bounds
  std::size_t marks = 0;  ///< hidden lanes' marks in the views, counted lane by lane
  int marks_off = 0;      ///< views where the group's index counted otherwise
};

/// The indexed density against the exact overlaps (one float rounding off), and against
/// LaneDensity::add's sum (within a float rounding per span touching the column).
void compare(const trace::Trace& run, std::span<const trace::LaneId> lanes, const StateCounts& counts, const TimeView& view,
             int columns, Compared& seen) {
  LaneDensity summed, indexed;
  summed.reset(view, columns);
  for (trace::LaneId l : lanes) summed.add(run.lanes[l].spans);
  summed.finish();
  indexed.reset(view, columns);
  indexed.add(counts);
  indexed.finish();
  const Overlaps exact = overlaps(run, lanes, view, columns);
  for (int c = 0; c < columns; ++c) {
    for (std::size_t s = 0; s < kStates; ++s) {
      const auto state = static_cast<trace::SpanState>(s);
      const std::size_t at = static_cast<std::size_t>(c) * kStates + s;
      const double scale = std::max(1.0, exact.value[at]);
      const double got = indexed.at(c, state);
      ++seen.cells;
      seen.covered += exact.value[at] > 0;
      if (std::abs(got - exact.value[at]) > 2 * FLT_EPSILON * scale) {
        if (seen.off_exact++ == 0) {
          MESSAGE("column ", c, " state ", s, ": indexed ", got, ", exact ", exact.value[at]);
        }
      }
      if (std::abs(got - summed.at(c, state)) > (exact.spans[at] + 3) * FLT_EPSILON * scale) {
        if (seen.off_summed++ == 0) {
          MESSAGE("column ", c, " state ", s, ": indexed ", got, ", summed ", summed.at(c, state));
        }
      }
    }
  }
}

TimeView view_of(double start_ns, double ns_per_px, int columns) {
  TimeView v;
  v.set_width(columns);
  v.set(start_ns, ns_per_px);
  return v;
}

/// The marks of a group's hidden lanes in `view`, lane by lane (as the row counted them).
std::size_t marks_lane_by_lane(const trace::Trace& run, const LaneMarks& marks, const LaneGroup& g, const TimeView& view) {
  std::size_t n = 0;
  for (trace::LaneId l : g.hidden) n += marks_in_view(run, marks.glyphs[l], view) + marks_in_view(run, marks.job_ends[l], view);
  return n;
}

/// Every group of `run` at three views: the whole run, a few spans of a member's, and one
/// from before 0 to past the end. Edges fall on whole nanoseconds, as LaneDensity::add
/// stops at time_at(columns), rounded. The marks its hidden lanes hold in each view too.
void compare_groups(const trace::Trace& run, Compared& seen) {
  constexpr int kColumns = 700;
  std::vector<LaneGroup> groups = lane_groups(run);
  for (LaneGroup& g : groups) g.folded_at_first = true;  // every group indexed, the open ones too
  const std::vector<GroupIndex> indexed = index_groups(run, groups);
  const LaneMarks marks = marks_by_lane(run);
  for (std::size_t k = 0; k < groups.size(); ++k) {
    const LaneGroup& g = groups[k];
    const double end = std::max<double>(1.0, static_cast<double>(run.end.ns()));
    const double whole = std::ceil(end / kColumns);
    std::vector<TimeView> views{view_of(0, whole, kColumns), view_of(-std::floor(end / 10), std::ceil(1.3 * whole), kColumns)};
    const trace::SpanStore& spans = run.lanes[g.members[g.members.size() / 2]].spans;
    if (spans.size() > 0) {
      const trace::Span middle = spans[spans.size() / 2];
      const double wide = std::ceil(std::max<double>(1.0, 5.0 * static_cast<double>(middle.duration().ns())) / kColumns);
      views.push_back(view_of(static_cast<double>(middle.begin.ns()) - 2 * wide * kColumns / 5, wide, kColumns));
    }
    for (const TimeView& view : views) {
      compare(run, g.members, indexed[k].states, view, kColumns, seen);
      const std::size_t by_lane = marks_lane_by_lane(run, marks, g, view);
      seen.marks += by_lane;
      seen.marks_off += indexed[k].marks_between(view.time_at(0), view.time_at(view.width_px())) != by_lane;
    }
  }
}

trace::Span span(Time begin, Time end, trace::SpanState state) { return trace::Span{begin, end, trace::kNone, trace::kNoStep, state}; }

trace::Lane lane_of(std::initializer_list<trace::Span> spans) { return trace::Lane{"T", trace::LaneKind::Thread, 0, spans}; }

}  // namespace

TEST_CASE("the groups indexed when a run is are those folded at first") {
  std::size_t folded = 0, open = 0;
  viz::testing::for_each_bundled_run_and_many_threads([&](const trace::Trace& run) {
    const std::vector<LaneGroup> groups = lane_groups(run);
    const std::vector<GroupIndex> indexed = index_groups(run, groups);
    REQUIRE(indexed.size() == groups.size());
    for (std::size_t g = 0; g < groups.size(); ++g) {
      CHECK(indexed[g].built == groups[g].folded_at_first);
      if (!indexed[g].built) CHECK(indexed[g].states.changes() == 0);
      (groups[g].folded_at_first ? folded : open) += 1;
    }
  });
  CHECK(folded > 0);
  CHECK(open > 0);
}

TEST_CASE("an aggregate row's columns from its state counts are its members' spans added up") {
  Compared seen;
  viz::testing::for_each_bundled_run_and_many_threads([&](const trace::Trace& run) { compare_groups(run, seen); });
  CHECK(seen.off_exact == 0);
  CHECK(seen.off_summed == 0);
  CHECK(seen.marks_off == 0);
  // The comparison saw columns with time in them, many of them, and marks.
  CHECK(seen.covered > 100'000);
  CHECK(seen.marks > 10'000);
  MESSAGE(seen.cells, " cells compared, ", seen.covered, " with time in them; ", seen.marks, " marks");
}

TEST_CASE("state counts at the edges: spans ending on a column's edge, empty spans, a column inside one span") {
  // Columns of 10 ns from 0: span [0, 20) ends on column 2's left edge; C's [20, 30) is
  // column 2 exactly; B's sleep covers columns 1 to 8 whole and half of 0 and of 9.
  trace::Trace run;
  using trace::SpanState;
  run.lanes.push_back(lane_of({span(0_ns, 20_ns, SpanState::Running), span(25_ns, 25_ns, SpanState::WaitingGil),
                               span(35_ns, 100_ns, SpanState::Running)}));
  run.lanes.push_back(lane_of({span(5_ns, 95_ns, SpanState::Sleeping)}));
  run.lanes.push_back(lane_of({span(20_ns, 30_ns, SpanState::Running)}));
  const std::vector<trace::LaneId> lanes{0, 1, 2};
  const StateCounts counts(run, lanes);
  // Running: +1 at 0, A's end and C's begin at 20 cancel (no change kept), -1 at 30, +1 at 35,
  // -1 at 100; sleeping: 5 and 95; the empty wait: none.
  CHECK(counts.changes() == 6);
  CHECK_FALSE(counts.has(SpanState::WaitingGil));
  CHECK(StateCounts::between({}, counts.integral(SpanState::Running, 20)) == 20);
  CHECK(StateCounts::between({}, counts.integral(SpanState::Running, 25.5)) == doctest::Approx(25.5));
  CHECK(StateCounts::between(counts.integral(SpanState::Running, 30), counts.integral(SpanState::Running, 35)) == 0);
  CHECK(StateCounts::between({}, counts.integral(SpanState::Running, 1e9)) == 95);

  LaneDensity d;
  d.reset(view_of(0, 10, 10), 10);
  d.add(counts);
  d.finish();
  const float running[10] = {1, 1, 1, 0.5f, 1, 1, 1, 1, 1, 1};
  for (int c = 0; c < 10; ++c) {
    CAPTURE(c);
    CHECK(d.at(c, SpanState::Running) == running[c]);
    CHECK(d.at(c, SpanState::Sleeping) == (c == 0 || c == 9 ? 0.5f : 1.0f));
    CHECK(d.at(c, SpanState::WaitingGil) == 0);
    CHECK(d.total(c) == running[c] + d.at(c, SpanState::Sleeping));
  }
  Compared seen;
  compare(run, lanes, counts, view_of(0, 10, 10), 10, seen);
  compare(run, lanes, counts, view_of(-40, 7, 30), 30, seen);  // before 0, past the end, edges off the spans'
  CHECK(seen.off_exact == 0);
  CHECK(seen.off_summed == 0);
}

TEST_CASE("state counts of a lane out of order (a measured trace gone wrong) keep to the range the lanes give") {
  // The range is each lane's first begin to its last end: [0, 30) here. The bad lane's
  // [50, 60) lies past it and is left out, where it would have been counted in a chunk past
  // the last one.
  trace::Trace run;
  using trace::SpanState;
  run.lanes.push_back(lane_of({span(0_ns, 30_ns, SpanState::Running)}));
  run.lanes.push_back(lane_of({span(50_ns, 60_ns, SpanState::Sleeping), span(10_ns, 20_ns, SpanState::Sleeping)}));
  REQUIRE(run.lanes[1].spans.size() == 2);
  const std::vector<trace::LaneId> lanes{0, 1};
  const StateCounts counts(run, lanes);
  CHECK(StateCounts::between({}, counts.integral(SpanState::Running, 1e9)) == 30);
  CHECK(StateCounts::between({}, counts.integral(SpanState::Sleeping, 1e9)) == 10);

  // A span before the range: its offset from the origin would wrap to a chunk 2^64 away.
  trace::Trace before;
  before.lanes.push_back(lane_of({span(100_ns, 130_ns, SpanState::Running)}));
  before.lanes.push_back(lane_of({span(110_ns, 120_ns, SpanState::Sleeping), span(50_ns, 60_ns, SpanState::Sleeping)}));
  const StateCounts kept(before, lanes);
  CHECK(StateCounts::between({}, kept.integral(SpanState::Running, 1e9)) == 30);
  CHECK(StateCounts::between({}, kept.integral(SpanState::Sleeping, 1e9)) == 10);
}

TEST_CASE("state counts across gaps longer than a block's 32-bit offsets, and past 32 changes a block") {
  trace::Trace run;
  std::vector<trace::Span> spans;
  // 40 short spans, then one 10 s later, then one 20 s after that: three blocks at least.
  for (int i = 0; i < 40; ++i) spans.push_back(span(Time{i * 10}, Time{i * 10 + 5}, trace::SpanState::Running));
  spans.push_back(span(10_s, 10_s + 10_ns, trace::SpanState::Running));
  spans.push_back(span(30_s, 30_s + 10_ns, trace::SpanState::Running));
  run.lanes.push_back(trace::Lane{"T", trace::LaneKind::Thread, 0, {}});
  for (const trace::Span& s : spans) run.lanes[0].spans.push_back(s);
  const std::vector<trace::LaneId> lanes{0};
  const StateCounts counts(run, lanes);
  CHECK(counts.changes() == 84);
  const auto covered_to = [&](double t) { return StateCounts::between({}, counts.integral(trace::SpanState::Running, t)); };
  CHECK(covered_to(397) == 200);  // the 40 spans of 5 ns, the last [390, 395) whole
  CHECK(covered_to(10e9 + 5) == 205);
  CHECK(covered_to(20e9) == 210);
  CHECK(covered_to(30e9 + 3) == 213);
  CHECK(covered_to(40e9) == 220);
  // With a cursor kept between searches, in any order.
  std::size_t cursor = 0;
  for (const auto& [t, covered] : {std::pair{40e9, 220.0}, {397.0, 200.0}, {10e9 + 5, 205.0}, {10e9 + 5, 205.0}, {30e9 + 3, 213.0}, {-1.0, 0.0}}) {
    CAPTURE(t);
    CHECK(StateCounts::between({}, counts.integral(trace::SpanState::Running, t, cursor)) == covered);
  }
}
