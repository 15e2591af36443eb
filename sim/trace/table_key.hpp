// What the run tables' "speedup" and "GIL wait" measure, in words: one text for the command
// line's table (under it) and the viewer's Numbers panel (under its table).
#pragma once

#include <string>
#include <string_view>

#include <fmt/format.h>

namespace gilsim::trace {

/// "speedup: against 'asyncio', the first run": every speed-up divides the first run's
/// makespan (trace::speedup_baseline), whatever that run is (lesson 3's 0.0018x is the thread
/// pool against asyncio).
inline std::string speedup_key(std::string_view first_run) {
  return fmt::format("speedup: against '{}', the first run", first_run);
}

/// GIL wait is every thread's waiting added up: with four threads waiting at once it grows
/// four times as fast as the clock (lesson 1's threads: 2.893 s in a 1.013 s run).
inline constexpr std::string_view kGilWaitKey =
    "GIL wait: all threads' waits added up, so it can be longer than the run";

/// Both, as one line: "speedup: ...; GIL wait: ...". `measured_too`: measured runs are
/// among the rows, each against the first run measured the same way.
inline std::string table_key(std::string_view first_run, bool measured_too) {
  return fmt::format("{}{}; {}", speedup_key(first_run), measured_too ? " (measured against measured)" : "",
                     kGilWaitKey);
}

}  // namespace gilsim::trace
