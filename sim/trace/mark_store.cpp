// Ordering a MarkStore by time.
#include "sim/trace/mark_store.hpp"

#include <algorithm>
#include <vector>

namespace gilsim::trace {

bool MarkStore::sorted_by_time() const {
  for (std::size_t i = 1; i < size_; ++i) {
    if (time_at(i) < time_at(i - 1)) return false;
  }
  return true;
}

void MarkStore::stable_sort_by_time() {
  if (sorted_by_time()) return;
  // Only producers whose marks arrive out of order sort (measured runs, small): the marks
  // are read out, sorted and stored again, so pairs form where the new order makes them.
  std::vector<Mark> marks(begin(), end());
  std::stable_sort(marks.begin(), marks.end(), [](const Mark& a, const Mark& b) { return a.at < b.at; });
  clear();
  for (const Mark& m : marks) push_back(m);
}

}  // namespace gilsim::trace
