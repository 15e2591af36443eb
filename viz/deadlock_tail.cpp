// The lanes of a deadlock's cycle; see deadlock_tail.hpp.
#include "viz/deadlock_tail.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "sim/trace/outcomes.hpp"

namespace gilsim::viz {

std::vector<StuckLane> stuck_lanes(const trace::Trace& run) {
  std::vector<StuckLane> threads, locks;
  if (!trace::ended_in_deadlock(run)) return threads;
  // The cycle's marks come last, at the run's end (ended_in_deadlock).
  for (auto m = run.marks.end(); m != run.marks.begin();) {
    --m;
    if (m->at < run.end) break;
    if (m->kind != trace::MarkKind::Deadlock) continue;
    const auto holder = static_cast<trace::LaneId>(m->value);
    const auto seen = [](const std::vector<StuckLane>& v, trace::LaneId l) {
      return std::any_of(v.begin(), v.end(), [&](const StuckLane& s) { return s.lane == l; });
    };
    if (m->lane < run.lanes.size() && !seen(threads, m->lane)) threads.push_back({m->lane, trace::kNone, m->other});
    if (m->other < run.lanes.size() && !seen(locks, m->other)) locks.push_back({m->other, holder});
  }
  const auto by_lane = [](const StuckLane& a, const StuckLane& b) { return a.lane < b.lane; };
  std::sort(threads.begin(), threads.end(), by_lane);
  std::sort(locks.begin(), locks.end(), by_lane);
  threads.insert(threads.end(), locks.begin(), locks.end());
  return threads;
}

std::string stuck_label(const trace::Trace& run, const StuckLane& stuck) {
  const auto name = [&](trace::LaneId l) { return l < run.lanes.size() ? run.lanes[l].name : std::string("?"); };
  if (stuck.holder != trace::kNone) return fmt::format("deadlocked: held by {} forever", name(stuck.holder));
  return fmt::format("deadlocked: waits for {} forever", name(stuck.waits_for));
}

std::string deadlocked_text(const trace::Trace& run) { return fmt::format("deadlocked at {}", run.end); }

}  // namespace gilsim::viz
