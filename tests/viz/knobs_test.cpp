// Small pure helpers of the scenario session.
#include <doctest/doctest.h>

#include "viz/knobs.hpp"

using namespace gilsim;
using namespace gilsim::literals;
using namespace gilsim::viz;

TEST_CASE("times parse as in scenario files: a number and a unit") {
  CHECK(parse_time("120ms") == 120_ms);
  CHECK(parse_time("1.5 s") == 1500_ms);
  CHECK(parse_time("250us") == 250_us);
  CHECK(parse_time("800ns") == 800_ns);
  CHECK(parse_time("250\xC2\xB5s") == 250_us);  // µs, as in scenario files
  CHECK(!parse_time("2"));                       // no unit: refused, as in scenario files
  CHECK(!parse_time("fast"));
  CHECK(!parse_time("10 parsecs"));
  CHECK(!parse_time("-3ms"));
  CHECK(!parse_time(""));
}

TEST_CASE("knobs become the loader's overrides") {
  Knobs k;
  CHECK(!k.any());
  CHECK(k.overrides().empty());
  k.cores = 2;
  k.switch_interval = 1_ms;
  const auto o = k.overrides();
  REQUIRE(o.size() == 2);
  CHECK(o[0].key == "cores");
  CHECK(o[0].value == "2");
  CHECK(o[1].key == "switch_interval");
}
