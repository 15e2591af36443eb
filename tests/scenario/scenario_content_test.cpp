// What a valid file becomes: steps with `repeat` expanded, every section read, CPython's
// version-dependent defaults, and the limits a file may not cross.
#include <doctest/doctest.h>

#include <string>

#include "error_of.hpp"
#include "sim/scenario/loader.hpp"

using namespace gilsim;
using namespace gilsim::literals;
using namespace gilsim::scenario;
using gilsim::test::error_of;

namespace {

const std::string kRun = "[[run]]\nexecutor = \"threads\"\n";

Scenario with_steps(const std::string& steps) {
  return load_string("title = \"t\"\n" + kRun + "[[job]]\nname = \"w\"\nsteps = " + steps + "\n", "s.toml");
}

Scenario with_python(const std::string& python) {
  return load_string("title = \"t\"\n" + kRun + "[[job]]\nname = \"w\"\nsteps = [ { cpu = \"1ms\" } ]\n[python]\n" + python,
                     "s.toml");
}


}  // namespace

TEST_CASE("every step kind is read, with its duration") {
  const Scenario s = with_steps(R"toml([ { cpu = "100ms" }, { io = "10ms..20ms" }, { native = "50ms" }, { block = "1s" },
  { sleep = "exp(5ms)" }, { offload = "50ms" }, { offload = "2ms", work = "io" } ])toml");
  const auto& steps = s.jobs[0].steps;
  REQUIRE(steps.size() == 7);
  CHECK(steps[0].kind == StepKind::Cpu);
  CHECK(steps[0].duration.a == 100_ms);
  CHECK(steps[1].kind == StepKind::Io);
  CHECK(steps[1].duration.kind == Duration::Kind::Uniform);
  CHECK(steps[1].duration.b == 20_ms);
  CHECK(steps[2].kind == StepKind::Native);
  CHECK(steps[3].kind == StepKind::Block);
  CHECK(steps[3].duration.a == 1_s);
  CHECK(steps[4].kind == StepKind::Sleep);
  CHECK(steps[4].duration.kind == Duration::Kind::Exponential);
  CHECK(steps[5].kind == StepKind::Offload);
  CHECK(steps[5].offload_work == StepKind::Cpu);  // the default work
  CHECK(steps[6].offload_work == StepKind::Io);
  CHECK(step_label(s, steps[6]) == "offload io 2ms");
}

TEST_CASE("repeat blocks are expanded in order, nested ones too") {
  SUBCASE("a flat repeat") {
    const Scenario s = with_steps(R"toml([ { cpu = "1ms" }, { repeat = 3, steps = [ { io = "2ms" }, { cpu = "3us" } ] }, { sleep = "4ms" } ])toml");
    const auto& steps = s.jobs[0].steps;
    REQUIRE(steps.size() == 8);
    CHECK(steps[0].kind == StepKind::Cpu);
    for (int r = 0; r < 3; ++r) {
      CHECK(steps[1 + 2 * r].kind == StepKind::Io);
      CHECK(steps[2 + 2 * r].kind == StepKind::Cpu);
      CHECK(steps[2 + 2 * r].duration.a == 3_us);
    }
    CHECK(steps[7].kind == StepKind::Sleep);
  }
  SUBCASE("nested") {
    const Scenario s = with_steps(R"toml([ { repeat = 2, steps = [ { native = "1ms" }, { repeat = 3, steps = [ { io = "1us" } ] } ] } ])toml");
    const auto& steps = s.jobs[0].steps;
    REQUIRE(steps.size() == 8);
    CHECK(steps[0].kind == StepKind::Native);
    CHECK(steps[1].kind == StepKind::Io);
    CHECK(steps[3].kind == StepKind::Io);
    CHECK(steps[4].kind == StepKind::Native);
    CHECK(steps[7].kind == StepKind::Io);
  }
  SUBCASE("exactly the limit is allowed") {
    const Scenario s = with_steps(R"toml([ { repeat = 1000, steps = [ { repeat = 1000, steps = [ { cpu = "0ns" } ] } ] } ])toml");
    CHECK(s.jobs[0].steps.size() == static_cast<std::size_t>(kMaxStepsPerJob));
  }
}

TEST_CASE("a step count past the limit is refused before anything is expanded") {
  const std::string head = "title = \"t\"\n" + kRun + "[[job]]\nname = \"w\"\n";
  CHECK(error_of(head + R"toml(steps = [ { cpu = "1ms" }, { repeat = 1000, steps = [ { repeat = 1000, steps = [ { io = "1us" } ] } ] } ])toml") ==
        "s.toml:6:9: job 'w' has more than 1000000 steps once repeat is expanded; expected at most 1000000");
  // Would be 10^18 steps if expanded.
  CHECK(error_of(head + R"toml(steps = [ { repeat = 1000000, steps = [ { repeat = 1000000, steps = [ { repeat = 1000000, steps = [ { io = "1us" } ] } ] } ] } ])toml")
            .find("has more than 1000000 steps") != std::string::npos);
  CHECK(error_of(head + R"toml(steps = [ { repeat = 1000001, steps = [ { io = "1us" } ] } ])toml") ==
        "s.toml:6:22: 'repeat' is 1000001; expected an integer from 1 to 1000000");
}

TEST_CASE("the steps of all job templates together are bounded") {
  std::string text = "title = \"t\"\n" + kRun;
  for (int j = 0; j < 3; ++j) {
    text += "[[job]]\nname = \"j" + std::to_string(j) + "\"\nsteps = [ { repeat = 1000000, steps = [ { cpu = \"0ns\" } ] } ]\n";
  }
  CHECK(error_of(text) ==
        "s.toml:12:9: the job templates hold 3000000 steps together once repeat is expanded; expected at most 2000000");
}

TEST_CASE("the gil follows the Python version unless the file names one") {
  CHECK(with_python("version = \"3.12\"\n").python.gil == GilMode::New);
  CHECK(with_python("version = \"3.2\"\n").python.gil == GilMode::New);
  CHECK(with_python("version = \"3.1\"\n").python.gil == GilMode::Old);
  CHECK(with_python("version = \"2.7\"\n").python.gil == GilMode::Old);
  CHECK(with_python("version = \"3.13t\"\n").python.gil == GilMode::None);
  CHECK(with_python("version = \"3.13\"\n").python.gil == GilMode::New);
  CHECK(with_python("version = \"3.13t\"\ngil = \"new\"\n").python.gil == GilMode::New);
  CHECK(with_python("version = \"2.7\"\ngil = \"none\"\n").python.gil == GilMode::None);
}

TEST_CASE("every section's keys are read") {
  const Scenario s = load_string(R"toml(
title = "all keys"
note = "a note"
seed = 42
[machine]
cores = 8
quantum = "10ms"
context_switch = "5us"
placement = "shared"
[python]
version = "3.1"
switch_interval = "1ms"
check_interval = 1000
free_threading_overhead = 0.5
[costs]
wake_poll_window = "300us"
wake_poll_min = "1us"
wake_poll_max = "20us"
wake_per_doubling = "2us"
handoff_refill = "30us"
check_period = "6us"
old_gil_handoff_probability = 0.5
old_gil_release_cost = "7us"
thread_start = "1ms"
thread_bootstrap = "25us"
fork_start = "2ms"
spawn_start = "3ms"
forkserver_start = "4ms"
ipc_message = "8us"
ipc_bandwidth = 1000000
ipc_task_bytes = 50
ipc_result_bytes = 20
loop_callback = "9us"
[[job]]
name = "a"
count = 3
arg_bytes = 0
result_bytes = 5000
steps = [ { cpu = "1ms" } ]
[[run]]
name = "pool"
executor = "process_pool"
workers = 2
start_method = "spawn"
chunksize = 4
gil = "new"
switch_interval = "2ms"
cores = 2
)toml", "all.toml");
  CHECK(s.note == "a note");
  CHECK(s.seed == 42);
  CHECK(s.machine.cores == 8);
  CHECK(s.machine.quantum == 10_ms);
  CHECK(s.machine.context_switch == 5_us);
  CHECK(s.machine.placement == Placement::Shared);  // not the default (per_cpu): the key is read
  CHECK(s.python.version == PythonVersion{3, 1, false});
  CHECK(s.python.gil == GilMode::Old);
  CHECK(s.python.switch_interval == 1_ms);
  CHECK(s.python.check_interval == 1000);
  CHECK(s.python.free_threading_overhead == 0.5);
  CHECK(s.costs.wake_poll_window == 300_us);
  CHECK(s.costs.wake_poll_min == 1_us);
  CHECK(s.costs.wake_poll_max == 20_us);
  CHECK(s.costs.wake_per_doubling == 2_us);
  CHECK(s.costs.handoff_refill == 30_us);
  CHECK(s.costs.check_period == 6_us);
  CHECK(s.costs.old_gil_handoff_probability == 0.5);
  CHECK(s.costs.old_gil_release_cost == 7_us);
  CHECK(s.costs.thread_start == 1_ms);
  CHECK(s.costs.thread_bootstrap == 25_us);
  CHECK(s.costs.fork_start == 2_ms);
  CHECK(s.costs.spawn_start == 3_ms);
  CHECK(s.costs.forkserver_start == 4_ms);
  CHECK(s.costs.ipc_message == 8_us);
  CHECK(s.costs.ipc_bandwidth == 1e6);
  CHECK(s.costs.ipc_task_bytes == 50);
  CHECK(s.costs.ipc_result_bytes == 20);
  CHECK(s.costs.loop_callback == 9_us);
  CHECK(s.jobs[0].count == 3);
  CHECK(s.jobs[0].arg_bytes == 0);
  CHECK(s.jobs[0].result_bytes == 5000);
  const Run& r = s.runs[0];
  CHECK(r.name == "pool");
  CHECK(r.executor == Executor::ProcessPool);
  CHECK(r.workers == 2);
  CHECK(r.start_method == StartMethod::Spawn);
  CHECK(r.chunksize == 4);
  CHECK(r.gil == GilMode::New);
  CHECK(r.switch_interval == 2_ms);
  CHECK(r.cores == 2);
  CHECK(effective_gil(s, r) == GilMode::New);
  CHECK(effective_cores(s, r) == 2);
}

TEST_CASE("two templates whose jobs would share a name are refused, either way round") {
  // "a" of count 2 names its jobs "a 1" and "a 2" (the job plan): a template "a 1" too would
  // put two jobs named "a 1" on the timeline.
  const std::string several = "[[job]]\nname = \"a\"\ncount = 2\nsteps = [ { cpu = \"1ms\" } ]\n";
  const std::string single = "[[job]]\nname = \"a 1\"\nsteps = [ { cpu = \"1ms\" } ]\n";
  CHECK(error_of("title = \"t\"\n" + several + single + kRun) ==
        "s.toml:7:8: job name 'a 1' is taken: the [[job]] 'a' on line 2 names its 2 jobs 'a 1' to 'a 2'; expected a "
        "distinct name for each job");
  CHECK(error_of("title = \"t\"\n" + single + several + kRun) ==
        "s.toml:6:8: 'a' names its 2 jobs 'a 1' to 'a 2', and 'a 1' is the name of the [[job]] on line 2; expected a "
        "distinct name for each job");
  // Not taken: "a 3" beside two jobs of "a", "a 01", "a 1" of count 2 ("a 1 1"), "b 1".
  for (const char* name : {"a 3", "a 01", "b 1"}) {
    CAPTURE(name);
    CHECK(error_of("title = \"t\"\n" + several + "[[job]]\nname = \"" + name + "\"\nsteps = [ { cpu = \"1ms\" } ]\n" + kRun) ==
          "no error");
  }
  CHECK(error_of("title = \"t\"\n" + several + "[[job]]\nname = \"a 1\"\ncount = 2\nsteps = [ { cpu = \"1ms\" } ]\n" +
                 kRun) == "no error");
}

TEST_CASE("limits from scenario.hpp are enforced") {
  const std::string job = "[[job]]\nname = \"w\"\nsteps = [ { cpu = \"1ms\" } ]\n";
  CHECK(error_of("title = \"t\"\n[machine]\ncores = 257\n" + job + kRun) ==
        "s.toml:3:9: 'cores' is 257; expected an integer from 1 to 256");
  CHECK(error_of("title = \"t\"\n" + job + "count = 100001\n" + kRun) ==
        "s.toml:5:9: 'count' is 100001; expected an integer from 1 to 100000");
  CHECK(error_of("title = \"t\"\n" + job + "count = 0\n" + kRun) == "s.toml:5:9: 'count' is 0; expected an integer from 1 to 100000");
  CHECK(error_of("title = \"t\"\n" + job + "count = 60000\n[[job]]\nname = \"v\"\ncount = 40001\nsteps = [ { cpu = \"1ms\" } ]\n" + kRun) ==
        "s.toml:8:9: the jobs add up to 100001; expected at most 100000 in one scenario");
  // The model's clock holds 292 years of nanoseconds: the jobs' work one after another may
  // take about 31.7 years, not the 93 of 3 jobs of 310,000 hours (a job's end went missing).
  const std::string hours = "[[job]]\nname = \"s\"\ncount = 3\nsteps = [ { repeat = 310000, steps = [ { sleep = \"3600s\" } ] } ]\n";
  CHECK(error_of("title = \"t\"\n" + hours + kRun) ==
        "s.toml:5:9: the jobs' steps take 3,348,000,000 s one after another; expected at most 1,000,000,000 s "
        "(about 31.7 years) in one scenario");
  CHECK(error_of("title = \"t\"\n[[job]]\nname = \"s\"\nsteps = [ { repeat = 270000, steps = [ { sleep = \"3600s\" } ] } ]\n" +
                 kRun) == "no error");  // 972,000,000 s
  CHECK(error_of("title = \"t\"\n" + job + "[[run]]\nexecutor = \"thread_pool\"\nworkers = 10001\n") ==
        "s.toml:7:11: 'workers' is 10001; expected an integer from 1 to 10000");
  CHECK(error_of("title = \"t\"\n" + job + "[[run]]\nexecutor = \"process_pool\"\nworkers = 0\n") ==
        "s.toml:7:11: 'workers' is 0; expected an integer from 1 to 10000");
  CHECK(error_of("title = \"t\"\n" + job + "[[run]]\nexecutor = \"process_pool\"\nchunksize = 0\n") ==
        "s.toml:7:13: 'chunksize' is 0; expected an integer from 1 to 100000");
  CHECK(error_of("title = \"t\"\nseed = -1\n" + job + kRun) == "s.toml:2:8: 'seed' is -1; expected an integer of at least 0");
  CHECK(error_of("title = \"t\"\n[costs]\nold_gil_handoff_probability = 1.5\n" + job + kRun) ==
        "s.toml:3:31: 'old_gil_handoff_probability' is 1.5; expected a number from 0 to 1");
  CHECK(error_of("title = \"t\"\n[costs]\nipc_bandwidth = nan\n" + job + kRun) ==
        "s.toml:3:17: 'ipc_bandwidth' is nan; expected a number from 1 to 1e+15");
  CHECK(error_of("title = \"t\"\n[costs]\nipc_task_bytes = -1\n" + job + kRun) ==
        "s.toml:3:18: 'ipc_task_bytes' is -1; expected an integer from 0 to 1099511627776");
  CHECK(error_of("title = \"t\"\n[costs]\nwake_poll_min = \"12us\"\n" + job + kRun) ==
        "s.toml:3:17: wake_poll_min (12.0 us) is more than wake_poll_max (9.00 us); expected min <= max");
  CHECK(error_of("title = \"t\"\n[costs]\nwake_poll_window = \"0us\"\n" + job + kRun).find("s.toml:3:") == 0);
  // G8d's law: its bands in order, each 10th percentile no more than its median; off, unchecked.
  CHECK(error_of("title = \"t\"\n[costs]\ncross_halt_short = \"200us\"\n" + job + kRun) ==
        "s.toml:3:20: cross_halt_short (200 us) is more than cross_halt_long (113 us); expected them in order");
  CHECK(error_of("title = \"t\"\n[costs]\ncross_signal_mid_p10 = \"40us\"\n" + job + kRun) ==
        "s.toml:3:24: cross_signal_mid_p10 (40.0 us) is more than cross_signal_mid (33.1 us); expected them in order");
  CHECK(error_of("title = \"t\"\n[costs]\ncross_wake_long = \"50us\"\n" + job + kRun) ==
        "s.toml:3:19: cross_wake_long_p10 (52.0 us) is more than cross_wake_long (50.0 us); expected them in order");
  CHECK(error_of("title = \"t\"\n[costs]\ncross_wake_short = \"0us\"\ncross_halt_short = \"200us\"\n" + job + kRun) == "no error");
  CHECK(error_of("title = \"t\"\n[costs]\ncross_spread = 1.5\n" + job + kRun) ==
        "s.toml:3:16: 'cross_spread' is 1.5; expected a number from 0 to 1");
  SUBCASE("runs") {
    std::string text = "title = \"t\"\n" + job;
    for (int r = 0; r <= kMaxRuns; ++r) text += "[[run]]\nname = \"r" + std::to_string(r) + "\"\nexecutor = \"threads\"\n";
    CHECK(error_of(text) == "s.toml:101:1: the scenario has 33 runs; expected at most 32");
  }
}
