// The viewer names a run with the value in force where the knobs, gilviz --set or the fit
// change what its name states, as `gilsim run --set` does (scenario::value_in_force): lesson 17
// with the workers knob at 2 says "pool of 4 (now 2 workers)", not "pool of 4", in its header,
// its collapsed line, the Numbers panel and for its measured run; knob changes simulated ahead
// and their previews too.
#include <doctest/doctest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>

#include "headless_viewer.hpp"
#include "lesson_runs.hpp"
#include "sim/scenario/loader.hpp"
#include "sim/scenario/value_in_force.hpp"
#include "tests/temp_folder.hpp"
#include "tests/viz/finish_background.hpp"
#include "tests/viz/lesson_path.hpp"
#include "viz/app_state.hpp"
#include "viz/knobs.hpp"
#include "viz/session.hpp"
#include "viz/sweep_runner.hpp"
#include "viz/timeline_layout.hpp"
#include "viz/ui/panels.hpp"

using namespace gilsim;
using namespace gilsim::viz;
using gilsim::viz::testing::finish_background;
using gilsim::viz::testing::HeadlessViewer;
using gilsim::viz::testing::lesson;
using gilsim::viz::testing::run_named;
using namespace std::chrono_literals;

namespace {

std::string label_of(const Session& s, const std::string& name) {
  for (const trace::Trace& run : s.runs()) {
    if (run.run_name == name && run.origin == trace::Origin::Simulated) return run_label(run);
  }
  return "no run " + name;
}

Knobs workers(int n) {
  Knobs k;
  k.workers = n;
  return k;
}

}  // namespace

TEST_CASE("a knob that changes what a run's name states labels the run with the value in force, as gilsim run --set does") {
  Session s;
  REQUIRE(s.open(lesson("17-big-results.toml")));
  CHECK(label_of(s, "pool of 4") == "pool of 4");
  REQUIRE(s.set_knobs(workers(2)));
  CHECK(label_of(s, "pool of 4") == "pool of 4 (now 2 workers)");
  CHECK(label_of(s, "sequential") == "sequential");  // its name states none
  CHECK(label_of(s, "threads") == "threads");
  // The command line's words, from the same function.
  const scenario::Scenario written = scenario::load_file(lesson("17-big-results.toml"));
  const scenario::Scenario two = scenario::load_file(lesson("17-big-results.toml"), {scenario::parse_override("workers=2")});
  CHECK(scenario::value_in_force(written, two, two.runs[2]) == "now 2 workers");
  // A measured run is named as its prediction: measured with the knobs shown.
  trace::Trace measured = s.runs()[2];
  measured.in_force.clear();
  measured.origin = trace::Origin::Measured;
  s.add_measured(std::move(measured));
  CHECK(run_label(s.runs().back()) == "pool of 4 (now 2 workers, measured)");
  // The pool's own size again, then the file's values: the name alone.
  REQUIRE(s.set_knobs(workers(4)));
  CHECK(label_of(s, "pool of 4") == "pool of 4");
  REQUIRE(s.set_knobs(workers(2)));
  REQUIRE(s.set_knobs({}));
  CHECK(label_of(s, "pool of 4") == "pool of 4");
  // In the background, as the scenario panel's knobs move.
  s.set_knobs_in_background(workers(3));
  while (s.simulating()) finish_background(s);
  CHECK(label_of(s, "pool of 4") == "pool of 4 (now 3 workers)");
}

TEST_CASE("gilviz --set labels the runs from the start, the knobs moving from it") {
  Session s;
  s.set_base(lesson("17-big-results.toml"), {scenario::parse_override("workers=2")});
  REQUIRE(s.open(lesson("17-big-results.toml")));
  CHECK(label_of(s, "pool of 4") == "pool of 4 (now 2 workers)");
  Knobs k = s.knobs();
  k.cores = 2;
  REQUIRE(s.set_knobs(k));
  CHECK(label_of(s, "pool of 4") == "pool of 4 (now 2 workers)");
  k = s.knobs();
  k.workers = 4;  // back to what the name states
  REQUIRE(s.set_knobs(k));
  CHECK(label_of(s, "pool of 4") == "pool of 4");
  // Another file opened from the panel has no --set.
  REQUIRE(s.open(lesson("01-cpu-bound.toml")));
  CHECK(label_of(s, "4 threads") == "4 threads");
}

TEST_CASE("a knob value simulated ahead and put in whole is labelled too") {
  Session s;
  REQUIRE(s.open(lesson("01-cpu-bound.toml")));
  s.speculate_neighbours(derive_runs_for_session, Speculation::kDefaultBudget, false);
  s.speculation()->wait_until_idle();
  const auto step = step_knob(s.scenario(), s.knobs(), {Knob::Jobs, +1});
  REQUIRE(step);
  s.set_knobs_in_background(*step, derive_runs_for_session);
  REQUIRE(s.poll(0));
  REQUIRE(s.last_change_was_kept());
  const int threads = s.scenario().total_jobs();
  REQUIRE(threads != 4);
  CHECK(label_of(s, "4 threads") == "4 threads (now " + std::to_string(threads) + " threads)");
}

TEST_CASE("a knob change's previews name the runs as the whole runs will be") {
  // Lesson 15's threads run, named by its thread count here: 8 jobs, 8 threads.
  gilsim::testing::TempFolder folder{"gilviz_in_force"};
  const std::filesystem::path file = folder.path() / "15-named.toml";
  {
    std::ifstream in(lesson("15-lost-update.toml"));
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const std::string from = "name = \"threads\"";
    const auto at = text.find(from);
    REQUIRE(at != std::string::npos);
    text.replace(at, from.size(), "name = \"8 threads\"");
    std::ofstream(file) << text;
  }
  AppState app;
  REQUIRE(app.session.open(file));
  app.session.preview_every_slice();
  refresh_derived(app);
  Knobs k;
  k.jobs = 3;
  app.session.set_knobs_in_background(k, derive_runs_for_session);
  int previews = 0;
  while (app.session.simulating()) {
    if (app.session.poll(0)) refresh_derived(app);
    if (app.session.previewing()) {
      ++previews;
      CHECK(label_of(app.session, "8 threads") == "8 threads (now 6 threads)");
    }
    std::this_thread::sleep_for(1ms);
  }
  CHECK(previews > 0);
  CHECK(label_of(app.session, "8 threads") == "8 threads (now 6 threads)");
}

TEST_CASE("the timeline's header, its collapsed line and the Numbers panel name the run with the value in force") {
  HeadlessViewer v(ImVec2(1600, 900));
  REQUIRE(v.open(lesson("17-big-results.toml")));
  REQUIRE(v.app.session.set_knobs(workers(2)));
  refresh_derived(v.app);
  for (int i = 0; i < 4; ++i) v.frame(0);
  const std::uint32_t pool = run_named(v, "pool of 4");
  const auto& t = v.app.timeline;
  if (t.options.folding[pool].collapsed) {
    CHECK(t.collapsed_names[pool] == "pool of 4 (now 2 workers)");
  } else {
    CHECK(t.headers[pool].shown.starts_with("pool of 4 (now 2 workers)"));
  }
  // Collapsed, the line's name says it; the folding stays as the knob moves on.
  v.app.folding[pool].collapsed = true;
  for (int i = 0; i < 2; ++i) v.frame(0);
  CHECK(v.app.timeline.collapsed_names[pool] == "pool of 4 (now 2 workers)");
  REQUIRE(v.app.session.set_knobs(workers(3)));
  refresh_derived(v.app);
  for (int i = 0; i < 2; ++i) v.frame(0);
  CHECK(v.app.folding[pool].collapsed);
  CHECK(v.app.timeline.collapsed_names[pool] == "pool of 4 (now 3 workers)");
  // Measured: the predicted-against-measured table names the pair so.
  gilsim::viz::testing::measure_as_predicted(v);
  for (int i = 0; i < 2; ++i) v.frame(0);
  bool named = false;
  for (const auto& row : ui::prediction_cells(v.app)) named = named || row[0] == "pool of 4 (now 3 workers)";
  CHECK(named);
}

TEST_CASE("a sweep's legend names a run with the value in force the knobs keep, the name alone where it is swept") {
  SweepView view;
  view.vary = "job.crunch.result_bytes=100,1000";
  const auto kept = sweep_run_labels(plan_sweep(lesson("17-big-results.toml").string(), workers(2), view));
  REQUIRE(kept.size() == 3);
  CHECK(kept[2] == "pool of 4 (now 2 workers)");
  CHECK(kept[0] == "sequential");
  view.vary = "workers=1..4";
  const auto swept = sweep_run_labels(plan_sweep(lesson("17-big-results.toml").string(), workers(2), view));
  CHECK(swept[2] == "pool of 4");
  view.vary = "job.crunch.result_bytes=100,1000";
  CHECK(sweep_run_labels(plan_sweep(lesson("17-big-results.toml").string(), {}, view))[2] == "pool of 4");
}
