// Playback motion and the index of event times.
#include "viz/playback.hpp"

#include <algorithm>
#include <cmath>

namespace gilsim::viz {

using trace::MarkKind;

bool is_gil_mark(MarkKind kind) {
  return kind == MarkKind::GilRequest || kind == MarkKind::DropRequest || kind == MarkKind::ForcedSwitch ||
         kind == MarkKind::GilHandoff;
}

void EventIndex::build(const std::vector<trace::Trace>& runs) {
  all_.clear();
  gil_.clear();
  for (const trace::Trace& t : runs) {
    for (const trace::Mark& m : t.marks) {
      all_.push_back(m.at);
      if (is_gil_mark(m.kind)) gil_.push_back(m.at);
    }
    // A GIL changing hands is an event even when no mark says so.
    for (const trace::Process& p : t.processes) {
      if (p.gil_lane >= t.lanes.size()) continue;
      for (const trace::Span& s : t.lanes[p.gil_lane].spans) {
        gil_.push_back(s.begin);
        gil_.push_back(s.end);
        all_.push_back(s.begin);
        all_.push_back(s.end);
      }
    }
    all_.push_back(t.end);
  }
  for (auto* v : {&all_, &gil_}) {
    std::sort(v->begin(), v->end());
    v->erase(std::unique(v->begin(), v->end()), v->end());
  }
}

Time EventIndex::next(Time t, bool gil_only) const {
  const auto& v = gil_only ? gil_ : all_;
  auto it = std::upper_bound(v.begin(), v.end(), t);
  return it == v.end() ? t : *it;
}

Time EventIndex::previous(Time t, bool gil_only) const {
  const auto& v = gil_only ? gil_ : all_;
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
