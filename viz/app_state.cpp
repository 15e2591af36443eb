// Derived data: rebuilt once per change of the runs, never per frame.
#include "viz/app_state.hpp"

#include <algorithm>
#include <unordered_map>
#include <array>
#include <atomic>
#include <cmath>
#include <functional>
#include <limits>
#include <memory>
#include <optional>
#include <thread>
#include <type_traits>
#include <utility>

#include "sim/trace/lane_label.hpp"
#include "sim/trace/outcomes.hpp"
#include "viz/level_of_detail.hpp"
#include "viz/radix_sort.hpp"

namespace gilsim::viz {

using trace::LaneKind;
using trace::Span;
using trace::SpanState;

std::vector<GilContention> gil_contention(const trace::Trace& run) {
  std::vector<trace::GilWaitEdges> waits;
  trace::compute_metrics(run, waits);
  return gil_contention(run, std::move(waits));
}

namespace {

using Edge = std::pair<Time, int>;

/// The edges of one process's GIL waits in time order, an instant at a time with the edges
/// there summed (their order at one instant is free). They come lane by lane, each lane's in
/// time order (a wait begins at or after the last one's end): a few stretches each in order,
/// merged as they are read, where a sort of them all took four passes over every edge and a
/// buffer as large (the 1 M-span scenario's 288,000 edges: the band 44.3 M instructions
/// sorted, 37.3 M merged). With
/// more stretches than kMostMerged (thousands of threads), or edges in no order (a measured
/// trace gone wrong makes more stretches), they are sorted first and read as one.
class EdgesInOrder {
 public:
  static constexpr std::size_t kMostMerged = 16;

  /// The edges of `parts` (the waits of the thread lanes read in parts: each its lanes' in
  /// order), together.
  explicit EdgesInOrder(const std::vector<std::vector<Edge>*>& parts) {
    for (std::vector<Edge>* part : parts) {
      const Edge* begin = part->data();
      const Edge* const end = part->data() + part->size();
      for (const Edge* e = begin; e != end; ++e) {
        if (e + 1 != end && e[0].first <= e[1].first) continue;
        if (count_ == kMostMerged) {  // too many: sorted, one stretch
          sort_together(parts);
          return;
        }
        at_[count_] = begin;
        end_[count_++] = e + 1;
        begin = e + 1;
      }
    }
    start();
  }

  bool done() const { return count_ == 0; }
  /// The earliest instant not read yet (not done()).
  Time at() const { return Time{head_[first_]}; }
  /// The sum of the edges at at(), read.
  int take() {
    const std::int64_t at = head_[first_];
    int sum = 0;
    do {
      const std::size_t r = first_;
      const Edge* e = at_[r];
      do sum += (e++)->second;
      while (e != end_[r] && e->first.ns() == at);
      if (e != end_[r]) {
        at_[r] = e;
        head_[r] = e->first.ns();
      } else {  // this stretch is read: the last takes its place
        --count_;
        at_[r] = at_[count_];
        end_[r] = end_[count_];
        head_[r] = head_[count_];
      }
      if (count_ == 0) break;
      first_ = earliest();
    } while (head_[first_] == at);
    return sum;
  }

 private:
  void sort_together(const std::vector<std::vector<Edge>*>& parts) {
    std::vector<Edge>* all = parts.front();
    for (std::size_t p = 1; p < parts.size(); ++p) all->insert(all->end(), parts[p]->begin(), parts[p]->end());
    stable_sort_by_key(*all, [](const Edge& edge) { return edge.first.ns(); });
    count_ = 0;
    if (!all->empty()) {
      at_[0] = all->data();
      end_[0] = all->data() + all->size();
      count_ = 1;
    }
    start();
  }
  void start() {
    for (std::size_t r = 0; r < count_; ++r) head_[r] = at_[r]->first.ns();
    first_ = earliest();
  }
  std::size_t earliest() const {
    std::size_t first = 0;
    for (std::size_t r = 1; r < count_; ++r) first = head_[r] < head_[first] ? r : first;
    return first;
  }

  std::size_t count_ = 0;  ///< stretches not read to their end
  std::size_t first_ = 0;  ///< the one whose next edge is the earliest
  std::array<const Edge*, kMostMerged> at_{}, end_{};  ///< per stretch: its next edge, its end
  std::array<std::int64_t, kMostMerged> head_{};       ///< per stretch: its next edge's time
};

}  // namespace

std::vector<GilContention> gil_contention(const trace::Trace& run, std::vector<trace::GilWaitEdges> waits) {
  std::vector<std::vector<trace::GilWaitEdges>> parts;
  parts.push_back(std::move(waits));
  return gil_contention(run, std::move(parts));
}

std::vector<GilContention> gil_contention(const trace::Trace& run, std::vector<std::vector<trace::GilWaitEdges>> parts) {
  std::vector<GilContention> out;
  for (trace::ProcessId p = 0; p < run.processes.size(); ++p) {
    std::vector<std::vector<Edge>*> edges;  // this process's, from each part
    for (std::vector<trace::GilWaitEdges>& part : parts) {
      if (p < part.size()) edges.push_back(&part[p].edges);
    }
    if (run.processes[p].gil_lane >= run.lanes.size() || edges.empty()) continue;
    // Sweep +1 at each wait's start and -1 at its end.
    std::size_t room = 0;
    for (const std::vector<Edge>* e : edges) room += e->size();
    GilContention c{p, {}};
    c.spans.reserve(room);  // at most a span per edge; pages never written cost nothing
    {
      // Span after span, most beginning where the last ended: the appender's inline pushes,
      // not a call each (300,000 spans on the 1 M-span scenario).
      trace::SpanStore::Appender spans(c.spans);
      int waiting = 0;
      Time since;  // when `waiting` took its value
      for (EdgesInOrder in_order(edges); !in_order.done();) {
        const Time at = in_order.at();
        const int before = waiting;
        waiting += in_order.take();
        if (waiting == before) continue;
        if (before > 0) spans.push(since, at, static_cast<std::uint32_t>(before), trace::kNoStep, SpanState::WaitingGil);
        c.most_waiters = std::max(c.most_waiters, static_cast<std::uint32_t>(waiting));
        since = at;
      }
    }
    out.push_back(std::move(c));
  }
  return out;
}

std::uint32_t prediction_of(const std::vector<trace::Trace>& runs, std::uint32_t measured) {
  if (measured >= runs.size() || runs[measured].origin != trace::Origin::Measured) return trace::kNone;
  for (std::uint32_t r = 0; r < runs.size(); ++r) {
    if (runs[r].origin == trace::Origin::Simulated && runs[r].run_name == runs[measured].run_name) return r;
  }
  return trace::kNone;
}

Time total_end(const std::vector<trace::Trace>& runs) {
  Time end = Time::zero();
  for (const auto& r : runs) end = max(end, r.end);
  return end;
}

namespace {

/// The one job a thread or task lane's spans run, read span by span: kNone for none, or for several.
class OneJob {
 public:
  OneJob(const trace::Trace& run, const PreviewIndexer::LaneCarry& from)
      : jobs_(run.jobs.size()), job_(from.job), several_(from.several_jobs) {}
  void see(std::uint32_t subject) {
    if (subject >= jobs_ || subject == job_ || several_) return;
    several_ = job_ != trace::kNone;
    job_ = subject;
  }
  void keep(PreviewIndexer::LaneCarry& to) const {
    to.job = job_;
    to.several_jobs = several_;
  }
  std::uint32_t job() const { return several_ ? trace::kNone : job_; }

 private:
  std::size_t jobs_;
  std::uint32_t job_ = trace::kNone;
  bool several_ = false;
};

/// Whether the runs are the ones the folding was made for (the same runs in the same order,
/// whatever values in force their labels say).
bool same_run_names(const AppState& app, const std::vector<trace::Trace>& runs) {
  if (app.folded_run_names.size() != runs.size()) return false;
  for (std::size_t r = 0; r < runs.size(); ++r) {
    if (app.folded_run_names[r] != run_identity(runs[r])) return false;
  }
  return true;
}

/// Runs `tasks` on this thread and one beside it, each task taken by whichever thread is free:
/// the one beside takes them from the first on, this thread from the last back, so that the
/// two end together instead of one waiting for the other, and a task the first and the last
/// both lead to (a run's GIL contention, after both parts of its thread lanes) comes early.
/// With `lent`, the one beside is its serving thread (LentThread::share: the first, costliest
/// task goes to it); without, a thread made for it (LentThread::share likewise).
void run_on_two_threads(const std::vector<std::function<void()>>& tasks, LentThread* lent) {
  if (lent != nullptr) {
    lent->share(tasks);
    return;
  }
  LentThread().share(tasks);  // none serves it: a thread made for it
}

/// Which of a run's lanes one reading of index_lanes takes: a whole run's are read as three
/// tasks, its thread lanes (with the GIL waits, the longer) in two parts and the others.
enum class LanesRead { All, Threads, AllButThreads };

/// What index_lanes sums over the lanes it read, for finish_lanes() once every part is read.
struct LanesSum {
  std::int64_t waited = 0;  ///< the waits run_interest counts
  std::uint32_t seen = 0;   ///< the states read, a bit each
};

/// The carry's and the index's lists sized for `run`'s lanes, before index_lanes' parts fill
/// them (each its own lanes' elements, so that two parts can run at once).
void prepare_lanes(const trace::Trace& run, PreviewIndexer::RunCarry& carry, RunIndex& index) {
  carry.lanes.resize(run.lanes.size());
  carry.covered.resize(run.lanes.size());
  index.lane_labels.assign(run.lanes.size(), std::string());
}

/// Whether index_lanes' part `which` reads `lane`.
bool reads(LanesRead which, const trace::Lane& lane) {
  return which == LanesRead::All || (lane.kind == LaneKind::Thread) == (which == LanesRead::Threads);
}

/// The lanes from `from` up to `to` (past the last: all from `from`).
struct LaneRange {
  trace::LaneId from = 0, to = trace::kNone;
  trace::LaneId end(const trace::Trace& run) const { return std::min<trace::LaneId>(to, static_cast<trace::LaneId>(run.lanes.size())); }
};

/// The covered-time prefixes of the lanes `which` takes sized as index_lanes sizes them, on the
/// thread whose heap they should come from.
void size_lanes(const trace::Trace& run, PreviewIndexer::RunCarry& carry, LanesRead which) {
  for (trace::LaneId l = 0; l < run.lanes.size(); ++l) {
    if (reads(which, run.lanes[l])) carry.covered[l].resize(run.lanes[l].spans.size() + 1);
  }
}

/// Where a run's thread lanes are cut in two parts of about as many spans each: the first
/// lane of the second part.
trace::LaneId thread_lanes_halved(const trace::Trace& run) {
  std::size_t total = 0;
  for (const trace::Lane& lane : run.lanes) total += lane.kind == LaneKind::Thread ? lane.spans.size() : 0;
  std::size_t before = 0;  // thread spans in the lanes before `cut`
  trace::LaneId cut = 0;
  for (; cut < run.lanes.size(); ++cut) {
    const trace::Lane& lane = run.lanes[cut];
    const std::size_t spans = lane.kind == LaneKind::Thread ? lane.spans.size() : 0;
    // Past half with this lane: it goes where the two parts come out the nearer to even.
    if (2 * (before + spans) >= total) return 2 * before + spans <= total ? cut + 1 : cut;
    before += spans;
  }
  return cut;
}

/// Per lane covered_time_prefix, and in the same reading of the spans its label, the run's
/// run_interest and the states its threads and tasks show (the legend's), of the lanes `which`
/// takes (prepare_lanes() first, finish_lanes() with the sums of every part). Reads each lane
/// from its first span that `carry` does not hold final, and leaves its own for a longer
/// prefix. Without `keep`, its thread spans are fed to `threads` as they are read (the metrics'
/// own reading of them spared).
LanesSum index_lanes(const trace::Trace& run, PreviewIndexer::RunCarry& carry, RunIndex& index, bool keep,
                     trace::ThreadLaneFigures* threads, LanesRead which, LaneRange range = {}) {
  LanesSum sum;
  // interesting_wait() by state, asked once: a call per span was a tenth of the pass.
  std::array<bool, trace::kSpanStateCount> interesting{};
  for (int k = 0; k < trace::kSpanStateCount; ++k) interesting[static_cast<std::size_t>(k)] = interesting_wait(static_cast<SpanState>(k));
  for (trace::LaneId l = range.from; l < range.end(run); ++l) {
    const trace::Lane& lane = run.lanes[l];
    if (!reads(which, lane)) continue;
    PreviewIndexer::LaneCarry& c = carry.lanes[l];
    std::vector<std::int64_t>& prefix = carry.covered[l];
    const std::size_t spans = lane.spans.size();
    if (c.final_spans > spans) c = {};  // not a longer prefix of the same lane: read it whole
    // Element 0 is 0: the time before the first span. Sized at once, each span writing its
    // own element (a push_back checked for room at every span).
    prefix.resize(spans + 1);
    std::int64_t covered = prefix[c.final_spans];
    std::int64_t* out = prefix.data() + c.final_spans + 1;
    OneJob one(run, c);
    std::int64_t waited = c.waited;
    static_assert(trace::kSpanStateCount <= 32);
    std::uint32_t seen = 0;  // the states read, a bit each: kept in a register, not stored per span
    // The last span read again by a longer prefix (it may have been cut): the carry is kept
    // as it is before it. Only a kept carry needs it: a whole run's reading checks nothing
    // per span for it.
    const std::size_t last = spans - 1;
    std::size_t i = c.final_spans;
    const auto keep_before_last = [&] {
      if (i++ != last) return;
      c.final_spans = last;
      c.waited = waited;
      one.keep(c);
    };
    // One pass per kind of lane, each reading what it needs (in order: one record each).
    const auto pass = [&](auto carried) {
      switch (lane.kind) {
        case LaneKind::Thread:
          if constexpr (!carried) threads->start_lane(lane);
          lane.spans.for_each([&](const Span& s) {
            if constexpr (carried) {
              keep_before_last();
            } else {
              threads->see(s);
            }
            const std::int64_t d = s.duration().ns();
            *out++ = covered += d;
            if (interesting[static_cast<std::size_t>(s.state)]) waited += d;
            one.see(s.subject);
            seen |= 1u << static_cast<unsigned>(s.state);  // the cut span's state is its own
          }, c.final_spans);
          break;
        case LaneKind::Task:
          lane.spans.for_each([&](const Span& s) {
            if constexpr (carried) keep_before_last();
            *out++ = covered += s.duration().ns();
            one.see(s.subject);  // "task 1 heartbeat", as gilsim's timeline says it
            seen |= 1u << static_cast<unsigned>(s.state);
          }, c.final_spans);
          break;
        default:
          lane.spans.for_each([&](const Span& s) {
            if constexpr (carried) keep_before_last();
            *out++ = covered += s.duration().ns();
          }, c.final_spans);
          break;
      }
    };
    if (keep || threads == nullptr) {
      pass(std::true_type{});
    } else {
      pass(std::false_type{});
    }
    sum.seen |= seen;
    sum.waited += waited;
    index.lane_labels[l] = trace::lane_label(run, l, one.job());
  }
  return sum;
}

/// index_lanes' run-wide figures from the sums of its parts.
void finish_lanes(PreviewIndexer::RunCarry& carry, RunIndex& index, bool keep, const std::vector<LanesSum>& parts) {
  std::int64_t waited_in_run = 0;
  for (const LanesSum& part : parts) {
    for (std::size_t k = 0; k < carry.states.size(); ++k) carry.states[k] = carry.states[k] || (part.seen >> k & 1u) != 0;
    waited_in_run += part.waited;
  }
  index.covered_prefix = keep ? carry.covered : std::move(carry.covered);
  index.interest = static_cast<double>(waited_in_run);  // whole nanoseconds: exact in a double up to 104 days
}

/// marks_by_lane from the first mark `carry` has not read (a prefix's marks are final: later
/// ones come after them).
void index_marks(const trace::Trace& run, PreviewIndexer::RunCarry& carry, RunIndex& index, bool keep) {
  if (carry.final_marks == 0 || carry.final_marks > run.marks.size()) {
    LaneMarks whole = marks_by_lane(run);  // counts first: one allocation per lane
    carry.glyphs = std::move(whole.glyphs);
    carry.job_ends = std::move(whole.job_ends);
    carry.telling = std::move(whole.telling);
    carry.kinds = whole.kinds;
  } else {
    carry.glyphs.resize(run.lanes.size());
    carry.job_ends.resize(run.lanes.size());
    carry.telling.resize(run.lanes.size());
    for (auto i = static_cast<std::uint32_t>(carry.final_marks); i < run.marks.size(); ++i) {
      const trace::Mark m = run.marks[i];
      carry.kinds[static_cast<std::size_t>(m.kind)] = true;
      if (m.lane >= run.lanes.size() || !has_glyph(m.kind)) continue;
      (m.kind == trace::MarkKind::JobEnd ? carry.job_ends : carry.glyphs)[m.lane].push_back(i);
      if (tells_outcome(m.kind)) carry.telling[m.lane].push_back(i);
    }
  }
  carry.final_marks = run.marks.size();
  index.glyph_marks = keep ? carry.glyphs : std::move(carry.glyphs);
  index.job_end_marks = keep ? carry.job_ends : std::move(carry.job_ends);
  index.telling_marks = keep ? carry.telling : std::move(carry.telling);
}

/// A whole run's marks read once for the lanes' marks, the lost races, the hand-offs and the
/// metrics' counts (`figures`), where each read them all (the drop requests are found as they
/// are read).
void index_whole_run_marks(const trace::Trace& run, PreviewIndexer::RunCarry& carry, RunIndex& index,
                           trace::MarkFigures& figures) {
  std::vector<std::uint32_t> requests;
  index.races_lost.assign(run.lanes.size(), {});
  LaneMarks marks = marks_by_lane(run, [&](std::size_t i, const trace::Mark& m) {
    if (m.kind == trace::MarkKind::DropRequest) requests.push_back(static_cast<std::uint32_t>(i));
    add_race_lost(run, i, m, index.races_lost);
    figures.see(m);
  });
  carry.kinds = marks.kinds;
  carry.final_marks = run.marks.size();
  index.glyph_marks = std::move(marks.glyphs);
  index.job_end_marks = std::move(marks.job_ends);
  index.telling_marks = std::move(marks.telling);
  index.handoffs = handoff_links(run, requests);
}

/// The legend's lists: what any run's index saw.
void add_legend_of_runs(DerivedRuns& derived) {
  for (const RunIndex& index : derived.runs) {
    for (std::size_t k = 0; k < derived.states_seen.size(); ++k) derived.states_seen[k] = derived.states_seen[k] || index.states_seen[k];
    for (std::size_t k = 0; k < derived.marks_seen.size(); ++k) derived.marks_seen[k] = derived.marks_seen[k] || index.marks_seen[k];
  }
}

/// derive_runs with `carry`, one per run, from the runs' last prefixes (fresh ones: whole);
/// `keep`: the carry is kept for a longer prefix (else its indices are moved out). Each run
/// is read alone: its prediction (which reads the others) is left to the caller.
DerivedRuns derive_carried(const std::vector<const trace::Trace*>& runs, std::vector<PreviewIndexer::RunCarry>& carry,
                           bool keep, LentThread* lent = nullptr) {
  DerivedRuns out;
  out.runs.resize(runs.size());
  // Each run's indices read that run alone and write their own fields of its RunIndex (and of
  // its carry: the marks' and the lanes' apart), so they are built as separate tasks on two
  // threads: each kind for every run, the kinds that cost most first (on the 1 M-span
  // scenario, a whole run's thread lanes, 47 M instructions, read in two parts, one first on
  // each thread, then its GIL contention from the waits both read, 34 M, on the thread of the
  // first part (the serving thread's warmed heap: made on the loading thread's, the band's
  // spans faulted 870 pages in); then its marks' one reading, 22 M; a preview's marks, lanes, then
  // metrics with the contention), so that the last tasks taken are small. A whole run's
  // metrics read the cores', the GIL's and the tasks' lanes while its thread lanes' indexing
  // reads the threads' for both: in one task, the other thread would wait for them.
  std::vector<std::function<void()>> tasks;
  // A whole run's thread figures for its metrics and its GIL waits, fed by its thread lanes'
  // indexing (two parts a run), and its marks' figures, fed by its marks' one reading.
  std::vector<std::vector<trace::GilWaitEdges>> waits;
  std::vector<trace::ThreadLaneFigures> threads;
  waits.reserve(2 * runs.size());  // each part's figures point at its waits: never moved
  threads.reserve(2 * runs.size());
  std::vector<trace::LaneId> halved(keep ? 0 : runs.size());  // per run: its thread lanes' second part from here
  // Per run: its thread lanes' second part is read (the first part's task then builds the contention).
  const std::unique_ptr<std::atomic<bool>[]> second_read(keep ? nullptr : new std::atomic<bool>[runs.size()]);
  std::vector<trace::MarkFigures> mark_figures(keep ? 0 : runs.size());
  std::atomic<bool> others_sized{false};  // a whole run's other lanes' prefixes, sized by the first task
  const auto for_each_run = [&runs, &tasks](auto task) {
    for (std::size_t r = 0; r < runs.size(); ++r) tasks.emplace_back([task, r] { task(r); });
  };
  // Each run's lanes' sums, per part (the thread lanes' two parts and the others for a whole run).
  std::vector<std::vector<LanesSum>> lanes_sums(runs.size(), std::vector<LanesSum>(keep ? 1 : 3));
  for (std::size_t r = 0; r < runs.size(); ++r) prepare_lanes(*runs[r], carry[r], out.runs[r]);
  // A whole run's thread lanes' part (0 or 1); after part 0, once part 1 is read too, the
  // run's contention. Part 1 comes last in the tasks, so the thread that takes them from the
  // last back takes it first, and the wait is for a part being read.
  const auto thread_part = [&](std::size_t r, int part) {
    const LaneRange range = part == 0 ? LaneRange{0, halved[r]} : LaneRange{halved[r]};
    lanes_sums[r][static_cast<std::size_t>(part)] = index_lanes(*runs[r], carry[r], out.runs[r], keep,
                                                                &threads[2 * r + static_cast<std::size_t>(part)], LanesRead::Threads, range);
    if (part == 1) {
      second_read[r].store(true, std::memory_order_release);
      second_read[r].notify_all();
      return;
    }
    second_read[r].wait(false, std::memory_order_acquire);
    std::vector<std::vector<trace::GilWaitEdges>> both;
    both.push_back(std::move(waits[2 * r]));
    both.push_back(std::move(waits[2 * r + 1]));
    out.runs[r].contention = gil_contention(*runs[r], std::move(both));
  };
  if (!keep) {  // a whole run's: the thread lanes' one reading feeds the metrics and the GIL waits too (the costliest task, first)
    for (std::size_t r = 0; r < runs.size(); ++r) {
      halved[r] = thread_lanes_halved(*runs[r]);
      second_read[r].store(false, std::memory_order_relaxed);
      threads.emplace_back(*runs[r], &waits.emplace_back(), 0, halved[r]);
      threads.emplace_back(*runs[r], &waits.emplace_back(), halved[r]);
    }
    for_each_run([&](std::size_t r) { thread_part(r, 0); });
    if (!tasks.empty()) {  // none without runs
      tasks.front() = [&, first = std::move(tasks.front())] {
        for (std::size_t r = 0; r < runs.size(); ++r) size_lanes(*runs[r], carry[r], LanesRead::AllButThreads);
        others_sized.store(true, std::memory_order_release);
        others_sized.notify_all();
        first();
      };
    }
  }
  if (keep) for_each_run([&](std::size_t r) { index_marks(*runs[r], carry[r], out.runs[r], keep); });
  if (keep) {  // a preview's: its metrics, which read each span again, on the other thread
    for_each_run([&](std::size_t r) { lanes_sums[r][0] = index_lanes(*runs[r], carry[r], out.runs[r], keep, nullptr, LanesRead::All); });
    for_each_run([&](std::size_t r) {  // one reading of the spans for both
      std::vector<trace::GilWaitEdges> waits;
      out.runs[r].metrics = trace::compute_metrics(*runs[r], waits);
      out.runs[r].contention = gil_contention(*runs[r], std::move(waits));
    });
  } else {
    for_each_run([&](std::size_t r) { out.runs[r].metrics = trace::compute_metrics_but_thread_lanes_and_marks(*runs[r]); });
  }
  for_each_run([&](std::size_t r) {
    RunIndex& index = out.runs[r];
    index.groups = lane_groups(*runs[r]);
    index.summary_lane = summary_lane(*runs[r]);  // once: it may read the GIL lane's spans
    if (!keep) index.group_index = index_groups(*runs[r], index.groups);
    if (keep) {  // a preview's (a whole run's are read with its marks)
      index.handoffs = handoff_links(*runs[r]);
      index.races_lost = races_lost_by_gil_lane(*runs[r]);
    }
    index.outcomes = trace::outcome_lines(*runs[r]);  // scans every mark: once, not per frame
    index.deadlocked = trace::ended_in_deadlock(*runs[r]);
    if (index.deadlocked) index.stuck = stuck_lanes(*runs[r]);
    if (runs[r]->origin == trace::Origin::Measured && !runs[r]->measured_by.empty()) {
      index.unseen = cpython::too_little_seen(*runs[r]);  // walks every job's lane: once, not per frame
    }
  });
  for_each_run([&](std::size_t r) { out.runs[r].playhead = PlayheadIndex::build(*runs[r]); });
  for_each_run([&](std::size_t r) {
    const trace::Trace& run = *runs[r];
    RunIndex& index = out.runs[r];
    index.identity.assign(run.lanes.size(), trace::kNone);
    std::uint32_t ordinal = 0;
    // The threads that show take the first colours; an idle main thread comes last; then
    // the tasks, which hold asyncio locks.
    for (bool idle : {false, true}) {
      for (trace::LaneId l = 0; l < run.lanes.size(); ++l) {
        if (run.lanes[l].kind == LaneKind::Thread && idle_thread(run, run.lanes[l]) == idle) index.identity[l] = ordinal++;
      }
    }
    for (trace::LaneId l = 0; l < run.lanes.size(); ++l) {
      if (run.lanes[l].kind == LaneKind::Task) index.identity[l] = ordinal++;
    }
  });
  if (!keep) {
    // The other lanes, then the marks, then the thread lanes' second parts, last: the thread
    // that takes the tasks from the last back starts with those, then the marks' one reading
    // (the serving thread, after the first parts, builds the contention). The other lanes'
    // covered-time prefixes are sized by the first task (on the serving thread, whose heap was
    // warmed) and written here: made on the loading thread's heap, their 3 MB were 800 fresh
    // pages on the 1 M-span scenario.
    for_each_run([&](std::size_t r) {
      others_sized.wait(false, std::memory_order_acquire);
      lanes_sums[r][2] = index_lanes(*runs[r], carry[r], out.runs[r], keep, nullptr, LanesRead::AllButThreads);
    });
    for_each_run([&](std::size_t r) { index_whole_run_marks(*runs[r], carry[r], out.runs[r], mark_figures[r]); });
    for (std::size_t r = runs.size(); r-- > 0;) tasks.emplace_back([&thread_part, r] { thread_part(r, 1); });
  }
  run_on_two_threads(tasks, lent);
  for (std::size_t r = 0; r < runs.size(); ++r) finish_lanes(carry[r], out.runs[r], keep, lanes_sums[r]);
  for (std::size_t r = 0; 2 * r + 1 < threads.size(); ++r) {
    threads[2 * r].add(threads[2 * r + 1]);
    threads[2 * r].add_to(out.runs[r].metrics, *runs[r]);
  }
  for (std::size_t r = 0; r < mark_figures.size(); ++r) mark_figures[r].add_to(out.runs[r].metrics);
  for (std::size_t r = 0; r < runs.size(); ++r) {
    out.runs[r].states_seen = carry[r].states;
    out.runs[r].marks_seen = carry[r].kinds;
  }
  add_legend_of_runs(out);
  return out;
}

std::vector<const trace::Trace*> addresses(const std::vector<trace::Trace>& runs) {
  std::vector<const trace::Trace*> out;
  for (const trace::Trace& run : runs) out.push_back(&run);
  return out;
}

/// A measured run's threads and tasks in the colours of its prediction's of the same name, the
/// others in colours none of those has, in their order: lesson 1 in CPython has no lane for
/// main, and its T1 took main's colour, T2 T1's, its inferred GIL's 'T2' read as the T1 above.
/// Run again on colours it set, it sets the same.
void colours_of_prediction(const trace::Trace& measured, RunIndex& index, const trace::Trace& predicted,
                           const RunIndex& prediction) {
  if (index.identity.size() != measured.lanes.size() || prediction.identity.size() != predicted.lanes.size()) return;
  std::unordered_map<std::string_view, std::uint32_t> by_name;
  std::uint32_t next = 0;  // past the prediction's colours
  for (trace::LaneId l = 0; l < predicted.lanes.size(); ++l) {
    const std::uint32_t ordinal = prediction.identity[l];
    if (ordinal == trace::kNone) continue;
    by_name.emplace(predicted.lanes[l].name, ordinal);
    next = std::max(next, ordinal + 1);
  }
  std::vector<std::pair<std::uint32_t, trace::LaneId>> unmatched;  // by their own order
  for (trace::LaneId l = 0; l < measured.lanes.size(); ++l) {
    if (index.identity[l] == trace::kNone) continue;
    if (const auto found = by_name.find(measured.lanes[l].name); found != by_name.end()) {
      index.identity[l] = found->second;
    } else {
      unmatched.emplace_back(index.identity[l], l);
    }
  }
  std::sort(unmatched.begin(), unmatched.end());
  for (const auto& [ordinal, l] : unmatched) index.identity[l] = next++;
}

/// Each run's prediction, which reads the other runs, and the colours it lends.
DerivedRuns with_predictions(const std::vector<trace::Trace>& runs, DerivedRuns derived) {
  for (std::uint32_t r = 0; r < derived.runs.size(); ++r) {
    RunIndex& index = derived.runs[r];
    index.predicted_by = prediction_of(runs, r);
    if (index.predicted_by != trace::kNone && r < runs.size()) {
      colours_of_prediction(runs[r], index, runs[index.predicted_by], derived.runs[index.predicted_by]);
    }
  }
  return derived;
}

}  // namespace

DerivedRuns derive_runs(const std::vector<trace::Trace>& runs, LentThread* lent) {
  std::vector<PreviewIndexer::RunCarry> fresh(runs.size());
  return with_predictions(runs, derive_carried(addresses(runs), fresh, false, lent));
}

DerivedRuns derive_run(const trace::Trace& run, LentThread* lent) {
  std::vector<PreviewIndexer::RunCarry> fresh(1);
  return derive_carried({&run}, fresh, false, lent);
}

DerivedRuns join_derived(const std::vector<trace::Trace>& runs, std::vector<std::optional<DerivedRuns>> parts) {
  DerivedRuns out;
  for (std::size_t r = 0; r < parts.size(); ++r) {
    if (!parts[r]) {
      out.to_carry.push_back(static_cast<std::uint32_t>(r));
      out.runs.emplace_back();
      continue;
    }
    for (RunIndex& index : parts[r]->runs) out.runs.push_back(std::move(index));
  }
  add_legend_of_runs(out);
  return with_predictions(runs, std::move(out));
}

void with_legend_of_runs(const std::vector<trace::Trace>& runs, DerivedRuns& derived) {
  derived.states_seen = {};
  derived.marks_seen = {};
  add_legend_of_runs(derived);
  derived.to_carry.clear();
  derived = with_predictions(runs, std::move(derived));
}

DerivedRuns PreviewIndexer::update(const std::vector<trace::Trace>& runs) {
  if (carry_.size() != runs.size()) carry_.assign(runs.size(), RunCarry{});
  return with_predictions(runs, derive_carried(addresses(runs), carry_, true));
}

DerivedRuns PreviewIndexer::update(const std::vector<trace::Trace>& runs, const std::vector<bool>& kept) {
  const auto is_kept = [&kept](std::size_t r) { return r < kept.size() && kept[r]; };
  bool any_kept = false;
  for (std::size_t r = 0; r < runs.size(); ++r) any_kept = any_kept || is_kept(r);
  if (!any_kept) return update(runs);
  if (carry_.size() != runs.size()) carry_.assign(runs.size(), RunCarry{});
  // The others indexed as ever, each with its carry (moved out and back: cheap).
  std::vector<const trace::Trace*> others;
  std::vector<RunCarry> carries;
  for (std::size_t r = 0; r < runs.size(); ++r) {
    if (is_kept(r)) continue;
    others.push_back(&runs[r]);
    carries.push_back(std::move(carry_[r]));
  }
  DerivedRuns indexed = derive_carried(others, carries, true);
  DerivedRuns out;
  out.states_seen = indexed.states_seen;
  out.marks_seen = indexed.marks_seen;
  std::size_t next = 0;
  for (std::size_t r = 0; r < runs.size(); ++r) {
    if (is_kept(r)) {
      out.runs.emplace_back();
      out.to_carry.push_back(static_cast<std::uint32_t>(r));
      continue;
    }
    carry_[r] = std::move(carries[next]);
    out.runs.push_back(std::move(indexed.runs[next++]));
  }
  return with_predictions(runs, std::move(out));
}

std::any derive_runs_for_session(const std::vector<trace::Trace>& runs) {
  return std::make_shared<DerivedRuns>(derive_runs(runs));
}

Session::RunwiseDerive runwise_derive_for_session() {
  return {[](const trace::Trace& run, LentThread* lent) -> std::any { return derive_run(run, lent); },
          [](const std::vector<trace::Trace>& runs, std::vector<std::any> parts) -> std::any {
            std::vector<std::optional<DerivedRuns>> derived;
            for (std::any& part : parts) {
              if (part.has_value()) {
                derived.emplace_back(std::any_cast<DerivedRuns&&>(std::move(part)));
              } else {
                derived.emplace_back();  // kept from the runs shown: carried over by refresh_derived
              }
            }
            return std::make_shared<DerivedRuns>(join_derived(runs, std::move(derived)));
          }};
}

Session::PreviewDerive preview_indexer_for_session() {
  return [indexer = std::make_shared<PreviewIndexer>()](const std::vector<trace::Trace>& runs,
                                                        const std::vector<bool>& kept) -> std::any {
    return std::make_shared<DerivedRuns>(indexer->update(runs, kept));
  };
}

void refresh_derived(AppState& app, LentThread* lent) {
  if (app.derived_generation == app.session.generation()) return;
  const std::uint64_t shown_generation = app.derived_generation;  // of the indices in app.runs
  app.derived_generation = app.session.generation();
  const auto& runs = app.session.runs();
  // The event index waits for the first step from event to event.
  app.events.build_when_asked(runs);
  // A knob change simulated in the background was indexed there too.
  const std::any made = app.session.take_derived();
  const auto* ready = std::any_cast<std::shared_ptr<DerivedRuns>>(&made);
  DerivedRuns derived = ready != nullptr && *ready ? std::move(**ready) : derive_runs(runs, lent);
  // The indices of the whole runs shown before a knob change (those shown now, or those the
  // change's previews replaced) go to the runs the change kept (Session::last_kept_runs()).
  std::vector<RunIndex> previous = std::exchange(app.runs, {});
  std::vector<RunIndex> whole_before;
  std::uint64_t whole_before_generation = shown_generation;
  if (app.runs_are_preview) {
    whole_before = std::exchange(app.before_preview, {});
    whole_before_generation = app.before_preview_generation;
    for (const std::uint32_t r : std::exchange(app.lent, {})) {
      if (r < previous.size() && r < whole_before.size()) whole_before[r] = std::move(previous[r]);  // lent back
    }
  } else {
    whole_before = std::move(previous);
  }
  app.runs_are_preview = app.session.previewing();
  if (!derived.to_carry.empty()) {
    const bool same_runs = app.session.last_kept_from_generation() == whole_before_generation;
    for (const std::uint32_t r : derived.to_carry) {
      if (same_runs && r < whole_before.size()) {
        derived.runs[r] = std::move(whole_before[r]);  // the same run: its index is the one shown
        if (app.runs_are_preview) app.lent.push_back(r);
      } else {
        derived.runs[r] = std::move(derive_run(runs[r]).runs.front());  // the runs shown changed meanwhile
      }
    }
    with_legend_of_runs(runs, derived);
  }
  if (app.runs_are_preview) {  // they wait for the change's whole runs
    app.before_preview = std::move(whole_before);
    app.before_preview_generation = whole_before_generation;
  }
  app.runs = std::move(derived.runs);
  if (!previous.empty() || !whole_before.empty()) {
    if (app.retiring_indices.joinable()) app.retiring_indices.join();
    app.retiring_indices = std::jthread([a = std::move(previous), b = std::move(whole_before)]() mutable {
      std::vector<RunIndex>().swap(a);
      std::vector<RunIndex>().swap(b);
    });
  }
  app.states_seen = derived.states_seen;
  app.marks_seen = derived.marks_seen;
  if (app.folding.size() != runs.size() || !same_run_names(app, runs)) {
    app.folding.assign(runs.size(), RunFolding{});
    app.focus.reset();
  }
  app.narrative.dirty = true;
  const Time previous_end = app.playback.end();
  Time end = total_end(runs);
  if (app.session.previewing()) {
    app.preview_axis_end = max(app.preview_axis_end, max(previous_end, end));
    end = app.preview_axis_end;
  } else {
    app.preview_axis_end = Time::zero();
  }
  // A measured run arriving keeps the user's zoom; a new scenario, or a view that showed
  // everything, fits the new range.
  const bool same_scenario = app.derived_scenario_generation == app.session.scenario_generation();
  app.derived_scenario_generation = app.session.scenario_generation();
  const bool showed_everything = app.view.start() <= Time::zero() && app.view.end() >= previous_end;
  const bool was_beyond = app.playback.now() > end;
  app.playback.set_end(end);
  if (was_beyond) app.playback.seek(end);
  app.hovered.reset();
  if (app.selected && (app.selected->run >= runs.size() || app.selected->lane >= runs[app.selected->run].lanes.size() ||
                       app.selected->span >= runs[app.selected->run].lanes[app.selected->lane].spans.size())) {
    app.selected.reset();
  }
  app.token_y.assign(runs.size(), {});
  app.folded_run_names.clear();
  for (const trace::Trace& run : runs) app.folded_run_names.push_back(run_identity(run));
  if (!same_scenario || showed_everything) app.fit_pending = true;
}

float presentation_scale(float display_width, float display_height) {
  const float scale = 1.75f * std::min({1.0f, display_height / 900.0f, display_width / 1600.0f});
  return std::clamp(std::round(scale * 20.0f) / 20.0f, 1.25f, 1.75f);
}

float chrome_font_scale(float font_px, float display_height) {
  return font_px <= 0 ? 1.0f : std::min(1.0f, display_height / 36.0f / font_px);
}

float timeline_height(float rest, float share, float below_min) {
  return std::round(std::max(rest * 0.65f, std::min(rest * share, rest - below_min)));
}

std::vector<BundledScenario> list_bundled_scenarios() {
  std::vector<BundledScenario> out;
  for (const auto& path : scenario::bundled_scenarios()) {
    BundledScenario b{path, path.stem().string()};
    try {
      b.title = scenario::load_file(path).title;
    } catch (const std::exception&) {
      b.title = path.filename().string() + " (does not load)";
    }
    out.push_back(std::move(b));
  }
  return out;
}

std::vector<double> fit_priorities(const AppState& app) {
  std::vector<double> priority;
  for (const RunIndex& r : app.runs) priority.push_back(r.interest);
  const std::vector<trace::Trace>& runs = app.session.runs();
  const std::vector<scenario::Run>& planned = app.session.scenario().runs;
  // A sequential run is the baseline the others are compared with (a note says its result in
  // words: "in the sequential run it goes first and is done at 110 ms"): it opens after them.
  // Lesson 7 presented at 1280x720 opened it beside the threads and left the process run it is
  // compared with on one line, where nobody waited either (interest 0 each, file order).
  for (std::size_t r = 0; r < priority.size() && r < runs.size(); ++r) {
    if (runs[r].executor == "sequential" && runs[r].origin == trace::Origin::Simulated) priority[r] = -1.0;
  }
  for (std::size_t r = 0; r < priority.size() && r < planned.size() && r < runs.size(); ++r) {
    if (planned[r].featured && runs[r].run_name == planned[r].name) priority[r] = std::numeric_limits<double>::infinity();
  }
  // A measured run comes right after its prediction, whatever it waited itself: a class
  // compares the two (lesson 4 at 1024x640 opened its measured asyncio run, its threads
  // starved on a busy machine, and folded the prediction above it).
  // (stacking_order puts each right under it, measured in CPython after measured for real.)
  const std::vector<std::uint32_t> order = stacking_order(runs);
  std::vector<bool> paired(runs.size(), false);
  for (std::size_t i = 1; i < order.size(); ++i) {
    const std::uint32_t m = order[i], p = order[i - 1];
    if (m >= priority.size() || p >= priority.size() || runs[m].origin != trace::Origin::Measured ||
        runs[p].run_name != runs[m].run_name || !(runs[p].origin == trace::Origin::Simulated || paired[p])) {
      continue;
    }
    priority[m] = std::nextafter(priority[p], -std::numeric_limits<double>::infinity());
    paired[m] = true;
  }
  return priority;
}

}  // namespace gilsim::viz
