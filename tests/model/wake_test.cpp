// The wake-up of a blocked GIL waiter depends on its situation (docs/model.md G8, G2a, G6,
// S6): a thread whose core has just been busy is woken from a polling idle loop in a few
// microseconds (a seeded draw), one whose core idled through a whole switch interval is
// woken from a halted core, later the longer it idled; and Python that moves to another
// core refills its caches. Hand-written timelines first, then the effects CI checks with
// the default costs.
#include <doctest/doctest.h>

#include <algorithm>
#include <tuple>

#include "model_fixtures.hpp"

using namespace gilsim;
using namespace gilsim::test;
using trace::MarkKind;
using trace::SpanState;

namespace {

/// Exact costs, with a wake-up law whose halted branch is easy to work out by hand:
/// a poll wake of exactly `poll` (min = max: nothing is drawn), and past a 1 ms window
/// poll + 10 us x log2(idle / 1 ms); the timed wait's own wake-up (G2a) by the same law, as
/// the defaults of the two laws are.
scenario::Scenario wake_scenario(Time poll, Time window = 1_ms) {
  auto s = exact_scenario(2);
  s.costs.wake_poll_window = window;
  s.costs.wake_poll_min = poll;
  s.costs.wake_poll_max = poll;
  s.costs.wake_per_doubling = 10_us;
  s.costs.timer_wake_min = poll;
  s.costs.timer_wake_window = window;
  s.costs.timer_wake_per_doubling = 10_us;
  return s;
}

/// A hog (T1, 100 ms of Python) and a client (T2) making three operations of sendall (4 us)
/// then recv (7 us), the two-release convoy.
scenario::Scenario three_operations(scenario::Scenario s) {
  add_jobs(s, "hog", 1, {cpu(100_ms)});
  std::vector<scenario::Step> ops;
  for (int i = 0; i < 3; ++i) {
    ops.push_back(io(4_us));
    ops.push_back(io(7_us));
  }
  add_jobs(s, "client", 1, ops);
  return s;
}

/// T1 and T2, CPU-bound for `a` and `b`, with a 4 us poll wake-up and a 4 ms interval.
scenario::Scenario two_cpu_threads(Time a, Time b) {
  auto s = wake_scenario(4_us);
  s.python.switch_interval = 4_ms;
  add_jobs(s, "a", 1, {cpu(a)});
  add_jobs(s, "b", 1, {cpu(b)});
  return s;
}

/// Runs `s` with threads once with each placement (one shared run queue, per-CPU queues)
/// and hands each trace to `check`.
template <typename Check>
void in_both_placements(scenario::Scenario s, Check check) {
  for (const auto placement : {scenario::Placement::Shared, scenario::Placement::PerCpu}) {
    CAPTURE(static_cast<int>(placement));
    s.machine.placement = placement;
    check(simulate_with(s, scenario::Executor::Threads));
  }
}

Time job_latency(const trace::Trace& t, std::size_t job) { return t.jobs[job].end - t.jobs[job].begin; }

/// Per read of `lane`: whether the GIL wait after it lasted more than half an interval.
std::vector<bool> lost_reads(const trace::Trace& t, const trace::Lane& lane) {
  std::vector<bool> lost;
  for (const auto& span : lane.spans) {
    if (span.state == SpanState::BlockedIo) {
      lost.push_back(false);
    } else if (!lost.empty() && span.state == SpanState::WaitingGil && span.duration() * 2 > t.switch_interval) {
      lost.back() = true;
    }
  }
  return lost;
}

}  // namespace

TEST_CASE("a waiter whose core idled a whole interval wakes from a halted core: the gap grows with the interval") {
  // Two CPU-bound threads, interval 4 ms, slack 0, poll 4 us, 10 us per doubling past 1 ms.
  // Each timed wait ends interval + the wake of a core idle that long (G2a):
  //   4 ms + (4 + 10 x log2(4)) us = 4.024 ms.
  //   0         T1 takes the free GIL; T2 blocks in its timed wait (armed at 0).
  //   4.024     T2 asks; T1 drops at once (G4) and waits for the switch; T2 has been blocked
  //             4.024 ms: it wakes 4 + 10 x log2(4.024) = 24.086 us later (G8).
  //   4.048086  T2 takes. T1, blocked only 24 us and never before, wakes from a polling
  //             core 4 us later (G6), at 4.052086, and arms its timed wait.
  //   8.076086  T1 asks (4.052086 + 4.024); T2 drops; T1 was blocked 4.024 ms: 24.086 us.
  //   8.100172  T1 takes. T2 was blocked 24 us now but 4.048086 ms before its tenure, so its
  //             core is halted: 4 + 10 x log2(4.048086) = 24.172 us, at 8.124344; it arms then.
  //  12.148344  T2 asks (8.124344 + 4.024): T1's tenure was 4.048172 ms.
  // At each switch wake-up (4.052086, 8.124344) the dropper finds the GIL held and goes
  // back to its timed wait, having run on its idle core for a moment only (the engine's
  // direct path, Engine::pass_through_core): its lane shows one wait from its drop to its
  // next tenure, and no core shows it. Nobody ever waits for a core, so both placements
  // give this timeline.
  auto s = two_cpu_threads(20_ms, 20_ms);
  in_both_placements(s, [](const trace::Trace& t) {
    check_holders(holders(t, "GIL"),
                  {
                      {0_ms, 4'024_us, "T1"},
                      {4'048'086_ns, 8'076'086_ns, "T2"},
                      {8'100'172_ns, 12'148'344_ns, "T1"},
                  },
                  true);
    const auto& t1 = lane_named(t, "T1");
    REQUIRE(t1.spans.size() >= 3);
    CHECK(t1.spans[0].begin == 0_ms);
    CHECK(t1.spans[0].end == 4'024_us);
    CHECK(t1.spans[0].state == SpanState::Running);
    CHECK(t1.spans[1].begin == 4'024_us);
    CHECK(t1.spans[1].end == 8'100'172_ns);
    CHECK(t1.spans[1].state == SpanState::WaitingGil);
    CHECK(t1.spans[2].begin == 8'100'172_ns);
    CHECK(t1.spans[2].state == SpanState::Running);
    for (const char* core : {"core 0", "core 1"}) {
      CAPTURE(core);
      for (const auto& span : lane_named(t, core).spans) {
        CHECK_FALSE((span.begin >= 4'052'086_ns && span.begin < 8'100'172_ns));
        CHECK_FALSE((span.begin >= 8'124'344_ns && span.begin < 12'172'430_ns));
      }
    }
  });

  // At 16 ms: the first wait ends at 16 ms + (4 + 10 x log2(16)) us = 16.044 ms, and T2,
  // blocked 16.044 ms, wakes 4 + 10 x log2(16.044) = 44.040 us later.
  s.python.switch_interval = 16_ms;
  const auto longer = simulate_with(s, scenario::Executor::Threads);
  check_holders(holders(longer, "GIL"), {{0_ms, 16'044_us, "T1"}, {16'088'040_ns, 32'136'040_ns, "T2"}}, true);
}

TEST_CASE("a dropper that wakes after the new holder exited takes the free GIL and runs on, in either placement") {
  // As the timeline above, but T2 has 2 us of Python:
  //   4.048086   T2 takes and runs its 2 us: it exits at 4.050086, the GIL free, nobody waiting.
  //   4.052086   T1 wakes from a polling core (G6), takes the free GIL on its core and runs
  //              the rest of its 12 ms (7.976 ms): it ends at 12.028086.
  in_both_placements(two_cpu_threads(12_ms, 2_us), [](const trace::Trace& t) {
    check_holders(holders(t, "GIL"), {
                                         {0_ms, 4'024_us, "T1"},
                                         {4'048'086_ns, 4'050'086_ns, "T2"},
                                         {4'052'086_ns, 12'028'086_ns, "T1"},
                                     });
    REQUIRE(t.jobs.size() == 2);
    CHECK(t.jobs[0].end == 12'028'086_ns);
    CHECK(t.jobs[1].end == 4'050'086_ns);
  });
}

TEST_CASE("the timed wait ends the slack plus the wake of a halted core after its interval (G2a)") {
  // Slack 50 us, interval 5 ms: the timer fires at 5.05 ms on a core idle that long, which
  // wakes 4 + 10 x log2(5.05) = 27.363 us later: the first drop request at 5.077363 ms.
  auto s = wake_scenario(4_us);
  s.costs.timer_slack = 50_us;
  add_jobs(s, "a", 1, {cpu(12_ms)});
  add_jobs(s, "b", 1, {cpu(12_ms)});
  const auto t = simulate_with(s, scenario::Executor::Threads);
  const auto requests = marks_of(t, MarkKind::DropRequest);
  REQUIRE_FALSE(requests.empty());
  CHECK(requests[0]->at == 5'077'363_ns);
  CHECK(Time{requests[0]->value} == 5'077'363_ns);
}

TEST_CASE("with the default law, a core idle a whole interval wakes 9 us plus 5.3 us per doubling past 390 us (G8)") {
  // The default wake-up law, every other cost zero (no slack, no refill). Two CPU-bound
  // threads; T2 blocks in its timed wait at 0 and its core stays idle until it asks:
  //   the timer fires at the interval I on a core idle I:    I + 9 + 5.3 x log2(I / 390 us)
  //   T1 drops at once (G4); T2, blocked since 0 (R), wakes   R + 9 + 5.3 x log2(R / 390 us)
  //   I = 1 ms:  R = 1 ms + (9 + 7.200) us = 1.016200 ms;    T2 takes 16.323 us later, 1.032523 ms
  //   I = 5 ms:  R = 5 ms + (9 + 19.506) us = 5.028506 ms;   28.549 us later, 5.057055 ms
  //   I = 20 ms: R = 20 ms + (9 + 30.106) us = 20.039106 ms; 39.121 us later, 20.078227 ms
  const scenario::Costs defaults;
  const std::vector<std::tuple<Time, Time, Time>> expected = {
      {1_ms, 1'016'200_ns, 1'032'523_ns},
      {5_ms, 5'028'506_ns, 5'057'055_ns},
      {20_ms, 20'039'106_ns, 20'078'227_ns},
  };
  for (const auto& [interval, request, takes] : expected) {
    CAPTURE(interval);
    auto s = exact_scenario(2);
    s.costs.wake_poll_window = defaults.wake_poll_window;
    s.costs.wake_poll_min = defaults.wake_poll_min;
    s.costs.wake_poll_max = defaults.wake_poll_max;
    s.costs.wake_per_doubling = defaults.wake_per_doubling;
    s.costs.timer_wake_min = defaults.timer_wake_min;
    s.costs.timer_wake_window = defaults.timer_wake_window;
    s.costs.timer_wake_per_doubling = defaults.timer_wake_per_doubling;
    s.python.switch_interval = interval;
    add_jobs(s, "a", 1, {cpu(3 * interval)});
    add_jobs(s, "b", 1, {cpu(3 * interval)});
    const auto t = simulate_with(s, scenario::Executor::Threads);
    const auto requests = marks_of(t, MarkKind::DropRequest);
    REQUIRE_FALSE(requests.empty());
    CHECK(requests[0]->at == request);
    const auto held = holders(t, "GIL");
    REQUIRE(held.size() >= 2);
    CHECK(held[0].end == request);
    CHECK(held[1].begin == takes);
  }
}

TEST_CASE("a read shorter than a polling core's wake-up keeps the GIL; a longer one loses an interval (G8)") {
  // Poll wake 2 us (window 10 ms: every core here polls), interval 5 ms, so a timed wait
  // lasts 5.002 ms. T1 reads after 1 ms of Python; T2 (the hog) waits since 0.
  //   1 ms      T1 drops for its read and signals T2, which wakes at 1.002 ms.
  // A 500 ns read: T1 is back at 1.0005 and takes the free GIL first; T2 finds it taken,
  //   re-arms (1.002, due 6.004); T1 ends at 2.0005 and T2, signalled, takes at 2.0025.
  // A 4 us read: T2 takes at 1.002; T1, back at 1.004, waits a whole interval: asks at
  //   1.004 + 5.002 = 6.006, takes at 6.008, ends at 7.008; T2 had 5.004 ms of its 20,
  //   takes again at 7.010 and ends at 22.006.
  for (const bool short_read : {true, false}) {
    CAPTURE(short_read);
    auto s = wake_scenario(2_us, 10_ms);
    add_jobs(s, "reader", 1, {cpu(1_ms), io(short_read ? 500_ns : 4_us), cpu(1_ms)});
    add_jobs(s, "hog", 1, {cpu(20_ms)});
    const auto t = simulate_with(s, scenario::Executor::Threads);
    if (short_read) {
      CHECK(t.jobs[0].end == 2'000'500_ns);
      CHECK(t.jobs[1].end == 22'002'500_ns);
      CHECK(marks_of(t, MarkKind::DropRequest).empty());
    } else {
      CHECK(t.jobs[0].end == 7'008_us);
      CHECK(t.jobs[1].end == 22'006_us);
      const auto requests = marks_of(t, MarkKind::DropRequest);
      REQUIRE(requests.size() == 1);
      CHECK(requests[0]->at == 6'006_us);
    }
  }
}

TEST_CASE("sendall then recv beside a CPU hog: each release loses the GIL, two intervals per operation") {
  // Poll wake 2 us, interval 5 ms (timed waits of 5.002 ms). The hog T1 holds the GIL;
  // the client T2 makes 3 operations: sendall (4 us), recv (7 us).
  //   0        T2 waits; at 5.002 it asks, T1 drops and T2 takes at 5.004. T1, woken from
  //            the switch wait 2 us later (5.006), finds the GIL free: T2 is in sendall.
  //   5.008    T2 is back, the GIL is taken: it waits 5.002 ms, asks at 10.010, takes at
  //            10.012 and calls recv; T1 takes the free GIL at 10.014; T2 is back at 10.019.
  // Each call costs 4 or 7 us + 5.004 ms: T2 takes at 15.023, 20.031, 25.042, 30.050 and,
  // after its last recv, at 35.061 ms, and ends there; 7 drop requests in all.
  auto s = three_operations(wake_scenario(2_us, 10_ms));
  const auto t = simulate_with(s, scenario::Executor::Threads);
  CHECK(t.jobs[1].end == 35'061_us);
  const auto requests = marks_of(t, MarkKind::DropRequest);
  CHECK(requests.size() == 7);
  for (const auto& r : requests) CHECK(t.lanes[r->lane].name == "T2");
}

TEST_CASE("sendall then recv beside a CPU hog: a wake-up longer than the sendall loses only the recv, one interval per operation") {
  // As above, with the hog's wake-up longer than the 4 us sendall: each time T2 takes the
  // GIL back, T1 is released from the switch wait and lands in whichever call T2 is in.
  // Poll wake 5 us, interval 5 ms (timed waits of 5.005 ms), 3 operations:
  //   0        T2 waits; at 5.005 it asks, T1 drops and T2 takes at 5.010; T1, released, runs
  //            at 5.015. T2's sendall 5.010-5.014: back before T1, it takes the free GIL and
  //            calls recv, 5.014-5.021; T1 takes the free GIL at 5.015.
  //   5.021    T2 waits 5.005 ms, asks at 10.026, takes at 10.031: sendall to 10.035, recv to
  //            10.042, T1 in at 10.036; then 15.047, 15.052, recv to 15.063, and after the
  //            last recv T2 asks at 20.068 and takes at 20.073, where it ends: 4 requests.
  // Wake-up 8 us (timed waits of 5.008 ms): T2 takes at 5.016, sendall to 5.020, recv to
  // 5.027, T1 in at 5.024; each operation 5.008 + 8 + 4 + 7 us: T2 asks at 10.035, 15.062,
  // 20.089 and ends at 20.097.
  for (const auto& [wake, end] : {std::pair{5_us, 20'073_us}, std::pair{8_us, 20'097_us}}) {
    CAPTURE(wake);
    auto s = three_operations(wake_scenario(wake, 10_ms));
    const auto t = simulate_with(s, scenario::Executor::Threads);
    CHECK(t.jobs[1].end == end);
    const auto requests = marks_of(t, MarkKind::DropRequest);
    CHECK(requests.size() == 4);
    for (const auto& r : requests) CHECK(t.lanes[r->lane].name == "T2");
    // Every sendall kept the GIL, every recv lost an interval.
    const auto lost = lost_reads(t, lane_named(t, "T2"));
    CHECK(lost == std::vector<bool>{false, true, false, true, false, true});
  }
}

TEST_CASE("Python woken from a halted core refills its caches first (S6)") {
  // Two 12 ms CPU jobs, interval 5 ms, wake-ups 0, refill 50 us. Each waiter blocked a
  // whole interval (longer than the 200 us polling window), so each turn after the first
  // starts with 50 us of refill. Turns still change every 5 ms; the work left grows by
  // 50 us a turn:
  //   T1 0-5 (12 -> 7), T2 5-10 (12.05 -> 7.05), T1 10-15 (7.05 -> 2.05),
  //   T2 15-20 (7.10 -> 2.10), T1 20-22.10 (2.10), T2 22.10-24.25 (2.15).
  auto s = exact_scenario(2);
  s.costs.handoff_refill = 50_us;
  add_jobs(s, "a", 1, {cpu(12_ms)});
  add_jobs(s, "b", 1, {cpu(12_ms)});
  const auto t = simulate_with(s, scenario::Executor::Threads);
  check_holders(holders(t, "GIL"), {
                                       {0_ms, 5_ms, "T1"},
                                       {5_ms, 10_ms, "T2"},
                                       {10_ms, 15_ms, "T1"},
                                       {15_ms, 20_ms, "T2"},
                                       {20_ms, 22'100_us, "T1"},
                                       {22'100_us, 24'250_us, "T2"},
                                   });
  CHECK(t.end == 24'250_us);
  // One thread alone is never woken by a signal: no refill.
  auto alone = exact_scenario(2);
  alone.costs.handoff_refill = 50_us;
  add_jobs(alone, "a", 2, {cpu(12_ms)});
  CHECK(simulate_with(alone, scenario::Executor::Sequential).end == 24_ms);
}

// The effects CI checks on the model's side, with the default costs (the scenarios of
// fidelity/scenarios/ state the same workloads).

TEST_CASE("four CPU-bound threads on two cores are slower than sequential code") {
  scenario::Scenario s;
  s.machine.cores = 2;
  add_jobs(s, "crunch", 4, {cpu(200_ms)});
  const auto seq = simulate_with(s, scenario::Executor::Sequential);
  const auto threads = simulate_with(s, scenario::Executor::Threads);
  const double ratio = static_cast<double>(threads.end.ns()) / static_cast<double>(seq.end.ns());
  MESSAGE("4 threads / sequential " << ratio);
  CHECK(ratio > 1.01);
  CHECK(ratio < 1.10);
}

TEST_CASE("the convoy with two releases per operation loses one interval each time the I/O thread takes the GIL back") {
  // With the default draw (G8) the CPU-bound thread, forced out and waiting on switch_cond
  // (G6), is released when the I/O thread takes the GIL and runs 3 to 9 us later (uniform:
  // its core idled only the wake-up of a halted one, so it polls). The I/O thread runs no
  // Python between its calls, so the GIL is free through the next two calls but for an
  // instant between them, and the hog takes it in whichever call it lands in: each time
  // the I/O thread takes the GIL back, one interval is lost, in its next sendall (4 us) or
  // recv (7 us). Taking it back before a sendall (R), it loses the sendall if the hog wakes
  // within 4 us (1/6), else the recv (5/6, the hog arriving by 9 < 4 + 7 us); before a recv
  // (S), the recv if within 7 us (2/3), else the next sendall (1/3). The chain stays in R
  // 4/5 of the time, S 1/5, and a loss moves the I/O thread on by (4/5)(1/6 x 1 + 5/6 x 2)
  // + (1/5)(2/3 x 1 + 1/3 x 2) = 26/15 calls: 15/13 = 1.154 lost intervals per operation,
  // 0.231 of them in a sendall, 0.923 in a recv. Each lost interval lasts the interval plus
  // G2a's slack and a halted core's wake-up (5.107 ms at 5 ms): 1.18 intervals per operation.
  for (const Time interval : {5_ms, 50_ms}) {
    CAPTURE(interval);
    std::vector<scenario::Step> ops;
    for (int i = 0; i < 12; ++i) {
      ops.push_back(io(4_us));
      ops.push_back(io(7_us));
    }
    auto s = beside_a_hog(2, interval, 3'000_ms, "client", ops);
    // The count above is G8's draw alone: without the GIL's mutex, whose signalling drops
    // would add 10 us to the I/O thread's calls (G8b).
    s.costs.gil_mutex_take = Time::zero();
    s.costs.gil_mutex_signal = Time::zero();
    s.costs.cross_wake_short = Time::zero();  // nor G8d's signal and wake-up by the halt
    int sends_lost = 0, recvs_lost = 0, seeds = 0;
    double intervals = 0;
    for (std::uint64_t seed = 1; seed <= 20; ++seed, ++seeds) {
      s.seed = seed;
      const auto t = simulate_with(s, scenario::Executor::Threads);
      const auto lost = lost_reads(t, lane_named(t, "T2"));
      REQUIRE(lost.size() == 24);
      for (std::size_t i = 0; i < lost.size(); ++i) (i % 2 == 0 ? sends_lost : recvs_lost) += lost[i] ? 1 : 0;
      intervals += static_cast<double>(job_latency(t, 1).ns()) / 12.0 / static_cast<double>(interval.ns());
    }
    MESSAGE("sendalls lost " << sends_lost << ", recvs lost " << recvs_lost << " of " << 12 * seeds
                             << "; intervals per op " << intervals / seeds);
    // 240 operations: 55.4 sendalls lost expected (standard deviation about 6.5), 221.5 recvs (about 4).
    CHECK(sends_lost >= 36);
    CHECK(sends_lost <= 75);
    CHECK(recvs_lost >= 209);
    CHECK(recvs_lost <= 234);
    CHECK(intervals / seeds > 1.10);
    CHECK(intervals / seeds < 1.26);
  }
}

TEST_CASE("a read from a ready pipe keeps the GIL under one seed and loses an interval under another") {
  auto s = beside_a_hog(2, 5_ms, 1'000_ms, "reader", std::vector<scenario::Step>(200, io(500_ns)));
  std::vector<int> lost_per_seed;
  bool some_read_kept_and_lost = false;
  std::vector<bool> ever_lost(200, false), ever_kept(200, false);
  for (std::uint64_t seed = 1; seed <= 20; ++seed) {
    s.seed = seed;
    const auto t = simulate_with(s, scenario::Executor::Threads);
    const auto lost = lost_reads(t, lane_named(t, "T2"));
    REQUIRE(lost.size() == 200);
    int count = 0;
    for (std::size_t i = 0; i < lost.size(); ++i) {
      count += lost[i] ? 1 : 0;
      (lost[i] ? ever_lost : ever_kept)[i] = true;
    }
    lost_per_seed.push_back(count);
  }
  for (std::size_t i = 0; i < 200; ++i) some_read_kept_and_lost |= ever_lost[i] && ever_kept[i];
  int total = 0;
  for (const int count : lost_per_seed) total += count;
  MESSAGE("lost reads: " << total << " of " << 200 * lost_per_seed.size() << " over 20 seeds");
  CHECK(some_read_kept_and_lost);
  // Since G8d about a tenth of the reads lose the GIL (14 to 29 of 200 a seed; with G8c alone
  // most did, over 100 a seed): drop_gil's signal of the hog, on the other CPU, and its wake-up
  // are G8d's draws by the halt (docs/model.md G8d: 104 of 4,000 in the suite's row, CPython 59
  // of 1,200 on its page, 156 of 200 in the quiet run of G8c); every seed still loses some
  // reads and keeps most.
  for (const int count : lost_per_seed) {
    CHECK(count >= 5);
    CHECK(count <= 60);
  }
}

TEST_CASE("with the defaults, tenure and hand-off gap grow with the interval (the figures of docs/model.md G2a, G8)") {
  // Two CPU-bound threads on two cores, as fidelity/scenarios/gil-tenure.toml: medians of
  // the GIL's holds (the first and the last left out) and of the gaps between two holders.
  const std::vector<std::tuple<Time, double, double>> expected = {
      // interval, median tenure (ms), median gap (us)
      {1_ms, 1.08, 16.7},
      {5_ms, 5.11, 28.6},
      {20_ms, 20.1, 39.1},
  };
  for (const auto& [interval, tenure_ms, gap_us] : expected) {
    CAPTURE(interval);
    scenario::Scenario s;
    s.machine.cores = 2;
    s.python.switch_interval = interval;
    add_jobs(s, "spinner", 2, {cpu(300_ms)});
    const auto t = simulate_with(s, scenario::Executor::Threads);
    const auto& holds = lane_named(t, "GIL").spans;
    std::vector<double> tenures, gaps;
    for (std::size_t i = 1; i + 1 < holds.size(); ++i) {
      tenures.push_back(static_cast<double>(holds[i].duration().ns()) / 1e6);
      if (holds[i].subject != holds[i - 1].subject) gaps.push_back(static_cast<double>((holds[i].begin - holds[i - 1].end).ns()) / 1e3);
    }
    REQUIRE(!tenures.empty());
    REQUIRE(!gaps.empty());
    const auto median = [](std::vector<double> v) {
      std::sort(v.begin(), v.end());
      return v[v.size() / 2];
    };
    MESSAGE("tenure " << median(tenures) << " ms, gap " << median(gaps) << " us");
    CHECK(median(tenures) == doctest::Approx(tenure_ms).epsilon(0.005));
    CHECK(median(gaps) == doctest::Approx(gap_us).epsilon(0.005));
  }
}

namespace {

/// The holds of the GIL that last: a thread that takes it and drops it in the same instant
/// (to block again at once, G7) held nothing.
std::vector<Hold> lasting_holds(const trace::Trace& t) {
  std::vector<Hold> out;
  for (const auto& h : holders(t, "GIL")) {
    if (h.end > h.begin) out.push_back(h);
  }
  return out;
}

}  // namespace

TEST_CASE("a signalled waiter runs on a core before it takes the GIL: with every core busy it waits for a protected slice (S3, G8a)") {
  // Two cores, every wake-up 4 us, one shared run queue (S1: S3's choice among all cores).
  // T1 holds the GIL from 0, then runs 10 ms of C code without it on its core; T2 and T3
  // (each 100 us of Python, 2 ms of C code, 100 us of Python) wait from 0. Which of them is
  // signalled first is the OS's draw (G6): call it X.
  //   0         T1 takes the free GIL (G1); T2 and T3 run, find it taken and block.
  //   1         T1 drops it for its C code (G7) and keeps core 0; X is signalled.
  //   1.004     X wakes on the idle core 1 and takes the free GIL.
  //   1.104     X drops it for its C code, on core 1; Y is signalled.
  //   1.108     Y wakes and finds both cores running C code. It must run to take the GIL,
  //             but it slept with no lag (it never waited for a core), so it is placed at
  //             the queue's average, where T1 (taken its core at 0, its slice protected
  //             until it has run a quantum) stays eligible: Y waits in the run queue (S3).
  // With a 3 ms quantum:
  //   3         T1's slice ends with Y queued (S2): Y takes core 0 and the free GIL, to
  //             3.1, then its C code to 5.1; T1 (2 ms of its C code done) waits.
  //   3.104     X's C code ends: it takes the free GIL on core 1, to 3.204, and ends;
  //             core 1 goes to T1, whose 8 ms of C code left end at 11.204.
  //   5.1       Y takes the free GIL for its last 100 us, to 5.2.
  // With a 100 ms quantum T1 keeps core 0 to its end at 11, and Y waits for core 1:
  //   3.204     X ends; Y takes core 1 and the GIL, to 3.304, its C code to 5.304 and
  //             the GIL again to 5.404.
  struct Expected {
    Time quantum;
    std::vector<Hold> gil;  // after the first two holds: 0 - 1 T1, 1.004 - 1.104 X
    Time t1_end;
    std::size_t preempts;
  };
  for (const Expected& e : {Expected{3_ms, {{3'000_us, 3'100_us, "Y"}, {3'104_us, 3'204_us, "X"}, {5'100_us, 5'200_us, "Y"}}, 11'204_us, 1},
                            Expected{100_ms, {{3'104_us, 3'204_us, "X"}, {3'204_us, 3'304_us, "Y"}, {5'304_us, 5'404_us, "Y"}}, 11_ms, 0}}) {
    CAPTURE(e.quantum);
    auto s = wake_scenario(4_us);
    s.machine.placement = scenario::Placement::Shared;
    s.machine.quantum = e.quantum;
    add_jobs(s, "c", 1, {cpu(1_ms), native(10_ms)});
    add_jobs(s, "p", 2, {cpu(100_us), native(2_ms), cpu(100_us)});
    const auto t = simulate_with(s, scenario::Executor::Threads);
    const auto gil = lasting_holds(t);
    REQUIRE(gil.size() >= 5);
    const std::string x = gil[1].holder;
    const std::string y = x == "T2" ? "T3" : "T2";
    CHECK((x == "T2" || x == "T3"));
    std::vector<Hold> expected{{0_ms, 1_ms, "T1"}, {1'004_us, 1'104_us, x}};
    for (Hold h : e.gil) {
      h.holder = h.holder == "X" ? x : y;
      expected.push_back(h);
    }
    check_holders(gil, expected, true);
    const auto preempts = marks_of(t, MarkKind::Preempt);
    REQUIRE(preempts.size() == e.preempts);
    if (e.preempts == 1) {
      CHECK(preempts[0]->at == 3_ms);
      CHECK(t.lanes[preempts[0]->lane].name == "T1");
    }
    CHECK(t.jobs[0].end == e.t1_end);
  }
}

TEST_CASE("a thread back from I/O with no free core takes the free GIL only once it runs (G8a, G1)") {
  // Two cores, a 100 ms quantum (no preemption, S3). T1 reads for 500 us, then runs 100 us
  // of Python; T2 runs 2 ms of C code; T3 100 us of Python, 1 ms of C code, 100 us of Python.
  //   0         T1 takes the GIL and drops it for its read; T2 takes it and drops it for
  //             its C code (core A, to 2 ms); T3 takes it on core B, to 0.1 ms.
  //   0.1       T3 drops it for its C code, on core B, to 1.1 ms.
  //   0.5       T1's read is done; both cores run C code: T1 waits in the run queue and
  //             the GIL stays free.
  //   1.1       T3, on its core, takes the free GIL (G1), runs 100 us and ends at 1.2;
  //             core B goes to T1, which takes the free GIL there, to 1.3.
  //   2         T2's C code ends; it takes the free GIL and ends.
  auto s = exact_scenario(2);
  s.machine.quantum = 100_ms;
  add_jobs(s, "reader", 1, {io(500_us), cpu(100_us)});
  add_jobs(s, "c", 1, {native(2_ms)});
  add_jobs(s, "mixed", 1, {cpu(100_us), native(1_ms), cpu(100_us)});
  const auto t = simulate_with(s, scenario::Executor::Threads);
  check_holders(lasting_holds(t), {
                                      {0_ms, 100_us, "T3"},
                                      {1'100_us, 1'200_us, "T3"},
                                      {1'200_us, 1'300_us, "T1"},
                                  });
  CHECK(t.jobs[0].end == 1'300_us);
  CHECK(t.jobs[2].end == 1'200_us);
  CHECK(time_in(lane_named(t, "T1"), SpanState::Runnable) == 700_us);
  CHECK(marks_of(t, MarkKind::GilRequest).empty());
}

TEST_CASE("a thread back from I/O that finds the GIL held on an idle core ends that core's idle period (G8)") {
  // Per-CPU queues, interval 4 ms, poll 4 us, 10 us per doubling past 1 ms (as above).
  //   0 to 4.048086  as the first timeline above: T2 takes the GIL from T1 at 4.048086, on
  //                  core 1, and goes into its 20 ms read at once (nobody in a timed wait to
  //                  signal); core 1 idles from then. T1 wakes at 4.052086 and takes the free GIL.
  //   24.048086      T2's read ends. It runs on idle core 1 for a moment, finds the GIL held
  //                  and blocks in its timed wait: core 1's idle period of 20 ms ends, a new
  //                  one begins (the engine's direct path, Engine::wait_through_idle_core).
  //   28.072086      T2 asks (24.048086 + 4.024); T1 drops. T2's core idled 4.024 ms since,
  //                  and 20 ms the period before: the governor goes by the longer, so T2 wakes
  //                  from a halted core 4 + 10 x log2(20) = 47.219 us later, at 28.119305.
  auto s = wake_scenario(4_us);
  s.python.switch_interval = 4_ms;
  s.machine.placement = scenario::Placement::PerCpu;
  add_jobs(s, "hog", 1, {cpu(30_ms)});
  add_jobs(s, "reader", 1, {io(20_ms), cpu(1_ms)});
  const auto t = simulate_with(s, scenario::Executor::Threads);
  const auto held = holders(t, "GIL");
  // (T2's hold at 4.048086 lasts no time: the lane shows none.)
  REQUIRE(held.size() >= 3);
  CHECK(held[0].end == 4'024_us);
  CHECK(held[1].holder == "T1");
  CHECK(held[1].begin == 4'052'086_ns);
  CHECK(held[1].end == 28'072'086_ns);
  CHECK(held[2].holder == "T2");
  CHECK(held[2].begin == 28'119'305_ns);
  CHECK(held[2].end == 29'119'305_ns);
}

TEST_CASE("a voluntary release cancels the dropped GIL's drop deadline: it fires as no event of its own (G2, G8b)") {
  // Exact costs but a 100 us signal (G8b), interval 4 ms, poll 4 us, 10 us per doubling past
  // a 100 us window (the timed wait's wake-up by the same law).
  //   0            T1 takes the GIL; T2 finds it held and arms its timed wait: its drop
  //                deadline 4 ms + 4 + 10 x log2(40) us = 4.057219 ms (G2a).
  //   3.990        T1's Python ends; it releases the GIL for its read, signalling T2 with the
  //                mutex held until 4.090 (G8b). T2's core idled 3.990 ms: it wakes
  //                4 + 10 x log2(39.9) = 57.183 us later, before the unlock, so T1's section
  //                doubles to 200 us (G8c), run straight (Engine::run_drop_section). The GIL,
  //                unlocked, has no drop deadline: the section's look cancels it.
  //   4.047183     T2 finds the mutex held and sleeps on it; the unlock at 4.090 wakes it
  //                4 + 10 x log2(40.47183) = 57.388 us later (its core's last idle period).
  //  (4.057219     the deadline, had it been left: an event that finds the GIL unlocked.)
  //   4.147388     T2 takes the GIL and runs its 1 ms, to 5.147388. T1's section ends at
  //                4.190; its read, to 5.190.
  // Events: three starts (the main thread's, T1's, T2's), T1's compute done, T2's two attempts,
  // T1's section done, T2's compute done, T1's read done, the main thread's join, and T2's
  // Resume after its take run at once: 11.
  auto s = wake_scenario(4_us, 100_us);
  s.python.switch_interval = 4_ms;
  s.machine.placement = scenario::Placement::PerCpu;
  s.costs.gil_mutex_signal = 100_us;
  add_jobs(s, "hog", 1, {cpu(3'990_us), io(1_ms)});
  add_jobs(s, "waiter", 1, {cpu(1_ms)});
  scenario::Run run;
  run.name = "threads";
  run.executor = scenario::Executor::Threads;
  s.runs = {run};
  model::SimulationStats stats;
  const auto t = model::simulate(s, s.runs[0], &stats);
  const auto held = holders(t, "GIL");
  REQUIRE(held.size() == 2);
  CHECK(held[0].holder == "T1");
  CHECK(held[0].end == 3'990_us);
  CHECK(held[1].holder == "T2");
  CHECK(held[1].begin == 4'147'388_ns);
  CHECK(held[1].end == 5'147'388_ns);
  CHECK(stats.events == 11);
}
