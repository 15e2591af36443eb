// The storage made ready after a scenario opens for the runs its first knob change simulates
// again (WarmPool): which runs, how much, taken by the change, given back when it closes.
#include <doctest/doctest.h>

#include <algorithm>
#include <cstddef>
#include <memory>
#include <vector>

#include "sim/trace/store.hpp"
#include "tests/viz/finish_background.hpp"
#include "tests/viz/lesson_path.hpp"
#include "viz/app_state.hpp"
#include "viz/knob_memory.hpp"
#include "viz/lent_thread.hpp"
#include "viz/session.hpp"
#include "viz/warm_pool.hpp"

using namespace gilsim;
using namespace gilsim::viz;
using gilsim::viz::testing::finish_background;
using gilsim::viz::testing::lesson;
using namespace gilsim::literals;

namespace {

constexpr std::size_t kMiB = std::size_t{1} << 20;

/// A whole simulated run of `threads` thread lanes in one process, each with `spans` spans.
trace::Trace run_of(int threads, std::size_t spans) {
  trace::Trace run;
  run.processes.push_back({"main", trace::kNone});
  for (int t = 0; t < threads; ++t) {
    trace::Lane lane;
    lane.kind = trace::LaneKind::Thread;
    lane.process = 0;
    for (std::size_t i = 0; i < spans; ++i) {
      trace::Span span;
      span.begin = Time(static_cast<std::int64_t>(2 * i));
      span.end = Time(static_cast<std::int64_t>(2 * i + 1));
      span.subject = 0;
      lane.spans.push_back(span);
    }
    run.lanes.push_back(std::move(lane));
  }
  return run;
}

}  // namespace

TEST_CASE("the runs a change of the cores or the switch interval simulates again are those of two threads or more") {
  CHECK(!WarmPool::simulated_again(run_of(1, 10)));  // one thread never waits: both knobs keep it
  CHECK(WarmPool::simulated_again(run_of(2, 10)));
  trace::Trace two_processes = run_of(1, 10);
  two_processes.processes.push_back({"worker 1", trace::kNone});
  CHECK(WarmPool::simulated_again(two_processes));
  trace::Trace measured = run_of(2, 10);
  measured.origin = trace::Origin::Measured;
  CHECK(!WarmPool::simulated_again(measured));
  trace::Trace partial = run_of(2, 10);
  partial.simulated_until = Time(5);
  CHECK(!WarmPool::simulated_again(partial));
}

TEST_CASE("a run's plan is its lanes' arena mappings, and the heap its indices fill") {
  // 3 lanes of 64,000 spans: 3,000 groups of 780 bytes (2.2 MiB), past the first 124 KiB in malloc.
  const std::vector<trace::Trace> runs{run_of(1, 64000), run_of(3, 64000)};
  const WarmPool::Plan plan = WarmPool::plan(runs);
  REQUIRE(plan.mappings.size() == 2);  // of the second run alone: blocks of 2 MiB and 2 MiB
  CHECK(plan.mappings[0].bytes == 2 * kMiB);
  CHECK(plan.mappings[0].used > 2 * kMiB - 780);
  CHECK(plan.mappings[1].bytes == 2 * kMiB);
  std::size_t used = 0;
  for (const auto& e : plan.mappings) used += e.used;
  CHECK(used == 3000 * 780 - (std::size_t{124} << 10) / 780 * 780);
  CHECK(plan.heap_bytes == 3 * 64000 * 9);  // 8 bytes a span, and an eighth more
  // A lane of 23 spans keeps them in malloc; a small run's indices are left to fault in.
  CHECK(WarmPool::extents_for(run_of(2, 23)).empty());
  CHECK(WarmPool::plan({run_of(2, 1000)}).heap_bytes == 0);
}

TEST_CASE("opening lesson 15 makes its threads run's mappings ready; its first change takes them; closing gives back the rest") {
  trace::storage::drop_cache();
  AppState app;
  app.session.derive_runwise_with(runwise_derive_for_session());  // as the viewer does
  REQUIRE(app.session.open(lesson("15-lost-update.toml")));
  WarmPool& pool = app.session.warm_pool();
  pool.wait();
  // The threads run (the two others keep under either knob), its locked threads' convoy
  // (docs/model.md L8) some 14.5 MiB of spans and marks: 9 blocks of its arena, 18 MiB.
  CHECK(pool.planned_bytes() > 14 * kMiB);
  CHECK(pool.planned_bytes() <= 15 * kMiB);
  if (pool.populated_bytes() == 0) return;  // a kernel without MADV_POPULATE_WRITE
  CHECK(pool.populated_bytes() >= pool.planned_bytes());
  CHECK(trace::storage::warmed_bytes() == 18 * kMiB);
  CHECK(pool.heap_warmed_bytes() == WarmPool::plan(app.session.runs()).heap_bytes);
  refresh_derived(app);
  Knobs k;
  k.switch_interval = 1_ms;
  app.session.set_knobs_in_background(k, derive_runs_for_session);
  REQUIRE(finish_background(app.session));
  REQUIRE(app.session.error().empty());
  CHECK(trace::storage::warmed_bytes() == 0);  // the run simulated again took them
  // Opened again: the pool is made anew, and given back untaken when the scenario closes.
  REQUIRE(app.session.open(lesson("15-lost-update.toml")));
  pool.wait();
  CHECK(trace::storage::warmed_bytes() == 18 * kMiB);
  pool.release();
  CHECK(trace::storage::warmed_bytes() == 0);
  trace::storage::drop_cache();
}

TEST_CASE("lesson 15's changes index their threads run on the pool's thread, whose heap was warmed for it") {
  AppState app;
  app.session.derive_runwise_with(runwise_derive_for_session());  // as the viewer does
  REQUIRE(app.session.open(lesson("15-lost-update.toml")));
  WarmPool& pool = app.session.warm_pool();
  pool.wait();
  const std::shared_ptr<LentThread> indexer = pool.indexer();
  REQUIRE(indexer != nullptr);
  CHECK(pool.heap_warmed_bytes() == WarmPool::plan(app.session.runs()).heap_bytes);
  refresh_derived(app);
  // Two changes: the thread serves every change, not only the first.
  for (const Time interval : {1_ms, 2_ms}) {
    Knobs k;
    k.switch_interval = interval;
    app.session.set_knobs_in_background(k, derive_runs_for_session);
    REQUIRE(finish_background(app.session));
    REQUIRE(app.session.error().empty());
    refresh_derived(app);
  }
  CHECK(indexer->lent() == 2);  // the threads run's indexing, once a change
  // What it built is what a derive on any thread builds.
  const DerivedRuns fresh = derive_runs(app.session.runs());
  REQUIRE(app.runs.size() == fresh.runs.size());
  for (std::size_t r = 0; r < fresh.runs.size(); ++r) CHECK(app.runs[r].covered_prefix == fresh.runs[r].covered_prefix);
  pool.release();
  CHECK(pool.indexer() == nullptr);
}

TEST_CASE("each mapping of a length is made ready to the most any run wrote in one: the runs take them in no set order") {
  // A run of 3 lanes of 64,000 spans (a full block of 2 MiB, then a part of another) and one of
  // 2 lanes of 20,000 spans (a part of one block), all of 2 MiB.
  const std::vector<trace::Trace> runs{run_of(3, 64000), run_of(2, 20000)};
  const WarmPool::Plan plan = WarmPool::plan(runs);
  REQUIRE(plan.mappings.size() == 3);
  std::size_t most = 0;
  for (const auto& e : WarmPool::extents_for(runs[0])) most = std::max(most, e.used);
  CHECK(most > 2 * kMiB - 780);
  for (const auto& e : plan.mappings) {
    CHECK(e.bytes == 2 * kMiB);
    CHECK(e.used == most);  // the small run may take the one made for the large run's first block
  }
  // One run takes its mappings in the order made: each is made ready to what it wrote there.
  const WarmPool::Plan alone = WarmPool::plan({runs[0]});
  REQUIRE(alone.mappings.size() == 2);
  CHECK(alone.mappings[0].used == most);
  CHECK(alone.mappings[1].used < most);
}

TEST_CASE("lesson 10's pool runs find the heaps of the change's threads faulted in: theirs is malloc's, not the trace's mappings") {
#if !defined(__SANITIZE_ADDRESS__)
  // As the viewer does before it opens a file; AddressSanitizer's allocator takes no mallopt()
  // settings (knob_memory_test.cpp), and the plan and the warming below do not depend on them.
  REQUIRE(keep_freed_memory_for_knob_changes());
#endif
  AppState app;
  app.session.derive_runwise_with(runwise_derive_for_session());
  REQUIRE(app.session.open(lesson("10-pool-overhead.toml")));
  const WarmPool::Plan plan = WarmPool::plan(app.session.runs());
  // The three process-pool runs and the change's own thread; the chunksize-1 run's 4,000 jobs
  // and its marks in malloc; its indices (about 0.9 MiB) on the pool's thread.
  CHECK(plan.arenas == 4);
  CHECK(plan.arena_bytes > 4000 * sizeof(trace::Job));
  CHECK(plan.heap_bytes > 0);
  WarmPool& pool = app.session.warm_pool();
  pool.wait();
  CHECK(pool.arenas_warmed_bytes() == plan.arenas * plan.arena_bytes);
  CHECK(pool.indexer() != nullptr);
  // Which threads then take those heaps is glibc's (the last ended first): in this process
  // other heaps of ended threads hold free pages as well, so it is measured in gilviz
  // (docs/performance.md, "A knob change on lesson 10, round 3"), not here.
  pool.release();
}
