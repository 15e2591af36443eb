// Every run of a scenario simulated on several threads at once gives the traces of one run
// after another, in file order (the viewer simulates them so).
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "sim/model/simulate.hpp"
#include "sim/scenario/loader.hpp"
#include "tests/same_runs.hpp"

using namespace gilsim;

TEST_CASE("runs simulated on several threads are the runs simulated one after another, in file order") {
  for (const char* name : {"01-cpu-bound.toml", "09-pool-sizing.toml", "14-two-locks.toml"}) {
    CAPTURE(name);
    const scenario::Scenario s = scenario::load_file(std::string(GILSIM_SOURCE_DIR) + "/scenarios/" + name);
    REQUIRE(s.runs.size() >= 3);
    const std::vector<trace::Trace> one_after_another = model::simulate_all(s);
    for (unsigned threads : {1u, 2u, 8u}) {
      CAPTURE(threads);
      const std::vector<trace::Trace> runs = model::simulate_all(s, threads);
      REQUIRE(runs.size() == s.runs.size());
      for (std::size_t r = 0; r < runs.size(); ++r) CHECK(runs[r].run_name == s.runs[r].name);
      CHECK(gilsim::test::first_difference(runs, one_after_another) == "");
    }
  }
}
