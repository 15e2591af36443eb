// Merging the runs' marks into one time-ordered story.
#include "viz/narrative.hpp"

#include <algorithm>
#include <ranges>

#include "viz/playback.hpp"
#include "viz/sorted_runs.hpp"

namespace gilsim::viz {

namespace {

/// The run's forced switches that have a link in `links`, by mark, each once (its first link's):
/// (switch mark, link), in the marks' order.
std::vector<std::pair<std::uint32_t, std::uint32_t>> linked_switches(const std::vector<HandoffLink>* links) {
  std::vector<std::pair<std::uint32_t, std::uint32_t>> linked;
  if (links == nullptr) return linked;
  for (std::uint32_t l = 0; l < links->size(); ++l) {
    if ((*links)[l].switch_mark != trace::kNone) linked.emplace_back((*links)[l].switch_mark, l);
  }
  if (!std::is_sorted(linked.begin(), linked.end())) std::sort(linked.begin(), linked.end());  // in request order: mostly sorted already
  linked.erase(std::unique(linked.begin(), linked.end(), [](const auto& a, const auto& b) { return a.first == b.first; }),
               linked.end());
  return linked;
}

}  // namespace

void Narrative::build(const std::vector<trace::Trace>& runs, const NarrativeFilter& filter,
                      const HandoffsByRun& handoffs) {
  lines_.clear();
  one_run_.reset();
  const auto links_of = [&handoffs](std::uint32_t r) { return r < handoffs.size() ? handoffs[r] : nullptr; };
  std::vector<std::uint32_t> shown;
  for (std::uint32_t r = 0; r < runs.size(); ++r) {
    if (filter.run == trace::kNone || filter.run == r) shown.push_back(r);
  }
  if (shown.size() == 1 && !filter.gil_only) {  // nothing to merge or leave out: read from the marks
    const std::uint32_t r = shown.front();
    auto linked = linked_switches(links_of(r));
    std::erase_if(linked, [&](const auto& row) { return row.first >= runs[r].marks.size(); });
    one_run_ = EveryMarkOfOneRun{&runs[r].marks, r, std::move(linked)};
    return;
  }
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
  // need not be read), each why row written after its switch's line in the same pass: each
  // line is written once, in its place (moved there after, a million-line story wrote its
  // pages twice).
  const auto linked = linked_switches(links);
  auto link = linked.begin();  // the first linked switch not before mark m
  run.marks.for_each([&](std::size_t i, const trace::Mark& mark) {
    const auto m = static_cast<std::uint32_t>(i);
    lines_.push_back(NarrativeLine{mark.at, r, m});
    if (link != linked.end() && link->first == m) lines_.push_back(NarrativeLine{mark.at, r, m, true, (link++)->second});
  });
}

NarrativeLine Narrative::EveryMarkOfOneRun::line(std::size_t i) const {
  // The why row of linked[k] is line linked[k].first + k + 1: the why rows up to line i are
  // the first k, and line i is either the k-th's or mark i - k's.
  const std::size_t k = *std::ranges::partition_point(std::views::iota(std::size_t{0}, linked.size()),
                                                      [&](std::size_t j) { return linked[j].first + j + 1 <= i; });
  if (k > 0 && linked[k - 1].first + k == i) {
    const std::uint32_t m = linked[k - 1].first;
    return NarrativeLine{marks->time_at(m), run, m, true, linked[k - 1].second};
  }
  const auto m = static_cast<std::uint32_t>(i - k);
  return NarrativeLine{marks->time_at(m), run, m};
}

std::ptrdiff_t Narrative::EveryMarkOfOneRun::index_at(Time t) const {
  // The last mark at or before `t`, and the why rows of the switches up to it (at their
  // switches' times, so at or before `t` too).
  const std::size_t after = *std::ranges::partition_point(std::views::iota(std::size_t{0}, marks->size()),
                                                          [&](std::size_t m) { return marks->time_at(m) <= t; });
  const auto why_rows = std::ranges::lower_bound(linked, after, {}, &std::pair<std::uint32_t, std::uint32_t>::first) - linked.begin();
  return static_cast<std::ptrdiff_t>(after) + why_rows - 1;
}

std::ptrdiff_t Narrative::index_at(Time t) const {
  if (one_run_) return one_run_->index_at(t);
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
