// The machine's wake-ups measured by fidelity/cpython/wake_latency.py and fed into the
// model (docs/model.md G8): the probe's output read, the model's halted-core law fitted to it
// by scenario::fit_to_machine, and a hand-off gap predicted with the fitted law, on a
// hand-written timeline.
#include <doctest/doctest.h>

#include <string>

#include <fmt/format.h>

#include "bench/cpython_suite.hpp"
#include "sim/scenario/effective_settings.hpp"
#include "tests/model/model_fixtures.hpp"

using namespace gilsim;
using namespace gilsim::fidelity;
using namespace gilsim::test;

namespace {

/// One section of wake_latency.py's output for an idle, in seconds.
std::string section(const std::string& way, const std::string& name, double idle, double latency) {
  return fmt::format(R"("{}_{}": {{"cores": 2, "busy": 0, "wall": 0.01, "cpu": 0.0, "idle": {}, "latency": {}, )"
                     R"("low": {}, "high": {}, "gap": {}, "timer_late": 0.00009, "samples": 30}})",
                     way, name, idle, latency, latency * 0.5, latency * 2, latency + 30e-6);
}

/// wake_latency.py's output for a machine whose wake-ups after a timed wait of about 128 us,
/// 2, 8 and 32 ms took the given latencies (us); a waiter blocked all along, 20 us longer.
std::string probe_output(double at_128us, double at_2ms, double at_8ms, double at_32ms) {
  std::string sections = R"("probe": {"cores": 2, "busy": 1, "wall": 1.2, "cpu": 1.2})";
  const std::pair<const char*, double> idles[] = {{"100us", 128e-6}, {"2ms", 2048e-6}, {"8ms", 8192e-6}, {"32ms", 32768e-6}};
  const double latencies[] = {at_128us, at_2ms, at_8ms, at_32ms};
  for (int i = 0; i < 4; ++i) {
    sections += ", " + section("handoff", idles[i].first, idles[i].second, latencies[i] * 1e-6);
    sections += ", " + section("blocked", idles[i].first, idles[i].second, (latencies[i] + 20) * 1e-6);
  }
  return R"({"program": "wake_latency", "python": "3.11.2", "cpu_count": 2, "sections": {)" + sections + "}}";
}

/// Two CPU-bound threads, every incidental cost zero, a polling wake-up of exactly 4 us.
scenario::Scenario two_spinners(Time interval) {
  auto s = exact_scenario(2);
  s.costs.wake_poll_min = 4_us;
  s.costs.wake_poll_max = 4_us;
  s.python.switch_interval = interval;
  add_jobs(s, "a", 1, {cpu(20_ms)});
  add_jobs(s, "b", 1, {cpu(20_ms)});
  s.runs.push_back(scenario::Run{});
  s.runs.back().name = "threads";
  s.runs.back().executor = scenario::Executor::Threads;
  return s;
}

}  // namespace

TEST_CASE("the probe's hand-off wake-ups set the model's halted-core law: window and slope, the draw kept (G8)") {
  // Latencies on the law 4 us + 10 us x log2(idle / 512 us) past a 512 us window (between
  // the idles of 128 us and 2 ms, their geometric mean), and the polling draw's median, 4
  // us, within it.
  WakeLatencyProbes probes;
  probes.add(parse_program_output(probe_output(4, 24, 44, 64), "wake_latency.py"));
  REQUIRE(probes.rounds.size() == 1);
  REQUIRE(probes.rounds[0].size() == 4);
  CHECK(probes.rounds[0][1].name == "2ms");
  CHECK(probes.rounds[0][1].blocked == doctest::Approx(44e-6));
  const auto samples = probes.samples(0);
  REQUIRE(samples.size() == 4);
  CHECK(samples[1].idle == 2'048_us);
  CHECK(samples[1].latency == 24_us);

  auto s = two_spinners(4_ms);
  s.machine.cores = 4;
  const auto note = scenario::fit_to_machine(s, {2, {1.1, 0.9}, samples});
  CHECK(s.costs.wake_poll_window == 512_us);
  CHECK(s.costs.wake_per_doubling == 10_us);
  CHECK(s.costs.wake_poll_min == 4_us);  // the races' draw is not the probe's
  CHECK(s.costs.wake_poll_max == 4_us);
  CHECK(s.machine.core_speeds.to_vector() == std::vector<double>{1.1, 0.9});
  CHECK(s.machine.cores == 2);
  CHECK(note.has_value());

  // Without samples, the scenario's wake-up law stays as it is: the defaults every lesson uses.
  scenario::Scenario defaults;
  scenario::fit_to_machine(defaults, 2);
  const scenario::Costs costs;
  CHECK(defaults.costs.wake_poll_window == costs.wake_poll_window);
  CHECK(defaults.costs.wake_per_doubling == costs.wake_per_doubling);

  // A machine that polled through every idle probed: the window covers them, nothing is halted.
  auto polled = two_spinners(4_ms);
  probes.add(parse_program_output(probe_output(4, 4, 4, 4), "wake_latency.py"));
  scenario::fit_to_machine(polled, {2, {}, probes.samples(1)});
  CHECK(polled.costs.wake_poll_window == 32'768_us);
  CHECK(polled.costs.wake_per_doubling == 0_ns);
  // A sample of over 1 ms (a waiter the host ran at its next tick) is left out of the fit.
  auto ticked = two_spinners(4_ms);
  probes.add(parse_program_output(probe_output(4, 24, 44, 1700), "wake_latency.py"));
  scenario::fit_to_machine(ticked, {2, {}, probes.samples(2)});
  CHECK(ticked.costs.wake_poll_window == 512_us);
  CHECK(ticked.costs.wake_per_doubling == 10_us);
  CHECK(probes.describe().size() == 3);
  CHECK(probes.describe()[0].find("round 1: after 128 us, 4.00 us (2.00 us to 8.00 us), hand-off 34.0 us, 24.0 us "
                                  "when blocked all along; after 2.05 ms") == 0);
  // The page shows the law fitted with the default polling draw.
  scenario::Scenario fitted;
  scenario::fit_to_machine(fitted, {2, {}, probes.samples(0)});
  CHECK(probes.describe()[0].find(fmt::format("the model's window {}, {} per doubling", format_time(fitted.costs.wake_poll_window),
                                              format_time(fitted.costs.wake_per_doubling))) != std::string::npos);
}

TEST_CASE("a hand-off gap predicted with the probe's wake-ups, on a hand-written timeline") {
  // The law fitted above: 4 us + 10 us x log2(idle / 512 us). Interval 4 ms, no slack.
  //   0          T1 takes the GIL; T2 arms its timed wait.
  //   4.033658   T2's wait ends: 4 ms + the wake of a core idle 4 ms, 4 + 10 x log2(4000 /
  //              512) = 33.658 us (G2a); it asks, T1 drops at once (G4) and signals it.
  //   4.067437   T2, whose core idled 4.033658 ms, runs 4 + 10 x log2(4033.658 / 512) =
  //              33.779 us later (G8) and takes: a gap of 33.779 us. T1, signalled on
  //              switch_cond from a core that was busy, wakes 4 us later and arms (G6).
  //   8.105095   T1's wait ends (4.071437 + 4.033658); T2 drops; T1 runs 33.779 us later.
  //   8.138874   T1 takes. T2, blocked on switch_cond 33.779 us but idle 4.067437 ms before
  //              its tenure (from 0), wakes from a halted core 4 + 10 x log2(4067.437 / 512)
  //              = 33.899 us later and arms: its wait ends at 8.172773 + 4.033658.
  //  12.206431   T2 asks; T1 drops; T2, blocked 4.033658 ms, runs 33.779 us later.
  // So every hand-off gap is 33.779 us.
  WakeLatencyProbes probes;
  probes.add(parse_program_output(probe_output(4, 24, 44, 64), "wake_latency.py"));
  auto s = two_spinners(4_ms);
  scenario::fit_to_machine(s, {2, {}, probes.samples(0)});
  const auto t = simulate_with(s, scenario::Executor::Threads);
  check_holders(holders(t, "GIL"),
                {
                    {0_ns, 4'033'658_ns, "T1"},
                    {4'067'437_ns, 8'105'095_ns, "T2"},
                    {8'138'874_ns, 12'206'431_ns, "T1"},
                },
                true);
  const GilHolds held = gil_holds(t);
  REQUIRE(held.gaps.size() >= 3);
  for (const Time gap : held.gaps) CHECK(gap == 33'779_ns);

  // The suite's row on the fitted scenario: the median gap, in seconds.
  SuiteRow row;
  row.label = "median hand-off gap, 4 ms";
  row.scenario = "two spinners";
  row.kind = RowKind::Time;
  row.model.run = "threads";
  row.model.quantity = "handoff_gap";
  CHECK(predict(row, s).value == 33'779e-9);

  // One prediction per round: the median of the rounds'; a race's reads summed.
  CHECK(over_rounds({{3.0, 0, 0, false}, {1.0, 0, 0, false}, {2.0, 0, 0, false}}).value == 2.0);
  const Prediction race = over_rounds({{0.0, 0, 10, false}, {0.5, 5, 5, true}});
  CHECK(race.lost == 5);
  CHECK(race.kept == 15);
  CHECK(race.value == 0.25);
  CHECK(race.both_outcomes);
  // Only the rounds whose runs the row kept, when it kept any.
  CHECK(over_rounds({{3.0, 0, 0, false}, {1.0, 0, 0, false}, {2.0, 0, 0, false}}, {0}).value == 3.0);
  CHECK(over_rounds({{3.0, 0, 0, false}, {1.0, 0, 0, false}}, {5}).value == 2.0);
}

TEST_CASE("a wake probe without hand-off sections is refused") {
  WakeLatencyProbes probes;
  CHECK_THROWS_WITH_AS(
      probes.add(parse_program_output(R"({"program": "wake_latency", "python": "3", "sections": {}})", "wake_latency.py")),
      "wake_latency.py: no section handoff_*", SuiteError);
  const std::string zero = R"({"program": "wake_latency", "python": "3", "sections": {)" +
                           section("handoff", "1ms", 0.001, 0.0) + "}}";
  CHECK_THROWS_WITH_AS(probes.add(parse_program_output(zero, "wake_latency.py")),
                       "wake_latency.py: section handoff_1ms has no positive 'idle' and 'latency'", SuiteError);
}
