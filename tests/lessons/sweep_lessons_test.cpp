// The sweep lessons teach a curve: run the sweep each note shows and check the shape the
// note describes, so the note cannot drift from what the model draws.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <regex>
#include <string>

#include "sim/scenario/loader.hpp"
#include "sim/sweep/sweep_results.hpp"

using namespace gilsim;

namespace {

const std::string kScenarios = std::string(GILSIM_SOURCE_DIR) + "/scenarios/";

/// The --vary options of the command in the scenario's note.
std::vector<std::string> vary_in_note(const std::string& file) {
  const std::string note = scenario::load_file(kScenarios + file).note;
  std::vector<std::string> vary;
  const std::regex option(R"(--vary (?:"([^"]+)\"|(\S+)))");
  for (auto it = std::sregex_iterator(note.begin(), note.end(), option); it != std::sregex_iterator(); ++it) {
    vary.push_back((*it)[1].matched ? (*it)[1].str() : (*it)[2].str());
  }
  return vary;
}

struct Curves {
  sweep::SweepPlan plan;
  sweep::SweepResult result;
  double at(std::size_t point, const std::string& run) const {
    const auto r = std::find(plan.run_names.begin(), plan.run_names.end(), run) - plan.run_names.begin();
    return sweep::summarise(result, point, static_cast<std::size_t>(r)).speedup.mean;
  }
};

Curves sweep_of(const std::string& file) {
  sweep::SweepRequest request;
  request.file = kScenarios + file;
  request.vary = vary_in_note(file);
  REQUIRE(request.vary.size() == 1);
  Curves c{sweep::make_plan(request), {}};
  c.result = sweep::run_sweep_here(c.plan);
  return c;
}

/// An option's value in the note's command ("--seeds 5"), or `otherwise`.
std::string option_in_note(const std::string& file, const std::string& option, const std::string& otherwise) {
  const std::string note = scenario::load_file(kScenarios + file).note;
  std::smatch found;
  if (std::regex_search(note, found, std::regex(option + R"( (\S+))"))) return found[1].str();
  return otherwise;
}

}  // namespace

TEST_CASE("lesson 15: from 50 us on, fewer updates are lost as the switch interval grows, none once a loop fits in one") {
  const std::string file = "15-lost-update.toml";
  sweep::SweepRequest request;
  request.file = kScenarios + file;
  request.vary = vary_in_note(file);
  REQUIRE(request.vary.size() == 1);
  request.seeds = std::stoi(option_in_note(file, "--seeds", "1"));
  CHECK(request.seeds == 5);  // the note says "five seeds a point"
  REQUIRE(option_in_note(file, "--metric", "speedup") == "lost-updates");
  request.metric = sweep::Metric::LostUpdates;
  const sweep::SweepPlan plan = sweep::make_plan(request);
  const sweep::SweepResult result = sweep::run_sweep_here(plan);
  REQUIRE(plan.points() == 8);  // 25 us to 3.2 ms, doubling: point 6 is 1.6 ms
  REQUIRE(plan.axes.front().values[0][6] == "1600us");
  const auto lost = [&](std::size_t point, const std::string& run) {
    const auto r = std::find(plan.run_names.begin(), plan.run_names.end(), run) - plan.run_names.begin();
    return sweep::summarise(result, point, static_cast<std::size_t>(r)).lost_updates;
  };
  for (std::size_t i = 0; i < plan.points(); ++i) {
    CAPTURE(i);
    CHECK(lost(i, "sequential").mean == 0.0);  // "sequential code and asyncio lose nothing"
    CHECK(lost(i, "asyncio").mean == 0.0);
  }
  // "From 50 us on, the longer the interval, the fewer are lost overall, though not at every
  // step: a point can lose more than the one before it (25 us loses fewer than 50 us)": no point
  // past 50 us loses more than it, and from 400 us each loses fewer than every point before.
  CHECK(lost(0, "threads").mean < lost(1, "threads").mean);
  for (std::size_t i = 2; i < plan.points(); ++i) CHECK(lost(i, "threads").mean <= lost(1, "threads").mean);
  for (std::size_t i = 4; i < 7; ++i) {
    for (std::size_t j = 0; j < i; ++j) CHECK(lost(i, "threads").mean < lost(j, "threads").mean);
  }
  CHECK(lost(1, "threads").mean > 2 * lost(5, "threads").mean);
  // "the seeds spread widely": where the curve falls, the deviation is more than half the mean.
  for (std::size_t i = 4; i < 6; ++i) CHECK(lost(i, "threads").deviation > lost(i, "threads").mean / 2);
  // "From 1.6 ms on none are lost": every thread's loop ends before its first forced switch.
  CHECK(lost(5, "threads").mean > 0.0);
  CHECK(lost(6, "threads").mean == 0.0);
  CHECK(lost(7, "threads").mean == 0.0);
}

TEST_CASE("lesson 20: the pool's speed-up rises to the core count, then sags as start-ups add up") {
  const Curves c = sweep_of("20-sweep-pool-size.toml");
  REQUIRE(c.plan.points() == 16);  // workers 1 to 16: point i has i + 1 workers
  for (std::size_t i = 1; i < 4; ++i) CHECK(c.at(i, "process pool") > c.at(i - 1, "process pool") + 0.4);
  for (std::size_t i = 0; i < 16; ++i) {
    CAPTURE(i);
    // four workers, one per core, is the best: five and six a little below, none better
    CHECK(c.at(i, "process pool") <= c.at(3, "process pool") * 1.02);
    CHECK(c.at(i, "thread pool") == doctest::Approx(1.0).epsilon(0.05));
    CHECK(c.at(i, "process pool, spawn") < c.at(i, "process pool"));
  }
  for (std::size_t i = 4; i < 16; ++i) CHECK(c.at(i, "process pool") < c.at(3, "process pool"));  // past four, below
  // This sweep's figures at four, five and sixteen workers (docs/lessons.md quotes `gilsim sweep`'s).
  // Five: two processes share a core (per-CPU queues, docs/model.md S1a, S1d) while three
  // run alone and take more of the jobs, and the parent's handler threads take the cores
  // in another order (S3): a little slower than four, and six too (3.37x since P4b: the parent's
  // handler threads start and wake beside six workers on four cores, 3.59x before; the
  // handlers' drops that signal a waiter take 10 us of their cores, G8b; 3.45x since P4c's
  // start costs, five 3.49x where it was 3.42x, sixteen 3.09x where it was 3.13x; five 3.59x
  // and six 3.55x since the result handler's read drains the pipe, P6: the worker handler no
  // longer loops on the last result read, which kept the result handler 3 ms from the GIL;
  // five 3.41x and six 3.34x since a worker woken by its task takes its GIL only once it
  // runs, its wake-up the one of the core it runs on, P4b: 117 and 120 ms, from 111 and 113).
  CHECK(c.at(3, "process pool") == doctest::Approx(3.55).epsilon(0.02));
  CHECK(c.at(4, "process pool") == doctest::Approx(3.41).epsilon(0.02));
  CHECK(c.at(5, "process pool") == doctest::Approx(3.34).epsilon(0.02));
  CHECK(c.at(15, "process pool") == doctest::Approx(3.09).epsilon(0.03));
  CHECK(c.at(15, "process pool") < c.at(3, "process pool") - 0.25);      // fork: sags (a fork is cheap)
  CHECK(c.at(15, "process pool, spawn") < c.at(3, "process pool, spawn") / 1.7);  // spawn: falls steeply
  // "past four, each one adds about 13 ms to the run": spawned workers start side by side, so
  // not the 55 ms a start takes of a core (tests/docs/lesson_figures_check.py sends it here).
  const auto spawn = std::find(c.plan.run_names.begin(), c.plan.run_names.end(), "process pool, spawn") -
                     c.plan.run_names.begin();
  const auto makespan_ms = [&](std::size_t point) {
    return sweep::summarise(c.result, point, static_cast<std::size_t>(spawn)).makespan_ns.mean / 1e6;
  };
  CHECK(std::round((makespan_ms(15) - makespan_ms(3)) / 12) == 13);
}

TEST_CASE("lesson 21: threads and asyncio pay as waiting grows, and catch up with the pool near four fifths") {
  const Curves c = sweep_of("21-sweep-waiting-share.toml");
  REQUIRE(c.plan.points() == 10);  // 0 to 90 ms of each 100 ms job waits: point i is 10 i %
  CHECK(c.at(0, "16 threads") < 1.05);
  CHECK(c.at(0, "asyncio") < 1.05);
  CHECK(c.at(0, "process pool") > 3.5);
  // docs/sweeps.md: on four cores the pool's processes are busy computing, flat near 4x
  // (3.85x since P4b, its start and its handlers' wake-ups; 3.92x before).
  for (std::size_t i = 0; i < 10; ++i) CHECK(c.at(i, "process pool") == doctest::Approx(3.85).epsilon(0.03));
  for (std::size_t i = 1; i < 10; ++i) {
    CHECK(c.at(i, "16 threads") > c.at(i - 1, "16 threads"));
    CHECK(c.at(i, "asyncio") > c.at(i - 1, "asyncio"));
  }
  // The crossing: the pool ahead up to 70 % waiting; at 80 % asyncio ahead and the threads
  // level with it (their GIL hand-offs wake halted cores, docs/model.md G8, S6; 2.4 % ahead
  // since P4b's pool is 1.8 % slower); both ahead at 90 %.
  CHECK(c.at(7, "process pool") > c.at(7, "16 threads"));
  CHECK(c.at(8, "16 threads") == doctest::Approx(c.at(8, "process pool")).epsilon(0.03));
  CHECK(c.at(8, "asyncio") > c.at(8, "process pool"));
  CHECK(c.at(9, "16 threads") > 1.5 * c.at(9, "process pool"));  // "more than one and a half times"
}
