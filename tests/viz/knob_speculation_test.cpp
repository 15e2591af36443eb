// Knob values simulated ahead: the cache keeps them by everything they come from and evicts the
// least recently used past its budget; the speculation simulates the wanted values in order
// and cancels one no longer wanted; a session steps to a kept value in the next poll(), with
// the very runs a simulation of those values gives, and never with runs of other settings.
#include <doctest/doctest.h>
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <any>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include "sim/model/simulate.hpp"
#include "sim/real/execute.hpp"
#include "sim/scenario/effective_settings.hpp"
#include "sim/scenario/loader.hpp"
#include "tests/same_runs.hpp"
#include "tests/temp_folder.hpp"
#include "tests/viz/lesson_path.hpp"
#include "tests/viz/finish_background.hpp"
#include "viz/app_state.hpp"
#include "viz/knob_cache.hpp"
#include "viz/session.hpp"
#include "viz/speculation.hpp"

using namespace gilsim;
using namespace gilsim::viz;
using gilsim::viz::testing::finish_background;
using namespace std::chrono_literals;

namespace {

SettingsKey key_named(const std::string& text) {
  SettingsKey k;
  k.file = "x.toml";
  k.text = text;
  return k;
}

using gilsim::viz::testing::lesson;

/// A copy of a lesson to edit, in a folder of its own (two test runs at once never share
/// it), removed at the end.
struct TempLesson {
  gilsim::testing::TempFolder folder{"gilviz_spec"};
  std::filesystem::path path;
  explicit TempLesson(const char* name) : path(folder.path() / name) {
    std::filesystem::copy_file(lesson(name), path);
  }
  void replace(const std::string& from, const std::string& to) const {
    std::ifstream in(path);
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const auto at = text.find(from);
    REQUIRE(at != std::string::npos);
    text.replace(at, from.size(), to);
    std::ofstream(path, std::ios::trunc) << text;
  }
};

}  // namespace

TEST_CASE("the knob cache keeps the most recent values within its budget of bytes") {
  KnobCache<int> cache(100);
  cache.put(key_named("a"), std::make_shared<int>(1), 40);
  cache.put(key_named("b"), std::make_shared<int>(2), 40);
  CHECK(cache.bytes() == 80);
  CHECK(cache.touch(key_named("a")));  // a is now the most recent: b goes first
  cache.put(key_named("c"), std::make_shared<int>(3), 40);
  CHECK(cache.size() == 2);
  CHECK(cache.bytes() == 80);
  CHECK_FALSE(cache.touch(key_named("b")));
  CHECK(cache.keys() == std::vector<SettingsKey>{key_named("c"), key_named("a")});
  cache.put(key_named("huge"), std::make_shared<int>(4), 101);  // larger than the budget: not kept
  CHECK(cache.size() == 2);
  const auto a = cache.take(key_named("a"));
  REQUIRE(a);
  CHECK(*a == 1);
  CHECK(cache.take(key_named("a")) == nullptr);  // taken out
  CHECK(cache.bytes() == 40);
  cache.put(key_named("c"), std::make_shared<int>(5), 10);  // the same key replaces its entry
  CHECK(cache.size() == 1);
  CHECK(cache.bytes() == 10);
  CHECK(*cache.take(key_named("c")) == 5);
}

TEST_CASE("a settings key tells apart every input of the runs: the file's text, each override, the fit") {
  const TempLesson file("01-cpu-bound.toml");
  Knobs k;
  k.cores = 3;
  const SettingsKey base = settings_key(file.path, k, false, 8);
  CHECK(base == settings_key(file.path, k, false, 8));
  CHECK(base == settings_key(file.path, k, false, 2));  // the CPUs count only for a fit
  Knobs other = k;
  other.cores = 4;
  CHECK_FALSE(base == settings_key(file.path, other, false, 8));
  other = k;
  other.switch_interval = Time{1'000'000};
  CHECK_FALSE(base == settings_key(file.path, other, false, 8));
  other = k;
  other.more.push_back({"seed", "7"});
  CHECK_FALSE(base == settings_key(file.path, other, false, 8));
  CHECK_FALSE(base == settings_key(file.path, k, true, 8));
  CHECK_FALSE(settings_key(file.path, k, true, 8) == settings_key(file.path, k, true, 2));
  CHECK_FALSE(base == settings_key({}, k, false, 8));  // the built-in default
  file.replace("cores = 4", "cores = 2");
  CHECK_FALSE(base == settings_key(file.path, k, false, 8));  // the same path, another text
}

TEST_CASE("knob steps: by one, the switch interval along 1-2-5, nothing past a slider's end") {
  const scenario::Scenario s = scenario::load_file(lesson("15-lost-update.toml"));
  const Knobs none;
  const auto up = step_knob(s, none, {Knob::Cores, +1});
  REQUIRE(up);
  CHECK(up->cores == s.machine.cores + 1);
  const auto faster = step_knob(s, none, {Knob::SwitchInterval, +1});  // the lesson's 100 us
  REQUIRE(faster);
  CHECK(faster->switch_interval == Time{200'000});
  CHECK_FALSE(step_knob(s, none, {Knob::SwitchInterval, -1}));  // 0.1 ms is the slider's least
  Knobs odd;
  odd.switch_interval = Time{4'730'000};  // dragged to 4.73 ms
  CHECK(step_knob(s, odd, {Knob::SwitchInterval, +1})->switch_interval == Time{5'000'000});
  CHECK(step_knob(s, odd, {Knob::SwitchInterval, -1})->switch_interval == Time{2'000'000});
  Knobs one;
  one.cores = 1;
  CHECK_FALSE(step_knob(s, one, {Knob::Cores, -1}));
  CHECK_FALSE(step_knob(s, none, {Knob::Workers, +1}));  // lesson 15 has no pool
  CHECK(step_between(none, *up, s) == KnobStep{Knob::Cores, +1});
  const auto near = neighbour_knobs(s, none, KnobStep{Knob::Jobs, -1});
  REQUIRE(near.size() >= 3);
  CHECK(near[0].jobs == s.jobs.front().count - 1);  // the last step again first, then back
  CHECK(near[1].jobs == s.jobs.front().count + 1);
}

TEST_CASE("the speculation simulates the wanted values in order, once each, and keeps them") {
  std::vector<std::string> order;
  std::mutex order_mutex;
  Speculation spec(
      [&](const Speculation::Candidate& c, std::stop_token) {
        const std::lock_guard lock(order_mutex);
        order.push_back(c.key.text);
        if (c.key.text == "bad") throw std::runtime_error("does not load");
        return Speculation::Result{std::make_shared<std::any>(c.key.text + "!"), 10};
      },
      25, false);
  const std::vector<Speculation::Candidate> list{
      {key_named("a"), {}, {}}, {key_named("bad"), {}, {}}, {key_named("b"), {}, {}}, {key_named("c"), {}, {}}};
  spec.want(list);
  spec.wait_until_idle();
  {
    const std::lock_guard lock(order_mutex);
    CHECK(order == std::vector<std::string>{"a", "bad", "b"});  // 25 bytes hold two of 10: c would evict b
  }
  CHECK(spec.kept() == 2);
  CHECK(spec.take(key_named("c")) == nullptr);
  const auto b = spec.take(key_named("b"));
  REQUIRE(b);
  CHECK(std::any_cast<std::string>(*b) == "b!");
  // The same list again: a is kept, "bad" failed for good, b is simulated again, c still waits.
  spec.want(list);
  spec.wait_until_idle();
  const std::lock_guard lock(order_mutex);
  INFO(fmt::format("{}", fmt::join(order, " ")));
  CHECK(order == std::vector<std::string>{"a", "bad", "b", "b"});
  CHECK(spec.keys() == std::vector<SettingsKey>{key_named("b"), key_named("a")});
}

TEST_CASE("a value no longer wanted is cancelled while it is simulated; one still wanted is not") {
  std::atomic<int> running{0};
  Speculation spec(
      [&](const Speculation::Candidate& c, std::stop_token stop) {
        ++running;
        while (!stop.stop_requested() && c.key.text == "slow") std::this_thread::sleep_for(1ms);
        if (stop.stop_requested()) throw std::runtime_error("cancelled");
        return Speculation::Result{std::make_shared<std::any>(c.key.text), 1};
      },
      100, false);
  spec.want({{key_named("slow"), {}, {}}, {key_named("quick"), {}, {}}});
  while (running.load() == 0) std::this_thread::sleep_for(1ms);
  spec.want({{key_named("slow"), {}, {}}, {key_named("quick"), {}, {}}});  // still wanted: goes on
  std::this_thread::sleep_for(5ms);
  CHECK(spec.cancelled() == 0);
  CHECK_FALSE(spec.wait_until_idle_for(5ms));  // "slow" runs until it is no longer wanted
  spec.want({{key_named("quick"), {}, {}}});  // the knob moved: "slow" is no neighbour any more
  CHECK(spec.wait_until_idle_for(std::chrono::minutes(1)));
  spec.wait_until_idle();
  CHECK(spec.cancelled() == 1);
  CHECK(spec.take(key_named("slow")) == nullptr);
  CHECK(spec.take(key_named("quick")) != nullptr);
}

TEST_CASE("the tests' seam: the value begun next is held under way, before its work, until released") {
  std::atomic<int> worked{0};
  Speculation spec(
      [&](const Speculation::Candidate& c, std::stop_token stop) {
        ++worked;
        if (stop.stop_requested()) throw std::runtime_error("cancelled");
        return Speculation::Result{std::make_shared<std::any>(c.key.text), 1};
      },
      100, false);
  spec.hold_next_value();
  Knobs two;
  two.cores = 2;
  spec.want({{key_named("a"), two, std::make_shared<int>(0)}, {key_named("b"), {}, {}}});
  const auto held = spec.wait_until_held_for(std::chrono::minutes(1));
  REQUIRE(held);
  CHECK(held->knobs == two);  // the likeliest, with what it reads
  CHECK(held->reads);
  CHECK(spec.started() == 1);
  CHECK(worked.load() == 0);  // its work not begun
  CHECK_FALSE(spec.wait_until_idle_for(10ms));  // nor anything after it: one at a time
  CHECK(spec.started() == 1);
  spec.release_held();
  CHECK(spec.wait_until_idle_for(std::chrono::minutes(1)));
  CHECK(spec.kept() == 2);  // held once: "b" went on
  CHECK(worked.load() == 2);
  CHECK(spec.cancelled() == 0);
  // Held, then no longer wanted: cancelled, its work ended early once it went on.
  spec.hold_next_value();
  spec.want({{key_named("c"), {}, {}}});
  REQUIRE(spec.wait_until_held_for(std::chrono::minutes(1)));
  spec.want({});
  spec.release_held();
  spec.wait_until_idle();
  CHECK(spec.cancelled() == 1);
  CHECK(spec.cut_short() == 1);
  CHECK(spec.take(key_named("c")) == nullptr);
  // A release before any value is held holds none.
  spec.hold_next_value();
  spec.release_held();
  spec.want({{key_named("d"), {}, {}}});
  CHECK(spec.wait_until_idle_for(std::chrono::minutes(1)));
  CHECK(spec.take(key_named("d")) != nullptr);
  // A value held when the speculation ends is cancelled, and the destructor returns.
  spec.hold_next_value();
  spec.want({{key_named("e"), {}, {}}});
  REQUIRE(spec.wait_until_held_for(std::chrono::minutes(1)));
}

TEST_CASE("a step to a kept neighbour is put in by the next poll, whole, the runs a simulation gives") {
  Session s;
  REQUIRE(s.open(lesson("01-cpu-bound.toml")));
  s.speculate_neighbours(derive_runs_for_session, Speculation::kDefaultBudget, false);
  s.speculation()->wait_until_idle();
  CHECK(s.speculation()->kept() >= 4);
  const auto step = step_knob(s.scenario(), s.knobs(), {Knob::Cores, -1});
  REQUIRE(step);
  const auto generation = s.generation();
  s.set_knobs_in_background(*step, derive_runs_for_session);
  CHECK(s.simulating());
  CHECK(s.background_ready());
  CHECK(s.poll(0));  // the very next frame
  CHECK(s.last_change_was_kept());
  CHECK_FALSE(s.simulating());
  CHECK_FALSE(s.previewing());
  CHECK(s.generation() == generation + 1);
  CHECK(s.scenario().machine.cores == *step->cores);
  for (const auto& run : s.runs()) CHECK_FALSE(run.partial());
  // With its indices, built beside, and the same runs as simulating those values now.
  CHECK(std::any_cast<std::shared_ptr<DerivedRuns>>(s.take_derived()) != nullptr);
  const scenario::Scenario same = scenario::load_file(lesson("01-cpu-bound.toml"), step->overrides());
  CHECK(test::first_difference(s.runs(), model::simulate_all(same)) == "");
}

TEST_CASE("a kept value is of the version loaded, as a knob change is; an edit of the file comes in by the reload") {
  const TempLesson file("01-cpu-bound.toml");
  Session s;
  REQUIRE(s.open(file.path));
  s.speculate_neighbours(derive_runs_for_session, Speculation::kDefaultBudget, false);
  s.speculation()->wait_until_idle();
  const auto step = step_knob(s.scenario(), s.knobs(), {Knob::Jobs, +1});
  REQUIRE(step);
  // The text changes under the same knobs (not reloaded yet: the watch looks once a second).
  const auto written = std::filesystem::last_write_time(file.path);
  file.replace("cores = 4", "cores = 2");
  std::filesystem::last_write_time(file.path, written + std::chrono::seconds(2));  // seen as another version
  s.set_knobs_in_background(*step, derive_runs_for_session);
  while (s.simulating()) finish_background(s);
  // A knob change applies to the version loaded, not to the file as it is now.
  CHECK(s.scenario().machine.cores == 4);
  const scenario::Scenario loaded = scenario::load_file(lesson("01-cpu-bound.toml"), step->overrides());
  CHECK(test::first_difference(s.runs(), model::simulate_all(loaded)) == "");
  // The watch reloads the edit with the knobs in force; nothing simulated from the version before is shown.
  REQUIRE(s.poll(1.5));
  CHECK_FALSE(s.last_change_was_kept());
  CHECK(s.knobs() == *step);
  CHECK(s.scenario().machine.cores == 2);
  const scenario::Scenario edited = scenario::load_file(file.path, step->overrides());
  CHECK(test::first_difference(s.runs(), model::simulate_all(edited)) == "");
}

TEST_CASE("a kept value is never shown once the runs are fitted to this machine") {
  Session s;
  REQUIRE(s.open(lesson("01-cpu-bound.toml")));
  s.speculate_neighbours(derive_runs_for_session, Speculation::kDefaultBudget, false);
  s.speculation()->wait_until_idle();
  REQUIRE(s.speculation()->kept() > 0);
  s.pause_speculation(true);  // nothing kept from here on, to tell the two apart
  REQUIRE(s.fit_to_this_machine(true));
  CHECK(s.speculation()->kept() == 0);  // a load forgets what was kept
  const auto step = step_knob(s.scenario(), s.knobs(), {Knob::Jobs, +1});
  REQUIRE(step);
  s.set_knobs_in_background(*step, derive_runs_for_session);
  while (s.simulating()) finish_background(s);
  CHECK_FALSE(s.last_change_was_kept());
  scenario::Scenario fitted = scenario::load_file(lesson("01-cpu-bound.toml"), step->overrides());
  scenario::fit_to_machine(fitted, real::available_cpus());
  CHECK(test::first_difference(s.runs(), model::simulate_all(fitted)) == "");
}

TEST_CASE("a knob change that is not kept pauses the speculation, cancelling the value under way") {
  Session s;
  REQUIRE(s.open(lesson("15-lost-update.toml")));
  // The first value simulated ahead waits under way until released: the change comes while it
  // is simulated on any machine (a fast one would otherwise have it done already).
  s.hold_first_speculated_value();
  s.speculate_neighbours(derive_runs_for_session, Speculation::kDefaultBudget, false);
  REQUIRE(s.speculation()->wait_until_held_for(std::chrono::minutes(1)));
  CHECK(s.speculation()->started() == 1);  // under way: begun, not done
  CHECK(s.speculation()->cancelled() == 0);
  CHECK(s.speculation()->kept() == 0);
  Knobs far;
  far.cores = 1;  // no neighbour of 4 cores
  s.set_knobs_in_background(far, derive_runs_for_session);
  s.speculation()->release_held();
  s.speculation()->wait_until_idle();  // paused: nothing wanted while the change is simulated
  CHECK(s.speculation()->started() == 1);  // none begun after it
  CHECK(s.speculation()->cancelled() == 1);
  CHECK(s.speculation()->cut_short() == 1);  // its simulation stopped at its first check, not run out
  CHECK(s.speculation()->kept() == 0);
  while (s.simulating()) finish_background(s);
  CHECK(s.scenario().machine.cores == 1);
  CHECK_FALSE(s.last_change_was_kept());
}

TEST_CASE("a switch interval or a core count simulated ahead keeps the runs shown it cannot change, and simulates the others") {
  Session s;
  REQUIRE(s.open(lesson("15-lost-update.toml")));
  s.speculate_neighbours(derive_runs_for_session, Speculation::kDefaultBudget, false);
  s.speculation()->wait_until_idle();
  const auto check_step = [&s](KnobStep step_of, std::size_t reused) {
    const auto step = step_knob(s.scenario(), s.knobs(), step_of);
    REQUIRE(step);
    s.set_knobs_in_background(*step, derive_runs_for_session);
    CHECK(s.poll(0));
    REQUIRE(s.last_change_was_kept());
    // Lesson 15's sequential and asyncio runs wait for no GIL, and run one thread each: copied,
    // not simulated, under another interval or core count.
    CHECK(s.last_reused_runs() == reused);
    const scenario::Scenario same = scenario::load_file(lesson("15-lost-update.toml"), step->overrides());
    CHECK(test::first_difference(s.runs(), model::simulate_all(same)) == "");
    const auto derived = std::any_cast<std::shared_ptr<DerivedRuns>>(s.take_derived());
    REQUIRE(derived != nullptr);
    CHECK(derived->to_carry.empty());  // indexed whole on the speculation's thread
    s.speculation()->wait_until_idle();
  };
  check_step({Knob::SwitchInterval, +1}, 2);
  check_step({Knob::Cores, +1}, 2);
  check_step({Knob::SwitchInterval, +1}, 2);
}

TEST_CASE("runs shown that a switch interval simulated ahead reads outlive their replacement until it is done") {
  Session s;
  REQUIRE(s.open(lesson("15-lost-update.toml")));
  for (int round = 0; round < 3; ++round) {
    // A step of the interval first: the same step again is the first value simulated ahead,
    // one that reads the runs shown.
    const auto step = step_knob(s.scenario(), s.knobs(), {Knob::SwitchInterval, +1});
    REQUIRE(step);
    s.set_knobs_in_background(*step, derive_runs_for_session);
    while (s.simulating()) finish_background(s);
    // It waits under way, before its work begins, until released: the runs shown are replaced
    // before it reads them, on any machine (a fast one would otherwise have it done already).
    s.hold_first_speculated_value();
    s.speculate_neighbours(derive_runs_for_session, Speculation::kDefaultBudget, false);
    const auto held = s.speculation()->wait_until_held_for(std::chrono::minutes(1));
    REQUIRE(held);
    const auto again = step_knob(s.scenario(), s.knobs(), {Knob::SwitchInterval, +1});
    REQUIRE(again);
    CHECK(held->knobs == *again);
    REQUIRE(held->reads);  // it reads the runs shown
    // The runs shown replaced, then it reads them (under valgrind's memcheck or the
    // sanitizers, a read of freed runs fails here): no longer wanted, it is cancelled, but
    // only after reading the runs shown it keeps (runs_to_keep, their copies).
    Knobs other = s.knobs();
    other.cores = 2 + round;
    REQUIRE(s.set_knobs(other));
    s.speculation()->release_held();
    s.speculation()->wait_until_idle();
    CHECK(s.speculation()->cancelled() == 1);
    trace::Trace measured = s.runs().front();
    measured.origin = trace::Origin::Measured;
    s.add_measured(std::move(measured));  // may move the runs shown in memory
    s.speculation()->wait_until_idle();
  }
  const auto step = step_knob(s.scenario(), s.knobs(), {Knob::SwitchInterval, +1});
  REQUIRE(step);
  s.set_knobs_in_background(*step, derive_runs_for_session);
  while (s.simulating()) finish_background(s);
  CHECK(s.last_reused_runs() == 2u);
  const scenario::Scenario same = scenario::load_file(lesson("15-lost-update.toml"), step->overrides());
  CHECK(test::first_difference(s.runs(), model::simulate_all(same)) == "");  // the measured run went with the change
}
