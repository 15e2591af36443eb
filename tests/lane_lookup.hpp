// A trace's lane found by the name a row header shows ("T1", "core 0", "peer"), as tests
// read a run.
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>

#include "sim/trace/trace.hpp"

namespace gilsim::test {

/// The lane called `name`, or nullptr when the trace has none.
inline const trace::Lane* find_lane(const trace::Trace& t, std::string_view name) {
  for (const auto& lane : t.lanes) {
    if (lane.name == name) return &lane;
  }
  return nullptr;
}

/// The lane called `name`; a test that names a lane the trace lacks fails here.
inline const trace::Lane& lane_named(const trace::Trace& t, std::string_view name) {
  if (const trace::Lane* lane = find_lane(t, name)) return *lane;
  throw std::runtime_error("no lane named " + std::string(name));
}

/// The index of the lane called `name`, as spans and marks refer to lanes.
inline trace::LaneId lane_id_named(const trace::Trace& t, std::string_view name) {
  return static_cast<trace::LaneId>(&lane_named(t, name) - t.lanes.data());
}

}  // namespace gilsim::test
