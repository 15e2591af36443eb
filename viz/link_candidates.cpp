// The links the timeline may draw; see link_candidates.hpp.
#include "viz/link_candidates.hpp"

#include <algorithm>

namespace gilsim::viz {

void links_to_draw(const trace::Trace& run, const std::vector<HandoffLink>& links,
                   const std::vector<std::vector<std::uint32_t>>& glyph_marks, std::span<const trace::LaneId> shown,
                   Time from, Time to, std::vector<std::uint32_t>& out) {
  out.clear();
  const auto asked_before = [](const HandoffLink& l, Time t) { return l.asked < t; };
  const auto first = std::lower_bound(links.begin(), links.end(), from, asked_before);
  const auto last = std::lower_bound(first, links.end(), to, asked_before);
  const auto mark_before = [&](std::uint32_t m, Time t) { return run.marks[m].at < t; };
  // The shown lanes' marks in the same time range (drop requests among them).
  using MarkRange = std::pair<std::vector<std::uint32_t>::const_iterator, std::vector<std::uint32_t>::const_iterator>;
  std::vector<MarkRange> ranges;
  std::size_t shown_marks = glyph_marks.size() == run.lanes.size() ? 0 : links.size();  // no marks' index: read the links
  for (const trace::LaneId lane : shown) {
    if (lane >= glyph_marks.size()) continue;
    const auto& marks = glyph_marks[lane];
    const auto begin = std::lower_bound(marks.begin(), marks.end(), from, mark_before);
    ranges.emplace_back(begin, std::lower_bound(begin, marks.end(), to, mark_before));
    shown_marks += static_cast<std::size_t>(ranges.back().second - ranges.back().first);
  }
  if (shown_marks * 4 >= static_cast<std::size_t>(last - first)) {  // most askers shown: every link in view
    for (auto it = first; it != last; ++it) out.push_back(static_cast<std::uint32_t>(it - links.begin()));
    return;
  }
  // Links are made in the order of their drop requests: found by the request's mark index.
  const auto by_request = [](const HandoffLink& l, std::uint32_t m) { return l.request_mark < m; };
  for (const auto& [begin, end] : ranges) {
    for (auto m = begin; m != end; ++m) {
      if (run.marks[*m].kind != trace::MarkKind::DropRequest) continue;
      const auto link = std::lower_bound(first, last, *m, by_request);
      if (link != last && link->request_mark == *m) out.push_back(static_cast<std::uint32_t>(link - links.begin()));
    }
  }
  std::sort(out.begin(), out.end());
}

}  // namespace gilsim::viz
