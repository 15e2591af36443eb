// Did a measured run get the cores it asked for? The busy-machine check every measured run
// can use: the load average before it, and the time its threads waited for a core.
#pragma once

#include <optional>
#include <string>

#include "sim/trace/trace.hpp"

namespace gilsim::real {

/// The one-minute load average (/proc/loadavg), or nullopt where there is none.
std::optional<double> load_average();

/// Time the trace's threads were ready to run Python but had no core (Runnable spans),
/// against the time they ran it (Running spans).
struct CoreShortfall {
  Time waited;
  Time ran;
};
CoreShortfall core_shortfall(const trace::Trace& trace);

/// A sentence saying why the run is not scored when its threads waited for a core more than
/// `limit` of the time they ran Python; nullopt when it got its cores.
std::optional<std::string> starved_note(const trace::Trace& trace, double limit = 0.10);

}  // namespace gilsim::real
