// The viewer's sweeps: a plan run on a background thread (sweep::run_sweep_here, so the
// window stays responsive and no process is forked from a threaded program), what the
// sweep panel keeps between frames, and the bridge between grid points and the knobs.
#pragma once

#include <atomic>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "sim/sweep/sweep_results.hpp"
#include "viz/knobs.hpp"
#include "viz/sweep_chart.hpp"

namespace gilsim::viz {

/// A finished sweep: its plan and figures, or why it did not finish.
struct SweepOutcome {
  sweep::SweepPlan plan;
  std::optional<sweep::SweepResult> result;
  std::string error;  ///< set when result is not
  /// By shown run, its name in the legend and the tooltips (sweep_run_labels); empty: plan.run_names.
  std::vector<std::string> run_labels;
};

/// By shown run of `plan`, its name with the value in force where the knobs the sweep keeps
/// change what the name states, the same at every grid point (scenario::value_in_force):
/// "pool of 4 (now 2 workers)" in a sweep of lesson 17's result sizes with the workers knob at 2;
/// the name alone where the sweep varies that value, or nothing changes it.
std::vector<std::string> sweep_run_labels(const sweep::SweepPlan& plan);

class SweepRunner {
 public:
  SweepRunner() = default;
  SweepRunner(const SweepRunner&) = delete;
  SweepRunner& operator=(const SweepRunner&) = delete;
  /// Cancels and joins: no thread outlives the runner.
  ~SweepRunner();

  /// Runs `plan` in the background; cancels and joins a previous start first.
  void start(sweep::SweepPlan plan);
  void cancel();
  void wait();
  bool running() const;
  /// Tasks done and in all, for a progress bar.
  std::pair<std::size_t, std::size_t> progress() const;
  /// The finished sweep, once, for the UI thread.
  std::optional<SweepOutcome> take_finished();

 private:
  std::thread thread_;
  std::atomic<bool> cancel_{false};
  std::atomic<bool> running_{false};
  std::atomic<std::size_t> done_{0}, total_{0};
  mutable std::mutex mutex_;
  std::optional<SweepOutcome> finished_;
};

/// The sweep panel's state between frames.
struct SweepView {
  SweepRunner runner;
  bool visible = false;
  std::string vary = "workers=1..16";  ///< the first key, as --vary takes it
  std::string vary_also;               ///< an optional second key: small multiples
  int seeds = 1;
  /// What the chart plots; changing it redraws the shown sweep from its figures, without
  /// running it again (every run's figures hold both).
  sweep::Metric metric = sweep::Metric::Speedup;
  std::optional<SweepOutcome> shown;
  std::string error;                   ///< why the last start was refused
  bool chart_too_small = false;        ///< the last frame had too little room to draw the chart
  /// The room the last frame laid the chart out in (a test lays it out again to read the words
  /// a class sees); nullopt before a chart is drawn.
  std::optional<SweepChartSize> chart_size;
};

/// The knobs the viewer can sweep ("sweep this knob"): cores, switch_interval, workers, jobs.
bool is_knob_key(std::string_view key);
/// The values a knob's sweep starts with, reaching the scenario's own value:
/// cores 1..8, workers 1..16, switch_interval doubling through the scenario's from a quarter
/// of it (1250us..80ms*2 for 5 ms; from the value itself where a quarter would be under
/// 1 us), jobs 1..64*2.
std::string default_sweep_values(std::string_view knob, const scenario::Scenario& s);
/// The knobs that show grid point `point`: `base` with the point's knob values set, and
/// its other keys in Knobs::more.
Knobs knobs_at(const sweep::SweepPlan& plan, std::size_t point, Knobs base);
/// The sweep the panel asks for on `file` (empty: the default scenario) with the current
/// knobs, except those the sweep varies. Throws as sweep::make_plan does.
sweep::SweepPlan plan_sweep(const std::string& file, const Knobs& knobs, const SweepView& view);

/// gilviz's --sweep texts on `file` with its --set values, checked as gilsim sweep checks
/// --vary (the same parser and messages, naming --sweep), before any window opens: the
/// message when one is refused, nothing when they are fine or when the file itself is bad
/// (the window's load reports that). Lost updates (--sweep-metric) need the file's [counters].
std::optional<std::string> check_sweep(const std::string& file, const std::vector<scenario::Override>& set,
                                       const std::vector<std::string>& texts,
                                       sweep::Metric metric = sweep::Metric::Speedup);

}  // namespace gilsim::viz
