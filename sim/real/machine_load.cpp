// The busy-machine check: /proc/loadavg and the Runnable time of a measured trace.
#include "sim/real/machine_load.hpp"

#include <fstream>
#include <set>

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
  // A sum over processes can exceed the run's own time: say whose it is.
  std::set<trace::ProcessId> processes;
  for (const trace::Lane& lane : t.lanes) {
    if (lane.kind == trace::LaneKind::Thread && !lane.spans.empty()) processes.insert(lane.process);
  }
  const std::string whose = processes.size() > 1 ? fmt::format("its {} processes' threads", processes.size()) : "its threads";
  return fmt::format("not scored: {} waited {} for a core{} beside {} of running Python (other programs "
                     "kept the cores busy)", whose, format_time(s.waited), processes.size() > 1 ? " in all" : "",
                     format_time(s.ran));
}

}  // namespace gilsim::real
