// `gilsim sweep` in-process: the table and chart of the example, rows written
// atomically, the same bytes whatever --jobs, and exit 2 with a clear line for bad input.
#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <tuple>
#include <vector>

#include <fmt/format.h>

#include "sim/cli/cli_app.hpp"
#include "sim/cli/text_chart.hpp"
#include "tests/text_files.hpp"

namespace fs = std::filesystem;

namespace {

struct Result {
  int code;
  std::string out;
  std::string err;
};

Result run_gilsim(std::vector<std::string> args) {
  args.insert(args.begin(), "gilsim");
  std::vector<const char*> argv;
  for (const auto& a : args) argv.push_back(a.c_str());
  std::ostringstream out, err;
  const int code = gilsim::cli::run_cli(static_cast<int>(argv.size()), argv.data(), out, err);
  return {code, out.str(), err.str()};
}

using gilsim::testing::lines_of;
using gilsim::testing::read_text;

const std::string kScenarios = std::string(GILSIM_SOURCE_DIR) + "/scenarios/";
const fs::path kOut = fs::path(GILSIM_BINARY_DIR) / "tests" / "cli";

}  // namespace

TEST_CASE("a sweep point that goes past the model's limit is named, with the command that runs it alone") {
  // cross_spread = 0: the result handler loses every race for the parent's GIL (docs/model.md G8d).
  const Result r = run_gilsim({"sweep", kScenarios + "09-pool-sizing.toml", "--vary", "costs.cross_spread=0,1",
                               "--jobs", "2"});
  CHECK(r.code == 2);
  CHECK(r.out.empty());
  CHECK(r.err.rfind("gilsim: the sweep stopped at costs.cross_spread=0: run 'Pool(2)' went past the limit", 0) == 0);
  CHECK(r.err.find("(this point alone: gilsim run with --set costs.cross_spread=0 and --max-events N; or leave it "
                   "out of the grid)\n") != std::string::npos);
}

TEST_CASE("a sweep's export to standard output replaces the report there, as gilsim run's does") {
  for (const std::string option : {"--json", "--csv"}) {
    const Result r = run_gilsim({"sweep", kScenarios + "20-sweep-pool-size.toml", "--vary", "workers=1..3", option, "-",
                                 "--jobs", "1"});
    INFO(option);
    CHECK(r.code == 0);
    CHECK(r.out.find("wrote") == std::string::npos);
    CHECK(r.out.find("Speed-up against") == std::string::npos);
    if (option == "--json") {
      CHECK(r.out.rfind("{", 0) == 0);
    } else {
      CHECK(r.out.rfind("point,workers,seed,run,", 0) == 0);
    }
  }
}

TEST_CASE("lesson 7's convoy as a curve: the GIL wait grows with the interval, as each run's table says") {
  // The speed-up barely moves (1.11x to 1.01x) while the reader's waits grow: the lesson's point.
  const Result r = run_gilsim({"sweep", kScenarios + "07-convoy.toml", "--vary", "switch_interval=1ms..64ms*2",
                               "--metric", "gil-wait", "--run", "threads", "--width", "80"});
  CHECK(r.code == 0);
  CHECK(r.out.find("  switch_interval: 7 values, 1.00 ms to 64.0 ms, charted on a log scale\n") != std::string::npos);
  CHECK(r.out.find("\nGIL wait against switch_interval\n") != std::string::npos);
  CHECK(r.out.find("switch_interval (log scale)") != std::string::npos);
  // Each point's GIL wait is the run table's, run by run, in its GIL wait column (the 7th),
  // growing with the interval.
  const auto wait_cell = [](const std::string& out, const std::string& first) {
    for (const auto& line : lines_of(out)) {
      std::istringstream words(line);
      std::vector<std::string> cells;
      for (std::string w; words >> w;) cells.push_back(w);
      if (!cells.empty() && cells[0] == first && cells.size() >= 10) return cells[7] + " " + cells[8];
    }
    return std::string();
  };
  for (const auto& [interval, shown, wait] : {std::tuple{"1ms", "1.00", "129 ms"}, std::tuple{"64ms", "64.0", "855 ms"}}) {
    const Result run = run_gilsim({"run", kScenarios + "07-convoy.toml", "--set",
                                   std::string("switch_interval=") + interval, "--run", "threads", "--no-timeline"});
    REQUIRE(run.code == 0);
    CHECK(wait_cell(run.out, "threads") == wait);  // run  executor  makespan  speedup  busy  held  wait
    CHECK(r.out.find(fmt::format("{} ms", shown)) != std::string::npos);
    CHECK(r.out.find(std::string(wait) + "  ") != std::string::npos);
  }
}

TEST_CASE("--metric gil-wait: a run with no GIL waits for none, and an axis of zeros reads in milliseconds") {
  const Result r = run_gilsim({"sweep", kScenarios + "12-free-threaded.toml", "--vary", "cores=1,2", "--metric",
                               "gil-wait", "--width", "80"});
  REQUIRE(r.code == 0);
  CHECK(r.out.find("did not finish") == std::string::npos);  // it finished: a line along 0, no 'x'
  const Result zeros = run_gilsim({"sweep", kScenarios + "07-convoy.toml", "--vary", "cores=1,2", "--metric",
                                   "gil-wait", "--run", "sequential", "--width", "80"});
  REQUIRE(zeros.code == 0);
  CHECK(zeros.out.find("1.00 ms |") != std::string::npos);
  CHECK(zeros.out.find(" ns |") == std::string::npos);
}

TEST_CASE("sweeping workers 1..16 over lesson 9 prints a table per run and the chart, and one CSV row per run x point") {
  const fs::path csv = kOut / "sweep_pool_sizing.csv";
  fs::remove(csv);
  const Result r = run_gilsim({"sweep", kScenarios + "09-pool-sizing.toml", "--vary", "workers=1..16", "--width", "90",
                               "--csv", csv.string()});
  CHECK(r.code == 0);
  CHECK(r.err.empty());
  CHECK(r.out.find("  workers: 16 values, 1 to 16\n") != std::string::npos);
  CHECK(r.out.find("\nPool(16) (process_pool)\nworkers  makespan  speedup  cores busy  GIL held  GIL wait  switches\n") !=
        std::string::npos);
  CHECK(r.out.find("\nSpeed-up against workers\n") != std::string::npos);
  // The names stating a pool's size keep the file's; the legend says the sweep varies it.
  CHECK(r.out.find("1: Pool(2) (workers varied)   2: Pool()   3: Pool(8) (workers varied)\n4: Pool(16) (workers "
                   "varied)\n*: 'Pool(2)', 'Pool()', 'Pool(8)' and 'Pool(16)' within a row") != std::string::npos);
  const auto chart = lines_of(r.out.substr(r.out.find("\nSpeed-up against")));
  for (const auto& line : chart) CHECK_MESSAGE(line.size() <= 90, line);
  const auto rows = lines_of(read_text(csv));
  REQUIRE(rows.size() == 1 + 16 * 4);
  CHECK(rows[0] ==
        "point,workers,seed,run,makespan_ns,speedup,cores_busy,gil_held,gil_lanes,gil_wait_ns,switches,jobs_done,"
        "lost_updates,outcome");
  CHECK(rows[1].ends_with(",8,,finished"));  // eight jobs done; no counters: no lost updates, an empty cell
  CHECK(rows[1].starts_with("0,1,1,Pool(2),"));
  CHECK(rows[64].starts_with("15,16,1,Pool(16),"));
  // A pool has a GIL per process, the parent's and each worker's: the busiest is shown, as "max".
  const auto fields = [](const std::string& row) {
    std::vector<std::string> out(1);
    for (const char c : row) {
      if (c == ',') {
        out.emplace_back();
      } else {
        out.back().push_back(c);
      }
    }
    return out;
  };
  CHECK(fields(rows[1])[8] == "2");    // workers=1: the parent and one worker
  CHECK(fields(rows[64])[8] == "17");  // Pool(16)
  const std::string pool16 = r.out.substr(r.out.find("\nPool(16) (process_pool)\n"));
  CHECK(lines_of(pool16)[4].find(" max ") != std::string::npos);  // its first row, workers=1
  CHECK(pool16.find("\nGIL held, max: the busiest of the run's GILs.") != std::string::npos);
}

TEST_CASE("a sweep of one point says it makes one simulation, in the singular") {
  const fs::path scenario = kOut / "sweep_one_run.toml";
  std::ofstream(scenario) << "title = \"one run\"\n[[job]]\nname = \"work\"\nsteps = [{ cpu = \"1ms\" }]\n[[run]]\nexecutor = \"threads\"\n";
  const Result one = run_gilsim({"sweep", scenario.string(), "--vary", "cores=2"});
  CHECK(one.code == 0);
  CHECK(one.out.find("  cores: 1 value, 2\n") != std::string::npos);
  CHECK(one.out.find("  1 grid point x 1 seed x 1 run: 1 simulation\n") != std::string::npos);
  const Result two = run_gilsim({"sweep", kScenarios + "09-pool-sizing.toml", "--vary", "workers=2,3"});
  CHECK(two.out.find("  2 grid points x 1 seed x 4 runs: 8 simulations\n") != std::string::npos);
}

TEST_CASE("the output and the files are the same bytes whatever --jobs") {
  std::vector<std::string> outputs, csvs, jsons;
  for (const char* jobs : {"1", "2", "3"}) {
    const fs::path csv = kOut / (std::string("sweep_jobs_") + jobs + ".csv");
    const fs::path json = kOut / (std::string("sweep_jobs_") + jobs + ".json");
    const Result r = run_gilsim({"sweep", "--vary", "cores=1..4", "--vary", "switch_interval=1ms..4ms*2", "--seeds",
                                 "2", "--jobs", jobs, "--width", "80", "--csv", csv.string(), "--json", json.string()});
    REQUIRE(r.code == 0);
    // The file names differ by --jobs; the rest of the output must not.
    std::string out = r.out;
    out = out.substr(0, out.find("\nwrote "));
    outputs.push_back(out);
    csvs.push_back(read_text(csv));
    jsons.push_back(read_text(json));
  }
  CHECK(outputs[0].find("± ") != std::string::npos);  // two seeds: mean and spread
  CHECK(lines_of(csvs[0]).size() == 1 + 4 * 3 * 2 * 4);
  CHECK(jsons[0].find("\"rows\"") != std::string::npos);
  for (std::size_t i = 1; i < outputs.size(); ++i) {
    CHECK(outputs[i] == outputs[0]);
    CHECK(csvs[i] == csvs[0]);
    CHECK(jsons[i] == jsons[0]);
  }
}

TEST_CASE("bad sweep input exits with 2, says what is wrong, and writes nothing") {
  const fs::path csv = kOut / "sweep_refused.csv";
  fs::remove(csv);
  const auto refused = [&](std::vector<std::string> args) {
    args.insert(args.begin(), {"sweep", kScenarios + "09-pool-sizing.toml"});
    args.insert(args.end(), {"--csv", csv.string()});
    const Result r = run_gilsim(args);
    CHECK(r.code == 2);
    CHECK(r.out.empty());
    CHECK_FALSE(fs::exists(csv));
    return r.err;
  };
  CHECK(refused({"--vary", "core=1,2"}).starts_with("--vary core: unknown key 'core'; expected a shorthand"));
  CHECK(refused({"--vary", "workers="}) == "--vary workers=: there are no values after '='; expected a list such as "
                                           "1,2,4,8 or a range such as 1..16\n");
  CHECK(refused({"--vary", "workers=1..16:0"}) == "--vary workers=1..16:0: the step of '1..16:0' is zero; expected a "
                                                  "step above zero, such as 1..16:2\n");
  CHECK(refused({"--vary", "workers=1..16*1"}).starts_with("--vary workers=1..16*1: '1..16*1' multiplies by 1 and "
                                                           "never reaches 16"));
  CHECK(refused({"--vary", "workers=0..4"}) == "--vary workers=0: 'workers' is 0; expected an integer from 1 to 10000\n");
  // A value the file's own keys refuse names the value first: the file's place alone read as
  // if the lesson's file were wrong.
  CHECK(refused({"--vary", "run.3.executor=process_pool,threads"}) ==
        "at run.3.executor=threads: " + kScenarios + "09-pool-sizing.toml:39:11: 'workers' does not apply to threads "
        "runs; expected it only on thread_pool, process_pool, process_pool_executor and asyncio runs\n");
  CHECK(refused({"--vary", "workers=1..16", "--vary", "seed=1..1000"}).starts_with(
      "gilsim: the sweep asks for 64000 simulations"));
  CHECK(refused({"--vary", "workers=1,2", "--run", "nope"}).starts_with("gilsim: "));
  CHECK(refused({}).find("--vary is required") != std::string::npos);
  CHECK(refused({"--vary", "workers=1,2", "--jobs", "0"}).find("--jobs") != std::string::npos);
  CHECK(refused({"--vary", "workers=1,2", "--metric", "speed"}) ==
        "gilsim: --metric speed: unknown metric; expected one of speedup, gil-wait, lost-updates\n");
  // Lesson 9 has no counters: nothing to lose, and a chart of zeros would say otherwise.
  CHECK(refused({"--vary", "workers=1,2", "--metric", "lost-updates"}) ==
        "gilsim: --metric lost-updates: '09 Pool sizing: one process per core, and no more' has no [counters], so "
        "nothing can be lost; expected a scenario with shared counters, such as 15-lost-update\n");
}

TEST_CASE("a run the varied value leaves unchanged is named: lesson 11's old GIL under the switch interval") {
  const Result r = run_gilsim({"sweep", kScenarios + "11-old-gil.toml", "--vary", "switch_interval=1ms..16ms*2",
                               "--width", "1000"});
  REQUIRE(r.code == 0);
  CHECK(r.out.find("The varied value leaves 'sequential', 'old GIL, 2 cores' and 'old GIL, 1 core' unchanged: the "
                   "same figures at every point.\n") != std::string::npos);
  const Result one = run_gilsim({"sweep", kScenarios + "11-old-gil.toml", "--vary", "switch_interval=5ms"});
  CHECK(one.out.find("unchanged") == std::string::npos);  // one point: nothing to compare
}

TEST_CASE("a gil axis whose baseline runs slower without a GIL says each speed-up is against its own point's") {
  const Result r = run_gilsim({"sweep", kScenarios + "01-cpu-bound.toml", "--vary", "gil=new,old,none", "--width", "1000"});
  REQUIRE(r.code == 0);
  CHECK(r.out.find("'sequential' itself takes 1.000 s at gil = new, 1.000 s at gil = old, 1.080 s at gil = none: "
                   "without a GIL, Python runs slower even alone (docs/model.md F2), and each speed-up is against "
                   "'sequential' at its own point.\n") != std::string::npos);
  // docs/sweeps.md quotes the line as it prints (its line breaks aside).
  std::ifstream doc(std::string(GILSIM_SOURCE_DIR) + "/docs/sweeps.md");
  std::string text((std::istreambuf_iterator<char>(doc)), std::istreambuf_iterator<char>());
  std::replace(text.begin(), text.end(), '\n', ' ');
  CHECK(text.find("`'sequential' itself takes 1.000 s at gil = new, 1.000 s at gil = old, 1.080 s at gil = none`") !=
        std::string::npos);
  // Its table left out by --run: its time from a shown run's (one seed).
  const Result hidden = run_gilsim({"sweep", kScenarios + "01-cpu-bound.toml", "--vary", "gil=new,none", "--run",
                                    "4 threads", "--width", "1000"});
  REQUIRE(hidden.code == 0);
  CHECK(hidden.out.find("'sequential' itself takes 1.000 s at gil = new, 1.080 s at gil = none: without a GIL") !=
        std::string::npos);
  // A threaded baseline faster without a GIL: its times, and no reason that does not hold.
  const Result threaded = run_gilsim({"sweep", kScenarios + "05-responsive-gui.toml", "--vary", "gil=new,none",
                                      "--width", "1000"});
  REQUIRE(threaded.code == 0);
  CHECK(threaded.out.find("'switch 1 ms' itself takes 1.060 s at gil = new, 1.025 s at gil = none, and each "
                          "speed-up is against 'switch 1 ms' at its own point.") != std::string::npos);
  // The GIL builds alone: the baseline does not move, nothing to say.
  const Result same = run_gilsim({"sweep", kScenarios + "01-cpu-bound.toml", "--vary", "gil=new,old"});
  REQUIRE(same.code == 0);
  CHECK(same.out.find("itself takes") == std::string::npos);
}

TEST_CASE("where the seeds disagree, the table marks the mean and names the range") {
  // Lesson 15 at 2.4 ms: every seed's locked threads convoy, for longer or shorter (0.0066x to
  // 0.031x): a mean of 0.012x is no seed's figure.
  const Result r = run_gilsim({"sweep", kScenarios + "15-lost-update.toml", "--vary", "switch_interval=2400us", "--seeds",
                               "5", "--run", "threads", "--width", "1000"});
  CHECK(r.code == 0);
  CHECK(r.out.find("0.012x ± 0.011x!") != std::string::npos);
  CHECK(r.out.find("speed-up at switch_interval = 2.40 ms: 0.0066x to 0.031x") != std::string::npos);
  CHECK(r.out.find("         0 ± 0\n") != std::string::npos);  // no update lost by any seed: no mark
  // One seed: nothing to disagree.
  const Result one = run_gilsim({"sweep", kScenarios + "15-lost-update.toml", "--vary", "switch_interval=2400us",
                                 "--run", "threads", "--width", "1000"});
  CHECK(one.out.find("seeds disagree") == std::string::npos);
}

TEST_CASE("the charted metric's disagreeing cells are named first, and its chart marks their points '!'") {
  // Lesson 15 at 400 us and 2.4 ms: the lost updates disagree at the first point, the speed-up
  // at the second; the speed-up, charted, is named first, and its point is drawn '!'.
  const Result r = run_gilsim({"sweep", kScenarios + "15-lost-update.toml", "--vary", "switch_interval=400us,2400us",
                               "--seeds", "5", "--run", "threads", "--width", "100"});
  REQUIRE(r.code == 0);
  const auto note = r.out.find("! the seeds disagree");
  REQUIRE(note != std::string::npos);
  const std::string text = r.out.substr(note, r.out.find("\n\n", note) - note);
  const auto speedup = text.find("speed-up at switch_interval = 2.40 ms: 0.0066x to 0.031x");
  CHECK(speedup != std::string::npos);
  CHECK(speedup < text.find("lost updates at"));
  // The chart: the point at 2.40 ms is '!', and a line under the legend says what it means.
  std::string chart = r.out.substr(r.out.find("\nSpeed-up against switch_interval"));
  const auto lines = lines_of(chart);
  std::replace(chart.begin(), chart.end(), '\n', ' ');  // the legend's lines are wrapped
  CHECK(std::count_if(lines.begin(), lines.end(), [](const std::string& l) {
          return l.find(" |") != std::string::npos && l.find('!') != std::string::npos;
        }) == 1);
  CHECK(chart.find("!: the seeds disagree there, so the point (their mean) may be no seed's figure: 'threads' at "
                   "2.40 ms (0.0066x to 0.031x)") != std::string::npos);
  // With --metric lost-updates the lost updates are charted, and named first.
  const Result lost = run_gilsim({"sweep", kScenarios + "15-lost-update.toml", "--vary",
                                  "switch_interval=25us..3200us*2", "--seeds", "5", "--run", "threads", "--metric",
                                  "lost-updates", "--width", "100"});
  REQUIRE(lost.code == 0);
  CHECK(lost.out.find("seed's figure: lost updates at switch_interval = 400 us") != std::string::npos);
}

TEST_CASE("a run whose name states a value the sweep varies is said to keep the file's name") {
  // Lesson 2's "10 threads" headed rows of 1 to 64 threads, as gilsim run says "(now 8 threads)".
  const Result r = run_gilsim({"sweep", kScenarios + "02-io-bound.toml", "--vary", "jobs=1..64*2", "--width", "1000"});
  REQUIRE(r.code == 0);
  CHECK(r.out.find("  64    232 ms   28.14x         14%       57%   4.068 s       191\nThe name '10 threads' is the "
                   "file's: each row runs at the value in its 'jobs' column.\n") != std::string::npos);
  CHECK(r.out.find("2: 10 threads (jobs varied)   3: asyncio\n") != std::string::npos);
  CHECK(r.out.find("The name 'asyncio'") == std::string::npos);  // its name states no count
  // One value: nothing the name says changes along the axis.
  const Result one = run_gilsim({"sweep", kScenarios + "02-io-bound.toml", "--vary", "jobs=64", "--width", "1000"});
  CHECK(one.out.find("is the file's") == std::string::npos);
  CHECK(one.out.find("varied)") == std::string::npos);
  // Lesson 8's "switch 5 ms" over its own interval; the runs keeping theirs are not named.
  const Result eight = run_gilsim({"sweep", kScenarios + "08-switch-interval.toml", "--vary",
                                   "interval: run.switch 5 ms.switch_interval=250us,5ms", "--width", "1000"});
  REQUIRE(eight.code == 0);
  CHECK(eight.out.find("The name 'switch 5 ms' is the file's: each row runs at the value in its 'run.switch 5 "
                       "ms.switch_interval' column.\n") != std::string::npos);
  CHECK(eight.out.find("The name 'switch 1 ms'") == std::string::npos);
  CHECK(eight.out.find("switch 5 ms (interval varied)") != std::string::npos);
  // Pools named by their size, under workers.
  const Result nine = run_gilsim({"sweep", kScenarios + "09-pool-sizing.toml", "--vary", "workers=1,4", "--width", "1000"});
  REQUIRE(nine.code == 0);
  CHECK(nine.out.find("The name 'Pool(8)' is the file's: each row runs at the value in its 'workers' column.") !=
        std::string::npos);
  // Keys joined in one axis: every column of it.
  const Result joined = run_gilsim({"sweep", kScenarios + "09-pool-sizing.toml", "--vary", "cores=1,2; workers=2,8",
                                    "--run", "Pool(8)", "--width", "1000"});
  REQUIRE(joined.code == 0);
  CHECK(joined.out.find("The name 'Pool(8)' is the file's: each row runs at the values in its 'cores' and 'workers' "
                        "columns.") != std::string::npos);
  CHECK(nine.out.find("The name 'Pool()'") == std::string::npos);
}

TEST_CASE("a text chart draws a point whose seeds disagree as '!' and names it with their range") {
  gilsim::cli::TextChart chart;
  chart.x_texts = {"1", "2", "3"};
  chart.series.push_back({"a", {1.0, 0.2, 1.0}, {"", "0.01x to 0.96x", ""}});
  std::string text = gilsim::cli::render_text_chart(chart, 50, 9);
  std::replace(text.begin(), text.end(), '\n', ' ');
  CHECK(std::count(text.begin(), text.end(), '!') == 2);  // the point, and the legend's line
  CHECK(text.find("'a' at 2 (0.01x to 0.96x)") != std::string::npos);
  chart.series.front().disagree.clear();
  const std::string plain = gilsim::cli::render_text_chart(chart, 50, 9);
  CHECK(plain.find('!') == std::string::npos);
}

TEST_CASE("--metric lost-updates charts the updates the counters lost, as gilsim run counts them under its table") {
  const fs::path csv = kOut / "sweep_lost_updates.csv";
  fs::remove(csv);
  const Result r = run_gilsim({"sweep", kScenarios + "15-lost-update.toml", "--vary", "job.unsafe.count=1..3", "--metric",
                               "lost-updates", "--width", "80", "--jobs", "2", "--csv", csv.string()});
  REQUIRE(r.code == 0);
  CHECK(r.err.empty());
  CHECK(r.out.find("Lost updates: updates made less the final value, summed over the scenario's\ncounters.\n") !=
        std::string::npos);
  CHECK(r.out.find("\nLost updates against job.unsafe.count\nlost updates\n") != std::string::npos);
  CHECK(r.out.find("Speed-up against") == std::string::npos);
  // A column, the scenario having counters; its header and "cores busy" on two lines at 80 columns.
  CHECK(r.out.find("job.unsafe.                     cores                                   lost\n"
                   "      count  makespan  speedup   busy  GIL held  GIL wait  switches  updates\n") != std::string::npos);
  // Each point's lost updates (here sent back by two worker processes) are gilsim run's at the
  // same values: "lost N of M updates".
  const auto rows = lines_of(read_text(csv));
  REQUIRE(rows.size() == 1 + 3 * 3);
  const auto lost_in_row = [](const std::string& row) {
    const auto end = row.rfind(',');
    return row.substr(row.rfind(',', end - 1) + 1, end - row.rfind(',', end - 1) - 1);
  };
  for (const std::string count : {"1", "2", "3"}) {
    const Result run = run_gilsim({"run", kScenarios + "15-lost-update.toml", "--run", "threads", "--no-timeline",
                                   "--set", "job.unsafe.count=" + count});
    REQUIRE(run.code == 0);
    const auto at = run.out.find("threads: counter = ");
    REQUIRE(at != std::string::npos);
    const std::string line = run.out.substr(at, run.out.find('\n', at) - at);
    std::string lost = "0";
    if (const auto l = line.find(": lost "); l != std::string::npos) {
      lost = line.substr(l + 7, line.find(" of ") - l - 7);
      lost.erase(std::remove(lost.begin(), lost.end(), ','), lost.end());
    }
    CAPTURE(line);
    const auto row = std::find_if(rows.begin(), rows.end(), [&](const std::string& r) {
      return r.find("," + count + ",1,threads,") != std::string::npos;
    });
    REQUIRE(row != rows.end());
    CHECK(lost_in_row(*row) == lost);  // the safe counter loses none: the sum is the unsafe one's
  }
  CHECK(lost_in_row(rows[1]) == "0");  // sequential: nothing lost
  // The chart's y labels count updates, grouped as the tables write counts.
  const std::string chart = r.out.substr(r.out.find("\nLost updates against"));
  CHECK(chart.find(",000 |") != std::string::npos);
  CHECK(chart.find("x |") == std::string::npos);
}

TEST_CASE("a text chart fits its width and labels its axes and lines") {
  gilsim::cli::TextChart chart;
  chart.x_label = "workers";
  chart.y_label = "speed-up";
  chart.x_texts = {"1", "2", "4", "8"};
  chart.x_positions = {1, 2, 4, 8};
  chart.series = {{"pool", {1.0, 2.0, 3.5, 3.0}}, {"threads", {1.0, 1.0, 1.0, 1.0}}};
  const std::string text = gilsim::cli::render_text_chart(chart, 50, 9);
  const auto lines = lines_of(text);
  for (const auto& line : lines) CHECK_MESSAGE(line.size() <= 50, line);
  // 3.5 rounds the axis up to 4.0x in four steps of 1.0; rows are 0.5x apart.
  CHECK(lines[0] == "speed-up");
  CHECK(lines[1].starts_with("4.0x |"));
  CHECK(lines[3].starts_with("3.0x |"));
  CHECK(lines[9].starts_with("0.0x |"));
  // x = 1 in the first column, 8 in the last: the plot is 50 - 4 - 3 = 43 columns, and x = 2
  // and 4 sit at 1/7 and 3/7 of its 42 steps (columns 6 and 18).
  CHECK(lines[7] == "1.0x |*.....2...........2.......................2");
  CHECK(lines[10] == "     +-------------------------------------------");
  CHECK(lines[11] == "      1     2           4                       8");
  CHECK(lines[12].find("workers") != std::string::npos);
  CHECK(lines[13] == "1: pool   2: threads");
  CHECK(lines[14] == "*: 'pool' and 'threads' within a row of each");  // wrapped at 50 columns
  CHECK(lines[15] == "other, at 1");
  CHECK(lines[16] == "(a row is 0.50x; the tables above give each value)");
  CHECK(lines[2].find('1') != std::string::npos);  // pool's 3.5x, between 4.0x and 3.0x
  // Centred in terminal columns: "workers" starts at 6 + (43 - 7) / 2 = 24; a label in
  // Chinese, two columns a character, as far in for as many columns (it sat 4 left when
  // measured in bytes).
  CHECK(lines[12] == std::string(24, ' ') + "workers");
  chart.x_label = "\u5de5\u4eba\u6570\u91cf";  // 工人数量: 4 characters, 8 columns, 12 bytes
  const auto chinese = lines_of(gilsim::cli::render_text_chart(chart, 50, 9));
  CHECK(chinese[12] == std::string(6 + (43 - 8) / 2, ' ') + "\u5de5\u4eba\u6570\u91cf");
  // The legend fills its lines in terminal columns: a run named in 14 Chinese characters (28
  // columns, 42 bytes) and "threads" fit 50 columns on one line, where bytes wrapped them.
  std::string named;
  for (int k = 0; k < 7; ++k) named += "\u4e0b\u8f7d";  // 下载
  chart.series[0].name = named;
  const auto legend = lines_of(gilsim::cli::render_text_chart(chart, 50, 9));
  CHECK(legend[13] == "1: " + named + "   2: threads");
}

TEST_CASE("a text chart puts 1.0x on a row, so runs as fast as the first share it") {
  // Lesson 21's first points: sequential 1.00x, threads 0.99x, a pool near 4x, one run up
  // to 6.39x: the axis goes to 8.0x. In 13 rows 0.67x apart, 1.00x rounded up to the 1.33x
  // row and 0.99x down to the 0.67x row; rows 0.5x apart put both on the 1.0x row.
  gilsim::cli::TextChart chart;
  chart.x_label = "waiting";
  chart.x_texts = {"0ms", "90ms"};
  chart.series = {{"sequential", {1.0, 1.0}}, {"threads", {0.99, 6.39}}, {"pool", {3.92, 3.92}}};
  const auto lines = lines_of(gilsim::cli::render_text_chart(chart, 50));
  REQUIRE(lines.size() >= 17);
  CHECK(lines[0].starts_with("8.0x |"));
  CHECK(lines[4].starts_with("6.0x |"));
  CHECK(lines[16].starts_with("0.0x |"));
  CHECK(lines[14].starts_with("     |*"));  // 1.0x: sequential and threads in one cell
  CHECK(lines[8].starts_with("4.0x |3"));   // 3.92x is nearest 4.0x
  CHECK(lines[3].ends_with("2"));           // 6.39x is nearest 6.5x
  // An axis to 4.0x already has 1.0x on its fourth row from the bottom: 13 rows stay.
  chart.series = {{"sequential", {1.0, 1.0}}, {"threads", {0.99, 3.5}}};
  const auto four = lines_of(gilsim::cli::render_text_chart(chart, 50));
  CHECK(four[12].starts_with("0.0x |"));
  CHECK(four[9].starts_with("1.0x |*"));
}

TEST_CASE("a sweep of a deadlock shows no speed-up for the deadlocked run: a cell that says so, a gap marked on the axis") {
  const Result r = run_gilsim({"sweep", kScenarios + "16-deadlock.toml", "--vary", "cores=1..3", "--width", "60"});
  CHECK(r.code == 0);
  INFO(r.out);
  // It read "1.09 ms 5.53x": deadlocking looked five times faster than running one after the other.
  CHECK(r.out.find("5.5") == std::string::npos);
  CHECK(r.out.find("    1  deadlocked        -     7%") != std::string::npos);  // "cores busy" on two lines
  CHECK(r.out.find("    3  deadlocked        -") != std::string::npos);
  const auto lines = lines_of(r.out);
  const auto axis = std::find_if(lines.begin(), lines.end(), [](const std::string& l) {
    const auto first = l.find_first_not_of(' ');
    return first != std::string::npos && l[first] == '+';
  });
  REQUIRE(axis != lines.end());
  CHECK(std::count(axis->begin(), axis->end(), 'x') == 3);  // one mark per point without a speed-up
  CHECK(r.out.find("x on the axis: no speed-up there, the run did not finish\n  threads: deadlocked at 1, 2, 3\n") !=
        std::string::npos);
  // The curve's top is the runs that finished: sequential's 1.0x, not the deadlock's 5.5x.
  CHECK(r.out.find("1.00x |1.....") != std::string::npos);
}

TEST_CASE("a text chart's tick labels are never cut: one that does not fit is left out whole, the last always shows") {
  // Lesson 17's bytes, 100 to 100,000,000 by ten: "10 MB" was cut to "1000000" by "100000000".
  const Result r = run_gilsim({"sweep", kScenarios + "17-big-results.toml", "--vary",
                               "job.crunch.result_bytes=100..100000000*10", "--run", "pool of 4"});
  CHECK(r.code == 0);
  INFO(r.out);
  const auto lines = lines_of(r.out);
  const auto ticks = std::find_if(lines.begin(), lines.end(), [](const std::string& l) {
    return l.starts_with("      100 B") && l.find("100 MB") != std::string::npos;
  });
  REQUIRE(ticks != lines.end());
  std::istringstream words(*ticks);
  std::vector<std::string> shown;
  for (std::string number, unit; words >> number >> unit;) shown.push_back(number + " " + unit);
  CHECK(shown == std::vector<std::string>{"100 B", "1 kB", "10 kB", "100 kB", "1 MB", "10 MB", "100 MB"});
  CHECK(r.out.find("job.crunch.result_bytes: 7 values, 100 B to 100 MB") != std::string::npos);
  // The same axis with bare digits, as before values had units: every label whole, or left out.
  gilsim::cli::TextChart chart;
  chart.x_texts = {"100", "1000", "10000", "100000", "1000000", "10000000", "100000000"};
  chart.x_positions = {1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8};
  chart.log_x = true;
  chart.series = {{"pool of 4", {3.06, 3.06, 3.06, 3.19, 2.83, 1.28, 0.17}}};
  for (const int width : {100, 80, 60}) {
    INFO(width);
    const auto chart_lines = lines_of(gilsim::cli::render_text_chart(chart, width));
    const auto tick_line = std::find_if(chart_lines.begin(), chart_lines.end(), [](const std::string& l) {
      return l.find("100000000") != std::string::npos;
    });
    REQUIRE(tick_line != chart_lines.end());
    std::istringstream labels(*tick_line);
    for (std::string label; labels >> label;) {
      CHECK_MESSAGE(std::find(chart.x_texts.begin(), chart.x_texts.end(), label) != chart.x_texts.end(), label);
    }
    CHECK(std::count(tick_line->begin(), tick_line->end(), ' ') > 0);
    // It read "... 1000000 1000000 100000000" at 100 columns: 10000000 cut by the last label.
    std::istringstream again(*tick_line);
    std::vector<std::string> seen;
    for (std::string label; again >> label;) seen.push_back(label);
    CHECK(std::adjacent_find(seen.begin(), seen.end()) == seen.end());
  }
}

TEST_CASE("a sweep's values read as gilsim writes times; a named axis labels the chart; a run under another is named") {
  const Result r = run_gilsim({"sweep", kScenarios + "15-lost-update.toml", "--vary", "switch_interval=0.1ms..5ms*2"});
  CHECK(r.code == 0);
  CHECK(r.out.find("1600us") == std::string::npos);
  CHECK(r.out.find("1.60 ms") != std::string::npos);
  const Result named = run_gilsim({"sweep", kScenarios + "21-sweep-waiting-share.toml", "--vary",
                                   "waiting in each 100 ms request: job.request.steps.2.io=0ms..90ms:10ms; "
                                   "job.request.steps.1.cpu=100ms..10ms:10ms"});
  CHECK(named.code == 0);
  INFO(named.out);
  CHECK(named.out.find("Speed-up against waiting in each 100 ms request\n") != std::string::npos);
  CHECK(named.out.find("(with job.request.steps.1.cpu)") == std::string::npos);
  // Threads and asyncio differ by 0.07x at most: the chart's '*' names them.
  CHECK(named.out.find("'16 threads' and 'asyncio' within a row of each other") != std::string::npos);
}

TEST_CASE("each group of runs at one spot has a symbol of its own, and the legend says where, names quoted") {
  // Lesson 20: all four runs at 1 worker, sequential and the thread pool everywhere else.
  // Both were '*', in two legend lines that could not be told apart, and "process pool,
  // spawn" read as two runs.
  const Result r = run_gilsim({"sweep", kScenarios + "20-sweep-pool-size.toml", "--vary", "workers=1..16", "--width", "100"});
  REQUIRE(r.code == 0);
  INFO(r.out);
  const std::string chart = r.out.substr(r.out.find("Speed-up against workers"));
  // One cell is a row's worth of values: the spawn pool's 0.87x at 1 worker shares 1.00x's
  // cell, so the legend says "within a row", not "at the same spot", and what a row is.
  std::string flat = chart;  // the legend wraps at 100 columns
  std::replace(flat.begin(), flat.end(), '\n', ' ');
  CHECK(flat.find("*: 'sequential', 'process pool', 'process pool, spawn' and 'thread pool' within a row of each other, "
                  "at 1 ") != std::string::npos);
  CHECK(flat.find("#: 'sequential' and 'thread pool' within a row of each other, from 2 to 16 ") != std::string::npos);
  CHECK(flat.find("(a row is 0.33x; the tables above give each value)") != std::string::npos);
  CHECK(flat.find("same spot") == std::string::npos);
  CHECK(r.out.find("      1    457 ms    0.87x") != std::string::npos);  // spawn at 1 worker, in its table
  const auto lines = lines_of(chart);
  const auto one_x = std::find_if(lines.begin(), lines.end(), [](const std::string& l) { return l.starts_with("1.0x |"); });
  REQUIRE(one_x != lines.end());
  CHECK(one_x->starts_with("1.0x |*"));  // the four runs at 1 worker
  CHECK(std::count(one_x->begin(), one_x->end(), '#') == 15);  // two runs at each of the 15 others
  CHECK(std::count(one_x->begin(), one_x->end(), '*') == 1);
  // Lesson 21: three groups, three symbols, each named once.
  const Result w = run_gilsim({"sweep", kScenarios + "21-sweep-waiting-share.toml", "--vary",
                               "waiting in each 100 ms request: job.request.steps.2.io=0ms..90ms:10ms; "
                               "job.request.steps.1.cpu=100ms..10ms:10ms", "--width", "100"});
  REQUIRE(w.code == 0);
  for (const char* symbol : {"\n*: ", "\n#: ", "\n@: "}) {
    CAPTURE(symbol);
    const auto at = w.out.find(symbol);
    CHECK(at != std::string::npos);
    CHECK(w.out.find(symbol, at + 1) == std::string::npos);
  }
}

TEST_CASE("every swept value is labelled on the x axis when the labels fit, the value a lesson names among them") {
  const auto ticks_of = [](const std::string& out, const std::string& axis_name) {
    std::vector<std::string> labels;
    const auto lines = lines_of(out);
    for (std::size_t i = 0; i + 1 < lines.size(); ++i) {
      if (lines[i].find_first_not_of(' ') == std::string::npos || lines[i][lines[i].find_first_not_of(' ')] != '+') continue;
      // The tick lines under the axis, up to the axis's name.
      for (std::size_t k = i + 1; k < lines.size() && lines[k].find(axis_name) == std::string::npos; ++k) {
        std::istringstream words(lines[k]);
        for (std::string number, unit; words >> number >> unit;) labels.push_back(number + " " + unit);
      }
    }
    return labels;
  };
  // Lesson 21's crossing, 80.0 ms of waiting, was the one label left out.
  const Result w = run_gilsim({"sweep", kScenarios + "21-sweep-waiting-share.toml", "--vary",
                               "waiting in each 100 ms request: job.request.steps.2.io=0ms..90ms:10ms; "
                               "job.request.steps.1.cpu=100ms..10ms:10ms", "--width", "100"});
  REQUIRE(w.code == 0);
  INFO(w.out);
  const auto labels = ticks_of(w.out, "waiting in each 100 ms request");
  CHECK(std::find(labels.begin(), labels.end(), "80.0 ms") != labels.end());
  CHECK(std::find(labels.begin(), labels.end(), "90.0 ms") != labels.end());
  // Lesson 15's "from 1.6 ms on none are lost": 1.60 ms was pushed out by the last label.
  const Result l = run_gilsim({"sweep", kScenarios + "15-lost-update.toml", "--vary",
                               "switch interval: switch_interval=25us..3200us*2", "--metric", "lost-updates", "--seeds",
                               "2", "--run", "threads", "--width", "100"});
  REQUIRE(l.code == 0);
  INFO(l.out);
  const auto lost = ticks_of(l.out, "switch interval");
  CHECK(lost == std::vector<std::string>{"25.0 us", "50.0 us", "100 us", "200 us", "400 us", "800 us", "1.60 ms", "3.20 ms"});
  CHECK(l.out.find("not labelled") == std::string::npos);
  // Too many values for the width: a second line of labels, then the rest named, none silently dropped.
  gilsim::cli::TextChart chart;
  chart.x_label = "n";
  for (int i = 0; i < 40; ++i) {
    chart.x_texts.push_back(fmt::format("{}.0 ms", 100 + i));
    chart.series.resize(1);
  }
  chart.series[0] = {"run", std::vector<double>(40, 1.0)};
  const std::string text = gilsim::cli::render_text_chart(chart, 60);
  INFO(text);
  const auto named = text.find("not labelled on the x axis, for want of room: ");
  REQUIRE(named != std::string::npos);
  std::string flat = text;
  std::replace(flat.begin(), flat.end(), '\n', ' ');
  for (const std::string& value : chart.x_texts) {
    CAPTURE(value);
    CHECK(flat.find(value) != std::string::npos);
  }
  for (const auto& line : lines_of(text)) CHECK_MESSAGE(line.size() <= 60, line);
}

TEST_CASE("with a second key varied, a gil axis's baseline line is said too: once where it is the same at every "
          "value of the other key, else a line for each value where it moves") {
  // gilsim sweep 01 --vary gil=new,old,none --vary cores=1,2,4 said nothing, though the
  // speed-ups at gil = none are against a sequential run of 1.080 s there too.
  const Result r = run_gilsim({"sweep", kScenarios + "01-cpu-bound.toml", "--vary", "gil=new,old,none", "--vary",
                               "cores=1,2,4", "--width", "1000"});
  REQUIRE(r.code == 0);
  const std::string once =
      "'sequential' itself takes 1.000 s at gil = new, 1.000 s at gil = old, 1.080 s at gil = none, whatever the "
      "cores: without a GIL, Python runs slower even alone (docs/model.md F2), and each speed-up is against "
      "'sequential' at its own point.\n";
  CHECK(r.out.find(once) != std::string::npos);
  // The gil as the second key: the same line.
  const Result second = run_gilsim({"sweep", kScenarios + "01-cpu-bound.toml", "--vary", "cores=1,2,4", "--vary",
                                    "gil=new,old,none", "--width", "1000"});
  REQUIRE(second.code == 0);
  CHECK(second.out.find(once) != std::string::npos);
  // The other key moves the baseline's time: a line for each of its values.
  const Result longer = run_gilsim({"sweep", kScenarios + "01-cpu-bound.toml", "--vary", "gil=new,none", "--vary",
                                    "job.crunch.steps.1.cpu=250ms,500ms", "--width", "1000"});
  REQUIRE(longer.code == 0);
  CHECK(longer.out.find("'sequential' itself takes:\n"
                        "- at job.crunch.steps.1.cpu = 250 ms: 1.000 s at gil = new, 1.080 s at gil = none\n"
                        "- at job.crunch.steps.1.cpu = 500 ms: 2.000 s at gil = new, 2.160 s at gil = none\n"
                        "Without a GIL, Python runs slower even alone (docs/model.md F2), and each speed-up is "
                        "against 'sequential' at its own point.\n") != std::string::npos);
  // Where the gil leaves it alone at one value of the other key, that value's line says so: without
  // it, the overhead of 0 had no line at all, as if it had no baseline.
  const Result zero = run_gilsim({"sweep", kScenarios + "01-cpu-bound.toml", "--vary", "gil=new,none", "--vary",
                                  "python.free_threading_overhead=0,0.08", "--run", "4 threads", "--width", "1000"});
  REQUIRE(zero.code == 0);
  CHECK(zero.out.find("'sequential' itself takes:\n"
                      "- at python.free_threading_overhead = 0: 1.000 s at every gil\n"
                      "- at python.free_threading_overhead = 0.08: 1.000 s at gil = new, 1.080 s at gil = none\n") !=
        std::string::npos);
  // The GIL builds alone, on any cores: nothing to say.
  const Result same = run_gilsim({"sweep", kScenarios + "01-cpu-bound.toml", "--vary", "gil=new,old", "--vary", "cores=1,4"});
  REQUIRE(same.code == 0);
  CHECK(same.out.find("itself takes") == std::string::npos);
}

TEST_CASE("a text chart draws and labels its values by their place along x, in whatever order the sweep has them") {
  // gilsim sweep 20 --vary workers=4,1,16,2 drew one dotted line from 1 to 16 that passed the
  // 3.55x peak at 4; workers=16..1 drew no line at all, and labelled only 1 and 15.
  gilsim::cli::TextChart ascending;
  ascending.x_label = "workers";
  ascending.x_texts = {"1", "2", "4", "16"};
  ascending.x_positions = {1, 2, 4, 16};
  ascending.series = {{"process pool", {0.99, 1.93, 3.55, 3.10}}, {"thread pool", {1.0, 1.0, 1.0, 1.0}}};
  gilsim::cli::TextChart given = ascending;  // as --vary workers=4,1,16,2 gives them
  given.x_texts = {"4", "1", "16", "2"};
  given.x_positions = {4, 1, 16, 2};
  given.series = {{"process pool", {3.55, 0.99, 3.10, 1.93}}, {"thread pool", {1.0, 1.0, 1.0, 1.0}}};
  const std::string drawn = gilsim::cli::render_text_chart(ascending, 60);
  INFO(drawn);
  CHECK(gilsim::cli::render_text_chart(given, 60) == drawn);
  const auto lines = lines_of(drawn);
  REQUIRE(lines.size() == 20);
  CHECK(lines[1] == "     |          1....");  // the peak at 4, the line rising to it and falling to 16
  CHECK(lines[2] == "     |         .     ...............................");
  CHECK(lines[9] == "1.0x |*..2......2.........................................2");
  CHECK(lines[14] == "      1  2      4                                         16");
  // Sixteen values counting down: the same chart as counting up, every value labelled.
  gilsim::cli::TextChart up, down;
  for (int w = 1; w <= 16; ++w) {
    up.x_texts.push_back(std::to_string(w));
    up.x_positions.push_back(w);
    down.x_texts.insert(down.x_texts.begin(), std::to_string(w));
    down.x_positions.insert(down.x_positions.begin(), w);
  }
  up.series = {{"process pool", {0.99, 1.93, 2.53, 3.55, 3.41, 3.34, 3.40, 3.29, 3.30, 3.27, 3.16, 3.14, 3.17, 3.13, 3.07, 3.10}}};
  down.series = {{"process pool", std::vector<double>(up.series[0].y.rbegin(), up.series[0].y.rend())}};
  const std::string counted_up = gilsim::cli::render_text_chart(up, 72);
  CHECK(gilsim::cli::render_text_chart(down, 72) == counted_up);
  CHECK(counted_up.find("not labelled") == std::string::npos);
  CHECK(counted_up.find("1....") != std::string::npos);
  // The legend says where runs meet as the axis shows it, from the left: it read "from 16 to 6".
  const Result r = run_gilsim({"sweep", kScenarios + "20-sweep-pool-size.toml", "--vary", "workers=16..1:5"});
  REQUIRE(r.code == 0);
  INFO(r.out);
  CHECK(r.out.find("'sequential' and 'thread pool' within a row of each other, from 6 to 16\n") != std::string::npos);
}

TEST_CASE("the heading says a log scale only of the key the charts put on their x axis") {
  // It said "switch_interval: ..., charted on a log scale" while every chart was "Speed-up
  // against cores at switch_interval = ...": the second key is no chart's axis.
  const Result second = run_gilsim({"sweep", kScenarios + "01-cpu-bound.toml", "--vary", "cores=1..2", "--vary",
                                    "switch_interval=1ms..4ms*2"});
  REQUIRE(second.code == 0);
  CHECK(second.out.find("  switch_interval: 3 values, 1.00 ms to 4.00 ms\n") != std::string::npos);
  CHECK(second.out.find("log scale") == std::string::npos);
  const Result first = run_gilsim({"sweep", kScenarios + "01-cpu-bound.toml", "--vary", "switch_interval=1ms..4ms*2",
                                   "--vary", "cores=1..2"});
  REQUIRE(first.code == 0);
  CHECK(first.out.find("  switch_interval: 3 values, 1.00 ms to 4.00 ms, charted on a log scale\n") != std::string::npos);
}

TEST_CASE("a sweep's heading, tables, chart titles and notes keep to --width, a value beside its unit") {
  // Lesson 21's documented command at --width 80 printed table lines of 108 columns; its
  // heading's "Speed-up is against ..." ran to 87 at 72, its chart title to 48 at 40, and its
  // legend split "from 30.0 ms to 70.0" from "ms".
  const std::string vary = "job.request.steps.2.io=0ms..90ms:10ms; job.request.steps.1.cpu=100ms..10ms:10ms";
  for (int width = 40; width <= 110; ++width) {
    CAPTURE(width);
    const Result r = run_gilsim({"sweep", kScenarios + "21-sweep-waiting-share.toml", "--vary", vary, "--width",
                                 std::to_string(width)});
    REQUIRE(r.code == 0);
    for (const std::string& line : lines_of(r.out)) {
      // Only a word longer than the width (the file's path, at 40) may pass it.
      if (line.find(' ', line.find_first_not_of(' ')) != std::string::npos) CHECK_MESSAGE(line.size() <= static_cast<std::size_t>(width), line);
      CHECK_MESSAGE(!line.starts_with("ms"), line);
    }
  }
  const auto at = [&vary](int width) {
    return run_gilsim({"sweep", kScenarios + "21-sweep-waiting-share.toml", "--vary", vary, "--width", std::to_string(width)})
        .out;
  };
  // The keys' names on two lines, broken after a dot, and "cores busy" and "GIL held": 78 columns.
  const std::string eighty = at(80);
  CHECK(eighty.find("\nsequential (sequential)\n"
                    "job.request.  job.request.                     cores   GIL\n"
                    "  steps.2.io   steps.1.cpu  makespan  speedup   busy  held  GIL wait  switches\n"
                    "------------------------------------------------------------------------------\n"
                    "         0 s        100 ms   1.600 s    1.00x    25%  100%       0 s         0\n") != std::string::npos);
  CHECK(eighty.find("not shown") == std::string::npos);
  // The process pool's "max" GIL held is explained under its table, its header on two lines or one,
  // and not where the column is left out.
  CHECK(eighty.find("\nGIL held, max: the busiest of the run's GILs.") != std::string::npos);
  CHECK(at(40).find("GIL held, max") == std::string::npos);
  // At 40 the table keeps the keys and the charted speed-up, and says what it leaves out.
  const std::string forty = at(40);
  CHECK(forty.find("\nsequential (sequential)\n"
                   "job.request.  job.request.\n"
                   "  steps.2.io   steps.1.cpu  speedup\n") != std::string::npos);
  CHECK(forty.find("(not shown at this width: makespan,\ncores busy, GIL held, GIL wait,\nswitches; see --width)\n") !=
        std::string::npos);
  CHECK(forty.find("\nSpeed-up against job.request.steps.2.io\n(with job.request.steps.1.cpu)\n") != std::string::npos);
  CHECK(forty.find("  job.request.steps.2.io (with\n  job.request.steps.1.cpu): 10 values,\n  0 s to 90.0 ms\n") !=
        std::string::npos);
  CHECK(at(72).find("\nSpeed-up is against 'sequential', the scenario's first run, at the same\npoint and seed.\n") !=
        std::string::npos);
}

TEST_CASE("a narrow sweep keeps its charted figure, wraps its legend, and names a varied GIL its run's name states") {
  // --metric gil-wait at 40 columns kept the speed-up and left out the GIL wait it charted.
  const Result wait = run_gilsim({"sweep", kScenarios + "21-sweep-waiting-share.toml", "--vary",
                                  "waiting in each 100 ms request: job.request.steps.2.io=0ms..90ms:30ms; "
                                  "job.request.steps.1.cpu=100ms..10ms:30ms",
                                  "--metric", "gil-wait", "--width", "40"});
  REQUIRE(wait.code == 0);
  CHECK(wait.out.find("job.request.  job.request.   GIL\n  steps.2.io   steps.1.cpu  wait\n") != std::string::npos);
  CHECK(wait.out.find("(not shown at this width: makespan,\nspeedup, cores busy, GIL held, switches;") != std::string::npos);
  for (const std::string& line : lines_of(wait.out)) {
    if (line.find(' ') != std::string::npos && line.find('/') == std::string::npos) CHECK_MESSAGE(line.size() <= 40, line);
  }
  // A legend entry wider than the chart hangs under its words.
  const Result pool = run_gilsim({"sweep", kScenarios + "09-pool-sizing.toml", "--vary",
                                  "number of worker processes in the pool: workers=1,2", "--width", "40"});
  REQUIRE(pool.code == 0);
  CHECK(pool.out.find("\n1: Pool(2) (number of worker processes\n  in the pool varied)\n") != std::string::npos);
  // Lesson 11's "new GIL, 2 cores" swept over the GIL: its name is the file's, as --set says.
  const Result gil = run_gilsim({"sweep", kScenarios + "11-old-gil.toml", "--vary", "gil=new,old"});
  REQUIRE(gil.code == 0);
  CHECK(gil.out.find("The name 'new GIL, 2 cores' is the file's: each row runs at the value in its 'gil' column.") !=
        std::string::npos);
}

TEST_CASE("the points that did not finish are named as the axis reads them, left to right") {
  const Result r = run_gilsim({"sweep", kScenarios + "16-deadlock.toml", "--vary", "cores=1,4,2"});
  REQUIRE(r.code == 0);
  CHECK(r.out.find("threads: deadlocked at 1, 2, 4") != std::string::npos);
}
