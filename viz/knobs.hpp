// The classroom knobs of the scenario panel (cores, switch interval, workers, jobs) as the
// loader's overrides, and the time syntax shared by the command line and the panels.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sim/scenario/loader.hpp"

namespace gilsim::viz {

/// Values the scenario panel's sliders override; unset means "as the file says".
struct Knobs {
  std::optional<int> cores;
  std::optional<Time> switch_interval;
  std::optional<int> workers;
  std::optional<int> jobs;
  std::vector<scenario::Override> more;  ///< other keys, such as a sweep point's (applied last)
  /// The command line's `gilviz --set KEY=VALUE`s: the scenario's values before any knob
  /// moves. Applied first, so the knobs move from them; "Back to the file's values" keeps them.
  std::vector<scenario::Override> base;

  std::vector<scenario::Override> overrides() const;
  /// Whether a knob moved (the base is not a knob's).
  bool any() const { return cores || switch_interval || workers || jobs || !more.empty(); }
  /// The same overrides (keys and values, in order).
  bool operator==(const Knobs& other) const;
};

/// What the title bars say of a scenario changed with `gilviz --set`: "switch_interval=1ms
/// set", "cores=2, switch_interval=1ms set"; empty without one.
std::string set_note(const std::vector<scenario::Override>& base);
/// The same to follow the scenario's title: " (switch_interval=1ms set)", or empty.
std::string set_said(const Knobs& knobs);

/// Per `gilviz --set` of `knobs` that runs of `s` (the scenario loaded with it) keep their
/// own value of, the command line's sentence (scenario::runs_an_override_misses): "--set
/// switch_interval=2ms changes no run: every run sets its own switch_interval, ...".
std::vector<std::string> set_misses(const scenario::Scenario& s, const Knobs& knobs);
/// The title's words for the --sets, with those that change no run said so: " (switch_interval=2ms
/// set: it changes no run, each sets its own)", or set_said's where every --set reaches a run.
std::string set_said(const Knobs& knobs, const scenario::Scenario& s);
/// What the command line says before a note when the runs are not the file's ("the note below
/// was written for the file as it is"), where a knob moved or a --set changes some run; else empty.
std::string note_written_for_file(const scenario::Scenario& s, const Knobs& knobs);

/// `gilviz FILE --set KEY=VALUE...`: the overrides, parsed as gilsim run parses them
/// (scenario::parse_override) into `parsed`, and FILE (the default scenario when empty) loaded
/// with them: the ScenarioError gilsim would report ("--set cores=0: 'cores' is 0; expected
/// ..."), or nullopt. A FILE that does not load without them is left to the window's load.
std::optional<std::string> check_set(const std::filesystem::path& file, const std::vector<std::string>& texts,
                                     std::vector<scenario::Override>& parsed);

/// Whether `after` moves the switch interval of `before` and nothing else.
bool only_switch_interval_moved(const Knobs& before, const Knobs& after);

/// Which of the cores and the switch interval a change of the knobs moves (set, unset or
/// to another value: the knob moved, whatever the value it gives).
struct MovedKnobs {
  bool cores = false;
  bool switch_interval = false;
  bool operator==(const MovedKnobs&) const = default;
};
/// The knobs `after` moves of `before` when it moves the cores, the switch interval or both,
/// and nothing else; nothing otherwise (no change, or another knob moved).
std::optional<MovedKnobs> only_cores_or_interval_moved(const Knobs& before, const Knobs& after);

/// The knobs the scenario panel shows, each with its slider's range.
enum class Knob { Cores, SwitchInterval, Workers, Jobs };

/// The workers knob's value before the user touches it: the first pool's workers (0: no pool).
int first_pool_workers(const scenario::Scenario& s);

/// One step of one knob: up (+1) or down (-1).
struct KnobStep {
  Knob knob = Knob::Cores;
  int direction = +1;
  bool operator==(const KnobStep&) const = default;
};

/// `in_force` with `step` taken over `shown`, the scenario loaded with `in_force`: cores,
/// workers and jobs by one, the switch interval to the next value of 0.1, 0.2, 0.5, 1, 2, 5,
/// 10, 20, 50 ms. Nothing at the end of the slider's range, nor for the workers of a scenario
/// without a pool. The scenario panel's step buttons take exactly these values.
std::optional<Knobs> step_knob(const scenario::Scenario& shown, const Knobs& in_force, KnobStep step);

/// The step that took `before` to `after` when they differ in one knob, by one step or more.
std::optional<KnobStep> step_between(const Knobs& before, const Knobs& after, const scenario::Scenario& shown_before);

/// The values a teacher most likely asks for next, most likely first: `last` again, then
/// back, then one step up and down of every other knob.
std::vector<Knobs> neighbour_knobs(const scenario::Scenario& shown, const Knobs& in_force,
                                   std::optional<KnobStep> last);

/// Parses a time as scenario files write one (value_syntax.hpp): "120ms", "1.5s", "250us",
/// "250µs", "800ns"; a bare number has no unit and is refused, as in a file.
std::optional<Time> parse_time(std::string_view text);

}  // namespace gilsim::viz
