// Each pool API's own message bytes are costs keys (docs/model.md P7b), read from [costs]
// with their limits, and default to CPython 3.11's measured sizes.
#include <doctest/doctest.h>

#include <string>

#include "error_of.hpp"
#include "sim/scenario/loader.hpp"

using namespace gilsim;
using namespace gilsim::scenario;
using gilsim::test::error_of;

namespace {

const std::string kJobAndRun = "[[job]]\nname = \"w\"\nsteps = [ { cpu = \"1ms\" } ]\n[[run]]\nexecutor = \"process_pool\"\n";

}  // namespace

TEST_CASE("each pool API's message bytes are read from [costs], one key each") {
  const Scenario s = load_string("title = \"t\"\n[costs]\nipc_task_bytes = 1\nipc_result_bytes = 2\n"
                                 "ipc_apply_task_bytes = 3\nipc_apply_result_bytes = 4\n"
                                 "ipc_executor_call_bytes = 5\nipc_executor_result_bytes = 6\n" +
                                     kJobAndRun,
                                 "s.toml");
  CHECK(s.costs.ipc_task_bytes == 1);
  CHECK(s.costs.ipc_result_bytes == 2);
  CHECK(s.costs.ipc_apply_task_bytes == 3);
  CHECK(s.costs.ipc_apply_result_bytes == 4);
  CHECK(s.costs.ipc_executor_call_bytes == 5);
  CHECK(s.costs.ipc_executor_result_bytes == 6);
  // Unset, they are P7b's measured sizes: Pool's mapstar chunks, one call, the executor's.
  const Scenario d = load_string("title = \"t\"\n" + kJobAndRun, "s.toml");
  CHECK(d.costs.ipc_task_bytes == 87);
  CHECK(d.costs.ipc_result_bytes == 29);
  CHECK(d.costs.ipc_apply_task_bytes == 48);
  CHECK(d.costs.ipc_apply_result_bytes == 26);
  CHECK(d.costs.ipc_executor_call_bytes == 205);
  CHECK(d.costs.ipc_executor_result_bytes == 119);
}

TEST_CASE("a pool API's message bytes out of range, or misspelt, are an error at their place") {
  CHECK(error_of("title = \"t\"\n[costs]\nipc_apply_task_bytes = -1\n" + kJobAndRun) ==
        "s.toml:3:24: 'ipc_apply_task_bytes' is -1; expected an integer from 0 to 1099511627776");
  CHECK(error_of("title = \"t\"\n[costs]\nipc_executor_result_bytes = 1.5\n" + kJobAndRun) ==
        "s.toml:3:29: 'ipc_executor_result_bytes' is a decimal number; expected an integer from 0 to 1099511627776");
  CHECK(error_of("title = \"t\"\n[costs]\nipc_executor_call_byte = 1\n" + kJobAndRun) ==
        "s.toml:3:1: unknown key 'ipc_executor_call_byte' in [costs]; did you mean 'ipc_executor_call_bytes'?");
}
