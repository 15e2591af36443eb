// The prediction's error.
#include "sim/real/model_twin.hpp"

#include <algorithm>

#include <fmt/format.h>

namespace gilsim::real {

double prediction_error(Time predicted, Time measured) {
  return prediction_error(static_cast<double>(predicted.ns()), static_cast<double>(measured.ns()));
}

double prediction_error(double predicted, double measured) {
  if (measured == 0.0) return 0.0;
  return (predicted - measured) / measured;
}

}  // namespace gilsim::real
