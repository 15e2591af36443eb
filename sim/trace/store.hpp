// Contiguous storage for the trace's spans and marks that does not fight the kernel.
//
// A Store<T> reads like a vector (size, [], begin/end as pointers, back, std::span), but
// once it outgrows kMappedFrom bytes its contents live in their own anonymous mapping:
//   - growing moves the pages to a larger mapping (mremap), it never copies them;
//   - the pages it is about to fill are faulted in ahead, a stretch at a time (a 64th of
//     what it holds, 64 KiB to 2 MiB) with one madvise(MADV_POPULATE_WRITE) instead of a
//     fault per 4 KiB page; what a store holds resident past its last item is at most one
//     stretch, where a huge page would hold up to 2 MiB (a run's few large lanes and its
//     marks wasted about a tenth of the trace's memory so);
//   - mappings are 2 MiB aligned (where the kernel gives huge pages unasked, they fit), but
//     not advised for huge pages: on a virtual machine that hands freed memory back to its
//     host, a fresh huge page faulted in at 130-160 MB/s where 4 KiB pages came at about
//     2 GB/s (docs/performance.md, "Huge pages on a fresh machine");
//   - in mappings of 32 MiB and more, the two stretches past that one are populated by a small
//     worker thread ahead of the writer, so that with a spare core the kernel zeroes them
//     beside the simulation, not in it (populator.hpp);
//   - a released mapping goes to a small process-wide cache and the next run's stores take
//     it with its pages already resident (a viewer re-simulating on a knob change faults
//     nothing in).
// Smaller stores live in malloc. Only for trivially copyable T. (A lane's spans are kept a
// group at a time instead, never copied as the lane grows: GroupStore.)
#pragma once

#include <atomic>
#include <cassert>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <initializer_list>
#include <new>
#include <stdexcept>
#include <type_traits>
#include <utility>
#include <vector>

namespace gilsim::trace {

namespace storage {

/// Stores up to this many bytes live in malloc; larger ones in their own mappings.
inline constexpr std::size_t kMappedFrom = std::size_t{512} << 10;
/// Mappings are whole, aligned huge pages (2 MiB on x86-64 and arm64).
inline constexpr std::size_t kHugePage = std::size_t{2} << 20;
/// Released mappings kept for reuse, in bytes at most.
inline constexpr std::size_t kCacheLimit = std::size_t{256} << 20;
/// Mappings of at least this many bytes have their pages populated ahead of the writer on
/// a worker thread (populator.hpp); smaller ones, a run's first tens of MiB, by the writer
/// alone (docs/performance.md, "Pages populated ahead of the writer").
inline constexpr std::size_t kPopulatedAheadFrom = std::size_t{32} << 20;

struct Region {
  void* data = nullptr;
  std::size_t bytes = 0;
};

/// A mapping of at least `min_bytes` (a power of two, at least kHugePage): the smallest
/// cached one that fits, else a fresh one. Throws std::bad_alloc when the kernel refuses.
Region map_region(std::size_t min_bytes);
/// `r` moved to a mapping of at least `min_bytes`; its contents move with it (no copy).
Region grow_region(Region r, std::size_t min_bytes);
/// How many bytes of `r` to make resident for a store that has `committed` of them and needs
/// `needed`: `needed` and a stretch ahead, faulted in at once. Returns the new committed size
/// (at most r.bytes). Without MADV_POPULATE_WRITE the pages fault in as they are written.
std::size_t commit(Region r, std::size_t committed, std::size_t needed);
/// Gives `r` to the cache, or back to the kernel when the cache is full.
void release_region(Region r);
/// What the cache holds now, in bytes.
std::size_t cached_bytes();
/// Returns every cached mapping to the kernel.
void drop_cache();

/// A mapping's length and how many of its first bytes a run wrote (GroupArena::mappings_for).
struct Extent {
  std::size_t bytes = 0;
  std::size_t used = 0;
};
/// Makes the cache hold, for each of `wanted` (in turn, until `stop`), a fresh mapping of
/// its length (rounded up as map_region() rounds) with its first `used` bytes populated
/// (MADV_POPULATE_WRITE, a chunk at a time), so that a run that takes such mappings next
/// writes into resident pages: what the runs a viewer's knob change replaces give the
/// changes after its first. Each goes to the cache as soon as it is populated (partly, when
/// stopped in the middle), marked as warmed until taken; none past the cache's limit.
/// Returns the bytes populated. Without MADV_POPULATE_WRITE it maps and populates nothing.
std::size_t warm_cache(const std::vector<Extent>& wanted, const std::atomic<bool>& stop);
/// Faults in the pages of [from, from + bytes), memory whose bytes the caller does not need
/// (a fresh mapping, a heap block it frees next): the whole pages inside populated in one
/// call where the kernel has MADV_POPULATE_WRITE, then each page written once (a zero byte; a
/// read would map the shared zero page). On this virtual machine a page faulted in by its
/// first write cost 11 to 21 us, and a populated page still about 4 us at its first write,
/// which the writer the pages are made ready for would pay (docs/performance.md, "A knob
/// change on lesson 15, round 8"). Returns whether the kernel took the advice (false: the
/// writes faulted the pages in).
bool fault_in(char* from, std::size_t bytes);
/// Returns to the kernel the warmed mappings the cache still holds (none taken since), and
/// returns their bytes: what warm_cache() made and no run used.
std::size_t drop_warmed();
/// The bytes of warmed mappings the cache holds now.
std::size_t warmed_bytes();

}  // namespace storage

/// A record of two words: what the packed marks keep (MarkStore has its layout of the bits).
struct TwoWords {
  std::uint64_t w0 = 0;
  std::uint64_t w1 = 0;
};
static_assert(sizeof(TwoWords) == 16, "the trace's records are what its memory is");

template <class T>
class Store {
  static_assert(std::is_trivially_copyable_v<T>, "a Store moves its contents as bytes");

 public:
  using value_type = T;
  using iterator = T*;
  using const_iterator = const T*;

  Store() = default;
  Store(std::initializer_list<T> items) { append(items.begin(), items.size()); }
  Store(const Store& other) { append(other.data_, other.size_); }
  Store(Store&& other) noexcept
      : data_(std::exchange(other.data_, nullptr)),
        size_(std::exchange(other.size_, 0)),
        capacity_(std::exchange(other.capacity_, 0)),
        mapped_bytes_(std::exchange(other.mapped_bytes_, 0)) {}
  Store& operator=(Store other) noexcept {
    swap(other);
    return *this;
  }
  ~Store() { release(); }

  void swap(Store& other) noexcept {
    std::swap(data_, other.data_);
    std::swap(size_, other.size_);
    std::swap(capacity_, other.capacity_);
    std::swap(mapped_bytes_, other.mapped_bytes_);
  }

  std::size_t size() const { return size_; }
  std::size_t capacity() const { return capacity_; }
  bool empty() const { return size_ == 0; }
  /// Whether the contents live in their own mapping (see the banner).
  bool mapped() const { return mapped_bytes_ != 0; }

  T* data() { return data_; }
  const T* data() const { return data_; }
  T* begin() { return data_; }
  T* end() { return data_ + size_; }
  const T* begin() const { return data_; }
  const T* end() const { return data_ + size_; }
  T& operator[](std::size_t i) {
    assert(i < size_);
    return data_[i];
  }
  const T& operator[](std::size_t i) const {
    assert(i < size_);
    return data_[i];
  }
  const T& at(std::size_t i) const {
    if (i >= size_) throw std::out_of_range("trace store index out of range");
    return data_[i];
  }
  T& front() { return (*this)[0]; }
  const T& front() const { return (*this)[0]; }
  T& back() { return (*this)[size_ - 1]; }
  const T& back() const { return (*this)[size_ - 1]; }

  void push_back(const T& item) {
    if (size_ == capacity_) grow(size_ + 1);
    std::memcpy(static_cast<void*>(data_ + size_), &item, sizeof(T));
    ++size_;
  }
  void pop_back() {
    assert(size_ > 0);
    --size_;
  }
  /// Room for `count` items; in malloc, for exactly that many (a store that knows its size).
  void reserve(std::size_t count) {
    if (count > capacity_) grow(count, true);
  }
  /// Empties the store and keeps its memory.
  void clear() { size_ = 0; }
  /// Adds `count` items at the end, left for the caller to write at once; returns the first.
  T* extend(std::size_t count) {
    if (size_ + count > capacity_) grow(size_ + count);
    T* added = data_ + size_;
    size_ += count;
    return added;
  }
  /// Adds one item at the end, left for the caller to write, where the caller saw room
  /// (size() < capacity()): no check, so a hot path that grows elsewhere makes no call here.
  T* extend_in_room() {
    assert(size_ < capacity_);
    return data_ + size_++;
  }
  /// Makes the first `count` items the store's: ones written in room past size() (`count`
  /// at most capacity()), or the last ones dropped. For a producer that writes ahead through
  /// its own pointer and tells the store only before it grows.
  void resize_in_room(std::size_t count) {
    assert(count <= capacity_);
    size_ = count;
  }
  /// Adds `count` items at the end, copied from `items` (which must not point into this store).
  void append(const T* items, std::size_t count) {
    if (count == 0) return;
    if (size_ + count > capacity_) grow(size_ + count);
    std::memcpy(static_cast<void*>(data_ + size_), items, count * sizeof(T));
    size_ += count;
  }

 private:
  /// Room for at least `min_count` items: exactly that many in malloc when `exact`, else
  /// growing geometrically. Out of line: the callers' path, a store with room, stays short.
  [[gnu::noinline]] void grow(std::size_t min_count, bool exact = false) {
    storage::Region region{data_, mapped_bytes_};
    if (mapped_bytes_ == 0) {
      // By half again, not double: a run's thousands of thread lanes end with a third less
      // room unused on average.
      std::size_t count = exact ? min_count : capacity_ < 8 ? 8 : capacity_ + capacity_ / 2;
      if (count < min_count) count = min_count;
      const std::size_t bytes = count * sizeof(T);
      if (bytes < storage::kMappedFrom) {
        void* grown = std::realloc(static_cast<void*>(data_), bytes);
        if (grown == nullptr) throw std::bad_alloc();
        data_ = static_cast<T*>(grown);
        capacity_ = count;
        return;
      }
      region = storage::map_region(bytes);
      capacity_ = storage::commit(region, 0, min_count * sizeof(T)) / sizeof(T);
      if (size_ > 0) std::memcpy(region.data, static_cast<const void*>(data_), size_ * sizeof(T));
      std::free(static_cast<void*>(data_));
    } else {
      // Past the mapping's end: move its pages to one twice as large.
      if (min_count * sizeof(T) > mapped_bytes_) region = storage::grow_region(region, min_count * sizeof(T));
      capacity_ = storage::commit(region, capacity_ * sizeof(T), min_count * sizeof(T)) / sizeof(T);
    }
    data_ = static_cast<T*>(region.data);
    mapped_bytes_ = region.bytes;
  }

  void release() {
    if (data_ == nullptr) return;
    if (mapped_bytes_ != 0) {
      storage::release_region({data_, mapped_bytes_});
    } else {
      std::free(static_cast<void*>(data_));
    }
    data_ = nullptr;
    size_ = capacity_ = mapped_bytes_ = 0;
  }

  T* data_ = nullptr;
  std::size_t size_ = 0;
  std::size_t capacity_ = 0;
  std::size_t mapped_bytes_ = 0;  ///< the mapping's length; 0 while in malloc
  // While mapped, capacity_ counts the items that fit in the committed (resident) part.
};

}  // namespace gilsim::trace
