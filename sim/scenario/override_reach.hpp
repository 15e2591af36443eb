// Which runs an override of a scenario-wide value does not reach: a run that sets its own
// switch interval, cores or GIL keeps it (the file's most specific value wins), so
// `--set switch_interval=1ms` on a lesson whose runs each set one changes nothing.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "sim/scenario/loader.hpp"
#include "sim/scenario/scenario.hpp"

namespace gilsim::scenario {

/// Whether each run's GIL is the one `s` gives it (not so in a sweep that varies the GIL or
/// the version: a switch interval reaches the points where the GIL is the new one).
enum class GilsKnown { Yes, No };

/// For an override of python.switch_interval, machine.cores or python.gil (or their
/// shorthands), a sentence naming the runs of `s` that keep their own value, or saying that
/// it changes no run; nothing when every run takes it or the key is another. A switch
/// interval also misses the runs whose GIL has none (the old GIL, no GIL), where `gils`
/// says their GIL is known.
std::optional<std::string> runs_an_override_misses(const Scenario& s, const Override& o,
                                                   GilsKnown gils = GilsKnown::Yes);

}  // namespace gilsim::scenario
