#include "viz/unseen_holder.hpp"

#include <algorithm>

#include "viz/level_of_detail.hpp"

namespace gilsim::viz {

trace::SpanStore unseen_holder(const trace::SpanStore& gil, const trace::SpanStore& waiting, Time from, Time to) {
  trace::SpanStore out;
  std::size_t h = first_span_ending_after(gil, from);
  Time open_begin = Time::zero(), open_end = Time::zero();
  std::uint32_t open_most = 0;
  bool open = false;
  const auto add = [&](Time begin, Time end, std::uint32_t waiters) {
    if (end <= begin) return;
    if (open && begin == open_end) {
      open_end = end;
      open_most = std::max(open_most, waiters);
      return;
    }
    if (open) out.push_back(trace::Span{open_begin, open_end, open_most, trace::kNoStep, trace::SpanState::Held});
    open_begin = begin;
    open_end = end;
    open_most = waiters;
    open = true;
  };
  for (std::size_t w = first_span_ending_after(waiting, from); w < waiting.size(); ++w) {
    const trace::Span s = waiting[w];
    if (s.begin >= to) break;
    if (s.subject == 0) continue;
    Time at = std::max(s.begin, from);
    const Time end = std::min(s.end, to);
    // The holders' spans that overlap [at, end): the waiting between them had no holder seen.
    while (h < gil.size() && gil[h].end <= at) ++h;
    for (std::size_t k = h; k < gil.size() && gil[k].begin < end && at < end; ++k) {
      add(at, std::min(gil[k].begin, end), s.subject);
      at = std::max(at, gil[k].end);
    }
    add(at, end, s.subject);
  }
  if (open) out.push_back(trace::Span{open_begin, open_end, open_most, trace::kNoStep, trace::SpanState::Held});
  return out;
}

}  // namespace gilsim::viz
