// Merging the runs' marks into one time-ordered story.
#include "viz/narrative.hpp"

#include <algorithm>

#include "viz/playback.hpp"

namespace gilsim::viz {

namespace {

const HandoffLink* link_at(const HandoffsByRun& handoffs, std::uint32_t run, std::uint32_t mark) {
  return run < handoffs.size() && handoffs[run] ? link_of_switch(*handoffs[run], mark) : nullptr;
}

}  // namespace

void Narrative::build(const std::vector<trace::Trace>& runs, const NarrativeFilter& filter,
                      const HandoffsByRun& handoffs) {
  lines_.clear();
  for (std::uint32_t r = 0; r < runs.size(); ++r) {
    if (filter.run != trace::kNone && filter.run != r) continue;
    const auto& marks = runs[r].marks;
    for (std::uint32_t m = 0; m < marks.size(); ++m) {
      if (filter.gil_only && !is_gil_mark(marks[m].kind)) continue;
      lines_.push_back(NarrativeLine{marks[m].at, r, m});
      if (marks[m].kind == trace::MarkKind::ForcedSwitch && link_at(handoffs, r, m)) {
        lines_.push_back(NarrativeLine{marks[m].at, r, m, true});
      }
    }
  }
  // Stable: within a run marks keep their order; at equal times earlier runs come first.
  std::stable_sort(lines_.begin(), lines_.end(), [](const NarrativeLine& a, const NarrativeLine& b) {
    return a.at < b.at || (a.at == b.at && a.run < b.run);
  });
}

std::ptrdiff_t Narrative::index_at(Time t) const {
  auto it = std::upper_bound(lines_.begin(), lines_.end(), t,
                             [](Time v, const NarrativeLine& l) { return v < l.at; });
  return (it - lines_.begin()) - 1;
}

std::string Narrative::text(const std::vector<trace::Trace>& runs, const NarrativeLine& line,
                            const HandoffsByRun& handoffs) {
  const trace::Trace& t = runs.at(line.run);
  if (line.why) {
    const HandoffLink* link = link_at(handoffs, line.run, line.mark);
    return link ? "why: " + why_text(t, *link) : std::string();
  }
  return trace::describe(t, t.marks.at(line.mark));
}

}  // namespace gilsim::viz
