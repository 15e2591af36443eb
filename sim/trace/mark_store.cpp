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
  if (pair_holder_ != kNoPair) settle_pending();  // records are about to move: none pending
  if (size_ == packed_.size()) {
    // No pairs: the records move, the whole marks they stand for stay, and each group's
    // base becomes its new first mark's time.
    std::stable_sort(packed_.begin(), packed_.end(),
                     [this](const Packed& a, const Packed& b) { return time_of(a) < time_of(b); });
    for (std::size_t g = 0; g < groups_.size(); ++g) groups_[g].base = time_of(packed_[g * 64]).ns();
    group_base_ = groups_.back().base;  // sorted_by_time() was false: there are marks
    return;
  }
  // Pairs out of order (only producers whose marks arrive out of order sort: measured runs,
  // small): the marks are read out, sorted and stored again.
  std::vector<Mark> marks(begin(), end());
  std::stable_sort(marks.begin(), marks.end(), [](const Mark& a, const Mark& b) { return a.at < b.at; });
  clear();
  for (const Mark& m : marks) push_back(m);
}

}  // namespace gilsim::trace
