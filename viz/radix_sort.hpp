// Sorting millions of items by a time: a stable radix sort, a few passes over the items
// whatever their order, where a merge of each thread's sorted lane took a pass per doubling of
// the threads (14 passes over the GIL waits of 10,000 threads).
#pragma once

#include <algorithm>
#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <new>
#include <span>
#include <type_traits>
#include <limits>
#include <utility>
#include <vector>

#include "sim/trace/store.hpp"

namespace gilsim::viz {

namespace radix {
inline constexpr int kDigitBits = 11;  ///< a pass sorts by 11 bits: 2,048 buckets, whose counts stay in L1
inline constexpr std::size_t kBuckets = std::size_t{1} << kDigitBits;
using Counts = std::array<std::size_t, kBuckets>;

/// One pass: `counts` (how many items fall in each bucket) become each bucket's next place,
/// and `from`'s n items are written to `to` by bucket, in their order within each (stable).
/// `to` may be raw storage: the items are constructed there.
template <class T, class BucketOf>
void scatter(const T* from, std::size_t n, T* to, Counts& counts, BucketOf bucket_of) {
  std::size_t at = 0;
  for (std::size_t& c : counts) at += std::exchange(c, at);
  for (const T* item = from; item != from + n; ++item) ::new (to + counts[bucket_of(*item)]++) T(*item);
}
}  // namespace radix

/// Sorts `items` by `key(item)` (an int64, a time's nanoseconds), stably: items of equal keys
/// keep their order, as std::stable_sort. Least significant digit first, 11 bits a pass, over
/// the keys' range only (a run of seconds in nanoseconds: 3 passes), each a pass over the items.
template <class T, class Key>
void stable_sort_by_key(std::vector<T>& items, Key key) {
  const std::size_t n = items.size();
  if (n < 1024) {  // a histogram per pass would cost more than the sort
    std::stable_sort(items.begin(), items.end(), [&](const T& a, const T& b) { return key(a) < key(b); });
    return;
  }
  std::int64_t lowest = std::numeric_limits<std::int64_t>::max(), highest = std::numeric_limits<std::int64_t>::min();
  for (const T& item : items) {
    lowest = std::min(lowest, key(item));
    highest = std::max(highest, key(item));
  }
  using radix::kBuckets, radix::kDigitBits;
  const auto offset = [&](const T& item) { return static_cast<std::uint64_t>(key(item)) - static_cast<std::uint64_t>(lowest); };
  const int passes = (std::bit_width(static_cast<std::uint64_t>(highest) - static_cast<std::uint64_t>(lowest)) + kDigitBits - 1) / kDigitBits;
  std::vector<radix::Counts> counts(static_cast<std::size_t>(passes));
  for (const T& item : items) {
    const std::uint64_t u = offset(item);
    for (int p = 0; p < passes; ++p) ++counts[static_cast<std::size_t>(p)][u >> (p * kDigitBits) & (kBuckets - 1)];
  }
  // The buffer's pages are written once, by the first pass (a vector's would be zeroed first).
  static_assert(std::is_trivially_copy_constructible_v<T> && std::is_trivially_destructible_v<T>);
  const std::unique_ptr<T[], decltype(&std::free)> buffer(static_cast<T*>(std::malloc(n * sizeof(T))), &std::free);
  if (!buffer) throw std::bad_alloc();
  trace::storage::fault_in(reinterpret_cast<char*>(buffer.get()), n * sizeof(T));
  T* from = items.data();
  T* to = buffer.get();
  for (int p = 0; p < passes; ++p) {
    radix::Counts& next = counts[static_cast<std::size_t>(p)];
    if (std::ranges::find(next, n) != next.end()) continue;  // one digit for all: the order stays
    radix::scatter(from, n, to, next, [&](const T& item) { return offset(item) >> (p * kDigitBits) & (kBuckets - 1); });
    std::swap(from, to);
  }
  if (from != items.data()) std::copy(from, from + n, items.data());
}

/// Sorts unsigned `keys` by their low `bits` bits, a pass of kDigitBits at a time through
/// `scratch` (kept by the caller for the next call): for many small sorts whose keys stay in
/// cache (the chunks of StateCounts).
template <class Key>
void sort_by_low_bits(std::span<Key> keys, int bits, std::vector<Key>& scratch) {
  static_assert(std::is_unsigned_v<Key>);
  using radix::kBuckets, radix::kDigitBits;
  if (keys.size() < 256) {  // a histogram per pass would cost more than the sort
    std::sort(keys.begin(), keys.end());
    return;
  }
  scratch.resize(keys.size());
  Key* from = keys.data();
  Key* to = scratch.data();
  for (int shift = 0; shift < bits; shift += kDigitBits) {
    radix::Counts counts{};
    for (const Key* k = from; k != from + keys.size(); ++k) ++counts[*k >> shift & (kBuckets - 1)];
    radix::scatter(from, keys.size(), to, counts, [&](Key k) { return k >> shift & (kBuckets - 1); });
    std::swap(from, to);
  }
  if (from != keys.data()) std::copy(from, from + keys.size(), keys.data());
}

}  // namespace gilsim::viz
