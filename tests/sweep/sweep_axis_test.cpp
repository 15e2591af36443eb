// The sweep charts' y axes: the text chart's four round steps, the viewer's round top.
#include <doctest/doctest.h>

#include "sim/sweep/sweep_axis.hpp"

using namespace gilsim;

TEST_CASE("the text chart's top is four round steps; the viewer's is the next round value a little above the peak") {
  CHECK(sweep::axis_top(0.9) == doctest::Approx(1.0));
  CHECK(sweep::axis_top(3.6) == doctest::Approx(4.0));
  CHECK(sweep::axis_top(4.4) == doctest::Approx(8.0));  // half the height empty: why the plots have their own
  CHECK(sweep::plot_top(4.4) == doctest::Approx(5.0));
  CHECK(sweep::plot_top(3.55) == doctest::Approx(4.0));
  CHECK(sweep::plot_top(6.39) == doctest::Approx(8.0));
  CHECK(sweep::plot_top(1.0) == doctest::Approx(1.2));   // room above a curve at 1.00x
  CHECK(sweep::plot_top(0.97) == doctest::Approx(1.0));
  CHECK(sweep::plot_top(60'000) == doctest::Approx(80'000));
  CHECK(sweep::plot_top(4.068e9) == doctest::Approx(5e9));
  CHECK(sweep::plot_top(0.0) == doctest::Approx(1.0));
}
