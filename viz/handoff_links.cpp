// Pairing drop requests with drops and new holders; see handoff_links.hpp.
#include "viz/handoff_links.hpp"

#include <algorithm>
#include <functional>
#include <map>
#include <optional>
#include <queue>
#include <ranges>
#include <utility>

#include <fmt/format.h>

#include "viz/level_of_detail.hpp"

namespace gilsim::viz {

using trace::LaneKind;
using trace::MarkKind;
using trace::SpanState;

namespace {

/// The state of `lane` just before `t`, or nullopt in a gap.
std::optional<SpanState> state_before(const trace::Lane& lane, Time t) {
  const std::size_t i = first_span_ending_after(lane.spans, t - Time{1});
  if (i >= lane.spans.size() || lane.spans.begin_at(i) >= t) return std::nullopt;
  return lane.spans.state_at(i);
}

/// The first of `marks` at or after `t`, searched by index on their times alone.
std::size_t first_mark_at_or_after(const trace::MarkStore& marks, Time t) {
  return *std::ranges::partition_point(std::views::iota(std::size_t{0}, marks.size()),
                                       [&](std::size_t i) { return marks.time_at(i) < t; });
}

std::string_view name_of(const trace::Trace& run, trace::LaneId lane) {
  return lane < run.lanes.size() ? std::string_view(run.lanes[lane].name) : std::string_view("another thread");
}

/// The next hold on the GIL lane of process `p` that begins at or after `t`.
GilTaker next_hold_of_gil(const trace::Trace& run, trace::ProcessId p, Time t) {
  const trace::LaneId gil_lane = run.processes[p].gil_lane;
  if (gil_lane >= run.lanes.size()) return {};
  const auto& gil = run.lanes[gil_lane].spans;
  for (std::size_t i = first_span_ending_after(gil, t); i < gil.size(); ++i) {
    const trace::Span s = gil[i];
    if (s.begin >= t && s.state == SpanState::Held) return GilTaker{s.subject, s.begin};
  }
  return {};
}

/// The earlier taker: a wait that ends first beats the hold only when strictly earlier.
GilTaker earlier(const GilTaker& hold, const GilTaker& wait) { return wait.at < hold.at ? wait : hold; }

bool is_thread_of(const trace::Lane& lane, trace::ProcessId p) { return lane.kind == LaneKind::Thread && lane.process == p; }

/// The GIL waits of one process's threads, read once for every hand-off of the run: how many
/// threads wait just before a drop, and which wait under way at a drop ends first. Asked lane
/// by lane, each hand-off searched every thread's lane twice: a run of 1,000 threads, with a
/// hand-off every interval, took 42 s to index, and one of 10,000 threads did not open in 10 minutes.
class GilWaits {
 public:
  GilWaits(const trace::Trace& run, trace::ProcessId p) {
    for (trace::LaneId l = 0; l < run.lanes.size(); ++l) {
      if (!is_thread_of(run.lanes[l], p)) continue;
      for (const trace::Span& s : run.lanes[l].spans) {
        if (s.state == SpanState::WaitingGil) waits_.push_back(Wait{s.begin, s.end, l});
      }
    }
    std::ranges::stable_sort(waits_, {}, &Wait::begin);
    begins_.reserve(waits_.size());
    ends_.reserve(waits_.size());
    for (const Wait& w : waits_) {
      begins_.push_back(w.begin);
      ends_.push_back(w.end);
    }
    std::ranges::sort(ends_);
  }

  /// Threads whose state just before `t` is a GIL wait: the waits with begin < t <= end (a
  /// lane's spans do not overlap, so each such wait is one thread's state before `t`).
  int waiting_just_before(Time t) const {
    const auto begun = std::ranges::lower_bound(begins_, t) - begins_.begin();
    const auto ended = std::ranges::lower_bound(ends_, t) - ends_.begin();
    return static_cast<int>(begun - ended);
  }

  /// For each instant of `times` (in any order): of the waits under way then (begin <= t <
  /// end), the one that ends first, the lowest lane on a tie; none: no lane.
  std::vector<GilTaker> first_to_end(const std::vector<Time>& times) const {
    std::vector<std::size_t> order(times.size());
    for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::ranges::stable_sort(order, {}, [&](std::size_t i) { return times[i]; });
    using Ending = std::pair<Time, trace::LaneId>;  // a wait begun: its end, its lane
    std::priority_queue<Ending, std::vector<Ending>, std::greater<>> begun;
    std::vector<GilTaker> out(times.size());
    std::size_t next = 0;
    for (const std::size_t i : order) {
      const Time t = times[i];
      for (; next < waits_.size() && waits_[next].begin <= t; ++next) begun.emplace(waits_[next].end, waits_[next].lane);
      while (!begun.empty() && begun.top().first <= t) begun.pop();  // over by `t`, and by every later one
      if (!begun.empty()) out[i] = GilTaker{begun.top().second, begun.top().first};
    }
    return out;
  }

 private:
  struct Wait {
    Time begin, end;
    trace::LaneId lane;
  };
  std::vector<Wait> waits_;  ///< by begin
  std::vector<Time> begins_, ends_;  ///< each sorted
};

}  // namespace

GilTaker next_gil_taker(const trace::Trace& run, trace::ProcessId p, Time t) {
  if (p >= run.processes.size()) return {};
  GilTaker wait;
  for (trace::LaneId l = 0; l < run.lanes.size(); ++l) {
    const trace::Lane& lane = run.lanes[l];
    if (!is_thread_of(lane, p)) continue;
    const std::size_t i = first_span_ending_after(lane.spans, t);
    if (i >= lane.spans.size()) continue;
    const trace::Span s = lane.spans[i];
    if (s.begin <= t && s.state == SpanState::WaitingGil && s.end < wait.at) wait = GilTaker{l, s.end};
  }
  return earlier(next_hold_of_gil(run, p, t), wait);
}

namespace {

/// The link of the drop request that is mark `m` (`mark`) as far as its drop: `dropped` is
/// Time::max() when the holder's hold at the request was not found. Nullopt for any other
/// mark, and for a holder whose process has no GIL lane.
std::optional<HandoffLink> link_to_drop(const trace::Trace& run, std::size_t m, const trace::Mark& mark) {
  if (mark.kind != MarkKind::DropRequest || mark.other >= run.lanes.size()) return std::nullopt;
  HandoffLink link;
  link.asked = mark.at;
  link.asker = mark.lane;
  link.holder = mark.other;
  link.request_mark = static_cast<std::uint32_t>(m);
  const trace::ProcessId p = run.lanes[link.holder].process;
  const trace::LaneId gil_lane = p < run.processes.size() ? run.processes[p].gil_lane : trace::kNone;
  if (gil_lane >= run.lanes.size()) return std::nullopt;
  // The holder's hold at the request ends with the drop (a forced switch or a release);
  // the next hold is the new holder's.
  // A drop at the very instant of the request ends the hold at `asked`: look just before it.
  const auto& gil = run.lanes[gil_lane].spans;
  const std::size_t i = first_span_ending_after(gil, link.asked - Time{1});
  if (i >= gil.size()) return link;
  const trace::Span hold = gil[i];
  if (hold.begin < link.asked && hold.subject == link.holder) link.dropped = hold.end;
  return link;
}

/// The rest of a link whose holder dropped the GIL: who took it (`wait`: the GIL wait under way
/// at the drop that ends first), the forced switch, the waiters and why the taker won.
void finish_link(const trace::Trace& run, const GilWaits& waits, const GilTaker& wait, HandoffLink& link) {
  const trace::ProcessId p = run.lanes[link.holder].process;
  const GilTaker taker = earlier(next_hold_of_gil(run, p, link.dropped), wait);
  link.taker = taker.lane;
  link.taken = taker.at;
  auto at = run.marks.begin() + static_cast<std::ptrdiff_t>(first_mark_at_or_after(run.marks, link.dropped));
  for (; at != run.marks.end(); ++at) {
    const trace::Mark x = *at;
    if (x.at != link.dropped) break;
    if (x.kind == MarkKind::ForcedSwitch && x.lane == link.holder) {
      link.switch_mark = static_cast<std::uint32_t>(at - run.marks.begin());
    }
  }
  link.waiters = waits.waiting_just_before(link.dropped);
  const bool taker_waited =
      link.taker < run.lanes.size() && state_before(run.lanes[link.taker], link.dropped) == SpanState::WaitingGil;
  if (link.taker >= run.lanes.size()) link.why = HandoffLink::Why::NotYet;
  else if (link.taker == link.asker) link.why = HandoffLink::Why::Asker;
  else if (taker_waited) link.why = HandoffLink::Why::OtherWaiter;
  else link.why = HandoffLink::Why::Barged;
}

}  // namespace

std::vector<HandoffLink> handoff_links(const trace::Trace& run) {
  std::vector<std::uint32_t> requests;
  run.marks.for_each([&](std::size_t m, const trace::Mark& mark) {  // in order: the kind read first
    if (mark.kind == MarkKind::DropRequest) requests.push_back(static_cast<std::uint32_t>(m));
  });
  return handoff_links(run, requests);
}

std::vector<HandoffLink> handoff_links(const trace::Trace& run, const std::vector<std::uint32_t>& requests) {
  std::vector<HandoffLink> links;
  links.reserve(requests.size());
  std::map<trace::ProcessId, std::vector<std::size_t>> dropped_by_process;  // the links that dropped
  for (const std::uint32_t m : requests) {
    std::optional<HandoffLink> link = link_to_drop(run, m, run.marks[m]);
    if (!link) continue;
    if (link->dropped != Time::max()) dropped_by_process[run.lanes[link->holder].process].push_back(links.size());
    links.push_back(*link);
  }
  for (const auto& [p, dropped] : dropped_by_process) {
    const GilWaits waits(run, p);
    std::vector<Time> drops;
    drops.reserve(dropped.size());
    for (const std::size_t k : dropped) drops.push_back(links[k].dropped);
    const std::vector<GilTaker> first = waits.first_to_end(drops);
    for (std::size_t j = 0; j < dropped.size(); ++j) finish_link(run, waits, first[j], links[dropped[j]]);
  }
  return links;
}

std::string why_text(const trace::Trace& run, const HandoffLink& link) {
  const auto asker = name_of(run, link.asker), taker = name_of(run, link.taker);
  switch (link.why) {
    case HandoffLink::Why::Asker:
      return link.waiters > 1 ? fmt::format("{} asked and won: the drop wakes one of the {} waiters, chosen by the OS",
                                            asker, link.waiters)
                              : fmt::format("{} asked and was the only waiter", asker);
    case HandoffLink::Why::OtherWaiter:
      return fmt::format("{} took it, not {} who asked: the drop wakes one of the {} waiters, chosen by the OS",
                         taker, asker, link.waiters);
    case HandoffLink::Why::Barged:
      return fmt::format("{} took it, not {} who asked: {} was not waiting and grabbed the free GIL before the "
                         "woken waiter could",
                         taker, asker, taker);
    case HandoffLink::Why::NotYet:
      return fmt::format("{} asked; nobody took the GIL from {} after that", asker, name_of(run, link.holder));
  }
  return {};
}

const HandoffLink* link_of_switch(const std::vector<HandoffLink>& links, std::uint32_t mark) {
  for (const HandoffLink& l : links) {
    if (l.switch_mark == mark) return &l;
  }
  return nullptr;
}

}  // namespace gilsim::viz
