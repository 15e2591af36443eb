// What a --set (or a knob) changed that a run's name states, in words for the run's label:
// one source for the command line (`gilsim run --set`) and the viewer (its knobs, gilviz --set).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "sim/scenario/scenario.hpp"

namespace gilsim::scenario {

/// What a --set changed in a run that its label must say (Trace::in_force): "now 2 workers"
/// when the name holds the pool size the file gave it ("pool of 4", "Pool(8)") and another is
/// in force, "2 workers" when a pool's name states no size ("Pool()", "process pool") and its
/// size changed; "now 8 threads" when a threads run's name holds its thread count (one thread
/// a job: "4 threads") and another is in force; likewise the GIL ("new GIL, 2 cores" with
/// gil=old: "now old GIL"), the cores, the switch interval ("switch 50 ms": "now 20.0 ms") and
/// the chunksize or the start method a name states ("Pool.map default": its chunksize), several
/// joined ("now old GIL, 1 core"); empty otherwise. `written`: the file as it is;
/// `in_force`: with the --set values (and fitted to the machine).
std::string value_in_force(const Scenario& written, const Scenario& in_force, const Run& run);

/// The pool's size or the threads' count alone, as value_in_force says it: what a sweep's
/// labels take, where the knobs' values are said at each point.
std::string size_in_force(const Scenario& written, const Scenario& in_force, const Run& run);

/// A setting a run's name states (its GIL, cores, switch interval, chunksize or start method,
/// as the file has it), in words at its value in force ("old GIL", "1 core", "20.0 ms"), and
/// whether that differs from the file's.
struct StatedSetting {
  std::string words;
  bool changed = false;
};
/// Every setting `run`'s name states, in that order: value_in_force says those changed, a
/// sweep compares them from point to point.
std::vector<StatedSetting> stated_settings(const Scenario& written, const Scenario& in_force, const Run& run);

/// Whether `name` holds `n` as a number of its own ("pool of 4", "Pool(4)"; not "40 jobs").
bool states_number(const std::string& name, std::int64_t n);
/// Whether `name` states `t` as a person writes it: "5 ms", "5ms", "250 us", "1 s".
bool states_time(const std::string& name, Time t);
/// Whether `name` states its cores ("old GIL, 2 cores") or its chunksize ("chunksize 1").
bool states_cores(const std::string& name, int cores);
bool states_chunksize(const std::string& name, int chunksize);

}  // namespace gilsim::scenario
