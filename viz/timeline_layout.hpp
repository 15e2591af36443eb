// The vertical arrangement of the timeline: every run stacked on one time axis, each with a
// header row and its lanes (cores, then per process its GIL, threads and tasks).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "sim/trace/trace.hpp"

namespace gilsim::viz {

struct Row {
  enum class Kind : std::uint8_t { RunHeader, Lane };
  Kind kind = Kind::Lane;
  std::uint32_t run = 0;
  trace::LaneId lane = trace::kNone;  ///< kNone for a run header
  float y = 0;                        ///< top, in pixels from the first row
  float height = 0;
};

struct LayoutOptions {
  float lane_height = 20;
  float core_height = 0;    ///< core lanes, thinner to leave room for threads; 0: lane_height
  float header_height = 26;
  float gap = 6;            ///< space after each run
  bool show_cores = true;
  bool hide_idle_cores = true;  ///< a core no thread ever ran on gets no row (the header says so)
};

struct TimelineLayout {
  std::vector<Row> rows;
  float total_height = 0;

  /// The row under `y`, or nullptr in a gap or outside.
  const Row* row_at(float y) const;
  /// The row of `lane` in `run`, or nullptr when it is hidden.
  const Row* find(std::uint32_t run, trace::LaneId lane) const;
};

/// Lane order within a run: cores, then each process's GIL, threads and tasks.
std::vector<trace::LaneId> ordered_lanes(const trace::Trace& trace, const LayoutOptions& options);

/// Cores of the run that no thread ever ran on.
int idle_cores(const trace::Trace& trace);

/// The order runs are stacked in: file order, except that a measured run sits right under
/// the simulated run of the same name, so prediction and measurement read as a pair.
std::vector<std::uint32_t> stacking_order(const std::vector<trace::Trace>& runs);

/// The run's name as panels show it: "threads", or "threads (measured)" for a measured run.
std::string run_label(const trace::Trace& run);

TimelineLayout layout_rows(const std::vector<trace::Trace>& runs, const LayoutOptions& options);

}  // namespace gilsim::viz
