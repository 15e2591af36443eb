// The machine's wake-ups and timed waits measured by fidelity/cpython/wake_latency.py and fed
// into the model (docs/model.md G8, G2a): the probe's output read, the model's halted-core law
// and its timed wait's law fitted to it by scenario::fit_to_machine, and a hand-off gap and
// tenures predicted with the fitted laws, on a hand-written timeline.
#include <doctest/doctest.h>

#include <filesystem>
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

/// One timer_ section: a timed wait of `timeout` that ran `late` after its deadline, seconds.
std::string timer_section(const std::string& name, double timeout, double late, double slack = 50e-6) {
  return fmt::format(R"(, "timer_{}": {{"cores": 2, "busy": 0, "wall": 0.2, "cpu": 0.0, "idle_asked": {}, "late": {}, )"
                     R"("low": {}, "high": {}, "slack": {}, "samples": 30}})",
                     name, timeout, late, late - 5e-6, late + 20e-6, slack);
}

/// Timed waits on the timer law 40 us + 10 us x log2(idle / 390 us) with a 50 us slack: each
/// idle, timeout + slack, is 4, 16 and 64 times the window (x = 2, 4, 6).
const std::string kTimedWaits = timer_section("1ms", 1510e-6, 110e-6) + timer_section("5ms", 6190e-6, 130e-6) +
                                timer_section("20ms", 24910e-6, 150e-6);

/// wake_latency.py's output for a machine whose wake-ups after a timed wait of about 128 us,
/// 2, 8 and 32 ms took the given latencies (us); a waiter blocked all along, 20 us longer;
/// and `timed_waits`, timer_ sections.
std::string probe_output(double at_128us, double at_2ms, double at_8ms, double at_32ms, const std::string& timed_waits = "") {
  std::string sections = R"("probe": {"cores": 2, "busy": 1, "wall": 1.2, "cpu": 1.2})";
  const std::pair<const char*, double> idles[] = {{"100us", 128e-6}, {"2ms", 2048e-6}, {"8ms", 8192e-6}, {"32ms", 32768e-6}};
  const double latencies[] = {at_128us, at_2ms, at_8ms, at_32ms};
  for (int i = 0; i < 4; ++i) {
    sections += ", " + section("handoff", idles[i].first, idles[i].second, latencies[i] * 1e-6);
    sections += ", " + section("blocked", idles[i].first, idles[i].second, (latencies[i] + 20) * 1e-6);
  }
  return R"({"program": "wake_latency", "python": "3.11.2", "cpu_count": 2, "sections": {)" + sections + timed_waits + "}}";
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
  const auto note = scenario::fit_to_machine(s, {2, {1.1, 0.9}, samples, {}, std::nullopt});
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
  scenario::fit_to_machine(polled, {2, {}, probes.samples(1), {}, std::nullopt});
  CHECK(polled.costs.wake_poll_window == 32'768_us);
  CHECK(polled.costs.wake_per_doubling == 0_ns);
  // A sample of over 1 ms (a waiter the host ran at its next tick) is left out of the fit.
  auto ticked = two_spinners(4_ms);
  probes.add(parse_program_output(probe_output(4, 24, 44, 1700), "wake_latency.py"));
  scenario::fit_to_machine(ticked, {2, {}, probes.samples(2), {}, std::nullopt});
  CHECK(ticked.costs.wake_poll_window == 512_us);
  CHECK(ticked.costs.wake_per_doubling == 10_us);
  CHECK(probes.describe().size() == 3);
  CHECK(probes.describe()[0].find("round 1: after 128 us, 4.00 us (2.00 us to 8.00 us), hand-off 34.0 us, 24.0 us "
                                  "when blocked all along; after 2.05 ms") == 0);
  // The page shows the law fitted with the default polling draw.
  scenario::Scenario fitted;
  scenario::fit_to_machine(fitted, {2, {}, probes.samples(0), {}, std::nullopt});
  CHECK(probes.describe()[0].find(fmt::format("the model's window {}, {} per doubling", format_time(fitted.costs.wake_poll_window),
                                              format_time(fitted.costs.wake_per_doubling))) != std::string::npos);
}

TEST_CASE("the probe's timed waits set the timer's own law: slack, minimum and slope, the window kept (G2a)") {
  WakeLatencyProbes probes;
  probes.add(parse_program_output(probe_output(4, 24, 44, 64, kTimedWaits), "wake_latency.py"));
  REQUIRE(probes.timed.size() == 1);
  REQUIRE(probes.timed[0].size() == 3);
  const auto samples = probes.timer_samples(0);
  REQUIRE(samples.size() == 3);
  CHECK(samples[0].timeout == 1'510_us);
  CHECK(samples[0].late == 110_us);
  CHECK(samples[0].slack == 50_us);
  CHECK(samples[2].timeout == 24'910_us);

  // The late timed waits alone: the slack read, the law recovered, G8's law untouched.
  auto s = two_spinners(4_ms);
  const scenario::Costs before = s.costs;
  scenario::fit_to_machine(s, {2, {}, {}, samples, std::nullopt});
  CHECK(s.costs.timer_slack == 50_us);
  CHECK(s.costs.timer_wake_min == 40_us);
  CHECK(s.costs.timer_wake_per_doubling == 10_us);
  CHECK(s.costs.timer_wake_window == before.timer_wake_window);
  CHECK(s.costs.wake_poll_window == before.wake_poll_window);
  CHECK(s.costs.wake_per_doubling == before.wake_per_doubling);
  CHECK(scenario::timer_wake(s.costs, 6'240_us) == 80_us);

  // A timer that fired inside the slack (late 40 us of a 50 us slack) and a waiter left for
  // a tick (late 1.2 ms) are left out.
  auto noisy = two_spinners(4_ms);
  auto with_outliers = samples;
  with_outliers.push_back({3'070_us, 40_us, 50_us});
  with_outliers.push_back({12'430_us, 1'200_us, 50_us});
  scenario::fit_to_machine(noisy, {2, {}, {}, with_outliers, std::nullopt});
  CHECK(noisy.costs.timer_wake_min == 40_us);
  CHECK(noisy.costs.timer_wake_per_doubling == 10_us);

  // One timeout only: the slope is kept (the default 5.3 us) and the minimum fitted to it:
  // 60 us - 2 x 5.3 us.
  scenario::Scenario one;
  scenario::fit_to_machine(one, {2, {}, {}, {samples[0]}, std::nullopt});
  CHECK(one.costs.timer_wake_per_doubling == 5'300_ns);
  CHECK(one.costs.timer_wake_min == 49'400_ns);

  // Wake-ups that shrink with the idle: no negative slope, their weighted mean instead
  // (weights 1 / L^2: (1/60 + 1/40) / (1/60^2 + 1/40^2) = 46.154 us).
  auto falling = two_spinners(4_ms);
  scenario::fit_to_machine(falling, {2, {}, {}, {{1'510_us, 110_us, 50_us}, {6'190_us, 90_us, 50_us}}, std::nullopt});
  CHECK(falling.costs.timer_wake_per_doubling == 0_ns);
  CHECK(falling.costs.timer_wake_min == 46'154_ns);

  // Without timed waits, the defaults every lesson uses stay.
  scenario::Scenario defaults;
  scenario::fit_to_machine(defaults, {2, {}, probes.samples(0), {}, std::nullopt});
  const scenario::Costs costs;
  CHECK(defaults.costs.timer_slack == costs.timer_slack);
  CHECK(defaults.costs.timer_wake_min == costs.timer_wake_min);
  CHECK(defaults.costs.timer_wake_per_doubling == costs.timer_wake_per_doubling);

  // The page shows each timed wait and the law fitted.
  CHECK(probes.describe()[0].find("; a timed wait of 1.51 ms late 110 us (105 us to 130 us), of 6.19 ms late 130 us "
                                  "(125 us to 150 us), of 24.9 ms late 150 us (145 us to 170 us) (slack 50.0 us): "
                                  "the model's timer wake-up 40.0 us + 10.0 us per doubling past 390 us") !=
        std::string::npos);
}

TEST_CASE("a hand-off gap and tenures predicted with the probe's wake-ups and timed waits, on a hand-written timeline") {
  // The laws fitted from the probe: G8's 4 us + 10 us x log2(idle / 512 us); G2a's slack
  // 50 us and timer wake-up 40 us + 10 us x log2(idle / 390 us). Interval 6.19 ms, so each
  // timed wait idles its core 6.24 ms and its timer's wake-up is 40 + 10 x 4 = 80 us.
  //   0          T1 takes the GIL; T2 arms its timed wait.
  //   6.320000   T2's timer fired at 6.24 ms, T2 runs 80 us later (G2a) and asks; T1
  //              drops at once (G4) and signals it.
  //   6.360257   T2, whose core idled 6.32 ms, runs 4 + 10 x log2(6320 / 512) = 40.257 us
  //              later (G8) and takes: a gap of 40.257 us. T1, signalled on switch_cond
  //              from a core that was busy, wakes 4 us later and arms (G6).
  //  12.684257   T1 asks (6.364257 + 6.32); T2 drops; T1, blocked 6.32 ms, runs 40.257 us later:
  //  12.724514   T1 takes. T2, blocked on switch_cond 40.257 us but idle 6.360257 ms before
  //              its tenure (from 0), wakes from a halted core 4 + 10 x log2(6360.257 / 512)
  //              = 40.349 us later and arms at 12.764863: it asks at 19.084863.
  // So every hand-off gap is 40.257 us.
  WakeLatencyProbes probes;
  probes.add(parse_program_output(probe_output(4, 24, 44, 64, kTimedWaits), "wake_latency.py"));
  auto s = two_spinners(6'190_us);
  scenario::fit_to_machine(s, {2, {}, probes.samples(0), probes.timer_samples(0), std::nullopt});
  const auto t = simulate_with(s, scenario::Executor::Threads);
  check_holders(holders(t, "GIL"),
                {
                    {0_ns, 6'320'000_ns, "T1"},
                    {6'360'257_ns, 12'684'257_ns, "T2"},
                    {12'724'514_ns, 19'084'863_ns, "T1"},
                },
                true);
  const GilHolds held = gil_holds(t);
  REQUIRE(held.gaps.size() >= 3);
  for (const Time gap : held.gaps) CHECK(gap == 40'257_ns);

  // The suite's row on the fitted scenario: the median gap, in seconds.
  SuiteRow row;
  row.label = "median hand-off gap, 6.19 ms";
  row.scenario = "two spinners";
  row.kind = RowKind::Time;
  row.model.run = "threads";
  row.model.quantity = "handoff_gap";
  CHECK(predict(row, s).value == 40'257e-9);

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
  // Each round a median over seeds: the rounds' median, the spread from the lowest seed of any
  // round to the highest.
  const Prediction seeded = over_rounds({{2.0, 0, 0, false, 1.0, 3.0, 9}, {5.0, 0, 0, false, 4.0, 8.0, 9}});
  CHECK(seeded.value == 3.5);
  CHECK(seeded.low == 1.0);
  CHECK(seeded.high == 8.0);
  CHECK(seeded.seeds == 9);
  const Prediction kept_round = over_rounds({{2.0, 0, 0, false, 1.0, 3.0, 9}, {5.0, 0, 0, false, 4.0, 8.0, 9}}, {1});
  CHECK(kept_round.low == 4.0);
  CHECK(kept_round.high == 8.0);
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
  const std::string no_slack = R"({"program": "wake_latency", "python": "3", "sections": {)" +
                               section("handoff", "1ms", 0.001, 20e-6) +
                               R"(, "timer_1ms": {"cores": 2, "wall": 0.1, "cpu": 0.0, "idle_asked": 0.001, "late": 0.0001}}})";
  CHECK_THROWS_WITH_AS(probes.add(parse_program_output(no_slack, "wake_latency.py")),
                       "wake_latency.py: section timer_1ms needs a positive 'idle_asked', 'late' and 'slack'", SuiteError);
}

TEST_CASE("the fork probe of several rounds is the median of theirs, to the ns below (P4e)") {
  CHECK_FALSE(fork_probe_of({}).has_value());
  CHECK(fork_probe_of({3_us, 1_us, 2_us}) == 2_us);
  CHECK(fork_probe_of({Time{4}, Time{1}, Time{3}, Time{2}}) == Time{2});  // (2 + 3) / 2
}

TEST_CASE("the committed measurements' fork probes give the reference: a replay moves no start cost (P4e)") {
  const Measurements m = read_measurements(std::filesystem::path(GILSIM_SOURCE_DIR) / "fidelity/measured.jsonl");
  std::vector<Time> rounds;
  for (const auto& line : m.runs) {
    if (line.run.program == "fork_start") rounds.push_back(process_start_fastest(line.run));
  }
  CHECK(rounds.size() == 6);
  CHECK(fork_probe_of(rounds) == scenario::kReferenceForkProbe);
}
