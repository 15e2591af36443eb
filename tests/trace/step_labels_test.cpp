// A template's step labels: one per step, read back as given, each distinct string kept once,
// and a copy sharing the strings rather than copying them.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "sim/trace/step_labels.hpp"

using gilsim::trace::StepLabels;

TEST_CASE("step labels read back one per step, as given") {
  const StepLabels none;
  CHECK(none.empty());
  CHECK(none.size() == 0);
  const StepLabels listed{"cpu 1 ms", "io 2 ms", "cpu 1 ms"};
  REQUIRE(listed.size() == 3);
  CHECK(listed[0] == "cpu 1 ms");
  CHECK(listed[1] == "io 2 ms");
  CHECK(listed[2] == "cpu 1 ms");
}

TEST_CASE("a label repeated by many steps is stored once, and copies share it") {
  // A repeat block of 4 x (acquire, increment, release).
  const StepLabels labels({"acquire l", "n += 1", "release l"}, {0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2});
  REQUIRE(labels.size() == 12);
  CHECK(labels.distinct_count() == 3);
  for (std::size_t i = 0; i < labels.size(); ++i) {
    CAPTURE(i);
    CHECK(labels[i] == std::vector<std::string>{"acquire l", "n += 1", "release l"}[i % 3]);
  }
  CHECK(&labels[3] == &labels[0]);
  const StepLabels copy = labels;  // another run's trace
  CHECK(&copy[4] == &labels[1]);
}
