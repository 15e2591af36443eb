// Merging runs that are each sorted already (a trace's marks, each lane's spans, each run of
// a session) into one sorted sequence: log2(runs) passes of merges instead of a whole sort.
#pragma once

#include <algorithm>
#include <cstddef>
#include <vector>

namespace gilsim::viz {

/// `items` holds sorted runs back to back, run i from starts[i] to starts[i + 1] (or the end).
/// Sorts it by `less`; stable: equal items keep the order of their runs, then their order in
/// a run, so the result is what std::stable_sort would give, in O(n log(runs)).
template <class T, class Less>
void merge_sorted_runs(std::vector<T>& items, std::vector<std::size_t> starts, Less less) {
  std::erase_if(starts, [&](std::size_t s) { return s >= items.size(); });
  if (starts.empty() || starts.front() != 0) starts.insert(starts.begin(), 0);
  starts.erase(std::unique(starts.begin(), starts.end()), starts.end());
  if (starts.size() <= 1) return;
  starts.push_back(items.size());
  std::vector<T> buffer(items.size());
  std::vector<T>* from = &items;
  std::vector<T>* to = &buffer;
  while (starts.size() > 2) {
    std::vector<std::size_t> merged{0};
    for (std::size_t i = 0; i + 1 < starts.size(); i += 2) {
      const auto first = from->begin() + static_cast<std::ptrdiff_t>(starts[i]);
      const auto middle = from->begin() + static_cast<std::ptrdiff_t>(starts[i + 1]);
      const auto last = i + 2 < starts.size() ? from->begin() + static_cast<std::ptrdiff_t>(starts[i + 2]) : middle;
      std::merge(first, middle, middle, last, to->begin() + static_cast<std::ptrdiff_t>(starts[i]), less);
      merged.push_back(static_cast<std::size_t>(last - from->begin()));
    }
    starts.swap(merged);
    std::swap(from, to);
  }
  if (from != &items) items.swap(buffer);
}

}  // namespace gilsim::viz
