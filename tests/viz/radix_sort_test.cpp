#include <doctest/doctest.h>

#include <algorithm>
#include <cstdint>
#include <limits>
#include <random>
#include <span>
#include <utility>
#include <vector>

#include "viz/radix_sort.hpp"

using gilsim::viz::stable_sort_by_key;

namespace {

// (key, the item's place before sorting): the place shows whether equal keys kept their order.
using Item = std::pair<std::int64_t, std::uint32_t>;

std::vector<Item> numbered(const std::vector<std::int64_t>& keys) {
  std::vector<Item> items;
  for (std::uint32_t i = 0; i < keys.size(); ++i) items.emplace_back(keys[i], i);
  return items;
}

void check_sorts_as_stable_sort(const std::vector<std::int64_t>& keys) {
  std::vector<Item> sorted = numbered(keys);
  std::vector<Item> expected = sorted;
  std::stable_sort(expected.begin(), expected.end(), [](const Item& a, const Item& b) { return a.first < b.first; });
  stable_sort_by_key(sorted, [](const Item& item) { return item.first; });
  CHECK(sorted == expected);
}

}  // namespace

TEST_CASE("the radix sort orders as std::stable_sort does, equal keys in their order") {
  std::mt19937_64 random(7);
  SUBCASE("few items (the plain sort)") {
    std::vector<std::int64_t> keys;
    for (int i = 0; i < 500; ++i) keys.push_back(static_cast<std::int64_t>(random() % 40));
    check_sorts_as_stable_sort(keys);
  }
  SUBCASE("times of a run: nanoseconds over seconds, many equal") {
    std::vector<std::int64_t> keys;
    for (int i = 0; i < 50'000; ++i) keys.push_back(static_cast<std::int64_t>(random() % 3'000'000'000) / 1000 * 1000);
    check_sorts_as_stable_sort(keys);
  }
  SUBCASE("negative keys and the whole range of an int64") {
    std::vector<std::int64_t> keys;
    for (int i = 0; i < 20'000; ++i) keys.push_back(static_cast<std::int64_t>(random()));
    keys.push_back(std::numeric_limits<std::int64_t>::min());
    keys.push_back(std::numeric_limits<std::int64_t>::max());
    keys.push_back(std::numeric_limits<std::int64_t>::min());
    check_sorts_as_stable_sort(keys);
  }
  SUBCASE("a digit the same for every item (its pass skipped) and keys already sorted or reversed") {
    std::vector<std::int64_t> keys;
    for (int i = 0; i < 5'000; ++i) keys.push_back((std::int64_t{1} << 40) + (i % 2048));  // only the low digit varies
    check_sorts_as_stable_sort(keys);
    std::vector<std::int64_t> ascending(5'000), descending(5'000);
    for (int i = 0; i < 5'000; ++i) ascending[static_cast<std::size_t>(i)] = descending[static_cast<std::size_t>(4'999 - i)] = i * 977;
    check_sorts_as_stable_sort(ascending);
    check_sorts_as_stable_sort(descending);
  }
  SUBCASE("one key for all") { check_sorts_as_stable_sort(std::vector<std::int64_t>(3'000, -5)); }
}

TEST_CASE("the chunks' radix sort orders keys of a given width, through a scratch kept between calls") {
  std::mt19937 random(11);
  std::vector<std::uint32_t> scratch;
  for (const int bits : {12, 23, 32}) {
    CAPTURE(bits);
    for (const std::size_t n : {std::size_t{100}, std::size_t{5'000}, std::size_t{70'000}}) {
      std::vector<std::uint32_t> keys(n);
      for (std::uint32_t& k : keys) k = bits == 32 ? random() : random() & ((std::uint32_t{1} << bits) - 1);
      std::vector<std::uint32_t> expected = keys;
      std::sort(expected.begin(), expected.end());
      gilsim::viz::sort_by_low_bits(std::span<std::uint32_t>(keys), bits, scratch);
      CHECK(keys == expected);
    }
  }
}
