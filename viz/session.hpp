// The open scenario and its simulated runs: opening the default or a file, the classroom
// knobs (cores, switch interval, workers, jobs) that re-run the model, and the file watch
// that reloads on change. A broken edit keeps the last good runs and says what is wrong.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "sim/scenario/loader.hpp"
#include "sim/trace/trace.hpp"
#include "viz/knobs.hpp"

namespace gilsim::viz {

class Session {
 public:
  /// Opens `file`, or the built-in default scenario when `file` is empty. On failure the
  /// previous runs stay and error() says why.
  bool open(const std::filesystem::path& file);
  /// Re-runs the current scenario with new knob values.
  bool set_knobs(const Knobs& knobs);
  /// Call every frame; reloads when the file's modification time changes (checked once a second).
  /// Returns true when the runs changed.
  bool poll(double wall_seconds);

  const std::filesystem::path& file() const { return file_; }
  const scenario::Scenario& scenario() const { return scenario_; }
  const std::vector<trace::Trace>& runs() const { return runs_; }
  const Knobs& knobs() const { return knobs_; }
  const std::string& error() const { return error_; }
  bool loaded() const { return loaded_; }
  /// Changes whenever runs() does, so readers know to rebuild what they derived.
  std::uint64_t generation() const { return generation_; }
  double last_simulation_seconds() const { return simulation_seconds_; }

 private:
  bool load();

  std::filesystem::path file_;
  scenario::Scenario scenario_;
  std::vector<trace::Trace> runs_;
  Knobs knobs_;
  std::string error_;
  bool loaded_ = false;
  std::uint64_t generation_ = 0;
  double simulation_seconds_ = 0;
  std::optional<std::filesystem::file_time_type> mtime_;
  double since_check_ = 0;
};

}  // namespace gilsim::viz
