// Cause and effect at a GIL hand-off: who asked the holder to drop the GIL (drop request),
// when the holder dropped it (forced switch), who then took it, and why that thread won:
// the asker itself, another waiter the OS woke at random, or a thread that barged in.
#pragma once

#include <string>
#include <vector>

#include "sim/trace/trace.hpp"

namespace gilsim::viz {

struct HandoffLink {
  enum class Why : std::uint8_t {
    Asker,         ///< the thread that asked took it
    OtherWaiter,   ///< the OS woke another waiter (it picks one, no FIFO order)
    Barged,        ///< a thread that was not waiting (back from I/O, a sleep) took the free GIL first
    NotYet,        ///< nobody took the GIL after the holder (the run ended first)
  };
  Time asked;
  trace::LaneId asker = trace::kNone;
  trace::LaneId holder = trace::kNone;
  Time dropped = Time::max();          ///< when the holder's hold ended (forced switch or release)
  trace::LaneId taker = trace::kNone;
  Time taken = Time::max();            ///< when the taker's hold of the GIL began
  int waiters = 0;                     ///< threads waiting for the GIL just before the drop
  Why why = Why::NotYet;
  std::uint32_t request_mark = trace::kNone;
  std::uint32_t switch_mark = trace::kNone;  ///< the forced switch at the drop, if it was one
};

/// Who takes a free GIL next, and when.
struct GilTaker {
  trace::LaneId lane = trace::kNone;
  Time at = Time::max();
};
/// For the GIL of process `p`, free at `t`: the earlier of the next hold on its GIL lane and
/// the end of a wait for it that is under way at `t` (a thread that takes the GIL and lets
/// it go at once, for I/O, holds it too briefly for a span, but its wait still ends there).
GilTaker next_gil_taker(const trace::Trace& run, trace::ProcessId p, Time t);

/// Every drop request of the run with its drop and new holder, in request order.
std::vector<HandoffLink> handoff_links(const trace::Trace& run);
/// handoff_links of a run whose drop requests were found before (`requests`: their marks'
/// indices, in order), for a reader of the marks that makes other indices in the same reading.
std::vector<HandoffLink> handoff_links(const trace::Trace& run, const std::vector<std::uint32_t>& requests);

/// Why the new holder won, in a sentence: "T2 asked and took it", "T3 took it, not T2 who
/// asked: the drop wakes one of the 3 waiters, chosen by the OS".
std::string why_text(const trace::Trace& run, const HandoffLink& link);

/// The link whose forced switch is `mark`, or nullptr.
const HandoffLink* link_of_switch(const std::vector<HandoffLink>& links, std::uint32_t mark);

}  // namespace gilsim::viz
