// Ordering a MarkStore by time: the packed records move, the whole marks they stand for stay.
#include "sim/trace/mark_store.hpp"

#include <algorithm>

namespace gilsim::trace {

bool MarkStore::sorted_by_time() const {
  for (std::size_t i = 1; i < packed_.size(); ++i) {
    if (time_of(packed_[i]) < time_of(packed_[i - 1])) return false;
  }
  return true;
}

void MarkStore::stable_sort_by_time() {
  if (sorted_by_time()) return;
  std::stable_sort(packed_.begin(), packed_.end(),
                   [this](const Packed& a, const Packed& b) { return time_of(a) < time_of(b); });
}

}  // namespace gilsim::trace
