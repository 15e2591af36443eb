// Phase bookkeeping for the new GIL's timed waiters.
#include "sim/model/gil_wait_queue.hpp"

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
  due_known_ = false;
  Waiter& w = slot(thread);
  w.armed = at;
  w.index = static_cast<std::int32_t>(members_.size());
  w.in_phase_group = false;
  members_.push_back(thread);
  since_switch_.emplace_back(thread, at);
}

void GilWaitQueue::remove(std::uint32_t thread) {
  assert(contains(thread) && "remove() of a thread that is not waiting");
  due_known_ = false;
  Waiter& w = waiters_[thread];
  if (w.in_phase_group) phase_erase(thread);
  const auto index = static_cast<std::size_t>(w.index);
  const std::uint32_t last = members_.back();
  members_[index] = last;
  waiters_[last].index = static_cast<std::int32_t>(index);
  members_.pop_back();
  w.index = -1;
  w.in_phase_group = false;
}

void GilWaitQueue::on_switch(Time at) {
  due_known_ = false;
  for (std::size_t i = since_switch_head_; i < since_switch_.size(); ++i) {
    const auto [thread, armed] = since_switch_[i];
    Waiter& w = waiters_[thread];
    if (w.index < 0 || w.armed != armed || w.in_phase_group) continue;  // stale entry
    w.in_phase_group = true;
    w.phase = (armed % interval_).ns();
    phase_insert(thread);
  }
  since_switch_.clear();
  since_switch_head_ = 0;
  last_switch_ = at;
}

std::optional<GilWaitQueue::Due> GilWaitQueue::find_drop_request() {
  std::optional<Due> best;
  // Armed before the last switch: their first full interval starts at their first grid
  // point at or after the switch.
  if (phase_root_ != kNil) {
    const std::int64_t I = interval_.ns();
    const std::int64_t s = last_switch_.ns();
    const std::int64_t r = ((s % I) + I) % I;
    std::uint32_t first = phase_lower_bound(Key{r, 0});
    std::int64_t offset = 0;
    if (first == kNil) {
      first = phase_first();
      offset = I - r + waiters_[first].phase;
    } else {
      offset = waiters_[first].phase - r;
    }
    best = Due{Time{s + offset + I}, first};
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

// The phase group's treap --------------------------------------------------------------

void GilWaitQueue::split(std::uint32_t node, Key k, std::uint32_t& below, std::uint32_t& rest) {
  if (node == kNil) {
    below = rest = kNil;
    return;
  }
  Waiter& n = waiters_[node];
  if (key(node) < k) {
    split(n.right, k, n.right, rest);
    below = node;
  } else {
    split(n.left, k, below, n.left);
    rest = node;
  }
}

std::uint32_t GilWaitQueue::merge(std::uint32_t a, std::uint32_t b) {
  if (a == kNil) return b;
  if (b == kNil) return a;
  if (priority(a) > priority(b)) {
    waiters_[a].right = merge(waiters_[a].right, b);
    return a;
  }
  waiters_[b].left = merge(a, waiters_[b].left);
  return b;
}

void GilWaitQueue::phase_insert(std::uint32_t thread) {
  // Down to where its priority belongs, then split that subtree around it.
  const Key k = key(thread);
  std::uint32_t* link = &phase_root_;
  while (*link != kNil && priority(*link) >= priority(thread)) {
    link = key(*link) < k ? &waiters_[*link].right : &waiters_[*link].left;
  }
  Waiter& w = waiters_[thread];
  split(*link, k, w.left, w.right);
  *link = thread;
}

void GilWaitQueue::phase_erase(std::uint32_t thread) {
  // Down to it, then put its two subtrees, merged, in its place.
  const Key k = key(thread);
  std::uint32_t* link = &phase_root_;
  while (*link != thread) {
    assert(*link != kNil && "phase_erase() of a thread not in the phase group");
    link = key(*link) < k ? &waiters_[*link].right : &waiters_[*link].left;
  }
  *link = merge(waiters_[thread].left, waiters_[thread].right);
}

std::uint32_t GilWaitQueue::phase_lower_bound(Key k) const {
  std::uint32_t best = kNil;
  for (std::uint32_t n = phase_root_; n != kNil;) {
    if (key(n) < k) {
      n = waiters_[n].right;
    } else {
      best = n;
      n = waiters_[n].left;
    }
  }
  return best;
}

std::uint32_t GilWaitQueue::phase_first() const {
  std::uint32_t n = phase_root_;
  while (n != kNil && waiters_[n].left != kNil) n = waiters_[n].left;
  return n;
}

}  // namespace gilsim::model
