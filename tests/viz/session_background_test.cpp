// A knob change simulated on a thread of its own: the runs shown stay until the new ones are
// in, the latest values win, a failure keeps what was shown, a load on the UI thread drops it.
#include <doctest/doctest.h>

#include <any>
#include <atomic>
#include <string>
#include <vector>
#include <chrono>
#include <filesystem>
#include <thread>

#include "tests/viz/same_run_index.hpp"
#include "tests/viz/finish_background.hpp"
#include "viz/app_state.hpp"
#include "viz/session.hpp"

using namespace gilsim;
using namespace gilsim::viz;
using gilsim::viz::testing::finish_background;
using namespace std::chrono_literals;

namespace {

int cores_of_runs(const Session& s) {
  int cores = -1;
  for (const auto& run : s.runs()) {
    if (cores != -1 && run.cores != cores) return -2;
    cores = run.cores;
  }
  return cores;
}

}  // namespace

TEST_CASE("a knob change in the background keeps the runs shown until poll() puts the new ones in") {
  Session s;
  REQUIRE(s.open({}));
  const int file_cores = s.scenario().machine.cores;
  REQUIRE(file_cores != 1);
  const auto generation = s.generation();
  Knobs k;
  k.cores = 1;
  s.set_knobs_in_background(k);
  CHECK(s.simulating());
  CHECK(s.knobs().cores == 1);  // the panel shows the values asked for
  CHECK(s.generation() == generation);
  CHECK(s.scenario().machine.cores == file_cores);  // and still the runs it had
  CHECK(cores_of_runs(s) == file_cores);
  CHECK(finish_background(s));
  CHECK_FALSE(s.simulating());
  CHECK(s.generation() == generation + 1);
  CHECK(s.scenario().machine.cores == 1);
  CHECK(cores_of_runs(s) == 1);
  CHECK(s.error().empty());
  CHECK_FALSE(s.poll(0));  // nothing more to put in (the file is looked at once a second)
}

TEST_CASE("knob changes asked for while one is simulated: the latest values win") {
  Session s;
  REQUIRE(s.open({}));
  for (int cores : {1, 3, 2}) {
    Knobs k;
    k.cores = cores;
    s.set_knobs_in_background(k);
  }
  CHECK(s.knobs().cores == 2);
  // The first change comes in, then the latest is simulated after it (the one between never runs).
  for (int i = 0; i < 3 && s.simulating(); ++i) finish_background(s);
  CHECK_FALSE(s.simulating());
  CHECK(s.scenario().machine.cores == 2);
  CHECK(cores_of_runs(s) == 2);
  CHECK(s.knobs().cores == 2);
}

TEST_CASE("a knob change that does not load keeps the runs shown and their knobs, and says why") {
  Session s;
  REQUIRE(s.open({}));
  const int file_cores = s.scenario().machine.cores;
  const auto generation = s.generation();
  Knobs k;
  k.cores = 0;
  s.set_knobs_in_background(k);
  CHECK_FALSE(finish_background(s));
  CHECK_FALSE(s.simulating());
  CHECK(s.generation() == generation);
  CHECK_FALSE(s.error().empty());
  CHECK_FALSE(s.knobs().cores.has_value());
  CHECK(cores_of_runs(s) == file_cores);
}

TEST_CASE("a load on the panel's thread drops a knob change being simulated") {
  Session s;
  REQUIRE(s.open({}));
  Knobs slow;
  slow.cores = 1;
  s.set_knobs_in_background(slow);
  Knobs now;
  now.cores = 3;
  REQUIRE(s.set_knobs(now));
  CHECK_FALSE(s.simulating());
  CHECK(cores_of_runs(s) == 3);
  CHECK_FALSE(s.poll(0));
  CHECK(cores_of_runs(s) == 3);
  CHECK(s.knobs().cores == 3);
}

TEST_CASE("the runs of a background change come indexed: refresh_derived swaps in what derive_runs gives") {
  AppState app;
  REQUIRE(app.session.open(std::filesystem::path(GILSIM_SOURCE_DIR) / "scenarios/15-lost-update.toml"));
  refresh_derived(app);
  SUBCASE("indexed after the simulation") {}
  SUBCASE("each run indexed as it ends, the parts joined") { app.session.derive_runwise_with(runwise_derive_for_session()); }
  Knobs k;
  k.cores = 2;
  app.session.set_knobs_in_background(k, derive_runs_for_session);
  while (!app.session.background_ready()) std::this_thread::sleep_for(1ms);
  REQUIRE(app.session.poll(0));
  refresh_derived(app);
  CHECK_FALSE(app.session.take_derived().has_value());  // taken by refresh_derived
  // What a fresh open with the same knobs shows.
  Session opened;
  REQUIRE(opened.open(std::filesystem::path(GILSIM_SOURCE_DIR) / "scenarios/15-lost-update.toml"));
  REQUIRE(opened.set_knobs(k));
  const DerivedRuns fresh = derive_runs(opened.runs());
  REQUIRE(app.runs.size() == app.session.runs().size());
  REQUIRE(fresh.runs.size() == app.runs.size());
  CHECK(app.states_seen == fresh.states_seen);
  CHECK(app.marks_seen == fresh.marks_seen);
  for (std::size_t r = 0; r < app.runs.size(); ++r) {
    CAPTURE(r);
    viz::testing::check_same_run_index(app.runs[r], fresh.runs[r]);
  }
  CHECK(app.session.runs().front().cores == 2);
}

TEST_CASE("runs that change after a background change (a measured run added) are indexed again, not swapped") {
  Session s;
  REQUIRE(s.open({}));
  Knobs k;
  k.cores = 1;
  s.set_knobs_in_background(k, [](const std::vector<trace::Trace>&) { return std::any(42); });
  finish_background(s);
  trace::Trace extra = s.runs().front();
  extra.origin = trace::Origin::Measured;
  s.add_measured(std::move(extra));
  CHECK_FALSE(s.take_derived().has_value());  // built for the runs before the measured one
}

TEST_CASE("a change derived run by run: each run's part made once, as it ends, and joined in file order") {
  Session s;
  REQUIRE(s.open(std::filesystem::path(GILSIM_SOURCE_DIR) / "scenarios/15-lost-update.toml"));
  std::atomic<int> made{0};
  s.derive_runwise_with({[&made](const trace::Trace& run, LentThread*) -> std::any {
                           CHECK_FALSE(run.partial());  // whole runs only, never a preview's part
                           ++made;
                           return run.run_name;
                         },
                         [](const std::vector<trace::Trace>& runs, std::vector<std::any> parts) -> std::any {
                           std::vector<std::string> names;
                           for (std::size_t r = 0; r < parts.size(); ++r) {
                             names.push_back(std::any_cast<std::string>(parts[r]));
                             CHECK(names.back() == runs[r].run_name);
                           }
                           return names;
                         }});
  Knobs k;
  k.cores = 2;
  s.set_knobs_in_background(k, derive_runs_for_session);  // replaced by the runwise derive
  REQUIRE(finish_background(s));
  CHECK(made.load() == static_cast<int>(s.runs().size()));
  const std::any derived = s.take_derived();
  REQUIRE(std::any_cast<std::vector<std::string>>(&derived) != nullptr);
  CHECK(std::any_cast<std::vector<std::string>>(derived).size() == s.runs().size());
}
