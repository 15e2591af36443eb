// Playback motion and the index of event times.
#include "viz/playback.hpp"

#include <algorithm>
#include <cmath>
#include <functional>
#include <utility>

#include "viz/sorted_runs.hpp"

namespace gilsim::viz {

using trace::MarkKind;

bool is_gil_mark(MarkKind kind) {
  return kind == MarkKind::GilRequest || kind == MarkKind::DropRequest || kind == MarkKind::ForcedSwitch ||
         kind == MarkKind::GilHandoff || kind == MarkKind::RacesLost;
}

namespace {

/// Collects sorted runs of times and merges them: cheaper than one big sort when the runs
/// are few and long (a trace's marks, each GIL lane's hand-overs), as they usually are.
class SortedRuns {
 public:
  explicit SortedRuns(std::vector<Time>& out) : out_(out) {}
  void begin_run() { starts_.push_back(out_.size()); }
  void push(Time t) { out_.push_back(t); }
  void finish() {
    merge_sorted_runs(out_, std::move(starts_), std::less<Time>());
    out_.erase(std::unique(out_.begin(), out_.end()), out_.end());
  }

 private:
  std::vector<Time>& out_;
  std::vector<std::size_t> starts_;
};

}  // namespace

void EventIndex::build(const std::vector<trace::Trace>& runs) {
  pending_ = nullptr;
  fill(runs);
}

void EventIndex::fill(const std::vector<trace::Trace>& runs) const {
  all_.clear();
  gil_.clear();
  SortedRuns all(all_), gil(gil_);
  for (const trace::Trace& t : runs) {
    all.begin_run();
    gil.begin_run();
    for (const trace::Mark& m : t.marks) {  // marks are sorted by time
      all.push(m.at);
      if (is_gil_mark(m.kind)) gil.push(m.at);
    }
    all.begin_run();
    all.push(t.end);
    // A GIL changing hands is an event even when no mark says so. Spans do not overlap,
    // so begin, end, begin, end... is already sorted.
    for (const trace::Process& p : t.processes) {
      if (p.gil_lane >= t.lanes.size()) continue;
      all.begin_run();
      gil.begin_run();
      for (const trace::Span& s : t.lanes[p.gil_lane].spans) {
        for (Time at : {s.begin, s.end}) {
          all.push(at);
          gil.push(at);
        }
      }
    }
  }
  all.finish();
  gil.finish();
}

void EventIndex::build_when_asked(const std::vector<trace::Trace>& runs) {
  all_.clear();
  gil_.clear();
  pending_ = &runs;
}

const std::vector<Time>& EventIndex::times(bool gil_only) const {
  if (pending_ != nullptr) fill(*std::exchange(pending_, nullptr));
  return gil_only ? gil_ : all_;
}

Time EventIndex::next(Time t, bool gil_only) const {
  const auto& v = times(gil_only);
  auto it = std::upper_bound(v.begin(), v.end(), t);
  return it == v.end() ? t : *it;
}

Time EventIndex::previous(Time t, bool gil_only) const {
  const auto& v = times(gil_only);
  auto it = std::lower_bound(v.begin(), v.end(), t);
  return it == v.begin() ? t : *std::prev(it);
}

void Playback::set_end(Time end) {
  end_ = std::max(Time::zero(), end);
  now_ = std::clamp(now_, Time::zero(), end_);
}

void Playback::set_speed(double s) { speed_ = std::clamp(s, kSlowest, kFastest); }

void Playback::seek(Time t) {
  now_ = std::clamp(t, Time::zero(), end_);
  carry_ns_ = 0;
}

void Playback::play() {
  if (now_ >= end_) seek(Time::zero());  // playing from the end starts over
  playing_ = true;
}

void Playback::toggle() {
  if (playing_) {
    pause();
  } else {
    play();
  }
}

void Playback::advance(double wall_seconds) {
  if (!playing_ || !(wall_seconds > 0)) return;
  carry_ns_ += wall_seconds * speed_ * 1e9;
  const double whole = std::floor(carry_ns_);
  carry_ns_ -= whole;
  now_ += Time{static_cast<std::int64_t>(whole)};
  if (now_ >= end_) {
    now_ = end_;
    playing_ = false;
    carry_ns_ = 0;
  }
}

}  // namespace gilsim::viz
