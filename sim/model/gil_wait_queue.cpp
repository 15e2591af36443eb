// Phase bookkeeping for the new GIL's timed waiters.
#include "sim/model/gil_wait_queue.hpp"

#include <algorithm>
#include <cassert>

namespace gilsim::model {

GilWaitQueue::Waiter& GilWaitQueue::slot(std::uint32_t thread) {
  if (thread >= waiters_.size()) waiters_.resize(thread + 1);
  return waiters_[thread];
}

bool GilWaitQueue::contains(std::uint32_t thread) const {
  return thread < waiters_.size() && waiters_[thread].index >= 0;
}

void GilWaitQueue::arm(std::uint32_t thread, Time at) {
  if (contains(thread)) remove(thread);
  Waiter& w = slot(thread);
  w.armed = at;
  w.index = static_cast<std::int32_t>(members_.size());
  w.in_phase_group = false;
  members_.push_back(thread);
  since_switch_.emplace_back(thread, at);
}

void GilWaitQueue::remove(std::uint32_t thread) {
  assert(contains(thread) && "remove() of a thread that is not waiting");
  Waiter& w = waiters_[thread];
  if (w.in_phase_group) {
    const Phase key{(w.armed % interval_).ns(), thread};
    const auto it = std::lower_bound(phase_group_.begin(), phase_group_.end(), key);
    assert(it != phase_group_.end() && *it == key);
    phase_group_.erase(it);
  }
  const auto index = static_cast<std::size_t>(w.index);
  const std::uint32_t last = members_.back();
  members_[index] = last;
  waiters_[last].index = static_cast<std::int32_t>(index);
  members_.pop_back();
  w.index = -1;
  w.in_phase_group = false;
}

void GilWaitQueue::on_switch(Time at) {
  for (std::size_t i = since_switch_head_; i < since_switch_.size(); ++i) {
    const auto [thread, armed] = since_switch_[i];
    Waiter& w = waiters_[thread];
    if (w.index < 0 || w.armed != armed || w.in_phase_group) continue;  // stale entry
    w.in_phase_group = true;
    const Phase key{(armed % interval_).ns(), thread};
    phase_group_.insert(std::lower_bound(phase_group_.begin(), phase_group_.end(), key), key);
  }
  since_switch_.clear();
  since_switch_head_ = 0;
  last_switch_ = at;
}

std::optional<GilWaitQueue::Due> GilWaitQueue::next_drop_request() {
  std::optional<Due> best;
  // Armed before the last switch: their first full interval starts at their first grid
  // point at or after the switch.
  if (!phase_group_.empty()) {
    const std::int64_t I = interval_.ns();
    const std::int64_t s = last_switch_.ns();
    const std::int64_t r = ((s % I) + I) % I;
    auto it = std::lower_bound(phase_group_.begin(), phase_group_.end(), Phase{r, 0});
    std::int64_t offset = 0;
    if (it == phase_group_.end()) {
      it = phase_group_.begin();
      offset = I - r + it->first;
    } else {
      offset = it->first - r;
    }
    best = Due{Time{s + offset + I}, it->second};
  }
  // Armed since the last switch: the earliest of them completes a full interval first.
  while (since_switch_head_ < since_switch_.size()) {
    const auto [thread, armed] = since_switch_[since_switch_head_];
    const Waiter& w = waiters_[thread];
    if (w.index >= 0 && w.armed == armed && !w.in_phase_group) {
      const Time due = armed + interval_;
      if (!best || due < best->at) best = Due{due, thread};
      break;
    }
    ++since_switch_head_;
  }
  return best;
}

}  // namespace gilsim::model
