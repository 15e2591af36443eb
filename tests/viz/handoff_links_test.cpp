// Drop request -> drop -> new holder, and why the new holder won.
#include <doctest/doctest.h>

#include <filesystem>
#include <vector>

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

/// Each link's taker and waiters as the playhead finds them: every thread's lane searched at
/// the drop (next_gil_taker), where handoff_links reads each process's waits once.
void check_links_lane_by_lane(const trace::Trace& run, Outcomes& seen) {
  for (const HandoffLink& link : handoff_links(run)) {
    if (link.dropped == Time::max()) continue;
    const trace::ProcessId p = run.lanes[link.holder].process;
    const GilTaker taker = next_gil_taker(run, p, link.dropped);
    CHECK(link.taker == taker.lane);
    CHECK(link.taken == taker.at);
    CHECK(link.waiters == waiting_lane_by_lane(run, p, link.dropped));
    ++seen.links;
    seen.other_waiter += link.why == HandoffLink::Why::OtherWaiter;
    seen.many_waiting += link.waiters > 2;
  }
}

}  // namespace

TEST_CASE("the links found from each process's GIL waits read once are those found lane by lane") {
  Outcomes seen;
  for (const auto& entry : std::filesystem::directory_iterator(std::filesystem::path(GILSIM_SOURCE_DIR) / "scenarios")) {
    if (entry.path().extension() != ".toml") continue;
    CAPTURE(entry.path().filename().string());
    const scenario::Scenario s = scenario::load_file(entry.path());
    for (const scenario::Run& run : s.runs) check_links_lane_by_lane(model::simulate(s, run), seen);
  }
  // Many threads waiting at once, the OS picking among them: 200 threads, 3 cores, 1 ms turns.
  const scenario::Scenario many = scenario::load_string(R"(
title = "many waiters"
[machine]
cores = 3
[python]
switch_interval = "1ms"
[[job]]
name = "crunch"
count = 200
steps = [ { cpu = "20ms" }, { io = "300us" }, { cpu = "10ms" } ]
[[run]]
name = "threads"
executor = "threads"
)", "many.toml");
  check_links_lane_by_lane(model::simulate(many, many.runs[0]), seen);
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
  const trace::Trace t = b.finish(10_ms);
  const auto links = handoff_links(t);
  REQUIRE(links.size() == 1);
  CHECK(links[0].dropped == 6_ms);
  CHECK(links[0].waiters == 2);
  CHECK(links[0].taker == t3);
  CHECK(links[0].taken == 7_ms);
  CHECK(links[0].why == HandoffLink::Why::OtherWaiter);
  Outcomes seen;
  check_links_lane_by_lane(t, seen);
  CHECK(seen.links == 1);
}
