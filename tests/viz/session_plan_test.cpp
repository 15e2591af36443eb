// A knob that leaves the jobs as they were (cores, switch interval) keeps the job plan and the
// step labels of the runs shown, and the runs are the ones a fresh simulation gives; a knob that
// changes the jobs makes them again.
#include <doctest/doctest.h>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "sim/model/simulate.hpp"
#include "tests/same_runs.hpp"
#include "viz/session.hpp"

using namespace gilsim;
using namespace gilsim::viz;
using namespace std::chrono_literals;

namespace {

const std::string* first_label(const Session& s) { return &s.runs().at(0).templates.at(0).step_labels[0]; }

}  // namespace

TEST_CASE("a cores or switch-interval knob keeps the plan; the jobs knob makes it again; the runs are a fresh simulation's") {
  Session s;
  REQUIRE(s.open({}));  // the default scenario
  REQUIRE(s.runs().size() >= 2);
  const std::string* labels = first_label(s);
  Knobs k;
  k.cores = 2;
  REQUIRE(s.set_knobs(k));
  CHECK(first_label(s) == labels);  // the same strings: shared, not made again
  CHECK(test::first_difference(s.runs(), model::simulate_all(s.scenario())) == "");
  k.switch_interval = Time{1'000'000};
  s.set_knobs_in_background(k);
  while (s.simulating() && !s.background_ready()) std::this_thread::sleep_for(1ms);
  REQUIRE(s.poll(0));
  CHECK(s.runs().at(1).switch_interval == Time{1'000'000});
  CHECK(first_label(s) == labels);
  CHECK(test::first_difference(s.runs(), model::simulate_all(s.scenario())) == "");
  k.jobs = 2;
  REQUIRE(s.set_knobs(k));
  CHECK(first_label(s) != labels);
  CHECK(s.runs().at(0).jobs.size() == 2 * s.scenario().jobs.size());
  CHECK(test::first_difference(s.runs(), model::simulate_all(s.scenario())) == "");
}
