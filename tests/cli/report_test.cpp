// What `gilsim run` prints, built from hand-made traces: wrapping, tables, the report.
#include <algorithm>

#include <doctest/doctest.h>

#include "sim/cli/measured_runs.hpp"
#include "sim/cli/run_selection.hpp"
#include "sim/cli/scenario_report.hpp"
#include "sim/cli/text_table.hpp"
#include "sim/cli/text_wrap.hpp"
#include "sim/real/machine_load.hpp"
#include "sim/trace/trace_builder.hpp"
#include "tests/cli/report_fixtures.hpp"
#include "tests/text_files.hpp"

using namespace gilsim;
using namespace gilsim::literals;
using namespace gilsim::trace;
using namespace gilsim::cli;
using gilsim::testing::cells;
using gilsim::testing::one_thread;
using gilsim::testing::lines_of;

namespace {

Trace sequential_run() { return one_thread("sequential", 480_ms); }

Trace free_threaded_run() {
  TraceBuilder b("free", "threads", "none", Origin::Simulated, 2, 5_ms);
  b.add_cores(2);
  const auto p = b.add_process("main", false);
  const auto t1 = b.add_lane("T1", LaneKind::Thread, p);
  const auto t2 = b.add_lane("T2", LaneKind::Thread, p);
  b.set_state(b.core_lane(0), 0_ms, SpanState::Running, t1);
  b.set_state(b.core_lane(1), 0_ms, SpanState::Running, t2);
  b.clear_state(b.core_lane(1), 80_ms);
  return b.finish(160_ms);
}

/// A parent and two workers on two cores, each process with its own GIL, over 100 ms: the
/// parent's held 10 ms, worker 1's 95 ms, worker 2's 40 ms (the mean would be 48%).
/// With `job`, worker 1 runs a job's first step while it holds its GIL: a run whose recording
/// saw its work (cpython::figures_not_seen is false for it).
Trace pool_run(bool job = false) {
  TraceBuilder b("pool", "process_pool", "new", Origin::Simulated, 2, 5_ms);
  b.add_cores(2);
  const std::vector<std::pair<std::string, Time>> held{{"main", 10_ms}, {"worker 1", 95_ms}, {"worker 2", 40_ms}};
  const std::uint32_t work = job ? b.add_job("work", b.add_template("work", {})) : kNone;
  for (const auto& [name, time] : held) {
    const auto p = b.add_process(name, true);
    const auto thread = b.add_lane(name, LaneKind::Thread, p);
    b.set_state(b.gil_lane(p), 0_ms, SpanState::Held, thread);
    b.clear_state(b.gil_lane(p), time);
    if (!job || name != "worker 1") continue;
    b.job_started(work, thread, 0_ms);
    b.set_state(thread, 0_ms, SpanState::Running, work, 0);
    b.clear_state(thread, time);
    b.job_finished(work, time);
  }
  return b.finish(100_ms);
}

}  // namespace

TEST_CASE("a note keeps its lines; long ones wrap, list items hang under their text") {
  const std::string note =
      "\nFirst line is quite long and will wrap here.\n\n- a list item that wraps onto the next line\n  continued\n\n";
  CHECK(wrap_text(note, 20) ==
        "First line is quite\nlong and will wrap\nhere.\n\n- a list item that\n  wraps onto the\n  next line\n"
        "  continued\n");
  CHECK(wrap_text("short", 80) == "short\n");
  CHECK(wrap_text("", 80).empty());
}

TEST_CASE("a note wrapped wider than the terminal flows again; its items, blank lines and new sentences stay") {
  // Lesson 7's note at 72 columns read "... (1 ms waiting, 0.1 ms of Python" / "each)," / ...
  const std::string note =
      "An I/O thread makes short reads (1 ms waiting, 0.1 ms of Python each),\n"
      "about 110 ms on its own.\n"
      "Ask first: how long?\n"
      "\n"
      "- every read releases the GIL; the other thread wakes within microseconds\n"
      "  and takes it: 5 ms per read instead of 1 ms;\n"
      "- the end.\n";
  CHECK(wrap_note(note, 40) ==
        "An I/O thread makes short reads (1 ms\nwaiting, 0.1 ms of Python each), about\n110 ms on its own.\n"
        "Ask first: how long?\n\n"
        "- every read releases the GIL; the other\n  thread wakes within microseconds and\n"
        "  takes it: 5 ms per read instead of\n  1 ms;\n"
        "- the end.\n");
  // Where it fits, the author's lines stay: as wrap_text.
  CHECK(wrap_note(note, 80) == wrap_text(note, 80));
  // Chinese prose joins without a space.
  CHECK(wrap_note("\u4e00\u4e8c\u4e09\u56db\u4e94\u516d\u4e03\u516b\u4e5d\u5341\u4e00\u4e8c\n\u4e09\u56db", 20) ==
        "\u4e00\u4e8c\u4e09\u56db\u4e94\u516d\u4e03\u516b\u4e5d\u5341\n\u4e00\u4e8c\u4e09\u56db\n");
}

TEST_CASE("a command in a note stays a line of its own, and breaks as a shell reads it") {
  // Lesson 4's two --set lines under "Try a 300 ms file read, then the same read through
  // to_thread:" were joined into one at 60 columns, which run as one meant the second alone.
  const std::string note =
      "Try a read, then the same read\n"
      "through to_thread:\n"
      "  --set 'job.handler.steps=[{ io = \"20ms\" }]'\n"
      "  --set 'job.handler.steps=[{ disk = \"300ms\" }]'\n"
      "  gilsim sweep scenarios/20-sweep-pool-size.toml --vary workers=1..16 --seeds 5\n"
      "After it, prose again.\n";
  CHECK(wrap_note(note, 50) ==
        "Try a read, then the same read\n"
        "through to_thread:\n"
        "  --set 'job.handler.steps=[{ io = \"20ms\" }]'\n"
        "  --set 'job.handler.steps=[{ disk = \"300ms\" }]'\n"
        "  gilsim sweep scenarios/20-sweep-pool-size.toml \\\n"
        "    --vary workers=1..16 --seeds 5\n"
        "After it, prose again.\n");
  // A quoted value wider than the terminal stays whole: pasted, it still runs.
  CHECK(wrap_note(note, 30).find("  --set 'job.handler.steps=[{ disk = \"300ms\" }]'\n") != std::string::npos);
}

TEST_CASE("an indented quotation in a note is prose; a numbered list keeps its items; a tab line is blank") {
  const std::string note =
      "The asyncio documentation says:\n"
      "  the event loop can't run other tasks while a coroutine calls a blocking function\n"
      "Then:\n"
      "1. run it on threads and on asyncio, and compare the two\n"
      "2. explain.\n"
      "\t\n"
      "  gilsim run 04 --set 'job.handler.steps=[{ disk = \"300ms\" }] --width 72\n";
  CHECK(wrap_note(note, 40) ==
        "The asyncio documentation says:\n"
        "  the event loop can't run other tasks\n  while a coroutine calls a blocking\n  function\n"
        "Then:\n"
        "1. run it on threads and on asyncio, and\n   compare the two\n"
        "2. explain.\n"
        "\n"
        // A quote left open keeps its words: the rest of the line is one.
        "  gilsim run 04 \\\n    --set 'job.handler.steps=[{ disk = \"300ms\" }] --width 72\n");
  // An option takes one value: "--size 1280x720" does not take the file after it too.
  CHECK(wrap_note("Run:\n  gilviz --presentation --size 1280x720 scenarios/11-old-gil.toml\n", 40) ==
        "Run:\n  gilviz --presentation \\\n    --size 1280x720 \\\n    scenarios/11-old-gil.toml\n");
}

TEST_CASE("a table pads columns to the widest cell, numbers on the right") {
  const TextTable table{{"run", "makespan"}, {false, true}, {{"sequential", "480 ms"}, {"threads", "200 ms"}}};
  CHECK(render_table(table) ==
        "run         makespan\n"
        "--------------------\n"
        "sequential    480 ms\n"
        "threads       200 ms\n");
}

TEST_CASE("the run table shows each run's metrics, speedup against the first run") {
  const Trace seq = sequential_run();
  const Trace free = free_threaded_run();
  const auto lines = lines_of(render_run_table({&seq, &free}));
  REQUIRE(lines.size() == 5);
  CHECK(cells(lines[0]) == std::vector<std::string>{"run", "executor", "makespan", "speedup", "cores busy", "GIL held",
                                                    "GIL wait", "switches", "drop requests"});
  CHECK(cells(lines[2]) ==
        std::vector<std::string>{"sequential", "sequential", "480 ms", "1.00x", "100%", "100%", "0 s", "0", "0"});
  CHECK(cells(lines[3]) ==
        std::vector<std::string>{"free", "threads, no GIL", "160 ms", "3.00x", "75%", "-", "-", "0", "0"});
  // Under it, once, in the viewer's words (table_key.hpp): what the speedup divides, and that
  // GIL wait adds every thread's waiting up (lesson 1's threads: 2.893 s in a 1.013 s run).
  CHECK(lines[4] == "speedup: against 'sequential', the first run; GIL wait: all threads' waits added up, so it can "
                    "be longer than the run.");
}

TEST_CASE("the line under the run table goes with its columns") {
  const Trace seq = sequential_run();
  const Trace free = free_threaded_run();
  SUBCASE("no GIL in any run: nothing of GIL wait") {
    CHECK(lines_of(render_run_table({&free})).back() == "speedup: against 'free', the first run.");
  }
  SUBCASE("the GIL wait column left out at this width") {
    CHECK(lines_of(render_run_table({&seq, &free}, 60)).back() == "speedup: against 'sequential', the first run.");
  }
}

TEST_CASE("a run with a GIL per process shows its busiest GIL, marked max, and a line says what that is") {
  const Trace seq = sequential_run();
  const Trace pool = pool_run();
  const auto lines = lines_of(render_run_table({&seq, &pool}));
  REQUIRE(lines.size() == 6);
  CHECK(cells(lines[2])[5] == "100%");  // one GIL: its own figure
  CHECK(cells(lines[3]) ==
        std::vector<std::string>{"pool", "process_pool", "100 ms", "4.80x", "0%", "max 95%", "0 s", "0", "0"});
  CHECK(lines[5] == kGilHeldMaxNote);
  SUBCASE("not under a table without that run") { CHECK(lines_of(render_run_table({&seq})).size() == 4); }
  SUBCASE("not under a table too narrow for the column") {
    const std::string narrow = render_run_table({&seq, &pool}, 50);
    CHECK(narrow.find("GIL held, max") == std::string::npos);
    CHECK(narrow.find("(not shown at this width: executor, GIL held,") != std::string::npos);
  }
  SUBCASE("wrapped to the width") {
    for (const auto& line : lines_of(render_run_table({&seq, &pool}, 82))) CHECK(line.size() <= 82);
  }
}

TEST_CASE("the GIL held cell: none, one GIL, several") {
  Metrics m;
  CHECK(gil_held_cell(m) == "-");
  m.gil_lanes = 1;
  m.gil_held = 0.994;
  CHECK(gil_held_cell(m) == "99%");
  m.gil_lanes = 17;
  CHECK(gil_held_cell(m) == "max 99%");
}

TEST_CASE("the run table follows the width: columns that do not fit are left out, and named") {
  const Trace seq = sequential_run();
  const Trace free = free_threaded_run();
  const auto lines = lines_of(render_run_table({&seq, &free}, 60));
  REQUIRE(lines.size() == 7);
  // The executor goes first (the runs' names say it), then from the right: run 10, makespan
  // 8, speedup 7, cores busy 10, GIL held 8: 51 with the gaps; GIL wait would make it 61.
  CHECK(cells(lines[0]) == std::vector<std::string>{"run", "makespan", "speedup", "cores busy", "GIL held"});
  for (const auto& line : lines) CHECK(line.size() <= 60);
  CHECK(lines[4] + " " + lines[5] ==
        "(not shown at this width: executor, GIL wait, switches, drop requests; see --width)");
  CHECK(lines_of(render_run_table({&seq, &free}, 200)).size() == 5);
}

TEST_CASE("a scenario report: title, source, note, table, then one timeline per run") {
  scenario::Scenario s;
  s.title = "Two ways";
  s.note = "Which is faster?";
  s.source = "two.toml";
  s.jobs.push_back(scenario::JobTemplate{"crunch", 4, {}, 100, 100, {}});
  const Trace seq = sequential_run();
  const Trace free = free_threaded_run();

  SUBCASE("with timelines") {
    const std::string text = render_scenario_report(s, {&seq, &free}, ReportOptions{60, true, 16, {}, {}});
    CHECK(text.starts_with("Two ways\n========\n(two.toml, 4 jobs, seed 1)\n\nWhich is faster?\n\nrun "));
    CHECK(text.find("\nsequential (sequential, 1 core, finished at 480 ms)\ncore 0 |###") != std::string::npos);
    CHECK(text.find("\nfree (threads, no GIL, 2 cores, finished at 160 ms)\n") != std::string::npos);
  }
  SUBCASE("without timelines") {
    const std::string text = render_scenario_report(s, {&seq, &free}, ReportOptions{60, false, 16, {}, {}});
    CHECK(text.find('|') == std::string::npos);
    CHECK(text.ends_with(render_run_table({&seq, &free}, 60)));
  }
  SUBCASE("a title's underline is as long as it reads in a terminal, not its UTF-8 bytes") {
    s.title = "Café für zwei";  // 13 characters, 15 bytes
    const std::string text = render_scenario_report(s, {&seq, &free}, ReportOptions{60, false, 16, {}, {}});
    CHECK(text.starts_with("Café für zwei\n=============\n("));
    s.title = "下载 café";  // 7 characters, 9 columns: a Chinese character takes two
    CHECK(render_scenario_report(s, {&seq, &free}, ReportOptions{60, false, 16, {}, {}}).starts_with("下载 café\n=========\n("));
  }
  SUBCASE("Chinese prose, without spaces, wraps between its characters at the terminal's columns, never before a closing mark") {
    s.note = "线程一次只能运行一个。全局解释器锁";  // 17 characters, 34 columns
    const std::string text = render_scenario_report(s, {&seq, &free}, ReportOptions{20, false, 16, {}, {}});
    CHECK_MESSAGE(text.find("\n线程一次只能运行一个\n。全局") == std::string::npos, text);
    CHECK_MESSAGE(text.find("\n线程一次只能运行一\n个。全局解释器锁\n") != std::string::npos, text);
  }
}

namespace {

/// Lesson 15's threads: `counter` ends at `final_value` of 80,000 updates, after `forced`
/// forced switches of its two threads.
Trace counter_run(Origin origin, std::int64_t final_value, int forced, std::string measured_by = "") {
  TraceBuilder b("threads", "threads", "new", origin, 2, 5_ms);
  b.add_cores(2);
  const auto p = b.add_process("main", true);
  const auto t1 = b.add_lane("T1", LaneKind::Thread, p);
  const auto t2 = b.add_lane("T2", LaneKind::Thread, p);
  b.set_state(b.gil_lane(p), 0_ms, SpanState::Held, t1);
  for (int i = 0; i < forced; ++i) b.mark(Time{(i + 1) * 100'000}, MarkKind::ForcedSwitch, i % 2 ? t2 : t1);
  Trace t = b.finish(40_ms);
  t.measured_by = std::move(measured_by);
  t.counters.push_back(Counter{"counter", 0, final_value, 80'000});
  t.counters.push_back(Counter{"safe", 0, 80'000, 80'000});
  return t;
}

}  // namespace

TEST_CASE("a measured run that kept the updates the model lost says why, from its own switch counts") {
  scenario::Scenario s;
  s.title = "Lost";
  s.source = "15.toml";
  const Trace predicted = counter_run(Origin::Simulated, 51'066, 26);
  const std::string note =
      "threads (measured): kept every update of counter, where the model lost 28,934: its threads were forced off "
      "the GIL 18 times against 26 predicted.";
  SUBCASE("kept every update, switched fewer times: the line under the counters") {
    const Trace measured = counter_run(Origin::Measured, 80'000, 18);
    const std::string text = render_scenario_report(s, {&predicted, &measured}, ReportOptions{1000, false, 16, {}, {}});
    const auto at = text.find("threads (measured): safe = 80,000: all 80,000 updates kept\n" + note);
    CHECK(at != std::string::npos);
    CHECK(text.find("fewer switches, fewer chances to lose one", at) != std::string::npos);
    CHECK(text.find("run it again.") != std::string::npos);
  }
  SUBCASE("far fewer lost: said too") {
    const Trace measured = counter_run(Origin::Measured, 80'000 - 2'859, 18);
    REQUIRE(kept_updates_note(predicted, measured));
    CHECK(kept_updates_note(predicted, measured)->starts_with(
        "threads (measured): lost 2,859 updates of counter, where the model lost 28,934: its threads"));
  }
  SUBCASE("a CPython recording sees no forced switch: its GIL's changes of holder") {
    Trace measured = counter_run(Origin::Measured, 80'000, 0, "CPython 3.11");
    CHECK_FALSE(kept_updates_note(predicted, measured));  // no switch predicted by that count either
  }
  SUBCASE("it does not apply: nothing is said") {
    const Trace lost_as_many = counter_run(Origin::Measured, 60'000, 18);
    CHECK_FALSE(kept_updates_note(predicted, lost_as_many));
    const Trace switched_more = counter_run(Origin::Measured, 80'000, 30);
    CHECK_FALSE(kept_updates_note(predicted, switched_more));
    const Trace kept = counter_run(Origin::Measured, 80'000, 18);
    const Trace model_kept = counter_run(Origin::Simulated, 80'000, 26);
    CHECK_FALSE(kept_updates_note(model_kept, kept));
    const std::string text = render_scenario_report(s, {&model_kept, &kept}, ReportOptions{200, false, 16, {}, {}});
    CHECK(text.find("run it again") == std::string::npos);
  }
}

TEST_CASE("--run picks runs by name, in file order, and names the runs when it finds none") {
  scenario::Scenario s;
  s.source = "x.toml";
  for (const char* name : {"a", "b", "c"}) {
    scenario::Run run;
    run.name = name;
    s.runs.push_back(run);
  }
  CHECK(select_runs(s, {}).size() == 3);
  const auto chosen = select_runs(s, {"c", "a"});
  REQUIRE(chosen.size() == 2);
  CHECK(chosen[0]->name == "a");
  CHECK(chosen[1]->name == "c");
  CHECK_THROWS_WITH_AS(select_runs(s, {"z"}), "x.toml: no run named 'z'; its runs are 'a', 'b', 'c'", UsageError);
}

namespace {

/// The sequential run measured in 900 ms on a machine that gave it half the CPU it needed.
Trace starved_run() {
  Trace starved = sequential_run();
  starved.origin = Origin::Measured;
  starved.end = 900_ms;
  starved.cpu_check = CpuCheck{true, 7.9, 1, 880_ms, 440_ms, 2, 0};
  return starved;
}

}  // namespace

TEST_CASE("a measured run that other programs starved of its cores is not scored, by CPython's rule") {
  const Trace predicted = sequential_run();
  Trace quiet = sequential_run();
  quiet.origin = Origin::Measured;
  quiet.end = 500_ms;
  quiet.cpu_check = CpuCheck{true, 0.5, 1, 480_ms, 470_ms, 2, 0};
  const std::string fine = render_prediction_table({&predicted}, {&quiet});
  CHECK(fine.find("-4.0%") != std::string::npos);
  CHECK(fine.find("not scored") == std::string::npos);

  // Recorded without a sample of the machine: real::starved_note's fallback, the waits alone
  // (440 ms of the 880 ms its thread computed).
  const Trace starved = starved_run();
  const std::string table = render_prediction_table({&predicted}, {&starved}, {}, 1000);
  CHECK(table.find("not scored") != std::string::npos);
  CHECK(table.find("-46.7%") == std::string::npos);
  CHECK(table.find("'sequential': not scored: its threads got 440 ms of the 880 ms of CPU they needed, waiting 440 ms "
                   "for a core (other programs kept the cores busy)") != std::string::npos);

  // Sampled: other programs used 400 ms of CPU in the 500 ms it ran on 2 cores: the evidence,
  // whatever its error (-4.0% here), as a CPython run's.
  Trace sampled = quiet;
  sampled.cpu_check.got = 400_ms;  // 80 ms of waits: over 10% of its 500 ms
  sampled.cpu_check.sampled_wall = 500_ms;
  sampled.cpu_check.machine_busy = 800_ms;
  sampled.cpu_check.own_cpu = 400_ms;
  sampled.cpu_check.tick = 10_ms;
  sampled.cpu_check.sampled_cpus = 2;
  const std::string busy_table = render_prediction_table({&predicted}, {&sampled}, {}, 1000);
  CHECK(busy_table.find("-4.0%") == std::string::npos);
  CHECK(busy_table.find("'sequential': not scored: other programs used 400 ms of CPU in the 500 ms it ran (40% of the "
                        "2 cores), and its threads waited 80.0 ms for a core (they got 400 ms of the 480 ms of CPU "
                        "they needed)") != std::string::npos);
  sampled.cpu_check.machine_busy = 410_ms;  // a quiet machine: the waits are no evidence
  CHECK(render_prediction_table({&predicted}, {&sampled}, {}, 1000).find("-4.0%") != std::string::npos);

  // Other threads ready as it started (the old rule's CpuCheck::crowded) are no evidence: the
  // run got the CPU it needed, and its error, -20%, is the model's.
  Trace crowded = quiet;
  crowded.cpu_check.others_runnable = 2;
  crowded.end = 600_ms;
  const std::string crowded_table = render_prediction_table({&predicted}, {&crowded}, {}, 1000);
  CHECK(crowded_table.find("-20.0%") != std::string::npos);
  CHECK(crowded_table.find("busy") == std::string::npos);
}

TEST_CASE("the notes of runs not scored follow the runs' order in the file, not their names'") {
  // The file's runs are "threads" then "asyncio": the notes once came in the names' order.
  Trace threads = sequential_run();
  threads.run_name = "threads";
  Trace asyncio = sequential_run();
  asyncio.run_name = "asyncio";
  Trace threads_measured = threads;
  threads_measured.origin = Origin::Measured;
  Trace asyncio_measured = asyncio;
  asyncio_measured.origin = Origin::Measured;
  const std::map<std::string, std::string> unscored{{"threads", "first note."}, {"asyncio", "second note."}};
  const std::string table =
      render_prediction_table({&threads, &asyncio}, {&threads_measured, &asyncio_measured}, unscored, 1000);
  const auto first = table.find("'threads': first note.");
  const auto second = table.find("'asyncio': second note.");
  REQUIRE(first != std::string::npos);
  REQUIRE(second != std::string::npos);
  CHECK(first < second);
  CHECK(table.find("threads") < table.find("asyncio"));  // the rows too
}

TEST_CASE("the prediction table keeps to the width it is given") {
  const Trace predicted = sequential_run();
  const Trace starved = starved_run();
  const std::string wide = render_prediction_table({&predicted}, {&starved}, {}, 200);
  CHECK(wide.find("GIL wait (pred/meas)") != std::string::npos);
  CHECK(wide.find("not shown at this width") == std::string::npos);

  const std::string narrow = render_prediction_table({&predicted}, {&starved}, {}, 40);
  INFO(narrow);
  std::string as_prose = narrow;  // wrapped sentences read again as one line each
  std::replace(as_prose.begin(), as_prose.end(), '\n', ' ');
  // "not scored" does not fit beside the times in 40 columns: the error column goes first.
  CHECK(narrow.find("\nrun         predicted  measured\n") != std::string::npos);
  CHECK(as_prose.find("not shown at this width: error, switches (pred/meas), GIL wait (pred/meas)") != std::string::npos);
  CHECK(as_prose.find("'sequential': not scored: its threads got 440 ms of the 880 ms of CPU") != std::string::npos);
  std::size_t start = 0;
  while (start < narrow.size()) {
    const std::size_t end = narrow.find('\n', start);
    CAPTURE(narrow.substr(start, end - start));
    CHECK(end - start <= 40);
    start = end + 1;
  }
}

TEST_CASE("a speed-up far below 1x keeps two significant digits in the run table") {
  // In the run table: the first run 480 ms, the second 400 times as long.
  const Trace seq = sequential_run();
  TraceBuilder b("slow", "sequential", "new", Origin::Simulated, 1, 5_ms);
  b.add_lane("main", LaneKind::Thread, b.add_process("main", false));
  const Trace slow = b.finish(192'000_ms);
  const auto lines = lines_of(render_run_table({&seq, &slow}));
  REQUIRE(lines.size() == 5);
  CHECK(cells(lines[3])[3] == "0.0025x");
}

TEST_CASE("a measured Pool.map run's switches are marked and said not comparable under the table") {
  const Trace predicted = pool_run();
  Trace measured = pool_run();
  measured.origin = Origin::Measured;
  measured.cpu_check = CpuCheck{true, 0.5, 1, 100_ms, 100_ms, 2, 0};
  const std::string table = render_prediction_table({&predicted}, {&measured}, {}, 1000);
  CHECK(table.find("0 / 0+") != std::string::npos);
  CHECK(table.find("+ switches of 'pool': not comparable.") != std::string::npos);
  CHECK(table.find("the real executor's parent has no worker handler") != std::string::npos);

  // Recorded in CPython, whose Pool has its handler threads: the recorder does not see them.
  Trace recorded = pool_run(true);
  recorded.origin = Origin::Measured;
  recorded.cpu_check = measured.cpu_check;
  recorded.measured_by = "CPython 3.11";
  const std::string cpython_table = render_prediction_table({&predicted}, {&recorded}, {}, 1000);
  CHECK(cpython_table.find("+ switches of 'pool': not comparable.") != std::string::npos);
  CHECK(cpython_table.find("no worker handler") == std::string::npos);
  CHECK(cpython_table.find("CPython's Pool has them too, but they run no compute(), so the recorder does not see them") !=
        std::string::npos);
  // One whose recording saw no job run (a pool's pickles and pipes, all of its time): its
  // switches and GIL wait were not seen, '-' without a '+' to explain.
  Trace unseen = measured;
  unseen.measured_by = "CPython 3.11";
  const std::string unseen_table = render_prediction_table({&predicted}, {&unseen}, {}, 1000);
  CHECK(unseen_table.find("0 / -") != std::string::npos);
  CHECK(unseen_table.find("not comparable") == std::string::npos);

  const Trace plain_predicted = sequential_run();
  Trace plain = sequential_run();
  plain.origin = Origin::Measured;
  plain.cpu_check = measured.cpu_check;
  const std::string plain_table = render_prediction_table({&plain_predicted}, {&plain}, {}, 1000);
  CHECK(plain_table.find("not comparable") == std::string::npos);
  CHECK(plain_table.find("0 / 0+") == std::string::npos);
}

TEST_CASE("a measured run that used well more CPU than the model's run computes for names its executor's own cost") {
  // Lesson 15 for real: 80,000 tiny increments, whose executor reads the clock and writes a
  // record at every lock step. The sequential run computes for 480 ms in the model.
  const Trace predicted = sequential_run();
  Trace costly = sequential_run();
  costly.origin = Origin::Measured;
  costly.end = 700_ms;
  costly.cpu_check = CpuCheck{true, 0.5, 1, 700_ms, 690_ms, 2, 0};  // it got the CPU it needed
  const std::string table = render_prediction_table({&predicted}, {&costly}, {}, 1000);
  CHECK(table.find("executor*") != std::string::npos);
  CHECK(table.find("busy") == std::string::npos);
  CHECK(table.find("* executor: 'sequential' used 690 ms of CPU where the model's run computes for 480 ms: the "
                   "other 210 ms (30%) was the real executor's own work beside the planned steps") != std::string::npos);

  Trace close = costly;  // within a quarter of the plan: the model's error, shown as one
  close.cpu_check.got = 560_ms;
  close.cpu_check.needed = 560_ms;
  const std::string fine = render_prediction_table({&predicted}, {&close}, {}, 1000);
  CHECK(fine.find("executor") == std::string::npos);
  CHECK(fine.find("-31.4%") != std::string::npos);

  // A run the model computes for a few milliseconds is mostly start-up: not compared.
  Trace tiny_predicted = sequential_run();
  tiny_predicted.end = 5_ms;
  Trace tiny = costly;
  tiny.end = 12_ms;
  tiny.cpu_check.needed = 12_ms;
  tiny.cpu_check.got = 12_ms;
  const std::string start_up = render_prediction_table({&tiny_predicted}, {&tiny}, {}, 1000);
  CHECK(start_up.find("executor") == std::string::npos);
}

TEST_CASE("a wait for a core summed over a run's processes says so, and a CPython run's drop requests read '-'") {
  // Two workers each waited 80 ms for a core beside 20 ms of Python in a 100 ms run: 160 ms in all.
  TraceBuilder b("pool", "process_pool", "new", Origin::Measured, 2, 5_ms);
  b.add_cores(2);
  for (const std::string name : {"worker 1", "worker 2"}) {
    const auto thread = b.add_lane(name, LaneKind::Thread, b.add_process(name, true));
    b.set_state(thread, 0_ms, SpanState::Runnable, kNone);
    b.set_state(thread, 80_ms, SpanState::Running, kNone);
    b.clear_state(thread, 100_ms);
  }
  Trace pool = b.finish(100_ms);
  pool.measured_by = "CPython 3.11";  // recorded: its waits are its Runnable spans
  const auto note = real::starved_note(pool);
  REQUIRE(note);
  CHECK(*note == "not scored: its 2 processes' threads waited 160 ms for a core in all beside 40.0 ms of running Python "
                 "(other programs kept the cores busy)");

  const Trace predicted = pool_run();
  const auto lines = lines_of(render_run_table({&predicted, &pool}, 1000));
  REQUIRE(lines.size() >= 4);
  CHECK(cells(lines[2]).back() == "0");
  CHECK(cells(lines[3]).back() == "-");
}
