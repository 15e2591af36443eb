// The narrative: every mark of every run as a line of the story, in time order, so the log
// can follow the playhead and a click on a line can move the playhead there.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "sim/trace/trace.hpp"
#include "viz/handoff_links.hpp"

namespace gilsim::viz {

struct NarrativeLine {
  Time at;
  std::uint32_t run = 0;
  std::uint32_t mark = 0;  ///< index into runs[run].marks
  bool why = false;        ///< the row under a forced switch: why the new holder won
  std::uint32_t link = trace::kNone;  ///< on a why row: index into its run's hand-off links
};

/// Per run, its hand-off links (RunIndex::handoffs), or nullptr.
using HandoffsByRun = std::vector<const std::vector<HandoffLink>*>;

struct NarrativeFilter {
  bool gil_only = false;               ///< only GIL requests, drop requests, switches, hand-overs
  std::uint32_t run = trace::kNone;    ///< one run only, or kNone for all
};

class Narrative {
 public:
  /// Each forced switch that has a hand-off link in `handoffs` gets a second row, its why.
  void build(const std::vector<trace::Trace>& runs, const NarrativeFilter& filter, const HandoffsByRun& handoffs = {});
  std::size_t size() const { return lines_.size(); }
  const NarrativeLine& line(std::size_t i) const { return lines_[i]; }
  /// The line the playhead is on: the last one at or before `t`; -1 before the first.
  std::ptrdiff_t index_at(Time t) const;
  /// The line's why text, e.g. "T2 waited 5.00 ms for the GIL and asked T1 to drop it";
  /// a hand-off's why row: "why: T2 asked and was the only waiter".
  static std::string text(const std::vector<trace::Trace>& runs, const NarrativeLine& line,
                          const HandoffsByRun& handoffs = {});

 private:
  /// Appends run r's lines of GIL marks, with the why rows of its `links`.
  void append_gil_lines(const trace::Trace& run, std::uint32_t r, const std::vector<HandoffLink>* links);
  /// Appends run r's lines of every mark, with the why rows of its `links`.
  void append_every_line(const trace::Trace& run, std::uint32_t r, const std::vector<HandoffLink>* links);

  std::vector<NarrativeLine> lines_;
};

}  // namespace gilsim::viz
