// The model's clock: a min-heap of timers with one slot per timer owner (a thread's program,
// a thread's compute, a core's time slice, a GIL's drop deadline). An owner's one pending
// entry is moved (earlier or later) or removed in place, never left behind to be skipped.
//
// Ties are deterministic: entries at the same instant fire in the order they were set, by a
// sequence number taken at every set(), so moving a timer orders it as if it were new.
//
// Layout: a 4-ary heap of 16-byte entries (time, then sequence and slot in one word), four
// to a cache line, so a sift touches half the levels of a binary heap and one line per level.
//
// One entry may wait beside the heap instead of in it (park()): a timer its owner expects to
// move or cancel before it fires, such as a running compute's end, which a drop request or a
// preemption usually cuts. It keeps its sequence number and the front is the lesser of it and
// the heap's root, so it fires exactly when and in the order set() would have it; cancelled
// there, it never cost the heap a sift in and a removal out. A set() that finds that place
// free (and the heap not empty) waits there too, until a park() moves it into the heap: in a
// GIL hand-off the dropper's mutex unlock, due before the woken waiter's attempt already in
// the heap, fires from there with no sift in or out.
//
// One slot may be given a place of its own beside the heap (fix()): the GIL's drop deadline,
// set after two of a hand-off's four events and fired at a third. Its entry never enters the
// heap; set_late() writes it there, and the front is the least of it, the parked entry and
// the heap's root, by the same (time, sequence) as any entry, so it fires exactly when and in
// the order it would from the heap.
#pragma once

#include <cassert>
#include <cstdint>
#include <limits>
#include <stdexcept>
#include <vector>

#include "sim/trace/time.hpp"

namespace gilsim::model {

class TimerHeap {
 public:
  using Slot = std::uint32_t;
  static constexpr Slot kNoSlot = std::numeric_limits<Slot>::max();  ///< no slot (none fixed, none popped)

  /// A new owner with nothing pending.
  Slot add_slot() {
    if (position_.size() > kMaxSlot) throw std::length_error("more timer owners than the heap can index");
    position_.push_back(kAbsent);
    return static_cast<Slot>(position_.size() - 1);
  }
  std::size_t slots() const { return position_.size(); }

  /// Schedules `slot` at `at`, moving its pending entry if it has one.
  void set(Slot slot, Time at) {
    assert(slot != fixed_slot_ && "the fixed slot is set by set_late()");
    set_entry(slot, Entry{at, (next_seq_++ << kSlotBits) | slot}, position_[slot]);
  }
  /// The sequence number a set() now would take, taken (for set_at_seq() later, or for an
  /// event run at once with no entry: fires_first()). Orders the entry as if set now.
  std::uint64_t take_seq() { return next_seq_++; }
  /// set() of `slot`, not pending, with a sequence number take_seq() gave: the entry ties
  /// as it would have had it been set when the number was taken.
  void set_at_seq(Slot slot, Time at, std::uint64_t seq) {
    assert(slot != fixed_slot_ && position_[slot] == kAbsent);
    set_entry(slot, Entry{at, (seq << kSlotBits) | slot}, kAbsent);
  }
  /// An entry at `at` with sequence `seq` (take_seq()) would fire before every one pending:
  /// the loop's next event, were it set.
  bool fires_first(Time at, std::uint64_t seq) const {
    return empty() || before(Entry{at, seq << kSlotBits}, front());
  }
  /// As set(), for a timer usually due after every one pending (the GIL's drop deadline,
  /// set behind a woken waiter's nearer timer): with nothing pending for `slot` and the new
  /// last leaf not before its parent (a tie goes after: the new entry's sequence is the
  /// highest), it stays where it lands, with no sift and no call.
  /// Pending in the heap as a leaf (the GIL's drop deadline, moved earlier by a returning
  /// waiter due first: alone in the heap, most hand-offs), the entry is moved where it
  /// stands when it is not before its parent, again with no sift and no call.
  /// The fixed slot (fix()) is written in its place, a new sequence taken as by set().
  [[gnu::always_inline]] void set_late(Slot slot, Time at) {
    if (slot == fixed_slot_) {
      fixed_entry_ = Entry{at, (next_seq_++ << kSlotBits) | slot};
      fixed_pending_ = true;
      position_[slot] = kFixed;
      return;
    }
    const std::size_t n = heap_.size();
    const std::uint32_t i = position_[slot];
    if (i == kAbsent && n < heap_.capacity() && (n == 0 || !(at < heap_[(n - 1) / kArity].at))) {
      heap_.push_back(Entry{at, (next_seq_++ << kSlotBits) | slot});
      position_[slot] = static_cast<std::uint32_t>(n);
      return;
    }
    // kAbsent and kParked are past any index. The moved entry takes the highest sequence,
    // so it is before its parent only at an earlier time, and a leaf has nobody below.
    if (i < n && kArity * i + 1 >= n && (i == 0 || !(at < heap_[(i - 1) / kArity].at))) {
      heap_[i] = Entry{at, (next_seq_++ << kSlotBits) | slot};
      return;
    }
    set(slot, at);
  }
  /// Removes `slot`'s pending entry, if any. Small enough to inline (a pause() cancels twice
  /// per hand-off, mostly a parked entry or nothing): the removal from the heap is a call.
  void cancel(Slot slot) {
    const std::uint32_t i = position_[slot];
    if (i == kAbsent) return;
    if (i == kParked) {
      parked_ = false;
      position_[slot] = kAbsent;
      return;
    }
    if (i == kFixed) {
      fixed_pending_ = false;
      position_[slot] = kAbsent;
      return;
    }
    remove_at(i);
  }
  /// As set(), but the entry waits beside the heap (see the top of this file); a slot pending
  /// in the heap is moved there as by set(), and the entry parked before goes into the heap.
  void park(Slot slot, Time at) { park_inline(slot, at); }
  /// park(), inline where the caller asks for it (a compute started on its own core,
  /// Engine::start_on_own_core()); elsewhere the compiler chooses.
  [[gnu::always_inline]] void park_inline(Slot slot, Time at) {
    assert(slot != fixed_slot_ && "the fixed slot is set by set_late()");
    const std::uint32_t i = position_[slot];
    if (i != kAbsent && i != kParked) {
      set(slot, at);
      return;
    }
    park_entry(slot, Entry{at, (next_seq_++ << kSlotBits) | slot}, i);
  }
  /// park() of `slot`, not pending, with a sequence number take_seq() gave: it ties as it
  /// would have had it been parked when the number was taken.
  void park_at_seq(Slot slot, Time at, std::uint64_t seq) {
    assert(slot != fixed_slot_ && position_[slot] == kAbsent);
    park_entry(slot, Entry{at, (seq << kSlotBits) | slot}, kAbsent);
  }
  bool pending(Slot slot) const { return position_[slot] != kAbsent; }
  /// When `slot` fires; only while pending().
  Time when(Slot slot) const {
    const std::uint32_t i = position_[slot];
    return i == kParked ? parked_entry_.at : i == kFixed ? fixed_entry_.at : heap_[i].at;
  }
  /// `slot`, with nothing pending, has its own place beside the heap from now on (one slot
  /// may): set_late() writes it there (see the top of this file).
  void fix(Slot slot) {
    assert(fixed_slot_ == kNoSlot && position_[slot] == kAbsent);
    fixed_slot_ = slot;
  }
  /// A slot has the place fix() gives.
  bool has_fixed() const { return fixed_slot_ != kNoSlot; }

  bool empty() const { return heap_.empty() && !parked_ && !fixed_pending_; }
  std::size_t size() const { return heap_.size() + (parked_ ? 1 : 0) + (fixed_pending_ ? 1 : 0); }
  Time top_time() const { return front().at; }
  /// Whose entry pop() would remove; only while !empty().
  Slot top_slot() const { return front().slot(); }
  /// pop(), with the time it fired at in `at` (top_time() before it): the front found once.
  Slot pop(Time& at) { return pop_if_any(at); }
  /// pop(at) of a heap that may be empty: kNoSlot when it is (nothing pending anywhere).
  Slot pop_if_any(Time& at) {
    if (fixed_first()) {
      fixed_pending_ = false;
      position_[fixed_slot_] = kAbsent;
      at = fixed_entry_.at;
      return fixed_slot_;
    }
    if (parked_first()) {
      parked_ = false;
      const Slot slot = parked_entry_.slot();
      position_[slot] = kAbsent;
      at = parked_entry_.at;
      return slot;
    }
    if (heap_.empty()) return kNoSlot;
    at = heap_.front().at;
    return pop_root();
  }
  /// Removes the earliest entry and says whose it was.
  Slot pop() {
    Time at;
    return pop_if_any(at);
  }

 private:
  /// pop() of the heap's root.
  Slot pop_root() {
    const Slot slot = heap_.front().slot();
    position_[slot] = kAbsent;
    const Entry last = heap_.back();
    heap_.pop_back();
    if (!heap_.empty()) {  // the last entry goes down from the root: nothing is before the root
      heap_[0] = last;
      sift_down(0);
    }
    return slot;
  }

  static constexpr std::uint32_t kAbsent = std::numeric_limits<std::uint32_t>::max();
  static constexpr std::uint32_t kParked = kAbsent - 1;  ///< position_ of the parked slot
  static constexpr std::uint32_t kFixed = kAbsent - 2;   ///< position_ of the fixed slot, pending

  static constexpr int kSlotBits = 24;  ///< 16 M owners; the sequence keeps 40 bits (10^12 sets)
  static constexpr std::uint64_t kMaxSlot = (std::uint64_t{1} << kSlotBits) - 1;
  static constexpr std::size_t kArity = 4;
  struct Entry {
    Time at;
    std::uint64_t key = 0;  ///< sequence << kSlotBits | slot: orders ties by sequence
    Slot slot() const { return static_cast<Slot>(key & kMaxSlot); }
  };
  static_assert(sizeof(Entry) == 16);
  static bool before(const Entry& a, const Entry& b) { return a.at < b.at || (a.at == b.at && a.key < b.key); }
  /// An entry is parked and comes before the heap's root (or the heap is empty).
  bool parked_first() const { return parked_ && (heap_.empty() || before(parked_entry_, heap_.front())); }
  /// The fixed slot's entry pends and comes before the parked one and the heap's root.
  bool fixed_first() const {
    if (!fixed_pending_) return false;
    if (parked_ && !before(fixed_entry_, parked_entry_)) return false;
    return heap_.empty() || before(fixed_entry_, heap_.front());
  }
  const Entry& front() const {
    if (fixed_first()) return fixed_entry_;
    return parked_first() ? parked_entry_ : heap_.front();
  }

  /// park() of `e` for `slot`, at kAbsent or kParked `i`: an entry parked before for another
  /// slot goes into the heap.
  [[gnu::always_inline]] void park_entry(Slot slot, const Entry& e, std::uint32_t i) {
    if (i == kAbsent && parked_) {
      heap_.push_back(parked_entry_);
      sift_up(heap_.size() - 1);
    }
    parked_entry_ = e;
    parked_ = true;
    position_[slot] = kParked;
  }
  /// set() of `e` for `slot`, at heap position (or kAbsent, kParked) `i`.
  [[gnu::always_inline]] void set_entry(Slot slot, const Entry& e, std::uint32_t i) {
    if (i == kAbsent) {
      if (heap_.empty() && heap_.capacity() > 0) {
        // Nothing pending and nothing in the heap: the usual set() of a hand-off, whose other
        // timers are parked or already fired. No sift, and no registers saved for one.
        heap_.push_back(e);
        position_[slot] = 0;
        return;
      }
      if (!parked_) {
        // The place beside the heap is free: the entry waits there (it fires as from the
        // heap) until it fires, is cancelled, or a park() moves it into the heap.
        parked_entry_ = e;
        parked_ = true;
        position_[slot] = kParked;
        return;
      }
    }
    set_in_heap(e, i);
  }
  /// set() of `e` for a slot at heap position (or kAbsent, kParked) `i`.
  [[gnu::noinline]] void set_in_heap(const Entry& e, std::uint32_t i) {
    if (i == kParked) {  // leaves the place beside the heap for the heap
      parked_ = false;
      i = kAbsent;
    }
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
  void place(std::size_t i, const Entry& e) {
    heap_[i] = e;
    position_[e.slot()] = static_cast<std::uint32_t>(i);
  }
  [[gnu::noinline]] void remove_at(std::size_t i) {
    position_[heap_[i].slot()] = kAbsent;
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
      const std::size_t parent = (i - 1) / kArity;
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
      const std::size_t first = kArity * i + 1;
      if (first >= n) break;
      std::size_t child = first;
      const std::size_t last = first + kArity < n ? first + kArity : n;
      for (std::size_t c = first + 1; c < last; ++c) {
        if (before(heap_[c], heap_[child])) child = c;
      }
      if (!before(heap_[child], e)) break;
      place(i, heap_[child]);
      i = child;
    }
    place(i, e);
  }

  std::vector<Entry> heap_;
  std::vector<std::uint32_t> position_;  ///< by slot: index in heap_, kParked or kAbsent
  std::uint64_t next_seq_ = 0;
  Entry parked_entry_;  ///< the entry beside the heap, while parked_
  bool parked_ = false;
  Slot fixed_slot_ = kNoSlot;   ///< the slot with a place of its own (fix()), if any
  Entry fixed_entry_;           ///< its entry, while fixed_pending_
  bool fixed_pending_ = false;  ///< position_[fixed_slot_] is kFixed
};

}  // namespace gilsim::model
