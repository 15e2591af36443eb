// Pairing drop requests with drops and new holders; see handoff_links.hpp.
#include "viz/handoff_links.hpp"

#include <algorithm>
#include <optional>
#include <ranges>

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

}  // namespace

GilTaker next_gil_taker(const trace::Trace& run, trace::ProcessId p, Time t) {
  GilTaker taker;
  if (p >= run.processes.size()) return taker;
  const trace::LaneId gil_lane = run.processes[p].gil_lane;
  if (gil_lane < run.lanes.size()) {
    const auto& gil = run.lanes[gil_lane].spans;
    for (std::size_t i = first_span_ending_after(gil, t); i < gil.size(); ++i) {
      const trace::Span s = gil[i];
      if (s.begin >= t && s.state == SpanState::Held) {
        taker = GilTaker{s.subject, s.begin};
        break;
      }
    }
  }
  for (trace::LaneId l = 0; l < run.lanes.size(); ++l) {
    const trace::Lane& lane = run.lanes[l];
    if (lane.kind != LaneKind::Thread || lane.process != p) continue;
    const std::size_t i = first_span_ending_after(lane.spans, t);
    if (i >= lane.spans.size()) continue;
    const trace::Span s = lane.spans[i];
    if (s.begin <= t && s.state == SpanState::WaitingGil && s.end < taker.at) taker = GilTaker{l, s.end};
  }
  return taker;
}

namespace {

/// The link of the drop request that is mark `m` (`mark`), added to `links` (none for any
/// other mark).
void add_link_of_request(const trace::Trace& run, std::size_t m, const trace::Mark& mark, std::vector<HandoffLink>& links) {
  if (mark.kind != MarkKind::DropRequest || mark.other >= run.lanes.size()) return;
  HandoffLink link;
  link.asked = mark.at;
  link.asker = mark.lane;
  link.holder = mark.other;
  link.request_mark = static_cast<std::uint32_t>(m);
  const trace::ProcessId p = run.lanes[link.holder].process;
  const trace::LaneId gil_lane = p < run.processes.size() ? run.processes[p].gil_lane : trace::kNone;
  if (gil_lane >= run.lanes.size()) return;
  // The holder's hold at the request ends with the drop (a forced switch or a release);
  // the next hold is the new holder's.
  // A drop at the very instant of the request ends the hold at `asked`: look just before it.
  const auto& gil = run.lanes[gil_lane].spans;
  const std::size_t i = first_span_ending_after(gil, link.asked - Time{1});
  const trace::Span hold = i < gil.size() ? gil[i] : trace::Span{};
  if (i >= gil.size() || hold.begin >= link.asked || hold.subject != link.holder) {
    links.push_back(link);
    return;
  }
  link.dropped = hold.end;
  const GilTaker taker = next_gil_taker(run, p, link.dropped);
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
  for (const trace::Lane& lane : run.lanes) {
    if (lane.kind == LaneKind::Thread && lane.process == p && state_before(lane, link.dropped) == SpanState::WaitingGil) {
      ++link.waiters;
    }
  }
  const bool taker_waited =
      link.taker < run.lanes.size() && state_before(run.lanes[link.taker], link.dropped) == SpanState::WaitingGil;
  if (link.taker >= run.lanes.size()) link.why = HandoffLink::Why::NotYet;
  else if (link.taker == link.asker) link.why = HandoffLink::Why::Asker;
  else if (taker_waited) link.why = HandoffLink::Why::OtherWaiter;
  else link.why = HandoffLink::Why::Barged;
  links.push_back(link);
}

}  // namespace

std::vector<HandoffLink> handoff_links(const trace::Trace& run) {
  std::vector<HandoffLink> links;
  run.marks.for_each([&](std::size_t m, const trace::Mark& mark) {  // in order: the kind read first
    if (mark.kind == MarkKind::DropRequest) add_link_of_request(run, m, mark, links);
  });
  return links;
}

std::vector<HandoffLink> handoff_links(const trace::Trace& run, const std::vector<std::uint32_t>& requests) {
  std::vector<HandoffLink> links;
  for (const std::uint32_t m : requests) add_link_of_request(run, m, run.marks[m], links);
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
