// Row placement for the stacked runs.
#include "viz/timeline_layout.hpp"

#include <algorithm>

namespace gilsim::viz {

using trace::LaneKind;

int idle_cores(const trace::Trace& trace) {
  int idle = 0;
  for (const trace::Lane& l : trace.lanes) idle += l.kind == LaneKind::Core && l.spans.empty();
  return idle;
}

std::vector<trace::LaneId> ordered_lanes(const trace::Trace& trace, const LayoutOptions& options) {
  std::vector<trace::LaneId> order;
  const auto lanes_where = [&](auto&& keep) {
    for (trace::LaneId l = 0; l < trace.lanes.size(); ++l) {
      if (keep(trace.lanes[l])) order.push_back(l);
    }
  };
  if (options.show_cores) {
    lanes_where([&](const trace::Lane& l) {
      return l.kind == LaneKind::Core && !(options.hide_idle_cores && l.spans.empty());
    });
  }
  for (trace::ProcessId p = 0; p < trace.processes.size(); ++p) {
    for (LaneKind kind : {LaneKind::Gil, LaneKind::Lock, LaneKind::Thread, LaneKind::Task}) {
      lanes_where([&](const trace::Lane& l) { return l.process == p && l.kind == kind; });
    }
  }
  // Anything a producer attached to no known process still shows, at the end.
  lanes_where([&](const trace::Lane& l) { return l.kind != LaneKind::Core && l.process >= trace.processes.size(); });
  return order;
}

std::vector<std::uint32_t> stacking_order(const std::vector<trace::Trace>& runs) {
  std::vector<std::uint32_t> order;
  std::vector<bool> placed(runs.size(), false);
  const auto place = [&](std::uint32_t r) {
    order.push_back(r);
    placed[r] = true;
  };
  for (std::uint32_t r = 0; r < runs.size(); ++r) {
    if (runs[r].origin != trace::Origin::Simulated) continue;
    place(r);
    for (std::uint32_t m = 0; m < runs.size(); ++m) {
      if (!placed[m] && runs[m].origin == trace::Origin::Measured && runs[m].run_name == runs[r].run_name) place(m);
    }
  }
  for (std::uint32_t r = 0; r < runs.size(); ++r) {
    if (!placed[r]) place(r);
  }
  return order;
}

std::string run_label(const trace::Trace& run) {
  return trace::display_name(run);
}

TimelineLayout layout_rows(const std::vector<trace::Trace>& runs, const LayoutOptions& options) {
  TimelineLayout layout;
  float y = 0;
  for (std::uint32_t r : stacking_order(runs)) {
    layout.rows.push_back(Row{Row::Kind::RunHeader, r, trace::kNone, y, options.header_height});
    y += options.header_height;
    for (trace::LaneId lane : ordered_lanes(runs[r], options)) {
      const bool core = runs[r].lanes[lane].kind == trace::LaneKind::Core;
      const float h = core && options.core_height > 0 ? options.core_height : options.lane_height;
      layout.rows.push_back(Row{Row::Kind::Lane, r, lane, y, h});
      y += h;
    }
    y += options.gap;
  }
  layout.total_height = y;
  return layout;
}

const Row* TimelineLayout::row_at(float y) const {
  auto it = std::upper_bound(rows.begin(), rows.end(), y, [](float v, const Row& r) { return v < r.y; });
  if (it == rows.begin()) return nullptr;
  --it;
  return y < it->y + it->height ? &*it : nullptr;
}

const Row* TimelineLayout::find(std::uint32_t run, trace::LaneId lane) const {
  for (const Row& r : rows) {
    if (r.run == run && r.lane == lane && r.kind == Row::Kind::Lane) return &r;
  }
  return nullptr;
}

}  // namespace gilsim::viz
