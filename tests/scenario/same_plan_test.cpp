// Two scenarios have the same job plan and step labels when their seed, jobs, and lock and
// counter names are the same: what the machine or the interpreter is does not enter the plan,
// so a knob on those keeps it.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "sim/scenario/job_plan.hpp"
#include "sim/scenario/loader.hpp"

using namespace gilsim::scenario;

namespace {

const char* const kText =
    "title = \"t\"\nseed = 7\n[machine]\ncores = 4\n[locks]\nl = \"Lock\"\n[counters]\nn = 0\n"
    "[[job]]\nname = \"w\"\ncount = 3\n"
    "steps = [ { repeat = 4, steps = [ { acquire = \"l\" }, { increment = \"n\", call = \"1us..3us\" }, "
    "{ release = \"l\" }, { cpu = \"2us\" } ] } ]\n"
    "[[run]]\nexecutor = \"threads\"\n[[run]]\nexecutor = \"thread_pool\"\n";

Scenario with(const std::vector<Override>& overrides, std::string text = kText) {
  return load_string(text, "plan.toml", overrides);
}

/// kText (or `text`) with every `from` replaced by `to`.
std::string replaced(const std::string& from, const std::string& to, std::string text = kText) {
  for (std::size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size())) {
    text.replace(at, from.size(), to);
  }
  return text;
}

}  // namespace

TEST_CASE("a scenario has the same plan as itself with other cores, switch interval or workers") {
  const Scenario base = with({});
  CHECK(same_plan(base, base));
  for (const Override& o : std::vector<Override>{{"cores", "1"}, {"switch_interval", "100us"}, {"workers", "2"}}) {
    CAPTURE(o.key);
    const Scenario other = with({o});
    CHECK(same_plan(base, other));
    // What same_plan promises: the plan and the labels are the ones made for `other`.
    const JobPlan a = plan_jobs(base);
    const JobPlan b = plan_jobs(other);
    REQUIRE(a.size() == b.size());
    for (std::size_t j = 0; j < a.size(); ++j) {
      CHECK(a[j].name == b[j].name);
      REQUIRE(a[j].steps.size() == b[j].steps.size());
      for (std::size_t i = 0; i < a[j].steps.size(); ++i) CHECK(a[j].steps[i].duration == b[j].steps[i].duration);
    }
  }
}

TEST_CASE("a scenario's plan differs with its jobs, its seed, or a lock or counter's name") {
  const Scenario base = with({});
  CHECK_FALSE(same_plan(base, with({{"jobs", "2"}})));
  CHECK_FALSE(same_plan(base, with({}, replaced("seed = 7", "seed = 8"))));
  CHECK_FALSE(same_plan(base, with({}, replaced("cpu = \"2us\"", "cpu = \"3us\""))));
  CHECK_FALSE(same_plan(base, with({}, replaced("1us..3us", "1us..4us"))));
  CHECK_FALSE(same_plan(base, with({}, replaced("repeat = 4", "repeat = 5"))));
  CHECK_FALSE(same_plan(base, with({}, replaced("name = \"w\"", "name = \"v\""))));
  // The labels name the locks and counters ("acquire l", "n += f(), f 1us..3us").
  CHECK_FALSE(same_plan(base, with({}, replaced("l = \"Lock\"", "m = \"Lock\"", replaced("= \"l\" }", "= \"m\" }")))));
  CHECK_FALSE(same_plan(base, with({}, replaced("n = 0", "k = 0", replaced("\"n\",", "\"k\",")))));
}
