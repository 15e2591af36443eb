// Every span and mark of a model's runs as one text, with the runs' ends and counters: what
// tests compare when two ways of simulating must give exactly the same runs.
#pragma once

#include <sstream>
#include <string>
#include <vector>

#include "sim/trace/csv_export.hpp"
#include "sim/trace/trace.hpp"

namespace gilsim::test {

inline std::string runs_as_text(const std::vector<trace::Trace>& runs) {
  std::vector<const trace::Trace*> pointers;
  std::ostringstream out;
  for (const trace::Trace& t : runs) {
    pointers.push_back(&t);
    out << t.run_name << ' ' << t.end.ns() << ' ' << t.marks.size() << ' ' << t.partial();
    for (const trace::Counter& c : t.counters) out << ' ' << c.name << '=' << c.final_value << '/' << c.updates;
    out << '\n';
  }
  trace::write_events_csv(out, pointers);
  return out.str();
}

}  // namespace gilsim::test
