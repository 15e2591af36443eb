// What the viewer derives from the runs, built as tasks on two threads with several indices
// read from one pass over a lane or over the marks: each equals what its own function gives
// on its own, run by run.
#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <array>
#include <optional>
#include <string>
#include <vector>

#include "sim/model/simulate.hpp"
#include "sim/scenario/loader.hpp"
#include "sim/trace/metrics.hpp"
#include "sim/trace/trace_builder.hpp"
#include "tests/viz/same_run_index.hpp"
#include "viz/app_state.hpp"
#include "viz/handoff_links.hpp"
#include "viz/level_of_detail.hpp"
#include "viz/lost_races.hpp"

using namespace gilsim;
using namespace gilsim::viz;

namespace {

// Two threads that each run one job ("T1 ui", "T2 hog"), a pool whose threads run several jobs
// each (no one role: the thread's name alone), and asyncio tasks.
constexpr const char* kScenario = R"(
title = "derived indices"
[machine]
cores = 2
[[job]]
name = "ui"
steps = [ { cpu = "2ms" }, { io = "1ms" }, { cpu = "2ms" } ]
[[job]]
name = "hog"
steps = [ { cpu = "6ms" } ]
[[run]]
name = "threads"
executor = "threads"
[[run]]
name = "pool"
executor = "thread_pool"
workers = 1
[[run]]
name = "asyncio"
executor = "asyncio"
)";

std::vector<std::string> labels_of(const RunIndex& index, const trace::Trace& run, trace::LaneKind kind) {
  std::vector<std::string> out;
  for (trace::LaneId l = 0; l < run.lanes.size(); ++l) {
    if (run.lanes[l].kind == kind) out.push_back(index.lane_labels[l]);
  }
  return out;
}

}  // namespace

TEST_CASE("the indices of several runs built together equal each index built on its own") {
  const scenario::Scenario s = scenario::load_string(kScenario, "derived.toml");
  const std::vector<trace::Trace> runs = model::simulate_all(s);
  const DerivedRuns derived = derive_runs(runs);
  REQUIRE(derived.runs.size() == runs.size());
  std::array<bool, trace::kSpanStateCount> states{};
  std::array<bool, trace::kMarkKindCount> kinds{};
  bool waited_for_gil = false;
  std::int64_t switches = 0;
  std::size_t handoffs = 0;
  for (std::size_t r = 0; r < runs.size(); ++r) {
    CAPTURE(runs[r].run_name);
    const trace::Trace& run = runs[r];
    const RunIndex& index = derived.runs[r];
    REQUIRE(index.covered_prefix.size() == run.lanes.size());
    for (trace::LaneId l = 0; l < run.lanes.size(); ++l) {
      CHECK(index.covered_prefix[l] == covered_time_prefix(run.lanes[l].spans));
      const trace::Lane& lane = run.lanes[l];
      if (lane.kind != trace::LaneKind::Thread && lane.kind != trace::LaneKind::Task) continue;
      for (const trace::Span& span : lane.spans) states[static_cast<std::size_t>(span.state)] = true;
    }
    CHECK(index.interest == run_interest(run));
    // The metrics' thread figures come from the lanes' reading of the spans, the contention
    // band from the waits it read: each as the trace's own reading gives it.
    const trace::Metrics alone = trace::compute_metrics(run);
    CHECK(index.metrics.makespan == alone.makespan);
    CHECK(index.metrics.gil_switches == alone.gil_switches);
    CHECK(index.metrics.gil_wait_total == alone.gil_wait_total);
    CHECK(index.metrics.longest_gil_wait == alone.longest_gil_wait);
    CHECK(index.metrics.lock_wait_total == alone.lock_wait_total);
    CHECK(index.metrics.core_utilisation == alone.core_utilisation);
    CHECK(index.metrics.gil_held == alone.gil_held);
    waited_for_gil = waited_for_gil || alone.gil_wait_total > Time::zero();
    const std::vector<GilContention> contention = gil_contention(run);
    REQUIRE(index.contention.size() == contention.size());
    for (std::size_t p = 0; p < contention.size(); ++p) {
      CHECK(index.contention[p].most_waiters == contention[p].most_waiters);
      REQUIRE(index.contention[p].spans.size() == contention[p].spans.size());
      for (std::size_t i = 0; i < contention[p].spans.size(); ++i) {
        const trace::Span a = index.contention[p].spans[i];
        const trace::Span b = contention[p].spans[i];
        CHECK((a.begin == b.begin && a.end == b.end && a.subject == b.subject));
      }
    }
    CHECK(index.metrics.drop_requests == alone.drop_requests);
    CHECK(index.metrics.forced_switches == alone.forced_switches);
    switches += alone.forced_switches;
    const LaneMarks marks = marks_by_lane(run);
    CHECK(index.glyph_marks == marks.glyphs);
    CHECK(index.job_end_marks == marks.job_ends);
    // And as a plain reading of the marks, one at a time, gives them.
    std::vector<std::vector<std::uint32_t>> glyphs(run.lanes.size()), job_ends(run.lanes.size());
    for (std::uint32_t i = 0; i < run.marks.size(); ++i) {
      const trace::Mark m = run.marks[i];
      if (m.lane < run.lanes.size() && has_glyph(m.kind)) (m.kind == trace::MarkKind::JobEnd ? job_ends : glyphs)[m.lane].push_back(i);
    }
    CHECK(index.glyph_marks == glyphs);
    CHECK(index.job_end_marks == job_ends);
    CHECK(index.races_lost == races_lost_by_gil_lane(run));
    // The hand-offs found from the drop requests met in the marks' one reading: each as
    // handoff_links reads them.
    const std::vector<HandoffLink> links = handoff_links(run);
    REQUIRE(index.handoffs.size() == links.size());
    for (std::size_t k = 0; k < links.size(); ++k) {
      const HandoffLink& a = index.handoffs[k];
      const HandoffLink& b = links[k];
      CHECK((a.asked == b.asked && a.asker == b.asker && a.holder == b.holder && a.request_mark == b.request_mark &&
             a.dropped == b.dropped && a.taker == b.taker && a.taken == b.taken && a.switch_mark == b.switch_mark &&
             a.waiters == b.waiters && a.why == b.why));
    }
    handoffs += links.size();
    for (const trace::Mark& m : run.marks) kinds[static_cast<std::size_t>(m.kind)] = true;
  }
  CHECK(waited_for_gil);  // the figures compared above are not all zeros
  CHECK(switches > 0);
  CHECK(handoffs > 0);
  CHECK(derived.states_seen == states);
  CHECK(derived.marks_seen == kinds);
  CHECK(derived.runs[0].interest > 0);  // the two threads wait for the GIL: the sum can be wrong
}

TEST_CASE("each run indexed alone and the parts joined equal the runs indexed together") {
  const scenario::Scenario s = scenario::load_string(kScenario, "derived.toml");
  std::vector<trace::Trace> runs = model::simulate_all(s);
  trace::Trace measured = runs[1];  // the pool's prediction is this run: join reads the other runs for it
  measured.origin = trace::Origin::Measured;
  runs.push_back(std::move(measured));
  const DerivedRuns together = derive_runs(runs);
  std::vector<std::optional<DerivedRuns>> parts;
  for (const trace::Trace& run : runs) parts.emplace_back(derive_run(run));
  const DerivedRuns joined = join_derived(runs, std::move(parts));
  REQUIRE(joined.runs.size() == together.runs.size());
  CHECK(joined.to_carry.empty());
  CHECK(joined.states_seen == together.states_seen);
  CHECK(joined.marks_seen == together.marks_seen);
  CHECK(joined.runs.back().predicted_by == 1);
  for (std::size_t r = 0; r < runs.size(); ++r) {
    CAPTURE(r);
    viz::testing::check_same_run_index(joined.runs[r], together.runs[r]);
  }
}

TEST_CASE("a run joined without its part is left to carry over; with its index carried, the whole is the runs indexed together") {
  const scenario::Scenario s = scenario::load_string(kScenario, "derived.toml");
  const std::vector<trace::Trace> runs = model::simulate_all(s);
  const DerivedRuns together = derive_runs(runs);
  std::vector<std::optional<DerivedRuns>> parts;
  parts.emplace_back();  // run 0 kept: its index is the one shown
  for (std::size_t r = 1; r < runs.size(); ++r) parts.emplace_back(derive_run(runs[r]));
  DerivedRuns joined = join_derived(runs, std::move(parts));
  CHECK(joined.to_carry == std::vector<std::uint32_t>{0});
  REQUIRE(joined.runs.size() == runs.size());
  CHECK(joined.runs[0].covered_prefix.empty());
  // The legend without run 0 until its index is in.
  std::array<bool, trace::kSpanStateCount> without_first{};
  for (std::size_t r = 1; r < runs.size(); ++r) {
    for (std::size_t k = 0; k < without_first.size(); ++k) without_first[k] = without_first[k] || together.runs[r].states_seen[k];
  }
  CHECK(joined.states_seen == without_first);
  joined.runs[0] = derive_run(runs[0]).runs.front();
  with_legend_of_runs(runs, joined);
  CHECK(joined.to_carry.empty());
  CHECK(joined.states_seen == together.states_seen);
  CHECK(joined.marks_seen == together.marks_seen);
  for (std::size_t r = 0; r < runs.size(); ++r) {
    CAPTURE(r);
    viz::testing::check_same_run_index(joined.runs[r], together.runs[r]);
  }
}

TEST_CASE("a thread that runs one job is labelled with it; a pool thread that runs several, with its name") {
  const scenario::Scenario s = scenario::load_string(kScenario, "derived.toml");
  const std::vector<trace::Trace> runs = model::simulate_all(s);
  const DerivedRuns derived = derive_runs(runs);
  const auto threads = labels_of(derived.runs[0], runs[0], trace::LaneKind::Thread);
  CHECK(std::find(threads.begin(), threads.end(), "T1 ui") != threads.end());
  CHECK(std::find(threads.begin(), threads.end(), "T2 hog") != threads.end());
  // The pool's one worker runs both jobs: no one role.
  const auto pool = labels_of(derived.runs[1], runs[1], trace::LaneKind::Thread);
  REQUIRE(pool.size() >= 2);  // the main thread and the worker
  for (const std::string& label : pool) {
    CHECK(label.find(" ui") == std::string::npos);
    CHECK(label.find(" hog") == std::string::npos);
  }
  // An asyncio task that ran one job is named with it too, as gilsim's text timeline names it.
  const auto tasks = labels_of(derived.runs[2], runs[2], trace::LaneKind::Task);
  CHECK(std::find(tasks.begin(), tasks.end(), "task 1 ui") != tasks.end());
  CHECK(std::find(tasks.begin(), tasks.end(), "task 2 hog") != tasks.end());
}

TEST_CASE("a preview leaves the runs kept whole to carry over, and indexes the others as ever") {
  const scenario::Scenario s = scenario::load_string(kScenario, "derived.toml");
  const std::vector<trace::Trace> runs = model::simulate_all(s);
  const DerivedRuns together = derive_runs(runs);
  std::vector<bool> kept(runs.size(), false);
  kept[1] = true;
  PreviewIndexer indexer;
  DerivedRuns preview = indexer.update(runs, kept);
  CHECK(preview.to_carry == std::vector<std::uint32_t>{1});
  REQUIRE(preview.runs.size() == runs.size());
  CHECK(preview.runs[1].covered_prefix.empty());
  preview.runs[1] = derive_run(runs[1]).runs.front();
  with_legend_of_runs(runs, preview);
  CHECK(preview.states_seen == together.states_seen);
  CHECK(preview.marks_seen == together.marks_seen);
  for (std::size_t r = 0; r < runs.size(); ++r) {
    CAPTURE(r);
    viz::testing::check_same_run_index(preview.runs[r], together.runs[r]);
  }
  // Its carries stay with their runs: the next call, none kept, reads run 1 whole.
  const DerivedRuns again = indexer.update(runs, {});
  CHECK(again.to_carry.empty());
  for (std::size_t r = 0; r < runs.size(); ++r) viz::testing::check_same_run_index(again.runs[r], together.runs[r]);
}

TEST_CASE("no runs: no indices, and no task waits for a first one") {
  const DerivedRuns derived = derive_runs({});
  CHECK(derived.runs.empty());
}

TEST_CASE("a run that ended in a deadlock is marked so in its index, a finished one not") {
  const scenario::Scenario s =
      scenario::load_file(std::filesystem::path(GILSIM_SOURCE_DIR) / "scenarios" / "16-deadlock.toml");
  const std::vector<trace::Trace> runs = model::simulate_all(s);
  const DerivedRuns derived = derive_runs(runs);
  REQUIRE(derived.runs.size() == 2);
  CHECK_FALSE(derived.runs[0].deadlocked);  // sequential
  CHECK(derived.runs[1].deadlocked);        // threads
}

TEST_CASE("a measured run's threads take the colours of its prediction's threads of the same name") {
  // Lesson 1 in CPython has no lane for main, which starts the threads in the prediction: its
  // T1 took main's colour, and T2 T1's, and the inferred GIL's 'T2' read as the T1 above it.
  const auto threads_run = [](trace::Origin origin, std::vector<std::string> names) {
    trace::TraceBuilder b("threads", "threads", "new", origin, 4, Time{5'000'000});
    const auto p = b.add_process("main", true);
    for (const std::string& name : names) {
      const auto lane = b.add_lane(name, trace::LaneKind::Thread, p);
      b.set_state(lane, Time{0}, trace::SpanState::Running);
      b.clear_state(lane, Time{1'000'000});
    }
    return b.finish(Time{1'000'000});
  };
  std::vector<trace::Trace> runs;
  runs.push_back(threads_run(trace::Origin::Simulated, {"main", "T1", "T2"}));
  runs.push_back(threads_run(trace::Origin::Measured, {"T2", "T1", "T3"}));
  const DerivedRuns derived = derive_runs(runs);
  REQUIRE(derived.runs[1].predicted_by == 0);
  const auto identity_of = [&](std::size_t r, std::string_view name) {
    for (trace::LaneId l = 0; l < runs[r].lanes.size(); ++l) {
      if (runs[r].lanes[l].name == name) return derived.runs[r].identity[l];
    }
    return trace::kNone;
  };
  CHECK(identity_of(1, "T1") == identity_of(0, "T1"));
  CHECK(identity_of(1, "T2") == identity_of(0, "T2"));
  // A thread the prediction has none of takes a colour none of its threads has.
  CHECK(identity_of(1, "T3") != trace::kNone);
  for (const char* name : {"main", "T1", "T2"}) CHECK(identity_of(1, "T3") != identity_of(0, name));
  // Indexed alone and joined, the same colours.
  std::vector<std::optional<DerivedRuns>> parts;
  for (const trace::Trace& run : runs) parts.emplace_back(derive_run(run));
  const DerivedRuns joined = join_derived(runs, std::move(parts));
  CHECK(joined.runs[1].identity == derived.runs[1].identity);
}

