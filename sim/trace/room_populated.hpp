// A vector's reserved room made resident ahead of its writer: on this virtual machine a page
// faulted in by its first write costs several times one populated in a call (storage::fault_in),
// and a reader that pushes millions of items into a list reserved for them would fault each
// page in, one write at a time.
#pragma once

#include <algorithm>
#include <cstddef>
#include <vector>

#include "sim/trace/store.hpp"

namespace gilsim::trace {

template <class T>
class RoomPopulated {
 public:
  /// Makes `v`'s room resident up to element `until` (at most its capacity), past its items:
  /// call it before pushing what may reach there (a lane's worth, not the whole reserve, which
  /// is an upper bound that may never be reached).
  void up_to(std::vector<T>& v, std::size_t until) {
    if (v.data() != data_) {  // moved to a new allocation: its items were written there
      data_ = v.data();
      populated_ = v.size();
    }
    const std::size_t from = std::max(populated_, v.size());
    until = std::min(until, v.capacity());
    if (until <= from) return;
    storage::fault_in(reinterpret_cast<char*>(v.data() + from), (until - from) * sizeof(T));
    populated_ = until;
  }

 private:
  const T* data_ = nullptr;
  std::size_t populated_ = 0;
};

}  // namespace gilsim::trace
