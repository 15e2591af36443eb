// Drop request -> drop -> new holder, and why the new holder won.
#include <doctest/doctest.h>

#include <optional>
#include <vector>

#include "bundled_runs.hpp"
#include "fake_runs.hpp"
#include "sim/model/simulate.hpp"
#include "sim/scenario/loader.hpp"
#include "viz/handoff_links.hpp"
#include "viz/level_of_detail.hpp"

using namespace gilsim;
using namespace gilsim::literals;
using namespace gilsim::viz;

namespace {

/// T2, waiting since `waits_since`, asks T1 to drop the GIL at `asked`; T1 drops it at a
/// check point at `dropped` and waits for it in turn.
void t2_asks_t1_to_drop(trace::TraceBuilder& b, const viz::testing::GilPairLanes& l, Time waits_since, Time asked,
                        Time dropped) {
  b.mark(asked, trace::MarkKind::DropRequest, l.t2, l.t1, (asked - waits_since).ns());
  b.mark(dropped, trace::MarkKind::ForcedSwitch, l.t1, l.t2, 0);
  b.set_state(l.t1, dropped, trace::SpanState::WaitingGil);
}

/// `thread` takes the GIL at `at` and runs.
void takes_gil(trace::TraceBuilder& b, trace::LaneId gil, trace::LaneId thread, Time at) {
  b.set_state(thread, at, trace::SpanState::Running);
  b.set_state(gil, at, trace::SpanState::Held, thread);
}

/// Threads of process `p` whose state just before `t` is a GIL wait, found lane by lane.
int waiting_lane_by_lane(const trace::Trace& run, trace::ProcessId p, Time t) {
  int waiting = 0;
  for (const trace::Lane& lane : run.lanes) {
    if (lane.kind != trace::LaneKind::Thread || lane.process != p) continue;
    const std::size_t i = first_span_ending_after(lane.spans, t - Time{1});
    if (i < lane.spans.size() && lane.spans.begin_at(i) < t && lane.spans.state_at(i) == trace::SpanState::WaitingGil) {
      ++waiting;
    }
  }
  return waiting;
}

struct Outcomes {
  int links = 0, other_waiter = 0, many_waiting = 0;
};

/// The state of `lane` just before `t`, searched over the whole lane.
std::optional<trace::SpanState> state_before_searched(const trace::Lane& lane, Time t) {
  const std::size_t i = first_span_ending_after(lane.spans, t - Time{1});
  if (i >= lane.spans.size() || lane.spans.begin_at(i) >= t) return std::nullopt;
  return lane.spans.state_at(i);
}

/// The link of drop request `m` found on its own, every search over a whole lane or all the
/// marks, every thread's lane searched at the drop (next_gil_taker, as the playhead asks): what
/// handoff_links found before it read each process's waits once and searched near the last
/// hand-off's finds.
std::optional<HandoffLink> link_on_its_own(const trace::Trace& run, std::uint32_t m) {
  const trace::Mark mark = run.marks[m];
  if (mark.kind != trace::MarkKind::DropRequest || mark.other >= run.lanes.size()) return std::nullopt;
  HandoffLink link;
  link.asked = mark.at;
  link.asker = mark.lane;
  link.holder = mark.other;
  link.request_mark = m;
  const trace::ProcessId p = run.lanes[link.holder].process;
  const trace::LaneId gil_lane = p < run.processes.size() ? run.processes[p].gil_lane : trace::kNone;
  if (gil_lane >= run.lanes.size()) return std::nullopt;
  const auto& gil = run.lanes[gil_lane].spans;
  const std::size_t i = first_span_ending_after(gil, link.asked - Time{1});
  if (i >= gil.size() || gil[i].begin >= link.asked || gil[i].subject != link.holder) return link;
  link.dropped = gil[i].end;
  const GilTaker taker = next_gil_taker(run, p, link.dropped);
  link.taker = taker.lane;
  link.taken = taker.at;
  for (std::uint32_t x = 0; x < run.marks.size(); ++x) {
    const trace::Mark at = run.marks[x];
    if (at.at == link.dropped && at.kind == trace::MarkKind::ForcedSwitch && at.lane == link.holder) link.switch_mark = x;
  }
  link.waiters = waiting_lane_by_lane(run, p, link.dropped);
  if (link.taker >= run.lanes.size()) link.why = HandoffLink::Why::NotYet;
  else if (link.taker == link.asker) link.why = HandoffLink::Why::Asker;
  else if (state_before_searched(run.lanes[link.taker], link.dropped) == trace::SpanState::WaitingGil) link.why = HandoffLink::Why::OtherWaiter;
  else link.why = HandoffLink::Why::Barged;
  return link;
}

/// Every link, field by field, as found on its own (link_on_its_own), where handoff_links
/// reads each process's waits once and searches near its last finds.
void check_links_lane_by_lane(const trace::Trace& run, Outcomes& seen) {
  std::vector<HandoffLink> expected;
  for (std::uint32_t m = 0; m < run.marks.size(); ++m) {
    if (std::optional<HandoffLink> link = link_on_its_own(run, m)) expected.push_back(*link);
  }
  const std::vector<HandoffLink> links = handoff_links(run);
  REQUIRE(links.size() == expected.size());
  for (std::size_t k = 0; k < links.size(); ++k) {
    const HandoffLink& link = links[k];
    const HandoffLink& want = expected[k];
    CAPTURE(k);
    CHECK(link.asked == want.asked);
    CHECK(link.asker == want.asker);
    CHECK(link.holder == want.holder);
    CHECK(link.request_mark == want.request_mark);
    CHECK(link.dropped == want.dropped);
    CHECK(link.switch_mark == want.switch_mark);
    CHECK(link.taker == want.taker);
    CHECK(link.taken == want.taken);
    CHECK(link.waiters == want.waiters);
    CHECK(link.why == want.why);
    if (link.dropped == Time::max()) continue;
    ++seen.links;
    seen.other_waiter += link.why == HandoffLink::Why::OtherWaiter;
    seen.many_waiting += link.waiters > 2;
  }
}

/// The one link of a hand-written run `t`, checked field by field against the link found on its own.
HandoffLink the_one_link(const trace::Trace& t) {
  Outcomes seen;
  check_links_lane_by_lane(t, seen);
  CHECK(seen.links == 1);
  const auto links = handoff_links(t);
  REQUIRE(links.size() == 1);
  return links[0];
}

}  // namespace

TEST_CASE("the links found from each process's GIL waits read once are those found lane by lane") {
  Outcomes seen;
  viz::testing::for_each_bundled_run_and_many_threads([&](const trace::Trace& run) { check_links_lane_by_lane(run, seen); });
  // The comparison saw what it is for: hand-offs to a waiter other than the asker, among many.
  CHECK(seen.links > 1000);
  CHECK(seen.other_waiter > 100);
  CHECK(seen.many_waiting > 100);
}

TEST_CASE("each drop request links to the holder's drop and to the thread that took the GIL") {
  const trace::Trace t = viz::testing::two_threads();
  const auto links = handoff_links(t);
  REQUIRE(links.size() == 2);
  // T2 asks T1 at 6 ms; T1 drops at 6.5 ms at a check point and T2, the only waiter, takes it.
  CHECK(links[0].asker == 4);
  CHECK(links[0].holder == 3);
  CHECK(links[0].asked == 6_ms);
  CHECK(links[0].dropped == 6500_us);
  CHECK(links[0].taker == 4);
  CHECK(links[0].taken == 6500_us);
  CHECK(links[0].waiters == 1);
  CHECK(links[0].why == HandoffLink::Why::Asker);
  CHECK(links[0].switch_mark != trace::kNone);
  CHECK(link_of_switch(links, links[0].switch_mark) == &links[0]);
  CHECK(why_text(t, links[0]) == "T2 asked and was the only waiter");
  // T1 asks T2 at 11.5 ms; T2 releases it for I/O at 12 ms (no forced switch) and T1 takes it.
  CHECK(links[1].dropped == 12_ms);
  CHECK(links[1].taker == 3);
  CHECK(links[1].switch_mark == trace::kNone);
}

TEST_CASE("a thread that was not waiting and takes the GIL has barged in") {
  trace::TraceBuilder b("threads", "threads", "new", trace::Origin::Simulated, 2, 5_ms);
  const auto lanes = viz::testing::start_gil_pair(b, 0_ms);
  const auto [gil, t1, t2] = lanes;
  const auto t3 = b.add_lane("T3", trace::LaneKind::Thread, 0);
  b.set_state(t3, 0_ms, trace::SpanState::BlockedIo);
  t2_asks_t1_to_drop(b, lanes, 0_ms, 5_ms, 6_ms);
  takes_gil(b, gil, t3, 6_ms);  // back from I/O at the drop: grabs it
  const trace::Trace t = b.finish(10_ms);
  const auto links = handoff_links(t);
  REQUIRE(links.size() == 1);
  CHECK(links[0].taker == t3);
  CHECK(links[0].why == HandoffLink::Why::Barged);
  CHECK(why_text(t, links[0]).find("T3 took it, not T2 who asked") == 0);
  Outcomes seen;
  check_links_lane_by_lane(t, seen);
  CHECK(seen.links == 1);
}

TEST_CASE("a holder that drops the GIL at the very instant of the request is linked too") {
  trace::TraceBuilder b("threads", "threads", "new", trace::Origin::Simulated, 2, 5_ms);
  const auto lanes = viz::testing::start_gil_pair(b, 0_ms);
  const auto [gil, t1, t2] = lanes;
  t2_asks_t1_to_drop(b, lanes, 0_ms, 5_ms, 5_ms);
  takes_gil(b, gil, t2, 5_ms);
  const trace::Trace t = b.finish(10_ms);
  const auto links = handoff_links(t);
  REQUIRE(links.size() == 1);
  CHECK(links[0].dropped == 5_ms);
  CHECK(links[0].taker == t2);
  CHECK(links[0].why == HandoffLink::Why::Asker);
  Outcomes seen;
  check_links_lane_by_lane(t, seen);
  CHECK(seen.links == 1);
}

TEST_CASE("a woken thread that takes the GIL and lets it go at once for I/O is the one that took it") {
  // T1 holds; T2 waits from 1 ms and asks at 5 ms; T1 drops at 6 ms. T2 wakes at 6.01 ms,
  // takes the GIL and releases it at once for I/O (too brief for a span on the GIL lane);
  // T1 then takes it at 6.02 ms. The GIL lane alone would say T1 took it back.
  trace::TraceBuilder b("threads", "threads", "new", trace::Origin::Simulated, 2, 5_ms);
  const auto lanes = viz::testing::start_gil_pair(b, 1_ms);
  const auto [gil, t1, t2] = lanes;
  t2_asks_t1_to_drop(b, lanes, 1_ms, 5_ms, 6_ms);
  b.clear_state(gil, 6_ms);
  b.set_state(t2, 6010_us, trace::SpanState::BlockedIo);
  takes_gil(b, gil, t1, 6020_us);
  const trace::Trace t = b.finish(10_ms);
  const auto links = handoff_links(t);
  REQUIRE(links.size() == 1);
  CHECK(links[0].dropped == 6_ms);
  CHECK(links[0].taker == t2);
  CHECK(links[0].taken == 6010_us);
  CHECK(links[0].why == HandoffLink::Why::Asker);
  CHECK(why_text(t, links[0]) == "T2 asked and was the only waiter");
  // Between the drop and T2's wake-up the GIL is promised to T2; after it, T1 takes it.
  const GilTaker at_drop = next_gil_taker(t, 0, 6_ms);
  CHECK(at_drop.lane == t2);
  CHECK(at_drop.at == 6010_us);
  const GilTaker after = next_gil_taker(t, 0, 6015_us);
  CHECK(after.lane == t1);
  CHECK(after.at == 6020_us);
  Outcomes seen;
  check_links_lane_by_lane(t, seen);
  CHECK(seen.links == 1);
}

TEST_CASE("a wait that ends at the very instant of the drop counts as waiting before it, not as the next taker") {
  // T1 holds; T2 waits from 1 ms, asks at 5 ms, and its wait ends at 6 ms, the instant T1
  // drops: it takes the GIL and lets it go at once for I/O. T3, waiting from 2 ms, takes it
  // at 7 ms. Just before the drop both wait; the next to take the GIL after it is T3.
  trace::TraceBuilder b("threads", "threads", "new", trace::Origin::Simulated, 2, 5_ms);
  const auto lanes = viz::testing::start_gil_pair(b, 1_ms);
  const auto [gil, t1, t2] = lanes;
  const auto t3 = b.add_lane("T3", trace::LaneKind::Thread, 0);
  b.set_state(t3, 2_ms, trace::SpanState::WaitingGil);
  t2_asks_t1_to_drop(b, lanes, 1_ms, 5_ms, 6_ms);
  b.clear_state(gil, 6_ms);
  b.set_state(t2, 6_ms, trace::SpanState::BlockedIo);
  takes_gil(b, gil, t3, 7_ms);
  const HandoffLink link = the_one_link(b.finish(10_ms));
  CHECK(link.dropped == 6_ms);
  CHECK(link.waiters == 2);
  CHECK(link.taker == t3);
  CHECK(link.taken == 7_ms);
  CHECK(link.why == HandoffLink::Why::OtherWaiter);
}

TEST_CASE("a wait that begins at the very instant of the drop is under way there but was not waiting before it") {
  // T1 holds; T2 waits from 1 ms and asks at 5 ms; T1 drops at 6 ms. T3 comes back from I/O
  // and begins to wait at 6 ms itself, the drop's instant, and T2's wait ends later than
  // T3's: T3 takes the GIL at 6.2 ms. Just before the drop only T2 waited.
  trace::TraceBuilder b("threads", "threads", "new", trace::Origin::Simulated, 2, 5_ms);
  const auto lanes = viz::testing::start_gil_pair(b, 1_ms);
  const auto [gil, t1, t2] = lanes;
  const auto t3 = b.add_lane("T3", trace::LaneKind::Thread, 0);
  b.set_state(t3, 0_ms, trace::SpanState::BlockedIo);
  t2_asks_t1_to_drop(b, lanes, 1_ms, 5_ms, 6_ms);
  b.clear_state(gil, 6_ms);
  b.set_state(t3, 6_ms, trace::SpanState::WaitingGil);
  takes_gil(b, gil, t3, 6200_us);
  b.set_state(t3, 6300_us, trace::SpanState::BlockedIo);
  b.clear_state(gil, 6300_us);
  takes_gil(b, gil, t2, 6400_us);
  const HandoffLink link = the_one_link(b.finish(10_ms));
  CHECK(link.dropped == 6_ms);
  CHECK(link.waiters == 1);
  CHECK(link.taker == t3);
  CHECK(link.taken == 6200_us);
  CHECK(link.why == HandoffLink::Why::Barged);
}

TEST_CASE("hand-offs of several processes, each with its GIL, interleaved in time, are linked each in its process") {
  // Two processes of two threads each, their hand-offs at alternating instants: each
  // process's searches go on from its own last finds.
  trace::TraceBuilder b("procs", "processes", "new", trace::Origin::Simulated, 4, 5_ms);
  const auto first = viz::testing::start_gil_pair(b, 0_ms);
  const trace::ProcessId second_process = b.add_process("worker", true);
  const auto gil2 = b.gil_lane(second_process);
  const auto u1 = b.add_lane("U1", trace::LaneKind::Thread, second_process);
  const auto u2 = b.add_lane("U2", trace::LaneKind::Thread, second_process);
  takes_gil(b, gil2, u1, 0_ms);
  b.set_state(u2, 0_ms, trace::SpanState::WaitingGil);
  const viz::testing::GilPairLanes second{gil2, u1, u2};
  for (int turn = 0; turn < 6; ++turn) {
    const Time at = Time{(turn + 1) * 1'000'000};
    const bool even = turn / 2 % 2 == 0;  // each process's holder in turn
    const auto& l = turn % 2 == 0 ? first : second;
    const auto holder = even ? l.t1 : l.t2;
    const auto asker = even ? l.t2 : l.t1;
    b.mark(at, trace::MarkKind::DropRequest, asker, holder, 0);
    b.mark(at + 300_us, trace::MarkKind::ForcedSwitch, holder, asker, 0);
    b.set_state(holder, at + 300_us, trace::SpanState::WaitingGil);
    takes_gil(b, l.gil, asker, at + 300_us);
  }
  const trace::Trace t = b.finish(10_ms);
  Outcomes seen;
  check_links_lane_by_lane(t, seen);
  CHECK(seen.links == 6);
}
