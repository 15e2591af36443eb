// Per-CPU run queues (docs/model.md S1a-S1d, machine.placement = "per_cpu", the default):
// where a thread that finds no idle core waits, and when another core takes it. Hand-written
// timelines first; the one shared queue's (S1) is asserted beside them where it differs.
#include <doctest/doctest.h>

#include <vector>

#include "model_fixtures.hpp"

using namespace gilsim;
using namespace gilsim::test;

namespace {

scenario::Scenario with(scenario::Scenario s, scenario::Placement placement) {
  s.machine.placement = placement;
  return s;
}

/// When each job of a run of `s` (one process per job) ended, in job order.
std::vector<Time> job_ends(const scenario::Scenario& s, scenario::Placement placement) {
  auto placed = with(s, placement);
  const auto t = simulate_with(placed, scenario::Executor::Processes);
  std::vector<Time> ends;
  for (const auto& job : t.jobs) ends.push_back(job.end);
  return ends;
}

}  // namespace

TEST_CASE("per-CPU queues: a new process waits on one core, and the other takes it once idle and it is cold") {
  // Three processes of one 4 ms copy each (no GIL) on two cores, a 3 ms quantum, exact
  // costs. The main thread forks them at 0 on core 0 and parks in join(). Each is placed
  // as it is forked, main still running on core 0 (S1a at clone()): P1 on core 1 (none
  // against main), P2 on core 0 (a tie: its creator's), P3 on core 1 (P1 against main
  // and P2).
  //   0      Main parks: P1 and P2 take their idle cores. P3 waits in core 1's queue.
  //   3      Core 1's slice ends: P3 takes it, P1 (3 ms done) goes back to core 1's queue.
  //          Core 0's slice ends with its own queue empty: core 1 runs one more thread
  //          than it, a difference of one, which the balancer leaves alone (S1d).
  //   4      P2 ends. Core 0 is newly idle: P1 left its core 1 ms ago, longer than the
  //          migration cost (0.5 ms), so core 0 pulls it (S1c); its last 1 ms ends at 5.
  //   3 - 7  P3 on core 1, its 4 ms.
  // One shared queue (S1, as in cores_share_nothing_test.cpp): at 3 P3 takes one core and
  // P1, queued first, the other, so P1 ends at 4, P2 at 5, P3 at 7.
  auto s = exact_scenario(2);
  add_jobs(s, "copy", 3, {native(4_ms)});
  CHECK(job_ends(s, scenario::Placement::Shared) == std::vector<Time>{4_ms, 5_ms, 7_ms});
  CHECK(job_ends(s, scenario::Placement::PerCpu) == std::vector<Time>{5_ms, 4_ms, 7_ms});
}

TEST_CASE("per-CPU queues: an idle core leaves a cache-hot thread queued elsewhere until it turns cold") {
  // As above, but P2's copy is 3.2 ms and P1's and P3's 10 ms.
  //   0 - 3    P1 on core 1, P2 on core 0; P3 queued on core 1 (S1a at clone()).
  //   3        Core 1: P3 takes it, P1 (3 ms done) queued on core 1. Core 0: a difference
  //            of one, left alone (S1d).
  //   3.2      P2 ends. Core 0 is newly idle, but P1 left its core only 0.2 ms ago: cache
  //            hot, not pulled (S1c). Core 0 looks again when P1 turns cold, at 3.5.
  //   3.5      Core 0 pulls P1: its last 7 ms end at 10.5.
  //   3 - 13   P3 on core 1 (its slice ends at 6, 9 and 12 with nobody waiting there).
  // One shared queue (S1): core 0 takes P1 at once at 3.2, and P1 ends at 10.2.
  auto s = exact_scenario(2);
  add_jobs(s, "long", 1, {native(10_ms)});
  add_jobs(s, "short", 1, {native(3200_us)});
  add_jobs(s, "long", 1, {native(10_ms)});
  CHECK(job_ends(s, scenario::Placement::Shared)[0] == 10200_us);
  CHECK(job_ends(s, scenario::Placement::PerCpu) == std::vector<Time>{10500_us, 3200_us, 13_ms});
  auto p = with(s, scenario::Placement::PerCpu);
  const auto t = simulate_with(p, scenario::Executor::Processes);
  CHECK(time_in(lane_named(t, "core 0"), trace::SpanState::Native) == 3200_us + 7_ms);
}

TEST_CASE("per-CPU queues: a thread woken with every core busy waits on its previous core and preempts only its thread") {
  // P1 copies 1 ms, waits 1 ms of I/O, copies 1.5 ms; P2 and P3 copy 10 ms each. Virtual
  // runtimes (S3) in ms.
  //   0      P1 core 0, P2 core 1, P3 queued on core 0 (S1a) at P1's runtime 0.
  //   1      P1 blocks in I/O, owing time (runtime 1, the average 0.5): it leaves with a
  //          lag of 0. Core 0 takes P3 from its queue, protected until its runtime 3.
  //   2      P1 wakes, every core busy: it is placed on its previous core, core 0 (S1b),
  //          at P3's runtime 1. P3 is eligible and in its protected slice: P1 waits,
  //          though P2 on core 1 has run longer.
  //   3      Core 1's slice ends: core 0 runs one thread more, left alone (S1d).
  //   4      P3's slice ends (S2): P1 runs 4 - 5.5; P3 (3 ms done) takes core 0 back and
  //          ends at 12.5.
  //   0 - 10 P2 on core 1.
  // One shared queue (S1): P1 placed at the average of P2 (2) and P3 (1) leaves P2 the
  // only one past it: P1 preempts P2 on core 1 at once; P2 gets core 1 back at 3.5 and
  // ends at 11.5, P3 runs on core 0 from 1 to 11.
  auto s = exact_scenario(2);
  add_jobs(s, "io", 1, {native(1_ms), io(1_ms), native(1500_us)});
  add_jobs(s, "copy", 2, {native(10_ms)});
  CHECK(job_ends(s, scenario::Placement::Shared) == std::vector<Time>{3500_us, 11500_us, 11_ms});
  CHECK(job_ends(s, scenario::Placement::PerCpu) == std::vector<Time>{5500_us, 10_ms, 12500_us});
  auto p = with(s, scenario::Placement::PerCpu);
  const auto t = simulate_with(p, scenario::Executor::Processes);
  CHECK(marks_of(t, trace::MarkKind::Preempt).size() == 1);
}

TEST_CASE("per-CPU queues: a busy core pulls from a core two threads busier at its balance, 32 ms after it became busy") {
  // A 20 ms quantum (S3's minimum slice 5 ms). W1 copies 1 ms, waits 3 ms of I/O, copies
  // 25 ms; W2 the same with 2 ms of I/O; H1 and H2 copy 50 ms each. Started W1, H1, W2, H2.
  //   0      Placed as main forks them on core 0 (S1a at clone(): main and the earlier
  //          ones counted): W1 core 1, H1 core 0 (a tie: its creator's), W2 core 1 (one
  //          against two), H2 core 0 (a tie). Main parks: W1 takes core 1, H1 core 0; W2
  //          waits in core 1's queue, H2 in core 0's. Core 0, busy from 0, balances first
  //          at 32 ms, then at the first slice end past it (S1d).
  //   1      W1 blocks: core 1 takes W2.   2  W2 blocks: core 1, newly idle, pulls H2
  //          (never run: cold) from core 0 (S1c).
  //   4      W1 and W2 wake with every core busy: each waits on its previous core, core 1
  //          (S1b); H2 has run 2 ms there, under S3's 5 ms, so neither preempts it. Core 1
  //          runs three threads, core 0 one.
  //   20     Core 0's slice ends with its own queue empty; its balance is not due.
  //   22     Core 1's slice ends: W1 takes it from H2 (20 ms done).
  //   40     Core 0's slice ends and its balance is due: core 1 runs two threads more, so
  //          it pulls W2 (cold: off its core since 2), which takes core 0 from H1 (40 ms done).
  //   42     Core 1: H2 takes it from W1 (20 ms done).   60  Core 0: H1 takes it from W2
  //          (20 ms done) and ends at 70.   62  Core 1: W1 takes it from H2 (40 ms done)
  //          and ends at 67; H2 then ends at 77.   70  W2 takes core 0 and ends at 75.
  // Without the balance W2 would wait on core 1 behind W1 until 42.
  auto s = exact_scenario(2);
  s.machine.quantum = 20_ms;
  s.machine.placement = scenario::Placement::PerCpu;
  add_jobs(s, "w1", 1, {native(1_ms), io(3_ms), native(25_ms)});
  add_jobs(s, "h1", 1, {native(50_ms)});
  add_jobs(s, "w2", 1, {native(1_ms), io(2_ms), native(25_ms)});
  add_jobs(s, "h2", 1, {native(50_ms)});
  CHECK(job_ends(s, scenario::Placement::PerCpu) == std::vector<Time>{67_ms, 70_ms, 75_ms, 77_ms});
  const auto t = simulate_with(s, scenario::Executor::Processes);
  CHECK(marks_of(t, trace::MarkKind::Preempt).size() == 5);
}

TEST_CASE("per-CPU queues: a new process is placed at its creation, with its creator still counted on its core") {
  // Two processes spawned one per job on two cores (3 ms quantum), exact costs but
  // spawn_call 0.5 ms, spawn_exec 0.5 ms (the parent waits for the child's exec, vfork),
  // spawn_start 4 ms and tracker_start 20 ms (S1a at clone(): Linux's wake_up_new_task
  // chooses the new task's CPU inside clone(), while its parent still runs there).
  //   0-0.5    main on core 0: the resource tracker's spawn_call. The tracker takes idle
  //            core 1 (exec 0.5-1, then its start, alone there until 20.5 before the rule).
  //   1-1.5    main: process 1's spawn_call. At 1.5 core 0 runs main and core 1 the
  //            tracker: a tie, so process 1 is placed on its creator's core, which main
  //            leaves as it waits for the exec; process 1 execs 1.5-2.
  //   2-4.5    main, released, waits on core 0 behind process 1's protected slice (S3).
  //   4.5-5    main: process 2's spawn_call. At 5 core 0 runs main with process 1 queued
  //            (two threads) and core 1 the tracker (one): process 2 joins core 1's queue.
  //            Main waits for its exec; process 1 takes core 0.
  //   6.5      Core 1's slice ends: process 2, eligible where the tracker is not (S2),
  //            execs 6.5-7 and main is released at 7 (blocked 0.5 + 0.5 + 2 ms).
  // Before the rule process 2 was placed when it first ran, after main had left core 0 to
  // process 1: one thread each, a tie, so it queued behind process 1's fresh slice on core
  // 0 and exec'd 8-8.5, and main was blocked 4.5 ms in all.
  auto s = exact_scenario(2);
  s.costs.spawn_call = 500_us;
  s.costs.spawn_exec = 500_us;
  s.costs.spawn_start = 4_ms;
  s.costs.tracker_start = 20_ms;
  add_jobs(s, "crunch", 2, {cpu(10_ms)});
  scenario::Run run;
  run.executor = scenario::Executor::Processes;
  run.start_method = scenario::StartMethod::Spawn;
  s.runs = {run};
  const auto t = model::simulate(s, s.runs[0]);
  CHECK(time_in(lane_named(t, "main"), trace::SpanState::BlockedIo) == 3_ms);
  const auto& second = lane_named(t, "process 2");
  REQUIRE(second.spans.size() >= 2);
  CHECK(second.spans[0].state == trace::SpanState::Runnable);
  CHECK(second.spans[0].begin == 5_ms);
  CHECK(second.spans[0].end == 6500_us);
  CHECK(second.spans[1].state == trace::SpanState::Starting);
  const auto& core1 = lane_named(t, "core 1");
  REQUIRE(core1.spans.size() >= 2);
  CHECK(core1.spans[1].begin == 6500_us);
  CHECK(t.lanes[core1.spans[1].subject].name == "process 2");
}

