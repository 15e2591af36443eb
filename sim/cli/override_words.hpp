// What a report says about the command's --set values, where it names them: above the table,
// so that nobody reads figures a --set did not change as changed.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "sim/scenario/scenario.hpp"

namespace gilsim::cli {

/// The sentences, unwrapped, for the --set texts `overrides` (as typed) on the scenario `s`
/// (loaded with them): "(with --set cores=2; the note below was written for the file as it
/// is)" for those that change some run (without the note's half when `s` has no note), then,
/// for each that some run keeps its own value against, which runs and why
/// (scenario::runs_an_override_misses); when none changes any run, a last sentence says that
/// every run is the file's. With `written` (the file without them), what the runs they took the
/// GIL from pay for it (gil_change_costs). Empty without --set.
std::vector<std::string> override_sentences(const scenario::Scenario& s, const std::vector<std::string>& overrides,
                                            const scenario::Scenario* written = nullptr);

/// What the runs of `s` pay, or no longer pay, for a GIL changed from the file as `written`
/// (docs/model.md F2), a sentence each: the runs a --set gil=none or run.NAME.gil=none took it
/// from, named unless they are every run (lesson 1's sequential run with gil=none took 1.080 s
/// for the file's 1.000 s, and nothing said why); then the runs of a free-threaded version
/// (3.13t) given a GIL the file has not, which run as the default build does (lesson 12's
/// gil=new ran its no-GIL runs in 1.000 s where its note says 3.13t with its GIL back keeps its
/// slower pace).
std::vector<std::string> gil_change_costs(const scenario::Scenario& s, const scenario::Scenario& written);

/// `text` as a shell would take it back: quoted when it holds more than a plain word's characters.
std::string shell_word(const std::string& text);

}  // namespace gilsim::cli
