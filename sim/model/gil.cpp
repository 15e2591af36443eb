// The GIL's own state transitions (G1, G3, G6, G8).
#include "sim/model/gil.hpp"

#include <algorithm>
#include <cassert>

namespace gilsim::model {

Gil::Taken Gil::take(std::uint32_t thread, Time now) {
  assert(!locked && "take() of a locked GIL; wait for it instead");
  locked = true;
  holder = thread;
  held_since = now;
  Taken taken{.switched = last_holder != thread, .previous = last_holder, .after_forced_drop = forced_drop};
  if (taken.switched) {
    last_holder = thread;
    waiters.on_switch(now);
  }
  drop_request = false;
  forced_drop = false;
  return taken;
}

void Gil::drop(std::uint32_t thread) {
  assert(locked && holder == thread && "drop() by a thread that does not hold the GIL");
  (void)thread;
  locked = false;
  holder = kNobody;
}

void Gil::release_switch_waiters(std::uint32_t taker, std::vector<std::uint32_t>& released) {
  released.clear();
  if (switch_waiters.empty()) return;
  if (switch_waiters.size() == 1) {  // one dropper, the usual case: no search
    if (switch_waiters.front() != taker) released.swap(switch_waiters);
    return;
  }
  const bool taker_waits = std::find(switch_waiters.begin(), switch_waiters.end(), taker) != switch_waiters.end();
  released.swap(switch_waiters);
  if (taker_waits) {
    std::erase(released, taker);
    switch_waiters.push_back(taker);
  }
}

}  // namespace gilsim::model
