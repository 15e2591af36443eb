// For the tests of the command line's tables: a hand-made run, and a table line's cells.
#pragma once

#include <string>
#include <vector>

#include "sim/trace/trace_builder.hpp"

namespace gilsim::testing {

/// One thread running Python on one core, holding the GIL, from 0 to `end`: "sequential",
/// 480 ms, is the report tests' first run.
inline trace::Trace one_thread(const std::string& name, Time end, trace::Origin origin = trace::Origin::Simulated) {
  using namespace trace;
  TraceBuilder b(name, "sequential", "new", origin, 1, Time{5'000'000});
  b.add_cores(1);
  const auto p = b.add_process("main", true);
  const auto main = b.add_lane("main", LaneKind::Thread, p);
  b.set_state(b.core_lane(0), Time::zero(), SpanState::Running, main);
  b.set_state(b.gil_lane(p), Time::zero(), SpanState::Held, main);
  b.set_state(main, Time::zero(), SpanState::Running, 0, 0);
  return b.finish(end);
}

/// The cells of a table line: text separated by two or more spaces.
inline std::vector<std::string> cells(const std::string& line) {
  std::vector<std::string> out;
  std::size_t pos = 0;
  while (pos < line.size()) {
    const std::size_t start = line.find_first_not_of(' ', pos);
    if (start == std::string::npos) break;
    std::size_t end = line.find("  ", start);
    if (end == std::string::npos) end = line.size();
    out.push_back(line.substr(start, end - start));
    pos = end;
  }
  return out;
}

}  // namespace gilsim::testing
