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
  /// The lines build() makes of run `r` alone with no filter (`links`: its hand-off links, or
  /// nullptr), made where the runs are indexed so that the first frame need not.
  static std::vector<NarrativeLine> lines_of_run(const trace::Trace& run, std::uint32_t r, const std::vector<HandoffLink>* links);
  /// Adds to `lines`, one line per mark of its run in their order (NarrativeLine{at, r, i}
  /// of mark i, as a reader of the marks makes them), the why rows of the run's hand-off
  /// links: what lines_of_run gives.
  static void add_why_rows(std::vector<NarrativeLine>& lines, const std::vector<HandoffLink>* links);
  /// build() of runs whose lines_of_run were made before, `per_run[r]` run r's (moved out;
  /// nullptr for a run the filter leaves out): the same lines, read no mark. The filter must
  /// not be gil_only.
  void build_from(std::vector<std::vector<NarrativeLine>*> per_run, const NarrativeFilter& filter);
  std::size_t size() const { return lines_.size(); }
  const NarrativeLine& line(std::size_t i) const { return lines_[i]; }
  /// The line the playhead is on: the last one at or before `t`; -1 before the first.
  std::ptrdiff_t index_at(Time t) const;
  /// The line's why text, e.g. "T2 waited 5.00 ms for the GIL and asked T1 to drop it";
  /// a hand-off's why row: "why: T2 asked and was the only waiter".
  static std::string text(const std::vector<trace::Trace>& runs, const NarrativeLine& line,
                          const HandoffsByRun& handoffs = {});

 private:
  /// Appends run r's lines for `gil_only` to `out`.
  static void append_run_lines(std::vector<NarrativeLine>& out, const trace::Trace& run, std::uint32_t r, bool gil_only,
                               const std::vector<HandoffLink>* links);
  /// Merges the runs' lines, each run's in time order from its start in `lines_`.
  void merge_runs(std::vector<std::size_t> starts);

  std::vector<NarrativeLine> lines_;
};

}  // namespace gilsim::viz
