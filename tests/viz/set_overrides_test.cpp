// `gilviz FILE --set KEY=VALUE`: gilsim's overrides and gilsim's errors, the file's values
// from the start with the knobs moving from them, and said beside the scenario's title.
#include <doctest/doctest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "sim/scenario/loader.hpp"
#include "viz/knobs.hpp"
#include "viz/session.hpp"

using namespace gilsim;
using namespace gilsim::viz;

namespace {
const std::filesystem::path kLesson = std::filesystem::path(GILSIM_SOURCE_DIR) / "scenarios/07-convoy.toml";
const std::filesystem::path kOther = std::filesystem::path(GILSIM_SOURCE_DIR) / "scenarios/01-cpu-bound.toml";
}  // namespace

TEST_CASE("a bad --set is refused with the message gilsim gives, the good ones are parsed") {
  std::vector<scenario::Override> parsed;
  CHECK_FALSE(check_set(kLesson, {"python.switch_interval=1ms", "cores=2"}, parsed));
  REQUIRE(parsed.size() == 2);
  CHECK(parsed[0].key == "python.switch_interval");
  CHECK(parsed[1].value == "2");
  CHECK_FALSE(check_set({}, {"cores=3"}, parsed));  // the default scenario
  // What gilsim run prints for each (its ScenarioError's what()), from the same loader.
  const auto gilsim_says = [](const std::string& text) {
    try {
      (void)scenario::load_file(kLesson, {scenario::parse_override(text)});
    } catch (const scenario::ScenarioError& e) {
      return std::string(e.what());
    }
    return std::string();
  };
  for (const char* bad : {"cores=0", "corez=2", "cores", "switch_interval=abc"}) {
    INFO(bad);
    const auto said = check_set(kLesson, {"cores=2", bad}, parsed);
    REQUIRE(said);
    CHECK(*said == gilsim_says(bad));
    CHECK(said->rfind("--set", 0) == 0);  // "--set corez=2: unknown key 'corez'; ..."
  }
  CHECK(*check_set(kLesson, {"corez=2"}, parsed) ==
        "--set corez=2: unknown key 'corez'; expected a shorthand (cores, switch_interval, gil, seed, workers, jobs) or "
        "a dotted path into the file, such as machine.cores; did you mean 'cores'?");
}

TEST_CASE("--set gives the scenario's values from the start; the knobs move from them and come back to them") {
  Session session;
  session.set_base(kLesson, {scenario::parse_override("switch_interval=1ms")});
  REQUIRE(session.open(kLesson));
  CHECK(session.scenario().python.switch_interval == Time{1'000'000});
  CHECK_FALSE(session.knobs().any());  // no knob moved yet
  CHECK(set_said(session.knobs()) == " (switch_interval=1ms set)");
  Knobs cores = session.knobs();
  cores.cores = 1;
  REQUIRE(session.set_knobs(cores));
  CHECK(session.scenario().machine.cores == 1);
  CHECK(session.scenario().python.switch_interval == Time{1'000'000});  // still as set
  Knobs interval = session.knobs();
  interval.switch_interval = Time{2'000'000};  // a knob overrides the --set value
  REQUIRE(session.set_knobs(interval));
  CHECK(session.scenario().python.switch_interval == Time{2'000'000});
  // Another scenario opened from the panel is as its file says; the first again, as set.
  REQUIRE(session.open(kOther));
  CHECK(session.knobs().base.empty());
  CHECK(set_said(session.knobs()).empty());
  REQUIRE(session.open(kLesson));
  CHECK(session.scenario().python.switch_interval == Time{1'000'000});
}

TEST_CASE("what the title bars say of a scenario changed with --set") {
  CHECK(set_note({}).empty());
  CHECK(set_note({scenario::parse_override("cores=2"), scenario::parse_override("switch_interval=1ms")}) ==
        "cores=2, switch_interval=1ms set");
}

TEST_CASE("a --set that changes no run says so beside the title and in the panel, in the command line's words") {
  // Lesson 5's runs each set their own switch interval: `gilviz 05 --set switch_interval=2ms`
  // said "(switch_interval=2ms set)" and nowhere that no run changed.
  const std::filesystem::path lesson5 = std::filesystem::path(GILSIM_SOURCE_DIR) / "scenarios/05-responsive-gui.toml";
  Session session;
  session.set_base(lesson5, {scenario::parse_override("switch_interval=2ms")});
  REQUIRE(session.open(lesson5));
  CHECK(set_said(session.knobs(), session.scenario()) == " (switch_interval=2ms set: it changes no run, each sets its own)");
  const std::vector<std::string> missed = set_misses(session.scenario(), session.knobs());
  REQUIRE(missed.size() == 1);
  CHECK(missed[0] ==
        "--set switch_interval=2ms changes no run: every run sets its own switch_interval, which it keeps; set one "
        "run's with run.NAME.switch_interval=VALUE.");
  // The runs are the file's: the note still holds, and the panel does not say otherwise.
  CHECK(note_written_for_file(session.scenario(), session.knobs()).empty());
  // One that changes the runs reads as before.
  Session cores;
  cores.set_base(lesson5, {scenario::parse_override("cores=1")});
  REQUIRE(cores.open(lesson5));
  CHECK(set_said(cores.knobs(), cores.scenario()) == " (cores=1 set)");
  CHECK(set_misses(cores.scenario(), cores.knobs()).empty());
}

TEST_CASE("the note is said to be written for the file where a --set or a knob changed the runs") {
  // `gilviz 07 --set cores=1`: the note says "with two cores"; the command line adds "the note
  // below was written for the file as it is", and the viewer says it above the note too.
  Session session;
  session.set_base(kLesson, {scenario::parse_override("cores=1")});
  REQUIRE(session.open(kLesson));
  CHECK(note_written_for_file(session.scenario(), session.knobs()) == "the note below was written for the file as it is");
  Session plain;
  REQUIRE(plain.open(kLesson));
  CHECK(note_written_for_file(plain.scenario(), plain.knobs()).empty());
  Knobs moved = plain.knobs();
  moved.cores = 1;  // a knob moved in the panel
  REQUIRE(plain.set_knobs(moved));
  CHECK(note_written_for_file(plain.scenario(), plain.knobs()) == "the note below was written for the file as it is");
}
