// The playhead and its motion: play/pause, speed, seeking, and stepping from event to event.
// Time advances by the frame's delta time; nothing here sleeps.
#pragma once

#include <vector>

#include "sim/trace/trace.hpp"

namespace gilsim::viz {

/// Every moment worth stepping to, across all runs: mark times and GIL hand-overs.
class EventIndex {
 public:
  void build(const std::vector<trace::Trace>& runs);
  /// Builds the index from `runs` when it is first asked for: stepping from event to event
  /// waits for a key, and a million-span scenario's index is a third of its indexing.
  /// `runs` must outlive the index or the next build.
  void build_when_asked(const std::vector<trace::Trace>& runs);
  /// The first event strictly after `t` (or `t` when there is none).
  Time next(Time t, bool gil_only) const;
  /// The last event strictly before `t` (or `t` when there is none).
  Time previous(Time t, bool gil_only) const;
  std::size_t size(bool gil_only) const { return times(gil_only).size(); }

 private:
  const std::vector<Time>& times(bool gil_only) const;
  void fill(const std::vector<trace::Trace>& runs) const;

  // Built on the first question after build_when_asked(), so a const query may fill them.
  mutable const std::vector<trace::Trace>* pending_ = nullptr;
  mutable std::vector<Time> all_;
  mutable std::vector<Time> gil_;
};

/// True for the marks that say something about the GIL.
bool is_gil_mark(trace::MarkKind kind);

class Playback {
 public:
  /// Slowest and fastest speeds, in simulated seconds per wall-clock second.
  static constexpr double kSlowest = 1e-5;
  static constexpr double kFastest = 1.0;

  Time now() const { return now_; }
  bool playing() const { return playing_; }
  double speed() const { return speed_; }

  void set_end(Time end);
  Time end() const { return end_; }
  void set_speed(double simulated_seconds_per_second);
  void seek(Time t);
  void play();
  void pause() { playing_ = false; }
  void toggle();
  /// Moves the playhead by `wall_seconds` times the speed; stops at the end.
  void advance(double wall_seconds);

 private:
  Time now_;
  Time end_;
  bool playing_ = false;
  double speed_ = 0.02;
  double carry_ns_ = 0;  ///< sub-nanosecond remainder, so very slow motion still moves
};

}  // namespace gilsim::viz
