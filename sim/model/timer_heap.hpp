// The model's clock: a min-heap of timers with one slot per timer owner (a thread's program,
// a thread's compute, a core's time slice, a GIL's drop deadline). An owner's one pending
// entry is moved (earlier or later) or removed in place, never left behind to be skipped.
//
// Ties are deterministic: entries at the same instant fire in the order they were set, by a
// sequence number taken at every set(), so moving a timer orders it as if it were new.
#pragma once

#include <cstdint>
#include <limits>
#include <vector>

#include "sim/trace/time.hpp"

namespace gilsim::model {

class TimerHeap {
 public:
  using Slot = std::uint32_t;

  /// A new owner with nothing pending.
  Slot add_slot() {
    position_.push_back(kAbsent);
    return static_cast<Slot>(position_.size() - 1);
  }
  std::size_t slots() const { return position_.size(); }

  /// Schedules `slot` at `at`, moving its pending entry if it has one.
  void set(Slot slot, Time at) {
    const Entry e{at, next_seq_++, slot};
    const std::uint32_t i = position_[slot];
    if (i == kAbsent) {
      heap_.push_back(e);
      sift_up(heap_.size() - 1);
      return;
    }
    const bool earlier = before(e, heap_[i]);
    heap_[i] = e;
    if (earlier) {
      sift_up(i);
    } else {
      sift_down(i);
    }
  }
  /// Removes `slot`'s pending entry, if any.
  void cancel(Slot slot) {
    const std::uint32_t i = position_[slot];
    if (i == kAbsent) return;
    remove_at(i);
  }
  bool pending(Slot slot) const { return position_[slot] != kAbsent; }
  /// When `slot` fires; only while pending().
  Time when(Slot slot) const { return heap_[position_[slot]].at; }

  bool empty() const { return heap_.empty(); }
  std::size_t size() const { return heap_.size(); }
  Time top_time() const { return heap_.front().at; }
  /// Removes the earliest entry and says whose it was.
  Slot pop() {
    const Slot slot = heap_.front().slot;
    remove_at(0);
    return slot;
  }

 private:
  static constexpr std::uint32_t kAbsent = std::numeric_limits<std::uint32_t>::max();
  struct Entry {
    Time at;
    std::uint64_t seq = 0;
    Slot slot = 0;
  };
  static bool before(const Entry& a, const Entry& b) { return a.at < b.at || (a.at == b.at && a.seq < b.seq); }

  void place(std::size_t i, const Entry& e) {
    heap_[i] = e;
    position_[e.slot] = static_cast<std::uint32_t>(i);
  }
  void remove_at(std::size_t i) {
    position_[heap_[i].slot] = kAbsent;
    const Entry last = heap_.back();
    heap_.pop_back();
    if (i == heap_.size()) return;
    const bool earlier = before(last, heap_[i]);
    place(i, last);
    if (earlier) {
      sift_up(i);
    } else {
      sift_down(i);
    }
  }
  void sift_up(std::size_t i) {
    const Entry e = heap_[i];
    while (i > 0) {
      const std::size_t parent = (i - 1) / 2;
      if (!before(e, heap_[parent])) break;
      place(i, heap_[parent]);
      i = parent;
    }
    place(i, e);
  }
  void sift_down(std::size_t i) {
    const std::size_t n = heap_.size();
    const Entry e = heap_[i];
    while (true) {
      std::size_t child = 2 * i + 1;
      if (child >= n) break;
      if (child + 1 < n && before(heap_[child + 1], heap_[child])) ++child;
      if (!before(heap_[child], e)) break;
      place(i, heap_[child]);
      i = child;
    }
    place(i, e);
  }

  std::vector<Entry> heap_;
  std::vector<std::uint32_t> position_;  ///< by slot: index in heap_, or kAbsent
  std::uint64_t next_seq_ = 0;
};

}  // namespace gilsim::model
