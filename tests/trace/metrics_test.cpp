// Metrics from hand-built traces: every figure checked to the nanosecond.
#include <doctest/doctest.h>

#include "sim/trace/metrics.hpp"
#include "sim/trace/outcomes.hpp"
#include "sim/trace/trace_builder.hpp"

using namespace gilsim;
using namespace gilsim::literals;
using namespace gilsim::trace;

namespace {

// Two threads share one GIL on a two-core machine; T1 and T2 trade the GIL three times.
//   T1: run 0-4, wait 4-9, run 9-18 (job 0 ends at 18)
//   T2: wait 0-4, run 4-9, io 9-11, wait 11-13 and 13-18 (one wait, two steps),
//       run 18-22, sleep 22-24, run 24-25 (job 1 ends at 25)
Trace two_threads_sharing_a_gil() {
  TraceBuilder b("threads", "threads", "new", Origin::Simulated, 2, 5_ms);
  b.add_cores(2);
  const auto p = b.add_process("main", true);
  const auto gil = b.gil_lane(p);
  const auto t1 = b.add_lane("T1", LaneKind::Thread, p);
  const auto t2 = b.add_lane("T2", LaneKind::Thread, p);
  const auto tpl = b.add_template("work", {"cpu", "io", "cpu", "cpu"});
  const auto j0 = b.add_job("work 1", tpl);
  const auto j1 = b.add_job("work 2", tpl);
  b.add_job("work 3", tpl);  // never runs
  const auto core = b.core_lane(0);

  b.job_started(j0, t1, 0_ms);
  b.job_started(j1, t2, 2_ms);
  auto run = [&](LaneId thread, std::uint32_t job, std::uint16_t step, Time from, Time to) {
    b.set_state(thread, from, SpanState::Running, job, step);
    b.set_state(core, from, SpanState::Running, thread);
    b.set_state(gil, from, SpanState::Held, thread);
    b.clear_state(core, to);
    b.clear_state(gil, to);
  };
  run(t1, j0, 0, 0_ms, 4_ms);
  b.set_state(t2, 0_ms, SpanState::WaitingGil, j1, 0);
  b.set_state(t1, 4_ms, SpanState::WaitingGil, j0, 0);
  b.mark(4_ms, MarkKind::DropRequest, t2, t1, (4_ms).ns());
  b.mark(4_ms, MarkKind::ForcedSwitch, t1, t2, (4_ms).ns());
  run(t2, j1, 0, 4_ms, 9_ms);
  b.set_state(t2, 9_ms, SpanState::BlockedIo, j1, 1);
  b.mark(9_ms, MarkKind::DropRequest, t1, t2, (5_ms).ns());
  b.mark(9_ms, MarkKind::ForcedSwitch, t2, t1, (5_ms).ns());
  run(t1, j0, 0, 9_ms, 18_ms);
  b.set_state(t2, 11_ms, SpanState::WaitingGil, j1, 2);
  b.mark(11_ms, MarkKind::GilRequest, t2, t1);
  b.set_state(t2, 13_ms, SpanState::WaitingGil, j1, 3);
  b.clear_state(t1, 18_ms);
  b.job_finished(j0, 18_ms);
  run(t2, j1, 3, 18_ms, 22_ms);
  b.set_state(t2, 22_ms, SpanState::Sleeping, j1, 3);
  run(t2, j1, 3, 24_ms, 25_ms);
  b.clear_state(t2, 25_ms);
  b.job_finished(j1, 25_ms);
  return b.finish(25_ms);
}

}  // namespace

TEST_CASE("metrics give the threads' waits for the GIL read in the same pass, by process and lane") {
  // T1 waits 4-9 ms; T2 waits 0-4, 11-13 and 13-18 ms (two spans of one wait, each its own edges).
  const Trace t = two_threads_sharing_a_gil();
  std::vector<GilWaitEdges> waits;
  const Metrics m = compute_metrics(t, waits);
  CHECK(m.gil_wait_total == compute_metrics(t).gil_wait_total);
  REQUIRE(waits.size() == t.processes.size());
  const ProcessId p = t.lanes[t.lanes.size() - 1].process;
  const std::vector<std::pair<Time, int>> expected{{4_ms, +1},  {9_ms, -1},  {0_ms, +1}, {4_ms, -1},
                                                   {11_ms, +1}, {13_ms, -1}, {13_ms, +1}, {18_ms, -1}};
  CHECK(waits[p].edges == expected);
}

TEST_CASE("metrics of two threads sharing one GIL") {
  const Trace t = two_threads_sharing_a_gil();
  const Metrics m = compute_metrics(t);
  CHECK(m.makespan == 25_ms);
  CHECK(m.jobs_total == 3);
  CHECK(m.jobs_done == 2);
  SUBCASE("one core of two was busy 23 ms of 25") { CHECK(m.core_utilisation == doctest::Approx(23.0 / 50.0)); }
  SUBCASE("the GIL was held 23 ms of 25") {
    CHECK(m.gil_lanes == 1);
    CHECK(m.gil_held == doctest::Approx(23.0 / 25.0));
    CHECK(m.gil_held_lane == t.processes[0].gil_lane);
  }
  SUBCASE("waits add up, and touching waits of one thread count as one") {
    CHECK(m.gil_wait_total == 16_ms);
    CHECK(m.longest_gil_wait == 7_ms);
  }
  SUBCASE("a gap and then the same holder is not a switch") { CHECK(m.gil_switches == 3); }
  SUBCASE("drop requests and forced switches come from marks") {
    CHECK(m.drop_requests == 2);
    CHECK(m.forced_switches == 2);
  }
  SUBCASE("latency runs from a job's start, completion from the run's start") {
    CHECK(m.mean_job_latency == Time{(18_ms + 23_ms).ns() / 2});
    CHECK(m.mean_job_completion == Time{(18_ms + 25_ms).ns() / 2});
  }
}

namespace {

// A parent and two workers, each process with its own GIL, over 20 ms:
//   main's GIL    held by main 0-1 and 18-20                      3 ms
//   w1's GIL      held by W1 2-19                                  17 ms
//   w2's GIL      held by W2 2-6 and 12-16, and one span 19-25
//                 that the producer left open past the end: 19-20  9 ms
// The mean over the three GILs would be 29 / 60 = 48%: a parent and an idle half of the
// workers dragging W1's 85% down. The figure is the busiest GIL's: 17 / 20.
Trace a_parent_and_two_workers() {
  TraceBuilder b("pool", "process_pool", "new", Origin::Simulated, 2, 5_ms);
  b.add_cores(2);
  const auto main = b.add_process("main", true);
  const auto w1 = b.add_process("worker 1", true);
  const auto w2 = b.add_process("worker 2", true);
  const auto t0 = b.add_lane("main", LaneKind::Thread, main);
  const auto t1 = b.add_lane("W1", LaneKind::Thread, w1);
  const auto t2 = b.add_lane("W2", LaneKind::Thread, w2);
  auto hold = [&b](LaneId gil, LaneId thread, Time from, Time to) {
    b.set_state(gil, from, SpanState::Held, thread);
    b.clear_state(gil, to);
  };
  hold(b.gil_lane(main), t0, 0_ms, 1_ms);
  hold(b.gil_lane(main), t0, 18_ms, 20_ms);
  hold(b.gil_lane(w1), t1, 2_ms, 19_ms);
  hold(b.gil_lane(w2), t2, 2_ms, 6_ms);
  hold(b.gil_lane(w2), t2, 12_ms, 16_ms);
  hold(b.gil_lane(w2), t2, 19_ms, 25_ms);
  return b.finish(20_ms);
}

}  // namespace

TEST_CASE("with a GIL per process, GIL held is the busiest GIL's share of the run, not the mean") {
  const Trace t = a_parent_and_two_workers();
  const Metrics m = compute_metrics(t);
  CHECK(m.makespan == 20_ms);
  CHECK(m.gil_lanes == 3);
  CHECK(m.gil_held == doctest::Approx(17.0 / 20.0));
  CHECK(m.gil_held_lane == t.processes[1].gil_lane);
  SUBCASE("switches are counted in each GIL, not across them") { CHECK(m.gil_switches == 0); }
  SUBCASE("the same figure when the thread lanes are read apart") {
    const Metrics apart = compute_metrics_but_thread_lanes(t);
    CHECK(apart.gil_held == m.gil_held);
    CHECK(apart.gil_held_lane == m.gil_held_lane);
  }
}

TEST_CASE("of GILs held equally long, the first is the busiest") {
  TraceBuilder b("pool", "process_pool", "new", Origin::Simulated, 2, 5_ms);
  const auto main = b.add_process("main", true);
  const auto w1 = b.add_process("worker 1", true);
  const auto t0 = b.add_lane("main", LaneKind::Thread, main);
  const auto t1 = b.add_lane("W1", LaneKind::Thread, w1);
  b.set_state(b.gil_lane(w1), 0_ms, SpanState::Held, t1);
  b.clear_state(b.gil_lane(w1), 3_ms);
  b.set_state(b.gil_lane(main), 5_ms, SpanState::Held, t0);
  b.clear_state(b.gil_lane(main), 8_ms);
  const Trace t = b.finish(10_ms);
  const Metrics m = compute_metrics(t);
  CHECK(m.gil_held == doctest::Approx(0.3));
  CHECK(m.gil_held_lane == t.processes[0].gil_lane);
}

TEST_CASE("without core lanes, utilisation counts thread time that needs a core") {
  TraceBuilder b("measured", "threads", "none", Origin::Measured, 4, 5_ms);
  const auto p = b.add_process("main", false);
  const auto t1 = b.add_lane("T1", LaneKind::Thread, p);
  const auto t2 = b.add_lane("T2", LaneKind::Thread, p);
  b.set_state(t1, 0_ms, SpanState::Running, 0, 0);
  b.set_state(t1, 6_ms, SpanState::BlockedIo, 0, 1);  // needs no core
  b.set_state(t2, 0_ms, SpanState::Native, 1, 0);
  b.set_state(t2, 8_ms, SpanState::Pickling, 1, 1);
  b.clear_state(t2, 10_ms);
  Trace t = b.finish(10_ms);
  const Metrics m = compute_metrics(t);
  CHECK(m.core_utilisation == doctest::Approx((6.0 + 10.0) / 40.0));
  CHECK(m.gil_lanes == 0);
  SUBCASE("the real executor's run busy no more than the CPU it got: the OS gave its cores to others") {
    Trace& starved = t;
    starved.cpu_check.checked = true;
    starved.cpu_check.got = 8_ms;  // of the 16 ms its threads were drawn running
    CHECK(compute_metrics(starved).core_utilisation == doctest::Approx(8.0 / 40.0));
    starved.cpu_check.got = 30_ms;  // more (the executor's own threads): the lanes' figure stands
    CHECK(compute_metrics(starved).core_utilisation == doctest::Approx((6.0 + 10.0) / 40.0));
    starved.measured_by = "CPython 3.11";  // its recording's lanes: no such CPU figure
    starved.cpu_check.got = 8_ms;
    CHECK(compute_metrics(starved).core_utilisation == doctest::Approx((6.0 + 10.0) / 40.0));
  }
  CHECK(m.gil_held == 0.0);
  CHECK(m.gil_held_lane == kNone);
  CHECK(m.gil_switches == 0);
}

TEST_CASE("thread lanes fed in two parts and added give the figures of one reading, with or without core lanes") {
  for (const bool cores : {false, true}) {
    CAPTURE(cores);
    TraceBuilder b("parts", "threads", "new", Origin::Simulated, 2, 5_ms);
    if (cores) b.add_cores(2);
    const auto p = b.add_process("main", true);
    const auto t1 = b.add_lane("T1", LaneKind::Thread, p);
    const auto t2 = b.add_lane("T2", LaneKind::Thread, p);
    const auto t3 = b.add_lane("T3", LaneKind::Thread, p);
    b.set_state(t1, 0_ms, SpanState::Running, 0, 0);
    b.set_state(t1, 4_ms, SpanState::WaitingGil, 0, 1);
    b.set_state(t1, 9_ms, SpanState::Running, 0, 2);
    b.set_state(t2, 0_ms, SpanState::WaitingGil, 1, 0);
    b.set_state(t2, 4_ms, SpanState::Running, 1, 1);
    b.set_state(t2, 9_ms, SpanState::WaitingLock, 1, 2);
    b.set_state(t3, 1_ms, SpanState::WaitingGil, 2, 0);  // the longest wait, in the second part
    b.set_state(t3, 12_ms, SpanState::Native, 2, 1);
    b.clear_state(t1, 14_ms);
    b.clear_state(t2, 14_ms);
    b.clear_state(t3, 14_ms);
    const Trace t = b.finish(14_ms);
    const auto feed = [&](ThreadLaneFigures& figures, LaneId from, LaneId to) {
      for (LaneId l = from; l < to; ++l) {
        if (t.lanes[l].kind != LaneKind::Thread) continue;
        figures.start_lane(t.lanes[l]);
        for (const Span& s : t.lanes[l].spans) figures.see(s);
      }
    };
    const auto lanes = static_cast<LaneId>(t.lanes.size());
    std::vector<GilWaitEdges> whole_waits, first_waits, second_waits;
    ThreadLaneFigures whole(t, &whole_waits);
    feed(whole, 0, lanes);
    ThreadLaneFigures first(t, &first_waits, 0, t2), second(t, &second_waits, t2);
    feed(first, 0, t2);
    feed(second, t2, lanes);
    first.add(second);
    Metrics one = compute_metrics_but_thread_lanes(t), two = one;
    whole.add_to(one, t);
    first.add_to(two, t);
    CHECK(two.gil_wait_total == one.gil_wait_total);
    CHECK(two.longest_gil_wait == one.longest_gil_wait);
    CHECK(two.longest_gil_wait == 11_ms);
    CHECK(two.lock_wait_total == one.lock_wait_total);
    CHECK(two.core_utilisation == one.core_utilisation);
    if (!cores) CHECK(two.core_utilisation > 0.0);
    REQUIRE(first_waits.size() == 1);
    REQUIRE(second_waits.size() == 1);
    std::vector<std::pair<Time, int>> parts = first_waits[0].edges;
    parts.insert(parts.end(), second_waits[0].edges.begin(), second_waits[0].edges.end());
    CHECK(parts == whole_waits[0].edges);
  }
}

TEST_CASE("an empty trace gives zeros, not a division by zero") {
  TraceBuilder b("empty", "sequential", "new", Origin::Simulated, 1, 5_ms);
  b.add_cores(1);
  b.add_process("main", true);
  const Metrics m = compute_metrics(b.finish(0_ms));
  CHECK(m.core_utilisation == 0.0);
  CHECK(m.gil_held == 0.0);
  CHECK(m.jobs_done == 0);
  CHECK(m.mean_job_latency == 0_ms);
  CHECK(speedup(m, m) == 0.0);
}

TEST_CASE("speedup is the baseline's makespan over the run's") {
  Metrics baseline, faster;
  baseline.makespan = 480_ms;
  faster.makespan = 160_ms;
  CHECK(speedup(baseline, faster) == doctest::Approx(3.0));
  CHECK(speedup(faster, baseline) == doctest::Approx(1.0 / 3.0));
}

TEST_CASE("counters and a deadlock are told in words") {
  CHECK(gilsim::trace::group_digits(0) == "0");
  CHECK(gilsim::trace::group_digits(1734) == "1,734");
  CHECK(gilsim::trace::group_digits(400000) == "400,000");
  CHECK(gilsim::trace::group_digits(-1234567) == "-1,234,567");
  gilsim::trace::Trace t;
  t.counters.push_back({"counter", 0, 398266, 400000});
  t.counters.push_back({"hits", 10, 12, 2});
  t.lanes.push_back({"T1", gilsim::trace::LaneKind::Thread, 0, {}});
  t.lanes.push_back({"T2", gilsim::trace::LaneKind::Thread, 0, {}});
  t.lanes.push_back({"lock A", gilsim::trace::LaneKind::Lock, 0, {}});
  t.lanes.push_back({"lock B", gilsim::trace::LaneKind::Lock, 0, {}});
  t.marks.push_back({Time{1'000'000}, 1, 2, 0, gilsim::trace::MarkKind::Deadlock});
  t.marks.push_back({Time{1'000'000}, 0, 3, 1, gilsim::trace::MarkKind::Deadlock});
  const auto lines = gilsim::trace::outcome_lines(t);
  REQUIRE(lines.size() == 3);
  CHECK(lines[0] == "counter = 398,266: lost 1,734 of 400,000 updates");
  CHECK(lines[1] == "hits = 12: all 2 updates kept");
  CHECK(lines[2] == "deadlock at 1.00 ms: T2 waits for lock A, held by T1; T1 waits for lock B, held by T2. "
                    "The run stopped there.");
  // The run ends where the cycle is found; a run that goes on past a mark of one did not end in it.
  t.end = Time{1'000'000};
  CHECK(gilsim::trace::ended_in_deadlock(t));
  t.end = Time{2'000'000};
  CHECK_FALSE(gilsim::trace::ended_in_deadlock(t));
  t.end = Time{1'000'000};
  t.marks.push_back({Time{1'000'000}, 0, 0, 0, gilsim::trace::MarkKind::JobEnd});  // another mark after, at the end
  CHECK(gilsim::trace::ended_in_deadlock(t));
  gilsim::trace::Trace no_locks;
  no_locks.end = Time{1'000'000};
  no_locks.marks.push_back({Time{1'000'000}, 1, 2, 0, gilsim::trace::MarkKind::Deadlock});
  CHECK_FALSE(gilsim::trace::ended_in_deadlock(no_locks));
}

TEST_CASE("time waiting for a user lock is counted apart from the GIL wait") {
  using namespace gilsim;
  trace::TraceBuilder b("r", "threads", "new", trace::Origin::Simulated, 1, Time{5'000'000});
  const auto p = b.add_process("main", true);
  const auto t1 = b.add_lane("T1", trace::LaneKind::Thread, p);
  b.set_state(t1, Time{0}, trace::SpanState::WaitingLock);
  b.set_state(t1, Time{3'000'000}, trace::SpanState::WaitingGil);
  b.clear_state(t1, Time{4'000'000});
  const auto m = trace::compute_metrics(b.finish(Time{4'000'000}));
  CHECK(m.lock_wait_total == Time{3'000'000});
  CHECK(m.gil_wait_total == Time{1'000'000});
}

TEST_CASE("a speed-up far below 1x keeps two significant digits, so it does not read as zero") {
  // Lesson 3: 2.2 s of asyncio against 1,250 s of a thread pool (the command line's table and
  // the viewer's Numbers panel print it alike).
  CHECK(gilsim::trace::format_speedup(2.200020 / 1250.129669) == "0.0018x");
  CHECK(gilsim::trace::format_speedup(0.05) == "0.050x");
  CHECK(gilsim::trace::format_speedup(0.0999) == "0.100x");
  CHECK(gilsim::trace::format_speedup(0.1) == "0.10x");
  CHECK(gilsim::trace::format_speedup(0.99) == "0.99x");
  CHECK(gilsim::trace::format_speedup(568.2) == "568.20x");
  CHECK(gilsim::trace::format_speedup(0.0) == "0.00x");  // a standard deviation of nothing
}
