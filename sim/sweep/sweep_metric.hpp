// What a sweep's chart plots: the speed-up against the first run (the default), the time
// the run's threads waited for the GIL, added up (trace::Metrics::gil_wait_total, the run
// table's "GIL wait": lesson 7's convoy grows with the interval), or the
// updates the scenario's counters lost (trace::Counter::lost, as the run table's line under
// it and the viewer's Numbers panel count them). Shared by gilsim sweep and the viewer.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "sim/sweep/sweep_results.hpp"

namespace gilsim::sweep {

/// The option's words: "speedup", "gil-wait", "lost-updates".
inline constexpr std::string_view kMetricNames = "speedup, gil-wait, lost-updates";
std::string_view metric_name(Metric m);
/// "speedup", "gil-wait" or "lost-updates"; nullopt for anything else.
std::optional<Metric> parse_metric(std::string_view text);

/// The y axis's title, with its unit: "speed-up", "GIL wait", "lost updates".
std::string metric_axis_title(Metric m);
/// A point's value over seeds: NaN where it has none (a run that did not finish has no
/// speed-up; every run of a scenario with counters has its lost updates, even stopped).
Spread metric_of(const PointSummary& s, Metric m);
/// The top of a chart's y axis over values up to `highest` (sweep::axis_top), for metric `m`.
double metric_axis_top(Metric m, double highest);
/// plot_top() for the viewer's plots, with metric_axis_top's floor for the GIL wait.
double metric_plot_top(Metric m, double highest);
/// A tick of the y axis from 0 to `top`: "4.0x", "0.50x"; "20,000" for lost updates; "500 ms"
/// for the GIL wait (nanoseconds).
std::string metric_tick(Metric m, double value, double top);

/// A point's value as a label beside it writes it: "1.94x", "26,441", "537 ms".
std::string metric_value_text(Metric m, double value);

/// Throws SweepRefused when `m` cannot be measured on the scenario: lost updates need
/// [counters]. `option` names the option in the message ("--metric").
void check_metric(Metric m, const scenario::Scenario& s, std::string_view option);

}  // namespace gilsim::sweep
