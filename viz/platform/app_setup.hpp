// Opening the scenario and preparing the app state, shared by the window and the bench. The
// scenario loads on a second thread (BackgroundLoad) while the caller makes the window's parts.
#pragma once

#include <vector>

#include "viz/app_state.hpp"
#include "viz/background_load.hpp"
#include "viz/platform/options.hpp"

namespace gilsim::viz::platform {

/// The UI scale the app starts at (what finish_set_up() gives app.ui_scale), known before it loads.
float initial_ui_scale(const Options& options);

/// Waits for `load`, then sets up the rest of `app` from `options` (playhead, view, scale,
/// the bundled scenarios' list, runs started at start-up). Prints the error and returns false
/// when the scenario does not load. A --view or --at past the end of every run is said on
/// stderr, and the whole runs shown or the playhead put at the end.
bool finish_set_up(AppState& app, BackgroundLoad& load, const Options& options, std::vector<BundledScenario> bundled);

}  // namespace gilsim::viz::platform
