// The sweep charts' y axes: the text chart's four round steps, the viewer's round top.
#include <doctest/doctest.h>

#include <vector>

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

TEST_CASE("a chart takes the values in their order along x, whatever order the sweep was given them in") {
  // --vary workers=16..1 and workers=4,1,16,2: drawn in the given order, the text chart's
  // segments ran right to left (no dots) and its labels were placed as if ascending.
  CHECK(sweep::axis_order({16, 8, 4, 2, 1}, false, 5) == std::vector<std::size_t>{4, 3, 2, 1, 0});
  CHECK(sweep::axis_order({4, 1, 16, 2}, false, 4) == std::vector<std::size_t>{1, 3, 0, 2});
  CHECK(sweep::axis_order({4, 1, 16, 2}, true, 4) == std::vector<std::size_t>{1, 3, 0, 2});
  // Without positions the values are evenly spaced in the given order; equal places keep it too.
  CHECK(sweep::axis_order({}, false, 3) == std::vector<std::size_t>{0, 1, 2});
  CHECK(sweep::axis_order({2, 1, 2}, false, 3) == std::vector<std::size_t>{1, 0, 2});
}
