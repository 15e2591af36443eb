// The prediction's error.
#include "sim/real/model_twin.hpp"

#include <algorithm>

#include <fmt/format.h>

namespace gilsim::real {

double prediction_error(Time predicted, Time measured) {
  if (measured.ns() == 0) return 0.0;
  return static_cast<double>((predicted - measured).ns()) / static_cast<double>(measured.ns());
}

}  // namespace gilsim::real
