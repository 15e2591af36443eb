// The trace's spans in 16 bytes each instead of a Span's 24. A span whose fields fit (begin
// under 2^48 ns, about 78 hours; a duration from 0 to 2^40 ns, about 18 minutes; a subject
// under 2^20 - 1; any step and state) is packed into two words, and the rare one that does
// not is kept whole in a side store with a packed stand-in that points at it: nothing is
// truncated, and a long span stays one span. Spans are two thirds of a contended run's
// records (four per GIL hand-off). Reads like a vector of Spans, by value: readers see
// exactly what was stored, and the layout is this file's alone.
//
// The ranges against the scenario's limits (sim/scenario/scenario.hpp): a subject is a job
// index (at most 100,000 jobs) or a lane (cores, a GIL per process, threads, tasks and
// locks: a few more than the jobs); a step is the 16 bits a Span has. A run of a day keeps
// every span packed; a span past 18 minutes (a wait behind many threads, an hour's sleep)
// or past 78 hours costs 24 bytes more.
#pragma once

#include <cassert>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <stdexcept>

#include "sim/trace/span.hpp"
#include "sim/trace/store.hpp"
#include "sim/trace/value_iterator.hpp"

namespace gilsim::trace {

class SpanStore {
 public:
  /// Two words: w0 = begin (48 bits) << 16 | step (16); w1 = duration (40) << 24 |
  /// subject + 1 (20; 0 for kNone) << 4 | state (4). State kWide: the span is wide_[w0].
  using Packed = TwoWords;

  using value_type = Span;
  using const_iterator = ByValueIterator<SpanStore, Span>;
  using iterator = const_iterator;

  SpanStore() = default;
  SpanStore(std::initializer_list<Span> spans) {
    for (const Span& s : spans) push_back(s);
  }
  SpanStore(const SpanStore& other) : packed_(other.packed_) {
    if (other.wide_) wide_ = std::make_unique<Store<Span>>(*other.wide_);
  }
  SpanStore(SpanStore&&) noexcept = default;
  SpanStore& operator=(SpanStore other) noexcept {
    swap(other);
    return *this;
  }
  ~SpanStore() = default;

  void swap(SpanStore& other) noexcept {
    packed_.swap(other.packed_);
    wide_.swap(other.wide_);
  }

  std::size_t size() const { return packed_.size(); }
  bool empty() const { return packed_.empty(); }
  /// Room for this many spans without growing.
  std::size_t capacity() const { return packed_.capacity(); }
  /// Spans kept whole because a field did not fit the packed form.
  std::size_t wide_count() const { return wide_ ? wide_->size() : 0; }
  /// Bytes of storage in use (what the spans cost, for the bench).
  std::size_t bytes_used() const { return size() * sizeof(Packed) + wide_count() * sizeof(Span); }

  /// Span `i`, whole. (By value: a stored span is changed only by the producer that adds it.)
  const Span operator[](std::size_t i) const {
    assert(i < size());
    return get(packed_[i]);
  }
  const Span at(std::size_t i) const {
    if (i >= size()) throw std::out_of_range("trace span index out of range");
    return get(packed_[i]);
  }
  const Span front() const { return (*this)[0]; }
  const Span back() const { return (*this)[size() - 1]; }

  const_iterator begin() const { return {this, 0}; }
  const_iterator end() const { return {this, size()}; }

  void push_back(const Span& s) { packed_.push_back(fits(s) ? pack(s) : keep_wide(s)); }
  /// Adds `count` spans at the end, copied from `spans` (a producer's buffered spans: one
  /// check for room, then each packed in place).
  void append(const Span* spans, std::size_t count) {
    Packed* out = packed_.extend(count);
    for (std::size_t i = 0; i < count; ++i) out[i] = fits(spans[i]) ? pack(spans[i]) : keep_wide(spans[i]);
  }
  /// Adds two spans at the end (a producer's buffer making room): when both pack, the usual
  /// case, one test for the pair and no call.
  void append_two(const Span& a, const Span& b) {
    if (!fit(a, b)) [[unlikely]] {
      append_each(a, b);
      return;
    }
    Packed* out = packed_.extend(2);
    out[0] = pack(a);
    out[1] = pack(b);
  }
  /// Room for `count` spans; in malloc, for exactly that many (a store that knows its size).
  void reserve(std::size_t count) { packed_.reserve(count); }
  /// Empties the store and keeps its memory.
  void clear() {
    packed_.clear();
    if (wide_) wide_->clear();
  }

  /// Whether `s` packs into 16 bytes (else it is kept whole). In unsigned arithmetic, so a
  /// negative begin, a reversed span and kNone need no tests of their own: a negative begin
  /// is past kMaxBegin, a reversed span's length past kMaxDuration, and kNone + 1 is 0.
  static bool fits(const Span& s) { return fit(s, s); }
  /// The packed form's ranges, inclusive (for the tests at their edges).
  static constexpr std::int64_t kMaxBegin = (std::int64_t{1} << 48) - 1;
  static constexpr std::int64_t kMaxDuration = (std::int64_t{1} << 40) - 1;
  static constexpr std::uint32_t kMaxSubject = (1u << 20) - 2;

 private:
  static constexpr std::uint64_t kWide = 15;                   ///< state bits of a stand-in for a whole span
  static_assert(kSpanStateCount <= static_cast<int>(kWide), "a new SpanState needs a wider state field");

  static_assert(kMaxBegin == (std::int64_t{1} << 48) - 1 && kMaxDuration == (std::int64_t{1} << 40) - 1 &&
                kMaxSubject + 1u == (1u << 20) - 1);
  /// Whether both `a` and `b` pack: no field of either has a bit past its width, tested
  /// for all six at once (a subject fits when subject + 1 has no bit from 20 up).
  static bool fit(const Span& a, const Span& b) {
    const auto begin_a = static_cast<std::uint64_t>(a.begin.ns());
    const auto begin_b = static_cast<std::uint64_t>(b.begin.ns());
    const std::uint64_t length_a = static_cast<std::uint64_t>(a.end.ns()) - begin_a;
    const std::uint64_t length_b = static_cast<std::uint64_t>(b.end.ns()) - begin_b;
    const std::uint32_t subjects = (a.subject + 1u) | (b.subject + 1u);
    return ((begin_a | begin_b) >> 48 | (length_a | length_b) >> 40 | subjects >> 20) == 0;
  }
  /// append_two() with a span that does not pack. Rare, so out of line.
  [[gnu::noinline]] void append_each(const Span& a, const Span& b) {
    push_back(a);
    push_back(b);
  }
  static Packed pack(const Span& s) {
    const auto subject = static_cast<std::uint64_t>(s.subject + 1u);  // kNone is 0
    return Packed{static_cast<std::uint64_t>(s.begin.ns()) << 16 | s.step,
                  static_cast<std::uint64_t>((s.end - s.begin).ns()) << 24 | subject << 4 |
                      static_cast<std::uint64_t>(s.state)};
  }
  Span get(const Packed& p) const {
    if ((p.w1 & 0xF) == kWide) [[unlikely]] return wide(p);
    const auto begin = static_cast<std::int64_t>(p.w0 >> 16);
    const auto subject = (static_cast<std::uint32_t>(p.w1 >> 4) & 0xF'FFFF) - 1u;  // 0 is kNone
    return Span{Time{begin}, Time{begin + static_cast<std::int64_t>(p.w1 >> 24)}, subject,
                static_cast<std::uint16_t>(p.w0), static_cast<SpanState>(p.w1 & 0xF), 0};
  }
  /// The whole span a stand-in points at. Out of line, like keep_wide: readers' loops over
  /// the packed spans stay short.
  [[gnu::noinline]] Span wide(const Packed& p) const { return (*wide_)[static_cast<std::size_t>(p.w0)]; }
  /// `s` kept whole; returns its stand-in. Rare, so out of line: the producers' path to
  /// append() stays short.
  [[gnu::noinline]] Packed keep_wide(const Span& s) {
    if (!wide_) wide_ = std::make_unique<Store<Span>>();
    wide_->push_back(s);
    return Packed{wide_->size() - 1, kWide};
  }

  Store<Packed> packed_;               ///< every span, in order
  std::unique_ptr<Store<Span>> wide_;  ///< the spans that do not pack, in order; made at the first
};

}  // namespace gilsim::trace
