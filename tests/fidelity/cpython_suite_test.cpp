// The CPython suite's runner on canned program output: reading the suite and the JSON,
// leaving out starved runs, the error and the verdicts, the tables. Then the model's side of
// each effect that today's model reproduces, on the suite's own scenarios.
#include <doctest/doctest.h>

#include <cctype>
#include <filesystem>
#include <fstream>
#include <set>

#include <fmt/format.h>

#include "bench/cpython_suite.hpp"
#include "tests/fidelity/suite_rows.hpp"
#include "sim/real/model_twin.hpp"
#include "sim/scenario/loader.hpp"

namespace fs = std::filesystem;
using namespace gilsim;
using namespace gilsim::fidelity;
using namespace gilsim::test;

namespace {


fs::path write_temp(const std::string& name, const std::string& text) {
  const fs::path path = fs::path(GILSIM_BINARY_DIR) / "tests" / "fidelity" / name;
  fs::create_directories(path.parent_path());
  std::ofstream(path) << text;
  return path;
}

std::string error_of(const fs::path& file) {
  try {
    load_suite(file);
  } catch (const SuiteError& e) {
    return e.what();
  }
  return "";
}

/// One program run as cpu_bound.py prints it: wall and CPU time per section.
std::string cpu_bound_output(double sequential, double threads, double threads_cpu) {
  return fmt::format(
      R"({{"program": "cpu_bound", "python": "3.11.2", "executable": "/usr/bin/python3", "cpu_count": 2, )"
      R"("quick": false, "load_start": [0.5, 0.4, 0.3], "load_end": [0.6, 0.4, 0.3], "sections": {{)"
      R"("sequential": {{"cores": 1, "busy": 1, "wall": {}, "cpu": {}}}, )"
      R"("threads": {{"cores": 2, "busy": 1, "wall": {}, "cpu": {}}}}}}})",
      sequential, sequential, threads, threads_cpu);
}

/// cpu_bound.py's output with each section's pace (its jobs' CPU seconds per loop): the loop
/// at 25 ns a loop, the threads at `threads_pace` times that.
std::string paced_output(double threads_wall, double threads_pace, double sequential_cpu = 0.8) {
  constexpr double kLoop = 25e-9;
  return fmt::format(
      R"({{"program": "cpu_bound", "python": "3.11.2", "cpu_count": 2, "sections": {{)"
      R"("sequential": {{"cores": 1, "busy": 1, "wall": 0.8, "cpu": {}, "pace": {}}}, )"
      R"("threads": {{"cores": 2, "busy": 1, "wall": {}, "cpu": {}, "pace": {}}}}}}})",
      sequential_cpu, kLoop, threads_wall, threads_wall, kLoop * threads_pace);
}

SuiteRow ratio_row() {
  SuiteRow row;
  row.effect = "CPU-bound";
  row.label = "threads / sequential";
  row.program = "cpu_bound.py";
  row.scenario = "cpu-bound.toml";
  row.kind = RowKind::Ratio;
  row.measured = {"threads", "wall", "sequential", "wall"};
  return row;
}

}  // namespace

TEST_CASE("the suite file: every row names a program, a scenario and runs that exist") {
  const Suite suite = load_suite(kSuiteFile);
  REQUIRE(suite.rows.size() >= 20);
  for (const auto& row : suite.rows) {
    CAPTURE(row.label);
    CHECK(fs::exists(suite.programs / row.program));
    const auto s = scenario::load_file(suite.scenarios / row.scenario);
    CHECK_NOTHROW(predict(row, s));
  }
  // Each row's lesson, when it names one, is a lesson of scenarios/ with a title.
  for (const auto& row : suite.rows) {
    CAPTURE(row.label);
    if (!row.lesson.empty()) CHECK(row.lesson_title.size() > 3);
  }
  // Each program once, in the order of the file.
  const auto names = suite.program_names();
  CHECK(names.front() == "cpu_bound.py");
  CHECK(std::set<std::string>(names.begin(), names.end()).size() == names.size());
}

namespace {

/// A suite of one row: effect, label, program and scenario on lines 2 to 5, then `rest`.
fs::path one_row_suite(const std::string& name, const std::string& rest) {
  return write_temp(name, "[[row]]\neffect = \"e\"\nlabel = \"l\"\nprogram = \"p.py\"\nscenario = \"s.toml\"\n" + rest);
}

}  // namespace

TEST_CASE("a bad suite file is refused with where and what was expected") {
  const auto kind = one_row_suite("bad_kind.toml", "kind = \"speed\"\nmeasured = \"a.wall\"\nmodel = { run = \"t\" }\n");
  const std::string kind_error = error_of(kind);
  CHECK(kind_error.find("bad_kind.toml:6:") != std::string::npos);
  CHECK(kind_error.find("speed") != std::string::npos);

  const auto measured =
      one_row_suite("bad_measured.toml", "kind = \"time\"\nmeasured = \"threads\"\nmodel = { run = \"t\" }\n");
  CHECK(error_of(measured).find("bad_measured.toml:7:") != std::string::npos);
  CHECK(error_of(measured).find("SECTION.FIELD") != std::string::npos);

  const auto no_model = one_row_suite("no_model.toml", "kind = \"time\"\nmeasured = \"a.wall\"\n");
  CHECK(error_of(no_model).find("'model' is missing") != std::string::npos);

  const auto no_summary = one_row_suite("no_summary.toml", "kind = \"time\"\nmeasured = \"a.wall\"\n"
                                                          "model = { run = \"t\" }\nwhy = \"traced: ...\"\n");
  CHECK(error_of(no_summary).find("no_summary.toml:1:") != std::string::npos);
  CHECK(error_of(no_summary).find("'summary' is missing") != std::string::npos);
  CHECK(error_of(no_summary).find("one sentence a teacher can say") != std::string::npos);
  const auto lone_summary = one_row_suite("lone_summary.toml", "kind = \"time\"\nmeasured = \"a.wall\"\n"
                                                              "model = { run = \"t\" }\nsummary = \"A reason.\"\n");
  CHECK(error_of(lone_summary).find("lone_summary.toml:9:") != std::string::npos);
  CHECK(error_of(lone_summary).find("give both") != std::string::npos);

  const auto no_lesson = one_row_suite("no_lesson.toml", "lesson = \"99-none.toml\"\nkind = \"time\"\n"
                                                        "measured = \"a.wall\"\nmodel = { run = \"t\" }\n");
  CHECK(error_of(no_lesson).find("no_lesson.toml:6:") != std::string::npos);
  CHECK(error_of(no_lesson).find("no lesson '99-none.toml'") != std::string::npos);

  const auto figure = one_row_suite("bad_figure.toml", "kind = \"time\"\nmeasured = \"a.wall\"\nmodel = { run = \"t\" }\n"
                                                     "summary = \"A reason.\"\nwhy = \"the model gives {modle} here\"\n");
  CHECK(error_of(figure).find("bad_figure.toml:10:") != std::string::npos);
  CHECK(error_of(figure).find("'{modle}' is neither") != std::string::npos);

  const auto race = one_row_suite("race_quantity.toml",
                                  "kind = \"race\"\nmeasured = \"race_5ms\"\nmodel = { run = \"t\", quantity = \"makespan\" }\n");
  CHECK(error_of(race).find("lost_reads") != std::string::npos);
  CHECK(error_of(write_temp("missing.toml", "")).find("no [[row]]") != std::string::npos);
}

TEST_CASE("a program's JSON line is read, whatever it printed before it") {
  const std::string output = "warming up\n" + cpu_bound_output(0.8, 0.9, 0.88) + "\n";
  const ProgramRun run = parse_program_output(output, "cpu_bound.py");
  CHECK(run.python == "3.11.2");
  CHECK(run.cpu_count == 2);
  CHECK(run.load_end.at(0) == doctest::Approx(0.6));
  REQUIRE(run.sections.count("threads") == 1);
  const Section& threads = run.sections.at("threads");
  CHECK(threads.wall == doctest::Approx(0.9));
  CHECK(threads.cpu == doctest::Approx(0.88));
  CHECK(threads.cores == 2);
  CHECK(threads.busy == 1.0);

  const std::string raw = raw_line(output, 2, 1.8, 3.5, 3.4);
  CHECK(raw.find(R"("free_cores":1.8)") != std::string::npos);
  CHECK(raw.find(R"("repeat":2)") != std::string::npos);
  CHECK(raw.find(R"("program":"cpu_bound")") != std::string::npos);
  CHECK(raw.find('\n') == std::string::npos);

  CHECK_THROWS_WITH_AS(parse_program_output("Traceback (most recent call last):\n", "x.py"),
                       doctest::Contains("x.py: printed no JSON line"), SuiteError);
  CHECK_THROWS_WITH_AS(parse_program_output("{\"program\": \n", "x.py"), doctest::Contains("not valid"), SuiteError);
  CHECK_THROWS_WITH_AS(parse_program_output(R"({"program": "x", "python": "3", "sections": {"a": {"wall": 1}}})", "x.py"),
                       doctest::Contains("section 'a' has no 'cpu'"), SuiteError);
}

TEST_CASE("a run that did not get its cores is left out, with the reason") {
  Section busy;
  busy.cores = 2;
  busy.busy = 2;
  busy.wall = 1.0;
  busy.cpu = 1.4;  // 70 % of two cores
  CHECK(starved(busy, 2.0).value_or("").find("got 1.40 of the 2 core(s)") != std::string::npos);
  busy.cpu = 1.6;
  CHECK_FALSE(starved(busy, 2.0));
  CHECK(starved(busy, 1.2).value_or("").find("1.2 core(s) free before the run, 2 needed") != std::string::npos);
  Section handoff;  // two threads on one GIL: one core busy, two needed free
  handoff.cores = 2;
  handoff.busy = 1;
  handoff.wall = 1.0;
  handoff.cpu = 0.9;
  CHECK_FALSE(starved(handoff, 1.8));
  CHECK_FALSE(starved(busy, -1.0));  // not probed
  Section timer;  // sleeps need no core
  timer.wall = 0.5;
  CHECK_FALSE(starved(timer, 0.1));
  // GIL tenures: the threads' wait for a CPU (a late wake-up lengthens a tenure) within the
  // program's limit, or the section is left out however much CPU it got.
  handoff.fields["cpu_wait"] = 0.004;
  handoff.fields["cpu_wait_limit"] = 0.005;
  CHECK_FALSE(starved(handoff, 2.0));
  handoff.fields["cpu_wait"] = 0.0125;
  CHECK(starved(handoff, 2.0).value_or("") == "its threads waited 12.5 ms for a CPU, 5 ms allowed");
  // A median: left out when the machine disturbed more of the section than it allows.
  Section tenure;
  tenure.cores = 2;
  tenure.busy = 1;
  tenure.wall = 1.0;
  tenure.cpu = 1.0;
  tenure.fields["disturbed"] = 0.25;
  tenure.fields["disturbed_limit"] = 1.0 / 3;
  CHECK_FALSE(starved(tenure, 2.0));
  tenure.fields["disturbed"] = 0.5;
  CHECK(starved(tenure, 2.0).value_or("") ==
        "the machine disturbed 50 % of it (the kernel preempted it), 33 % allowed");
}

TEST_CASE("measuring a ratio row: the median of the runs that got their cores") {
  const SuiteRow row = ratio_row();
  std::vector<ProgramRun> runs;
  for (const auto& [threads, cpu] : std::vector<std::pair<double, double>>{{1.0, 1.0}, {0.9, 0.9}, {1.2, 0.5}, {1.1, 1.1}}) {
    runs.push_back(parse_program_output(cpu_bound_output(0.8, threads, cpu), "cpu_bound.py"));
  }
  const Measurement m = measure(row, runs);
  REQUIRE(m.values.size() == 3);  // the third run got half a core
  CHECK(m.starved.size() == 1);
  CHECK(m.median() == doctest::Approx(1.25));  // 1.0 / 0.8
  CHECK(m.low() == doctest::Approx(1.125));
  CHECK(m.high() == doctest::Approx(1.375));

  SuiteRow missing = row;
  missing.measured.field = "per_op";
  CHECK_THROWS_WITH_AS(measure(missing, runs), doctest::Contains("section 'threads' has no 'per_op'"), SuiteError);
  // Even when every run was starved: the program is wrong, not the machine.
  for (auto& run : runs) run.free_cores = 0.1;
  CHECK_THROWS_WITH_AS(measure(missing, runs), doctest::Contains("has no 'per_op'"), SuiteError);
  CHECK(measure(row, runs).starved.size() == 4);
}

TEST_CASE("a ratio's parts whose paces differ by more than the off-pace tolerance: the run is left out, with how far") {
  const auto sections = [](double threads_pace) { return parse_program_output(paced_output(0.84, threads_pace), "cpu_bound.py").sections; };
  const auto moved = [&](double threads_pace) {
    const auto s = sections(threads_pace);
    return pace_moved(s.at("threads"), s.at("sequential"), "cpu_bound.py");
  };
  constexpr double kTolerance = trace::CpuCheck::kPaceTolerance;  // the one of `gilsim run --cpython`
  CHECK(kTolerance == 0.10);
  CHECK_FALSE(moved(1.0));
  CHECK_FALSE(moved(1 + kTolerance - 0.005));
  CHECK_FALSE(moved(1 - kTolerance + 0.005));
  CHECK_FALSE(moved(1 + kTolerance));  // on the edge: inside, as a row's error is
  CHECK(moved(1 + kTolerance + 0.004).value_or("") == "pace moved 10.4% between the parts");  // not "10%"
  CHECK(moved(1.23).value_or("") == "pace moved 23% between the parts");
  CHECK(moved(0.77).value_or("") == "pace moved 23% between the parts");  // the threads faster a loop

  // Neither section timed its jobs: nothing to check; only one did: the program is wrong.
  const auto plain = parse_program_output(cpu_bound_output(0.8, 0.84, 0.84), "cpu_bound.py").sections;
  CHECK_FALSE(pace_moved(plain.at("threads"), plain.at("sequential"), "cpu_bound.py"));
  CHECK_THROWS_WITH_AS(pace_moved(plain.at("threads"), sections(1.0).at("sequential"), "cpu_bound.py"),
                       doctest::Contains("cpu_bound.py: of the two sections of a ratio, both or neither"), SuiteError);

  // Three runs, one off pace: left out as the starved are, the reason column saying why.
  const SuiteRow row = ratio_row();
  std::vector<ProgramRun> runs;
  for (const double pace : {1.02, 1.23, 0.95}) runs.push_back(parse_program_output(paced_output(0.84, pace), "cpu_bound.py"));
  Measurement m = measure(row, runs);
  CHECK(m.values.size() == 2);
  CHECK(m.rounds == std::vector<std::size_t>{0, 2});  // the prediction is made over the rounds kept
  CHECK(m.starved.empty());
  CHECK(m.off_pace == std::vector<std::string>{"pace moved 23% between the parts"});
  const RowResult kept = score(row, m, Prediction{1.05});
  CHECK(kept.verdict == Verdict::Pass);
  CHECK(kept.left_out == "1 of 3 runs left out (pace moved 23% between the parts)");

  // A starved run is left out as starved, whatever its pace; each kind's first reason is shown.
  runs.push_back(parse_program_output(paced_output(0.84, 1.5, 0.4), "cpu_bound.py"));
  m = measure(row, runs);
  CHECK(m.starved.size() == 1);
  CHECK(m.off_pace.size() == 1);
  CHECK(score(row, m, Prediction{1.05}).left_out ==
        "2 of 4 runs left out (got 0.50 of the 1 core(s) it keeps busy; pace moved 23% between the parts)");

  // No run left, all off pace: marked as such, not scored, nor counted as a busy machine.
  const std::vector<ProgramRun> moving{runs[1], parse_program_output(paced_output(0.84, 0.8), "cpu_bound.py")};
  const RowResult off = score(row, measure(row, moving), Prediction{1.05});
  CHECK(off.verdict == Verdict::OffPace);
  CHECK(off.reason == "not scored: in every run the host's speed moved between the parts (pace moved 23% between the parts)");
  CHECK(off.left_out.empty());  // the reason says it
  CHECK(render_text({off}).find("off pace") != std::string::npos);
  CHECK(class_lines({kept, off}).back() ==
        "Not scored in this run, the host's speed moving between the parts they compare: CPU-bound (1 row).");
  const std::string md = render_markdown({kept, off}, RunInfo{});
  CHECK(md.find("| off pace | not scored: in every run the host's speed moved") != std::string::npos);
  CHECK(md.find("1 of 2 rows within their tolerance, 0 outside, 1 not scored.") != std::string::npos);
  CHECK(md.find("- Pace check: ") != std::string::npos);
  // Starved and off pace together: the machine was busy.
  const RowResult both = score(row, measure(row, {runs[1], runs[3]}), Prediction{1.05});
  CHECK(both.verdict == Verdict::Starved);
  CHECK(both.reason ==
        "not scored: 1 run(s) starved (got 0.50 of the 1 core(s) it keeps busy), 1 off pace (pace moved 23% between the parts)");
}

TEST_CASE("scoring uses the project's one error formula and the kind's tolerance") {
  const SuiteRow row = ratio_row();
  Measurement m;
  m.values = {1.25};
  CHECK(real::prediction_error(1.0, 1.25) == doctest::Approx(-0.2));
  CHECK(real::prediction_error(Time{1'000'000}, Time{1'250'000}) == doctest::Approx(-0.2));

  const RowResult far = score(row, m, Prediction{1.0});
  CHECK(far.error == doctest::Approx(-0.2));
  CHECK(far.verdict == Verdict::Outside);
  CHECK(far.reason == "not explained yet");

  SuiteRow known = row;
  known.summary = "The model charges nothing for a hand-off across cores.";
  known.why = "traced: each hand-off across cores costs about a cache's refill";
  CHECK(score(known, m, Prediction{1.0}).reason == "The model charges nothing for a hand-off across cores.");
  CHECK(score(row, m, Prediction{1.125}).verdict == Verdict::Pass);  // -10 %: on the edge, inside
  CHECK(score(row, m, Prediction{1.37}).verdict == Verdict::Pass);
  CHECK(score(row, m, Prediction{1.38}).verdict == Verdict::Outside);

  SuiteRow tenure = row;
  tenure.kind = RowKind::Tenure;
  Measurement t;
  t.values = {0.00505};
  CHECK(score(tenure, t, Prediction{0.005}).verdict == Verdict::Pass);     // -0.99 %
  CHECK(score(tenure, t, Prediction{0.00499}).verdict == Verdict::Outside);  // -1.2 %

  Measurement starved_only;
  starved_only.starved = {"0.4 core(s) free before the run, 2 needed"};
  const RowResult not_scored = score(row, starved_only, Prediction{1.0});
  CHECK(not_scored.verdict == Verdict::Starved);
  CHECK(not_scored.reason.find("0.4 core(s) free") != std::string::npos);
}

TEST_CASE("a race row passes when the model shows both outcomes, whatever the counts") {
  SuiteRow row = ratio_row();
  row.kind = RowKind::Race;
  row.model.seeds = 20;
  Measurement m;
  m.values = {0.25};
  m.lost = 15;
  m.kept = 45;
  Prediction same_every_seed;
  same_every_seed.lost = 60;
  same_every_seed.kept = 1140;
  const RowResult outside = score(row, m, same_every_seed);
  CHECK(outside.verdict == Verdict::Outside);
  CHECK(outside.reason.find("under one of 20 seeds and loses it under another") != std::string::npos);
  Prediction race = same_every_seed;
  race.both_outcomes = true;
  CHECK(score(row, m, race).verdict == Verdict::Pass);
  CHECK(render_text({score(row, m, race)}).find("15 lost, 45 kept") != std::string::npos);
}

TEST_CASE("figures read as their kind wants") {
  CHECK(format_figure(RowKind::Time, 1.2344) == "1.234 s");
  CHECK(format_figure(RowKind::Time, 0.00601) == "6.01 ms");
  CHECK(format_figure(RowKind::Time, 0.0000123) == "12.3 us");
  CHECK(format_figure(RowKind::Tenure, 0.005043) == "5.04 ms");
  CHECK(format_figure(RowKind::Ratio, 1.126) == "1.13x");
  CHECK(format_figure(RowKind::Race, 0.25) == "25% lost");
}

TEST_CASE("the generated page: how it was measured, the table, and every row outside with its reason") {
  const SuiteRow row = ratio_row();
  SuiteRow other = row;
  other.label = "pool / sequential";
  other.summary = "Starting the pool costs more than the model's estimate.";
  other.why = "pool start-up is an estimate";
  Measurement m;
  m.values = {1.2, 1.25, 1.3};
  m.starved = {"got 0.50 of the 1 core(s) it keeps busy"};
  const std::vector<RowResult> results{score(row, m, Prediction{1.25}), score(other, m, Prediction{0.9})};
  RunInfo info;
  info.command = "build/gilsim_fidelity --cpython --repeat 3";
  info.python = "3.11.2 (/usr/bin/python3)";
  info.machine = "AMD EPYC, 2 CPUs available, Linux 6.1";
  info.repeat = 3;
  info.load_before = "0.50 0.40 0.30";
  info.load_after = "0.70 0.45 0.31";
  info.highest_load = 0.9;
  info.seconds = 181.4;
  const std::string md = render_markdown(results, info);
  CHECK(md.find("`build/gilsim_fidelity --cpython --repeat 3` (181 s for the whole suite)") != std::string::npos);
  CHECK(md.find("CPython 3.11.2 (/usr/bin/python3)") != std::string::npos);
  CHECK(md.find("before the suite: 0.50 0.40 0.30; after: 0.70 0.45 0.31") != std::string::npos);
  const std::string left_out = "1 of 4 runs left out (got 0.50 of the 1 core(s) it keeps busy)";
  CHECK(md.find(fmt::format("| CPU-bound | threads / sequential | ratio | 1.25x | 1.20x to 1.30x | 1.25x | - | +0.0% | ok | {} |",
                            left_out)) != std::string::npos);
  CHECK(md.find("| `cpu_bound.py` | `cpu-bound.toml` | 2 |") != std::string::npos);
  CHECK(md.find("1 of 2 rows within their tolerance, 1 outside, 0 not scored.") != std::string::npos);
  // The table gives the one sentence; the evidence has a section of its own, headed by the row.
  CHECK(md.find(fmt::format("| CPU-bound | pool / sequential | ratio | 1.25x | 1.20x to 1.30x | 0.90x | - | -28.0% | OUTSIDE | "
                            "Starting the pool costs more than the model's estimate. {}. |",
                            left_out)) != std::string::npos);
  CHECK(md.find("\n### CPU-bound: pool / sequential\n\nPool start-up is an estimate.\n") != std::string::npos);
  CHECK(md.find("Pool start-up is an estimate") == md.rfind("Pool start-up is an estimate"));
  CHECK(md.find("pool start-up is an estimate") == std::string::npos);  // the table has the summary only
  // What it means for a class comes first.
  const auto for_class = md.find("## What this means for a class\n\n"
                                 "CPython on this machine confirms these effects as the model shows them (rows within "
                                 "tolerance):\n\n- CPU-bound: 1 of 2 rows (threads / sequential).\n\n"
                                 "Present these rows with care: CPython and the model differ, for the reason given.\n\n"
                                 "- CPU-bound, \"pool / sequential\": Starting the pool costs more than the model's estimate.\n\n");
  CHECK(for_class != std::string::npos);
  CHECK(for_class < md.find("## How it was measured"));
}

TEST_CASE("the page's evidence: rows of one effect with one `why` share a paragraph; rows without one are listed") {
  SuiteRow five = ratio_row(), fifty = ratio_row(), other = ratio_row(), bare = ratio_row();
  five.label = "gap, 5 ms";
  fifty.label = "gap, 50 ms";
  five.summary = fifty.summary = "A sleeping CPU wakes late.";
  five.why = fifty.why = "the host's halt polling decides";
  other.label = "start";
  other.summary = "Starting costs more.";
  other.why = "fork_start is calibrated on a quiet machine";
  bare.label = "bare";
  Measurement m;
  m.values = {1.0};
  const std::vector<RowResult> results{score(five, m, Prediction{2.0}), score(other, m, Prediction{2.0}),
                                       score(fifty, m, Prediction{2.0}), score(bare, m, Prediction{2.0})};
  const std::string md = render_markdown(results, RunInfo{});
  const std::string evidence = md.substr(md.find("## Why each row outside differs"));
  CHECK(evidence.find("\n### CPU-bound: gap, 5 ms; gap, 50 ms\n\nThe host's halt polling decides.\n") != std::string::npos);
  CHECK(evidence.find("The host's halt polling decides.") == evidence.rfind("The host's halt polling decides."));
  CHECK(evidence.find("\n### CPU-bound: start\n\nfork_start is calibrated on a quiet machine.\n") != std::string::npos);
  CHECK(evidence.find("\nNot explained yet: CPU-bound: bare.\n") != std::string::npos);
  CHECK(evidence.find("### CPU-bound: gap") < evidence.find("### CPU-bound: start"));
}

TEST_CASE("a `why` quotes its own row's figures as the table prints them, so they follow the model") {
  SuiteRow five = ratio_row(), fifty = ratio_row();
  five.label = "per op, 5 ms";
  fifty.label = "per op, 50 ms";
  five.summary = fifty.summary = "The host wakes threads its own way.";
  five.why = fifty.why = "CPython took {cpython}, the model {model} ({model} under every seed)";
  Measurement m;
  m.values = {1.25};
  const RowResult five_result = score(five, m, Prediction{2.0});
  CHECK(why_with_figures(five_result) == "CPython took 1.25x, the model 2.00x (2.00x under every seed)");
  Measurement none;
  CHECK(why_with_figures(score(five, none, Prediction{0.5})) ==
        "CPython took (not measured), the model 0.50x (0.50x under every seed)");

  // One why, two rows whose figures differ: two paragraphs, each with its own figures.
  const std::vector<RowResult> results{five_result, score(fifty, m, Prediction{3.0})};
  const std::string md = render_markdown(results, RunInfo{});
  const std::string evidence = md.substr(md.find("## Why each row outside differs"));
  CHECK(evidence.find("\n### CPU-bound: per op, 5 ms\n\nCPython took 1.25x, the model 2.00x (2.00x under every seed).\n") !=
        std::string::npos);
  CHECK(evidence.find("\n### CPU-bound: per op, 50 ms\n\nCPython took 1.25x, the model 3.00x (3.00x under every seed).\n") !=
        std::string::npos);
}

TEST_CASE("what this means for a class: the effects CPython confirmed, the rows to present with care, from the verdicts") {
  SuiteRow sleeps = ratio_row();
  sleeps.effect = "10 sleeps";
  sleeps.kind = RowKind::Time;
  sleeps.lesson_title = "02 I/O-bound work: threads and asyncio overlap the waits";
  SuiteRow loop = sleeps, threads = sleeps, cpu = ratio_row(), pool = ratio_row();
  loop.label = "sequential";
  threads.label = "a thread each";
  pool.label = "Pool(2), fork";
  pool.summary = "Starting the pool costs more than the model's estimate.";
  pool.why = "traced";
  Measurement m;
  m.values = {1.0};
  Measurement starved;
  starved.starved = {"0.4 core(s) free before the run, 2 needed"};
  const std::vector<RowResult> results{score(loop, m, Prediction{1.0}), score(threads, m, Prediction{1.05}),
                                       score(cpu, m, Prediction{1.0}), score(pool, m, Prediction{2.0}),
                                       score(pool, starved, Prediction{2.0})};
  CHECK(class_lines(results) ==
        std::vector<std::string>{
            "CPython on this machine confirms these effects as the model shows them (rows within tolerance):",
            "- 10 sleeps, for lesson \"02 I/O-bound work: threads and asyncio overlap the waits\": both rows "
            "(sequential; a thread each).",
            "- CPU-bound: 1 of 3 rows (threads / sequential).",
            "Present these rows with care: CPython and the model differ, for the reason given.",
            "- CPU-bound, \"Pool(2), fork\": Starting the pool costs more than the model's estimate.",
            "Not scored in this run, the machine too busy to measure them: CPU-bound (1 row)."});
  // Nothing confirmed and nothing measured say so, with no list.
  CHECK(class_lines({score(pool, m, Prediction{2.0})}).front() ==
        "CPython on this machine confirmed no effect as the model shows it in this run.");
  CHECK(class_lines({score(pool, {}, Prediction{2.0})}) ==
        std::vector<std::string>{"Nothing was scored: no row has a measurement to compare with the model."});
}

TEST_CASE("every row with a `why` has a summary a teacher can say: one sentence, under 25 words, no figures") {
  const Suite suite = load_suite(kSuiteFile);
  int summaries = 0;
  for (const auto& row : suite.rows) {
    CAPTURE(row.label);
    CHECK(row.why.empty() == row.summary.empty());
    if (row.summary.empty()) continue;
    ++summaries;
    const std::string& s = row.summary;
    CAPTURE(s);
    CHECK(std::isupper(static_cast<unsigned char>(s.front())));
    CHECK(s.back() == '.');
    // One sentence: no full stop, question or exclamation mark before the last character.
    CHECK(s.substr(0, s.size() - 1).find_first_of(".?!") == std::string::npos);
    CHECK(s.find('\n') == std::string::npos);
    int words = 0;
    bool in_word = false;
    for (const char c : s) {
      if (c != ' ' && !in_word) ++words;
      in_word = c != ' ';
    }
    CHECK(words <= 25);
    // The mechanism, not the figures: the figures are in `why` and move with each measurement.
    CHECK(s.find_first_of("0123456789") == std::string::npos);
  }
  CHECK(summaries > 0);
}

namespace {

trace::Span span(std::int64_t begin_us, std::int64_t end_us, trace::SpanState state, std::uint32_t subject = trace::kNone) {
  trace::Span s;
  s.begin = Time{begin_us * 1000};
  s.end = Time{end_us * 1000};
  s.state = state;
  s.subject = subject;
  return s;
}

/// Main (lane 1) and two job threads (lanes 2 and 3) on one GIL (lane 0), switch interval 5 ms.
trace::Trace two_threads() {
  trace::Trace t;
  t.run_name = "threads";
  t.switch_interval = Time{5'000'000};
  t.processes.push_back({"main", 0});
  t.lanes.push_back({"GIL", trace::LaneKind::Gil, 0, {}});
  for (const char* name : {"main", "T1", "T2"}) t.lanes.push_back({name, trace::LaneKind::Thread, 0, {}});
  t.templates.push_back({"reader", {"io 1 us"}});
  t.templates.push_back({"hog", {"cpu 1 s"}});
  t.jobs.push_back({"reader 1", 0, Time{}, Time{}, 2, {}});
  t.jobs.push_back({"hog 1", 1, Time{}, Time{}, 3, {}});
  return t;
}

}  // namespace

TEST_CASE("GIL tenure and hand-off gap: the job threads' holds, the first and last left out") {
  trace::Trace t = two_threads();
  using trace::SpanState;
  t.lanes[0].spans = {span(0, 100, SpanState::Held, 1),         // main starts the threads: not a contender
                      span(110, 5'110, SpanState::Held, 2),     // cut short by the start: left out
                      span(5'130, 10'140, SpanState::Held, 3),  // 5.01 ms, after a 20 us gap
                      span(10'180, 15'200, SpanState::Held, 2),  // 5.12 ms with the next, after a 40 us gap
                      span(15'230, 15'300, SpanState::Held, 2),  // back before 3 held it: the same hold
                      span(15'310, 20'320, SpanState::Held, 3),  // 5.01 ms after a 10 us gap
                      span(20'400, 21'000, SpanState::Held, 3),  // back after 80 us, 2 never held it: the same hold
                      span(21'050, 22'000, SpanState::Held, 2)};  // cut short by the end: left out
  const GilHolds holds = gil_holds(t);
  CHECK(holds.tenures ==
        std::vector<Time>{Time{5'010'000}, Time{5'120'000}, Time{5'690'000}});
  CHECK(holds.gaps == std::vector<Time>{Time{40'000}, Time{10'000}});
}

TEST_CASE("a read loses the GIL when a wait of more than half an interval follows it") {
  trace::Trace t = two_threads();
  using trace::SpanState;
  t.lanes[2].spans = {span(0, 5'000, SpanState::WaitingGil),  // before the first read: not a read's
                      span(5'000, 5'001, SpanState::BlockedIo),
                      span(5'001, 5'003, SpanState::Running),
                      span(5'003, 5'004, SpanState::BlockedIo),
                      span(5'004, 10'004, SpanState::WaitingGil),  // lost: a whole interval
                      span(10'004, 10'005, SpanState::BlockedIo),
                      span(10'005, 12'000, SpanState::WaitingGil)};  // 1.995 ms: under half an interval
  CHECK(lost_reads(t, "reader") == std::vector<bool>{false, true, false});
  CHECK_THROWS_WITH_AS(lost_reads(t, "writer"), doctest::Contains("has no job 'writer'"), SuiteError);
}

// ---- the model's side of each effect, as far as today's model reproduces it ----------------

TEST_CASE("model: sleeps overlap under threads, a pool of 6 and asyncio; a loop adds them up") {
  const Suite suite = load_suite(kSuiteFile);
  CHECK(model_figure(suite, "sequential") == doctest::Approx(0.500).epsilon(0.01));
  CHECK(model_figure(suite, "a thread each") == doctest::Approx(0.050).epsilon(0.05));
  CHECK(model_figure(suite, "thread pool of 6") == doctest::Approx(0.100).epsilon(0.05));  // two rounds of 6
  CHECK(model_figure(suite, "asyncio") == doctest::Approx(0.050).epsilon(0.05));
}

TEST_CASE("model: a blocking call stalls the loop, to_thread overlaps it") {
  const Suite suite = load_suite(kSuiteFile);
  // 50 ms of sleeps together, then ten 20 ms calls one after another.
  CHECK(model_figure(suite, "blocking call in the coroutine") == doctest::Approx(0.250).epsilon(0.05));
  // 50 ms, then the calls on 6 threads: two rounds of 20 ms.
  CHECK(model_figure(suite, "the call in asyncio.to_thread") == doctest::Approx(0.090).epsilon(0.05));
}

TEST_CASE("model: the convoy with one release per operation costs a switch interval per operation") {
  const Suite suite = load_suite(kSuiteFile);
  // A 1 ms wait, then a whole interval before the CPU-bound thread is made to drop the GIL.
  CHECK(model_figure(suite, "1 release per op, 5 ms: time per op") == doctest::Approx(0.006).epsilon(0.1));
  CHECK(model_figure(suite, "1 release per op, 50 ms: time per op") == doctest::Approx(0.051).epsilon(0.1));
}

TEST_CASE("model: processes run CPU-bound work in parallel; chunks decide whether a pool pays") {
  const Suite suite = load_suite(kSuiteFile);
  CHECK(model_figure(suite, "Pool(2) / sequential") == doctest::Approx(0.5).epsilon(0.1));
  // Chunks of one task gain nothing from the second core (CPython: 1.01x the loop, 0.99x to
  // 1.11x, docs/fidelity-cpython.md); Pool.map's chunks make the pool pay.
  CHECK(model_figure(suite, "chunksize 1 / sequential") > 0.9);
  CHECK(model_figure(suite, "Pool.map default / sequential") < 0.75);  // faster than a loop
  CHECK(model_figure(suite, "chunksize 1 / sequential") > 1.5 * model_figure(suite, "Pool.map default / sequential"));
  CHECK(model_figure(suite, "8 threads / sequential") < 0.65);         // reads copy without the GIL
}

TEST_CASE("model: a forked Pool's first result in about 4 ms and 2 ms per extra worker; a spawned one in about 40 ms") {
  // The rows CPython gave on a quiet machine (docs/model.md P4): 4.1 ms, 1.9 ms and 40.5 ms.
  const Suite suite = load_suite(kSuiteFile);
  CHECK(model_figure(suite, "fork, Pool(1): first result") == doctest::Approx(4.1e-3).epsilon(0.1));
  CHECK(model_figure(suite, "fork, per extra worker") == doctest::Approx(1.9e-3).epsilon(0.1));
  CHECK(model_figure(suite, "spawn, Pool(1): first result") == doctest::Approx(40.5e-3).epsilon(0.1));
}

TEST_CASE("model: a CPU-bound thread holds the GIL at least one switch interval") {
  const Suite suite = load_suite(kSuiteFile);
  CHECK(model_figure(suite, "median tenure, 1 ms") >= 0.001);
  CHECK(model_figure(suite, "median tenure, 5 ms") >= 0.005);
  CHECK(model_figure(suite, "median tenure, 20 ms") >= 0.020);
  CHECK(model_figure(suite, "median hand-off gap, 5 ms") > 0.0);
}

TEST_CASE("with unequal cores (S7), a prediction is the mean over the cores' orders") {
  scenario::Scenario s = scenario::load_string(R"toml(title = "t"
[machine]
cores = 2
[[job]]
name = "crunch"
count = 4
steps = [ { cpu = "1s" } ]
[[run]]
name = "sequential"
executor = "sequential"
[[run]]
name = "Pool(2)"
executor = "process_pool"
workers = 2
chunksize = 1
start_method = "fork"
)toml",
                                               "s.toml");
  CHECK(core_orders(s).size() == 1);  // one speed: one order
  s.machine.core_speeds = {1.0, 1.0};
  CHECK(core_orders(s).size() == 1);
  s.machine.core_speeds = {1.25, 0.75};
  const auto orders = core_orders(s);
  REQUIRE(orders.size() == 2);
  CHECK(orders[0].machine.speed_of(0) == 1.25);
  CHECK(orders[0].machine.speed_of(1) == 0.75);
  CHECK(orders[1].machine.speed_of(0) == 0.75);
  CHECK(orders[1].machine.speed_of(1) == 1.25);
  s.machine.core_speeds = {0.5};  // core 1 runs at 1.0
  REQUIRE(core_orders(s).size() == 2);
  CHECK(core_orders(s)[1].machine.speed_of(1) == 0.5);

  // The loop runs on core 0: 4 s at 1.25, 4 s at 0.75, a mean of 4.267 s, the mean of the
  // two orders; the loop alone adds nothing to the 4 s of work. (Jobs of a second, so that
  // a handler thread's wait for a core, up to a quantum (S2, G8a), is lost in the ratio.)
  s.machine.core_speeds = {1.25, 0.75};
  SuiteRow row;
  row.label = "sequential";
  row.scenario = "s.toml";
  row.model.run = "sequential";
  CHECK(predict(row, s).value == doctest::Approx((4.0 / 1.25 + 4.0 / 0.75) / 2).epsilon(1e-6));
  // A pool waits for its slower worker: slower than with both cores at their mean speed.
  row.model.run = "Pool(2)";
  row.model.over = "sequential";
  const double unequal = predict(row, s).value;
  s.machine.core_speeds = {};
  const double equal = predict(row, s).value;
  MESSAGE("Pool(2) / sequential: " << equal << " on equal cores, " << unequal << " on 1.25 and 0.75");
  CHECK(unequal > equal * 1.03);  // 5.9 % with P6-P7's message costs (docs/model.md)
}

TEST_CASE("core speeds from cpu_speeds.py's probes: mean rates scaled to a mean of 1.0, noise left out") {
  const auto probe = [](double cpu0, double cpu1) {
    return parse_program_output(
        fmt::format(R"({{"program": "cpu_speeds", "python": "3.11.2", "sections": {{)"
                    R"("cpu0": {{"cores": 1, "wall": 0.2, "cpu": 0, "loop": {}}}, )"
                    R"("cpu1": {{"cores": 1, "wall": 0.2, "cpu": 0, "loop": {}}}}}}})",
                    cpu0, cpu1),
        "cpu_speeds.py");
  };
  CoreSpeedProbes probes;
  CHECK(probes.speeds().empty());
  CHECK(probes.describe().empty());
  // One CPU takes 20 ms a loop, the other 30 ms: rates 50 and 33.3 a second, mean 41.7.
  probes.add(probe(0.020, 0.030));
  auto speeds = probes.speeds();
  REQUIRE(speeds.size() == 2);
  CHECK(speeds[0] == doctest::Approx(1.2));
  CHECK(speeds[1] == doctest::Approx(0.8));
  CHECK(probes.describe() == "CPU 0 20.0 ms (20.0 ms); CPU 1 30.0 ms (30.0 ms); relative speeds 1.20, 0.80");
  // A second probe alike: the same speeds.
  probes.add(probe(0.020, 0.030));
  CHECK(probes.speeds()[0] == doctest::Approx(1.2));
  // CPUs 2 % apart while one CPU's own probes differ by 10 %: noise, every core 1.0.
  CoreSpeedProbes noisy;
  noisy.add(probe(0.020, 0.0204));
  noisy.add(probe(0.022, 0.0204));
  CHECK(noisy.speeds().empty());
  CHECK(noisy.describe() == "CPU 0 21.0 ms (20.0, 22.0 ms); CPU 1 20.4 ms (20.4, 20.4 ms); no difference beyond the "
                            "probes' own spread: every core 1.0");
  // A probe with no CPU section, or a probe of another machine, is refused.
  CHECK_THROWS_WITH_AS(probes.add(parse_program_output(R"({"program": "cpu_speeds", "python": "3", "sections": {}})",
                                                       "cpu_speeds.py")),
                       "cpu_speeds.py: no section cpu0", SuiteError);
}
