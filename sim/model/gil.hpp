// One interpreter's GIL as a resource: the lock and its holder, the drop request, the timed
// waiters (GilWaitQueue, G2), the droppers waiting for a switch (G6) and the mutex that
// guards them (GilMutex, G8b). gil_rules.cpp
// decides when each happens and records it; this class keeps the GIL's own state right.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "sim/model/gil_mutex.hpp"
#include "sim/model/gil_wait_queue.hpp"
#include "sim/model/random.hpp"
#include "sim/model/timer_heap.hpp"
#include "sim/trace/trace.hpp"

namespace gilsim::model {

class Gil {
 public:
  static constexpr std::uint32_t kNobody = trace::kNone;

  Gil(std::uint32_t index, trace::LaneId lane, Time interval) : index(index), lane(lane), waiters(interval) {}

  /// How the GIL changed hands in take().
  struct Taken {
    bool switched = false;             ///< a new holder: switch_number was incremented (G3)
    std::uint32_t previous = kNobody;  ///< the holder before, if any
    bool after_forced_drop = false;    ///< the previous holder was forced out
  };
  /// `thread` takes the unlocked GIL at `now` (G1). A new holder restarts the waiters'
  /// intervals (G3); a pending drop request is consumed either way.
  Taken take(std::uint32_t thread, Time now);
  /// The holder unlocks it.
  void drop(std::uint32_t thread);
  /// COND_SIGNAL: wakes one timed waiter, chosen by the OS with one draw of `random`, not by
  /// arrival order (G6, G8); kNobody when nobody waits (and then nothing is drawn).
  /// Inline: once per hand-off, in drop_gil, where its call cost a tenth of its work.
  [[gnu::always_inline]] std::uint32_t signal_one(Random& random) {
    if (waiters.empty()) return kNobody;
    const std::uint32_t woken = waiters.at(random.below(waiters.size()));
    waiters.remove(woken);
    return woken;
  }
  /// `thread` dropped the GIL with a request pending and waits for another to take it (G6).
  [[gnu::always_inline]] void wait_for_switch(std::uint32_t thread) { switch_waiters.push_back(thread); }
  /// switch_cond after `taker` took it: the droppers waiting for a switch go on, in the
  /// order they began to wait, into `released`; the taker, if it was one, keeps waiting.
  void release_switch_waiters(std::uint32_t taker, std::vector<std::uint32_t>& released);
  /// When a timed waiter will set the drop request (G2), if one will (null for none): the
  /// GIL is held, no request is pending and someone waits. Asked after every event that
  /// changed it; the answer stays where the queue keeps it (GilWaitQueue::next_due()).
  const GilWaitQueue::Due* next_due() {
    if (!locked || drop_request || waiters.empty()) return nullptr;
    return waiters.next_due();
  }

  std::uint32_t index = 0;  ///< by process
  trace::LaneId lane = trace::kNone;
  bool locked = false;
  std::uint32_t holder = kNobody;
  std::uint32_t last_holder = kNobody;
  bool drop_request = false;
  bool forced_drop = false;  ///< the last drop was a forced switch (for the narrative)
  Time held_since;
  GilWaitQueue waiters;                       ///< threads in a timed wait (not yet signalled)
  std::vector<std::uint32_t> switch_waiters;  ///< droppers waiting for a switch (G6)
  GilMutex mutex;                             ///< gil->mutex and the waiters asleep on it (G8b)
  TimerHeap::Slot deadline = 0;               ///< the engine's DropDeadline timer for it
  bool deadline_dirty = false;                ///< the engine looks at the deadline after this event
};

}  // namespace gilsim::model
