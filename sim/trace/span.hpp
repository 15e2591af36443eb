// A lane's state over an interval (running, waiting for the GIL, holding it...): the record
// the producers make and every reader sees.
#pragma once

#include <cstdint>

#include "sim/trace/mark.hpp"
#include "sim/trace/time.hpp"

namespace gilsim::trace {

inline constexpr std::uint16_t kNoStep = 0xFFFFu;

enum class SpanState : std::uint8_t {
  // Thread lanes
  Running,     ///< executing Python bytecode: holds its GIL and a core
  Native,      ///< C code that released the GIL: a core, no GIL
  WaitingGil,  ///< ready to run Python but the GIL is held by another thread
  Runnable,    ///< has what it needs but waits in the OS run queue for a core
  BlockedIo,   ///< in a blocking system call (read, recv, select); uses nothing
  Sleeping,    ///< time.sleep or an idle event loop waiting for its next timer
  Stalled,     ///< a coroutine made a blocking call: the whole loop is stuck
  Starting,    ///< a thread or process starting up
  Pickling,    ///< serialising arguments or results for another process (holds the GIL)
  Waking,      ///< in CPython's C code, holding the GIL, waking a thread that sleeps (a lock's
               ///< release, take_gil's signal): no Python runs and no check point comes
  // Task lanes
  Ready,       ///< in the loop's ready queue, waiting for its turn
  Awaiting,    ///< suspended on an await (I/O, sleep, to_thread)
  // Thread and task lanes
  WaitingLock, ///< waiting for a user lock that another thread or task holds (no GIL)
  // Core lanes use Running/Native (subject = thread lane); GIL and lock lanes use Held.
  Held,        ///< GIL or lock lane: held by `subject`
};
inline constexpr int kSpanStateCount = static_cast<int>(SpanState::Held) + 1;

/// What a core's lane shows for a thread in `state` on it: a wake as Running (a core's lane
/// draws its thread's colour, with the GIL or without it, so a hand-off's wake there would be
/// two more spans that look the same).
constexpr SpanState core_state(SpanState state) { return state == SpanState::Waking ? SpanState::Running : state; }

/// A half-open interval [begin, end) in one state. 24 bytes here; a trace stores most spans
/// in 12 (SpanStore).
struct Span {
  Time begin;
  Time end;
  std::uint32_t subject = kNone;  ///< thread/task lanes: job index; core/GIL lanes: thread lane
  std::uint16_t step = kNoStep;   ///< index of the job's step, when subject is a job
  SpanState state = SpanState::Running;
  std::uint8_t reserved = 0;

  Time duration() const { return end - begin; }
};
static_assert(sizeof(Span) == 24);

}  // namespace gilsim::trace
