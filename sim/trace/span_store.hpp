// The trace's spans in 12 bytes each instead of a Span's 24. On most lanes a span begins
// where the one before it ended (a thread's lane always, a core's half the time), so a
// record keeps the span's end and, when there is one, the gap before it; its begin is the
// previous span's end plus that gap. Ends are kept from a base per 64 spans (the first
// one's begin), written in the store before them, so span i is read from its record, the
// one before it and its group's base: constant time, as readers' binary searches need.
//
// A record (96 bits): the subject + 1 (18 bits; 0 for kNone), the step (16), the state (4)
// and the time (58): either a span that begins where the last one ended (or begins its
// group), its end up to 2^57 ns from its group's base, or one after a gap of under 2^25 ns
// (33 ms), its end under 2^32 ns (4.3 s) from the base. The rare span that fits neither
// (a subject of 2^18 - 1 or more, a long idle gap, a long span after a gap) is kept whole
// in a side store with a record that points at it: nothing is truncated. Spans are two
// thirds of a contended run's records (six per GIL hand-off). Reads like a vector of Spans,
// by value: readers see exactly what was stored, and the layout is this file's alone.
//
// Each group's records (its base and its 64 spans') are an allocation of their own, found
// through a table by the group's index (GroupStore): a lane grows a group at a time and never
// copies its records. push() writes through a pointer to the next record and one to the end
// of its room (the group's end, or of its allocation while it is the first and still
// growing), so one compare says whether the usual span can be written.
#pragma once

#include <algorithm>
#include <bit>
#include <cassert>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <initializer_list>
#include <limits>
#include <memory>
#include <stdexcept>
#include <utility>

#include "sim/trace/group_store.hpp"
#include "sim/trace/index_iterator.hpp"
#include "sim/trace/span.hpp"
#include "sim/trace/store.hpp"

namespace gilsim::trace {

class SpanStore {
 public:
  /// Three words, read as lo = w[0] | w[1] << 32 and hi = w[2]. A span: lo = time (57) |
  /// after a gap (1) << 57 | state (4) << 58 | subject + 1 bits 17..16 (2) << 62; hi =
  /// subject + 1 bits 15..0 << 16 | step. The time is the end from the group's base, or
  /// after a gap the end (32 bits) and the gap (25) << 32. State kWide: the span is
  /// wide_[lo's low 57 bits]. A group's base: lo = the base (any 64 bits), hi = 0.
  struct Record {
    std::uint32_t w[3];
  };
  static_assert(sizeof(Record) == 12);

  using value_type = Span;
  class const_iterator;
  using iterator = const_iterator;

  SpanStore() = default;
  SpanStore(std::initializer_list<Span> spans) { append(spans.begin(), spans.size()); }
  /// Each group's records copied to one of just their size.
  SpanStore(const SpanStore& other) : base_(other.base_), last_end_(other.last_end_), size_(other.size_) {
    const std::size_t records = records_for(size_);
    groups_.reserve_groups((size_ + kGroup - 1) / kGroup);
    for (std::size_t g = 0; g * kGroupRecords < records; ++g) {
      const std::size_t count = std::min(kGroupRecords, records - g * kGroupRecords);
      std::memcpy(static_cast<void*>(groups_.make_room(g, count, true)), other.groups_.group(g), count * sizeof(Record));
    }
    if (other.wide_) wide_ = std::make_unique<Store<Span>>(*other.wide_);
    set_room();
  }
  /// The groups keep their place: next_ and room_end_ still point into them.
  SpanStore(SpanStore&& other) noexcept
      : next_(std::exchange(other.next_, nullptr)),
        room_end_(std::exchange(other.room_end_, nullptr)),
        base_(other.base_),
        last_end_(other.last_end_),
        size_(std::exchange(other.size_, 0)),
        groups_(std::move(other.groups_)),
        wide_(std::move(other.wide_)) {}
  SpanStore& operator=(SpanStore other) noexcept {
    swap(other);
    return *this;
  }
  ~SpanStore() = default;

  void swap(SpanStore& other) noexcept {
    std::swap(next_, other.next_);
    std::swap(room_end_, other.room_end_);
    groups_.swap(other.groups_);
    wide_.swap(other.wide_);
    std::swap(size_, other.size_);
    std::swap(base_, other.base_);
    std::swap(last_end_, other.last_end_);
  }

  std::size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  /// Room for this many spans without growing.
  std::size_t capacity() const {
    const std::size_t records = groups_.capacity();
    const std::size_t rest = records % kGroupRecords;
    return records / kGroupRecords * kGroup + (rest > 0 ? rest - 1 : 0);
  }
  /// Spans kept whole because a field did not fit a record.
  std::size_t wide_count() const { return wide_ ? wide_->size() : 0; }
  /// Bytes of storage in use (what the spans cost, for the bench).
  std::size_t bytes_used() const { return records_for(size_) * sizeof(Record) + wide_count() * sizeof(Span); }

  /// Span `i`, whole. (By value: a stored span is changed only by the producer that adds it.)
  const Span operator[](std::size_t i) const {
    assert(i < size());
    return get(i);
  }
  const Span at(std::size_t i) const {
    if (i >= size()) throw std::out_of_range("trace span index out of range");
    return get(i);
  }
  const Span front() const { return (*this)[0]; }
  const Span back() const { return (*this)[size() - 1]; }

  /// Span `i`'s state alone (its record only: filters by state read no times).
  SpanState state_at(std::size_t i) const {
    assert(i < size());
    const std::uint64_t lo = lo_of(groups_.group(i / kGroup)[1 + i % kGroup]);
    if (is_wide(lo)) [[unlikely]] return wide(lo).state;
    return static_cast<SpanState>(lo >> 58 & 0xF);
  }
  /// Span `i`'s end alone (its record and its group's base: binary searches by end use it).
  Time end_at(std::size_t i) const {
    assert(i < size());
    const Record* group = groups_.group(i / kGroup);
    return Time{end_of(group[1 + i % kGroup], lo_of(group[0]))};
  }
  /// Span `i`'s begin alone (its record, the one before it and its group's base).
  Time begin_at(std::size_t i) const {
    assert(i < size());
    const Record* group = groups_.group(i / kGroup);
    const std::size_t at = i % kGroup;
    const std::uint64_t lo = lo_of(group[1 + at]);
    if (is_wide(lo)) [[unlikely]] return wide(lo).begin;
    const std::uint64_t base = lo_of(group[0]);
    const std::uint64_t last_end = at > 0 ? static_cast<std::uint64_t>(end_of(group[at], base)) : base;
    return Time{static_cast<std::int64_t>(lo & kGapBit ? last_end + (lo >> 32 & kMaxGap) : last_end)};
  }
  /// Calls `f(span)` for each span from `from` on, in order: a group at a time, each span's
  /// begin taken from the end before it, so one record is read per span. `f` gets the whole
  /// span; inlined, what `f` does not read is not decoded. The cheapest whole pass.
  template <class F>
  void for_each(F&& f, std::size_t from = 0) const {
    for (std::size_t i = from; i < size_;) {
      const Record* group = groups_.group(i / kGroup);
      const std::uint64_t base = lo_of(group[0]);
      std::size_t at = i % kGroup;
      const std::size_t stop = std::min(kGroup, size_ - (i - at));
      std::uint64_t last_end = at > 0 ? static_cast<std::uint64_t>(end_of(group[at], base)) : base;
      i += stop - at;
      for (const Record* r = group + 1 + at; r != group + 1 + stop; ++r) {
        const std::uint64_t lo = lo_of(*r);
        const Span s = is_wide(lo) ? wide(lo) : decode(*r, lo, base, last_end);
        last_end = static_cast<std::uint64_t>(s.end.ns());
        f(s);
      }
    }
  }

  const_iterator begin() const;
  const_iterator end() const;

  /// Adds a span at the end.
  void push_back(const Span& s) { push(s.begin, s.end, s.subject, s.step, s.state); }
  /// push_back() of the span these fields make (what a producer records, without making it:
  /// the fields come in registers). The usual span (in a group begun, with room, that fits
  /// a record) is written here, with no call but the last: any other goes to push_anyhow()
  /// as a tail call, so this path saves few registers. One compare says whether a group has
  /// begun and has room (set_room()).
  [[gnu::noinline]] void push(Time begin, Time end, std::uint32_t subject, std::uint16_t step, SpanState state) {
    push_inline(begin, end, subject, step, state);
  }
  /// A span a producer keeps open until it ends (TraceBuilder's lane buffer): where it began
  /// and its labels, in the producer's own memory.
  struct Open {
    Time begin;
    std::uint32_t subject = kNone;
    std::uint16_t step = kNoStep;
    SpanState state = SpanState::Running;
    /// Whether the producer has a span open (the fields above are that span's): in the
    /// struct's last byte, which was padding, beside the labels set_state() compares.
    bool open = false;
  };
  static_assert(sizeof(Open) == 16);
  /// push() of `open`, ended at `end`: the same record, with the labels read here from where
  /// the producer keeps them rather than passed in registers. Three arguments leave the usual
  /// path registers of its own (push()'s five saved two and restored them), and the caller
  /// loads nothing for the call. noipa: GCC would otherwise pass the fields as scalars again (IPA-SRA).
  [[gnu::noipa]] void push_open(const Open& open, Time end) {
    // push_inline()'s checks and record, written so that the usual path keeps few values
    // live (no register saved): the labels are read where they are used, and the rare path
    // reads them again from `open`.
    Record* const r = next_;
    const std::uint64_t reach = static_cast<std::uint64_t>(end.ns()) - static_cast<std::uint64_t>(base_);
    const std::uint64_t gap = static_cast<std::uint64_t>(open.begin.ns()) - static_cast<std::uint64_t>(last_end_);
    const std::uint32_t label = open.subject + 1u;
    std::uint64_t time = reach;
    if (r == room_end_ || label > kMaxSubject + 1) [[unlikely]] goto anyhow;
    if (gap == 0) [[likely]] {
      if (reach >> 57 != 0) goto anyhow;
    } else {
      if ((gap >> 25 | reach >> 32) != 0) goto anyhow;
      time |= kGapBit | gap << 32;
    }
    write(*r, time | static_cast<std::uint64_t>(open.state) << 58 | std::uint64_t{label >> 16} << 62,
          label << 16 | open.step);
    next_ = r + 1;
    last_end_ = end.ns();
    ++size_;
    return;
  anyhow:
    push_anyhow(open.begin, end, open.subject, open.step, open.state);
  }
  /// push() written where it is called: for a producer's loop that records a span per step
  /// (a stretch of statements, docs/model.md U4), where push()'s call and the registers it
  /// saves cost more than the writing.
  [[gnu::always_inline]] void push_inline(Time begin, Time end, std::uint32_t subject, std::uint16_t step,
                                          SpanState state) {
    if (next_ == room_end_) [[unlikely]] return push_anyhow(begin, end, subject, step, state);
    // In unsigned arithmetic, as encode() does; a field fits its range when no bit is set
    // past the range's width.
    static_assert(kMaxReach >> 56 == 1 && kMaxReachAfterGap >> 31 == 1 && kMaxGap >> 24 == 1 &&
                  (kMaxSubject + 1) >> 17 == 1 && ((kMaxReach + 1) & kMaxReach) == 0 &&
                  ((kMaxReachAfterGap + 1) & kMaxReachAfterGap) == 0 && ((kMaxGap + 1) & kMaxGap) == 0 &&
                  ((kMaxSubject + 2) & (kMaxSubject + 1)) == 0);
    // One test at a time: fewer values live at once, so fewer registers to save.
    const std::uint64_t reach = static_cast<std::uint64_t>(end.ns()) - static_cast<std::uint64_t>(base_);
    std::uint64_t time = reach;
    if (begin.ns() == last_end_) [[likely]] {
      if (reach >> 57 != 0) return push_anyhow(begin, end, subject, step, state);
    } else {
      const std::uint64_t gap = static_cast<std::uint64_t>(begin.ns()) - static_cast<std::uint64_t>(last_end_);
      if (gap >> 25 != 0 || reach >> 32 != 0) return push_anyhow(begin, end, subject, step, state);
      time |= kGapBit | gap << 32;
    }
    const std::uint32_t label = subject + 1u;
    if (label >> 18 != 0) [[unlikely]] return push_anyhow(begin, end, subject, step, state);
    write(*next_++, time | static_cast<std::uint64_t>(state) << 58 | std::uint64_t{label >> 16} << 62, label << 16 | step);
    last_end_ = end.ns();
    ++size_;
  }
  /// push_inline() for a producer's loop that stores span after span here (a stretch of
  /// steps in one piece, docs/model.md U4): the store's place (its next record, the room's end,
  /// the group's base, the last end, the count) held in the appender, in registers rather than
  /// read again after each record written, and put back when it ends. The rare span (a
  /// group's first, one kept whole) goes through the store's own push. Nothing else may
  /// push to the store while an appender holds it.
  class Appender;
  /// Whether the last span ends at `at` with these labels: a producer's span that a new one
  /// with the same labels continues (take_back() it, and push it again when it ends).
  /// Inline, the usual answer (the last span ends earlier) costs the producer no call.
  [[gnu::always_inline]] bool back_continues(Time at, SpanState state, std::uint32_t subject, std::uint16_t step) const {
    if (size_ == 0 || last_end_ != at.ns()) [[likely]] return false;
    return back_has(state, subject, step);
  }
  /// Removes the last span and gives it back (a producer continuing it: rare).
  [[gnu::noinline]] Span take_back() {
    assert(size_ > 0);
    const Span last = back();
    if (is_wide(lo_of(groups_.group((size_ - 1) / kGroup)[1 + (size_ - 1) % kGroup]))) wide_->pop_back();
    --size_;
    // Its group's base goes with the group's only span (the group stays allocated, for the
    // next push()). base_ is the last span's group's again: a further take_back() may leave a
    // span of the group before last, and the next push() writes after it from that group's base.
    set_room();
    if (size_ > 0) {
      base_ = static_cast<std::int64_t>(lo_of(groups_.group((size_ - 1) / kGroup)[0]));
      last_end_ = back().end.ns();
    }
    return last;
  }
  /// Adds `count` spans at the end, copied from `spans`.
  void append(const Span* spans, std::size_t count) {
    groups_.reserve_groups((size_ + count + kGroup - 1) / kGroup);
    for (std::size_t i = 0; i < count; ++i) {
      const Span& s = spans[i];
      encode(*slot(s.begin.ns()), s);
      last_end_ = s.end.ns();
      ++size_;
    }
    set_room();
  }
  /// Takes its groups after the first from `arena` (a run's lanes: see GroupStore); before
  /// its first group is full.
  void use_arena(std::shared_ptr<GroupArena> arena) { groups_.use_arena(std::move(arena)); }
  /// Room for `count` spans' groups in the table, none allocated (the groups are allocated as
  /// they are reached: pages never written cost nothing); an empty store that fits one group
  /// gets it, for exactly `count` (a store that knows its size).
  void reserve(std::size_t count) {
    groups_.reserve_groups((count + kGroup - 1) / kGroup);
    if (size_ == 0 && groups_.groups() <= 1 && count > 0 && count <= kGroup) {
      groups_.make_room(0, records_for(count), true);
      set_room();
    }
  }
  /// Empties the store and keeps its memory.
  void clear() {
    if (wide_) wide_->clear();
    size_ = 0;
    set_room();
  }

  /// The records' ranges, inclusive (for the tests at their edges): the largest subject;
  /// a span's end from its group's base when it begins where the last one ended, and when
  /// it begins after a gap; the longest gap.
  static constexpr std::uint32_t kMaxSubject = (1u << 18) - 2;
  static constexpr std::uint64_t kMaxReach = (std::uint64_t{1} << 57) - 1;
  static constexpr std::uint64_t kMaxReachAfterGap = (std::uint64_t{1} << 32) - 1;
  static constexpr std::uint64_t kMaxGap = (std::uint64_t{1} << 25) - 1;
  /// Spans per group (one base record before them).
  static constexpr std::size_t kGroup = 64;
  /// The bytes of a group's records, its base's and its spans' (a run's arena hands out these).
  static constexpr std::size_t kGroupBytes = (kGroup + 1) * sizeof(Record);

 private:
  static constexpr std::size_t kGroupRecords = kGroup + 1;
  static constexpr std::uint64_t kWide = 15;  ///< state bits of a record for a whole span
  static_assert(kSpanStateCount <= static_cast<int>(kWide), "a new SpanState needs a wider state field");
  static constexpr std::uint64_t kTimeMask = kMaxReach;
  static constexpr std::uint64_t kGapBit = std::uint64_t{1} << 57;

  /// Records holding `count` spans: theirs and a base per group.
  static std::size_t records_for(std::size_t count) { return count + (count + kGroup - 1) / kGroup; }

  static void write(Record& r, std::uint64_t lo, std::uint32_t hi) {
    r.w[0] = static_cast<std::uint32_t>(lo);
    r.w[1] = static_cast<std::uint32_t>(lo >> 32);
    r.w[2] = hi;
  }
  static std::uint64_t lo_of(const Record& r) { return r.w[0] | std::uint64_t{r.w[1]} << 32; }

  /// Whether the last span has these labels.
  [[gnu::noinline]] bool back_has(SpanState state, std::uint32_t subject, std::uint16_t step) const {
    const Span last = back();
    return last.state == state && last.subject == subject && last.step == step;
  }
  /// push() of any span: a group's first, one that needs room, one kept whole.
  [[gnu::noinline]] void push_anyhow(Time begin, Time end, std::uint32_t subject, std::uint16_t step, SpanState state) {
    const Span s{begin, end, subject, step, state, 0};
    encode(*slot(s.begin.ns()), s);
    last_end_ = s.end.ns();
    ++size_;
    set_room();
  }
  /// Where span size_'s record goes, its group given room for it (a store's first span gets
  /// room for itself alone: many lanes keep one span) and, when it begins the group, the
  /// group's base written from `begin`.
  Record* slot(std::int64_t begin) {
    const std::size_t at = size_ % kGroup;
    Record* const group = groups_.make_room(size_ / kGroup, at + 2);
    if (at == 0) start_group(group[0], begin);
    return group + 1 + at;
  }
  /// next_ and room_end_ for the records of size_ spans (after the records moved or changed):
  /// room to the end of the last group's allocation; none when the next span begins a group
  /// (push_anyhow() writes its base).
  void set_room() {
    if (size_ % kGroup == 0) {
      next_ = room_end_ = nullptr;
      return;
    }
    const std::size_t g = size_ / kGroup;
    Record* const group = groups_.group(g);
    next_ = group + 1 + size_ % kGroup;
    room_end_ = group + groups_.room(g);
  }
  /// A group's base record, `base` the begin of its first span (which needs no gap).
  void start_group(Record& out, std::int64_t base) {
    base_ = base;
    last_end_ = base;
    write(out, static_cast<std::uint64_t>(base), 0);
  }
  /// `s` written as the record after the last one (its group's base is base_). In unsigned
  /// arithmetic, so a reversed span, a negative gap or kNone need no tests of their own: a
  /// reversed span's reach and a negative gap are past their ranges, and kNone + 1 is 0.
  void encode(Record& out, const Span& s) {
    const std::uint32_t subject = s.subject + 1u;
    const std::uint64_t reach = static_cast<std::uint64_t>(s.end.ns()) - static_cast<std::uint64_t>(base_);
    const std::uint64_t gap = static_cast<std::uint64_t>(s.begin.ns()) - static_cast<std::uint64_t>(last_end_);
    std::uint64_t time;
    if (gap == 0 && reach <= kMaxReach) {
      time = reach;
    } else if (gap <= kMaxGap && reach <= kMaxReachAfterGap) {
      time = kGapBit | gap << 32 | reach;
    } else {
      keep_wide(out, s);
      return;
    }
    if (subject > kMaxSubject + 1) [[unlikely]] {
      keep_wide(out, s);
      return;
    }
    write(out, time | static_cast<std::uint64_t>(s.state) << 58 | std::uint64_t{subject >> 16} << 62,
          subject << 16 | s.step);
  }
  /// `s` kept whole, `out` pointing at it. Rare, so out of line: the producers' path stays short.
  [[gnu::noinline]] void keep_wide(Record& out, const Span& s) {
    if (!wide_) wide_ = std::make_unique<Store<Span>>();
    wide_->push_back(s);
    write(out, (wide_->size() - 1) | kWide << 58, 0);
  }

  static bool is_wide(std::uint64_t lo) { return (lo >> 58 & 0xF) == kWide; }
  /// The end of the span in `r`, whose group's base is `base`.
  std::int64_t end_of(const Record& r, std::uint64_t base) const {
    const std::uint64_t lo = lo_of(r);
    if (is_wide(lo)) [[unlikely]] return wide(lo).end.ns();
    const std::uint64_t reach = lo & kGapBit ? lo & 0xFFFF'FFFF : lo & kTimeMask;
    return static_cast<std::int64_t>(base + reach);
  }
  Span get(std::size_t i) const {
    const Record* group = groups_.group(i / kGroup);
    const std::size_t at = i % kGroup;
    const std::uint64_t lo = lo_of(group[1 + at]);
    if (is_wide(lo)) [[unlikely]] return wide(lo);
    const std::uint64_t base = lo_of(group[0]);
    return decode(group[1 + at], lo, base, at > 0 ? static_cast<std::uint64_t>(end_of(group[at], base)) : base);
  }
  /// Span `i`, the one before it ending at `last_end` (a sequential reader's: one record read).
  Span get_after(std::size_t i, std::int64_t last_end) const {
    const Record* group = groups_.group(i / kGroup);
    const std::size_t at = i % kGroup;
    const std::uint64_t lo = lo_of(group[1 + at]);
    if (is_wide(lo)) [[unlikely]] return wide(lo);
    const std::uint64_t base = lo_of(group[0]);
    return decode(group[1 + at], lo, base, at > 0 ? static_cast<std::uint64_t>(last_end) : base);
  }
  /// The span in `r` (not wide; `lo` its low words), its group's base `base`, the span before
  /// it (or the base, for a group's first) ending at `last_end`.
  static Span decode(const Record& r, std::uint64_t lo, std::uint64_t base, std::uint64_t last_end) {
    std::uint64_t reach = lo & kTimeMask;
    std::uint64_t begin = last_end;
    if (lo & kGapBit) {
      reach = lo & 0xFFFF'FFFF;
      begin += lo >> 32 & kMaxGap;
    }
    const std::uint32_t hi = r.w[2];
    return Span{Time{static_cast<std::int64_t>(begin)}, Time{static_cast<std::int64_t>(base + reach)},
                (static_cast<std::uint32_t>(lo >> 62) << 16 | hi >> 16) - 1u,  // 0 is kNone
                static_cast<std::uint16_t>(hi), static_cast<SpanState>(lo >> 58 & 0xF), 0};
  }
  /// The whole span a record points at. Out of line, like keep_wide: readers' loops stay short.
  [[gnu::noinline]] Span wide(std::uint64_t lo) const { return (*wide_)[static_cast<std::size_t>(lo & kTimeMask)]; }

  // What push() reads and writes first, together (a producer's lane buffer keeps them in
  // its first cache line).
  Record* next_ = nullptr;             ///< where the next span's record goes
  Record* room_end_ = nullptr;         ///< the end of push()'s room (next_ there: none, see set_room())
  std::int64_t base_ = 0;              ///< the last group's base
  std::int64_t last_end_ = 0;          ///< the last span's end
  std::size_t size_ = 0;               ///< spans
  GroupStore<Record, kGroup + 1> groups_;  ///< per group of 64 spans, its base and their records
  std::unique_ptr<Store<Span>> wide_;  ///< the spans that do not fit a record, in order; made at the first
};

class SpanStore::Appender {
 public:
  explicit Appender(SpanStore& store)
      : store_(store),
        next_(store.next_),
        room_end_(store.room_end_),
        base_(store.base_),
        last_end_(store.last_end_),
        size_(store.size_) {}
  Appender(const Appender&) = delete;
  Appender& operator=(const Appender&) = delete;
  ~Appender() { put_back(); }

  /// The last span's end: where a span push_next() adds begins.
  std::int64_t last_end() const { return last_end_; }
  /// push() of a span that begins where the last one ended (the caller checked last_end()
  /// once, and each span after that begins at the end of the one it pushed before): a
  /// stretch's steps in one piece (docs/model.md U4), with no look at the begin.
  [[gnu::always_inline]] void push_next(Time end, std::uint32_t subject, std::uint16_t step, SpanState state) {
    const std::uint64_t reach = static_cast<std::uint64_t>(end.ns()) - static_cast<std::uint64_t>(base_);
    const std::uint32_t label = subject + 1u;
    if (next_ == room_end_ || label >> 18 != 0 || reach >> 57 != 0) [[unlikely]] {
      return push_anyhow(Time{last_end_}, end, subject, step, state);
    }
    write(*next_++, reach | static_cast<std::uint64_t>(state) << 58 | std::uint64_t{label >> 16} << 62, label << 16 | step);
    last_end_ = end.ns();
    ++size_;
  }
  /// push() of a span that begins after a gap (a lock's Held spans, the with statement's
  /// work between them); one that begins where the last ended goes the long way, as does
  /// any that does not fit a record.
  [[gnu::always_inline]] void push_after_gap(Time begin, Time end, std::uint32_t subject, std::uint16_t step,
                                             SpanState state) {
    const std::uint64_t reach = static_cast<std::uint64_t>(end.ns()) - static_cast<std::uint64_t>(base_);
    const std::uint64_t gap = static_cast<std::uint64_t>(begin.ns()) - static_cast<std::uint64_t>(last_end_);
    const std::uint32_t label = subject + 1u;
    if (next_ == room_end_ || gap == 0 || (gap >> 25 | reach >> 32) != 0 || label >> 18 != 0) [[unlikely]] {
      return push_anyhow(begin, end, subject, step, state);
    }
    write(*next_++,
          reach | kGapBit | gap << 32 | static_cast<std::uint64_t>(state) << 58 | std::uint64_t{label >> 16} << 62,
          label << 16 | step);
    last_end_ = end.ns();
    ++size_;
  }
  /// The place a producer's loop writes records at itself, between two calls that keep the
  /// store's place (a stretch's whole statements, docs/model.md U4): up to room() records
  /// from next(), each made by put() from a span's end less base() (under 2^57 for a span
  /// that begins where the last one ended, under 2^32 after a gap of under 2^25, a subject
  /// under kMaxSubject + 1), then advance() past them.
  Record* next() const { return next_; }
  /// Records left before the group's room ends (none when the next span begins a group).
  std::size_t room() const { return static_cast<std::size_t>(room_end_ - next_); }
  std::int64_t base() const { return base_; }
  /// The labels' part of a record's low words, and its high word.
  static std::uint64_t labels_lo(std::uint32_t subject, SpanState state) {
    return static_cast<std::uint64_t>(state) << 58 | std::uint64_t{(subject + 1u) >> 16} << 62;
  }
  static std::uint32_t labels_hi(std::uint32_t subject, std::uint16_t step) { return (subject + 1u) << 16 | step; }
  /// The gap's part of a record's low words (a span that begins after one).
  static std::uint64_t gap_lo(std::uint64_t gap) { return kGapBit | gap << 32; }
  /// A record: the span's time (its end less base(), with gap_lo() after a gap) or'ed with
  /// labels_lo(), and labels_hi().
  static void put(Record& r, std::uint64_t lo, std::uint32_t hi) {
    if constexpr (std::endian::native == std::endian::little) {
      // Two stores, where write()'s three words may be packed by the compiler through vector
      // registers: the low words are w[0] | w[1] << 32 in this byte order.
      std::memcpy(&r.w[0], &lo, sizeof lo);
      r.w[2] = hi;
    } else {
      write(r, lo, hi);
    }
  }
  /// The records up to `to` written (put()), the last of them a span ending at `last_end`.
  void advance(Record* to, Time last_end) {
    size_ += static_cast<std::size_t>(to - next_);
    next_ = to;
    last_end_ = last_end.ns();
  }
  /// push_inline(), on the appender's copy of the store's place.
  [[gnu::always_inline]] void push(Time begin, Time end, std::uint32_t subject, std::uint16_t step, SpanState state) {
    const std::uint64_t reach = static_cast<std::uint64_t>(end.ns()) - static_cast<std::uint64_t>(base_);
    const std::uint32_t label = subject + 1u;
    std::uint64_t time = reach;
    if (next_ == room_end_ || label >> 18 != 0) [[unlikely]] return push_anyhow(begin, end, subject, step, state);
    if (begin.ns() == last_end_) [[likely]] {
      if (reach >> 57 != 0) [[unlikely]] return push_anyhow(begin, end, subject, step, state);
    } else {
      const std::uint64_t gap = static_cast<std::uint64_t>(begin.ns()) - static_cast<std::uint64_t>(last_end_);
      if ((gap >> 25 | reach >> 32) != 0) [[unlikely]] return push_anyhow(begin, end, subject, step, state);
      time |= kGapBit | gap << 32;
    }
    write(*next_++, time | static_cast<std::uint64_t>(state) << 58 | std::uint64_t{label >> 16} << 62, label << 16 | step);
    last_end_ = end.ns();
    ++size_;
  }

 private:
  void put_back() {
    store_.next_ = next_;
    store_.room_end_ = room_end_;
    store_.base_ = base_;
    store_.last_end_ = last_end_;
    store_.size_ = size_;
  }
  [[gnu::noinline]] void push_anyhow(Time begin, Time end, std::uint32_t subject, std::uint16_t step, SpanState state) {
    put_back();
    store_.push_anyhow(begin, end, subject, step, state);
    next_ = store_.next_;
    room_end_ = store_.room_end_;
    base_ = store_.base_;
    last_end_ = store_.last_end_;
    size_ = store_.size_;
  }

  SpanStore& store_;
  Record* next_;
  Record* room_end_;
  std::int64_t base_;
  std::int64_t last_end_;
  std::size_t size_;
};

/// A random-access iterator that keeps the span it last read: a span begins from the end of
/// the one before it, so reading the next one (++it, range-for) decodes its record alone,
/// while a jump (a binary search, it += n, --it) reads it whole, as operator[] does.
/// Copies are independent; one iterator is not for two threads at once.
class SpanStore::const_iterator : public IndexIterator<SpanStore::const_iterator, Span> {
 public:
  const_iterator() = default;
  const_iterator(const SpanStore* store, std::size_t i) : IndexIterator(i), store_(store) {}

  Span operator*() const {
    const difference_type i = index();
    if (read_ != i) {
      last_ = read_ == i - 1 ? store_->get_after(static_cast<std::size_t>(i), last_.end.ns())
                             : store_->get(static_cast<std::size_t>(i));
      read_ = i;
    }
    return last_;
  }

 private:
  static constexpr difference_type kNoneRead = std::numeric_limits<difference_type>::min();

  const SpanStore* store_ = nullptr;
  mutable difference_type read_ = kNoneRead;  ///< the index of last_, the span last read
  mutable Span last_;
};

inline SpanStore::const_iterator SpanStore::begin() const { return {this, 0}; }
inline SpanStore::const_iterator SpanStore::end() const { return {this, size()}; }

}  // namespace gilsim::trace
