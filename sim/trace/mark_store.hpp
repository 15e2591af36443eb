// The trace's marks in 16 bytes each instead of a Mark's 24: a mark whose fields fit (time
// under 2^48 ns, about 78 hours; lanes, and the other lane or job, under 2^18; a value from
// 0 to 2^40 ns, about 18 minutes of waiting) is packed into two words, and the rare one
// that does not is kept whole in a side store with a packed stand-in that points at it.
// Marks are a third of a contended run's records (a drop request and a forced switch per
// GIL hand-off). Reads like a vector of Marks, by value: readers see exactly what was stored.
#pragma once

#include <cassert>
#include <compare>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <iterator>
#include <stdexcept>

#include "sim/trace/mark.hpp"
#include "sim/trace/store.hpp"

namespace gilsim::trace {

class MarkStore {
 public:
  /// Two words: w0 = time (48 bits) << 16 | kind (4) << 12 | lane bits 17..6 (12);
  /// w1 = lane bits 5..0 (6) << 58 | other (18) << 40 | value (40).
  struct Packed {
    std::uint64_t w0 = 0;
    std::uint64_t w1 = 0;
  };
  static_assert(sizeof(Packed) == 16);

  class const_iterator;

  MarkStore() = default;
  MarkStore(std::initializer_list<Mark> marks) {
    for (const Mark& m : marks) push_back(m);
  }

  std::size_t size() const { return packed_.size(); }
  bool empty() const { return packed_.empty(); }
  /// Marks kept whole because a field did not fit the packed form.
  std::size_t wide_count() const { return wide_.size(); }
  /// Bytes of storage in use (what the marks cost, for the bench).
  std::size_t bytes_used() const { return packed_.size() * sizeof(Packed) + wide_.size() * sizeof(Mark); }

  Mark operator[](std::size_t i) const {
    assert(i < packed_.size());
    return unpack(packed_[i]);
  }
  Mark at(std::size_t i) const {
    if (i >= packed_.size()) throw std::out_of_range("trace mark index out of range");
    return unpack(packed_[i]);
  }
  /// The time of mark `i` alone (cheaper than the whole mark; searches use it).
  Time time_at(std::size_t i) const {
    assert(i < packed_.size());
    return time_of(packed_[i]);
  }
  Mark front() const { return (*this)[0]; }
  Mark back() const { return (*this)[size() - 1]; }

  const_iterator begin() const;
  const_iterator end() const;

  void push_back(const Mark& m) {
    Packed p;
    if (fits(m)) {
      const auto lane = static_cast<std::uint64_t>(m.lane == kNone ? kNoLane : m.lane);
      const auto other = static_cast<std::uint64_t>(m.other == kNone ? kNoOther : m.other);
      p.w0 = static_cast<std::uint64_t>(m.at.ns()) << 16 | static_cast<std::uint64_t>(m.kind) << 12 | lane >> 6;
      p.w1 = (lane & 0x3F) << 58 | other << 40 | static_cast<std::uint64_t>(m.value);
    } else {
      p.w0 = kWide << 12;
      p.w1 = wide_.size();
      wide_.push_back(m);
    }
    packed_.push_back(p);
  }
  void reserve(std::size_t count) { packed_.reserve(count); }
  /// Empties the store and keeps its memory.
  void clear() {
    packed_.clear();
    wide_.clear();
  }
  /// Sorts by time, keeping the order of marks at equal times.
  void stable_sort_by_time();
  bool sorted_by_time() const;

  /// Whether `m` packs into 16 bytes (else it is kept whole).
  static bool fits(const Mark& m) {
    const std::int64_t at = m.at.ns();
    const std::int64_t v = m.value;
    return at >= 0 && at < (std::int64_t{1} << 48) && static_cast<std::uint8_t>(m.kind) < kWide &&
           (m.lane == kNone || m.lane < kNoLane) && (m.other == kNone || m.other < kNoOther) && v >= 0 &&
           v <= static_cast<std::int64_t>(kValueMask);
  }

 private:
  static constexpr std::uint64_t kWide = 15;            ///< kind bits of a stand-in for a whole mark
  static constexpr std::uint32_t kNoLane = (1u << 18) - 1;   ///< kNone as a lane
  static constexpr std::uint32_t kNoOther = (1u << 18) - 1;  ///< kNone as the other lane or job
  static constexpr std::uint64_t kValueMask = (std::uint64_t{1} << 40) - 1;

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

  Store<Packed> packed_;  ///< every mark, in order
  Store<Mark> wide_;      ///< the marks that do not pack, in order of arrival
};

/// A random-access iterator over a MarkStore's marks, yielding them by value.
class MarkStore::const_iterator {
 public:
  using iterator_category = std::random_access_iterator_tag;
  using iterator_concept = std::random_access_iterator_tag;
  using value_type = Mark;
  using difference_type = std::ptrdiff_t;
  using reference = Mark;
  /// What `it->at` reads through: the mark itself, held by value.
  struct pointer {
    Mark mark;
    const Mark* operator->() const { return &mark; }
  };

  const_iterator() = default;
  const_iterator(const MarkStore* store, std::size_t i) : store_(store), i_(static_cast<difference_type>(i)) {}

  Mark operator*() const { return (*store_)[static_cast<std::size_t>(i_)]; }
  pointer operator->() const { return pointer{**this}; }
  Mark operator[](difference_type n) const { return (*store_)[static_cast<std::size_t>(i_ + n)]; }

  const_iterator& operator++() {
    ++i_;
    return *this;
  }
  const_iterator operator++(int) {
    const_iterator old = *this;
    ++i_;
    return old;
  }
  const_iterator& operator--() {
    --i_;
    return *this;
  }
  const_iterator operator--(int) {
    const_iterator old = *this;
    --i_;
    return old;
  }
  const_iterator& operator+=(difference_type n) {
    i_ += n;
    return *this;
  }
  const_iterator& operator-=(difference_type n) {
    i_ -= n;
    return *this;
  }
  friend const_iterator operator+(const_iterator it, difference_type n) { return it += n; }
  friend const_iterator operator+(difference_type n, const_iterator it) { return it += n; }
  friend const_iterator operator-(const_iterator it, difference_type n) { return it -= n; }
  friend difference_type operator-(const const_iterator& a, const const_iterator& b) { return a.i_ - b.i_; }
  friend bool operator==(const const_iterator& a, const const_iterator& b) { return a.i_ == b.i_; }
  friend auto operator<=>(const const_iterator& a, const const_iterator& b) { return a.i_ <=> b.i_; }

 private:
  const MarkStore* store_ = nullptr;
  difference_type i_ = 0;
};

inline MarkStore::const_iterator MarkStore::begin() const { return {this, 0}; }
inline MarkStore::const_iterator MarkStore::end() const { return {this, size()}; }

}  // namespace gilsim::trace
