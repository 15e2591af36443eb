// "Not scored for want of cores" only with evidence that other programs used the machine:
// /proc/stat read from hand-made text, and the one rule on hand-made traces.
#include <doctest/doctest.h>

#include <fmt/format.h>

#include "sim/real/machine_load.hpp"
#include "sim/trace/trace_builder.hpp"

using namespace gilsim;
using namespace gilsim::literals;
using trace::LaneKind;
using trace::Origin;
using trace::SpanState;

namespace {

/// `threads` threads of one process on 2 cores, each waiting `waiting` for a core then
/// running `running`, as CPython's recording draws them.
trace::Trace waiting_threads(int threads, Time waiting, Time running) {
  trace::TraceBuilder b("threads", "threads", "new", Origin::Measured, 2, 5_ms);
  b.add_cores(2);
  const auto p = b.add_process("main", true);
  for (int i = 0; i < threads; ++i) {
    const auto lane = b.add_lane(fmt::format("T{}", i + 1), LaneKind::Thread, p);
    b.set_state(lane, 0_ms, SpanState::Runnable, trace::kNone);
    b.set_state(lane, waiting, SpanState::Running, trace::kNone);
    b.clear_state(lane, waiting + running);
  }
  trace::Trace t = b.finish(waiting + running);
  t.measured_by = "CPython 3.11";
  return t;
}

/// A sample: `wall` between the two reads of /proc/stat, the machine busy `busy` of it on
/// `cpus` CPUs, the run's own CPU `own`.
void sample(trace::Trace& t, Time wall, Time busy, Time own, int cpus = 2) {
  t.cpu_check.sampled_wall = wall;
  t.cpu_check.machine_busy = busy;
  t.cpu_check.own_cpu = own;
  t.cpu_check.tick = 10_ms;
  t.cpu_check.sampled_cpus = cpus;
}

}  // namespace

TEST_CASE("/proc/stat's aggregate line: busy is user, nice, system and steal, guest time once") {
  // user nice system idle iowait irq softirq steal guest guest_nice, in ticks of 1/100 s.
  const std::string text =
      "cpu  100 20 30 5000 40 1 2 3 7 1\n"
      "cpu0 50 10 15 2500 20 1 1 2 4 0\n"
      "cpu1 50 10 15 2500 20 0 1 1 3 1\n"
      "intr 1 2 3\n"
      "procs_running 3\n";
  const auto busy = real::parse_proc_stat(text, 100);
  REQUIRE(busy);
  CHECK(busy->busy == 1530_ms);  // 100 + 20 + 30 + 3 = 153 ticks of 10 ms; guest is inside user, irq and softirq left out
  CHECK(busy->cpus == 2);
  SUBCASE("an old kernel's four fields") {
    const auto old = real::parse_proc_stat("cpu 10 0 5 100\ncpu0 10 0 5 100\n", 100);
    REQUIRE(old);
    CHECK(old->busy == 150_ms);
    CHECK(old->cpus == 1);
  }
  SUBCASE("no aggregate line, or no tick") {
    CHECK_FALSE(real::parse_proc_stat("intr 1 2 3\n", 100));
    CHECK_FALSE(real::parse_proc_stat(text, 0));
  }
}

TEST_CASE("two samples give other programs' CPU: the machine's busy time less the run's own") {
  real::MachineSample before, after;
  before.wall_before_read = 1_s;
  before.wall_after_read = 1_s + 1_ms;
  after.wall_before_read = 2_s - 1_ms;
  after.wall_after_read = 2_s;  // 1 s from the first read's start to the second's end
  before.machine = {10_s, 2};
  after.machine = {11500_ms, 2};  // 1.5 s busy
  before.own = 200_ms;
  after.own = 1200_ms;  // the run used 1 s of it
  before.tick = after.tick = 10_ms;
  trace::CpuCheck c;
  real::note_machine_use(c, before, after);
  REQUIRE(c.sampled());
  CHECK(c.others_cpu() == 500_ms);
  CHECK(c.others_share() == doctest::Approx(0.25));  // 0.5 s of 2 CPUs' 1 s
  CHECK(c.others_busy());
  SUBCASE("the run's own accounting above the machine's (ticks against nanoseconds): none, not negative") {
    after.own = 1800_ms;
    trace::CpuCheck d;
    real::note_machine_use(d, before, after);
    CHECK(d.others_cpu() == Time::zero());
    CHECK_FALSE(d.others_busy());
  }
  SUBCASE("busy time beyond the window's CPU time (a read late after its clock): held to it") {
    after.machine.busy = 13_s;  // 3 s of busy time in a 1 s window on 2 CPUs
    trace::CpuCheck d;
    real::note_machine_use(d, before, after);
    CHECK(d.machine_busy == 2_s);
    CHECK(d.others_share() <= 1.0);
  }
  SUBCASE("a sample without /proc/stat leaves the run unsampled") {
    before.machine.cpus = 0;
    trace::CpuCheck d;
    real::note_machine_use(d, before, after);
    CHECK_FALSE(d.sampled());
  }
}

TEST_CASE("others' CPU counts as busy beyond a tenth of one core and beyond a few ticks per CPU") {
  trace::CpuCheck c;
  c.sampled_wall = 2_s;
  c.tick = 10_ms;
  c.sampled_cpus = 2;
  c.machine_busy = 2_s + 190_ms;
  c.own_cpu = 2_s;
  CHECK_FALSE(c.others_busy());  // 190 ms in 2 s: under a tenth of one core
  c.machine_busy = 2_s + 210_ms;
  CHECK(c.others_busy());
  // A short run: 50 ms of others in 200 ms is a quarter of one core, but only 5 ticks on 2
  // CPUs, which the samples' rounding (a tick per CPU at each end) could make.
  c.sampled_wall = 200_ms;
  c.own_cpu = 200_ms;
  c.machine_busy = 250_ms;
  CHECK_FALSE(c.others_busy());
  c.machine_busy = 270_ms;  // 7 ticks: more than 3 per CPU
  CHECK(c.others_busy());
}

TEST_CASE("a run's waits for a core are its own on a quiet machine, and starve it only beside other programs") {
  // Ten threads on 2 cores: each waits 40 ms then runs 10 ms, 400 ms of waits in a 50 ms run.
  trace::Trace t = waiting_threads(10, 40_ms, 10_ms);
  SUBCASE("quiet: other programs used 20 ms during its 300 ms; scored, with a plain note") {
    sample(t, 300_ms, 120_ms, 100_ms);
    CHECK_FALSE(real::starved_note(t));
    const auto note = real::own_waits_note(t);
    REQUIRE(note);
    CHECK(*note == "its threads waited 400 ms for a core: the workload's own (10 threads taking turns on 2 cores), "
                   "not other programs', which used 20.0 ms of CPU in the 300 ms its program ran (3% of the 2 cores)");
  }
  SUBCASE("busy: other programs used 390 ms during its 300 ms; not scored, with the evidence") {
    sample(t, 300_ms, 490_ms, 100_ms);
    const auto note = real::starved_note(t);
    REQUIRE(note);
    CHECK(*note == "not scored: other programs used 390 ms of CPU in the 300 ms its program ran (65% of the 2 cores), and its "
                   "threads waited 400 ms for a core");
    CHECK_FALSE(real::own_waits_note(t));
  }
  SUBCASE("without a sample (a run recorded before there was one): the waits alone, as before") {
    const auto note = real::starved_note(t);
    REQUIRE(note);
    CHECK(*note == "not scored: its threads waited 400 ms for a core beside 100 ms of running Python (other programs "
                   "kept the cores busy)");
    CHECK_FALSE(real::own_waits_note(t));
  }
}

TEST_CASE("gilsim's executor's waits for a core are the kernel's count when measured, needed - got otherwise") {
  // Lesson 16's sequential run on a busy machine: 6 ms of CPU, all of it got, late after
  // each wait: 17.6 ms of wall time; other programs used 80% of the 2 cores in its window,
  // widened to 90 ms (least_sampled_wall).
  trace::TraceBuilder b("sequential", "sequential", "new", Origin::Measured, 2, 5_ms);
  b.add_cores(2);
  const auto lane = b.add_lane("main", LaneKind::Thread, b.add_process("main", true));
  b.set_state(lane, 0_ms, SpanState::Running, trace::kNone);
  b.clear_state(lane, 6_ms);
  trace::Trace t = b.finish(17600_us);
  t.cpu_check = trace::CpuCheck{true, 2.5, 1, 6_ms, 6_ms, 2, 0};
  sample(t, 90_ms, 150_ms, 6_ms);
  REQUIRE(t.cpu_check.others_busy());
  SUBCASE("not measured: the floor, needed - got, sees no waits, and the run is scored") {
    CHECK(real::core_shortfall(t).waited == Time::zero());
    CHECK_FALSE(real::core_shortfall(t).measured);
    CHECK_FALSE(real::starved_note(t));
  }
  SUBCASE("measured: the kernel's 11.2 ms decide, and the sentence says them") {
    t.cpu_check.waits_measured = true;
    t.cpu_check.waited_for_core = 11200_us;
    CHECK(real::core_shortfall(t).waited == 11200_us);
    const auto note = real::starved_note(t);
    REQUIRE(note);
    CHECK(*note == "not scored: other programs used 144 ms of CPU in the 90.0 ms from its start (80% of the 2 cores), "
                   "and its threads waited 11.2 ms for a core in all (the kernel's count)");
    SUBCASE("on a quiet machine they are no evidence of other programs: scored, with a note") {
      sample(t, 90_ms, 10_ms, 6_ms);
      CHECK_FALSE(real::starved_note(t));
      CHECK(real::own_waits_note(t));
    }
  }
  SUBCASE("measured waits below the floor: the count is the truth, the run is scored") {
    t.cpu_check.got = 3_ms;  // needed - got says 3 ms
    t.cpu_check.waits_measured = true;
    t.cpu_check.waited_for_core = 500_us;
    CHECK(real::core_shortfall(t).waited == 500_us);
    CHECK_FALSE(real::starved_note(t));
  }
  SUBCASE("the workload's own waits (threads beyond its cores) are not other programs'") {
    t.cpu_check.waits_measured = true;
    t.cpu_check.waited_for_core = 11200_us;
    t.cpu_check.own_waits = 10_ms;  // 1.2 ms beyond: cannot move 17.6 ms by 10%
    CHECK(real::core_shortfall(t).waited == 1200_us);
    CHECK(real::core_shortfall(t).all() == 11200_us);
    CHECK_FALSE(real::starved_note(t));
    t.cpu_check.own_waits = 5_ms;
    const auto note = real::starved_note(t);
    REQUIRE(note);
    CHECK(note->find("waited 11.2 ms for a core in all (the kernel's count), 6.20 ms beyond the 5.00 ms the workload "
                     "makes itself") != std::string::npos);
  }
}

TEST_CASE("a short run's window is widened until one busy core of other programs can show") {
  real::MachineSample before;
  before.tick = 10_ms;
  before.machine.cpus = 2;
  CHECK(real::least_sampled_wall(before) == 90_ms);
  trace::CpuCheck c;
  c.sampled_wall = 90_ms;
  c.machine_busy = 90_ms + 5_ms;  // one core busy with another program, 5 ms of the run's own
  c.own_cpu = 5_ms;
  c.tick = 10_ms;
  c.sampled_cpus = 2;
  CHECK(c.others_busy());
  c.sampled_wall = 40_ms;  // a run's own 40 ms: its ticks could never tell
  c.machine_busy = 40_ms + 5_ms;
  CHECK_FALSE(c.others_busy());
  before.machine.cpus = 64;
  CHECK(real::least_sampled_wall(before) == 500_ms);  // at most half a second
}

TEST_CASE("waits too small to move a run's figure do not decide it, busy machine or not") {
  // One thread: 861 us of waits in a 2 s run, beside 853 us of Python (lesson 04's asyncio).
  trace::Trace t = waiting_threads(1, 861_us, 853_us);
  t.end = 2_s;
  sample(t, 2100_ms, 3_s, 10_ms);  // other programs kept both cores busy
  CHECK(t.cpu_check.others_busy());
  CHECK_FALSE(real::starved_note(t));  // 861 us cannot move 2 s by 10%
  CHECK_FALSE(real::own_waits_note(t));  // nor is it worth a note
  // Waits of a tenth of the run: they can.
  trace::Trace slow = waiting_threads(1, 250_ms, 853_us);
  slow.end = 2_s;
  sample(slow, 2100_ms, 3_s, 10_ms);
  CHECK(real::starved_note(slow));
}
