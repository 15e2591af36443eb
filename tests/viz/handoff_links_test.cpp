// Drop request -> drop -> new holder, and why the new holder won.
#include <doctest/doctest.h>

#include "fake_runs.hpp"
#include "viz/handoff_links.hpp"

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

}  // namespace

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
}
