// Phase bookkeeping for the new GIL's timed waiters.
#include "sim/model/gil_wait_queue.hpp"

#include <algorithm>
#include <bit>
#include <cassert>

namespace gilsim::model {

GilWaitQueue::GilWaitQueue(Time interval)
    : interval_(interval),
      bucket_width_(std::max<std::int64_t>(1, (interval.ns() + static_cast<std::int64_t>(kBuckets) - 1) /
                                                  static_cast<std::int64_t>(kBuckets))) {}

GilWaitQueue::Waiter& GilWaitQueue::slot(std::uint32_t thread) {
  if (thread >= waiters_.size()) waiters_.resize(thread + 1);
  return waiters_[thread];
}

bool GilWaitQueue::contains(std::uint32_t thread) const {
  return thread < waiters_.size() && waiters_[thread].index >= 0;
}

void GilWaitQueue::arm(std::uint32_t thread, Time at) {
  if (contains(thread)) remove(thread);
  // The remembered answer stays right: a tie goes to the waiters already there (G2), so the
  // new waiter is the first due only if strictly earlier.
  if (due_known_ && (!due_ || at + interval_ < due_->at)) due_ = Due{at + interval_, thread};
  Waiter& w = slot(thread);
  w.armed = at;
  w.index = static_cast<std::int32_t>(members_.size());
  members_.push_back(thread);
  since_switch_.emplace_back(thread, at);
}

void GilWaitQueue::remove(std::uint32_t thread) {
  assert(contains(thread) && "remove() of a thread that is not waiting");
  // The first due is the least of all waiters in one order (time, then the ties of G2):
  // taking away another waiter leaves it the least.
  if (due_ && due_->thread == thread) due_known_ = false;
  Waiter& w = waiters_[thread];
  if (w.group != kNil) phase_erase(thread);
  const auto index = static_cast<std::size_t>(w.index);
  const std::uint32_t last = members_.back();
  members_[index] = last;
  waiters_[last].index = static_cast<std::int32_t>(index);
  members_.pop_back();
  w.index = -1;
}

void GilWaitQueue::on_switch(Time at) {
  due_known_ = false;
  for (std::size_t i = since_switch_head_; i < since_switch_.size(); ++i) {
    const auto [thread, armed] = since_switch_[i];
    Waiter& w = waiters_[thread];
    if (w.index < 0 || w.armed != armed || w.group != kNil) continue;  // stale entry
    phase_insert(thread, (armed % interval_).ns());
  }
  since_switch_.clear();
  since_switch_head_ = 0;
  last_switch_ = at;
}

std::optional<GilWaitQueue::Due> GilWaitQueue::find_drop_request() {
  std::optional<Due> best;
  // Armed before the last switch: their first full interval starts at their first grid
  // point at or after the switch.
  if (groups_.size() != free_groups_.size()) {  // some phase group is in use
    const std::int64_t I = interval_.ns();
    const std::int64_t s = last_switch_.ns();
    const std::int64_t r = ((s % I) + I) % I;
    std::uint32_t group = phase_lower_bound(r);
    std::int64_t offset = 0;
    if (group == kNil) {
      group = phase_first();
      offset = I - r + groups_[group].phase;
    } else {
      offset = groups_[group].phase - r;
    }
    const std::uint32_t first = groups_[group].heap.front();  // the lowest id of that phase
    best = Due{Time{s + offset + I}, first};
  }
  // Armed since the last switch: the earliest of them completes a full interval first.
  while (since_switch_head_ < since_switch_.size()) {
    const auto [thread, armed] = since_switch_[since_switch_head_];
    const Waiter& w = waiters_[thread];
    if (w.index >= 0 && w.armed == armed && w.group == kNil) {
      const Time due = armed + interval_;
      if (!best || due < best->at) best = Due{due, thread};
      break;
    }
    ++since_switch_head_;
  }
  return best;
}

// The phase groups' buckets and heaps ------------------------------------------------

std::size_t GilWaitQueue::next_bucket(std::size_t b) const {
  if (b >= kBuckets) return kBuckets;
  std::size_t word = b / 64;
  std::uint64_t bits = in_use_[word] & (~std::uint64_t{0} << (b % 64));
  while (bits == 0) {
    if (++word == in_use_.size()) return kBuckets;
    bits = in_use_[word];
  }
  return word * 64 + static_cast<std::size_t>(std::countr_zero(bits));
}

std::uint32_t GilWaitQueue::group_for(std::int64_t phase) {
  if (buckets_.empty()) {  // made at the first wait: most interpreters (a worker process's) never see one
    buckets_.resize(kBuckets);
    in_use_.resize(kBuckets / 64);
  }
  const std::size_t b = bucket_of(phase);
  auto& bucket = buckets_[b];
  auto at = bucket.begin();
  while (at != bucket.end() && at->phase < phase) ++at;
  if (at != bucket.end() && at->phase == phase) return at->group;
  // A new phase: a fresh group (or one freed earlier), placed in its bucket's order.
  std::uint32_t g = 0;
  if (free_groups_.empty()) {
    g = static_cast<std::uint32_t>(groups_.size());
    groups_.emplace_back();
  } else {
    g = free_groups_.back();
    free_groups_.pop_back();
  }
  groups_[g].phase = phase;
  bucket.insert(at, Entry{phase, g});
  in_use_[b / 64] |= std::uint64_t{1} << (b % 64);
  return g;
}

void GilWaitQueue::phase_insert(std::uint32_t thread, std::int64_t phase) {
  const std::uint32_t g = group_for(phase);
  Group& group = groups_[g];
  waiters_[thread].group = g;
  group.heap.push_back(thread);
  heap_sift_up(group, group.heap.size() - 1);
}

void GilWaitQueue::phase_erase(std::uint32_t thread) {
  Waiter& w = waiters_[thread];
  const std::uint32_t g = w.group;
  Group& group = groups_[g];
  const std::size_t i = w.heap_pos;
  w.group = kNil;
  const std::uint32_t last = group.heap.back();
  group.heap.pop_back();
  if (i < group.heap.size()) {
    heap_place(group, i, last);
    if (i > 0 && last < group.heap[(i - 1) / 2]) {
      heap_sift_up(group, i);
    } else {
      heap_sift_down(group, i);
    }
  }
  if (!group.heap.empty()) return;
  // The phase's last waiter left: its group leaves its bucket.
  const std::size_t b = bucket_of(group.phase);
  auto& bucket = buckets_[b];
  const auto at = std::find_if(bucket.begin(), bucket.end(), [g](const Entry& e) { return e.group == g; });
  assert(at != bucket.end() && "a phase group missing from its bucket");
  bucket.erase(at);
  if (bucket.empty()) in_use_[b / 64] &= ~(std::uint64_t{1} << (b % 64));
  free_groups_.push_back(g);
}

void GilWaitQueue::heap_place(Group& g, std::size_t i, std::uint32_t thread) {
  g.heap[i] = thread;
  waiters_[thread].heap_pos = static_cast<std::uint32_t>(i);
}

void GilWaitQueue::heap_sift_up(Group& g, std::size_t i) {
  const std::uint32_t t = g.heap[i];
  while (i > 0) {
    const std::size_t parent = (i - 1) / 2;
    if (g.heap[parent] < t) break;
    heap_place(g, i, g.heap[parent]);
    i = parent;
  }
  heap_place(g, i, t);
}

void GilWaitQueue::heap_sift_down(Group& g, std::size_t i) {
  const std::size_t n = g.heap.size();
  const std::uint32_t t = g.heap[i];
  while (true) {
    std::size_t child = 2 * i + 1;
    if (child >= n) break;
    if (child + 1 < n && g.heap[child + 1] < g.heap[child]) ++child;
    if (t < g.heap[child]) break;
    heap_place(g, i, g.heap[child]);
    i = child;
  }
  heap_place(g, i, t);
}

std::uint32_t GilWaitQueue::phase_lower_bound(std::int64_t phase) const {
  const std::size_t b = bucket_of(phase);
  for (const Entry& e : buckets_[b]) {
    if (e.phase >= phase) return e.group;
  }
  const std::size_t next = next_bucket(b + 1);
  return next == kBuckets ? kNil : buckets_[next].front().group;
}

std::uint32_t GilWaitQueue::phase_first() const {
  const std::size_t b = next_bucket(0);
  return b == kBuckets ? kNil : buckets_[b].front().group;
}

}  // namespace gilsim::model
