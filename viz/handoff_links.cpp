// Pairing drop requests with drops and new holders; see handoff_links.hpp.
#include "viz/handoff_links.hpp"

#include <algorithm>
#include <functional>
#include <limits>
#include <optional>
#include <queue>
#include <ranges>
#include <utility>

#include <fmt/format.h>

#include "sim/trace/room_populated.hpp"
#include "sim/trace/store.hpp"
#include "viz/level_of_detail.hpp"
#include "viz/radix_sort.hpp"

namespace gilsim::viz {

using trace::LaneKind;
using trace::MarkKind;
using trace::SpanState;

namespace {

/// The first index of [0, n) where `before` turns false (it is true, then false), searched
/// outward from `near`: a logarithm of the distance to it rather than of `n`. The hand-offs
/// ask their searches in time order, each near the last, where a search from scratch over a
/// lane of millions of spans missed the cache at every step.
template <class Before>
std::size_t partition_point_near(std::size_t n, std::size_t near, Before before) {
  std::size_t lo = 0, hi = std::min(near, n);  // the answer is in [lo, hi]
  if (hi < n && before(hi)) {
    lo = hi + 1;
    std::size_t step = 1;
    while (lo + step - 1 < n && before(lo + step - 1)) {
      lo += step;
      step *= 2;
    }
    hi = std::min(n, lo + step - 1);
  } else {
    std::size_t step = 1;
    while (hi >= step && !before(hi - step)) {
      hi -= step;
      step *= 2;
    }
    lo = hi >= step ? hi - step + 1 : 0;
  }
  return *std::ranges::partition_point(std::views::iota(lo, hi), before);
}

/// first_span_ending_after searched from span `near`.
std::size_t first_span_ending_after_near(const trace::SpanStore& spans, Time t, std::size_t near) {
  return partition_point_near(spans.size(), near, [&](std::size_t i) { return spans.end_at(i) <= t; });
}

/// The state of `lane` just before `t`, or nullopt in a gap; searched from span `near`, which
/// is left at the span found.
std::optional<SpanState> state_before(const trace::Lane& lane, Time t, std::size_t& near) {
  const std::size_t i = near = first_span_ending_after_near(lane.spans, t - Time{1}, near);
  if (i >= lane.spans.size() || lane.spans.begin_at(i) >= t) return std::nullopt;
  return lane.spans.state_at(i);
}

/// The first of `marks` at or after `t`, searched by index on their times alone from mark `near`.
std::size_t first_mark_at_or_after(const trace::MarkStore& marks, Time t, std::size_t near) {
  return partition_point_near(marks.size(), near, [&](std::size_t i) { return marks.time_at(i) < t; });
}

std::string_view name_of(const trace::Trace& run, trace::LaneId lane) {
  return lane < run.lanes.size() ? std::string_view(run.lanes[lane].name) : std::string_view("another thread");
}

/// The next hold on the GIL lane of process `p` that begins at or after `t`, its search begun
/// at span `near`.
GilTaker next_hold_of_gil(const trace::Trace& run, trace::ProcessId p, Time t, std::size_t near = 0) {
  const trace::LaneId gil_lane = run.processes[p].gil_lane;
  if (gil_lane >= run.lanes.size()) return {};
  const auto& gil = run.lanes[gil_lane].spans;
  for (std::size_t i = first_span_ending_after_near(gil, t, near); i < gil.size(); ++i) {
    const trace::Span s = gil[i];
    if (s.begin >= t && s.state == SpanState::Held) return GilTaker{s.subject, s.begin};
  }
  return {};
}

/// The earlier taker: a wait that ends first beats the hold only when strictly earlier.
GilTaker earlier(const GilTaker& hold, const GilTaker& wait) { return wait.at < hold.at ? wait : hold; }

bool is_thread_of(const trace::Lane& lane, trace::ProcessId p) { return lane.kind == LaneKind::Thread && lane.process == p; }

/// The GIL waits of one process's threads, read once for every hand-off of the run and swept
/// in time order with its drops: how many threads wait just before a drop, and which wait
/// under way at a drop ends first. Asked lane by lane, each hand-off searched every thread's
/// lane twice: a run of 1,000 threads, with a hand-off every interval, took 42 s to index, and
/// one of 10,000 threads did not open in 10 minutes.
class GilWaits {
 public:
  GilWaits(const trace::Trace& run, trace::ProcessId p) {
    // Room for a wait every other span, reserved (pages never written cost nothing): grown
    // by doubling, a list of millions wrote its pages twice and more; counted first, the
    // spans were read twice.
    std::size_t room = 0;
    for (const trace::Lane& lane : run.lanes) room += is_thread_of(lane, p) ? (lane.spans.size() + 1) / 2 : 0;
    waits_.reserve(room);
    trace::RoomPopulated<Wait> resident;
    for (trace::LaneId l = 0; l < run.lanes.size(); ++l) {
      if (!is_thread_of(run.lanes[l], p)) continue;
      resident.up_to(waits_, waits_.size() + (run.lanes[l].spans.size() + 1) / 2);
      run.lanes[l].spans.for_each([&](const trace::Span& s) {
        if (s.state == SpanState::WaitingGil) waits_.push_back(Wait{s.begin, s.end, l});
      });
    }
    stable_sort_by_key(waits_, [](const Wait& w) { return w.begin.ns(); });  // the sweep's heap breaks ties
  }

  /// At a drop at `t` (each call's `t` no earlier than the last's, else the sweep starts over):
  /// the threads whose state just before `t` is a GIL wait, and of the waits under way at `t`
  /// (begin <= t < end) the one that ends first, the lowest lane on a tie (none: no lane).
  struct AtDrop {
    int waiting = 0;
    GilTaker first_to_end;
    bool first_waited_before = false;  ///< that wait began before `t` (its thread waited just before it)
  };
  AtDrop at_drop(Time t) {
    if (t < swept_to_) *this = GilWaits(std::move(waits_));
    swept_to_ = t;
    // The waits begun before `t` and not over before it: begin < t <= end (a lane's spans do
    // not overlap, so each is one thread's state just before `t`).
    for (; next_ < waits_.size() && waits_[next_].begin < t; ++next_) begin_next();
    while (!begun_.empty() && begun_.top().end < t) begun_.pop();
    AtDrop out;
    out.waiting = static_cast<int>(begun_.size());
    // Under way at `t`: begun by `t`, not over by it.
    for (; next_ < waits_.size() && waits_[next_].begin <= t; ++next_) begin_next();
    while (!begun_.empty() && begun_.top().end <= t) begun_.pop();
    if (!begun_.empty()) {
      out.first_to_end = GilTaker{begun_.top().lane, begun_.top().end};
      out.first_waited_before = begun_.top().begin < t;
    }
    return out;
  }

 private:
  struct Wait {
    Time begin, end;
    trace::LaneId lane;
  };
  explicit GilWaits(std::vector<Wait> waits) : waits_(std::move(waits)) {}

  /// A wait begun, first by its end, then its lane (a tie: the lowest lane).
  struct Ending {
    Time end;
    trace::LaneId lane;
    Time begin;
    bool operator>(const Ending& o) const { return end != o.end ? end > o.end : lane > o.lane; }
  };
  void begin_next() { begun_.push(Ending{waits_[next_].end, waits_[next_].lane, waits_[next_].begin}); }

  std::vector<Wait> waits_;  ///< by begin
  std::priority_queue<Ending, std::vector<Ending>, std::greater<>> begun_;  ///< the waits begun, by end
  std::size_t next_ = 0;  ///< the first wait not begun
  Time swept_to_{std::numeric_limits<std::int64_t>::min()};
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

/// What the links of one run read from search to search: the runs' hand-offs come in time
/// order, so each search begins where the last one of its kind ended.
class LinkSearches {
 public:
  explicit LinkSearches(const trace::Trace& run)
      : run_(run), processes_(run.processes.size()), lanes_(run.lanes.size(), 0) {}

  /// The link of the drop request that is mark `m` (`mark`), whole; nullopt for any other
  /// mark, and for a holder whose process has no GIL lane.
  std::optional<HandoffLink> link(std::size_t m, const trace::Mark& mark) {
    if (mark.kind != MarkKind::DropRequest || mark.other >= run_.lanes.size()) return std::nullopt;
    HandoffLink link;
    link.asked = mark.at;
    link.asker = mark.lane;
    link.holder = mark.other;
    link.request_mark = static_cast<std::uint32_t>(m);
    const trace::ProcessId p = run_.lanes[link.holder].process;
    const trace::LaneId gil_lane = p < run_.processes.size() ? run_.processes[p].gil_lane : trace::kNone;
    if (gil_lane >= run_.lanes.size()) return std::nullopt;
    Process& process = processes_[p];
    // The holder's hold at the request ends with the drop (a forced switch or a release);
    // the next hold is the new holder's.
    // A drop at the very instant of the request ends the hold at `asked`: look just before it.
    const auto& gil = run_.lanes[gil_lane].spans;
    const std::size_t i = process.hold = first_span_ending_after_near(gil, link.asked - Time{1}, process.hold);
    if (i >= gil.size()) return link;
    const trace::Span hold = gil[i];
    if (hold.begin >= link.asked || hold.subject != link.holder) return link;
    link.dropped = hold.end;
    if (!process.waits) process.waits.emplace(run_, p);
    // The spans after the hold begin at its end or later: the next hold is searched from there.
    finish(link, m, process.waits->at_drop(link.dropped), next_hold_of_gil(run_, p, link.dropped, i + 1));
    return link;
  }

 private:
  /// The rest of a link whose holder dropped the GIL: who took it (the earlier of the next
  /// hold and the wait under way at the drop that ends first), the forced switch at the drop,
  /// the waiters and why the taker won.
  void finish(HandoffLink& link, std::size_t m, const GilWaits::AtDrop& at_drop, const GilTaker& hold) {
    const GilTaker taker = earlier(hold, at_drop.first_to_end);
    link.taker = taker.lane;
    link.taken = taker.at;
    const trace::MarkStore& marks = run_.marks;
    for (std::size_t at = first_mark_at_or_after(marks, link.dropped, m); at < marks.size(); ++at) {
      const trace::Mark x = marks[at];
      if (x.at != link.dropped) break;
      if (x.kind == MarkKind::ForcedSwitch && x.lane == link.holder) link.switch_mark = static_cast<std::uint32_t>(at);
    }
    link.waiters = at_drop.waiting;
    // The taker whose wait under way at the drop began before it waited just before it (a
    // lane's spans do not overlap); any other taker's lane is searched.
    const bool taker_waited =
        link.taker < run_.lanes.size() &&
        ((link.taker == at_drop.first_to_end.lane && at_drop.first_waited_before) ||
         state_before(run_.lanes[link.taker], link.dropped, lanes_[link.taker]) == SpanState::WaitingGil);
    if (link.taker >= run_.lanes.size()) link.why = HandoffLink::Why::NotYet;
    else if (link.taker == link.asker) link.why = HandoffLink::Why::Asker;
    else if (taker_waited) link.why = HandoffLink::Why::OtherWaiter;
    else link.why = HandoffLink::Why::Barged;
  }

  /// Per process: where its GIL lane's last hold was found, and its waits, read at its first drop.
  struct Process {
    std::size_t hold = 0;
    std::optional<GilWaits> waits;
  };
  const trace::Trace& run_;
  std::vector<Process> processes_;
  std::vector<std::size_t> lanes_;  ///< per lane: the span its last search found
};

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
  trace::storage::fault_in(reinterpret_cast<char*>(links.data()), links.capacity() * sizeof(HandoffLink));
  LinkSearches searches(run);
  for (const std::uint32_t m : requests) {
    if (std::optional<HandoffLink> link = searches.link(m, run.marks[m])) links.push_back(*link);
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
