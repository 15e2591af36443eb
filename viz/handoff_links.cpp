// Pairing drop requests with drops and new holders; see handoff_links.hpp.
#include "viz/handoff_links.hpp"

#include <algorithm>
#include <optional>

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
  if (i >= lane.spans.size() || lane.spans[i].begin >= t) return std::nullopt;
  return lane.spans[i].state;
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
      if (gil[i].begin >= t && gil[i].state == SpanState::Held) {
        taker = GilTaker{gil[i].subject, gil[i].begin};
        break;
      }
    }
  }
  for (trace::LaneId l = 0; l < run.lanes.size(); ++l) {
    const trace::Lane& lane = run.lanes[l];
    if (lane.kind != LaneKind::Thread || lane.process != p) continue;
    const std::size_t i = first_span_ending_after(lane.spans, t);
    if (i < lane.spans.size() && lane.spans[i].begin <= t && lane.spans[i].state == SpanState::WaitingGil &&
        lane.spans[i].end < taker.at) {
      taker = GilTaker{l, lane.spans[i].end};
    }
  }
  return taker;
}

std::vector<HandoffLink> handoff_links(const trace::Trace& run) {
  std::vector<HandoffLink> links;
  for (std::uint32_t m = 0; m < run.marks.size(); ++m) {
    const trace::Mark& mark = run.marks[m];
    if (mark.kind != MarkKind::DropRequest || mark.other >= run.lanes.size()) continue;
    HandoffLink link;
    link.asked = mark.at;
    link.asker = mark.lane;
    link.holder = mark.other;
    link.request_mark = m;
    const trace::ProcessId p = run.lanes[link.holder].process;
    const trace::LaneId gil_lane = p < run.processes.size() ? run.processes[p].gil_lane : trace::kNone;
    if (gil_lane >= run.lanes.size()) continue;
    // The holder's hold at the request ends with the drop (a forced switch or a release);
    // the next hold is the new holder's.
    // A drop at the very instant of the request ends the hold at `asked`: look just before it.
    const auto& gil = run.lanes[gil_lane].spans;
    const std::size_t i = first_span_ending_after(gil, link.asked - Time{1});
    if (i >= gil.size() || gil[i].begin >= link.asked || gil[i].subject != link.holder) {
      links.push_back(link);
      continue;
    }
    link.dropped = gil[i].end;
    const GilTaker taker = next_gil_taker(run, p, link.dropped);
    link.taker = taker.lane;
    link.taken = taker.at;
    auto at = std::lower_bound(run.marks.begin(), run.marks.end(), link.dropped,
                               [](const trace::Mark& x, Time t) { return x.at < t; });
    for (; at != run.marks.end() && at->at == link.dropped; ++at) {
      if (at->kind == MarkKind::ForcedSwitch && at->lane == link.holder) {
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
