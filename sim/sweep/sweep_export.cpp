// Writing a sweep's rows; the caller writes the file atomically (trace::write_file_atomically).
#include "sim/sweep/sweep_export.hpp"

#include <algorithm>
#include <cmath>
#include <string>
#include <string_view>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "sim/trace/csv_export.hpp"

namespace gilsim::sweep {

namespace {

/// Calls `row(point, seed, run, value texts)` in file order: point, then seed, then run.
template <typename Row>
void each_row(const SweepPlan& plan, Row row) {
  for (std::size_t point = 0; point < plan.points(); ++point) {
    const auto at = plan.coordinates(point);
    std::vector<std::pair<std::string, std::string>> values;
    for (std::size_t a = 0; a < plan.axes.size(); ++a) {
      for (std::size_t k = 0; k < plan.axes[a].keys.size(); ++k) {
        values.emplace_back(plan.axes[a].keys[k], plan.axes[a].values[k][at[a]]);
      }
    }
    for (int seed = 0; seed < plan.seeds; ++seed) {
      for (std::size_t run = 0; run < plan.runs.size(); ++run) row(point, seed, run, values);
    }
  }
}

std::string fixed(double value) { return fmt::format("{:.6f}", value); }

}  // namespace

void write_sweep_csv(std::ostream& out, const SweepPlan& plan, const SweepResult& result) {
  constexpr std::string_view kFigures =
      "seed,run,makespan_ns,speedup,cores_busy,gil_held,gil_lanes,gil_wait_ns,switches,jobs_done,lost_updates,outcome";
  // A varied key named as a column of the figures ("--vary seed=...") is told apart from it:
  // a header with "seed" twice is read as one column by many tools.
  const auto is_figure = [&](std::string_view key) {
    for (std::size_t at = 0; at <= kFigures.size();) {
      const std::size_t end = std::min(kFigures.find(',', at), kFigures.size());
      if (kFigures.substr(at, end - at) == key) return true;
      at = end + 1;
    }
    return key == "point";
  };
  out << "point";
  for (const Axis& axis : plan.axes) {
    for (const auto& key : axis.keys) out << ',' << trace::csv_field(is_figure(key) ? key + " (varied)" : key);
  }
  out << ',' << kFigures << '\n';
  each_row(plan, [&](std::size_t point, int seed, std::size_t run, const auto& values) {
    const RunFigures& f = result.at(point, seed, run);
    out << point;
    for (const auto& [key, value] : values) out << ',' << trace::csv_field(value);
    // A run that did not finish has no makespan and no speed-up: empty cells, and the outcome says why.
    out << fmt::format(",{},{},{},{},{},{},{},{},{},{},{},{}\n", f.seed,
                       trace::csv_field(plan.run_names[run]), f.finished ? std::to_string(f.makespan_ns) : "",
                       std::isfinite(f.speedup) ? fixed(f.speedup) : "", fixed(f.cores_busy),
                       f.gil_held < 0.0 ? std::string() : fixed(f.gil_held), f.gil_lanes, f.gil_wait_ns,
                       f.switches, f.jobs_done, f.lost_updates < 0 ? "" : std::to_string(f.lost_updates),
                       outcome_word(f));
  });
}

void write_sweep_json(std::ostream& out, const SweepPlan& plan, const SweepResult& result) {
  nlohmann::ordered_json doc;
  doc["scenario"] = plan.source_name;
  doc["title"] = plan.title;
  doc["axes"] = nlohmann::ordered_json::array();
  for (const Axis& axis : plan.axes) doc["axes"].push_back({{"keys", axis.keys}, {"values", axis.values}});
  doc["seeds"] = plan.seeds;
  doc["runs"] = plan.run_names;
  auto& rows = doc["rows"] = nlohmann::ordered_json::array();
  each_row(plan, [&](std::size_t point, int seed, std::size_t run, const auto& values) {
    const RunFigures& f = result.at(point, seed, run);
    nlohmann::ordered_json row;
    row["point"] = point;
    row["values"] = nlohmann::ordered_json::object();
    for (const auto& [key, value] : values) row["values"][key] = value;
    row["seed"] = f.seed;
    row["run"] = plan.run_names[run];
    row["makespan_ns"] = f.finished ? nlohmann::ordered_json(f.makespan_ns) : nlohmann::ordered_json();
    row["speedup"] = std::isfinite(f.speedup) ? nlohmann::ordered_json(f.speedup) : nlohmann::ordered_json();
    row["cores_busy"] = f.cores_busy;
    row["gil_held"] = f.gil_held < 0.0 ? nlohmann::ordered_json() : nlohmann::ordered_json(f.gil_held);
    row["gil_lanes"] = f.gil_lanes;
    row["gil_wait_ns"] = f.gil_wait_ns;
    row["switches"] = f.switches;
    row["jobs_done"] = f.jobs_done;
    // Empty (null) when the scenario has no counters, as gil_held when no process has a GIL.
    row["lost_updates"] = f.lost_updates < 0 ? nlohmann::ordered_json() : nlohmann::ordered_json(f.lost_updates);
    row["outcome"] = outcome_word(f);
    rows.push_back(std::move(row));
  });
  out << doc.dump(2) << "\n";
}

}  // namespace gilsim::sweep
