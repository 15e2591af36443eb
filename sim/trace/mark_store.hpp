// The trace's marks in 16 bytes each instead of a Mark's 24: a mark whose fields fit (time
// under 2^48 ns, about 78 hours; lanes, and the other lane or job, under 2^18; a value from
// 0 to 2^40 ns, about 18 minutes of waiting) is packed into two words, and the rare one
// that does not is kept whole in a side store with a packed stand-in that points at it.
// Marks are a third of a contended run's records (a drop request and a forced switch per
// GIL hand-off). Reads like a vector of Marks, by value: readers see exactly what was stored.
//
// Those two come in pairs: a waiter's drop request and, at the same instant, the holder's
// forced switch (the drop request's `other` is the forced switch's lane). Such a pair is kept
// in 20 bytes instead of 32: a 16-byte record (the time from its group's first mark, the three
// lanes, the wait, the held time's low bits) and 4 bytes beside it (the rest of the held
// time); a pair whose fields do not fit is kept as two marks. Per 64 marks a group says
// which marks are the second of a pair, how many were before it, and its first mark's time,
// so mark i finds its record and its pair's 4 bytes in constant time.
//
// A drop request that can pair is written in the pair's form at once, and stays so, pending,
// until the next mark: its forced switch then adds its fields to that record; any other mark
// first rewrites it in a single mark's form (rare: a request is nearly always answered at
// once). Readers, a copy's too, read a pending request as the first of a pair.
#pragma once

#include <algorithm>
#include <cassert>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <limits>
#include <stdexcept>

#include "sim/trace/index_iterator.hpp"
#include "sim/trace/mark.hpp"
#include "sim/trace/store.hpp"

namespace gilsim::trace {

class MarkStore {
 public:
  /// Two words: w0 = time (48 bits) << 16 | kind (4) << 12 | lane bits 17..6 (12);
  /// w1 = lane bits 5..0 (6) << 58 | other (18) << 40 | value (40).
  using Packed = TwoWords;

  class const_iterator;

  MarkStore() = default;
  MarkStore(std::initializer_list<Mark> marks) {
    for (const Mark& m : marks) push_back(m);
  }

  std::size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  /// Marks kept whole because a field did not fit the packed form.
  std::size_t wide_count() const { return wide_.size(); }
  /// Drop requests and forced switches kept two to a record.
  std::size_t paired_count() const { return 2 * (size_ - packed_.size()); }
  /// Bytes of storage in use (what the marks cost, for the bench).
  std::size_t bytes_used() const {
    return packed_.size() * sizeof(Packed) + wide_.size() * sizeof(Mark) + groups_.size() * sizeof(Group) +
           pair_held_.size() * sizeof(std::uint32_t);
  }

  Mark operator[](std::size_t i) const {
    assert(i < size_);
    return get(i);
  }
  Mark at(std::size_t i) const {
    if (i >= size_) throw std::out_of_range("trace mark index out of range");
    return get(i);
  }
  /// The time of mark `i` alone (cheaper than the whole mark; searches use it).
  Time time_at(std::size_t i) const {
    assert(i < size_);
    const Place p = place(i);
    if (p.half == Half::Whole) return time_of(packed_[p.record]);
    const std::size_t first = p.half == Half::First ? i : i - 1;
    return Time{groups_[first / 64].base + static_cast<std::int64_t>(packed_[p.record].w0 >> 32)};
  }
  /// Of marks sorted by time, the index of the first at `at` or later (size() if none).
  std::size_t first_from(Time at) const {
    std::size_t lo = 0, hi = size_;
    while (lo < hi) {
      const std::size_t mid = lo + (hi - lo) / 2;
      if (time_at(mid) < at) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }
  Mark front() const { return (*this)[0]; }
  Mark back() const { return (*this)[size() - 1]; }

  /// Calls `f(i, mark)` for each mark in order: a group at a time, each mark's record found
  /// from the last one's, with no count of pairs. Inlined, what `f` does not read is not
  /// decoded (a filter by kind reads the kind alone). The cheapest whole pass.
  template <class F>
  void for_each(F&& f) const {
    std::size_t record = 0, pair = 0;
    const std::size_t pending = pair_holder_ != kNoPair ? size_ - 1 : size_;  // a request read as a pair's first
    for (std::size_t g = 0; g < groups_.size(); ++g) {
      const std::uint64_t seconds = groups_[g].second_bits;
      const std::uint64_t next_first = g + 1 < groups_.size() ? groups_[g + 1].second_bits & 1 : 0;
      const std::size_t n = std::min<std::size_t>(64, size_ - g * 64);
      for (std::size_t k = 0; k < n; ++k) {
        const std::size_t i = g * 64 + k;
        if (seconds >> k & 1) {  // a pair's second: the pair's record, then on to the next
          f(i, get(i, Place{record++, Half::Second, pair++}));
        } else if ((k < 63 ? seconds >> (k + 1) & 1 : next_first) || i == pending) {  // a pair's first
          f(i, get(i, Place{record, Half::First, pair}));
        } else {
          f(i, get(i, Place{record++, Half::Whole, 0}));
        }
      }
    }
  }

  const_iterator begin() const;
  const_iterator end() const;

  void push_back(const Mark& m) { push(m.at, m.kind, m.lane, m.other, m.value); }
  /// push_back of the mark these fields make (what a producer records, without making it).
  /// Inline, so that a producer's constant kind picks the path here: a drop request and a
  /// forced switch, most of a contended run's marks, each have their own, which tests only
  /// what its kind needs.
  void push(Time at, MarkKind kind, LaneId lane, std::uint32_t other, std::int64_t value) {
    if (kind == MarkKind::DropRequest) return push_drop_request(at, lane, other, value);
    if (kind == MarkKind::ForcedSwitch) return push_forced_switch(at, lane, other, value);
    push_single(at, kind, lane, other, value);
  }
  /// push() of a drop request (by `requester`, to `holder`, after `wait`) and then of the
  /// forced switch it causes at the same instant (`holder` switched out, `woken` signalled,
  /// `held` ns held): the two marks those two pushes store, in one call. Their pair's record
  /// is written whole, where a pair in the middle of a group fits (the usual case); any
  /// other goes the two pushes' way.
  [[gnu::noinline]] void push_request_and_switch(Time at, LaneId requester, std::uint32_t holder, std::int64_t wait,
                                                 std::uint32_t woken, std::int64_t held) {
    // In unsigned arithmetic, as push_drop_request() and push_forced_switch() test: a base
    // after `at`, a negative wait or held time, kNone as the woken lane (kNoLane packed).
    const std::uint64_t delta = static_cast<std::uint64_t>(at.ns()) - static_cast<std::uint64_t>(group_base_);
    const std::uint64_t past = static_cast<std::uint64_t>(at.ns()) >> 48 | static_cast<std::uint64_t>(wait) >> 40 |
                               delta >> 32 | (requester | holder) >> 17 | static_cast<std::uint64_t>(held) >> 34;
    // The request is not a group's first mark, nor its switch (places 1 to 62 of a group).
    const bool inside = (size_ % 64) - 1 < 62;
    if (!inside || packed_.size() >= packed_.capacity() || pair_held_.size() >= pair_held_.capacity() ||
        pair_holder_ != kNoPair || past != 0 || woken + 1u > kNoLane) [[unlikely]] {
      // A tail call with the same arguments: the usual path below calls nothing, so it
      // keeps its values in registers it need not save.
      return push_request_then_switch(at, requester, holder, wait, woken, held);
    }
    const std::uint64_t h = holder;
    const std::uint64_t w = woken & kNoLane;  // kNone is kNoLane
    const auto hold = static_cast<std::uint64_t>(held);
    *pair_held_.extend_in_room() = static_cast<std::uint32_t>(hold >> 2);
    *packed_.extend_in_room() = Packed{delta << 32 | std::uint64_t{requester} << 14 | h >> 4,
                                       (h & 0xF) << 60 | w << 42 | static_cast<std::uint64_t>(wait) << 2 | (hold & 3)};
    groups_.back().second_bits |= std::uint64_t{1} << (size_ % 64 + 1);
    size_ += 2;
  }
  /// push_request_and_switch()'s two marks by their own pushes (a pair that begins or crosses
  /// a group, a store without room, a field that does not fit).
  [[gnu::noinline]] void push_request_then_switch(Time at, LaneId requester, std::uint32_t holder, std::int64_t wait,
                                                  std::uint32_t woken, std::int64_t held) {
    push_drop_request(at, requester, holder, wait);
    push_forced_switch(at, holder, woken, held);
  }
  void reserve(std::size_t count) {
    packed_.reserve(count);
    groups_.reserve((count + 63) / 64);
  }
  /// Empties the store and keeps its memory.
  void clear() {
    packed_.clear();
    wide_.clear();
    groups_.clear();
    pair_held_.clear();
    size_ = 0;
    pair_holder_ = kNoPair;
    group_base_ = 0;
  }
  /// Sorts by time, keeping the order of marks at equal times.
  void stable_sort_by_time();
  bool sorted_by_time() const;

  /// Whether `m` packs into 16 bytes (else it is kept whole).
  static bool fits(const Mark& m) { return fits(m.at, m.kind, m.lane, m.other, m.value); }
  /// In unsigned arithmetic: a negative time or value is past its range, and kNone + 1 is 0.
  static bool fits(Time at, MarkKind kind, LaneId lane, std::uint32_t other, std::int64_t value) {
    return static_cast<std::uint64_t>(at.ns()) < (std::uint64_t{1} << 48) && static_cast<std::uint8_t>(kind) < kWide &&
           lane + 1u <= kNoLane && other + 1u <= kNoOther && static_cast<std::uint64_t>(value) <= kValueMask;
  }

 private:
  static constexpr std::uint64_t kWide = 15;            ///< kind bits of a stand-in for a whole mark
  static constexpr std::uint32_t kNoLane = (1u << 18) - 1;   ///< kNone as a lane
  static constexpr std::uint32_t kNoOther = (1u << 18) - 1;  ///< kNone as the other lane or job
  static constexpr std::uint64_t kValueMask = (std::uint64_t{1} << 40) - 1;
  static constexpr std::uint64_t kHeldMask = (std::uint64_t{1} << 34) - 1;  ///< a paired forced switch's held time
  static constexpr std::uint64_t kNoPair = ~std::uint64_t{0};  ///< no pending drop request (no lane is it)

  /// Per 64 marks: which are the second of a pair, and how many were before the group.
  struct Group {
    std::uint64_t second_bits = 0;
    std::uint64_t seconds_before = 0;
    std::int64_t base = 0;  ///< the time of the group's first mark
  };
  enum class Half : std::uint8_t { Whole, First, Second };
  struct Place {
    std::size_t record;
    Half half;
    std::size_t pair;  ///< the pair's index, when half is not Whole
  };
  bool is_second(std::size_t i) const { return (groups_[i / 64].second_bits >> (i % 64)) & 1; }
  /// Bits set in `x`. Inline: without the POPCNT instruction (not in the x86-64 baseline
  /// Debian builds for) std::popcount is a call into libgcc, as dear as the rest of a read.
  static std::size_t count_ones(std::uint64_t x) {
#ifdef __POPCNT__
    return static_cast<std::size_t>(std::popcount(x));
#else
    x -= x >> 1 & 0x5555'5555'5555'5555;
    x = (x & 0x3333'3333'3333'3333) + (x >> 2 & 0x3333'3333'3333'3333);
    x = (x + (x >> 4)) & 0x0F0F'0F0F'0F0F'0F0F;
    return static_cast<std::size_t>(x * 0x0101'0101'0101'0101 >> 56);
#endif
  }
  /// The pairs' second marks before mark `i`.
  std::size_t seconds_before(std::size_t i) const {
    const Group& g = groups_[i / 64];
    return g.seconds_before + count_ones(g.second_bits & ((std::uint64_t{1} << (i % 64)) - 1));
  }
  /// Where mark `i` is: record i - (pair seconds before it), and which part of it.
  Place place(std::size_t i) const { return place(i, seconds_before(i)); }
  /// The same, `seconds` the pairs' second marks before it (a reader in order counts them).
  Place place(std::size_t i, std::size_t seconds) const {
    const std::size_t record = i - seconds;
    if (is_second(i)) return {record - 1, Half::Second, seconds};
    if (i + 1 < size_ ? is_second(i + 1) : pair_holder_ != kNoPair) return {record, Half::First, seconds};
    return {record, Half::Whole, 0};
  }
  Mark get(std::size_t i) const { return get(i, place(i)); }
  /// Mark `i`, which is at `p`.
  Mark get(std::size_t i, const Place& p) const {
    if (p.half == Half::Whole) return unpack(packed_[p.record]);
    // A pair: w0 = time from the first mark's group base (32) << 32 | requester (18) << 14 |
    // holder bits 17..4 (14); w1 = holder bits 3..0 (4) << 60 | woken (18) << 42 | wait (40) << 2
    // | held time bits 1..0 (2); beside it, held time bits 33..2 (32).
    const Packed& r = packed_[p.record];
    const std::size_t first = p.half == Half::First ? i : i - 1;
    const Time at{groups_[first / 64].base + static_cast<std::int64_t>(r.w0 >> 32)};
    const auto holder = static_cast<std::uint32_t>((r.w0 & 0x3FFF) << 4 | r.w1 >> 60);
    if (p.half == Half::First) {
      const auto requester = static_cast<std::uint32_t>((r.w0 >> 14) & kNoLane);
      return Mark{at, requester, holder, static_cast<std::int64_t>((r.w1 >> 2) & kValueMask), MarkKind::DropRequest};
    }
    const auto woken = static_cast<std::uint32_t>((r.w1 >> 42) & kNoLane);
    const auto held = static_cast<std::int64_t>(std::uint64_t{pair_held_[p.pair]} << 2 | (r.w1 & 3));
    return Mark{at, holder, woken == kNoLane ? kNone : woken, held, MarkKind::ForcedSwitch};
  }
  // The usual mark (in a group begun, with room, packed or paired) is written by these with
  // no call but the last: any other goes on to push_anyhow() or pair_anyhow() as a tail
  // call, so these save few registers.

  /// A mark stored alone (not a drop request: push() sends those to their own path).
  [[gnu::noinline]] void push_single(Time at, MarkKind kind, LaneId lane, std::uint32_t other, std::int64_t value) {
    // Past here a pending request is left unanswered: the slow path rewrites it first, so
    // this path finds none pending.
    if (size_ % 64 == 0 || packed_.size() >= packed_.capacity() || pair_holder_ != kNoPair ||
        !fits(at, kind, lane, other, value)) [[unlikely]] {
      return push_anyhow(at, kind, lane, other, value);
    }
    ++size_;
    *packed_.extend_in_room() = pack(at, kind, lane & kNoLane, other, value);  // fits(): kNone, or below kNoLane
  }
  /// A drop request: written in the pair's form, pending (what hold_for_pair() does, its
  /// tests folded into one branch with the single mark's; any that fails goes the slow way).
  [[gnu::noinline]] void push_drop_request(Time at, LaneId requester, std::uint32_t holder, std::int64_t wait) {
    // In unsigned arithmetic: a base after `at`, or far before it, is past 32 bits.
    const std::uint64_t delta = static_cast<std::uint64_t>(at.ns()) - static_cast<std::uint64_t>(group_base_);
    // The fields' ranges in one test, the lanes' conservatively: below 2^17, not 2^18 - 1 (a
    // lane from 2^17 goes the slow way, which pairs it all the same).
    const std::uint64_t past = static_cast<std::uint64_t>(at.ns()) >> 48 | static_cast<std::uint64_t>(wait) >> 40 |
                               delta >> 32 | (requester | holder) >> 17;
    if (size_ % 64 == 0 || packed_.size() >= packed_.capacity() || pair_holder_ != kNoPair || past != 0) [[unlikely]] {
      return push_anyhow(at, MarkKind::DropRequest, requester, holder, wait);
    }
    ++size_;
    const std::uint64_t h = holder;
    pair_holder_ = h;
    pair_at_ = at.ns();
    *packed_.extend_in_room() =
        Packed{delta << 32 | std::uint64_t{requester} << 14 | h >> 4, (h & 0xF) << 60 | static_cast<std::uint64_t>(wait) << 2};
  }
  /// A forced switch: the pair's second where it answers the pending drop request (from the
  /// lane the request was made to, at its instant, with a held time and a woken lane that
  /// fit the pair), else alone.
  [[gnu::noinline]] void push_forced_switch(Time at, LaneId holder, std::uint32_t woken, std::int64_t held) {
    if (holder == pair_holder_ && at.ns() == pair_at_ && static_cast<std::uint64_t>(held) <= kHeldMask &&
        woken + 1u <= kNoLane) {
      if (size_ % 64 == 0 || pair_held_.size() >= pair_held_.capacity()) [[unlikely]] return pair_anyhow(at, woken, held);
      *pair_held_.extend_in_room() = static_cast<std::uint32_t>(static_cast<std::uint64_t>(held) >> 2);
      return write_pair(woken, held);
    }
    push_single(at, MarkKind::ForcedSwitch, holder, woken, held);
  }

  /// Writes drop request `record` in the pair's form, the forced switch's fields left 0, and
  /// keeps what a forced switch (at the same instant, from `holder`, the lane the request was
  /// made to) needs to see it answers it; false, writing nothing, where the pair's form does
  /// not fit. Its store began mark size_ - 1's group. `requester` is the packed lane
  /// (kNoLane for kNone); the request fits() a single mark's form, so settle_pending() can
  /// rewrite it in that form; `wait` fits, as fits() checked.
  bool hold_for_pair(Time at, std::uint64_t requester, std::uint32_t holder, std::uint64_t wait, Packed& record) {
    // In unsigned arithmetic: a base after `at`, or far before it, is past 32 bits.
    const std::uint64_t delta = static_cast<std::uint64_t>(at.ns()) - static_cast<std::uint64_t>(groups_.back().base);
    if (requester == kNoLane || holder >= kNoOther || delta > 0xFFFF'FFFF) return false;
    const std::uint64_t h = holder;
    pair_holder_ = h;
    pair_at_ = at.ns();
    record = Packed{delta << 32 | requester << 14 | h >> 4, (h & 0xF) << 60 | wait << 2};
    return true;
  }
  /// The pending drop request (the last mark), unanswered, rewritten in a single mark's form.
  void settle_pending() {
    const Mark m = get(size_ - 1, Place{packed_.size() - 1, Half::First, 0});
    packed_.back() = pack(m.at, m.kind, m.lane & kNoLane, m.other, m.value);
    pair_holder_ = kNoPair;
  }
  /// push() of a mark that begins a group, needs room or is kept whole.
  [[gnu::noinline]] void push_anyhow(Time at, MarkKind kind, LaneId lane, std::uint32_t other, std::int64_t value) {
    if (pair_holder_ != kNoPair) settle_pending();
    if (size_ % 64 == 0) begin_group(at);
    ++size_;
    if (!fits(at, kind, lane, other, value)) {
      // A stand-in record pointing at the whole mark.
      packed_.push_back(Packed{kWide << 12, wide_.size()});
      wide_.push_back(Mark{at, lane, other, value, kind});
      return;
    }
    const std::uint64_t l = lane & kNoLane;
    Packed record;
    if (kind != MarkKind::DropRequest || !hold_for_pair(at, l, other, static_cast<std::uint64_t>(value), record)) {
      record = pack(at, kind, l, other, value);
    }
    packed_.push_back(record);
  }
  /// The group mark size_ begins, at `at`.
  void begin_group(Time at) {
    groups_.push_back(Group{0, size_ - packed_.size(), at.ns()});
    group_base_ = at.ns();
  }
  /// A mark that fits, `l` its lane masked (kNone is kNoLane).
  static Packed pack(Time at, MarkKind kind, std::uint64_t l, std::uint32_t other, std::int64_t value) {
    // The mask makes kNone kNoOther: fits() let through only kNone or a field below it.
    return Packed{static_cast<std::uint64_t>(at.ns()) << 16 | static_cast<std::uint64_t>(kind) << 12 | l >> 6,
                  (l & 0x3F) << 58 | std::uint64_t{other & kNoOther} << 40 | static_cast<std::uint64_t>(value)};
  }
  /// push() of a forced switch that pairs, where the pair begins a group or its held time
  /// needs room.
  [[gnu::noinline]] void pair_anyhow(Time at, std::uint32_t other, std::int64_t value) {
    pair_held_.push_back(static_cast<std::uint32_t>(static_cast<std::uint64_t>(value) >> 2));
    if (size_ % 64 == 0) begin_group(at);
    write_pair(other, value);
  }
  /// Adds the forced switch's fields to the pending drop request's record (push() checked
  /// that it answers it and that its woken lane `other` and held time `value` fit; its held
  /// time's high bits are stored, and its group is begun).
  void write_pair(std::uint32_t other, std::int64_t value) {
    const std::uint64_t woken = other & kNoLane;  // kNone is kNoLane
    packed_.back().w1 |= woken << 42 | (static_cast<std::uint64_t>(value) & 3);
    groups_.back().second_bits |= std::uint64_t{1} << (size_ % 64);
    ++size_;
    pair_holder_ = kNoPair;
  }

  static std::uint64_t kind_bits(const Packed& p) { return (p.w0 >> 12) & 0xF; }
  static std::size_t wide_index(const Packed& p) { return static_cast<std::size_t>(p.w1); }
  /// The time a packed record sorts by.
  Time time_of(const Packed& p) const {
    return kind_bits(p) == kWide ? wide_[wide_index(p)].at : Time{static_cast<std::int64_t>(p.w0 >> 16)};
  }
  static_assert(kMarkKindCount <= static_cast<int>(kWide), "a new MarkKind needs a wider kind field");

  Mark unpack(const Packed& p) const {
    if (kind_bits(p) == kWide) return wide_[wide_index(p)];
    const auto lane = static_cast<std::uint32_t>((p.w0 & 0xFFF) << 6 | p.w1 >> 58);
    const auto other = static_cast<std::uint32_t>((p.w1 >> 40) & kNoOther);
    const auto value = static_cast<std::int64_t>(p.w1 & kValueMask);
    return Mark{Time{static_cast<std::int64_t>(p.w0 >> 16)}, lane == kNoLane ? kNone : lane,
                other == kNoOther ? kNone : other, value, static_cast<MarkKind>(kind_bits(p))};
  }

  Store<Packed> packed_;  ///< every mark, in order, a pair in one record
  Store<Mark> wide_;      ///< the marks that do not pack, in order of arrival
  Store<Group> groups_;   ///< one per 64 marks
  Store<std::uint32_t> pair_held_;  ///< per pair: the held time's bits 33..2
  std::size_t size_ = 0;  ///< marks
  /// While the last record is a pending drop request (in the pair's form, see the banner):
  /// the lane of the forced switch that answers it (the request's other lane) and its
  /// instant. kNoPair, which no lane equals, otherwise.
  std::uint64_t pair_holder_ = kNoPair;
  std::int64_t pair_at_ = 0;
  std::int64_t group_base_ = 0;  ///< the last group's base (a drop request's path reads it alone)
};

/// A random-access iterator that counts the pairs' second marks as it goes: reading the next
/// mark (++it, range-for) finds its record from the last one's count, while a jump (a binary
/// search, it += n) counts them from the mark's group, as operator[] does. Marks by value.
/// Copies are independent; one iterator is not for two threads at once.
class MarkStore::const_iterator : public IndexIterator<MarkStore::const_iterator, Mark> {
 public:
  const_iterator() = default;
  const_iterator(const MarkStore* store, std::size_t i) : IndexIterator(i), store_(store) {}

  Mark operator*() const {
    const difference_type at = index();
    const auto i = static_cast<std::size_t>(at);
    if (read_ == at - 1) {
      seconds_ += store_->is_second(i - 1) ? 1 : 0;
    } else if (read_ != at) {
      seconds_ = store_->seconds_before(i);
    }
    read_ = at;
    return store_->get(i, store_->place(i, seconds_));
  }

 private:
  static constexpr difference_type kNoneRead = std::numeric_limits<difference_type>::min();

  const MarkStore* store_ = nullptr;
  mutable difference_type read_ = kNoneRead;  ///< the mark last read
  mutable std::size_t seconds_ = 0;           ///< the pairs' second marks before it
};

inline MarkStore::const_iterator MarkStore::begin() const { return {this, 0}; }
inline MarkStore::const_iterator MarkStore::end() const { return {this, size()}; }

}  // namespace gilsim::trace
