// The Python behind a scenario: what the generated program says for each kind of step and
// run, that python3 compiles it for every bundled scenario, and that a small one runs.
#include <doctest/doctest.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

#include <fmt/format.h>

#include "sim/cli/cli_app.hpp"
#include "sim/cli/python_program.hpp"
#include "sim/scenario/loader.hpp"

namespace fs = std::filesystem;
using namespace gilsim;

namespace {

std::string program_for(std::string_view toml) {
  const auto s = scenario::load_string(toml, "test.toml");
  return cli::python_program(s, {}, "gilsim python test.toml");
}

bool contains(const std::string& text, std::string_view part) { return text.find(part) != std::string::npos; }

fs::path output_folder() {
  const fs::path folder = fs::path(GILSIM_BINARY_DIR) / "tests" / "lessons" / "python";
  fs::create_directories(folder);
  return folder;
}

fs::path write_program(const std::string& name, const std::string& program) {
  const fs::path path = output_folder() / (name + ".py");
  std::ofstream(path) << program;
  return path;
}

/// Runs a shell command and returns its exit status and everything it printed.
std::pair<int, std::string> run_command(const std::string& command) {
  std::string output;
  FILE* pipe = ::popen((command + " 2>&1").c_str(), "r");
  REQUIRE(pipe != nullptr);
  char buffer[4096];
  while (std::fgets(buffer, sizeof buffer, pipe) != nullptr) output += buffer;
  return {::pclose(pipe), output};
}

constexpr std::string_view kEveryStep = R"(
title = "Every kind of step"
[[job]]
name = "fetch page"
count = 2
steps = [ { repeat = 3, steps = [ { io = "1ms" }, { cpu = "500us" } ] }, { native = "2ms" } ]
[[job]]
name = "class"
steps = [ { sleep = "1ms..3ms" }, { block = "1ms" }, { offload = "2ms", work = "native" } ]
[[run]]
executor = "sequential"
[[run]]
executor = "threads"
switch_interval = "1ms"
[[run]]
executor = "thread_pool"
workers = 2
[[run]]
executor = "asyncio"
[[run]]
name = "pool, spawn"
executor = "process_pool"
workers = 2
chunksize = 1
start_method = "spawn"
[[run]]
name = "old GIL, 1 core"
executor = "threads"
gil = "old"
cores = 1
[[run]]
name = "no GIL"
executor = "threads"
gil = "none"
)";

}  // namespace

TEST_CASE("each kind of step becomes its call, in a function and in a coroutine") {
  const std::string program = program_for(kEveryStep);
  SUBCASE("repeat blocks come back as loops") {
    CHECK(contains(program, "def fetch_page():\n    \"\"\"One fetch page job.\"\"\"\n    for _ in range(3):\n"
                            "        blocking_wait(0.001)\n        python_work(0.0005)\n    native_work(0.002)\n"));
  }
  SUBCASE("awaited I/O, asyncio.sleep, a blocking call and to_thread in a task") {
    CHECK(contains(program, "        await asyncio.sleep(0.001)  # an awaited network wait\n"));
    CHECK(contains(program, "    await asyncio.sleep(random.uniform(0.001, 0.003))\n"));
    CHECK(contains(program, "    time.sleep(0.001)  # a blocking call: the whole loop waits\n"));
    CHECK(contains(program, "    await asyncio.to_thread(native_work, 0.002)\n"));
  }
  SUBCASE("a name that is a Python keyword gets a suffix") {
    CHECK(contains(program, "def class_job():"));
    CHECK(contains(program, "JOBS = [fetch_page] * 2 + [class_job]\n"));
    CHECK(contains(program, "ASYNC_JOBS = [fetch_page_async] * 2 + [class_job_async]\n"));
  }
}

TEST_CASE("each run is timed with its executor's settings, or skipped with a reason") {
  const std::string program = program_for(kEveryStep);
  CHECK(contains(program, "    timed(\"sequential\", run_sequential)\n"));
  CHECK(contains(program, "    timed(\"threads\", run_threads, switch_interval=0.001)\n"));
  CHECK(contains(program, "    timed(\"thread_pool\", run_thread_pool, max_workers=2)\n"));
  CHECK(contains(program, "    timed(\"asyncio\", run_asyncio)\n"));
  CHECK(contains(program,
                 "    timed(\"pool, spawn\", run_process_pool, processes=2, chunksize=1, start_method=\"spawn\")\n"));
  CHECK(contains(program, "    # old GIL, 1 core: the old GIL of Python 3.1 and before; no interpreter since 3.2 has it.\n"
                          "    skip(\"old GIL, 1 core\", "));
  CHECK(contains(program, "    timed(\"no GIL\", run_threads, needs_gil=False)\n"));
  CHECK(contains(program, "    random.seed(1)"));
  CHECK(contains(program, "if __name__ == \"__main__\":\n    main()\n"));
}

TEST_CASE("a job named like one of the program's functions or modules gets a suffix") {
  const std::string program = program_for(R"(
title = "t"
[[job]]
name = "countdown"
steps = [ { cpu = "1ms" } ]
[[job]]
name = "time"
steps = [ { cpu = "1ms" } ]
[[run]]
executor = "sequential"
)");
  CHECK(contains(program, "def countdown_job():"));
  CHECK(contains(program, "def time_job():"));
  CHECK(contains(program, "JOBS = [countdown_job, time_job]\n"));
}

TEST_CASE("a program imports only what its runs use") {
  const std::string program = program_for(R"(
title = "t"
[[job]]
name = "j"
steps = [ { cpu = "1ms" } ]
[[run]]
executor = "sequential"
)");
  CHECK_FALSE(contains(program, "import asyncio"));
  CHECK_FALSE(contains(program, "import threading"));
  CHECK_FALSE(contains(program, "import multiprocessing"));
  CHECK_FALSE(contains(program, "import random"));
  CHECK_FALSE(contains(program, "def run_threads"));
  CHECK(contains(program, "def run_sequential"));
}

TEST_CASE("run timings are read back from the program's output") {
  const auto timings = cli::parse_run_timings(
      "calibrated: 48.3 M loops/s, sha256 1.64 GB/s; load average 0.2 on 2 cores\n"
      "run sequential: 1.339 s\n"
      "run pool: spawn, 2 workers: 0.250 s\n"
      "run no GIL: skipped (the run needs a free-threaded build)\n"
      "run broken: soon s\n");
  REQUIRE(timings.size() == 2);
  CHECK(timings.at("sequential") == doctest::Approx(1.339));
  CHECK(timings.at("pool: spawn, 2 workers") == doctest::Approx(0.25));
}

TEST_CASE("gilsim python prints a program, and refuses a bad file or run name") {
  std::ostringstream out;
  std::ostringstream err;
  SUBCASE("the default scenario") {
    const char* argv[] = {"gilsim", "python", "--run", "threads"};
    CHECK(cli::run_cli(4, argv, out, err) == cli::kExitOk);
    CHECK(contains(out.str(), "timed(\"threads\", run_threads)"));
    CHECK_FALSE(contains(out.str(), "timed(\"asyncio\""));
  }
  SUBCASE("a missing file") {
    const char* argv[] = {"gilsim", "python", "no_such_scenario.toml"};
    CHECK(cli::run_cli(3, argv, out, err) == cli::kExitBadInput);
    CHECK(contains(err.str(), "no_such_scenario.toml"));
    CHECK(out.str().empty());
  }
  SUBCASE("an unknown run") {
    const char* argv[] = {"gilsim", "python", "--run", "nope"};
    CHECK(cli::run_cli(4, argv, out, err) == cli::kExitBadInput);
    CHECK(contains(err.str(), "no run named 'nope'"));
  }
}

TEST_CASE("python3 compiles the program of every bundled scenario") {
  const auto [status, version] = run_command("python3 --version");
  REQUIRE_MESSAGE(status == 0, "python3 is needed for this test: " << version);
  const auto files = scenario::bundled_scenarios();
  REQUIRE(files.size() >= 14);
  std::string paths;
  for (const auto& file : files) {
    const auto s = scenario::load_file(file);
    const auto program = cli::python_program(s, {}, "gilsim python " + file.filename().string());
    paths += fmt::format(" '{}'", write_program(file.stem().string(), program).string());
  }
  // One interpreter for all of them; py_compile names the file of any error.
  const auto [compiled, output] = run_command("python3 -m py_compile" + paths);
  CHECK_MESSAGE(compiled == 0, output);
}

TEST_CASE("a small generated program runs every executor and prints one line per run") {
  constexpr std::string_view kSmall = R"(
title = "Small"
[[job]]
name = "work"
count = 2
steps = [ { cpu = "5ms" }, { io = "2ms" }, { native = "2ms" }, { sleep = "1ms" } ]
[[job]]
name = "offload"
steps = [ { offload = "3ms", work = "cpu" }, { block = "1ms" } ]
[[run]]
executor = "sequential"
[[run]]
executor = "threads"
switch_interval = "1ms"
[[run]]
executor = "thread_pool"
[[run]]
executor = "asyncio"
workers = 2
[[run]]
name = "pool of 2"
executor = "process_pool"
workers = 2
chunksize = 1
[[run]]
name = "old GIL"
executor = "threads"
gil = "old"
)";
  const fs::path path = write_program("small", program_for(kSmall));
  const auto [status, output] = run_command(fmt::format("python3 '{}'", path.string()));
  INFO(output);
  REQUIRE(status == 0);
  const std::string calibrated = "calibrated: [0-9.]+ M loops/s, sha256 [0-9.]+ GB/s; load average [0-9.na]+ on [0-9]+ cores\n";
  const std::regex expected(
      calibrated + "run sequential: [0-9]+\\.[0-9]{3} s\n" +
      calibrated + "run threads: [0-9]+\\.[0-9]{3} s\n" +
      calibrated + "run thread_pool: [0-9]+\\.[0-9]{3} s\n" +
      calibrated + "run asyncio: [0-9]+\\.[0-9]{3} s\n" +
      calibrated + "run pool of 2: [0-9]+\\.[0-9]{3} s\n" +
      "run old GIL: skipped \\(needs the old GIL of Python 3.1, which no current interpreter has\\)\n");
  CHECK(std::regex_match(output, expected));
  const auto timings = cli::parse_run_timings(output);
  CHECK(timings.size() == 5);
  // Generous bound: each run does at least its longest job's sleeps and waits (3 ms).
  for (const auto& [name, wall] : timings) CHECK_MESSAGE(wall >= 0.003, name);
}

TEST_CASE("locks and counters become module globals, fresh for each run, and the Pool's method is passed on") {
  const std::string program = program_for(R"toml(
title = "shared"
[locks]
ledger = "Lock"
[counters]
total = 5
[[job]]
name = "adder"
count = 3
steps = [ { acquire = "ledger" }, { increment = "total", call = "50ns" }, { release = "ledger" },
          { increment = "total" } ]
[[run]]
executor = "threads"
[[run]]
executor = "asyncio"
[[run]]
name = "pool"
executor = "process_pool"
method = "imap"
[[run]]
name = "processes"
executor = "processes"
)toml");
  CHECK(contains(program, "    global ledger, total\n    ledger = threading.Lock()\n    total = 5\n"));
  CHECK(contains(program, "EXPECTED = {\"total\": 11}"));
  CHECK(contains(program, "def adder():\n    \"\"\"One adder job.\"\"\"\n    global total\n"
                          "    if not take(ledger, \"ledger\"):\n        return  # a deadlock: give up\n"
                          "    total += one()\n    ledger.release()\n    total += 1\n"));
  CHECK(contains(program, "    if not await take_async(\"ledger\"):\n        return  # a deadlock: give up\n"));
  CHECK(contains(program, "    ASYNC_LOCKS[\"ledger\"].release()\n"));
  CHECK(contains(program, "    timed_shared(\"threads\", run_threads)\n"));
  CHECK(contains(program, "    skip(\"pool\", \"locks and counters across processes need multiprocessing.Lock and Value"));
  CHECK(contains(program, "def run_processes(start_method=None):"));
}

TEST_CASE("a process_pool run's method reaches the program") {
  const std::string program = program_for(R"toml(
title = "methods"
[[job]]
name = "w"
steps = [ { cpu = "1ms" } ]
[[run]]
name = "imap"
executor = "process_pool"
method = "imap_unordered"
)toml");
  CHECK(contains(program, "    timed(\"imap\", run_process_pool, method=\"imap_unordered\")\n"));
}
