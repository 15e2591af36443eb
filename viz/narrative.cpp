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
    append_run_lines(lines_, runs[r], r, filter.gil_only, links_of(r));
  }
  merge_runs(std::move(starts));
}

std::vector<NarrativeLine> Narrative::lines_of_run(const trace::Trace& run, std::uint32_t r,
                                                   const std::vector<HandoffLink>* links) {
  std::vector<NarrativeLine> out;
  out.reserve(run.marks.size() + (links ? links->size() : 0));
  run.marks.for_each([&](std::size_t i, const trace::Mark& mark) { out.push_back(NarrativeLine{mark.at, r, static_cast<std::uint32_t>(i)}); });
  add_why_rows(out, links);
  return out;
}

void Narrative::add_why_rows(std::vector<NarrativeLine>& lines, const std::vector<HandoffLink>* links) {
  if (links == nullptr) return;
  // The forced switches that have a link, by mark: each gets one row, its first link's.
  std::vector<std::pair<std::uint32_t, std::uint32_t>> linked;  // (switch mark, link)
  for (std::uint32_t l = 0; l < links->size(); ++l) {
    if ((*links)[l].switch_mark < lines.size()) linked.emplace_back((*links)[l].switch_mark, l);
  }
  std::sort(linked.begin(), linked.end());
  linked.erase(std::unique(linked.begin(), linked.end(), [](const auto& a, const auto& b) { return a.first == b.first; }),
               linked.end());
  // Spread in place from the back: line m is mark m's until the rows before it move it.
  std::size_t read = lines.size();
  lines.resize(lines.size() + linked.size());
  std::size_t write = lines.size();
  for (auto row = linked.rbegin(); row != linked.rend(); ++row) {
    const std::size_t m = row->first;
    while (read > m + 1) lines[--write] = lines[--read];
    const NarrativeLine& line = lines[m];
    lines[--write] = NarrativeLine{line.at, line.run, line.mark, true, row->second};
    lines[--write] = lines[--read];  // the switch's own line
  }
}

void Narrative::build_from(std::vector<std::vector<NarrativeLine>*> per_run, const NarrativeFilter& filter) {
  lines_.clear();
  const auto shown = [&filter](std::uint32_t r) { return filter.run == trace::kNone || filter.run == r; };
  // The run each line names: a run indexed alone (a knob change's) was run 0 there.
  const auto renumber = [](std::vector<NarrativeLine>& lines, std::uint32_t r) {
    if (lines.empty() || lines.front().run == r) return;
    for (NarrativeLine& line : lines) line.run = r;
  };
  std::vector<std::uint32_t> runs_shown;
  std::size_t total = 0;
  for (std::uint32_t r = 0; r < per_run.size(); ++r) {
    if (!shown(r)) continue;
    runs_shown.push_back(r);
    total += per_run[r]->size();
  }
  if (runs_shown.size() == 1) {  // the lines themselves: no copy
    lines_ = std::move(*per_run[runs_shown.front()]);
    renumber(lines_, runs_shown.front());
    return;
  }
  lines_.reserve(total);
  std::vector<std::size_t> starts;
  for (const std::uint32_t r : runs_shown) {
    renumber(*per_run[r], r);
    starts.push_back(lines_.size());
    lines_.insert(lines_.end(), per_run[r]->begin(), per_run[r]->end());
    std::vector<NarrativeLine>().swap(*per_run[r]);
  }
  merge_runs(std::move(starts));
}

void Narrative::append_run_lines(std::vector<NarrativeLine>& out, const trace::Trace& run, std::uint32_t r, bool gil_only,
                                 const std::vector<HandoffLink>* links) {
  // The run's forced switches that have a link, by mark, met in order as the marks are read.
  std::vector<std::pair<std::uint32_t, std::uint32_t>> linked;  // (switch mark, link)
  if (links != nullptr) {
    for (std::uint32_t l = 0; l < links->size(); ++l) {
      if ((*links)[l].switch_mark != trace::kNone) linked.emplace_back((*links)[l].switch_mark, l);
    }
    std::sort(linked.begin(), linked.end());
  }
  auto link = linked.begin();  // the first linked switch not before mark m
  run.marks.for_each([&](std::size_t i, const trace::Mark& mark) {  // in order: the time and kind alone
    const auto m = static_cast<std::uint32_t>(i);
    if (gil_only && !is_gil_mark(mark.kind)) return;
    out.push_back(NarrativeLine{mark.at, r, m});
    if (mark.kind != trace::MarkKind::ForcedSwitch) return;
    while (link != linked.end() && link->first < m) ++link;
    if (link != linked.end() && link->first == m) out.push_back(NarrativeLine{mark.at, r, m, true, link->second});
  });
}

void Narrative::merge_runs(std::vector<std::size_t> starts) {
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
