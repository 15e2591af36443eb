// Merging sorted runs gives exactly what a stable sort of the whole would.
#include "viz/sorted_runs.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <cstdint>
#include <random>
#include <utility>
#include <vector>

using gilsim::viz::merge_sorted_runs;

namespace {

/// (key, tag): sorted by key only, so the tags show whether ties kept their order.
using Item = std::pair<int, int>;
bool by_key(const Item& a, const Item& b) { return a.first < b.first; }

}  // namespace

TEST_CASE("merging sorted runs equals a stable sort, ties in run order") {
  std::mt19937 random(11);
  for (int runs : {0, 1, 2, 3, 7, 64, 65, 1000}) {
    CAPTURE(runs);
    std::vector<Item> items;
    std::vector<std::size_t> starts;
    for (int r = 0; r < runs; ++r) {
      starts.push_back(items.size());
      const int length = static_cast<int>(random() % 40);  // some runs are empty
      int key = static_cast<int>(random() % 20);
      for (int i = 0; i < length; ++i) {
        key += static_cast<int>(random() % 3);  // repeats within a run too
        items.push_back({key, static_cast<int>(items.size())});
      }
    }
    std::vector<Item> expected = items;
    std::stable_sort(expected.begin(), expected.end(), by_key);
    merge_sorted_runs(items, starts, by_key);
    CHECK(items == expected);
  }
}

TEST_CASE("runs given without a start at 0 still cover the items before the first start") {
  std::vector<Item> items{{5, 0}, {6, 1}, {1, 2}, {5, 3}};
  merge_sorted_runs(items, {2}, by_key);
  CHECK(items == std::vector<Item>{{1, 2}, {5, 0}, {5, 3}, {6, 1}});
}
