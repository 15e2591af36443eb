// The narrative lists every mark's why line in time order and follows the playhead.
#include <doctest/doctest.h>

#include <algorithm>

#include "fake_runs.hpp"
#include "viz/narrative.hpp"

using namespace gilsim;
using namespace gilsim::literals;
using namespace gilsim::viz;

namespace {

/// The line the playhead is on at `t`, as a search of the lines written out finds it.
std::ptrdiff_t last_line_at_or_before(const std::vector<NarrativeLine>& lines, Time t) {
  return std::upper_bound(lines.begin(), lines.end(), t, [](Time v, const NarrativeLine& l) { return v < l.at; }) - lines.begin() - 1;
}

/// index_at at each line's time, and just before and after it, against the lines written out.
void check_index_at(const Narrative& n, const std::vector<NarrativeLine>& expected) {
  std::size_t wrong = 0;
  for (const NarrativeLine& line : expected) {
    for (const Time t : {line.at - Time{1}, line.at, line.at + Time{1}}) {
      wrong += n.index_at(t) != last_line_at_or_before(expected, t);
    }
  }
  CHECK(wrong == 0);
  CHECK(n.index_at(Time{-1}) == last_line_at_or_before(expected, Time{-1}));
}

/// One run's lines written out plainly: each mark, a linked switch followed by its why row.
std::vector<NarrativeLine> lines_written_out(const trace::Trace& run, const std::vector<HandoffLink>& links) {
  std::vector<std::uint32_t> why_of(run.marks.size(), trace::kNone);
  for (auto l = static_cast<std::uint32_t>(links.size()); l-- > 0;) {
    if (links[l].switch_mark < why_of.size()) why_of[links[l].switch_mark] = l;  // the first link's
  }
  std::vector<NarrativeLine> lines;
  for (std::uint32_t m = 0; m < run.marks.size(); ++m) {
    lines.push_back(NarrativeLine{run.marks.time_at(m), 0, m});
    if (why_of[m] != trace::kNone) lines.push_back(NarrativeLine{run.marks.time_at(m), 0, m, true, why_of[m]});
  }
  return lines;
}

}  // namespace

TEST_CASE("every mark becomes a line, in time order") {
  const std::vector<trace::Trace> runs = {viz::testing::two_threads()};
  Narrative n;
  n.build(runs, {});
  REQUIRE(n.size() == runs[0].marks.size());
  for (std::size_t i = 1; i < n.size(); ++i) CHECK(n.line(i - 1).at <= n.line(i).at);
  CHECK(Narrative::text(runs, n.line(3)) == "T2 waited 5.00 ms for the GIL and asked T1 to drop it");
}

TEST_CASE("the current line is the last one at or before the playhead") {
  const std::vector<trace::Trace> runs = {viz::testing::two_threads()};
  Narrative n;
  n.build(runs, {});
  CHECK(n.index_at(-(1_ms)) == -1);
  CHECK(n.index_at(0_ms) == 0);       // T1 started crunch 1
  CHECK(n.index_at(6_ms) == 3);       // the drop request
  CHECK(n.index_at(6100_us) == 3);
  CHECK(n.line(static_cast<std::size_t>(n.index_at(6500_us))).at == 6500_us);
  CHECK(n.index_at(1_s) == static_cast<std::ptrdiff_t>(n.size()) - 1);
}

TEST_CASE("the GIL-only filter keeps requests, drop requests, switches and hand-overs") {
  const std::vector<trace::Trace> runs = {viz::testing::two_threads()};
  Narrative n;
  n.build(runs, NarrativeFilter{true, trace::kNone});
  CHECK(n.size() == 6);
  for (std::size_t i = 0; i < n.size(); ++i) {
    const auto kind = runs[0].marks[n.line(i).mark].kind;
    CHECK(kind != trace::MarkKind::JobStart);
    CHECK(kind != trace::MarkKind::JobEnd);
  }
}

TEST_CASE("two runs interleave by time; a run filter keeps one") {
  const std::vector<trace::Trace> runs = {viz::testing::two_threads(), viz::testing::asyncio_run()};
  Narrative n;
  n.build(runs, {});
  CHECK(n.size() == runs[0].marks.size() + runs[1].marks.size());
  CHECK(n.line(0).run == 0);  // both runs start a job at 0; the first run comes first
  CHECK(n.line(1).run == 1);
  n.build(runs, NarrativeFilter{false, 1});
  CHECK(n.size() == runs[1].marks.size());
}

TEST_CASE("a forced switch with a hand-off link gets a row under it that says why the new holder won") {
  const std::vector<trace::Trace> runs = {viz::testing::two_threads()};
  const std::vector<HandoffLink> links = handoff_links(runs[0]);
  Narrative plain, with_why;
  plain.build(runs, {});
  with_why.build(runs, {}, HandoffsByRun{&links});
  // One forced switch (T1 at 6.5 ms) has a link; the release at 12 ms is not a switch.
  REQUIRE(with_why.size() == plain.size() + 1);
  std::size_t why_row = 0;
  for (std::size_t i = 0; i < with_why.size(); ++i) {
    if (with_why.line(i).why) why_row = i;
  }
  REQUIRE(why_row > 0);
  const NarrativeLine& switch_line = with_why.line(why_row - 1);
  CHECK(runs[0].marks[switch_line.mark].kind == trace::MarkKind::ForcedSwitch);
  CHECK(with_why.line(why_row).mark == switch_line.mark);
  CHECK(with_why.line(why_row).at == 6500_us);
  CHECK(Narrative::text(runs, with_why.line(why_row), HandoffsByRun{&links}) == "why: T2 asked and was the only waiter");
}

TEST_CASE("every mark's line and the why rows, read by the marks' times alone, are the lines a plain reading of each mark gives") {
  const std::vector<trace::Trace> runs = {viz::testing::two_threads(), viz::testing::asyncio_run(), viz::testing::two_threads()};
  std::vector<std::vector<HandoffLink>> links;
  for (const trace::Trace& run : runs) links.push_back(handoff_links(run));
  const HandoffsByRun handoffs = {&links[0], &links[1], &links[2]};
  REQUIRE(!links[0].empty());
  std::size_t why_rows = 0;
  for (const std::uint32_t shown : {trace::kNone, 0u, 1u, 2u}) {
    INFO("runs shown: " << shown);
    // Written plainly: each shown run's marks one at a time, a forced switch followed by the
    // why row of the first link that names it; the runs merged by time, earlier runs first.
    std::vector<NarrativeLine> expected;
    for (std::uint32_t r = 0; r < runs.size(); ++r) {
      if (shown != trace::kNone && shown != r) continue;
      for (std::uint32_t m = 0; m < runs[r].marks.size(); ++m) {
        const trace::Mark mark = runs[r].marks[m];
        expected.push_back(NarrativeLine{mark.at, r, m});
        for (std::uint32_t l = 0; l < links[r].size(); ++l) {
          if (links[r][l].switch_mark != m) continue;
          expected.push_back(NarrativeLine{mark.at, r, m, true, l});
          break;
        }
      }
    }
    std::stable_sort(expected.begin(), expected.end(), [](const NarrativeLine& a, const NarrativeLine& b) { return a.at < b.at; });
    Narrative n;
    n.build(runs, NarrativeFilter{false, shown}, handoffs);
    REQUIRE(n.size() == expected.size());
    for (std::size_t i = 0; i < n.size(); ++i) {
      INFO("line " << i);
      CHECK(n.line(i).at == expected[i].at);
      CHECK(n.line(i).run == expected[i].run);
      CHECK(n.line(i).mark == expected[i].mark);
      CHECK(n.line(i).why == expected[i].why);
      CHECK(n.line(i).link == expected[i].link);
      why_rows += n.line(i).why ? 1 : 0;
    }
    check_index_at(n, expected);
  }
  CHECK(why_rows > 0);  // the asyncio run has none; the threads runs' are compared
}

TEST_CASE("one run's lines read from its marks are those written out, on a run of 200 threads") {
  const std::vector<trace::Trace> runs = {viz::testing::many_waiters()};
  const std::vector<HandoffLink> links = handoff_links(runs[0]);
  const std::vector<NarrativeLine> expected = lines_written_out(runs[0], links);
  Narrative n;
  n.build(runs, {}, HandoffsByRun{&links});
  REQUIRE(n.size() == expected.size());
  std::size_t why_rows = 0;
  for (std::size_t i = 0; i < n.size(); ++i) {
    const NarrativeLine line = n.line(i);
    if (line.at != expected[i].at || line.mark != expected[i].mark || line.why != expected[i].why ||
        line.link != expected[i].link || line.run != expected[i].run) {
      FAIL("line " << i << " differs");
    }
    why_rows += line.why ? 1 : 0;
  }
  CHECK(why_rows > 1000);
  check_index_at(n, expected);
}
