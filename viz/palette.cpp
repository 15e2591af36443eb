// Colour choices; see palette.hpp for where they come from.
#include "viz/palette.hpp"

#include <cmath>

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
    case SpanState::Sleeping: return {168, 168, 168};  // grey: nothing to do (dark enough to show on white)
    case SpanState::Stalled: return {204, 121, 167};   // reddish purple: a coroutine blocks the loop
    case SpanState::Starting: return {80, 80, 80};     // dark grey: start-up cost (far from green for deuteranopes)
    case SpanState::Pickling: return {0, 114, 178};    // blue: copying data between processes
    case SpanState::Waking: return {110, 215, 160};    // light green: holds the GIL, in C, waking a thread
    case SpanState::Ready: return {221, 170, 85};      // sand: in the loop's ready queue (told from awaiting by all)
    case SpanState::Awaiting: return {250, 243, 175};  // pale yellow: suspended on an await
    case SpanState::WaitingLock: return {153, 0, 0};   // dark red: waits for a user lock (Tracy's red)
  }
  return {0, 0, 0};
}

Rgba identity_colour(std::uint32_t ordinal) {
  // Dark or mid hues, each far from every state colour: a thread on a core never reads as
  // "native code" or "blocking the loop".
  static constexpr Rgba kIdentity[kIdentityColours] = {
      // Olive comes late: under deuteranopia it matches the vermillion band of GIL waiters
      // drawn over the holder (lesson 7's T2), and wine beside teal is hard for them too.
      {51, 34, 136},   // indigo
      {136, 34, 85},   // wine
      {150, 90, 220},  // violet
      {140, 81, 10},   // brown
      {17, 100, 100},  // dark teal
      {153, 153, 51},  // olive
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
  // WCAG 2 relative luminance: black contrasts more than white above 0.179 (where
  // (L + 0.05) / 0.05 = 1.05 / (L + 0.05)). On running Python's green, 6.1:1 against 3.4:1.
  const auto linear = [](std::uint8_t c) {
    const double v = c / 255.0;
    return v <= 0.04045 ? v / 12.92 : std::pow((v + 0.055) / 1.055, 2.4);
  };
  const double luminance = 0.2126 * linear(fill.r) + 0.7152 * linear(fill.g) + 0.0722 * linear(fill.b);
  return luminance > 0.179 ? Rgba{0, 0, 0} : Rgba{255, 255, 255};
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
      {SpanState::Pickling, "(un)pickling",
       "pickling arguments or results to send to another process, or unpickling what came back from one"},
      {SpanState::Waking, "waking a thread", "holds the GIL in CPython's C code while it wakes a sleeping thread"},
      {SpanState::WaitingLock, "waiting for a lock", "your own lock is held by another thread or task: no GIL needed"},
  };
  return entries;
}

}  // namespace gilsim::viz
