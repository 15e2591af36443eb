// Opening the scenario and preparing the app state, shared by the window and the bench.
#pragma once

#include "viz/app_state.hpp"
#include "viz/platform/options.hpp"

namespace gilsim::viz::platform {

/// Opens options.file (or the default) into `app`; prints the error and returns false when
/// it does not load.
bool set_up_app(AppState& app, const Options& options, bool list_bundled);

}  // namespace gilsim::viz::platform
