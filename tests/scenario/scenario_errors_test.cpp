// Every kind of mistake in a scenario file gives one line: file:line:col, what is wrong,
// what was expected.
#include <doctest/doctest.h>

#include <string>

#include "error_of.hpp"
#include "sim/scenario/loader.hpp"

using namespace gilsim::scenario;
using gilsim::test::error_of;

namespace {


// A valid scenario's jobs and runs, for tests that break only the part before them.
const std::string kJobAndRun = R"(
[[job]]
name = "work"
steps = [ { cpu = "10ms" } ]
[[run]]
executor = "threads"
)";

// A whole valid scenario, for tests that add to it.
constexpr std::string_view kValid = "title = \"t\"\n[[job]]\nname = \"w\"\nsteps = [ { cpu = \"1ms\" } ]\n"
                                    "[[run]]\nexecutor = \"threads\"\n";

// Lines 1-3 of a scenario whose only job ends with `steps = ` on line 5 (column 9).
const std::string kHeadBeforeSteps = "title = \"t\"\n[[run]]\nexecutor = \"threads\"\n[[job]]\nname = \"work\"\n";

}  // namespace

TEST_CASE("the error carries its location apart from its message") {
  try {
    load_string("title = \"t\"\n[machine]\ncores = 0\n" + kJobAndRun, "s.toml");
    FAIL("expected a ScenarioError");
  } catch (const ScenarioError& e) {
    CHECK(e.where().file == "s.toml");
    CHECK(e.where().line == 3);
    CHECK(e.where().column == 9);
    CHECK(e.message() == "'cores' is 0; expected an integer from 1 to 256");
    CHECK(std::string(e.what()) == "s.toml:3:9: 'cores' is 0; expected an integer from 1 to 256");
  }
}

TEST_CASE("TOML syntax errors point at the offending character") {
  CHECK(error_of("title = \"t\" x\n") ==
        "s.toml:1:13: invalid TOML: Error while parsing key-value pair: expected a comment or whitespace, saw 'x'");
  CHECK(error_of("title = \"unclosed\n").rfind("s.toml:1:", 0) == 0);
}

TEST_CASE("a key or table set twice points at the second and names the line of the first") {
  CHECK(error_of("title = \"t\"\ntitle = \"u\"\n") ==
        "s.toml:2:1: duplicate key 'title'; expected each key once; 'title' is already set at line 1");
  // In a table: the first one below its header; a [[job]] of its own may have its own name.
  CHECK(error_of("title = \"t\"\n[machine]\ncores = 2\n  cores = 4\n" + kJobAndRun) ==
        "s.toml:4:3: duplicate key 'cores'; expected each key once; 'cores' is already set at line 3");
  CHECK(error_of(kHeadBeforeSteps + "name = \"again\"\nsteps = [ { cpu = \"1ms\" } ]\n") ==
        "s.toml:6:1: duplicate key 'name'; expected each key once; 'name' is already set at line 5");
  // In an inline table: the first one earlier on the same line.
  CHECK(error_of(kHeadBeforeSteps + "steps = [ { cpu = \"1ms\", cpu = \"2ms\" } ]\n") ==
        "s.toml:6:26: duplicate key 'cpu'; expected each key once; 'cpu' is already set at line 6");
  CHECK(error_of("title = \"t\"\n[machine]\ncores = 2\n\n[machine]\ncores = 3\n" + kJobAndRun) ==
        "s.toml:5:1: duplicate table [machine]; expected each table once; [machine] is already at line 2");
}

TEST_CASE("a [run] beside a [[run]] says two brackets are wanted, not that a key is set twice") {
  const std::string job = "title = \"t\"\n[[job]]\nname = \"w\"\nsteps = [ { cpu = \"1ms\" } ]\n";
  CHECK(error_of(job + "[[run]]\nexecutor = \"threads\"\n[run]\nexecutor = \"asyncio\"\n") ==
        "s.toml:7:1: [run] here and [[run]] at line 5 name the same table; expected [[run]], with two brackets, for "
        "each run");
  CHECK(error_of(job + "[job]\nname = \"x\"\n[[run]]\nexecutor = \"threads\"\n").rfind(
            "s.toml:5:1: [job] here and [[job]] at line 2 name the same table; expected [[job]]", 0) == 0);
  // A quoted name, which toml++ garbles ('"rurun"'), as it is written.
  CHECK(error_of(job + "[[run]]\nexecutor = \"threads\"\n[\"run\"]\nexecutor = \"asyncio\"\n") ==
        "s.toml:7:1: [run] here and [[run]] at line 5 name the same table; expected [[run]], with two brackets, for "
        "each run");
  CHECK(error_of("title = \"t\"\n\"title\" = \"u\"\n" + kJobAndRun).find("duplicate key 'title'; expected each key once") !=
        std::string::npos);
  // A table that is one of its kind is not asked for as a list.
  CHECK(error_of("title = \"t\"\n[machine]\ncores = 2\n[[machine]]\ncores = 3\n" + kJobAndRun) ==
        "s.toml:4:1: [[machine]] here and [machine] at line 2 name the same table; expected [machine], with one "
        "bracket, once");
}

TEST_CASE("a UTF-8 byte order mark at the start of a file is skipped, as an editor does") {
  const std::string bom = "\xEF\xBB\xBF";
  CHECK(error_of(bom + std::string(kValid)) == "no error");
  // Lines and columns are those the editor shows, without the mark.
  CHECK(error_of(bom + "title = \"t\" x\n").rfind("s.toml:1:13: ", 0) == 0);
  // Anywhere else it is a non-ASCII character as before.
  CHECK(error_of("title = \"t\"\n" + bom + "x = 1\n").rfind("s.toml:2:1: a non-ASCII character (bytes EF BB BF)", 0) == 0);
}

TEST_CASE("a string left open says so, not which control characters TOML prohibits") {
  CHECK(error_of("title = \"unclosed\n") ==
        "s.toml:1:18: invalid TOML: a string is not closed before the end of its line; expected a closing \" "
        "(a string of several lines is written between \"\"\" and \"\"\")");
  CHECK(error_of("title = 'unclosed\r\n").rfind(
            "s.toml:1:18: invalid TOML: a string is not closed before the end of its line; expected a closing '", 0) == 0);
  CHECK(error_of("title = \"t\"\nnote = \"\"\"never closed\n") ==
        "s.toml:2:24: invalid TOML: the file ends inside a string; expected the quotes that close it");
  // A control character inside a closed string is still TOML's own complaint.
  CHECK(error_of("title = \"a\x01b\"\n").rfind("s.toml:1:", 0) == 0);
  CHECK(error_of("title = \"a\x01b\"\n").find("not closed") == std::string::npos);
}

TEST_CASE("unknown keys are refused at every level, with the nearest key suggested") {
  CHECK(error_of("title = \"t\"\n[machine]\ncors = 2\n" + kJobAndRun) ==
        "s.toml:3:1: unknown key 'cors' in [machine]; did you mean 'cores'?");
  CHECK(error_of("titel = \"t\"\n" + kJobAndRun) == "s.toml:1:1: unknown key 'titel' at the top level; did you mean 'title'?");
  CHECK(error_of("title = \"t\"\n[pyhton]\n" + kJobAndRun) ==
        "s.toml:2:2: unknown key 'pyhton' at the top level; did you mean 'python'?");
  CHECK(error_of("title = \"t\"\n[python]\nswtich_interval = \"1ms\"\n" + kJobAndRun) ==
        "s.toml:3:1: unknown key 'swtich_interval' in [python]; did you mean 'switch_interval'?");
  CHECK(error_of("title = \"t\"\n[costs]\nipc_bandwith = 1e9\n" + kJobAndRun) ==
        "s.toml:3:1: unknown key 'ipc_bandwith' in [costs]; did you mean 'ipc_bandwidth'?");
  CHECK(error_of(kHeadBeforeSteps + "steps = [ { cpu = \"1ms\" } ]\ncuont = 2\n") ==
        "s.toml:7:1: unknown key 'cuont' in [[job]]; did you mean 'count'?");
  CHECK(error_of("title = \"t\"\n[[job]]\nname = \"w\"\nsteps = [ { cpu = \"1ms\" } ]\n[[run]]\nexecutor = \"threads\"\nwrokers = 2\n") ==
        "s.toml:7:1: unknown key 'wrokers' in [[run]]; did you mean 'workers'?");
  CHECK(error_of(kHeadBeforeSteps + "steps = [ { cpu = \"1ms\", wrok = \"io\" } ]\n") ==
        "s.toml:6:26: unknown key 'wrok' in a step; did you mean 'work'?");
  SUBCASE("with no near key, the accepted keys are listed") {
    CHECK(error_of("title = \"t\"\n[machine]\nmemory = 2\n" + kJobAndRun) ==
          "s.toml:3:1: unknown key 'memory' in [machine]; expected one of: cores, quantum, context_switch, core_speeds, placement");
  }
  SUBCASE("a key of another table says where it belongs") {
    CHECK(error_of("title = \"t\"\ncores = 2\n" + kJobAndRun) ==
          "s.toml:2:1: 'cores' does not belong at the top level; expected it in [machine] or [[run]]");
    CHECK(error_of("title = \"t\"\n[python]\nquantum = \"1ms\"\n" + kJobAndRun) ==
          "s.toml:3:1: 'quantum' does not belong in [python]; expected it in [machine]");
    CHECK(error_of(kHeadBeforeSteps + "steps = [ { cpu = \"1ms\" } ]\ncpu = \"1ms\"\n") ==
          "s.toml:7:1: 'cpu' does not belong in [[job]]; expected it in a step, inside steps = [ ... ]");
  }
  SUBCASE("a top-level key written under a table header is told to move up") {
    CHECK(error_of("title = \"t\"\n[machine]\ncores = 2\nseed = 4\n" + kJobAndRun) ==
          "s.toml:4:1: 'seed' does not belong in [machine]; it is a top-level key: write it above the first [table] "
          "header (in TOML every key after a header belongs to that table)");
    CHECK(error_of("title = \"t\"\n[costs]\nnote = \"n\"\n" + kJobAndRun).rfind(
              "s.toml:3:1: 'note' does not belong in [costs]; it is a top-level key", 0) == 0);
    CHECK(error_of("[machine]\ntitle = \"t\"\n" + kJobAndRun).rfind(
              "s.toml:2:1: 'title' does not belong in [machine]; it is a top-level key", 0) == 0);
  }
  SUBCASE("the first unknown key in the file is reported, not the first alphabetically") {
    CHECK(error_of("title = \"t\"\n[machine]\nzz = 1\naa = 2\n" + kJobAndRun).rfind("s.toml:3:1: unknown key 'zz'", 0) == 0);
  }
}

TEST_CASE("a value of the wrong type names what it is and what was expected") {
  CHECK(error_of("title = \"t\"\n[machine]\ncores = \"4\"\n" + kJobAndRun) ==
        "s.toml:3:9: 'cores' is a string; expected an integer from 1 to 256");
  CHECK(error_of("title = 3\n" + kJobAndRun) == "s.toml:1:9: 'title' is an integer; expected a string in quotes");
  CHECK(error_of("title = \"t\"\nmachine = 4\n" + kJobAndRun) ==
        "s.toml:2:11: 'machine' is an integer; expected a table, written [machine] on a line of its own");
  CHECK(error_of("title = \"t\"\n[python]\nversion = 3.10\n" + kJobAndRun) ==
        "s.toml:3:11: 'version' is a number; expected a string in quotes such as \"3.12\" (as a number, 3.10 would read as 3.1)");
  CHECK(error_of("title = \"t\"\n[job]\nname = \"w\"\n[[run]]\nexecutor = \"threads\"\n") ==
        "s.toml:2:1: 'job' is a table; expected tables, each written [[job]] on a line of its own");
  CHECK(error_of(kHeadBeforeSteps + "steps = \"cpu\"\n") ==
        "s.toml:6:9: 'steps' is a string; expected a list of steps such as steps = [ { cpu = \"10ms\" } ]");
  CHECK(error_of(kHeadBeforeSteps + "steps = [ \"cpu\" ]\n") ==
        "s.toml:6:11: a step is a string; expected a table such as { cpu = \"10ms\" }");
  CHECK(error_of("title = \"t\"\n[costs]\nipc_bandwidth = \"fast\"\n" + kJobAndRun) ==
        "s.toml:3:17: 'ipc_bandwidth' is a string; expected a number from 1 to 1e+15");
}

TEST_CASE("a duration without a unit says which units are accepted") {
  CHECK(error_of("title = \"t\"\n[machine]\nquantum = 5\n" + kJobAndRun) ==
        "s.toml:3:11: 'quantum' is the number 5 without a unit; expected a string such as \"5ms\" (units: ns, us, ms, s)");
  CHECK(error_of(kHeadBeforeSteps + "steps = [ { cpu = \"100\" } ]\n") ==
        "s.toml:6:19: 'cpu': '100' has no unit; expected a duration such as \"100ms\" (units: ns, us, ms, s)");
  CHECK(error_of(kHeadBeforeSteps + "steps = [ { io = \"2h\" } ]\n") ==
        "s.toml:6:18: 'io': unknown unit 'h' in '2h'; expected one of ns, us, ms, s");
}

TEST_CASE("durations that make no sense where they are used are refused") {
  CHECK(error_of("title = \"t\"\n[python]\nswitch_interval = \"0ms\"\n" + kJobAndRun) ==
        "s.toml:3:19: 'switch_interval' is 0ns; expected at least 1us");
  CHECK(error_of("title = \"t\"\n[machine]\nquantum = \"0s\"\n" + kJobAndRun) == "s.toml:3:11: 'quantum' is 0ns; expected at least 1ns");
  // A negative one says the least it takes, not "zero or more", which it refuses next.
  CHECK(error_of("title = \"t\"\n[python]\nswitch_interval = \"-1ms\"\n" + kJobAndRun) ==
        "s.toml:3:19: 'switch_interval' is '-1ms', negative; expected at least 1us");
  CHECK(error_of("title = \"t\"\n[machine]\nquantum = \"1ms..2ms\"\n" + kJobAndRun) ==
        "s.toml:3:11: 'quantum' is the random duration '1ms..2ms'; expected a fixed duration such as \"3ms\"");
  CHECK(error_of(kHeadBeforeSteps + "steps = [ { cpu = \"-1ms\" } ]\n") ==
        "s.toml:6:19: 'cpu': '-1ms' is negative; expected a duration of zero or more");
  CHECK(error_of(kHeadBeforeSteps + "steps = [ { cpu = \"0ms\" } ]\n") == "no error");
  // A switch that takes the whole slice left a thread sharing its core no time to run: the
  // run went round preemptions until the event limit (fuzz16).
  CHECK(error_of("title = \"t\"\n[machine]\ncontext_switch = \"5ms\"\n" + kJobAndRun) ==
        "s.toml:3:18: 'context_switch' is 5ms and 'quantum' 3ms; expected a context switch shorter than the time "
        "slice, which pays for it (docs/model.md S5)");
  CHECK(error_of("title = \"t\"\n[machine]\nquantum = \"3us\"\n" + kJobAndRun) ==
        "s.toml:3:11: 'context_switch' is 3us and 'quantum' 3us; expected a context switch shorter than the time "
        "slice, which pays for it (docs/model.md S5)");
  CHECK(error_of("title = \"t\"\n[machine]\nquantum = \"4us\"\n" + kJobAndRun) == "no error");
}

TEST_CASE("unknown enum values list the accepted ones and suggest the nearest") {
  const std::string head = "title = \"t\"\n[[job]]\nname = \"w\"\nsteps = [ { cpu = \"1ms\" } ]\n[[run]]\n";
  CHECK(error_of(head + "executor = \"thread-pool\"\n") ==
        "s.toml:6:12: unknown executor 'thread-pool'; expected one of: sequential, threads, thread_pool, asyncio, "
        "process_pool, processes, process_pool_executor; did you mean 'thread_pool'?");
  CHECK(error_of(head + "executor = \"multiprocessing\"\n") ==
        "s.toml:6:12: unknown executor 'multiprocessing'; expected one of: sequential, threads, thread_pool, asyncio, "
        "process_pool, processes, process_pool_executor");
  CHECK(error_of(head + "executor = \"process_pool\"\nstart_method = \"frok\"\n") ==
        "s.toml:7:16: unknown start_method 'frok'; expected one of: fork, spawn, forkserver; did you mean 'fork'?");
  CHECK(error_of("title = \"t\"\n[python]\ngil = \"GIL\"\n" + kJobAndRun) ==
        "s.toml:3:7: unknown gil 'GIL'; expected one of: new, old, none");
  CHECK(error_of("title = \"t\"\n[machine]\nplacement = \"per-cpu\"\n" + kJobAndRun) ==
        "s.toml:3:13: unknown placement 'per-cpu'; expected one of: shared, per_cpu; did you mean 'per_cpu'?");
  CHECK(error_of(kHeadBeforeSteps + "steps = [ { offload = \"1ms\", work = \"block\" } ]\n") ==
        "s.toml:6:37: unknown work 'block'; expected one of: cpu, native, io, sleep, disk");
}

TEST_CASE("missing required keys point at the table that lacks them") {
  CHECK(error_of(kJobAndRun) == "s.toml:1:1: 'title' is missing at the top level; expected a line such as title = \"Four downloads\"");
  CHECK(error_of("title = \"t\"\n[[run]]\nexecutor = \"threads\"\n") ==
        "s.toml:1:1: the scenario has no [[job]]; expected at least one [[job]] with a name and steps");
  CHECK(error_of("title = \"t\"\n[[job]]\nname = \"w\"\nsteps = [ { cpu = \"1ms\" } ]\n") ==
        "s.toml:1:1: the scenario has no [[run]]; expected at least one [[run]] naming an executor");
  CHECK(error_of("title = \"t\"\n[[run]]\nexecutor = \"threads\"\n[[job]]\nsteps = [ { cpu = \"1ms\" } ]\n") ==
        "s.toml:4:1: 'name' is missing in [[job]]; expected a name such as name = \"download\"");
  CHECK(error_of("title = \"t\"\n[[run]]\nexecutor = \"threads\"\n[[job]]\nname = \"w\"\n") ==
        "s.toml:4:1: 'steps' is missing in [[job]]; expected a list of steps such as steps = [ { cpu = \"10ms\" } ]");
  CHECK(error_of("title = \"t\"\n[[job]]\nname = \"w\"\nsteps = [ { cpu = \"1ms\" } ]\n[[run]]\nname = \"x\"\n") ==
        "s.toml:5:1: 'executor' is missing in [[run]]; expected executor = one of sequential, threads, thread_pool, "
        "asyncio, process_pool, processes, process_pool_executor");
  CHECK(error_of("title = \"\"\n" + kJobAndRun) == "s.toml:1:9: 'title' is empty; expected a short title for the scenario");
  // Spaces alone print as nothing: a report with a blank first line, a run with no name.
  CHECK(error_of("title = \"   \"\n" + kJobAndRun) ==
        "s.toml:1:9: 'title' is only spaces; expected a short title for the scenario");
  CHECK(error_of("title = \"t\"\n[[job]]\nname = \"w\"\nsteps = [ { cpu = \"1ms\" } ]\n[[run]]\nexecutor = \"threads\"\nname = \" \"\n") ==
        "s.toml:7:8: 'name' is only spaces; expected a name such as \"threads\"");
}

TEST_CASE("a title or a name is one line: a line break or a tab would break the tables and the lanes") {
  CHECK(error_of("title = \"two\\nlines\"\n" + kJobAndRun) ==
        "s.toml:1:9: 'title' holds a line break; expected a short title for the scenario on one line");
  CHECK(error_of("title = \"t\"\n[[job]]\nname = \"\"\"a\r\nb\"\"\"\nsteps = [ { cpu = \"1ms\" } ]\n[[run]]\nexecutor = \"threads\"\n") ==
        "s.toml:3:8: 'name' holds a line break; expected a name such as \"download\" on one line");
  CHECK(error_of("title = \"t\"\n[[job]]\nname = \"w\"\nsteps = [ { cpu = \"1ms\" } ]\n[[run]]\nexecutor = \"threads\"\nname = \"a\\tb\"\n") ==
        "s.toml:7:8: 'name' holds a tab; expected a name such as \"threads\" on one line");
  CHECK(error_of("title = \"t\"\n[[job]]\nname = \"w\"\nsteps = [ { cpu = \"1ms\" } ]\n[[run]]\nexecutor = \"threads\"\nname = \"\"\n") ==
        "s.toml:7:8: 'name' is empty; expected a name such as \"threads\"");
  // Unicode's line separator is a line break too; a control character is refused as one line's.
  CHECK(error_of("title = \"a\\u2028b\"\n" + kJobAndRun) ==
        "s.toml:1:9: 'title' holds a line break; expected a short title for the scenario on one line");
  CHECK(error_of("title = \"a\\u0085b\"\n" + kJobAndRun).starts_with(
      "s.toml:1:9: 'title' holds the control character U+0085"));
  CHECK(error_of("title = \"a\\u0085b\"\n" + kJobAndRun).ends_with(
      "expected a short title for the scenario: printable text on one line"));
}

TEST_CASE("a misspelt step kind's suggestion comes with the kinds of step") {
  CHECK(error_of(kHeadBeforeSteps + "steps = [ { cpuu = \"1ms\" } ]\n") ==
        "s.toml:6:13: unknown key 'cpuu' in a step; did you mean 'cpu'? (a step's kind is one of: cpu, native, io, "
        "disk, block, sleep, offload, acquire, release, increment)");
}

TEST_CASE("steps: one kind each, work only on offload, repeat needs steps") {
  CHECK(error_of(kHeadBeforeSteps + "steps = [ { cpu = \"1ms\", io = \"2ms\" } ]\n") ==
        "s.toml:6:31: a step has both 'cpu' and 'io'; expected one kind per step: write two steps");
  CHECK(error_of(kHeadBeforeSteps + "steps = [ {} ]\n") ==
        "s.toml:6:11: a step has no kind; expected one of cpu, native, io, disk, block, sleep, offload, acquire, "
        "release, increment (or repeat), such as { cpu = \"10ms\" }");
  CHECK(error_of(kHeadBeforeSteps + "steps = [ { cpu = \"1ms\", work = \"io\" } ]\n") ==
        "s.toml:6:33: 'work' belongs to an offload step, not a cpu step; expected { offload = \"50ms\", work = \"cpu\" }");
  CHECK(error_of(kHeadBeforeSteps + "steps = []\n") ==
        "s.toml:6:9: 'steps' is empty; expected a list of steps such as steps = [ { cpu = \"10ms\" } ]");
  CHECK(error_of(kHeadBeforeSteps + "steps = [ { repeat = 2 } ]\n") ==
        "s.toml:6:11: 'steps' is missing in a repeat step; expected a list of steps such as steps = [ { cpu = \"10ms\" } ]");
  CHECK(error_of(kHeadBeforeSteps + "steps = [ { repeat = 0, steps = [ { cpu = \"1ms\" } ] } ]\n") ==
        "s.toml:6:22: 'repeat' is 0; expected an integer from 1 to 1000000");
  CHECK(error_of(kHeadBeforeSteps + "steps = [ { repeat = 2, cpu = \"1ms\", steps = [ { io = \"1ms\" } ] } ]\n") ==
        "s.toml:6:31: a repeat step also has 'cpu'; expected only repeat and steps: put 'cpu' inside its steps");
  CHECK(error_of(kHeadBeforeSteps + "steps = [ { steps = [ { cpu = \"1ms\" } ] } ]\n") ==
        "s.toml:6:21: 'steps' inside a step needs a count; expected repeat = N next to it");
}

TEST_CASE("runs: keys that do not apply to the executor are refused") {
  const std::string head = "title = \"t\"\n[[job]]\nname = \"w\"\nsteps = [ { cpu = \"1ms\" } ]\n[[run]]\n";
  CHECK(error_of(head + "executor = \"sequential\"\nworkers = 2\n") ==
        "s.toml:7:11: 'workers' does not apply to sequential runs; expected it only on thread_pool, process_pool, "
        "process_pool_executor and asyncio runs");
  CHECK(error_of(head + "executor = \"threads\"\nworkers = 2\n").rfind("s.toml:7:11: 'workers' does not apply to threads runs", 0) == 0);
  CHECK(error_of(head + "executor = \"thread_pool\"\nchunksize = 2\n") ==
        "s.toml:7:13: 'chunksize' does not apply to thread_pool runs; expected it only on process_pool and "
        "process_pool_executor runs");
  CHECK(error_of(head + "executor = \"asyncio\"\nstart_method = \"spawn\"\n") ==
        "s.toml:7:16: 'start_method' does not apply to asyncio runs; expected it only on process_pool, "
        "process_pool_executor and processes runs");
  CHECK(error_of(head + "executor = \"thread_pool\"\nworkers = 3\n") == "no error");
  CHECK(error_of(head + "executor = \"asyncio\"\nworkers = 3\n") == "no error");
  CHECK(error_of(head + "executor = \"process_pool_executor\"\nworkers = 3\nchunksize = 2\nstart_method = \"spawn\"\n") ==
        "no error");
  CHECK(error_of(head + "executor = \"process_pool_executor\"\nmethod = \"imap\"\n") ==
        "s.toml:7:10: 'method' does not apply to process_pool_executor runs; expected it only on process_pool runs");
}

TEST_CASE("names of jobs and of runs are distinct") {
  CHECK(error_of("title = \"t\"\n[[run]]\nexecutor = \"threads\"\n[[job]]\nname = \"w\"\nsteps = [ { cpu = \"1ms\" } ]\n"
                 "[[job]]\nname = \"w\"\nsteps = [ { cpu = \"1ms\" } ]\n") ==
        "s.toml:8:8: job name 'w' is used twice (first on line 4); expected a distinct name for each [[job]]");
  CHECK(error_of("title = \"t\"\n[[job]]\nname = \"w\"\nsteps = [ { cpu = \"1ms\" } ]\n"
                 "[[run]]\nexecutor = \"threads\"\n[[run]]\nexecutor = \"threads\"\n") ==
        "s.toml:7:1: run name 'threads' is used twice (first on line 5); expected a distinct name for each [[run]]: "
        "add name = \"...\"");
}

TEST_CASE("one run at most is featured, with true or false") {
  const std::string head = "title = \"t\"\n[[job]]\nname = \"w\"\nsteps = [ { cpu = \"1ms\" } ]\n";
  CHECK(error_of(head + "[[run]]\nexecutor = \"threads\"\nfeatured = true\n[[run]]\nexecutor = \"sequential\"\n") ==
        "no error");
  CHECK(error_of(head + "[[run]]\nexecutor = \"threads\"\nfeatured = \"yes\"\n") ==
        "s.toml:7:12: 'featured' is a string; expected true or false, without quotes");
  CHECK(error_of(head + "[[run]]\nexecutor = \"threads\"\nfeatured = true\n[[run]]\nexecutor = \"sequential\"\n"
                        "featured = true\n") ==
        "s.toml:10:12: run 'sequential' is featured, and so is run 'threads' (line 5); expected at most one featured "
        "run, the one the viewer opens first");
  const Scenario s =
      load_string(head + "[[run]]\nexecutor = \"threads\"\n[[run]]\nexecutor = \"asyncio\"\nfeatured = true\n",
                            "s.toml");
  CHECK_FALSE(s.runs[0].featured);
  CHECK(s.runs[1].featured);
}

TEST_CASE("files that cannot be read are reported with their path") {
  try {
    load_file("/nonexistent/dir/x.toml");
    FAIL("expected a ScenarioError");
  } catch (const ScenarioError& e) {
    CHECK(std::string(e.what()) ==
          "/nonexistent/dir/x.toml: cannot open the file (No such file or directory); expected a readable scenario file");
  }
  CHECK_THROWS_AS(load_file(GILSIM_SOURCE_DIR), ScenarioError);
}

// The guard in front of toml++ 3.3: bytes above 0x7f are refused outside strings and
// comments (where toml++ reaches undefined behaviour on some), allowed inside them.
TEST_CASE("a non-ASCII byte where TOML expects whitespace is refused at its line and column") {
  // The two bytes C2 B5 alone made toml++ 3.3 reach TOML_UNREACHABLE.
  CHECK(error_of("\xc2\xb5") ==
        "s.toml:1:1: a non-ASCII character (bytes C2 B5) outside a string or a comment; expected ASCII there "
        "(write such text inside quotes)");
  CHECK(error_of("title = \"t\"\ncores = 4\xc2\xb5\n").rfind("s.toml:2:10: a non-ASCII character (bytes C2 B5)", 0) == 0);
  CHECK(error_of("x = \"\"\"a\"\"\"\"\xc2\xb5").rfind("s.toml:1:13: a non-ASCII", 0) == 0);
}

TEST_CASE("a key of thousands of dotted parts is refused at its line and column, before toml++ recurses on it") {
  // toml++ 3.3 caps nested arrays and inline tables, not dotted keys: a 100 KB file with
  // `a.a.....a = 1` 50,000 parts deep overflowed the stack (a crash in every program, and in
  // a viewer watching the file when it was saved).
  std::string deep = "a";
  for (int i = 0; i < 50'000; ++i) deep += ".a";
  const std::string expected =
      "s.toml:2:200: a key of more than 100 dotted parts; expected a key of a few parts, such as machine.cores";
  CHECK(error_of("title = \"t\"\n" + deep + " = 1\n") == expected);
  CHECK(error_of("title = \"t\"\n[" + deep + "]\n").rfind("s.toml:2:201: a key of more than 100 dotted parts", 0) == 0);
  // Dots in strings, comments and values, and in a key of a few parts, are no key's.
  CHECK(error_of("title = \"" + deep + "\" # " + deep + "\n" + std::string(kValid)).find("dotted parts") ==
        std::string::npos);
  CHECK(error_of(std::string("title = \"t\"\nx = [1.") + std::string(300, '1') + ", 1.5, 2.5]\n").find("dotted") ==
        std::string::npos);
}

TEST_CASE("non-ASCII text inside strings and comments is accepted") {
  const std::string text = "# a comment: 5 \xc2\xb5s\nnote = \"\xc2\xb5s \\\" \xc2\xb5\"\n" + std::string(kValid);
  CHECK(load_string(text, "s.toml").note == "\xc2\xb5s \" \xc2\xb5");
  CHECK(load_string("note = '''\n\xc2\xb5 ''' \n" + std::string(kValid), "s.toml").note == "\xc2\xb5 ");
  CHECK(load_string("note = \"\"\"\n\xc2\xb5\\\"\"\"\"\"\"\n" + std::string(kValid), "s.toml").note == "\xc2\xb5\"\"\"");
}

TEST_CASE("a --set value with non-ASCII text is a string, never parsed as TOML") {
  CHECK(load_string(kValid, "s.toml", {{"title", "Caf\xc3\xa9"}}).title == "Caf\xc3\xa9");
  CHECK(load_string(kValid, "s.toml", {{"title", "1\xc2\xb5"}}).title == "1\xc2\xb5");
}

TEST_CASE("a value nested in a --set table is read as strictly as in the file") {
  CHECK(load_string(kValid, "s.toml", {{"machine", "{ cores = 2, quantum = \"5ms\" }"}}).machine.quantum ==
        gilsim::Time{5'000'000});
  try {
    load_string(kValid, "s.toml", {{"machine", "{ cores = 2, quantum = 5 }"}});
    FAIL("expected a ScenarioError");
  } catch (const ScenarioError& e) {
    CHECK(std::string(e.what()) ==
          "--set machine={ cores = 2, quantum = 5 }: 'quantum' is the number 5 without a unit; expected a string "
          "such as \"5ms\" (units: ns, us, ms, s)");
  }
}

TEST_CASE("error messages show control characters as escapes") {
  CHECK(printable("a\nb\t\x1b[31m\x7f") == "a\\nb\\t\\x1b[31m\\x7f");
  // A key a million characters long is not echoed whole: the head, the count, the tail.
  const std::string huge = error_of(std::string(kValid) + std::string(1'000'000, 'k') + " = 1\n");
  CHECK(huge.size() < 1200);
  CHECK(huge.find("characters left out") != std::string::npos);
  CHECK(huge.starts_with("s.toml:7:1: unknown key 'kkk"));
  // A control character in a string is refused before any message would echo it.
  const std::string refused = error_of(std::string(kValid) + "[[run]]\nexecutor = \"x\\u001b\"\n");
  CHECK(refused.find("holds the control character U+001B") != std::string::npos);
  CHECK(refused.find('\x1b') == std::string::npos);
}

TEST_CASE("core speeds are numbers from 0.01 to 100, at most 64 of them (S7)") {
  CHECK(error_of("title = \"t\"\n[machine]\ncore_speeds = 1.0\n" + kJobAndRun) ==
        "s.toml:3:15: 'core_speeds' is a decimal number; expected an array of relative speeds such as [1.0, 0.8]");
  CHECK(error_of("title = \"t\"\n[machine]\ncore_speeds = [1.0, \"fast\"]\n" + kJobAndRun) ==
        "s.toml:3:21: 'core_speeds' is a string; expected a number from 0.01 to 100");
  CHECK(error_of("title = \"t\"\n[machine]\ncore_speeds = [1.0, 0]\n" + kJobAndRun) ==
        "s.toml:3:21: 'core_speeds' is 0; expected a number from 0.01 to 100");
  std::string many = "title = \"t\"\n[machine]\ncore_speeds = [1";
  for (int i = 0; i < 64; ++i) many += ", 1";
  CHECK(error_of(many + "]\n" + kJobAndRun) ==
        "s.toml:3:15: 'core_speeds' has 65 speeds; expected at most 64, one per core from core 0");
}

TEST_CASE("a control character in a string is refused where it stands; line breaks and tabs pass") {
  // "\u0000" in a note went on into the Python program gilsim writes, which CPython refuses.
  CHECK(error_of("title = \"t\"\nnote = \"a \\u0000 b\"\n" + kJobAndRun) ==
        "s.toml:2:8: 'note' holds the control character U+0000; expected printable text, line breaks and tabs");
  CHECK(error_of("title = \"t\\u001b[31m\"\n" + kJobAndRun) ==
        "s.toml:1:9: 'title' holds the control character U+001B; expected a short title for the scenario: printable text on one line");
  CHECK(error_of("title = \"t\"\nnote = \"\"\"\nline\n\tindented\n\"\"\"\n" + kJobAndRun) == "no error");
  // In a string of several lines, the line of the string it is on; a C1 control and a
  // bidirectional override ("Trojan source") too.
  CHECK(error_of("title = \"t\"\nnote = \"\"\"\none\ntwo \\u0007\n\"\"\"\n" + kJobAndRun) ==
        "s.toml:2:8: 'note' holds the control character U+0007, on its line 2; expected printable text, line breaks "
        "and tabs");
  CHECK(error_of("title = \"t\\u0085\"\n" + kJobAndRun).find("the control character U+0085") != std::string::npos);
  CHECK(error_of("title = \"a \\u202e b\"\n" + kJobAndRun) ==
        "s.toml:1:9: 'title' holds the bidirectional control U+202E; expected a short title for the scenario: printable text on one line");
  CHECK(error_of("title = \"caf\u00e9 \u2192 na\u00efve\"\n" + kJobAndRun) == "no error");
}

TEST_CASE("bytes that are not UTF-8 in a string are named as such, with what was expected") {
  CHECK(error_of("title = \"a\xff b\"\n" + kJobAndRun) ==
        "s.toml:1:10: invalid TOML: bytes that are not UTF-8 (a file saved as Latin-1 or Windows-1252?); expected "
        "UTF-8 text");
}
