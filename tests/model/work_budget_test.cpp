// The work budget: the estimate bounds the events of every bundled run from above without
// refusing it, and a run past its budget stops with the limit named.
#include <doctest/doctest.h>
#include <fmt/format.h>

#include <string>

#include "sim/model/simulate.hpp"
#include "sim/model/work_budget.hpp"
#include "sim/scenario/loader.hpp"

using namespace gilsim;

TEST_CASE("the estimate is at least the events of every bundled run, and within the default limit") {
  const auto files = scenario::bundled_scenarios();
  REQUIRE(!files.empty());
  for (const auto& file : files) {
    const scenario::Scenario s = scenario::load_file(file);
    for (const scenario::Run& run : s.runs) {
      model::SimulationStats stats;
      model::simulate(s, run, &stats);
      const model::WorkEstimate estimate = model::estimate_work(s, run);
      CAPTURE(file.filename().string());
      CAPTURE(run.name);
      CAPTURE(stats.events);
      CHECK(estimate.events >= stats.events);
      CHECK(estimate.events <= model::kDefaultMaxEvents / 4);
      CHECK(estimate.trace_bytes > estimate.events);
    }
  }
}

TEST_CASE("a file inside the scenario limits but with too much work is refused before it runs") {
  // 100000 jobs x 1000 steps: each limit holds, the product does not fit the budget.
  const std::string text =
      "title = \"t\"\n[[job]]\nname = \"w\"\ncount = 100000\n"
      "steps = [ { repeat = 1000, steps = [ { cpu = \"1ms\" } ] } ]\n[[run]]\nexecutor = \"threads\"\n";
  const scenario::Scenario s = scenario::load_string(text, "s.toml");
  const model::WorkEstimate estimate = model::estimate_work(s, s.runs[0]);
  CHECK(estimate.steps == 100'000'000);
  try {
    model::check_work({{&s, &s.runs[0]}}, model::kDefaultMaxEvents, "raise it with --max-events N");
    FAIL("expected WorkLimitExceeded");
  } catch (const model::WorkLimitExceeded& e) {
    const std::string what = e.what();
    CHECK(what.rfind("run 'threads' would take about ", 0) == 0);
    CHECK(what.find("100000000 steps") != std::string::npos);
    CHECK(what.find("above the limit of 20000000 events") != std::string::npos);
    CHECK(what.find("raise it with --max-events N") != std::string::npos);
  }
}

TEST_CASE("the viewer's refusal names the largest run, counts the others, and says where the limit can be raised") {
  // gilviz named the first run over the limit ('sequential'), not the largest, and told the
  // class to raise it with gilsim run's --max-events, which the viewer does not read.
  const std::string text =
      "title = \"t\"\n[[job]]\nname = \"w\"\ncount = 100000\n"
      "steps = [ { repeat = 1000, steps = [ { cpu = \"1ms\" } ] } ]\n"
      "[[run]]\nname = \"sequential\"\nexecutor = \"sequential\"\n"
      "[[run]]\nname = \"threads\"\nexecutor = \"threads\"\n[[run]]\nname = \"pool\"\nexecutor = \"process_pool\"\n";
  const scenario::Scenario s = scenario::load_string(text, "s.toml");
  std::string largest;
  std::uint64_t most = 0;
  for (const scenario::Run& run : s.runs) {
    const std::uint64_t events = model::estimate_work(s, run).events;
    if (events > most) most = events, largest = run.name;
  }
  REQUIRE(largest != "sequential");
  for (const unsigned threads : {1U, 2U}) {
    CAPTURE(threads);
    try {
      model::simulate_all(s, threads);
      FAIL("expected WorkLimitExceeded");
    } catch (const model::WorkLimitExceeded& e) {
      const std::string what = e.what();
      CHECK(what.rfind("run '" + largest + "' would take about ", 0) == 0);
      CHECK(what.find("(2 other runs are over it too)") != std::string::npos);
      CHECK(what.ends_with("or simulate it with `gilsim run --max-events N`, whose limit can be raised (the viewer "
                           "holds each run to this one)"));
    }
  }
}

TEST_CASE("a small run refused by a low limit says its trace in megabytes, not 0.0 GB") {
  const scenario::Scenario s = scenario::load_string(
      "title = \"t\"\n[[job]]\nname = \"w\"\ncount = 4\nsteps = [ { cpu = \"1ms\" } ]\n"
      "[[run]]\nexecutor = \"threads\"\n",
      "s.toml");
  const model::WorkEstimate estimate = model::estimate_work(s, s.runs[0]);
  REQUIRE(estimate.trace_bytes < 100'000'000);
  try {
    model::check_work({{&s, &s.runs[0]}}, 10, "raise it with --max-events N");
    FAIL("expected WorkLimitExceeded");
  } catch (const model::WorkLimitExceeded& e) {
    const std::string what = e.what();
    CHECK(what.find(fmt::format("{:.1f} MB of trace", static_cast<double>(estimate.trace_bytes) / 1e6)) !=
          std::string::npos);
    CHECK(what.find("GB") == std::string::npos);
  }
}

TEST_CASE("an hour of CPU at a 1 us switch interval is refused; the estimate counts slices") {
  const std::string text =
      "title = \"t\"\n[python]\nswitch_interval = \"1us\"\n[[job]]\nname = \"w\"\ncount = 2\n"
      "steps = [ { cpu = \"3600s\" } ]\n[[run]]\nexecutor = \"threads\"\n[[run]]\nexecutor = \"sequential\"\n";
  const scenario::Scenario s = scenario::load_string(text, "s.toml");
  // Threads: 2 jobs x (3.6e9 slices of 1 us x 4 events + 8 per step + 16 per job).
  CHECK(model::estimate_work(s, s.runs[0]).events == 2 * (4 * 3'600'000'000ULL + 8 + 16));
  // Sequential: nothing switches it out but the OS quantum (3 ms).
  CHECK(model::estimate_work(s, s.runs[1]).events == 2 * (4 * 1'200'000ULL + 8 + 16));
  CHECK_THROWS_AS(model::simulate(s, s.runs[0]), model::WorkLimitExceeded);
}

TEST_CASE("a peer's long answers count as time slices: such a run is refused before it runs, not called stuck") {
  // Peers answering 35 s each, two to a core, with 200 us slices: the estimate once left
  // their slices out, and such a run (fuzz16's sweep corpus: 3,500 s of answers) stopped at
  // the limit after seconds, said to look stuck.
  const std::string text =
      "title = \"t\"\n[machine]\ncores = 2\nquantum = \"200us\"\n[[job]]\nname = \"echo\"\ncount = 2\n"
      "peer_cpus = [1]\nsteps = [ { repeat = 50, steps = [ { io = \"4us\", answer = \"35s\" } ] } ]\n"
      "[[run]]\nexecutor = \"threads\"\n";
  const scenario::Scenario s = scenario::load_string(text, "s.toml");
  // 2 jobs x (50 answers x 175,000 slices x 4 events + 50 steps x 8 + 16).
  CHECK(model::estimate_work(s, s.runs[0]).events == 2 * (50 * 4 * 175'000ULL + 50 * 8 + 16));
  CHECK_THROWS_WITH_AS(model::check_work({{&s, &s.runs[0]}}, model::kDefaultMaxEvents, "raise it"),
                       doctest::Contains("run 'threads' would take about "), model::WorkLimitExceeded);
}

TEST_CASE("a run that goes past its budget while running stops with the limit named") {
  // Normal durations clamped at zero run far longer than their mean: the estimate, made
  // from the mean, fits the budget, and the count of events while running does not.
  const std::string text =
      "title = \"t\"\n[python]\nswitch_interval = \"1ms\"\n[[job]]\nname = \"w\"\ncount = 2\n"
      "steps = [ { repeat = 10, steps = [ { cpu = \"normal(1ms, 1s)\" } ] } ]\n[[run]]\nexecutor = \"threads\"\n";
  const scenario::Scenario s = scenario::load_string(text, "s.toml");
  const std::uint64_t estimate = model::estimate_work(s, s.runs[0]).events;
  model::SimulationStats stats;
  model::simulate(s, s.runs[0], &stats, model::kDefaultMaxEvents);
  REQUIRE(stats.events > estimate);
  try {
    model::simulate(s, s.runs[0], &stats, estimate);
    FAIL("expected WorkLimitExceeded");
  } catch (const model::WorkLimitExceeded& e) {
    CHECK(stats.events == estimate);
    const std::string what = e.what();
    const std::string head = "run 'threads' went past the limit of " + std::to_string(estimate) +
                             " events of the model before its end (the estimate was " + std::to_string(estimate) +
                             "), at ";
    CHECK(what.substr(0, head.size()) == head);
    // Where it stood: a simulated time, then how many of the two jobs had ended (none: each
    // job's ten steps draw from a spread of a second, and the run was stopped in its first).
    CHECK(what.find(" of simulated time with 0 of 2 jobs finished; make the scenario smaller (fewer jobs or steps, "
                    "a longer switch_interval) or raise the limit (gilsim run --max-events N).") != std::string::npos);
    // Its events are its estimate: nothing says it is stuck.
    CHECK(what.find("stuck") == std::string::npos);
  }
}

TEST_CASE("a run stopped far past its estimate is said to look stuck, and cross_spread = 0 is named") {
  // With G8d's medians and no draw (docs/model.md G8d), a pool's parent thread takes the GIL
  // back before its waiter on the other core wakes, at every drop, and the run never ends.
  const std::string text =
      "title = \"t\"\n[costs]\ncross_spread = 0\n[[job]]\nname = \"w\"\ncount = 4\n"
      "steps = [ { cpu = \"20ms\" } ]\n[[run]]\nexecutor = \"process_pool\"\nworkers = 2\n";
  scenario::Scenario s = scenario::load_string(text, "s.toml");
  const std::uint64_t limit = 40 * model::estimate_work(s, s.runs[0]).events;
  const auto message = [&] {
    try {
      model::simulate(s, s.runs[0], nullptr, limit);
    } catch (const model::WorkLimitExceeded& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  const std::string stuck = message();
  CHECK(stuck.find("with 4 of 4 jobs finished") != std::string::npos);
  CHECK(stuck.find("it looks stuck") != std::string::npos);
  CHECK(stuck.find("With costs.cross_spread = 0") != std::string::npos);
  // Drawn, the same run ends well within the limit.
  s.costs.cross_spread = 1.0;
  CHECK(message() == "no error");
}
