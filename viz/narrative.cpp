// Merging the runs' marks into one time-ordered story.
#include "viz/narrative.hpp"

#include <algorithm>

#include "viz/playback.hpp"
#include "viz/sorted_runs.hpp"

namespace gilsim::viz {

void Narrative::build(const std::vector<trace::Trace>& runs, const NarrativeFilter& filter,
                      const HandoffsByRun& handoffs) {
  lines_.clear();
  // At most a line per mark and a why row per link: one allocation, not a doubling series of
  // copies (a million-span run has half a million lines, the first frame waits for them).
  std::size_t most = 0;
  for (std::uint32_t r = 0; r < runs.size(); ++r) {
    if (filter.run != trace::kNone && filter.run != r) continue;
    most += runs[r].marks.size() + (r < handoffs.size() && handoffs[r] ? handoffs[r]->size() : 0);
  }
  lines_.reserve(most);
  std::vector<std::size_t> starts;
  for (std::uint32_t r = 0; r < runs.size(); ++r) {
    if (filter.run != trace::kNone && filter.run != r) continue;
    starts.push_back(lines_.size());
    // The run's forced switches that have a link, by mark, met in order as the marks are read.
    std::vector<std::pair<std::uint32_t, std::uint32_t>> linked;  // (switch mark, link)
    if (r < handoffs.size() && handoffs[r]) {
      const auto& links = *handoffs[r];
      for (std::uint32_t l = 0; l < links.size(); ++l) {
        if (links[l].switch_mark != trace::kNone) linked.emplace_back(links[l].switch_mark, l);
      }
      std::sort(linked.begin(), linked.end());
    }
    auto link = linked.begin();  // the first linked switch not before mark m
    runs[r].marks.for_each([&](std::size_t i, const trace::Mark& mark) {  // in order: the time and kind alone
      const auto m = static_cast<std::uint32_t>(i);
      if (filter.gil_only && !is_gil_mark(mark.kind)) return;
      lines_.push_back(NarrativeLine{mark.at, r, m});
      if (mark.kind != trace::MarkKind::ForcedSwitch) return;
      while (link != linked.end() && link->first < m) ++link;
      if (link != linked.end() && link->first == m) lines_.push_back(NarrativeLine{mark.at, r, m, true, link->second});
    });
  }
  // Each run's lines are in time order already (a million of them need no sort): they are
  // merged. Stable: within a run lines keep their order; at equal times earlier runs come first.
  merge_sorted_runs(lines_, std::move(starts), [](const NarrativeLine& a, const NarrativeLine& b) { return a.at < b.at; });
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
    const bool known = line.run < handoffs.size() && handoffs[line.run] && line.link < handoffs[line.run]->size();
    return known ? "why: " + why_text(t, (*handoffs[line.run])[line.link]) : std::string();
  }
  return trace::describe(t, t.marks.at(line.mark));
}

}  // namespace gilsim::viz
