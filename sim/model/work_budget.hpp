// How much work a run asks of the model, estimated before it starts and bounded while it
// runs, so that no scenario inside the file limits can take the machine.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "sim/scenario/scenario.hpp"

namespace gilsim::model {

/// Events of the model for each run unless raised (`gilsim run --max-events`): about 1.5 GB
/// of trace and a minute of simulation. The viewer and `gilsim` hold every run to it alike.
inline constexpr std::uint64_t kDefaultMaxEvents = 20'000'000;

struct WorkEstimate {
  std::uint64_t steps = 0;        ///< steps executed, all jobs together
  std::uint64_t events = 0;       ///< events the model processes (an upper estimate)
  std::uint64_t trace_bytes = 0;  ///< memory the run's trace takes
};

/// From the jobs' steps, their mean durations and the slice a running thread gets before
/// it may be switched out (switch interval, the old GIL's check period, the OS quantum).
WorkEstimate estimate_work(const scenario::Scenario& s, const scenario::Run& run);

/// A run needs more events than allowed; what() names the run, the estimate, the limit and
/// how to raise it.
class WorkLimitExceeded : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// Throws WorkLimitExceeded, before anything runs, when a run's estimate is more than
/// `max_events` (each run on its own: a file of many small runs is not refused for their
/// total). `how_to_raise` ends the message: "raise it with --max-events N".
void check_work(const std::vector<std::pair<const scenario::Scenario*, const scenario::Run*>>& runs,
                std::uint64_t max_events, const std::string& how_to_raise);
/// The same check over runs estimated already (estimate_work of each).
void check_work(const std::vector<std::pair<const scenario::Run*, WorkEstimate>>& estimated,
                std::uint64_t max_events, const std::string& how_to_raise);

}  // namespace gilsim::model
