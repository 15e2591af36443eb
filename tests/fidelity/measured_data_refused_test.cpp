// Measurements that `gilsim_fidelity --cpython --replay` (and a measuring run) must refuse with
// a SuiteError rather than hand to the model: the inputs fuzz/fuzz_replay_measurements.cpp
// found (fuzz/regressions/replay-*.jsonl).
#include <doctest/doctest.h>

#include <sstream>

#include <fmt/format.h>

#include "bench/cpython_suite.hpp"
#include "tests/temp_folder.hpp"

using namespace gilsim::fidelity;

namespace {

ProgramRun speed_probe(double cpu0_loop, double cpu1_loop) {
  return parse_program_output(fmt::format(R"({{"program": "cpu_speeds", "python": "3.11.2", "sections": {{)"
                                          R"("cpu0": {{"cores": 1, "wall": 0.2, "cpu": 0, "loop": {}}}, )"
                                          R"("cpu1": {{"cores": 1, "wall": 0.2, "cpu": 0, "loop": {}}}}}}})",
                                          cpu0_loop, cpu1_loop),
                              "cpu_speeds.py");
}

}  // namespace

TEST_CASE("a speed probe whose CPUs differ beyond a scenario's core_speeds is refused, and not kept") {
  CoreSpeedProbes probes;
  // 1e20 s a loop on CPU 0: a relative speed of 6e-22, a core that would never finish a step
  // (the model crashed on it).
  CHECK_THROWS_WITH_AS(probes.add(speed_probe(1e20, 0.030)),
                       doctest::Contains("cpu_speeds.py: relative speeds 6e-22, 2: expected each from 0.01 to 100"),
                       SuiteError);
  CHECK(probes.loops.empty());
  // So fast a loop that its rate is infinite: no speed at all.
  CHECK_THROWS_AS(probes.add(speed_probe(1e-320, 0.030)), SuiteError);
  CHECK(probes.loops.empty());
  probes.add(speed_probe(0.020, 0.030));
  CHECK(probes.speeds().size() == 2);
  // Both CPUs alike, however slow: relative speeds 1, which the model runs.
  CoreSpeedProbes alike;
  alike.add(speed_probe(1e20, 1e20));
  CHECK(alike.speeds().empty());
}

TEST_CASE("a number past a double is refused as JSON that is not valid, with its file and line") {
  std::istringstream file(R"({"run_info":{"command":"x","seconds":1.6921e641}})" "\n");
  CHECK_THROWS_WITH_AS(read_measurements(file, "m.jsonl"),
                       "m.jsonl:1: not a JSON line: [json.exception.out_of_range.406] number overflow parsing '1.6921e641'",
                       SuiteError);
  CHECK_THROWS_WITH_AS(parse_program_output(R"({"program": "x", "python": "3", "sections": {"a": {"wall": 1e400}}})", "x.py"),
                       doctest::Contains("x.py: its JSON line is not valid: [json.exception.out_of_range.406]"), SuiteError);
}

TEST_CASE("a folder given as the measurements is named as a folder, not read as an empty file") {
  const gilsim::testing::TempFolder folder("gilsim_measured_folder");
  CHECK_THROWS_WITH_AS(read_measurements(folder.path()),
                       doctest::Contains(": is a folder; expected the measurements file"), SuiteError);
}

TEST_CASE("a count past an int (a section's cores, the cpu_count) is refused, not converted") {
  CHECK_THROWS_WITH_AS(parse_program_output(R"({"program": "x", "python": "3", "sections": )"
                                            R"({"a": {"wall": 1, "cpu": 1, "cores": 11111111111111111111111111111111111}}})",
                                            "x.py"),
                       "x.py: section 'a': 'cores' is 1.111111111111111e+34; expected a whole number, 0 or more", SuiteError);
  CHECK_THROWS_WITH_AS(parse_program_output(R"({"program": "x", "python": "3", "sections": {"a": {"wall": 1, "cpu": 1, "cores": 1.5}}})",
                                            "x.py"),
                       "x.py: section 'a': 'cores' is 1.5; expected a whole number, 0 or more", SuiteError);
  CHECK_THROWS_WITH_AS(parse_program_output(R"({"program": "x", "python": "3", "cpu_count": 1e300, "sections": {}})", "x.py"),
                       "x.py: 'cpu_count' is 1e+300; expected a whole number, 0 or more", SuiteError);
  CHECK(parse_program_output(R"({"program": "x", "python": "3", "cpu_count": 2, "sections": {"a": {"wall": 1, "cpu": 1, "cores": 2}}})",
                             "x.py")
            .sections.at("a")
            .cores == 2);
}

TEST_CASE("a probe's figure longer than a program runs is refused: a fork probe of 4e9 s wrapped the costs negative") {
  const auto fork_probe = [](double low) {
    return parse_program_output(fmt::format(R"({{"program": "fork_start", "python": "3.11.2", "sections": {{"fork": )"
                                            R"({{"wall": 0.01, "cpu": 0, "cores": 1, "median": 0.0005, "low": {}, "high": 0.0007}}}}}})",
                                            low),
                                "fork_start");
  };
  CHECK(process_start_fastest(fork_probe(0.0004)) == gilsim::Time{400'000});
  CHECK_THROWS_WITH_AS(process_start_fastest(fork_probe(4e9)),
                       "fork_start: section fork's 'low' is 4000000000 s; a program of the suite runs 120 s at most",
                       SuiteError);
  const auto wake_probe = [](double idle) {
    return parse_program_output(fmt::format(R"({{"program": "wake_latency", "python": "3.11.2", "sections": {{"handoff_1ms": )"
                                            R"({{"wall": 1, "cpu": 0, "cores": 2, "idle": {}, "latency": 0.00001}}}}}})",
                                            idle),
                                "wake_latency.py");
  };
  WakeLatencyProbes wakes;
  wakes.add(wake_probe(0.001));
  CHECK_THROWS_WITH_AS(wakes.add(wake_probe(1e300)),
                       "wake_latency.py: section handoff_1ms's 'idle' is 1e+300 s; a program of the suite runs 120 s at most",
                       SuiteError);
  CHECK(wakes.rounds.size() == 1);
}
