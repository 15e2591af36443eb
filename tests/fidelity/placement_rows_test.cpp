// The CPython suite's rows with per-CPU run queues (docs/model.md S1a-S1d, the default
// machine.placement = "per_cpu") and with the one shared queue ("shared"): the figures
// docs/model.md S1 and fidelity/suite.toml quote for both, computed from the model, fast and
// deterministic. CPython is not run.
#include <doctest/doctest.h>

#include <algorithm>
#include <optional>
#include <string>

#include "tests/fidelity/suite_rows.hpp"
#include "tests/model/model_fixtures.hpp"

using namespace gilsim;
using namespace gilsim::fidelity;
using namespace gilsim::test;

namespace {

/// The model's figure for the row labelled `label`, with the cores' run queues `placement`,
/// or as the suite's scenario says (the default) without one.
double figure_with(const Suite& suite, const std::string& label, std::optional<scenario::Placement> placement) {
  return model_figure(suite, label, [&](scenario::Scenario& s) {
    if (placement) s.machine.placement = *placement;
  });
}

}  // namespace

TEST_CASE("model: Pool.map's default and chunks of one, with per-CPU queues and with the shared one") {
  const Suite suite = load_suite(kSuiteFile);
  using enum scenario::Placement;
  // The parent's handler threads wake on the core they last ran on, beside one worker,
  // and wait there for its protected slice when they wake with no lag (S3).
  // (0.59 and 0.66 before S2's EEVDF pick; per CPU 0.62 before the pipes held 64 KiB, P7b:
  // the task pipe holds two chunks of 250 tasks of 100 bytes; then 0.56 and 0.65 until a
  // chunk weighed CPython's 837 bytes, P7b, and the eight fit in the pipe together; 0.58 and
  // 0.61 before P4b's handler threads that block until there is work and Pool()'s own costs.)
  CHECK(figure_with(suite, "Pool.map default / sequential", Shared) == doctest::Approx(0.59).epsilon(0.005));
  CHECK(figure_with(suite, "Pool.map default / sequential", PerCpu) == doctest::Approx(0.66).epsilon(0.005));
  // 1.05 before the GIL's mutex, whose signalling drops take 10 us on the handlers' cores (G8b);
  // 1.11 with it before the pipes held 64 KiB (P7b): the task handler waits for the workers;
  // 1.05 before the messages weighed CPython's bytes (P7b); 1.07 before G8c charged the
  // handlers the futex wake-ups of threads on the other core; 1.09 before P4b (the result and
  // worker handlers wake after G8's draw at each result); 1.11 before G8d; 1.10 before a
  // worker woken by its task took its GIL only once it ran (P4b).
  CHECK(figure_with(suite, "chunksize 1 / sequential", PerCpu) == doctest::Approx(1.11).epsilon(0.005));
  // The spawned Pool(4)'s workers end up two and two on the cores either way (S1d).
  CHECK(figure_with(suite, "spawn, per extra worker", Shared) == doctest::Approx(13.2e-3).epsilon(0.01));
  CHECK(figure_with(suite, "spawn, per extra worker", PerCpu) == doctest::Approx(13.0e-3).epsilon(0.01));
  // Eight reading threads find an idle core almost whenever they need one: 0.52 with the
  // shared queue and per CPU (per CPU 0.54 from the measured thread_start to the starts' two
  // wake-ups, docs/model.md T1a).
  CHECK(figure_with(suite, "8 threads / sequential", Shared) == doctest::Approx(0.52).epsilon(0.01));
  CHECK(figure_with(suite, "8 threads / sequential", PerCpu) == doctest::Approx(0.52).epsilon(0.01));
}

TEST_CASE("model: the suite's scenarios run with per-CPU queues unless they say otherwise") {
  // Linux places threads per CPU (docs/model.md S1): the suite's rows are the per-CPU ones.
  const Suite suite = load_suite(kSuiteFile);
  using enum scenario::Placement;
  for (const char* label : {"Pool.map default / sequential", "spawn, per extra worker"}) {
    CAPTURE(label);
    CHECK(figure_with(suite, label, std::nullopt) == figure_with(suite, label, PerCpu));
    CHECK(figure_with(suite, label, std::nullopt) != figure_with(suite, label, Shared));
  }
}

TEST_CASE("model: chunksize 1's worker handler waits for its own core and loops more with per-CPU queues") {
  // fidelity/suite.toml's chunksize 1 row and docs/model.md P6 quote these: the handler's
  // Python and system calls for the 2,000 results, against CPython's 29 to 31 ms. Its
  // Native time holds its drops that signal a waiter too, 10 us each (G8b; 24.0 and 6.3 ms,
  // 20.0 and 5.2 ms shared, before; 24.6 and 15.8, 17.6 and 19.9 ms shared, before S2's
  // EEVDF pick; 17.8 and 15.5 ms shared before S3's enqueue at the signal and DELAY_DEQUEUE,
  // which make the shared queue's handler find a GIL waiter at 1,082 of its drops, not 698;
  // 23.7 and 15.8, 15.8 and 20.3 ms shared, before the pipes held 64 KiB, P7b; 25.6 and
  // 10.8, 11.1 and 14.4 ms shared, before the messages weighed CPython's bytes, P7b; 34.8
  // and 10.4, 16.5 and 17.7 ms shared, before G8c: a drop whose signalled waiter sleeps on the
  // mutex takes 20 us, and a take that releases a dropper on the other core 10 us more; 18.3
  // and 15.5, 26.2 and 26.4 ms shared, before P4b: its first loop runs cold, 0.4 ms, and it
  // wakes from its poll after G8's draw; 12.4 and 17.7 ms shared before P4c's start costs,
  // whose later-ready workers change how the shared queue's handler meets the results; 19.6
  // and 21.9 ms shared before P4d's first fork start, the same with its workers ready at
  // other times; 22.8 and 23.5 ms shared before the result handler's read drained the pipe,
  // P6, so that the handler no longer loops on a result read and not yet unpickled; 23.6
  // and 13.8, 17.1 and 22.0 ms shared, before a worker woken by its task took its GIL only
  // once it ran, P4b; 20.5 and 28.8 ms shared before a new thread was enqueued at clone() and
  // a delayed one requeued as last accounted, S3 and T1a's *On one core*: the handler
  // threads start while the workers keep the cores busy).
  const Suite suite = load_suite(kSuiteFile);
  struct Expected {
    scenario::Placement placement;
    double python_ms, calls_ms;
  };
  using enum scenario::Placement;
  for (const Expected e : {Expected{PerCpu, 23.6, 12.7}, Expected{Shared, 26.0, 26.3}}) {
    CAPTURE(static_cast<int>(e.placement));
    scenario::Scenario s = scenario::load_file(suite.scenarios / "pool-chunks.toml");
    s.machine.placement = e.placement;
    const auto run = std::find_if(s.runs.begin(), s.runs.end(), [](const auto& r) { return r.name == "chunksize 1"; });
    REQUIRE(run != s.runs.end());
    const trace::Trace t = model::simulate(s, *run);
    const auto& handler = test::lane_named(t, "worker handler");
    CHECK(test::time_in(handler, trace::SpanState::Running).ns() / 1e6 == doctest::Approx(e.python_ms).epsilon(0.01));
    CHECK(test::time_in(handler, trace::SpanState::Native).ns() / 1e6 == doctest::Approx(e.calls_ms).epsilon(0.02));
  }
}
