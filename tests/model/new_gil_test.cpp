// The new GIL, hand-written timelines (docs/model.md G1-G8).
#include <doctest/doctest.h>

#include "model_fixtures.hpp"

using namespace gilsim;
using namespace gilsim::test;
using trace::MarkKind;
using trace::SpanState;

TEST_CASE("two CPU-bound threads take turns every switch interval") {
  auto s = exact_scenario(2);
  add_jobs(s, "a", 1, {cpu(12_ms)});
  add_jobs(s, "b", 1, {cpu(12_ms)});
  const auto t = simulate_with(s, scenario::Executor::Threads);

  // T1 takes the free GIL at once (G1); T2 waits a full interval, asks for a drop (G2) and
  // T1 drops at its next check point (G4, G5). Then they alternate every 5 ms.
  check_holders(holders(t, "GIL"), {
                                       {0_ms, 5_ms, "T1"},
                                       {5_ms, 10_ms, "T2"},
                                       {10_ms, 15_ms, "T1"},
                                       {15_ms, 20_ms, "T2"},
                                       {20_ms, 22_ms, "T1"},
                                       {22_ms, 24_ms, "T2"},
                                   });
  const auto requests = marks_of(t, MarkKind::DropRequest);
  REQUIRE(requests.size() == 4);
  CHECK(requests[0]->at == 5_ms);
  CHECK(t.lanes[requests[0]->lane].name == "T2");
  CHECK(Time{requests[0]->value} == 5_ms);
  CHECK(trace::describe(t, *requests[0]) == "T2 waited 5.00 ms for the GIL and asked T1 to drop it");
  CHECK(marks_of(t, MarkKind::ForcedSwitch).size() == 4);
  CHECK(t.jobs[0].end == 22_ms);
  CHECK(t.jobs[1].begin == 5_ms);
  CHECK(t.jobs[1].end == 24_ms);
  CHECK(t.end == 24_ms);

  const auto& t1 = lane_named(t, "T1");
  CHECK(time_in(t1, SpanState::Running) == 12_ms);
  CHECK(time_in(t1, SpanState::WaitingGil) == 10_ms);
}

TEST_CASE("a waiter that loses the race to a returning I/O thread waits a fresh interval") {
  // The I/O thread drops the GIL for a 5 us read; the CPU thread is signalled but needs 10 us
  // to wake, so the reader barges back in first (G1, G8).
  // T2 started waiting at 0; at 1 ms T1 releases for its read: T2 is signalled at 1 ms,
  // T1 returns at 1.005 ms and takes the free GIL; T2 wakes at 1.010 ms, loses, re-arms.
  // Its fresh interval ends at 6.010 ms, or at 6.060 ms with a timer slack of 50 us (G2a:
  // the slack is paid per timed wait, so the re-armed waiter's grid is interval + slack),
  // and it runs 10 us later (the timer's wake-up, G2a): 6.020 or 6.070 ms.
  for (const Time slack : {0_us, 50_us}) {
    CAPTURE(slack);
    auto s = exact_scenario(2);
    s.costs.wake_poll_min = 10_us;  // every wake-up takes 10 us, polling or halted (G8)
    s.costs.wake_poll_max = 10_us;
    s.costs.timer_wake_min = 10_us;  // and the timer's own (G2a)
    s.costs.timer_slack = slack;
    add_jobs(s, "reader", 1, {cpu(1_ms), io(5_us), cpu(20_ms)});
    add_jobs(s, "hog", 1, {cpu(1_ms)});
    const auto t = simulate_with(s, scenario::Executor::Threads);
    const auto requests = marks_of(t, MarkKind::DropRequest);
    REQUIRE_FALSE(requests.empty());
    CHECK(requests[0]->at == 6_ms + 20_us + slack);
    CHECK(t.lanes[requests[0]->lane].name == "T2");
    CHECK(Time{requests[0]->value} == 6_ms + 20_us + slack);  // waited since 0
  }
}

TEST_CASE("a drop request that arrives as the holder's work ends does not cut it") {
  // T2 asks at 5 ms, the instant T1's second CPU step ends. T1 goes on to its sleep and
  // drops the GIL then, waiting for T2 to take it (G6): no forced switch, no empty hold.
  auto s = exact_scenario(2);
  add_jobs(s, "a", 1, {cpu(1_ms), cpu(4_ms), sleep_for(10_ms)});
  add_jobs(s, "b", 1, {cpu(10_ms)});
  const auto t = simulate_with(s, scenario::Executor::Threads);
  const auto actual = holders(t, "GIL");
  REQUIRE(actual.size() == 2);
  CHECK(actual[0].holder == "T1");
  CHECK(actual[0].end == 5_ms);
  CHECK(actual[1].holder == "T2");
  CHECK(actual[1].end == 15_ms);
  CHECK(marks_of(t, MarkKind::DropRequest).size() == 1);
  CHECK(marks_of(t, MarkKind::ForcedSwitch).empty());
  CHECK(t.end == 15_ms);
}

TEST_CASE("convoy: an I/O thread beside a CPU hog pays one switch interval per read") {
  for (const Time interval : {1_ms, 5_ms}) {
    CAPTURE(interval);
    std::vector<scenario::Step> reads;
    for (int i = 0; i < 100; ++i) {
      reads.push_back(io(100_us));
      reads.push_back(cpu(10_us));
    }
    auto s = beside_a_hog(4, interval, 10'000_ms, "reader", reads);
    const auto t = simulate_with(s, scenario::Executor::Threads);
    const Time reader = t.jobs[1].end - t.jobs[1].begin;
    // Each read returns to a GIL held by the hog and waits a whole interval for it (bpo-7946),
    // plus the read, its Python, the timed wait's slack and wake-ups, and the futex wake-ups
    // each hand-off costs the reader (G8b, G8c: 30 us; 328 us a read in all at 5 ms).
    CHECK(reader >= interval * 100);
    CHECK(reader <= interval * 100 + 100 * 350_us);
  }
}

TEST_CASE("CPU-bound threads under the new GIL are no faster than sequential code") {
  scenario::Scenario s;
  s.machine.cores = 4;
  add_jobs(s, "crunch", 4, {cpu(100_ms)});
  const auto seq = simulate_with(s, scenario::Executor::Sequential);
  CHECK(seq.end == 400_ms);
  const auto threads = simulate_with(s, scenario::Executor::Threads);
  CHECK(threads.end >= 400_ms);
  // Thread starts, wake-ups from halted cores (G8), cache refills on other cores (S6) and
  // context switches: about 80 us per 5 ms turn.
  CHECK(threads.end <= 400_ms + 12_ms);
}

TEST_CASE("C code that releases the GIL runs in parallel on several cores") {
  auto s = exact_scenario(2);
  add_jobs(s, "hash", 2, {native(100_ms)});
  const auto t = simulate_with(s, scenario::Executor::Threads);
  CHECK(t.end == 100_ms);
  const auto seq = simulate_with(s, scenario::Executor::Sequential);
  CHECK(seq.end == 200_ms);
}

namespace {

/// Two threads of `count` CPU steps of `each`, a 1 ms switch interval, two cores.
trace::Trace two_threads_of_steps(std::size_t count, Time each) {
  auto s = exact_scenario(2);
  s.python.switch_interval = 1_ms;
  const std::vector<scenario::Step> steps(count, cpu(each));
  add_jobs(s, "a", 1, steps);
  add_jobs(s, "b", 1, steps);
  return simulate_with(s, scenario::Executor::Threads);
}

}  // namespace

TEST_CASE("many short computes in a row: each ends on time, and the drop request cuts the one it falls in") {
  // Eight 300 us steps each, 1 ms interval. Most steps end before anything else is due
  // (the engine ends them without the timer heap); the request at each whole millisecond
  // falls inside a step, which is cut there and finished after the thread's next turn.
  // T1: 0-0.9 three steps, 0.9-1 a third of the fourth (cut); 2-2.2 its rest, 2.2-2.8 two
  // more, 2.8-3 two thirds of the seventh; 4-4.4 the rest and the eighth. T2 likewise from 1 ms.
  const auto t = two_threads_of_steps(8, 300_us);
  check_holders(holders(t, "GIL"), {
                                       {0_ms, 1_ms, "T1"},
                                       {1_ms, 2_ms, "T2"},
                                       {2_ms, 3_ms, "T1"},
                                       {3_ms, 4_ms, "T2"},
                                       {4_ms, 4400_us, "T1"},
                                       {4400_us, 4800_us, "T2"},
                                   });
  CHECK(marks_of(t, MarkKind::ForcedSwitch).size() == 4);
  CHECK(t.jobs[0].end == 4400_us);
  CHECK(t.jobs[1].end == 4800_us);
  CHECK(time_in(lane_named(t, "T1"), SpanState::Running) == 2400_us);
  CHECK(time_in(lane_named(t, "T2"), SpanState::Running) == 2400_us);
}

TEST_CASE("a short compute that ends as the drop request falls due is not cut: the next one is not started") {
  // 250 us steps end on each whole millisecond, where the request falls due: the request
  // comes first (it was due first), the ending step is not cut, and the thread drops the
  // GIL at the check point before its next step (G4, G5).
  const auto t = two_threads_of_steps(6, 250_us);
  check_holders(holders(t, "GIL"), {
                                       {0_ms, 1_ms, "T1"},
                                       {1_ms, 2_ms, "T2"},
                                       {2_ms, 2500_us, "T1"},
                                       {2500_us, 3_ms, "T2"},
                                   });
  CHECK(time_in(lane_named(t, "T1"), SpanState::Running) == 1500_us);
}
