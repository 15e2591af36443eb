// The narrative: every mark of every run as a line of the story, in time order, so the log
// can follow the playhead and a click on a line can move the playhead there.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "sim/trace/trace.hpp"

namespace gilsim::viz {

struct NarrativeLine {
  Time at;
  std::uint32_t run = 0;
  std::uint32_t mark = 0;  ///< index into runs[run].marks
};

struct NarrativeFilter {
  bool gil_only = false;               ///< only GIL requests, drop requests, switches, hand-overs
  std::uint32_t run = trace::kNone;    ///< one run only, or kNone for all
};

class Narrative {
 public:
  void build(const std::vector<trace::Trace>& runs, const NarrativeFilter& filter);
  std::size_t size() const { return lines_.size(); }
  const NarrativeLine& line(std::size_t i) const { return lines_[i]; }
  /// The line the playhead is on: the last one at or before `t`; -1 before the first.
  std::ptrdiff_t index_at(Time t) const;
  /// The line's why text, e.g. "T2 waited 5.00 ms for the GIL and asked T1 to drop it".
  static std::string text(const std::vector<trace::Trace>& runs, const NarrativeLine& line);

 private:
  std::vector<NarrativeLine> lines_;
};

}  // namespace gilsim::viz
