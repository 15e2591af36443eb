// The horizontal mapping of the timeline: which time sits at which pixel, and the zoom and
// pan gestures that change it. Pure arithmetic, shared by every lane of every run.
#pragma once

#include "sim/trace/time.hpp"

namespace gilsim::viz {

class TimeView {
 public:
  /// Finest zoom: 0.01 ns per pixel is far below any event spacing the model produces.
  static constexpr double kMinNsPerPx = 0.01;

  double start_ns() const { return start_ns_; }
  double ns_per_px() const { return ns_per_px_; }
  double width_px() const { return width_px_; }
  Time start() const;
  Time end() const;

  /// The timeline's drawable width; the left edge stays where it is.
  void set_width(double px);
  void set(double start_ns, double ns_per_px);

  double x_of(Time t) const { return (static_cast<double>(t.ns()) - start_ns_) / ns_per_px_; }
  double x_of_ns(double ns) const { return (ns - start_ns_) / ns_per_px_; }
  Time time_at(double x) const;

  /// Zooms by `factor` (>1 zooms in) keeping the time under pixel `x` in place.
  void zoom_around(double x, double factor);
  /// Moves the content by `dx` pixels (positive drags the content to the right).
  void pan_px(double dx);
  /// Shows [begin, end] across the whole width, with a small margin on each side.
  void fit(Time begin, Time end);
  /// Scrolls by whole pages so `t` is on screen; does nothing when it already is.
  void keep_visible(Time t);
  /// Keeps the zoom between kMinNsPerPx and a little more than `total` across the width.
  void limit(Time total);

 private:
  double start_ns_ = 0;
  double ns_per_px_ = 1e6;
  double width_px_ = 1000;
};

/// The step to which the playhead's instant and the story's are written (format_time_to): a
/// pixel of `view`, and never coarser than a microsecond, so that stepping across a forced
/// switch at any zoom reads 250.201 ms, then 250.462 ms, not "250 ms" twice.
Time shown_resolution(const TimeView& view);

/// "Align run ends": how much wider run `run_end` is drawn so that it ends where the axis
/// ends (`axis_end`): 2 for a run half as long; 1 for an empty run or no axis.
double end_stretch(Time run_end, Time axis_end);

/// The view a run is drawn with when runs are aligned at their ends: `shared` with the run's
/// times multiplied by `stretch`, so the run's end lands on the axis's end, at every zoom.
TimeView stretched(const TimeView& shared, double stretch);

}  // namespace gilsim::viz
