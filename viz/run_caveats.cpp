// Header caveats and the shared axis's end; see run_caveats.hpp.
#include "viz/run_caveats.hpp"

namespace gilsim::viz {

std::optional<std::string> measurement_caveat(const trace::Trace& run) {
  if (run.origin != trace::Origin::Measured) return std::nullopt;
  return std::nullopt;  // no load figure in the record yet
}

Time axis_end(const std::vector<trace::Trace>& runs, bool clip_measured) {
  Time all = Time::zero(), simulated = Time::zero();
  bool any_simulated = false;
  for (const trace::Trace& r : runs) {
    all = max(all, r.end);
    if (r.origin == trace::Origin::Simulated) {
      simulated = max(simulated, r.end);
      any_simulated = true;
    }
  }
  return clip_measured && any_simulated ? simulated : all;
}

}  // namespace gilsim::viz
