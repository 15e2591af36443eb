// docs/model.md P7c: scenario::fit_to_machine with a pickling probe sets the pickling's and the
// pipe's bandwidths, and fitted_line() says in one line what a fit took from the machine.
#include <doctest/doctest.h>

#include "sim/scenario/effective_settings.hpp"

using namespace gilsim;
using namespace gilsim::scenario;

namespace {

/// 20 MB: pickle.dumps 100 ms, the pipe 250 ms, pickle.loads 60 ms.
PicklingProbe twenty_megabytes() { return {20'000'000, Time{100'000'000}, Time{250'000'000}, Time{60'000'000}}; }

MeasuredMachine with(std::optional<Time> fork, std::optional<PicklingProbe> pickling) {
  MeasuredMachine m{2, {}, {}, {}, fork};
  m.pickling = pickling;
  return m;
}

}  // namespace

TEST_CASE("a pickling probe sets ipc_bandwidth from the mean of dumps and loads, and the pipe's from its time (P7c)") {
  Scenario s;
  REQUIRE(s.costs.ipc_bandwidth == 1e9);
  REQUIRE(s.costs.ipc_pipe_bandwidth == 0.0);  // not charged unless fitted
  fit_to_machine(s, with(std::nullopt, twenty_megabytes()));
  CHECK(s.costs.ipc_bandwidth == 250e6);       // 2 x 20 MB / (100 ms + 60 ms): each side's mean
  CHECK(s.costs.ipc_pipe_bandwidth == 80e6);   // 20 MB / 250 ms
  CHECK(s.costs.ipc_message == Costs{}.ipc_message);  // the per-message costs kept
  CHECK(s.costs.fork_start == Costs{}.fork_start);    // no fork probe: the start costs kept
}

TEST_CASE("a part of the pickling probe measured as no time leaves its cost as it was (P7c)") {
  Scenario s;
  PicklingProbe probe = twenty_megabytes();
  probe.pipe = Time::zero();
  fit_to_machine(s, with(std::nullopt, probe));
  CHECK(s.costs.ipc_bandwidth == 250e6);
  CHECK(s.costs.ipc_pipe_bandwidth == 0.0);
  Scenario none;
  fit_to_machine(none, with(std::nullopt, PicklingProbe{}));
  CHECK(none.costs.ipc_bandwidth == 1e9);
}

TEST_CASE("the fitted line names what the fit took from the machine, and nothing when it took only the cores") {
  // 20 MB pickled in 100 + 60 ms: 250 MB/s, four times slower than the calibrated 1 GB/s.
  const std::string far =
      " Far from the model's defaults: pickling ran 4.0 times slower than the calibrated 1000 MB/s. This machine is "
      "slow or busy now, so the prediction is for this moment; a run a few minutes later may fit other figures and "
      "predict other times.";
  CHECK(fitted_line(with(Time{550'000}, twenty_megabytes())) ==
        "Fitted to this machine: process start 0.55 ms (fork probe), pickling 250 MB/s, pipe 80 MB/s." + far);
  CHECK(fitted_line(with(Time{550'000}, std::nullopt)) == "Fitted to this machine: process start 0.55 ms (fork probe).");
  CHECK(fitted_line(with(std::nullopt, twenty_megabytes())) == "Fitted to this machine: pickling 250 MB/s, pipe 80 MB/s." + far);
  CHECK_FALSE(fitted_line(with(std::nullopt, std::nullopt)));
}

TEST_CASE("a probe past three times its calibrated default, either way, says so: the prediction is this moment's") {
  // Lesson 17 on a busy machine: a 43.86 ms fork probe against the calibrated 0.42 ms.
  CHECK(fitted_line(with(Time{43'860'000}, std::nullopt)) ==
        "Fitted to this machine: process start 43.86 ms (fork probe). Far from the model's defaults: starting a "
        "process took 105 times the 0.42 ms of the machine the model's defaults were calibrated on. This machine is "
        "slow or busy now, so the prediction is for this moment; a run a few minutes later may fit other figures and "
        "predict other times.");
  // Within three times: no sentence. 1.25 ms is 2.99 times 0.419 ms; 1.26 ms is past.
  CHECK(fitted_line(with(Time{1'250'000}, std::nullopt)) == "Fitted to this machine: process start 1.25 ms (fork probe).");
  CHECK(fitted_line(with(Time{1'260'000}, std::nullopt))->find("Far from") != std::string::npos);
  CHECK(fitted_line(with(Time{140'000}, std::nullopt)) == "Fitted to this machine: process start 0.14 ms (fork probe).");
  CHECK(fitted_line(with(Time{130'000}, std::nullopt)) ==
        "Fitted to this machine: process start 0.13 ms (fork probe). Far from the model's defaults: starting a process "
        "took 1/3 of the calibrated 0.42 ms. This machine is faster than the one they were calibrated on; the "
        "prediction is for this machine.");
  // Pickling at 3 GB/s (10 MB in 5 + 1.67 ms): within three times; at 4 GB/s, past.
  const auto pickled = [](Time each_side) { return PicklingProbe{10'000'000, each_side, Time{10'000'000}, each_side}; };
  CHECK(fitted_line(with(std::nullopt, pickled(Time{3'400'000})))->find("Far from") == std::string::npos);
  CHECK(fitted_line(with(std::nullopt, pickled(Time{2'500'000})))->find("pickling ran 4.0 times faster than the "
                                                                         "calibrated 1000 MB/s") != std::string::npos);
}
