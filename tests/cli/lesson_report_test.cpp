// What `gilsim run` prints for bundled lessons, read as a class reads it: what the table's
// figures measure, what a --set changed, and rows named as the viewer names them.
#include <algorithm>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <vector>

#include <doctest/doctest.h>
#include <fmt/format.h>

#include "sim/cli/run_command.hpp"
#include "sim/scenario/loader.hpp"

using namespace gilsim;

namespace {

/// `gilsim run scenarios/FILE` with `overrides`, at `width` columns.
std::string report_of(const std::string& file, std::vector<std::string> overrides = {}, bool timelines = true,
                      int width = 100) {
  cli::RunOptions options;
  options.files = {std::string(GILSIM_SOURCE_DIR) + "/scenarios/" + file};
  options.overrides = std::move(overrides);
  options.timelines = timelines;
  options.width = width;
  std::ostringstream out;
  REQUIRE(cli::run_scenarios(options, out) == 0);
  return out.str();
}

bool has(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

}  // namespace

TEST_CASE("under the table, once: what the speedup divides and what GIL wait adds up") {
  // Lesson 1's threads wait 2.893 s in a 1.013 s run: every thread's waiting, added up.
  const std::string report = report_of("01-cpu-bound.toml", {}, false, 200);
  const std::string key =
      "speedup: against 'sequential', the first run; GIL wait: all threads' waits added up, so it can be longer "
      "than the run.\n";
  CHECK(has(report, "4 threads     threads        1.013 s    0.99x"));
  CHECK(has(report, "  2.893 s  "));
  CHECK(has(report, "\n" + key));
  CHECK(report.find(key) == report.rfind(key));
  // Lesson 3's thread pool is 0.0018x of asyncio, its first run.
  CHECK(has(report_of("03-ten-thousand-connections.toml", {}, false, 200), "speedup: against 'asyncio', the first run"));
}

TEST_CASE("a --set is said under the file's line, and the note is the file's") {
  const std::string report = report_of("01-cpu-bound.toml", {"cores=2"}, false);
  CHECK(has(report, "01-cpu-bound.toml, 4 jobs, seed 1)\n(with --set cores=2; the note below was written for the file "
                    "as it is)\n\nFour jobs"));
  CHECK_FALSE(has(report_of("01-cpu-bound.toml", {}, false), "(with --set"));
  // Quoted as a shell takes it back.
  CHECK(has(report_of("04-blocking-coroutine.toml", {"job.handler.steps=[{ io = \"20ms\" }, { io = \"300ms\" }]"}, false,
                      200),
            "(with --set 'job.handler.steps=[{ io = \"20ms\" }, { io = \"300ms\" }]'; the note below"));
}

TEST_CASE("a --set that takes the GIL away says what Python pays for it, the sequential run too") {
  // Lesson 1 with gil=none: its sequential run took 1.080 s where the file's takes 1.000 s,
  // and nothing said why.
  const std::string report = report_of("01-cpu-bound.toml", {"gil=none"}, false, 200);
  CHECK(has(report, "(with --set gil=none; the note below was written for the file as it is)\n(without the GIL, "
                    "Python code costs 8% more, in every run, the sequential one too: the free-threaded build's own "
                    "cost, python.free_threading_overhead, docs/model.md F2)\n"));
  CHECK(has(report, "sequential    sequential, no GIL     1.080 s"));
  CHECK_FALSE(has(report_of("01-cpu-bound.toml", {"cores=2"}, false, 200), "free_threading_overhead"));
  CHECK_FALSE(has(report_of("01-cpu-bound.toml", {"gil=none", "python.free_threading_overhead=0"}, false, 200),
                  "free_threading_overhead, docs"));
  // One run's GIL taken: that run named, the others' times as the file's.
  CHECK(has(report_of("01-cpu-bound.toml", {"run.4 threads.gil=none"}, false, 200),
            "(without the GIL, Python code costs 8% more in '4 threads': the free-threaded"));
  // Runs that keep their own GIL are not said to pay it: lesson 12's gil=none changes no run.
  CHECK_FALSE(has(report_of("12-free-threaded.toml", {"gil=none"}, false, 200), "without the GIL, Python code costs"));
  // However the value is written.
  CHECK(has(report_of("01-cpu-bound.toml", {"gil='none'"}, false, 200), "in every run, the sequential one too"));
}

TEST_CASE("a --set that gives the GIL back says the run is the default build's, at its pace") {
  // Lesson 12's note says 3.13t with PYTHON_GIL=1 keeps its slower pace; --set gil=new ran its
  // no-GIL runs at the default build's 1.000 s, and nothing said the model has no 3.13t with a GIL.
  const std::string report = report_of("12-free-threaded.toml", {"gil=new"}, false, 200);
  CHECK(has(report, "(with --set gil=new; the note below was written for the file as it is)\n(with the GIL, "
                    "'sequential, no GIL' and 'threads, no GIL' run as the default build does, without the "
                    "free-threaded build's 40% (python.free_threading_overhead): the model has no 3.13t with its "
                    "GIL\nback, which keeps that slower pace, docs/model.md F2)\n"));
  CHECK(has(report, "sequential, no GIL (now new GIL)"));
  // Runs that had a GIL in the file say nothing; nor does a build without the overhead.
  CHECK_FALSE(has(report_of("01-cpu-bound.toml", {"gil=old"}, false, 200), "as the default build does"));
  CHECK_FALSE(has(report_of("12-free-threaded.toml", {"gil=new", "python.free_threading_overhead=0"}, false, 200),
                  "as the default build does"));
  // The default build asked for: what it was asked, nothing to say.
  CHECK_FALSE(has(report_of("12-free-threaded.toml", {"python.version=3.13"}, false, 200), "as the default build does"));
  // A GIL taken from one run and given to another: both said.
  const std::string both = report_of("12-free-threaded.toml", {"run.1.gil=none", "run.3.gil=new"}, false, 200);
  CHECK(has(both, "(without the GIL, Python code costs 40% more in 'sequential, GIL': "));
  CHECK(has(both, "(with the GIL, 'sequential, no GIL' runs as the default build does, "));
  // Every run given it.
  CHECK(has(report_of("12-free-threaded.toml", {"gil=new", "run.1.gil=none", "run.2.gil=none"}, false, 200),
            "'sequential, no GIL' and 'threads, no GIL' run as the default build does"));
}

TEST_CASE("a --set that no run follows is said at the top, where the --set is named, not after the table") {
  // Lessons 5 and 8 give every run its own switch interval: the table is the file's.
  const std::string report = report_of("05-responsive-gui.toml", {"switch_interval=2ms"}, false);
  CHECK(has(report, "05-responsive-gui.toml, 2 jobs, seed 1)\n--set switch_interval=2ms changes no run: every run sets its "
                    "own switch_interval, which it keeps;"));
  CHECK(has(report, "run.NAME.switch_interval=VALUE.\nEvery run below is the file's, unchanged.\n\nA UI thread"));
  CHECK(report.find("changes no run") == report.rfind("changes no run"));
  CHECK_FALSE(has(report, "(with --set"));
  // Beside one that does change the runs: that one alone is "with".
  const std::string both = report_of("08-switch-interval.toml", {"switch_interval=2ms", "cores=2"}, false, 200);
  CHECK(has(both, "seed 1)\n(with --set cores=2; the note below was written for the file as it is)\n--set "
                  "switch_interval=2ms changes no run"));
  CHECK_FALSE(has(both, "Every run below is the file's"));
}

TEST_CASE("a lane that ran one job is named with it, as the viewer names it; long names whole") {
  const std::string heartbeat = report_of("04-blocking-coroutine.toml");
  CHECK(has(heartbeat, "\ntask 1 heartbeat |"));
  CHECK(has(heartbeat, "\nT1 heartbeat |"));
  CHECK(has(heartbeat, "\ntask 2 handler 1 |"));
  // Lesson 10's spawned pool: the resource tracker's GIL row, whole.
  CHECK(has(report_of("10-pool-overhead.toml"), "\nGIL (resource tracker) |"));
}

TEST_CASE("lesson 3's thread pool reads in whole seconds: makespan and axis") {
  const std::string report = report_of("03-ten-thousand-connections.toml", {}, true, 100);
  CHECK(has(report, "thread_pool (thread_pool, 4 cores, finished at 1,250 s)"));
  CHECK(has(report, "  200 s  "));
  CHECK_FALSE(has(report, "200.000 s"));
}

TEST_CASE("lesson 13's note gives the free-threading cost its no-GIL run pays, and lesson 12's beside it") {
  const std::string dir = std::string(GILSIM_SOURCE_DIR) + "/scenarios/";
  const scenario::Scenario to_thread = scenario::load_file(dir + "13-to-thread.toml", {});
  const scenario::Scenario free_threaded = scenario::load_file(dir + "12-free-threaded.toml", {});
  const auto percent = [](double overhead) { return fmt::format("{:.0f}%", overhead * 100); };
  CHECK(percent(to_thread.python.free_threading_overhead) == "8%");
  CHECK(has(to_thread.note, fmt::format("runs {} slower there", percent(to_thread.python.free_threading_overhead))));
  CHECK(has(to_thread.note,
            fmt::format("lesson 12's 3.13t costs ~{}", percent(free_threaded.python.free_threading_overhead))));
  CHECK(has(free_threaded.note, fmt::format("~{} on pyperformance", percent(free_threaded.python.free_threading_overhead))));
}

TEST_CASE("lesson 5's UI row shows its lateness at every interval, about a '.' for each column of waits") {
  // The UI waits ~1 ms, ~5 ms and ~20 ms for the GIL after each 16 ms sleep: sleep wins
  // every column at 1 ms and 5 ms, and the row read all 'z' (docs/cli.md states these counts).
  const std::string report = report_of("05-responsive-gui.toml", {}, true, 100);
  std::vector<long> dots;
  for (std::size_t at = report.find("\nT1 ui "); at != std::string::npos; at = report.find("\nT1 ui ", at + 1)) {
    const std::size_t end = report.find('\n', at + 1);
    const std::string row = report.substr(at, end - at);
    dots.push_back(std::count(row.begin(), row.end(), '.'));
  }
  CHECK(dots == std::vector<long>{3, 10, 21});  // its waits fill 3.06, 10.3 and 21.1 columns
  // Its frames, 1 ms each, show too: each '#' about a column of them.
  CHECK(has(report, "(runs and waits for the GIL shorter than a column add up along the row: each # or . among sleep or\n"
                    "I/O stands for about one column of them)\n"));
}

TEST_CASE("lesson 15 puts the locked threads' slowness on the 0.1 ms interval, with the default interval's figure") {
  // "The lock costs time too: threads take 3.234 s against 17.5 ms sequential" read as "a lock
  // makes threads 180 times slower"; at the default 5 ms the same threads take the loop's time.
  const std::string fast = report_of("15-lost-update.toml", {"note=-"}, false, 200);
  const std::string usual = report_of("15-lost-update.toml", {"switch_interval=5ms", "note=-"}, false, 200);
  CHECK(has(fast, "\nthreads     threads      3.234 s  0.0054x"));
  REQUIRE(has(usual, "\nthreads     threads      18.1 ms    0.97x"));
  CHECK(has(usual, "\nsequential  sequential   17.5 ms"));
  const std::string dir = std::string(GILSIM_SOURCE_DIR) + "/scenarios/";
  std::string note;  // the note's words, one space apart
  std::istringstream words(scenario::load_file(dir + "15-lost-update.toml", {}).note);
  for (std::string word; words >> word;) note += (note.empty() ? "" : " ") + word;
  CHECK(has(note, "at the default interval no convoy starts: try --set switch_interval=5ms (the default) and threads "
                  "take 18.1 ms, 0.97x"));
  CHECK(has(note, "The lesson shortens the interval so that a short run shows the race"));
  std::ifstream file(std::string(GILSIM_SOURCE_DIR) + "/docs/lessons.md");
  std::string doc{std::istreambuf_iterator<char>(file), std::istreambuf_iterator<char>()};
  std::replace(doc.begin(), doc.end(), '\n', ' ');
  CHECK(has(doc, "`gilsim run scenarios/15-lost-update.toml --no-timeline --set switch_interval=5ms`"));
  CHECK(has(doc, "at the default switch interval the threads take 18.1 ms, 0.97x, against 17.5 ms sequential"));
  CHECK(has(doc, "It takes a contended lock: at the default 5 ms the threads take about the sequential time"));
}

TEST_CASE("the 2-core prediction that docs/model.md L8 and docs/fidelity.md set beside CPython's lesson 15 run") {
  const std::string two = report_of("15-lost-update.toml", {"cores=2", "note=-"}, false, 200);
  REQUIRE(has(two, "\nthreads     threads      1.158 s"));
  CHECK(has(two, "    26,351 "));  // its GIL hand-offs, which model.md L8 quotes too
  for (const char* page : {"/docs/model.md", "/docs/fidelity.md"}) {
    CAPTURE(page);
    std::ifstream file(std::string(GILSIM_SOURCE_DIR) + page);
    std::string doc;  // its words, one space apart
    for (std::string word; file >> word;) doc += (doc.empty() ? "" : " ") + word;
    CHECK((has(doc, "predicts them 1.158 s") || has(doc, "it predicts 1.158 s")));
    if (std::string(page) == "/docs/model.md") CHECK(has(doc, "hands the GIL over 26,351 times in its 1.158 s"));
  }
}


TEST_CASE("a --set that changes the GIL, the cores or the interval a run's name states is said in its label (docs/cli.md)") {
  // Lesson 11's table read "new GIL, 2 cores  1.080 s" for a run on the old GIL.
  const std::string old = report_of("11-old-gil.toml", {"gil=old"}, true, 100);
  CHECK(has(old, "\nnew GIL, 2 cores (now old GIL)   1.073 s"));
  CHECK(has(old, "\nnew GIL, 2 cores (now old GIL) (threads, old GIL, 2 cores, finished at 1.073 s)"));
  CHECK(has(old, "\nold GIL, 2 cores                 1.078 s"));  // already on the old GIL
  const std::string one = report_of("11-old-gil.toml", {"cores=1"}, false, 100);
  CHECK(has(one, "\nnew GIL, 2 cores (now 1 core)    601 ms"));
  CHECK(has(one, "\nold GIL, 1 core                  898 ms"));  // sets its own cores
  const std::string twenty = report_of("08-switch-interval.toml", {"run.switch 50 ms.switch_interval=20ms"}, false, 100);
  CHECK(has(twenty, "\nswitch 50 ms (now 20.0 ms)    428 ms"));
}

TEST_CASE("lesson 11 at 160 columns: the new GIL's turns show, the old GIL's rows read '&' and ':' (docs/lessons.md)") {
  const std::string report = report_of("11-old-gil.toml", {"note=-"}, true, 160);
  const auto row_after = [&](const std::string& heading, const std::string& lane) {
    const std::size_t at = report.find("\n" + lane, report.find(heading));
    return report.substr(at + 1, report.find('\n', at + 1) - at - 1);
  };
  const std::string new_gil = row_after("new GIL, 2 cores (threads", "GIL ");
  const std::string old_gil = row_after("old GIL, 2 cores (threads", "GIL ");
  CHECK(std::count(new_gil.begin(), new_gil.end(), '&') < 5);
  CHECK(new_gil.find("1212") != std::string::npos);
  CHECK(std::count(old_gil.begin(), old_gil.end(), '&') > 130);
  const std::string new_t1 = row_after("new GIL, 2 cores (threads", "T1 ");
  CHECK(new_t1.find(":") == std::string::npos);
  CHECK(new_t1.find("#.#") != std::string::npos);
  const std::string old_t1 = row_after("old GIL, 2 cores (threads", "T1 ");
  CHECK(std::count(old_t1.begin(), old_t1.end(), ':') > 130);
  // At 100 columns both runs read '&': the lesson says so.
  const std::string narrow = report_of("11-old-gil.toml", {"note=-"}, true, 100);
  const std::size_t at = narrow.find("\nGIL ", narrow.find("new GIL, 2 cores (threads"));
  const std::string row = narrow.substr(at + 1, narrow.find('\n', at + 1) - at - 1);
  CHECK(std::count(row.begin(), row.end(), '&') > 70);
}

TEST_CASE("lesson 16: both threads of the deadlock end their rows waiting for a lock") {
  // T2 asks for lock_a at the instant the cycle closes, a wait of no length in the trace.
  for (const int width : {40, 72, 100}) {
    const std::string report = report_of("16-deadlock.toml", {"note=-"}, true, width);
    for (const std::string lane : {"\nT1 a to b", "\nT2 b to a"}) {
      const std::size_t at = report.find(lane, report.find("\nthreads (threads"));
      REQUIRE(at != std::string::npos);
      const std::string row = report.substr(at + 1, report.find('\n', at + 1) - at - 1);
      CHECK_MESSAGE(row.ends_with("L|"), row);
      // Its run to the second acquire stays in the column before: T2's brief run there ('),
      // written over by the 'L', read as if it never came back from its I/O.
      const std::size_t before_waits = row.find_last_not_of('L', row.size() - 2);
      REQUIRE(before_waits != std::string::npos);
      CHECK_MESSAGE(std::string("#:'").find(row[before_waits]) != std::string::npos, row);
    }
  }
}

TEST_CASE("lesson 18 at 40 columns: the GIL rows shown are those of the processes whose threads are shown, numbered as they are") {
  // Each kind's rows were capped on their own: GILs of processes 2, 4, ... 26 beside the threads
  // of processes 1 to 15, and '1' on a GIL row named process 2.
  const std::string report = report_of("18-process-vs-pool.toml", {"note=-"}, true, 40);
  const std::size_t begin = report.find("\none Process per job (");
  const std::string run = report.substr(begin, report.find("\npool", begin + 1) - begin);
  for (int p = 1; p <= 41; ++p) {
    CAPTURE(p);
    const bool gil = has(run, fmt::format("\nGIL (process {}) ", p));
    const bool thread = has(run, fmt::format("\nprocess {} task {} ", p, p));
    CHECK(gil == thread);
  }
  CHECK(has(run, "\nGIL (process 2)    | 2 "));
  CHECK(has(run, "  2 process 2"));
}
