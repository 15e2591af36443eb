// The GIL queue at the playhead from the run's waits sorted once (GilWaitIndex), against the
// lane-by-lane search it replaced, kept here as the oracle: every bundled run and 200 threads
// at many instants, and a hand-written timeline for the edges.
#include <doctest/doctest.h>

#include <algorithm>
#include <initializer_list>
#include <tuple>
#include <vector>

#include "bundled_runs.hpp"
#include "fake_runs.hpp"
#include "viz/hit_test.hpp"
#include "viz/playhead_state.hpp"

using namespace gilsim;
using namespace gilsim::literals;
using namespace gilsim::viz;
using trace::LaneKind;
using trace::Span;
using trace::SpanState;

namespace {

/// The search the playhead made before the index: each thread lane of the process searched at
/// `t`, its waiting span kept, the list sorted stably by when they began.
std::vector<GilWaiter> waiters_lane_by_lane(const trace::Trace& run, trace::ProcessId process, Time t) {
  std::vector<GilWaiter> waiters;
  for (trace::LaneId l = 0; l < run.lanes.size(); ++l) {
    const trace::Lane& lane = run.lanes[l];
    if (lane.kind != LaneKind::Thread || lane.process != process) continue;
    const auto i = span_at(lane.spans, t);
    if (i && lane.spans[*i].state == SpanState::WaitingGil) {
      waiters.push_back(GilWaiter{l, lane.spans[*i].begin, t - lane.spans[*i].begin});
    }
  }
  std::stable_sort(waiters.begin(), waiters.end(), [](const GilWaiter& a, const GilWaiter& b) { return a.since < b.since; });
  return waiters;
}

bool same_waiter(const GilWaiter& a, const GilWaiter& b) {
  return a.lane == b.lane && a.since == b.since && a.waited == b.waited;
}

/// The index's queue at `t` is the oracle's, whatever head is asked for; and state_at's.
/// Returns how many threads wait.
std::size_t check_queue_at(const trace::Trace& run, const PlayheadIndex& index, trace::ProcessId p, Time t) {
  CAPTURE(p);
  CAPTURE(t.ns());
  const std::vector<GilWaiter> want = waiters_lane_by_lane(run, p, t);
  for (const std::size_t longest : {std::size_t{0}, std::size_t{1}, std::size_t{4}, kWaitersListed, std::size_t{1000}}) {
    const GilQueue queue = gil_queue_at(run, index, p, t, longest);
    CHECK(queue.waiting == want.size());
    REQUIRE(queue.longest.size() == std::min(longest, want.size()));
    for (std::size_t i = 0; i < queue.longest.size(); ++i) {
      CAPTURE(i);
      CHECK(same_waiter(queue.longest[i], want[i]));
    }
  }
  return want.size();
}

/// The instants asked of a run: 0, before it, past its end, and about `samples` of its GIL
/// waits' edges exactly, a nanosecond either side, and halfway through.
std::vector<Time> instants_of(const trace::Trace& run, std::size_t samples) {
  std::vector<Span> waits;
  for (const trace::Lane& lane : run.lanes) {
    if (lane.kind != LaneKind::Thread) continue;
    for (const Span& s : lane.spans) {
      if (s.state == SpanState::WaitingGil) waits.push_back(s);
    }
  }
  std::vector<Time> at{Time::zero(), Time{-1}, run.end, run.end + Time{1}, run.end + 1_s};
  const std::size_t stride = std::max<std::size_t>(1, waits.size() / samples);
  for (std::size_t i = 0; i < waits.size(); i += stride) {
    const Span& s = waits[i];
    for (const Time t : {s.begin - Time{1}, s.begin, s.begin + Time{1}, s.begin + (s.end - s.begin) / 2,
                         s.end - Time{1}, s.end, s.end + Time{1}}) {
      at.push_back(t);
    }
  }
  return at;
}

}  // namespace

TEST_CASE("the GIL queue from the sorted waits is the lane-by-lane search's, on every bundled run and 200 threads") {
  std::size_t runs = 0, asked = 0, with_many_waiting = 0;
  testing::for_each_bundled_run_and_many_threads([&](const trace::Trace& run) {
    ++runs;
    const PlayheadIndex index = PlayheadIndex::build(run, 1);  // every process's waits, however few its threads
    const PlayheadIndex usual = PlayheadIndex::build(run);
    for (trace::ProcessId p = 0; p < run.processes.size(); ++p) {
      const bool has_threads = std::any_of(run.lanes.begin(), run.lanes.end(), [&](const trace::Lane& l) {
        return l.kind == LaneKind::Thread && l.process == p;
      });
      CHECK(index.gil_waits.covers(p) == has_threads);  // a model's lanes are in order
      for (const Time t : instants_of(run, 300)) {
        ++asked;
        if (check_queue_at(run, index, p, t) > kWaitersListed) ++with_many_waiting;
        check_queue_at(run, usual, p, t);  // few threads: lane by lane
      }
    }
  });
  CHECK(runs > 20);
  CHECK(asked > 20'000);
  CHECK(with_many_waiting > 500);  // the 200 threads: the head is a part of the queue
}

TEST_CASE("state_at lists the longest waiters and counts them all, and asks the cores and tasks of every kind") {
  testing::for_each_bundled_run_and_many_threads([&](const trace::Trace& run) {
    const PlayheadIndex index = PlayheadIndex::build(run);
    std::vector<trace::LaneId> cores_and_tasks, locks;
    for (trace::LaneId l = 0; l < run.lanes.size(); ++l) {
      if (run.lanes[l].kind == LaneKind::Core || run.lanes[l].kind == LaneKind::Task) cores_and_tasks.push_back(l);
      if (run.lanes[l].kind == LaneKind::Lock) locks.push_back(l);
    }
    CHECK(index.cores_and_tasks == cores_and_tasks);
    CHECK(index.locks == locks);
    for (const Time t : instants_of(run, 20)) {
      const PlayheadState state = state_at(run, index, t);
      for (const ProcessAtPlayhead& p : state.processes) {
        CAPTURE(t.ns());
        const std::vector<GilWaiter> want = waiters_lane_by_lane(run, p.process, t);
        CHECK(p.waiting == want.size());
        REQUIRE(p.waiters.size() == std::min(kWaitersListed, want.size()));
        for (std::size_t i = 0; i < p.waiters.size(); ++i) CHECK(same_waiter(p.waiters[i], want[i]));
      }
    }
  });
}

namespace {

/// Main and its GIL, and five thread lanes (2 to 6) whose spans the test writes itself: the
/// builder would drop a wait that lasts no time.
struct EdgeRun {
  trace::Trace run;
  trace::LaneId first_thread = 0;
};

EdgeRun edge_run() {
  trace::TraceBuilder b("edges", "threads", "new", trace::Origin::Simulated, 1, 5_ms);
  const auto main = b.add_process("main", true);
  EdgeRun e;
  e.first_thread = b.add_lane("T1", LaneKind::Thread, main);
  for (const char* name : {"T2", "T3", "T4", "T5"}) b.add_lane(name, LaneKind::Thread, main);
  e.run = b.finish(20_ms);
  return e;
}

/// Writes `lane`'s spans as given (begin, end, state), in order.
void write(trace::Trace& run, trace::LaneId lane, std::initializer_list<std::tuple<Time, Time, SpanState>> spans) {
  for (const auto& [begin, end, state] : spans) {
    run.lanes[lane].spans.push_back(Span{begin, end, trace::kNone, trace::kNoStep, state, 0});
  }
}

constexpr SpanState kRuns = SpanState::Running, kWaits = SpanState::WaitingGil;

}  // namespace

TEST_CASE("the queue's edges: a wait beginning at t waits, one ending at t does not, one of no time never does") {
  EdgeRun e = edge_run();
  trace::Trace& run = e.run;
  const trace::LaneId t1 = e.first_thread, t2 = t1 + 1, t3 = t1 + 2, t4 = t1 + 3, t5 = t1 + 4;
  // t1 waits 2-5 ms; t2 waits 5-8 ms (begins where t1's ends); t3 waits at 5 ms for no time,
  // then 5-9 ms; t4 waits 2-5 ms too (an equal begin: after t1), then waits on, a new span
  // (a step changed mid-wait) 5-7 ms; t5 runs, then waits 7-7 ms and 7-10 ms.
  write(run, t1, {{0_ms, 2_ms, kRuns}, {2_ms, 5_ms, kWaits}, {5_ms, 9_ms, kRuns}});
  write(run, t2, {{0_ms, 5_ms, kRuns}, {5_ms, 8_ms, kWaits}});
  write(run, t3, {{0_ms, 5_ms, kRuns}, {5_ms, 5_ms, kWaits}, {5_ms, 9_ms, kWaits}});
  write(run, t4, {{2_ms, 5_ms, kWaits}, {5_ms, 7_ms, kWaits}});
  write(run, t5, {{0_ms, 7_ms, kRuns}, {7_ms, 7_ms, kWaits}, {7_ms, 10_ms, kWaits}});
  const PlayheadIndex index = PlayheadIndex::build(run, 1);
  REQUIRE(index.gil_waits.covers(0));

  const auto lanes_at = [&](Time t) {
    std::vector<trace::LaneId> lanes;
    for (const GilWaiter& w : gil_queue_at(run, index, 0, t, 10).longest) lanes.push_back(w.lane);
    return lanes;
  };
  CHECK(lanes_at(2_ms - Time{1}).empty());
  CHECK(lanes_at(2_ms) == std::vector<trace::LaneId>{t1, t4});  // begun at t; an equal begin by lane
  CHECK(lanes_at(5_ms - Time{1}) == std::vector<trace::LaneId>{t1, t4});
  CHECK(lanes_at(5_ms) == std::vector<trace::LaneId>{t2, t3, t4});  // t1's ended at t; t3's of no time left out
  CHECK(gil_queue_at(run, index, 0, 5_ms, 10).longest[2].since == 5_ms);  // t4: the new span's begin
  CHECK(lanes_at(7_ms) == std::vector<trace::LaneId>{t2, t3, t5});
  CHECK(lanes_at(10_ms).empty());
  CHECK(gil_queue_at(run, index, 0, 7_ms, 1).waiting == 3);
  for (Time t = 0_ms; t <= 11_ms; t += 250_us) {
    for (const Time at : {t - Time{1}, t, t + Time{1}}) check_queue_at(run, index, 0, at);
  }
}

TEST_CASE("a process whose lanes are out of order is searched lane by lane, as before") {
  EdgeRun e = edge_run();
  trace::Trace& run = e.run;
  const trace::LaneId t1 = e.first_thread, t2 = t1 + 1;
  write(run, t1, {{0_ms, 4_ms, kWaits}, {3_ms, 6_ms, kWaits}});  // overlapping: a measured trace gone wrong
  write(run, t2, {{1_ms, 5_ms, kWaits}});
  const PlayheadIndex index = PlayheadIndex::build(run, 1);
  CHECK(!index.gil_waits.covers(0));
  for (Time t = 0_ms; t <= 7_ms; t += 500_us) check_queue_at(run, index, 0, t);
}

TEST_CASE("a run still being simulated gets no index: it is indexed again as it grows") {
  trace::Trace run = testing::many_waiters();
  CHECK(PlayheadIndex::build(run, 1).gil_waits.covers(0));
  run.simulated_until = run.end / 2;
  CHECK(!PlayheadIndex::build(run, 1).gil_waits.covers(0));
}
