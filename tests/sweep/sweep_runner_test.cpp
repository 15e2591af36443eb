// A sweep's plan and its runs: values checked as --set checks them, the limits named,
// the same figures whether it runs here or in 1, 2 or 3 worker processes, and no process
// left behind when it is cancelled or a worker dies.
#include <doctest/doctest.h>

#include <csignal>
#include <string>

#include "real_test_support.hpp"
#include "sim/sweep/sweep_processes.hpp"

using namespace gilsim;
using real::testing::child_pids_of_this_process;
using real::testing::children_of_this_process;

namespace {

const std::string kScenarios = std::string(GILSIM_SOURCE_DIR) + "/scenarios/";

sweep::SweepRequest request(std::string file, std::vector<std::string> vary, int seeds = 1) {
  sweep::SweepRequest r;
  r.file = kScenarios + file;
  r.vary = std::move(vary);
  r.seeds = seeds;
  return r;
}

template <typename Error>
std::string error_of(const sweep::SweepRequest& r) {
  try {
    sweep::make_plan(r);
  } catch (const Error& e) {
    return e.what();
  }
  return "(accepted)";
}

void check_same(const sweep::SweepResult& a, const sweep::SweepResult& b) {
  REQUIRE(a.figures.size() == b.figures.size());
  for (std::size_t i = 0; i < a.figures.size(); ++i) {
    CAPTURE(i);
    CHECK(a.figures[i].seed == b.figures[i].seed);
    CHECK(a.figures[i].makespan_ns == b.figures[i].makespan_ns);
    CHECK(a.figures[i].speedup == b.figures[i].speedup);
    CHECK(a.figures[i].cores_busy == b.figures[i].cores_busy);
    CHECK(a.figures[i].gil_held == b.figures[i].gil_held);
    CHECK(a.figures[i].gil_lanes == b.figures[i].gil_lanes);
    CHECK(a.figures[i].gil_wait_ns == b.figures[i].gil_wait_ns);
    CHECK(a.figures[i].switches == b.figures[i].switches);
    CHECK(a.figures[i].jobs_done == b.figures[i].jobs_done);
  }
}

}  // namespace

TEST_CASE("a value the key refuses is refused as --set refuses it, naming --vary") {
  CHECK(error_of<scenario::ScenarioError>(request("09-pool-sizing.toml", {"workers=0..4"})) ==
        "--vary workers=0: 'workers' is 0; expected an integer from 1 to 10000");
  CHECK(error_of<scenario::ScenarioError>(request("09-pool-sizing.toml", {"cores=1,2,lots"})) ==
        "--vary cores=lots: 'lots' is not a number; cores takes a whole number: expected an integer from 1 to 256");
  // A key no value can fix is named alone, not with its first value.
  CHECK(error_of<scenario::ScenarioError>(request("09-pool-sizing.toml", {"core=1,2"})) ==
        "--vary core: unknown key 'core'; expected a shorthand (cores, switch_interval, gil, seed, workers, jobs) "
        "or a dotted path into the file, such as machine.cores; did you mean 'cores'?");
  CHECK(error_of<scenario::ScenarioError>(request("09-pool-sizing.toml", {"wrk=1..3"})) ==
        "--vary wrk: unknown key 'wrk'; expected a shorthand (cores, switch_interval, gil, seed, workers, jobs) "
        "or a dotted path into the file, such as machine.cores");
  // A value varied twice would keep the later values only: refused, naming the first.
  CHECK(error_of<scenario::ScenarioError>(request("09-pool-sizing.toml", {"workers=1..2", "workers=3,4"})) ==
        "--vary workers: 'workers' is varied twice; expected each value varied once");
  CHECK(error_of<scenario::ScenarioError>(request("09-pool-sizing.toml", {"cores=1,2; machine.cores=3,4"})) ==
        "--vary machine.cores: 'machine.cores' is varied already, as 'cores'; expected each value varied once");
  CHECK(error_of<scenario::ScenarioError>(request("09-pool-sizing.toml", {"workers=1,2; cores.x=1,2"})) ==
        "--vary cores.x: 'cores' is a shorthand and has no parts; expected cores=value, or a path such as "
        "machine.cores");
  CHECK(error_of<scenario::ScenarioError>(request("01-cpu-bound.toml", {"switch_interval=0ms,1ms"})).starts_with(
      "--vary switch_interval=0ms: "));
  // A value that replaces the runs would leave grid points without the runs shown (fuzz16).
  CHECK(error_of<scenario::ScenarioError>(request("09-pool-sizing.toml", {"run=[{ executor = \"threads\" }]"})) ==
        "--vary run=[{ executor = \"threads\" }]: value 1 gives 1 run where the scenario has 4; expected the same "
        "runs at every grid point: vary a key inside a run, such as run.1.workers");
  CHECK(error_of<scenario::ScenarioError>(request("09-pool-sizing.toml", {})) ==
        "--vary: a sweep needs at least one; expected --vary KEY=VALUES, such as --vary workers=1..16");
}

TEST_CASE("extra seeds past the largest seed are refused: each seed of a sweep is one --set seed= gives again") {
  auto r = request("01-cpu-bound.toml", {"cores=1,2"}, 3);
  r.overrides = {"seed=9223372036854775806"};
  CHECK(error_of<scenario::ScenarioError>(r) ==
        "--seeds 3: the seeds after the scenario's 9223372036854775806 would pass the largest seed, "
        "9223372036854775807; expected a seed of at most 9223372036854775805");
  r.overrides = {"seed=9223372036854775805"};
  CHECK(error_of<scenario::ScenarioError>(r) == "(accepted)");
  // Seeds a --vary gives, likewise.
  CHECK(error_of<scenario::ScenarioError>(request("01-cpu-bound.toml", {"seed=1,9223372036854775806"}, 3)) ==
        "--vary seed=9223372036854775806: with --seeds 3 the seeds after 9223372036854775806 would pass the largest "
        "seed, 9223372036854775807; expected a seed of at most 9223372036854775805");
}

TEST_CASE("a value of the wrong kind is said by what it is, and what the key takes") {
  // --set's words, "'workers' is a string", read as if the key were text.
  CHECK(error_of<scenario::ScenarioError>(request("09-pool-sizing.toml", {"workers=1ms"})) ==
        "--vary workers=1ms: '1ms' is a duration; workers takes a whole number: expected an integer from 1 to 10000");
  CHECK(error_of<scenario::ScenarioError>(request("09-pool-sizing.toml", {"workers=2,lots"})) ==
        "--vary workers=lots: 'lots' is not a number; workers takes a whole number: expected an integer from 1 to "
        "10000");
  // Keys moving together: the refused one is named.
  CHECK(error_of<scenario::ScenarioError>(request("09-pool-sizing.toml", {"cores=1,2; job.1.count=5,2ms"})) ==
        "--vary job.1.count=2ms: '2ms' is a duration; job.1.count takes a whole number: expected an integer from 1 "
        "to 100000");
  // Other refusals are --set's own.
  CHECK(error_of<scenario::ScenarioError>(request("09-pool-sizing.toml", {"workers=0"})) ==
        "--vary workers=0: 'workers' is 0; expected an integer from 1 to 10000");
}

TEST_CASE("a sweep over a limit is refused before it starts, naming the limit") {
  SUBCASE("more than 10,000 simulations") {
    CHECK(error_of<sweep::SweepRefused>(request("09-pool-sizing.toml", {"workers=1..16", "seed=1..200"})) ==
          "the sweep asks for 12800 simulations (3200 grid points x 1 seed x 4 runs); the limit is 10000 "
          "simulations: vary fewer values or fewer keys, or choose runs with --run");
    auto seeds = request("09-pool-sizing.toml", {"workers=1..16"}, 200);
    CHECK(error_of<sweep::SweepRefused>(seeds) == "the sweep asks for 12800 simulations (16 grid points x 200 seeds x "
                                                  "4 runs); the limit is 10000 simulations: vary fewer values or "
                                                  "fewer keys, use fewer seeds (--seeds), or choose runs with --run");
    // A caller with no option to choose runs (the viewer) is not told to use one.
    seeds.runs_option.clear();
    seeds.seeds_option = "the seeds field";
    CHECK(error_of<sweep::SweepRefused>(seeds).ends_with("vary fewer values or fewer keys, or use fewer seeds (the "
                                                         "seeds field)"));
  }
  SUBCASE("more memory than the budget") {
    auto big = request("03-ten-thousand-connections.toml", {"jobs=50000,100000"});
    big.jobs = 64;
    CHECK(error_of<sweep::SweepRefused>(big).find("the memory budget is 2048 MiB: use fewer --jobs or a smaller "
                                                  "scenario") != std::string::npos);
    // One at a time already: fewer --jobs cannot help, and is not asked for.
    auto alone = request("01-cpu-bound.toml", {"cores=1,2"});
    alone.overrides = {"jobs=100000", "job.1.steps=[{ repeat = 100, steps = [{ cpu = \"1ms\" }] }]"};
    alone.jobs = 1;
    const std::string refused = error_of<sweep::SweepRefused>(alone);
    CHECK_MESSAGE(refused.find("(1 simulation at once of about ") != std::string::npos, refused);
    CHECK(refused.ends_with("MiB: use a smaller scenario"));
  }
}

TEST_CASE("grid points are numbered with the first key outermost") {
  const auto plan = sweep::make_plan(request("09-pool-sizing.toml", {"workers=1..3", "cores=2,4"}));
  CHECK(plan.points() == 6);
  CHECK(plan.coordinates(0) == std::vector<std::size_t>{0, 0});
  CHECK(plan.coordinates(1) == std::vector<std::size_t>{0, 1});
  CHECK(plan.coordinates(5) == std::vector<std::size_t>{2, 1});
  const auto overrides = plan.overrides_at(3);
  REQUIRE(overrides.size() == 2);
  CHECK(overrides[0].key == "workers");
  CHECK(overrides[0].value == "2");
  CHECK(overrides[1].value == "4");
  CHECK(plan.scenario_at(3, 0).machine.cores == 4);
  CHECK(plan.simulations() == 24);
}

TEST_CASE("runs a sweep sets alike at every point are named with the run they repeat") {
  // `workers` sets every pool's: lesson 09's four pools run alike at every point.
  const auto alike = sweep::make_plan(request("09-pool-sizing.toml", {"workers=1..4"}));
  REQUIRE(alike.repeated_runs.size() == 3);
  for (const auto& r : alike.repeated_runs) CHECK(r.same_as == "Pool(2)");
  CHECK(alike.repeated_runs[0].run == "Pool()");
  CHECK(alike.repeated_runs[2].run == "Pool(16)");
  // The baseline counts when it is not shown: Pool(8) alone repeats it.
  auto shown = request("09-pool-sizing.toml", {"workers=1..4"});
  shown.runs = {2};
  const auto alone = sweep::make_plan(shown);
  REQUIRE(alone.repeated_runs.size() == 1);
  CHECK(alone.repeated_runs[0].run == "Pool(8)");
  CHECK(alone.repeated_runs[0].same_as == "Pool(2)");
  // One pool's own workers: Pool() and Pool(16) differ from Pool(2) and the varied one.
  CHECK(sweep::make_plan(request("09-pool-sizing.toml", {"run.Pool(8).workers=1..4"})).repeated_runs.empty());
  // Alike at some points only (Pool(2) and Pool(8) share 2 workers at the first): not repeated.
  const auto some = sweep::make_plan(request("09-pool-sizing.toml", {"run.Pool(8).workers=2,3"}));
  CHECK(some.repeated_runs.empty());
  // Lesson 20's runs differ by executor or start method whatever the pool's size.
  CHECK(sweep::make_plan(request("20-sweep-pool-size.toml", {"workers=1..16"})).repeated_runs.empty());
}

TEST_CASE("the speed-up is against the scenario's first run, simulated even when it is not shown") {
  auto r = request("20-sweep-pool-size.toml", {"workers=1,4"});
  r.runs = {1};  // the fork pool only
  const auto plan = sweep::make_plan(r);
  CHECK(plan.simulations() == 4);
  const auto result = sweep::run_sweep_here(plan);
  REQUIRE(result.figures.size() == 2);
  const auto& one = result.at(0, 0, 0);
  const auto& four = result.at(1, 0, 0);
  // Sixteen jobs of 25 ms, one after another: 400 ms; a pool of one worker adds its start-up.
  CHECK(one.speedup < 1.0);
  CHECK(one.speedup > 0.9);
  CHECK(four.speedup > 3.0);
  CHECK(four.speedup < 4.0);
  // A GIL per process, the parent's and each worker's; the busiest is a worker's, held
  // through its four jobs of 25 ms and more (its core is shared with the parent's threads).
  CHECK(one.gil_lanes == 2);
  CHECK(four.gil_lanes == 5);
  CHECK(four.gil_held > 0.8);
  CHECK(four.gil_held <= 1.0);
}

TEST_CASE("seeds give each point a mean and a spread") {
  // The default scenario draws its durations from its seeded generator.
  sweep::SweepRequest r;
  r.vary = {"cores=1,2"};
  r.seeds = 3;
  const auto plan = sweep::make_plan(r);
  const auto result = sweep::run_sweep_here(plan);
  const auto base_seed = scenario::load_default().seed;
  for (int seed = 0; seed < 3; ++seed) CHECK(result.at(0, seed, 0).seed == base_seed + static_cast<std::uint64_t>(seed));
  const auto summary = sweep::summarise(result, 1, 1);
  double sum = 0.0;
  for (int seed = 0; seed < 3; ++seed) sum += static_cast<double>(result.at(1, seed, 1).makespan_ns);
  CHECK(summary.makespan_ns.mean == doctest::Approx(sum / 3.0));
  CHECK(summary.makespan_ns.deviation > 0.0);  // different seeds, different draws
  CHECK(sweep::summarise(result, 1, 0).speedup.mean == 1.0);
}

TEST_CASE("the same sweep gives the same figures here and in 1, 2 or 3 worker processes") {
  // 16 tasks go out nearly one by one; 120 in batches of several tasks each.
  const sweep::SweepPlan plans[] = {
      sweep::make_plan(request("21-sweep-waiting-share.toml",
                               {"job.request.steps.2.io=0ms..90ms:30ms; job.request.steps.1.cpu=100ms..10ms:30ms",
                                "cores=2,4"},
                               2)),
      sweep::make_plan(request("01-cpu-bound.toml", {"cores=1..4", "switch_interval=1ms,5ms,20ms"}, 10))};
  for (const sweep::SweepPlan& plan : plans) {
    CAPTURE(plan.tasks());
    const auto here = sweep::run_sweep_here(plan);
    for (int workers : {1, 2, 3}) {
      CAPTURE(workers);
      std::size_t calls = 0, last = 0;
      const auto there = sweep::run_sweep_in_processes(plan, workers, nullptr, [&](std::size_t done, std::size_t total) {
        ++calls;
        CHECK(done > last);
        last = done;
        CHECK(total == plan.tasks());
      });
      CHECK(last == plan.tasks());
      CHECK(calls <= plan.tasks());
      if (plan.tasks() > 100) CHECK(calls < plan.tasks());
      check_same(here, there);
      CHECK(children_of_this_process() == 0);
    }
  }
}

TEST_CASE("a point whose values do not go together fails the sweep with the scenario's error") {
  // Each value alone is fine; a start method on a thread pool is not.
  const auto plan = sweep::make_plan(request("09-pool-sizing.toml", {"run.1.executor=process_pool,thread_pool",
                                                                     "run.1.start_method=fork,spawn"}));
  CHECK_THROWS_WITH_AS(sweep::run_sweep_in_processes(plan, 2), doctest::Contains("--vary run.1.start_method="),
                       scenario::ScenarioError);
  CHECK(children_of_this_process() == 0);
}

TEST_CASE("a cancelled sweep stops every worker and leaves no process behind") {
  const auto plan = sweep::make_plan(request("01-cpu-bound.toml", {"seed=1..400"}));
  std::atomic<bool> cancel{false};
  std::size_t seen = 0;
  CHECK_THROWS_AS(sweep::run_sweep_in_processes(plan, 3, &cancel,
                                                [&](std::size_t done, std::size_t) {
                                                  seen = done;
                                                  cancel = true;
                                                }),
                  sweep::SweepCancelled);
  CHECK(seen >= 1);
  CHECK(seen < plan.tasks());
  CHECK(children_of_this_process() == 0);
  CHECK_THROWS_AS(sweep::run_sweep_here(plan, &cancel), sweep::SweepCancelled);
}

TEST_CASE("a worker that dies fails the sweep with a clear message and no orphans") {
  const auto plan = sweep::make_plan(request("01-cpu-bound.toml", {"seed=1..400"}));
  bool killed = false;
  const auto kill_one = [&](std::size_t, std::size_t) {
    if (killed) return;
    const auto children = child_pids_of_this_process();
    if (children.empty()) return;
    ::kill(children.front(), SIGKILL);
    killed = true;
  };
  CHECK_THROWS_WITH_AS(sweep::run_sweep_in_processes(plan, 2, nullptr, kill_one),
                       doctest::Contains("killed by signal 9"), std::runtime_error);
  CHECK(killed);
  CHECK(children_of_this_process() == 0);
}

TEST_CASE("a switch interval varied beside the GIL is not said to miss the runs whose GIL it varies") {
  // Lesson 11's old-GIL runs have no switch interval (O1): said so where the GIL is the file's,
  // not where an axis gives them the new GIL at some points (whose interval changed the table
  // said to change no run).
  const auto alone = sweep::make_plan(request("11-old-gil.toml", {"switch_interval=1ms,5ms"}));
  REQUIRE(alone.missed_runs.size() == 1);
  CHECK(alone.missed_runs[0].find("the old GIL has no switch interval") != std::string::npos);
  const auto beside = sweep::make_plan(request("11-old-gil.toml", {"switch_interval=1ms,5ms", "gil=old,new"}));
  for (const std::string& missed : beside.missed_runs) CHECK(missed.find("switch interval") == std::string::npos);
}
