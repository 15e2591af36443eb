// A measured run's pace, and the words the command line and the viewer give it.
#include <doctest/doctest.h>

#include "sim/trace/trace.hpp"

namespace gilsim::trace {
namespace {

CpuCheck took(std::int64_t planned_us, std::int64_t took_us) {
  CpuCheck c;
  c.planned_compute = Time{planned_us * 1000};
  c.compute_took = Time{took_us * 1000};
  return c;
}

TEST_CASE("pace_difference: a whole percent, one decimal where it would read as the tolerance") {
  CHECK(pace_difference(took(1000, 1180)) == "18% slower");
  CHECK(pace_difference(took(1000, 850)) == "15% faster");
  // Flagged (more than 10% off), yet "10%" would say the tolerance itself.
  CHECK(took(1000, 897).off_pace());
  CHECK(pace_difference(took(1000, 897)) == "10.3% faster");
  CHECK(took(1000, 1104).off_pace());
  CHECK(pace_difference(took(1000, 1104)) == "10.4% slower");
  CHECK(pace_difference(took(1000, 1110)) == "11% slower");
  CHECK_FALSE(took(1000, 1050).off_pace());
}

}  // namespace
}  // namespace gilsim::trace
