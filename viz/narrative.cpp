// Merging the runs' marks into one time-ordered story.
#include "viz/narrative.hpp"

#include <algorithm>

#include "viz/playback.hpp"
#include "viz/sorted_runs.hpp"

namespace gilsim::viz {

void Narrative::build(const std::vector<trace::Trace>& runs, const NarrativeFilter& filter) {
  lines_.clear();
  std::vector<std::size_t> starts;
  for (std::uint32_t r = 0; r < runs.size(); ++r) {
    if (filter.run != trace::kNone && filter.run != r) continue;
    starts.push_back(lines_.size());
    const auto& marks = runs[r].marks;
    for (std::uint32_t m = 0; m < marks.size(); ++m) {
      if (filter.gil_only && !is_gil_mark(marks[m].kind)) continue;
      lines_.push_back(NarrativeLine{marks[m].at, r, m});
    }
  }
  // Each run's marks are sorted by time. Stable: within a run marks keep their order; at
  // equal times earlier runs come first.
  merge_sorted_runs(lines_, std::move(starts), [](const NarrativeLine& a, const NarrativeLine& b) { return a.at < b.at; });
}

std::ptrdiff_t Narrative::index_at(Time t) const {
  auto it = std::upper_bound(lines_.begin(), lines_.end(), t,
                             [](Time v, const NarrativeLine& l) { return v < l.at; });
  return (it - lines_.begin()) - 1;
}

std::string Narrative::text(const std::vector<trace::Trace>& runs, const NarrativeLine& line) {
  const trace::Trace& t = runs.at(line.run);
  return trace::describe(t, t.marks.at(line.mark));
}

}  // namespace gilsim::viz
