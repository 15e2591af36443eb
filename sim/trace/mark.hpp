// An instant event of a trace (a drop request, a forced switch, a job's start...): the
// record the producers make and every reader sees.
#pragma once

#include <cstdint>

#include "sim/trace/time.hpp"

namespace gilsim::trace {

using LaneId = std::uint32_t;
inline constexpr std::uint32_t kNone = 0xFFFF'FFFFu;

enum class MarkKind : std::uint8_t {
  GilRequest,    ///< lane asked for the GIL and found it held by `other`
  DropRequest,   ///< lane waited a full switch interval and asked `other` to drop the GIL
  ForcedSwitch,  ///< lane (holder) dropped the GIL at a check point; `other` took it
  GilHandoff,    ///< the GIL went from `other` to lane without a forced switch
  JobStart,      ///< lane started job `other`
  JobEnd,        ///< lane finished job `other`
  Spawn,         ///< lane (a parent) started thread or process `other`
  Preempt,       ///< the OS took lane's core for `other`: at the end of lane's time slice (value
                 ///< kSliceEnded), or because `other` had just woken and EEVDF picks it (kWokenFirst, S3)
  LoopStall,     ///< a coroutine on task lane blocked the loop for `value` ns
  Dispatch,      ///< a chunk of `value` jobs was sent to worker lane `other`
  LockWait,      ///< lane asked for lock lane `other` and found it held by lane `value`
  LockTaken,     ///< lane took lock lane `other` after waiting `value` ns for it
  Deadlock,      ///< lane waits for lock lane `other`, held by lane `value`, in a cycle
  LostUpdate,    ///< lane stored counter `other` over `value` updates made since its load
  RacesLost,     ///< old GIL: while lane held the GIL, `other` woken waiters lost the race for it,
                 ///< one every `value` ns from this instant (one mark per stretch of holding)
};
inline constexpr int kMarkKindCount = static_cast<int>(MarkKind::RacesLost) + 1;

/// A Preempt mark's value: why the OS took the core.
inline constexpr std::int64_t kSliceEnded = 0;
inline constexpr std::int64_t kWokenFirst = 1;

/// An instant event. Its one-line explanation comes from describe(trace, mark). 24 bytes
/// here (the kind shares a word with the value: 56 bits, durations up to a year in ns);
/// a trace stores most marks in 16 (MarkStore).
struct Mark {
  Time at;
  LaneId lane = kNone;
  std::uint32_t other = kNone;    ///< another lane or a job index, per MarkKind
  std::int64_t value : 56 = 0;    ///< a duration in ns, a count or a Preempt's reason, per MarkKind
  MarkKind kind : 8 = MarkKind::JobStart;
};
static_assert(sizeof(Mark) == 24);

}  // namespace gilsim::trace
