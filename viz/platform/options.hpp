// What the gilviz command line asks for.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "sim/scenario/loader.hpp"
#include "sim/sweep/sweep_plan.hpp"
#include "sim/trace/time.hpp"

namespace gilsim::viz::platform {

struct Options {
  std::string file;                  ///< empty: the built-in default scenario
  std::string screenshot;            ///< render once to this PNG and exit
  bool screenshot_knob = false;      ///< the screenshot is of the first frame after a knob change that shows new runs
  bool timeline_only = false;        ///< the screenshot shows the timeline panel only
  std::optional<Time> at;            ///< playhead time for the screenshot (or at start-up)
  std::optional<std::pair<Time, Time>> view;  ///< the time range shown at start-up (zoom)
  int bench_frames = 0;              ///< > 0: build this many frames headlessly, print timings
  bool bench_knob = false;           ///< with bench_frames: then time a knob change and the frame after it
  bool bench_knob_interval = false;  ///< the change timed moves the switch interval, not the cores (no speculation after it)
  unsigned width = 1600, height = 900;
  bool size_given = false;           ///< without --size the window takes most of the screen
  float scale = 1.0f;
  bool presentation = false;
  bool align_ends = false;           ///< every run stretched to end where the axis ends
  bool real = false;                 ///< run every run for real at start-up (the screenshot waits)
  bool cpython = false;              ///< run every run in CPython, recorded, at start-up (likewise)
  std::vector<std::string> sweep;    ///< --sweep KEY=VALUES (twice: small multiples); the screenshot waits
  sweep::Metric sweep_metric = sweep::Metric::Speedup;  ///< --sweep-metric: what the sweep's chart plots
  int sweep_seeds = 1;               ///< --sweep-seeds: seeds per grid point, as the panel's field
  std::vector<scenario::Override> set;  ///< --set KEY=VALUE: the file's values before the knobs
};

/// The interactive window, or a single screenshot when options.screenshot is set.
int run_window(const Options& options);
/// Frame-time statistics without a window: CPU time to build each frame.
int run_bench(const Options& options);

/// Seconds since the program started (for "first frame after ..." figures).
double seconds_since_start();

}  // namespace gilsim::viz::platform
