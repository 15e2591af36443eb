// The busy-machine check: /proc/loadavg and the Runnable time of a measured trace.
#include "sim/real/machine_load.hpp"

#include <fstream>

#include <fmt/format.h>

namespace gilsim::real {

std::optional<double> load_average() {
  std::ifstream file("/proc/loadavg");
  double load = 0.0;
  if (!(file >> load)) return std::nullopt;
  return load;
}

CoreShortfall core_shortfall(const trace::Trace& t) {
  CoreShortfall s;
  for (const trace::Lane& lane : t.lanes) {
    if (lane.kind != trace::LaneKind::Thread) continue;
    for (const trace::Span& span : lane.spans) {
      if (span.state == trace::SpanState::Runnable) s.waited += span.duration();
      if (span.state == trace::SpanState::Running) s.ran += span.duration();
    }
  }
  return s;
}

std::optional<std::string> starved_note(const trace::Trace& t, double limit) {
  const CoreShortfall s = core_shortfall(t);
  if (s.ran.ns() <= 0 || static_cast<double>(s.waited.ns()) <= limit * static_cast<double>(s.ran.ns())) {
    return std::nullopt;
  }
  return fmt::format("not scored: its threads waited {} for a core beside {} of running Python (other programs "
                     "kept the cores busy)", format_time(s.waited), format_time(s.ran));
}

}  // namespace gilsim::real
