// A lesson's runs in the viewer's tests: one by its name, and every run measured as predicted
// (a copy of each prediction with a measured origin, as the executors' runs arrive).
#pragma once

#include <string>
#include <vector>

#include "headless_viewer.hpp"

namespace gilsim::viz::testing {

inline std::uint32_t run_named(const HeadlessViewer& v, const std::string& name) {
  const auto& runs = v.app.session.runs();
  for (std::uint32_t r = 0; r < runs.size(); ++r) {
    if (runs[r].run_name == name) return r;
  }
  FAIL("no run ", name);
  return 0;
}

/// A measured copy's cores left blank, as a recording of the executors sees no cores.
inline void without_cores(trace::Trace& measured) {
  for (trace::Lane& lane : measured.lanes) {
    if (lane.kind == trace::LaneKind::Core) lane.spans = {};
  }
}

/// Adds a measured copy of every run shown, each passed to `adjust` first, and derives the
/// runs again; returns the predictions.
template <class Adjust = void (*)(trace::Trace&)>
std::vector<trace::Trace> measure_as_predicted(HeadlessViewer& v, Adjust&& adjust = [](trace::Trace&) {}) {
  const std::vector<trace::Trace> predictions = v.app.session.runs();
  for (const trace::Trace& run : predictions) {
    trace::Trace measured = run;
    measured.origin = trace::Origin::Measured;
    adjust(measured);
    v.app.session.add_measured(std::move(measured));
  }
  refresh_derived(v.app);
  return predictions;
}

}  // namespace gilsim::viz::testing
