// Merging the runs' marks into one time-ordered story.
#include "viz/narrative.hpp"

#include <algorithm>

#include "viz/playback.hpp"
#include "viz/sorted_runs.hpp"

namespace gilsim::viz {

void Narrative::build(const std::vector<trace::Trace>& runs, const NarrativeFilter& filter,
                      const HandoffsByRun& handoffs) {
  lines_.clear();
  const auto links_of = [&handoffs](std::uint32_t r) { return r < handoffs.size() ? handoffs[r] : nullptr; };
  // At most a line per mark and a why row per link: one allocation, not a doubling series of
  // copies (a million-span run has half a million lines, the first frame waits for them).
  std::size_t most = 0;
  for (std::uint32_t r = 0; r < runs.size(); ++r) {
    if (filter.run != trace::kNone && filter.run != r) continue;
    most += runs[r].marks.size() + (links_of(r) ? links_of(r)->size() : 0);
  }
  lines_.reserve(most);
  std::vector<std::size_t> starts;
  for (std::uint32_t r = 0; r < runs.size(); ++r) {
    if (filter.run != trace::kNone && filter.run != r) continue;
    starts.push_back(lines_.size());
    if (filter.gil_only) {
      append_gil_lines(runs[r], r, links_of(r));
    } else {
      append_every_line(runs[r], r, links_of(r));
    }
  }
  // Each run's lines are in time order already (a million of them need no sort): they are
  // merged. Stable: within a run lines keep their order; at equal times earlier runs come first.
  merge_sorted_runs(lines_, std::move(starts), [](const NarrativeLine& a, const NarrativeLine& b) { return a.at < b.at; });
}

namespace {

/// The run's forced switches that have a link in `links`, by mark, each once (its first link's):
/// (switch mark, link), in the marks' order.
std::vector<std::pair<std::uint32_t, std::uint32_t>> linked_switches(const std::vector<HandoffLink>* links) {
  std::vector<std::pair<std::uint32_t, std::uint32_t>> linked;
  if (links == nullptr) return linked;
  for (std::uint32_t l = 0; l < links->size(); ++l) {
    if ((*links)[l].switch_mark != trace::kNone) linked.emplace_back((*links)[l].switch_mark, l);
  }
  std::sort(linked.begin(), linked.end());
  linked.erase(std::unique(linked.begin(), linked.end(), [](const auto& a, const auto& b) { return a.first == b.first; }),
               linked.end());
  return linked;
}

}  // namespace

void Narrative::append_gil_lines(const trace::Trace& run, std::uint32_t r, const std::vector<HandoffLink>* links) {
  const auto linked = linked_switches(links);
  auto link = linked.begin();  // the first linked switch not before mark m
  run.marks.for_each([&](std::size_t i, const trace::Mark& mark) {  // in order: the time and kind alone
    const auto m = static_cast<std::uint32_t>(i);
    if (!is_gil_mark(mark.kind)) return;
    lines_.push_back(NarrativeLine{mark.at, r, m});
    if (mark.kind != trace::MarkKind::ForcedSwitch) return;
    while (link != linked.end() && link->first < m) ++link;
    if (link != linked.end() && link->first == m) lines_.push_back(NarrativeLine{mark.at, r, m, true, link->second});
  });
}

void Narrative::append_every_line(const trace::Trace& run, std::uint32_t r, const std::vector<HandoffLink>* links) {
  // Every mark's line, read by its time alone (a linked switch is a ForcedSwitch: its kind
  // need not be read), then the why rows spread in place from the back: line first + m is
  // mark m's until the rows before it move it.
  const std::size_t first = lines_.size();
  run.marks.for_each([&](std::size_t i, const trace::Mark& mark) { lines_.push_back(NarrativeLine{mark.at, r, static_cast<std::uint32_t>(i)}); });
  std::vector<std::pair<std::uint32_t, std::uint32_t>> linked = linked_switches(links);
  std::erase_if(linked, [&](const auto& row) { return row.first >= lines_.size() - first; });
  std::size_t read = lines_.size();
  lines_.resize(lines_.size() + linked.size());
  std::size_t write = lines_.size();
  for (auto row = linked.rbegin(); row != linked.rend(); ++row) {
    const std::size_t at = first + row->first;
    while (read > at + 1) lines_[--write] = lines_[--read];
    const NarrativeLine& line = lines_[at];
    lines_[--write] = NarrativeLine{line.at, line.run, line.mark, true, row->second};
    lines_[--write] = lines_[--read];  // the switch's own line
  }
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
