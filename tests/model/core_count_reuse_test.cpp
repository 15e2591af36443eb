// A run of one thread that never waited for a core is the same on any core count but for its
// core lanes (core_count_cannot_change, with_cores): checked against real re-simulations of
// every bundled scenario, the built-in default and the test scenarios, on 1, 2, 3, 4 and 8
// cores from each of those counts; and simulate_all() keeping such runs gives the runs it
// simulates.
#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "sim/model/simulate.hpp"
#include "sim/scenario/effective_settings.hpp"
#include "sim/scenario/loader.hpp"
#include "tests/same_runs.hpp"

using namespace gilsim;

namespace {

constexpr int kCoreCounts[] = {1, 2, 3, 4, 8};

/// Every scenario the exhaustive test reads: scenarios/*.toml, the built-in default ("" here)
/// and the .toml files under tests/ (those that load: some are broken on purpose).
std::vector<std::string> all_scenarios() {
  std::vector<std::string> out{""};
  for (const auto& entry : std::filesystem::directory_iterator(std::string(GILSIM_SOURCE_DIR) + "/scenarios")) {
    if (entry.path().extension() == ".toml") out.push_back(entry.path().string());
  }
  for (const auto& entry : std::filesystem::recursive_directory_iterator(std::string(GILSIM_SOURCE_DIR) + "/tests")) {
    if (entry.path().extension() == ".toml") out.push_back(entry.path().string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

/// `file` (the default when empty) on `cores` cores; nothing when it does not load so (a
/// broken test file, or a job pinned to a CPU past the count).
std::optional<scenario::Scenario> load_on(const std::string& file, int cores) {
  const std::vector<scenario::Override> overrides{{"cores", std::to_string(cores)}};
  try {
    return file.empty() ? scenario::load_default(overrides) : scenario::load_file(file, overrides);
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

/// `run` offered to `s` after a change of the core count alone.
model::ReusedRuns cores_moved(const scenario::Scenario& s, std::size_t r, const trace::Trace& run) {
  model::ReusedRuns reused;
  reused.runs.assign(s.runs.size(), nullptr);
  reused.runs[r] = &run;
  reused.switch_interval_moved = false;
  reused.cores_moved = true;
  return reused;
}

scenario::Scenario load_text(const std::string& text, int cores) {
  return scenario::load_string(text, "test", {{"cores", std::to_string(cores)}});
}

/// A small scenario of `jobs` with one run of `executor` (and its extra keys).
std::string one_run(const std::string& jobs, const std::string& executor, const std::string& extra = "") {
  return "title = \"t\"\n[machine]\ncores = 2\n" + jobs + "\n[[run]]\nname = \"it\"\nexecutor = \"" + executor + "\"\n" + extra;
}

const std::string kTwoCpuJobs = "[[job]]\nname = \"crunch\"\ncount = 2\nsteps = [ { cpu = \"3ms\" }, { sleep = \"1ms\" }, { cpu = \"2ms\" } ]\n";
const std::string kOneCpuJob = "[[job]]\nname = \"crunch\"\ncount = 1\nsteps = [ { cpu = \"3ms\" }, { sleep = \"1ms\" }, { cpu = \"2ms\" } ]\n";

}  // namespace

TEST_CASE("every run the core-count rule keeps is, moved onto the new count, a fresh simulation there") {
  int kept = 0, simulated = 0, moved_lanes = 0, scenarios = 0;
  for (const std::string& file : all_scenarios()) {
    CAPTURE(file);
    // Each run at each count, simulated once.
    std::vector<std::optional<scenario::Scenario>> on(std::size(kCoreCounts));
    std::vector<std::vector<trace::Trace>> runs(std::size(kCoreCounts));
    for (std::size_t c = 0; c < std::size(kCoreCounts); ++c) {
      on[c] = load_on(file, kCoreCounts[c]);
      if (on[c]) runs[c] = model::simulate_all(*on[c], 2);
    }
    if (!on[1]) continue;  // a test file that does not load at all
    ++scenarios;
    for (std::size_t from = 0; from < std::size(kCoreCounts); ++from) {
      for (std::size_t to = 0; to < std::size(kCoreCounts); ++to) {
        if (!on[from] || !on[to]) continue;
        CAPTURE(kCoreCounts[from]);
        CAPTURE(kCoreCounts[to]);
        const scenario::Scenario& s = *on[to];
        for (std::size_t r = 0; r < s.runs.size(); ++r) {
          CAPTURE(s.runs[r].name);
          const trace::Trace& before = runs[from][r];
          const model::ReusedRuns reused = cores_moved(s, r, before);
          const model::Reuse reuse = model::reuse_of(s, r, &reused);
          if (reuse == model::Reuse::None) {
            ++simulated;
            continue;
          }
          ++kept;
          const int cores = scenario::effective_cores(s, s.runs[r]);
          CHECK((reuse == model::Reuse::AsIs) == (before.cores == cores));
          const trace::Trace moved = model::with_cores(before, cores);
          moved_lanes += before.cores != cores ? 1 : 0;
          CHECK(test::first_difference(moved, runs[to][r]) == "");
          CHECK(moved.end == runs[to][r].end);
          CHECK(moved.cores == runs[to][r].cores);
        }
      }
    }
  }
  // Every bundled lesson, the default and the loadable test files were read, and the rule is
  // not vacuous either way.
  CHECK(scenarios >= 25);
  CHECK(kept > 100);
  CHECK(moved_lanes > 50);
  CHECK(simulated > 100);
}

TEST_CASE("simulate_all keeping runs on a new core count gives the runs it simulates, and leaves the runs it copied") {
  for (const char* name : {"15-lost-update.toml", "04-blocking-coroutine.toml", "13-to-thread.toml", "01-cpu-bound.toml"}) {
    CAPTURE(name);
    const std::string file = std::string(GILSIM_SOURCE_DIR) + "/scenarios/" + name;
    for (const auto& [from, to] : {std::pair{4, 1}, std::pair{2, 3}, std::pair{3, 8}, std::pair{4, 4}}) {
      CAPTURE(from);
      CAPTURE(to);
      const scenario::Scenario s = *load_on(file, from);
      const std::vector<trace::Trace> before = model::simulate_all(s, 2);
      const std::vector<trace::Trace> copy_of_before = before;
      const scenario::Scenario moved = *load_on(file, to);
      const std::vector<trace::Trace> simulated = model::simulate_all(moved, 2);
      for (const bool interval_too : {false, true}) {
        for (unsigned threads : {1u, 2u, 8u}) {
          CAPTURE(threads);
          model::ReusedRuns reused;
          for (const trace::Trace& run : before) reused.runs.push_back(&run);
          reused.cores_moved = true;
          reused.switch_interval_moved = interval_too;
          std::size_t kept = 0;
          for (std::size_t r = 0; r < moved.runs.size(); ++r) kept += model::reuse_of(moved, r, &reused) != model::Reuse::None;
          std::shared_ptr<const model::SharedPlan> plan;
          model::Progress progress;
          const std::vector<trace::Trace> runs = model::simulate_all(moved, threads, &plan, &progress, &reused);
          CHECK(test::first_difference(runs, simulated) == "");
          CHECK(test::first_difference(before, copy_of_before) == "");
          if (std::string(name) == "15-lost-update.toml") CHECK(kept == 2);  // sequential and asyncio
          if (std::string(name) == "01-cpu-bound.toml") CHECK(kept == 1);    // sequential
        }
      }
    }
  }
}

TEST_CASE("lesson 15's sequential and asyncio runs keep on any core count, its threads run does not") {
  const std::string file = std::string(GILSIM_SOURCE_DIR) + "/scenarios/15-lost-update.toml";
  const scenario::Scenario s = *load_on(file, 4);
  const std::vector<trace::Trace> runs = model::simulate_all(s, 2);
  REQUIRE(runs.size() == 3);
  for (const int cores : kCoreCounts) {
    CAPTURE(cores);
    CHECK(model::core_count_cannot_change(runs[0], cores));        // sequential: the main thread alone
    CHECK_FALSE(model::core_count_cannot_change(runs[1], cores));  // threads: eight of them
    CHECK(model::core_count_cannot_change(runs[2], cores));        // asyncio: one loop thread
  }
  // Moved from 4 cores to 1 and to 8: the lanes after the cores keep their order, their ids moved.
  const trace::Trace one = model::with_cores(runs[0], 1);
  const trace::Trace eight = model::with_cores(runs[0], 8);
  CHECK(one.lanes.size() == runs[0].lanes.size() - 3);
  CHECK(eight.lanes.size() == runs[0].lanes.size() + 4);
  CHECK(eight.lanes[7].name == "core 7");
  CHECK(eight.lanes[7].spans.empty());
  CHECK(one.lanes[1].name == runs[0].lanes[4].name);
  CHECK(eight.lanes[8].name == runs[0].lanes[4].name);
  CHECK(one.cores == 1);
  CHECK(eight.cores == 8);
}

TEST_CASE("two threads, a thread pool, a pool of processes, a to_thread: not kept; one thread: kept") {
  struct Case {
    const char* what;
    std::string text;
    bool kept;
  };
  const std::vector<Case> cases{
      {"sequential", one_run(kTwoCpuJobs, "sequential"), true},
      {"one job on a thread of its own beside the main thread", one_run(kOneCpuJob, "threads"), false},
      {"two threads", one_run(kTwoCpuJobs, "threads"), false},
      {"a thread pool of one worker", one_run(kOneCpuJob, "thread_pool", "workers = 1\n"), false},
      {"a thread pool of the default size", one_run(kTwoCpuJobs, "thread_pool"), false},
      {"a pool of processes", one_run(kTwoCpuJobs, "process_pool"), false},
      {"a ProcessPoolExecutor", one_run(kTwoCpuJobs, "process_pool_executor"), false},
      {"processes", one_run(kTwoCpuJobs, "processes"), false},
      {"asyncio", one_run(kTwoCpuJobs, "asyncio"), true},
      {"asyncio with a to_thread",
       one_run("[[job]]\nname = \"off\"\ncount = 1\nsteps = [ { offload = \"2ms\", work = \"cpu\" } ]\n", "asyncio"), false},
  };
  for (const Case& c : cases) {
    CAPTURE(c.what);
    const scenario::Scenario two = load_text(c.text, 2);
    const trace::Trace run = model::simulate(two, two.runs[0]);
    for (const int cores : kCoreCounts) {
      CAPTURE(cores);
      const scenario::Scenario s = load_text(c.text, cores);
      const model::ReusedRuns reused = cores_moved(s, 0, run);
      CHECK(model::core_count_cannot_change(run, cores) == c.kept);
      CHECK((model::reuse_of(s, 0, &reused) != model::Reuse::None) == c.kept);
      if (c.kept) CHECK(test::first_difference(model::with_cores(run, cores), model::simulate(s, s.runs[0])) == "");
    }
  }
}

TEST_CASE("the core-count rule reads the run's lanes: a thread on a core past the new count, a second core, a wait") {
  const scenario::Scenario s = load_text(one_run(kTwoCpuJobs, "sequential"), 4);
  const trace::Trace run = model::simulate(s, s.runs[0]);
  REQUIRE(model::core_count_cannot_change(run, 1));
  // The same spans on core 2 instead of core 0: kept on 3 cores or more, not on 2.
  trace::Trace on_core_2 = run;
  std::swap(on_core_2.lanes[0].spans, on_core_2.lanes[2].spans);
  CHECK(model::core_count_cannot_change(on_core_2, 3));
  CHECK_FALSE(model::core_count_cannot_change(on_core_2, 2));
  CHECK_FALSE(model::core_count_cannot_change(on_core_2, 1));
  // Spans on two cores: not kept.
  trace::Trace two_cores = run;
  two_cores.lanes[1].spans = run.lanes[0].spans;
  CHECK_FALSE(model::core_count_cannot_change(two_cores, 4));
  // A Runnable span on the thread's lane, or a preemption: it waited for a core.
  for (std::size_t l = 0; l < run.lanes.size(); ++l) {
    if (run.lanes[l].kind != trace::LaneKind::Thread) continue;
    trace::Trace waited = run;
    trace::SpanStore spans;
    spans.push_back(trace::Span{Time::zero(), Time{1}, trace::kNone, trace::kNoStep, trace::SpanState::Runnable});
    waited.lanes[l].spans = spans;
    CHECK_FALSE(model::core_count_cannot_change(waited, 4));
  }
  trace::Trace preempted = run;
  preempted.marks.push_back(trace::Mark{Time{1}, 4, 4, 0, trace::MarkKind::Preempt});
  CHECK_FALSE(model::core_count_cannot_change(preempted, 4));
  // Cut short, or measured: never.
  trace::Trace partial = run;
  partial.simulated_until = Time{1};
  CHECK_FALSE(model::core_count_cannot_change(partial, 4));
  trace::Trace measured = run;
  measured.origin = trace::Origin::Measured;
  CHECK_FALSE(model::core_count_cannot_change(measured, 4));
}

TEST_CASE("a change of both the cores and the switch interval keeps only what both rules keep") {
  // Lesson 12's free-threaded runs never wait for a GIL, on several threads.
  const std::string file = std::string(GILSIM_SOURCE_DIR) + "/scenarios/12-free-threaded.toml";
  const scenario::Scenario s = *load_on(file, 4);
  const std::vector<trace::Trace> runs = model::simulate_all(s, 2);
  const scenario::Scenario moved = scenario::load_file(file, {{"cores", "2"}, {"switch_interval", "1ms"}});
  model::ReusedRuns reused;
  for (const trace::Trace& run : runs) reused.runs.push_back(&run);
  int both = 0, interval_alone = 0, cores_alone = 0;
  for (std::size_t r = 0; r < runs.size(); ++r) {
    CAPTURE(runs[r].run_name);
    const bool interval_rule = model::switch_interval_cannot_change(runs[r]);
    const bool cores_rule = model::core_count_cannot_change(runs[r], 2);
    reused.cores_moved = reused.switch_interval_moved = true;
    CHECK((model::reuse_of(moved, r, &reused) != model::Reuse::None) == (interval_rule && cores_rule));
    both += interval_rule && cores_rule;
    interval_alone += interval_rule && !cores_rule;
    cores_alone += cores_rule && !interval_rule;
    // One knob said moved, the other's value moved too: the run is simulated.
    reused.cores_moved = false;
    CHECK(model::reuse_of(moved, r, &reused) == model::Reuse::None);
    reused.cores_moved = true;
    reused.switch_interval_moved = false;
    CHECK(model::reuse_of(moved, r, &reused) == model::Reuse::None);
  }
  CHECK(both >= 1);            // a run of one thread
  CHECK(interval_alone >= 1);  // threads without a GIL
  CHECK(cores_alone == 0);     // one thread never waits for a GIL
  reused.cores_moved = reused.switch_interval_moved = true;
  std::shared_ptr<const model::SharedPlan> plan;
  CHECK(test::first_difference(model::simulate_all(moved, 2, &plan, nullptr, &reused), model::simulate_all(moved, 2)) == "");
}

TEST_CASE("of the bundled lessons' runs, those a change of the cores keeps (docs/performance.md)") {
  int lessons = 0, runs = 0, kept = 0, interval_kept = 0;
  std::vector<std::string> with_kept;
  for (const std::string& file : all_scenarios()) {
    if (file.find("/scenarios/") == std::string::npos) continue;
    const scenario::Scenario s = scenario::load_file(file);
    const std::vector<trace::Trace> shown = model::simulate_all(s, 2);
    ++lessons;
    bool any = false;
    for (std::size_t r = 0; r < s.runs.size(); ++r) {
      ++runs;
      model::ReusedRuns reused = cores_moved(s, r, shown[r]);
      const bool keeps = model::reuse_of(s, r, &reused) != model::Reuse::None;  // the cores set to the value they have
      kept += keeps;
      any = any || keeps;
      interval_kept += model::switch_interval_cannot_change(shown[r]);
    }
    if (any) with_kept.push_back(std::filesystem::path(file).filename().string());
  }
  CHECK(lessons == 21);
  CHECK(runs == 67);
  // 28 until thread_start was measured (15 us where it was 100 us, docs/model.md T1a): lesson
  // 3's thread_pool's main thread then asked for the GIL while a worker held it. 28 again since
  // the starts' two wake-ups (T1a): lesson 16's threads, whose main thread no longer asks for
  // the GIL while a thread holds it.
  CHECK(interval_kept == 28);
  CHECK(kept == 24);  // runs of one thread (lessons 01 to 04, 06, 07, 10 to 12, 14 to 18, 20, 21, the default), and lesson 11's run of 1 core of its own
  CHECK(with_kept.size() == 17);
}

TEST_CASE("a run with cores of its own is kept as it is whatever the machine's cores, under the rules of what else moved") {
  const std::string file = std::string(GILSIM_SOURCE_DIR) + "/scenarios/11-old-gil.toml";
  const scenario::Scenario s = *load_on(file, 2);
  const std::vector<trace::Trace> runs = model::simulate_all(s, 2);
  const std::size_t own = s.runs.size() - 1;
  REQUIRE(s.runs[own].cores == 1);
  REQUIRE_FALSE(model::core_count_cannot_change(runs[own], 1));  // threads: not by the lone thread's rule
  for (const int cores : kCoreCounts) {
    CAPTURE(cores);
    const scenario::Scenario moved = *load_on(file, cores);
    model::ReusedRuns reused = cores_moved(moved, own, runs[own]);
    CHECK(model::reuse_of(moved, own, &reused) == model::Reuse::AsIs);
    CHECK(test::first_difference(runs[own], model::simulate(moved, moved.runs[own])) == "");
    // With the interval moved too, the interval's rule decides: its threads wait for the GIL.
    reused.switch_interval_moved = true;
    CHECK(model::reuse_of(moved, own, &reused) == model::Reuse::None);
  }
}
