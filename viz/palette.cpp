// Colour choices; see palette.hpp for where they come from.
#include "viz/palette.hpp"

namespace gilsim::viz {

using trace::MarkKind;
using trace::SpanState;

Rgba state_colour(SpanState state) {
  switch (state) {
    case SpanState::Running: return {0, 158, 115};     // bluish green: has the GIL and a core
    case SpanState::Held: return {0, 158, 115};
    case SpanState::Native: return {86, 180, 233};     // sky blue: a core, no GIL needed
    case SpanState::WaitingGil: return {213, 94, 0};   // vermillion: wants the GIL, cannot have it
    case SpanState::Runnable: return {230, 159, 0};    // orange: wants a core
    case SpanState::BlockedIo: return {240, 228, 66};  // yellow: waiting on the outside world
    case SpanState::Sleeping: return {200, 200, 200};  // light grey: nothing to do
    case SpanState::Stalled: return {204, 121, 167};   // reddish purple: a coroutine blocks the loop
    case SpanState::Starting: return {120, 120, 120};  // dark grey: start-up cost
    case SpanState::Pickling: return {0, 114, 178};    // blue: copying data between processes
    case SpanState::Waking: return {110, 215, 160};    // light green: holds the GIL, in C, waking a thread
    case SpanState::Ready: return {245, 205, 130};     // pale orange: in the loop's ready queue
    case SpanState::Awaiting: return {250, 243, 175};  // pale yellow: suspended on an await
    case SpanState::WaitingLock: return {153, 0, 0};   // dark red: waits for a user lock (Tracy's red)
  }
  return {0, 0, 0};
}

Rgba identity_colour(std::uint32_t ordinal) {
  // Dark or mid hues, each far from every state colour: a thread on a core never reads as
  // "native code" or "blocking the loop".
  static constexpr Rgba kIdentity[kIdentityColours] = {
      {51, 34, 136},   // indigo
      {136, 34, 85},   // wine
      {153, 153, 51},  // olive
      {140, 81, 10},   // brown
      {17, 100, 100},  // dark teal
      {150, 90, 220},  // violet
      {34, 85, 34},    // forest green
      {190, 20, 50},   // crimson
  };
  return kIdentity[ordinal % kIdentityColours];
}

int identity_pattern(std::uint32_t ordinal) { return static_cast<int>(ordinal / kIdentityColours); }

Rgba mark_colour(MarkKind kind) {
  switch (kind) {
    case MarkKind::DropRequest: return {213, 94, 0};
    case MarkKind::ForcedSwitch: return {0, 0, 0};
    case MarkKind::GilHandoff: return {0, 114, 178};
    case MarkKind::GilRequest: return {120, 120, 120};
    case MarkKind::JobStart: return {60, 60, 60};
    case MarkKind::JobEnd: return {0, 0, 0};
    case MarkKind::Spawn: return {0, 114, 178};
    case MarkKind::Preempt: return {230, 159, 0};
    case MarkKind::LoopStall: return {204, 121, 167};
    case MarkKind::Dispatch: return {0, 114, 178};
    case MarkKind::LockWait: return {153, 0, 0};
    case MarkKind::LockTaken: return {0, 114, 178};
    case MarkKind::Deadlock: return {213, 94, 0};
    case MarkKind::LostUpdate: return {213, 94, 0};
    case MarkKind::RacesLost: return {0, 0, 0};
  }
  return {0, 0, 0};
}

const char* mark_legend_label(MarkKind kind) {
  switch (kind) {
    case MarkKind::DropRequest: return "drop request";
    case MarkKind::ForcedSwitch: return "forced switch";
    case MarkKind::JobEnd: return "job done";
    case MarkKind::Preempt: return "preempted";
    case MarkKind::LostUpdate: return "update lost";
    case MarkKind::LoopStall: return "loop blocked";
    default: return nullptr;
  }
}

Rgba text_on(Rgba fill) {
  // Relative luminance, cheaply: bright fills get black text.
  const int luma = (fill.r * 299 + fill.g * 587 + fill.b * 114) / 1000;
  return luma > 140 ? Rgba{0, 0, 0} : Rgba{255, 255, 255};
}

const std::vector<LegendEntry>& legend_entries() {
  static const std::vector<LegendEntry> entries = {
      {SpanState::Running, "running Python", "executing bytecode: holds the GIL and a core"},
      {SpanState::WaitingGil, "waiting for GIL", "ready to run Python, but another thread holds the GIL"},
      {SpanState::Native, "native (no GIL)",
       "C code without the GIL: a native call (runs in parallel), a system call, or drop_gil waking the GIL's next holder"},
      {SpanState::BlockedIo, "blocked on I/O", "in a system call (network, disk): needs no GIL, no core"},
      {SpanState::Runnable, "waiting for a core", "ready, but every core is busy"},
      {SpanState::Sleeping, "sleeping / idle", "time.sleep, or an event loop with nothing to do"},
      {SpanState::Stalled, "blocking the loop", "a coroutine made a blocking call: every task waits"},
      {SpanState::Ready, "task ready", "in the event loop's ready queue"},
      {SpanState::Awaiting, "task awaiting", "suspended on an await"},
      {SpanState::Starting, "starting", "a thread or process starting up"},
      {SpanState::Pickling, "pickling", "copying arguments or results to another process"},
      {SpanState::Waking, "waking a thread", "holds the GIL in CPython's C code while it wakes a sleeping thread"},
      {SpanState::WaitingLock, "waiting for a lock", "your own lock is held by another thread or task: no GIL needed"},
  };
  return entries;
}

}  // namespace gilsim::viz
