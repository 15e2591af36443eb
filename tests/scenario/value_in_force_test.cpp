// The value in force that a run's name states otherwise: the words the command line's and the
// viewer's run labels add ("pool of 4 (2 workers)"), from one source.
#include <doctest/doctest.h>

#include <string>

#include "sim/scenario/loader.hpp"
#include "sim/scenario/value_in_force.hpp"

using namespace gilsim;
using namespace gilsim::scenario;

namespace {

constexpr std::string_view kText = R"toml(title = "t"
[machine]
cores = 4
[[job]]
name = "crunch"
count = 4
steps = [ { cpu = "10ms" } ]
[[run]]
name = "sequential"
executor = "sequential"
[[run]]
name = "4 threads"
executor = "threads"
[[run]]
name = "pool of 4"
executor = "process_pool"
workers = 4
[[run]]
name = "Pool(4)"
executor = "process_pool"
[[run]]
name = "pool of 40"
executor = "thread_pool"
workers = 40
[[run]]
name = "Pool()"
executor = "process_pool"
[[run]]
name = "threads"
executor = "threads"
)toml";

Scenario loaded(std::string_view text, std::initializer_list<const char*> sets) {
  std::vector<Override> overrides;
  for (const char* s : sets) overrides.push_back(parse_override(s));
  return load_string(text, "t.toml", overrides);
}

Scenario with(std::initializer_list<const char*> sets) { return loaded(kText, sets); }

}  // namespace

TEST_CASE("a value a run's name states, changed, is said in force; otherwise nothing") {
  const Scenario written = with({});
  for (const Run& run : written.runs) CHECK(value_in_force(written, written, run).empty());

  const Scenario two = with({"workers=2"});
  CHECK(value_in_force(written, two, two.runs[0]).empty());  // "sequential" states none
  CHECK(value_in_force(written, two, two.runs[2]) == "now 2 workers");
  CHECK(value_in_force(written, two, two.runs[4]) == "now 2 workers");  // "pool of 40": 40 stated
  CHECK(value_in_force(written, two, two.runs[3]) == "now 2 workers");  // "Pool(4)": one a core, 4 as written
  const Scenario one = with({"workers=1"});
  CHECK(value_in_force(written, one, one.runs[2]) == "now 1 worker");
  const Scenario many = with({"workers=10000"});
  CHECK(value_in_force(written, many, many.runs[2]) == "now 10,000 workers");  // grouped, as every count printed

  // Pool() with no workers starts one a core: the cores knob moves the number its name states.
  const Scenario cores = with({"cores=2"});
  CHECK(value_in_force(written, cores, cores.runs[3]) == "now 2 workers");
  CHECK(value_in_force(written, cores, cores.runs[2]).empty());  // workers = 4 as written

  // A threads run named by its thread count, one thread a job.
  const Scenario eight = with({"jobs=8"});
  CHECK(value_in_force(written, eight, eight.runs[1]) == "now 8 threads");
  CHECK(value_in_force(written, eight, eight.runs[0]).empty());
  const Scenario single = with({"jobs=1"});
  CHECK(value_in_force(written, single, single.runs[1]) == "now 1 thread");

  // A pool whose name states no size says its size once it changes ("Pool()", "process pool").
  const Scenario three = with({"cores=3", "jobs=6"});
  CHECK(value_in_force(written, three, three.runs[5]) == "3 workers");
  CHECK(value_in_force(written, three, three.runs[6]).empty());  // its six threads are six rows: nothing to add

  // A run the file as written does not have (renamed by a --set) is named as it is.
  const Scenario renamed = with({"run.3.name=pool of 2", "run.3.workers=2"});
  CHECK(value_in_force(written, renamed, renamed.runs[2]).empty());
}

TEST_CASE("the GIL, the cores, the switch interval and the chunksize a run's name states are said in force too") {
  // Lesson 11's "new GIL, 2 cores" run with --set gil=old kept its name beside a heading that
  // said old GIL; with --set cores=1, "old GIL, 2 cores" ran on one core.
  constexpr std::string_view text = R"toml(title = "t"
[machine]
cores = 2
[[job]]
name = "crunch"
count = 2
steps = [ { cpu = "10ms" } ]
[[run]]
name = "new GIL, 2 cores"
executor = "threads"
[[run]]
name = "old GIL, 1 core"
executor = "threads"
gil = "old"
cores = 1
[[run]]
name = "switch 50 ms"
executor = "threads"
switch_interval = "50ms"
[[run]]
name = "chunksize 1"
executor = "process_pool"
chunksize = 1
[[run]]
name = "threads"
executor = "threads"
)toml";
  const auto with = [&](std::initializer_list<const char*> sets) { return loaded(text, sets); };
  const Scenario written = with({});
  for (const Run& run : written.runs) CHECK(value_in_force(written, written, run).empty());

  const Scenario old = with({"gil=old"});
  CHECK(value_in_force(written, old, old.runs[0]) == "now old GIL");
  CHECK(value_in_force(written, old, old.runs[1]).empty());  // sets its own GIL: unchanged
  CHECK(value_in_force(written, old, old.runs[4]).empty());  // "threads" states no GIL

  const Scenario none = with({"gil=none", "cores=4"});
  CHECK(value_in_force(written, none, none.runs[0]) == "now no GIL, 4 cores");

  const Scenario one = with({"run.old GIL, 1 core.cores=3", "run.old GIL, 1 core.gil=new"});
  CHECK(value_in_force(written, one, one.runs[1]) == "now new GIL, 3 cores");

  // Without a GIL no switch interval is in force (lesson 5's "switch 1 ms" with gil=none).
  const Scenario none_at_all = with({"gil=none"});
  CHECK(value_in_force(written, none_at_all, none_at_all.runs[2]) == "now no GIL");
  const Scenario twenty = with({"run.switch 50 ms.switch_interval=20ms"});
  CHECK(value_in_force(written, twenty, twenty.runs[2]) == "now 20.0 ms");
  CHECK(value_in_force(written, twenty, twenty.runs[0]).empty());

  const Scenario chunks = with({"run.chunksize 1.chunksize=10"});
  CHECK(value_in_force(written, chunks, chunks.runs[3]) == "now chunksize 10");
}

TEST_CASE("a bare 'GIL', Pool.map's default chunksize and a start method in a run's name are said in force") {
  // Lesson 12's "threads, GIL" with run.2.gil=none kept its name; lesson 10's "Pool.map
  // default" with a chunksize of 10, and "Pool.map, spawn" forked, too.
  constexpr std::string_view text = R"toml(title = "t"
[[job]]
name = "tiny"
count = 100
steps = [ { cpu = "1ms" } ]
[[run]]
name = "threads, GIL"
executor = "threads"
[[run]]
name = "threads, no GIL"
executor = "threads"
gil = "none"
[[run]]
name = "Pool.map default"
executor = "process_pool"
[[run]]
name = "Pool.map, spawn"
executor = "process_pool"
start_method = "spawn"
)toml";
  const auto with = [&](std::initializer_list<const char*> sets) { return loaded(text, sets); };
  const Scenario written = with({});
  const Scenario changed = with({"run.1.gil=none", "run.2.gil=new", "run.3.chunksize=10", "run.4.start_method=fork"});
  CHECK(value_in_force(written, changed, changed.runs[0]) == "now no GIL");
  CHECK(value_in_force(written, changed, changed.runs[1]) == "now new GIL");
  CHECK(value_in_force(written, changed, changed.runs[2]) == "now chunksize 10");
  CHECK(value_in_force(written, changed, changed.runs[3]) == "now fork");
  const Scenario old = with({"gil=old"});
  CHECK(value_in_force(written, old, old.runs[0]) == "now old GIL");
  CHECK(value_in_force(written, old, old.runs[1]).empty());  // sets its own: none
}
