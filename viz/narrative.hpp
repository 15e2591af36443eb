// The narrative: every mark of every run as a line of the story, in time order, so the log
// can follow the playhead and a click on a line can move the playhead there.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
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
  /// The lines of one run's every mark are not written out but read from its marks (a run of
  /// 10,000 threads has 6 M lines, 144 MB written for the first frame): build again whenever
  /// `runs` change (NarrativePanel::dirty), as the lines read them.
  void build(const std::vector<trace::Trace>& runs, const NarrativeFilter& filter, const HandoffsByRun& handoffs = {});
  std::size_t size() const { return one_run_ ? one_run_->marks->size() + one_run_->linked.size() : lines_.size(); }
  NarrativeLine line(std::size_t i) const { return one_run_ ? one_run_->line(i) : lines_[i]; }
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

  /// The lines of one run's every mark, read from its marks: line i is mark i, but for the
  /// why rows, each after its switch's line.
  struct EveryMarkOfOneRun {
    const trace::MarkStore* marks = nullptr;
    std::uint32_t run = 0;
    std::vector<std::pair<std::uint32_t, std::uint32_t>> linked;  ///< (switch mark, link), by mark
    NarrativeLine line(std::size_t i) const;
    std::ptrdiff_t index_at(Time t) const;
  };

  std::vector<NarrativeLine> lines_;
  std::optional<EveryMarkOfOneRun> one_run_;  ///< in place of lines_ for one run's every mark
};

}  // namespace gilsim::viz
