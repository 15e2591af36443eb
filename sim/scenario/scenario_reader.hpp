// The loader's stages over a parsed TOML table: overrides first, then one reader per
// part of the file. Each throws ScenarioError on the first problem it meets.
#pragma once

#include <vector>

#include <toml++/toml.h>

#include "sim/scenario/loader.hpp"
#include "sim/scenario/toml_reader.hpp"

namespace gilsim::scenario {

/// Writes each `--set` into the table, labelling every node it adds with "--set key=value"
/// (and recording the value text in `texts`), so that errors on it point at the override.
void apply_overrides(toml::table& root, const std::vector<Override>& overrides, OverrideTexts& texts);

/// The whole file: top-level keys, [machine], [python], [costs], then jobs and runs.
/// `jobs_read`, when given, are the jobs read_jobs gives for `root` (load_string_with_jobs):
/// moved in instead.
Scenario read_scenario(const TomlReader& reader, const toml::table& root, std::vector<JobTemplate>* jobs_read = nullptr);
/// The names steps may use: the scenario's locks (and which are RLocks) and counters.
struct SharedNames {
  std::vector<std::string_view> locks;
  std::vector<bool> reentrant;
  std::vector<std::string_view> counters;
};

/// [locks] and [counters]: the names the jobs share (shared_reader.cpp).
std::vector<LockSpec> read_locks(const TomlReader& reader, const toml::table* table);
std::vector<CounterSpec> read_counters(const TomlReader& reader, const toml::table* table);
SharedNames shared_names(const Scenario& s);

/// Every [[job]], with `repeat` blocks expanded; checks the limits on jobs and steps, the
/// lock and counter names, and that each job releases the locks it takes.
std::vector<JobTemplate> read_jobs(const TomlReader& reader, const toml::table& root, const SharedNames& shared,
                                   const Machine& machine);
/// Every [[run]]; checks that each key applies to the run's executor.
std::vector<Run> read_runs(const TomlReader& reader, const toml::table& root);

}  // namespace gilsim::scenario
