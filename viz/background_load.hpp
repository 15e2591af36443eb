// Opening a scenario and indexing its runs on a second thread, so that the window, the ImGui
// context and its font atlas are made meanwhile: the first frame waits for the slower of the
// two instead of for both.
#pragma once

#include <filesystem>
#include <thread>

#include "viz/app_state.hpp"

namespace gilsim::viz {

class BackgroundLoad {
 public:
  /// Starts opening `file` (the default scenario when empty) into app.session and indexing
  /// its runs (refresh_derived). Nothing of `app` may be touched until wait() returns.
  /// First, malloc is asked to keep what the viewer frees for the next knob change
  /// (keep_freed_memory_for_knob_changes()).
  BackgroundLoad(AppState& app, std::filesystem::path file);
  /// Waits for the load when wait() was not called.
  ~BackgroundLoad();
  BackgroundLoad(const BackgroundLoad&) = delete;
  BackgroundLoad& operator=(const BackgroundLoad&) = delete;

  /// Waits for the load; true when the scenario loaded (else app.session.error() says why).
  bool wait();

  /// Seconds the second thread spent reading and simulating, and then indexing (after wait()).
  double load_seconds() const { return load_seconds_; }
  double indexing_seconds() const { return indexing_seconds_; }
  /// Whether malloc took the settings that keep freed memory for the next knob change.
  bool keeps_freed_memory() const { return keeps_freed_memory_; }

 private:
  bool keeps_freed_memory_ = false;  ///< set before the load starts (thread_ is declared after it)
  bool loaded_ = false;
  double load_seconds_ = 0;
  double indexing_seconds_ = 0;
  std::thread thread_;  ///< last: it starts once the fields above exist
};

}  // namespace gilsim::viz
