// docs/model.md P4e: scenario::fit_to_machine with a fork probe moves each process start
// cost's kernel share by the probe's ratio to the reference host's, and keeps the rest.
#include <doctest/doctest.h>

#include "sim/scenario/effective_settings.hpp"

using namespace gilsim;
using namespace gilsim::scenario;

namespace {

Scenario fitted(std::optional<Time> probe) {
  Scenario s;
  fit_to_machine(s, MeasuredMachine{2, {}, {}, {}, probe});
  return s;
}

}  // namespace

TEST_CASE("a fork probe twice the reference's doubles each start cost's kernel share, the rest kept (P4e)") {
  REQUIRE(kReferenceForkProbe == Time{418'763});
  const Costs c = fitted(Time{2 * 418'763}).costs;
  CHECK(c.fork_start == Time{2'300'100});         // 1.23 ms, 0.87 of it the kernel's
  CHECK(c.fork_call == Time{668'100});            // 0.51 ms, 0.31
  CHECK(c.fork_child_start == Time{2'640'000});   // 1.32 ms, all of it
  CHECK(c.fork_first_extra == Time{320'000});     // the first start's extras: none
  CHECK(c.fork_first_call_extra == Time{290'000});
  CHECK(c.fork_first_child_extra == Time{150'000});
  CHECK(c.spawn_call == Time{350'300});           // 0.31 ms, 0.13
  CHECK(c.spawn_exec == Time{300'000});           // 0.15 ms, all of it
  CHECK(c.spawn_start == Time{62'602'000});       // 55.4 ms, 0.13
  CHECK(c.tracker_start == Time{33'120'000});     // 28.8 ms, 0.15
  CHECK(c.pool_setup == Time{2'635'800});         // 1.91 ms, 0.38
  CHECK(c.pool_first_loop == Time{800'000});      // 0.4 ms, all of it (the first loop's cold pages)
  CHECK(c.ipc_first_syscall == Time{104'650});    // 65 us, 0.61
  CHECK(c.ipc_first_pickle == Time{65'250});      // 45 us, 0.45
  CHECK(c.pool_wakeup == Costs{}.pool_wakeup);    // a pool's later loops and messages: kept
  CHECK(c.ipc_message == Costs{}.ipc_message);
  CHECK(c.forkserver_start == Time{5'000'000});   // estimates, never measured: kept
  CHECK(c.forkserver_request == Time{100'000});
  CHECK(c.thread_start == Costs{}.thread_start);  // not a process start cost
}

TEST_CASE("a scenario's own start costs are fitted the same way (P4e)") {
  Scenario s;
  s.costs.fork_start = Time{2'000'000};
  s.costs.spawn_start = Time{10'000'000};
  fit_to_machine(s, MeasuredMachine{2, {}, {}, {}, Time{3 * 418'763}});
  CHECK(s.costs.fork_start == Time{5'480'000});    // 2 ms + 0.87 x 2 ms x 2
  CHECK(s.costs.spawn_start == Time{12'600'000});  // 10 ms + 0.13 x 10 ms x 2
}

TEST_CASE("a fork probe faster than the reference's shortens the kernel's share (P4e)") {
  const Costs c = fitted(Time{209'381}).costs;  // half the reference, to the ns below
  CHECK(c.fork_start == Time{694'949});         // 1.23 ms - 0.87 x 1.23 ms x 0.5000012
  CHECK(c.fork_child_start == Time{659'998});
  CHECK(c.pool_setup == Time{1'547'099});
  CHECK(c.pool_first_loop == Time{200'000});    // 0.4 ms - 0.4 ms x 0.5000012, to the ns
  CHECK(c.ipc_first_syscall == Time{45'175});   // 65 us - 0.61 x 65 us x 0.5000012
  CHECK(c.ipc_first_pickle == Time{34'875});    // 45 us - 0.45 x 45 us x 0.5000012
}

TEST_CASE("no fork probe, or the reference's own, changes no cost (P4e)") {
  const Costs defaults = Scenario{}.costs;
  for (const std::optional<Time> probe : {std::optional<Time>{}, std::optional<Time>{kReferenceForkProbe}}) {
    const Costs c = fitted(probe).costs;
    for (const KernelShare& k : process_start_kernel_shares()) {
      CAPTURE(k.name);
      CHECK(c.*k.cost == defaults.*k.cost);
    }
  }
}
