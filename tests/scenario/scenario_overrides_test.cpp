// `--set key=value` overrides: dotted paths and shorthands, validated like the file, with
// errors that name the override.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "sim/scenario/loader.hpp"
#include "sim/scenario/override_reach.hpp"

using namespace gilsim;
using namespace gilsim::literals;
using namespace gilsim::scenario;

namespace {

constexpr std::string_view kText = R"(title = "t"
[[job]]
name = "download"
count = 4
steps = [ { io = "10ms" } ]
[[job]]
name = "parse"
steps = [ { cpu = "5ms" } ]
[[run]]
executor = "threads"
[[run]]
name = "pool"
executor = "thread_pool"
[[run]]
executor = "process_pool"
workers = 3
)";

Scenario with(std::vector<std::string> sets) {
  std::vector<Override> overrides;
  for (const auto& s : sets) overrides.push_back(parse_override(s));
  return load_string(kText, "s.toml", overrides);
}

std::string error_of(std::vector<std::string> sets) {
  try {
    with(std::move(sets));
  } catch (const ScenarioError& e) {
    return e.what();
  }
  return "no error";
}

}  // namespace

TEST_CASE("an override is split at its first '=' and trimmed") {
  const Override o = parse_override(" title = a = b ");
  CHECK(o.key == "title");
  CHECK(o.value == "a = b");
  CHECK_THROWS_WITH_AS(parse_override("cores"), "--set: 'cores' has no '='; expected key=value, such as cores=2", ScenarioError);
  CHECK_THROWS_WITH_AS(parse_override("=2"), "--set: '=2' has no key before '='; expected key=value, such as cores=2",
                       ScenarioError);
}

TEST_CASE("shorthands set the usual knobs") {
  const Scenario s = with({"cores=2", "switch_interval=1ms", "gil=old", "seed=9", "workers=6", "jobs=7"});
  CHECK(s.machine.cores == 2);
  CHECK(s.python.switch_interval == 1_ms);
  CHECK(s.python.gil == GilMode::Old);
  CHECK(s.seed == 9);
  CHECK(!s.runs[0].workers);  // threads: one thread per job, no pool
  CHECK(s.runs[1].workers == 6);
  CHECK(s.runs[2].workers == 6);
  CHECK(s.jobs[0].count == 7);
  CHECK(s.jobs[1].count == 7);
}

TEST_CASE("dotted paths reach any key; [[job]] and [[run]] by number from 1 or by name") {
  const Scenario s = with({"machine.quantum=10ms", "python.version=3.10", "costs.ipc_bandwidth=5e8", "job.1.count=2",
                           "job.parse.count=3", "run.pool.cores=1", "run.process_pool.start_method=spawn",
                           "run.1.name=many threads", "title=Another title", "note=\"quoted\""});
  CHECK(s.machine.quantum == 10_ms);
  CHECK(s.python.version == PythonVersion{3, 10, false});  // taken as written, not as the number 3.1
  CHECK(s.costs.ipc_bandwidth == 5e8);
  CHECK(s.jobs[0].count == 2);
  CHECK(s.jobs[1].count == 3);
  CHECK(s.runs[1].cores == 1);
  CHECK(s.runs[2].start_method == StartMethod::Spawn);
  CHECK(s.runs[0].name == "many threads");
  CHECK(s.title == "Another title");
  CHECK(s.note == "quoted");
}

TEST_CASE("a step is reached by its number inside a job's steps, and checked like the file") {
  const Scenario s = with({"job.download.steps.1.io=25ms", "job.parse.steps.1.cpu=2ms"});
  CHECK(s.jobs[0].steps[0].duration.a == 25_ms);
  CHECK(s.jobs[1].steps[0].duration.a == 2_ms);
  const Scenario nested = with({"job.parse.steps=[{ repeat = 2, steps = [{ io = \"1ms\" }] }]",
                                "job.parse.steps.1.steps.1.io=3ms"});
  REQUIRE(nested.jobs[1].steps.size() == 2);
  CHECK(nested.jobs[1].steps[1].duration.a == 3_ms);
}

TEST_CASE("a later override wins; the version's gil default applies after an override") {
  CHECK(with({"cores=2", "cores=3"}).machine.cores == 3);
  CHECK(with({"python.version=3.13t"}).python.gil == GilMode::None);
  CHECK(with({"python.version=2.7"}).python.gil == GilMode::Old);
}

TEST_CASE("TOML values work too: arrays of steps, inline tables") {
  const Scenario s = with({"job.parse.steps=[{ cpu = \"1ms\" }, { repeat = 2, steps = [{ io = \"1ms\" }] }]",
                           "machine={ cores = 16 }"});
  CHECK(s.jobs[1].steps.size() == 3);
  CHECK(s.machine.cores == 16);
}

TEST_CASE("an override is validated like the file, and its errors name it") {
  CHECK(error_of({"cores=300"}) == "--set cores=300: 'cores' is 300; expected an integer from 1 to 256");
  CHECK(error_of({"cores=two"}) == "--set cores=two: 'cores' is a string; expected an integer from 1 to 256");
  // What can only be TOML is read as TOML, not as text that is then "a string".
  CHECK(error_of({"job.1.steps=[{cpu=\"1ms\"}"}).starts_with(
      "--set job.1.steps=[{cpu=\"1ms\"}: the value is not a whole TOML array ("));
  CHECK(error_of({"job.1.steps=[{cpu=\"1ms\"}"}).ends_with("); expected one written whole, from '[' to its ']'"));
  CHECK(error_of({"title=caf\xe9"}) ==
        "--set title=...: the value holds bytes that are not UTF-8 (a terminal set to Latin-1?); expected UTF-8 "
        "text");
  CHECK(error_of({"seed=-9223372036854775809"}) ==
        "--set seed=-9223372036854775809: the value -9223372036854775809 is past the smallest integer TOML holds; "
        "expected at least -9223372036854775808");
  CHECK(error_of({"seed=18446744073709551615"}) ==
        "--set seed=18446744073709551615: the value 18446744073709551615 is past the largest integer TOML holds; "
        "expected at most 9223372036854775807");
  // A bare 0 is no time at all, not a unit away from one: "0ms" would be refused next.
  CHECK(error_of({"switch_interval=0"}) == "--set switch_interval=0: 'switch_interval' is '0', no time; expected at least 1us");
  CHECK(error_of({"switch_interval=5"}) ==
        "--set switch_interval=5: 'switch_interval': '5' has no unit; expected a duration such as \"5ms\" (units: ns, us, ms, s)");
  CHECK(error_of({"switch_interval=0.5us"}) == "--set switch_interval=0.5us: 'switch_interval' is 500ns; expected at least 1us");
  // Negative, with a unit or without: the least it takes, not "zero or more", refused next.
  CHECK(error_of({"switch_interval=-1"}) == "--set switch_interval=-1: 'switch_interval' is '-1', negative; expected at "
                                            "least 1us");
  CHECK(error_of({"switch_interval=-5ms"}) == "--set switch_interval=-5ms: 'switch_interval' is '-5ms', negative; "
                                              "expected at least 1us");
  CHECK(error_of({"gil=nne"}) == "--set gil=nne: unknown gil 'nne'; expected one of: new, old, none; did you mean 'none'?");
  CHECK(error_of({"machine.cors=2"}) == "--set machine.cors=2: unknown key 'cors' in [machine]; did you mean 'cores'?");
  CHECK(error_of({"machin.cores=2"}) ==
        "--set machin.cores=2: unknown key 'machin'; expected a shorthand (cores, switch_interval, gil, seed, workers, "
        "jobs) or a dotted path into the file, such as machine.cores; did you mean 'machine'?");
  CHECK(error_of({"core=2"}) ==
        "--set core=2: unknown key 'core'; expected a shorthand (cores, switch_interval, gil, seed, workers, jobs) or a "
        "dotted path into the file, such as machine.cores; did you mean 'cores'?");
  CHECK(error_of({"memory=2"}) ==
        "--set memory=2: unknown key 'memory'; expected a shorthand (cores, switch_interval, gil, seed, workers, jobs) "
        "or a dotted path into the file, such as machine.cores");
  CHECK(error_of({"cores.x=2"}) ==
        "--set cores.x=2: 'cores' is a shorthand and has no parts; expected cores=value, or a path such as machine.cores");
  CHECK(error_of({"run.threads.workers=2"}) ==
        "--set run.threads.workers=2: 'workers' does not apply to threads runs; expected it only on thread_pool, "
        "process_pool, process_pool_executor and asyncio runs");
  CHECK(error_of({"job.3.count=2"}) == "--set job.3.count=2: there is no job 3; expected a number from 1 to 2 (or a job name)");
  CHECK(error_of({"job.0.count=2"}) == "--set job.0.count=2: there is no job 0; expected a number from 1 to 2 (or a job name)");
  CHECK(error_of({"job.render.count=2"}) ==
        "--set job.render.count=2: no [[job]] is named 'render'; expected a name from the file or a number from 1 to 2");
  CHECK(error_of({"job.1=2"}) == "--set job.1=2: 'job.1' names a whole [[job]]; expected a key inside it, such as job.1.count");
  // A run has no count: the suggestion was run.1.count (fuzz16).
  CHECK(error_of({"run.1=2"}) == "--set run.1=2: 'run.1' names a whole [[run]]; expected a key inside it, such as run.1.cores");
  // A key of no [[job]] in particular: the suggestion was job.count.count.
  CHECK(error_of({"job.count=3"}) ==
        "--set job.count=3: 'job.count' names no [[job]]; expected a [[job]]'s number or name before the key, such as "
        "job.1.count");
  CHECK(error_of({"job.download=3"}) ==
        "--set job.download=3: 'job.download' names a whole [[job]]; expected a key inside it, such as job.download.count");
  // An element of a list of numbers: none is made up where the file has no list, and a list
  // of values is set whole (a table named core_speeds was made, then refused as "a table").
  CHECK(error_of({"machine.core_speeds.1=2"}) ==
        "--set machine.core_speeds.1=2: the file has no 'core_speeds' to take element 1 of; expected the whole list, "
        "such as machine.core_speeds=[...]");
  // Only a key that holds a list of numbers: a misspelt one gets the unknown key's suggestion.
  CHECK(error_of({"machine.core_speed.2=1"}) ==
        "--set machine.core_speed.2=1: unknown key 'core_speed' in [machine]; did you mean 'core_speeds'?");
  CHECK(error_of({"machine.core_speeds=[1.0, 0.5]", "machine.core_speeds.1=2"}) ==
        "--set machine.core_speeds.1=2: 'core_speeds' is a list of values, set as a whole; expected "
        "machine.core_speeds=[...]");
  // A count a --set gives that makes a job's name clash with another [[job]]'s: at the --set.
  CHECK(error_of({"job.parse.name=download 2"}) ==
        "--set job.parse.name=download 2: job name 'download 2' is taken: the [[job]] 'download' on line 2 names its 4 "
        "jobs 'download 1' to 'download 4'; expected a distinct name for each job");
  CHECK(error_of({"job.parse.name=download 5", "job.download.count=5"}) ==
        "--set job.download.count=5: job name 'download 5' is taken: the [[job]] 'download' on line 2 names its 5 "
        "jobs 'download 1' to 'download 5'; expected a distinct name for each job");
  // The other order: the single job, first in the file, named by the --set.
  CHECK(error_of({"job.1.count=1", "job.1.name=parse 1", "job.parse.count=2"}).starts_with("--set job.1.name=parse 1: "));
  // Parts under a key of one value: no table is made up for them.
  CHECK(error_of({"costs.increment.1=1ms"}) ==
        "--set costs.increment.1=1ms: 'increment' takes one value, not parts; expected costs.increment=VALUE");
  // A name a --set gives that the file's later [[run]] or [[job]] has too: the error points at
  // the --set, the change, not at the file's untouched line.
  CHECK(error_of({"run.pool.name=threads"}) ==
        "--set run.pool.name=threads: run name 'threads' is used twice (first on line 9); expected a distinct name for "
        "each [[run]]: add name = \"...\"");
  CHECK(error_of({"run.1.name=pool"}) ==
        "--set run.1.name=pool: run name 'pool' is used twice (also on line 11); expected a distinct name for each [[run]]");
  CHECK(error_of({"job.1.name=parse"}) ==
        "--set job.1.name=parse: job name 'parse' is used twice (also on line 6); expected a distinct name for each [[job]]");
  CHECK(error_of({"title.x=2"}) == "--set title.x=2: 'title' is a string, not a table; expected a key such as machine.cores or job.1.count");
  CHECK(error_of({"machine..cores=2"}) == "--set machine..cores=2: 'machine..cores' has an empty part; expected a dotted path such as machine.cores");
  CHECK(error_of({"job.1.steps.cpu=1ms"}) ==
        "--set job.1.steps.cpu=1ms: 'steps' is an array, set as a whole or by element number; expected "
        "job.1.steps=[...] or job.1.steps.1.key");
  CHECK(error_of({"job.1.steps.2.io=1ms"}) ==
        "--set job.1.steps.2.io=1ms: there is no step 2; expected a number from 1 to 1");
  // A key added to a step is checked like the step in the file, and a conflict it makes is
  // reported at the --set that added it.
  CHECK(error_of({"job.1.steps.1.cpu=1ms"}) ==
        "--set job.1.steps.1.cpu=1ms: a step has both 'cpu' and 'io'; expected one kind per step: write two steps");
  CHECK(error_of({"job.1.steps.1.repeat=3"}) ==
        "--set job.1.steps.1.repeat=3: a repeat step also has 'io'; expected only repeat and steps: put 'io' inside "
        "its steps");
  CHECK(error_of({"jobs=0"}) == "--set jobs=0: 'count' is 0; expected an integer from 1 to 100000");
  CHECK(error_of({"job.1.steps=[]"}) == "--set job.1.steps=[]: 'steps' is empty; expected a list of steps such as steps = [ { cpu = \"10ms\" } ]");
}

TEST_CASE("a value with a line break and a key of thousands of parts is text, never toml++'s to recurse on") {
  // `--set "note=1<newline>a.a.....a=1"` made toml++ parse the key 50,000 parts deep, and every
  // program overflowed its stack, as a file did.
  std::string deep = "a";
  for (int i = 0; i < 50'000; ++i) deep += ".a";
  CHECK(with({"note=1\n" + deep + "=1"}).note == "1\n" + deep + "=1");
  CHECK(with({"note=1\n[" + deep + "]"}).note == "1\n[" + deep + "]");
}

TEST_CASE("a shorthand with nothing to act on is an error, not a silent no-op") {
  constexpr std::string_view text = "title = \"t\"\n[[job]]\nname = \"w\"\nsteps = [ { cpu = \"1ms\" } ]\n[[run]]\nexecutor = \"threads\"\n";
  try {
    load_string(text, "s.toml", {parse_override("workers=4")});
    FAIL("expected a ScenarioError");
  } catch (const ScenarioError& e) {
    CHECK(std::string(e.what()) ==
          "--set workers=4: the scenario has no thread_pool, process_pool or process_pool_executor run; expected at least "
          "one to set workers on");
    CHECK(e.where().file == "--set workers=4");
    CHECK(e.where().line == 0);
  }
}

TEST_CASE("overrides apply to the built-in default scenario") {
  const Scenario s = load_default({parse_override("cores=1"), parse_override("workers=2")});
  CHECK(s.machine.cores == 1);
  CHECK(s.runs[3].workers == 2);
}

TEST_CASE("a file parsed once loads with each set of overrides as if it were read again") {
  const ParsedScenario parsed = ParsedScenario::from_text(kText, "s.toml");
  CHECK(parsed.source_name() == "s.toml");
  const Scenario two = parsed.load({parse_override("cores=2"), parse_override("job.download.count=7")});
  CHECK(two.machine.cores == 2);
  CHECK(two.jobs[0].count == 7);
  // The first load's overrides stay in its own copy: the next load starts from the file.
  const Scenario plain = parsed.load();
  CHECK(plain.machine.cores == load_string(kText, "s.toml").machine.cores);
  CHECK(plain.jobs[0].count == 4);
  CHECK(parsed.load({parse_override("workers=5")}).runs[2].workers == with({"workers=5"}).runs[2].workers);
  // Errors are load_string's, with the file and the override named.
  CHECK_THROWS_WITH_AS(parsed.load({parse_override("cores=0")}), doctest::Contains("--set cores=0: "), ScenarioError);
  CHECK_THROWS_WITH_AS(ParsedScenario::from_text("title = ", "bad.toml"), doctest::Contains("bad.toml:1:"),
                       ScenarioError);
  CHECK_THROWS_AS(ParsedScenario{}.load(), std::logic_error);
  // An error in the file's own values keeps its line and column, as load_string gives it.
  const std::string broken = "title = \"broken\"\n[machine]\ncores = \"many\"\n[[job]]\nname = \"j\"\n"
                             "steps = [ { cpu = \"1ms\" } ]\n[[run]]\nexecutor = \"threads\"\n";
  CHECK_THROWS_WITH_AS(ParsedScenario::from_text(broken, "broken.toml").load(),
                       doctest::Contains("broken.toml:3:9: 'cores' is a string"), ScenarioError);
}

TEST_CASE("core speeds: from a file or an override; cores past the list run at 1.0 (S7)") {
  CHECK(with({}).machine.core_speeds.empty());
  const Scenario s = with({"machine.core_speeds=[1.0, 0.62]"});
  REQUIRE(s.machine.core_speeds.size() == 2);
  CHECK(s.machine.speed_of(0) == 1.0);
  CHECK(s.machine.speed_of(1) == 0.62);
  CHECK(s.machine.speed_of(2) == 1.0);
  CHECK(with({}).machine.speed_of(0) == 1.0);
}

TEST_CASE("an override of a value runs may set their own names the runs that keep theirs") {
  // No run of kText sets its own: every override reaches every run.
  const Scenario plain = with({"switch_interval=1ms"});
  CHECK_FALSE(runs_an_override_misses(plain, parse_override("switch_interval=1ms")));
  CHECK_FALSE(runs_an_override_misses(plain, parse_override("workers=2")));
  // Two of three runs set their own switch interval, then all three.
  const Scenario some = with({"run.1.switch_interval=2ms", "run.pool.switch_interval=3ms"});
  CHECK(runs_an_override_misses(some, parse_override("python.switch_interval=1ms")) ==
        "--set python.switch_interval=1ms leaves 'threads' and 'pool' as they were: each sets its own "
        "switch_interval, which the file's run keeps.");
  const Scenario all = with({"run.1.cores=1", "run.2.cores=2", "run.3.cores=3"});
  CHECK(runs_an_override_misses(all, parse_override("cores=4")) ==
        "--set cores=4 changes no run: every run sets its own cores, which it keeps; set one run's with "
        "run.NAME.cores=VALUE.");
  const Scenario one = with({"run.3.gil=\"none\""});
  CHECK(runs_an_override_misses(one, parse_override("gil=old")) ==
        "--set gil=old leaves 'process_pool' as it was: it sets its own gil, which the file's run keeps.");
  CHECK_FALSE(runs_an_override_misses(all, parse_override("switch_interval=1ms")));
}

TEST_CASE("a switch interval set for every run names the runs whose GIL has none") {
  // Lesson 11 with --set switch_interval=1ms: its two old-GIL runs stayed at 1.073 s and
  // 896 ms, and nothing said the old GIL has no switch interval (O1).
  const Scenario old_gil = with({"run.1.gil=\"old\"", "run.pool.gil=\"old\""});
  CHECK(runs_an_override_misses(old_gil, parse_override("switch_interval=1ms")) ==
        "--set switch_interval=1ms leaves 'threads' and 'pool' as they were: the old GIL has no switch interval "
        "(it lets go every python.check_interval ticks, docs/model.md O1).");
  // Without a GIL there is nothing to switch; a run that sets its own is said apart.
  const Scenario mixed = with({"run.1.gil=\"none\"", "run.pool.switch_interval=2ms", "run.3.gil=\"old\""});
  CHECK(runs_an_override_misses(mixed, parse_override("switch_interval=1ms")) ==
        "--set switch_interval=1ms changes no run: 'pool' sets its own switch_interval, which it keeps; 'threads' "
        "runs without a GIL, which has no switch interval (F1); 'process_pool' has the old GIL, which has no "
        "switch interval (it lets go every python.check_interval ticks, docs/model.md O1).");
}
