// The Python behind a scenario: the teaching program of every bundled lesson is short,
// compiles, holds no measuring code, and the I/O lessons' programs run; the docs show two
// of them exactly as `gilsim python` prints them.
#include <doctest/doctest.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <regex>
#include <sched.h>
#include <set>
#include <sstream>
#include <thread>

#include <fmt/format.h>

#include "sim/cli/cli_app.hpp"
#include "sim/cpython/cpython_recorder_source.hpp"
#include "sim/cpython/machine_probes.hpp"
#include "sim/cpython/python_program.hpp"
#include "sim/scenario/loader.hpp"

namespace fs = std::filesystem;
using namespace gilsim;

namespace {

std::string program_for(std::string_view toml) {
  return cpython::python_program(scenario::load_string(toml, "test.toml"), {}).text;
}

bool contains(const std::string& text, std::string_view part) { return text.find(part) != std::string::npos; }

fs::path write_program(const std::string& name, std::string_view program) {
  const fs::path folder = fs::path(GILSIM_BINARY_DIR) / "tests" / "lessons" / "python";
  fs::create_directories(folder);
  const fs::path path = folder / (name + ".py");
  std::ofstream(path) << program;
  return path;
}

/// A command that runs `program` on a machine of `cpus` CPUs whose /proc/stat says other
/// programs kept `busy` of them busy while it looked (the first read, then the second:
/// others_busy()).
std::string at_busy_cpus(const fs::path& program, double busy, int cpus = 2) {
  const fs::path harness = write_program(program.stem().string() + "-at-busy", fmt::format(R"py(import builtins, io, os, runpy
reads = iter(["cpu 0 0 0 100 0 0 0\n", "cpu {} 0 0 {} 0 0 0\n"])
real_open = builtins.open
builtins.open = lambda path, *rest, **named: io.StringIO(next(reads)) if path == "/proc/stat" else real_open(path, *rest, **named)
os.cpu_count = lambda: {}
runpy.run_path('{}', run_name="__main__")
)py", 100.0 * busy, 100.0 + 100.0 * (cpus - busy), cpus, program.string()));
  return "python3 '" + harness.string() + "'";
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

/// The lines of code after the module docstring, blank lines left out.
int code_lines(const std::string& program) {
  const auto end = program.find("\"\"\"", 3);
  REQUIRE(end != std::string::npos);
  std::istringstream lines(program.substr(end + 3));
  int count = 0;
  for (std::string line; std::getline(lines, line);) {
    if (line.find_first_not_of(' ') != std::string::npos) ++count;
  }
  return count;
}

/// What `gilsim python` prints for a file, as a class gets it.
std::string gilsim_python(const std::string& path) {
  std::ostringstream out;
  std::ostringstream err;
  const char* argv[] = {"gilsim", "python", path.c_str()};
  REQUIRE_MESSAGE(cli::run_cli(3, argv, out, err) == cli::kExitOk, err.str());
  return out.str();
}

std::string lesson_program(const std::string& stem) {
  return gilsim_python((fs::path(GILSIM_SOURCE_DIR) / "scenarios" / (stem + ".toml")).string());
}

/// Runs of spaces and line breaks read as one space: a sentence wrapped in a doc.
std::string one_line(std::string_view text) {
  std::string out;
  for (const char c : text) {
    const bool space = c == ' ' || c == '\n';
    if (space && (out.empty() || out.back() == ' ')) continue;
    out += space ? ' ' : c;
  }
  return out;
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
name = "old GIL"
executor = "threads"
gil = "old"
[[run]]
name = "no GIL"
executor = "threads"
gil = "none"
)";

/// The program without the machine's probes (others_busy(), process_start(), send_back()) and
/// the main's lines that print what they measure.
std::string without_probes(std::string program) {
  for (const std::string function :
       {"\ndef others_busy():", "\ndef start_process():", "\ndef process_start():", "\ndef send_back("}) {
    const auto begin = program.find(function);
    if (begin == std::string::npos) continue;
    program.erase(begin, program.find("\n\n\n", begin + 1) - begin);
  }
  std::istringstream lines(program);
  std::string kept;
  for (std::string line; std::getline(lines, line);) {
    if (!contains(line, "process_start()") && !contains(line, "send_back(") && !contains(line, "sent back here") &&
        !contains(line, "others_busy()") && !contains(line, "busy machine: ") && !contains(line, "slower than predicted") &&
        !contains(line, "the times differ from the prediction's") && !contains(line, "pickle.loads {loads}") &&
        !contains(line, "docstring says how to fit it")) {
      kept += line + "\n";
    }
  }
  return kept;
}

}  // namespace

TEST_CASE("every bundled lesson's program is short, compiles and holds no measuring code") {
  const auto [status, version] = run_command("python3 --version");
  REQUIRE_MESSAGE(status == 0, "python3 is needed for this test: " << version);
  const auto files = scenario::bundled_scenarios();
  REQUIRE(files.size() >= 14);
  std::string paths;
  for (const auto& file : files) {
    const auto s = scenario::load_file(file);
    const std::string program = cpython::python_program(s, {}).text;
    INFO(file.filename().string());
    CHECK(program.rfind("\"\"\"" + s.title + "\n", 0) == 0);  // the title opens the docstring
    // 80: lesson 13's program (79), with its pace measured at the start, handed to its process,
    // checked again before and after each run, its cores compared with the prediction's, its
    // load looked at, its times written in milliseconds under a second and each kind of task's
    // finish noted (lesson 4's handlers done one after another). 90: lesson 16's
    // (89), whose deadlock ends its run in one line, with its barrier and its fresh locks. The machine's
    // probes aside (P4e, P7c: 14 lines for a process start, 26 for a big result's way back with
    // its import and the prediction's figures beside it; lesson 17 has both; 16 for the share
    // of the CPUs other programs keep busy, with the main's lines that say so, in every program
    // that computes or whose threads race on a counter).
    CHECK(code_lines(without_probes(program)) <= (file.stem() == "16-deadlock" ? 90 : 80));
    CHECK(code_lines(program) - code_lines(without_probes(program)) <= 14 + 26 + 16);
    // The code, after the docstring (a note may name a gilsim command).
    const std::string code = program.substr(program.find("\"\"\"", 3) + 3);
    // took() times the pace's tries with time.thread_time, as a person measuring CPU work would
    // (and /proc/stat says when other programs keep the CPUs busy, as a person would look at `top`).
    for (const std::string harness : {"perf_counter_ns", "calibrat", "sched_setaffinity", "select.select", "gilsim", "record"}) {
      CHECK_MESSAGE(!contains(code, harness), harness);
    }
    paths += fmt::format(" '{}'", write_program(file.stem().string(), program).string());
  }
  paths += fmt::format(" '{}'", write_program("cpython_recorder", cpython::kCPythonRecorderSource).string());
  // One interpreter for all of them; py_compile names the file of any error.
  const auto [compiled, output] = run_command("python3 -m py_compile" + paths);
  CHECK_MESSAGE(compiled == 0, output);
}

TEST_CASE("each kind of step is the call a person writes for it") {
  const std::string program = program_for(kEveryStep);
  SUBCASE("repeat blocks come back as loops; waits are time.sleep in a thread") {
    CHECK(contains(program, "def fetch_page():\n    for _ in range(3):\n        time.sleep(0.001)"));
    CHECK(contains(program, "        compute(0.5)\n    return hash_data(2)\n"));
  }
  SUBCASE("awaits, a blocking call in a coroutine and to_thread in a task") {
    CHECK(contains(program, "        await asyncio.sleep(0.001)  # awaiting: the loop runs other tasks\n"));
    CHECK(contains(program, "    await asyncio.sleep(random.uniform(0.001, 0.003))\n"));
    CHECK(contains(program, "    time.sleep(0.001)  # a blocking call in a coroutine: the whole loop waits\n"));
    CHECK(contains(program, "    return await asyncio.to_thread(hash_data, 2)"));
  }
  SUBCASE("several kinds of job are a list of functions; a keyword gets a suffix") {
    CHECK(contains(program, "JOBS = [fetch_page] * 2 + [class_job]\n"));
    CHECK(contains(program, "ASYNC_JOBS = [fetch_page_async] * 2 + [class_job_async]\n"));
  }
}

/// A file of two kinds of job, the first named `name`, run by every executor.
std::string job_named(const std::string& name) {
  return fmt::format(R"(title = "x"
[machine]
cores = 2
[[job]]
name = "{}"
steps = [ {{ io = "1ms" }}, {{ cpu = "1ms" }} ]
[[job]]
name = "other"
steps = [ {{ cpu = "1ms" }} ]
[[run]]
executor = "sequential"
[[run]]
executor = "threads"
[[run]]
executor = "thread_pool"
[[run]]
executor = "asyncio"
[[run]]
executor = "process_pool"
[[run]]
executor = "process_pool_executor"
[[run]]
executor = "processes"
)", name);
}

TEST_CASE("a job named as a name the program uses, or as a builtin, gets a function of its own name") {
  // A job `pool` wrote `def pool():` beside `with Pool() as pool:`, `shown` hid the function
  // timed() prints with, and lesson 6's `hash` hid the builtin.
  for (const std::string name : {"pool", "shown", "pace_off", "others_busy", "noted", "results", "job", "process",
                                 "int", "abs", "hash", "sorted", "getattr", "str", "min"}) {
    CAPTURE(name);
    const auto s = scenario::load_string(job_named(name), "names.toml");
    const cpython::PythonProgram program = cpython::python_program(s, {});
    CHECK(program.job_functions[0] == name + "_job");
    CHECK(program.async_job_functions[0] == name + "_job_async");
    CHECK(contains(program.text, fmt::format("\ndef {}_job():\n", name)));
  }
  // A name no code here uses stays the job's: `n` is no name of a program of two kinds of
  // job, `gather` only asyncio's attribute.
  for (const std::string name : {"download", "n", "gather"}) {
    const auto s = scenario::load_string(job_named(name), "names.toml");
    CHECK(cpython::python_program(s, {}).job_functions[0] == name);
  }
}

TEST_CASE("no job takes a name the program's code defines or calls, in any lesson") {
  // Every `def NAME(`, module-level `NAME = `, imported name and call `NAME(` of each lesson's
  // program: the lesson's first job renamed so gets a function of another name.
  const std::regex defined(R"((?:^|\n)\s*(?:async\s+)?def\s+(\w+)|(?:^|\n)(\w+)\s*=[^=]|import\s+(\w+)|[^.\w](\w+)\()");
  for (const auto& entry : fs::directory_iterator(fs::path(GILSIM_SOURCE_DIR) / "scenarios")) {
    if (entry.path().extension() != ".toml") continue;
    const auto lesson = scenario::load_file(entry.path());
    const cpython::PythonProgram program = cpython::python_program(lesson, {});
    std::set<std::string> names;
    // The code without its docstrings and comments ("the parent's waitpid()" names nothing).
    const std::string code = std::regex_replace(std::regex_replace(program.text, std::regex(R"("""[^]*?""")"), ""),
                                                std::regex("#[^\n]*"), "");
    for (std::sregex_iterator m(code.begin(), code.end(), defined), end; m != end; ++m) {
      for (std::size_t group = 1; group <= 4; ++group) {
        if ((*m)[group].matched) names.insert((*m)[group].str());
      }
    }
    // The scenario's own names: its jobs', locks' and counters'.
    for (const auto* own : {&program.job_functions, &program.async_job_functions, &program.lock_globals,
                            &program.counter_globals}) {
      for (const std::string& name : *own) names.erase(name);
    }
    for (const std::string& name : names) {
      if (std::isdigit(static_cast<unsigned char>(name[0])) != 0) continue;
      CAPTURE(entry.path().filename().string());
      CAPTURE(name);
      scenario::Scenario renamed = lesson;
      renamed.jobs[0].name = name;
      const cpython::PythonProgram again = cpython::python_program(renamed, {});
      CHECK(again.job_functions[0] != name);
      CHECK(again.async_job_functions[0] != name + "_async");
    }
  }
}

TEST_CASE("an offloaded wait is a wait in the executor's thread, not a computation holding the GIL") {
  // The fix lesson 04 suggests for a blocking file read: the coroutine hands the read to a
  // thread. The thread waits (time.sleep stands for the read), the GIL free meanwhile.
  const std::string program = program_for(R"(
title = "offloaded waits"
[[job]]
name = "handler"
count = 2
steps = [{ offload = "300ms", work = "disk" }, { offload = "2ms", work = "sleep" }, { offload = "5ms", work = "io" },
         { offload = "1ms" }]
[[run]]
executor = "threads"
[[run]]
executor = "asyncio"
)");
  CHECK(contains(program, "def handler(n):\n    time.sleep(0.3)  # waiting (a file read, a reply): the GIL is free"));
  CHECK(contains(program, "    await asyncio.to_thread(time.sleep, 0.3)"));
  CHECK(contains(program, "    await asyncio.to_thread(time.sleep, 0.002)\n"));
  CHECK(contains(program, "    await asyncio.to_thread(time.sleep, 0.005)\n"));
  CHECK(contains(program, "await asyncio.to_thread(compute, 1)"));
  CHECK_FALSE(contains(program, "compute(300)"));
  CHECK_FALSE(contains(program, "compute(2)"));
  CHECK_FALSE(contains(program, "compute(5)"));
}

TEST_CASE("each run is its executor's idiom, with its settings as keywords") {
  const std::string program = program_for(kEveryStep);
  CHECK(contains(program, "    sys.setswitchinterval(0.001)  # how long a thread waits before asking for the GIL\n"
                          "    if gil_here:\n        timed(\"threads\", with_threads, paced=True)\n"));
  CHECK(contains(program, "        timed(\"thread_pool\", with_thread_pool, workers=2, paced=True)\n"));
  CHECK(contains(program, "        timed(\"pool, spawn\", with_process_pool, processes=2, chunksize=1, start_method=\"spawn\", paced=True)\n"));
  CHECK(contains(program, "with multiprocessing.get_context(start_method).Pool(processes) as pool:"));
  CHECK(contains(program, "    # \"old GIL\": needs the old GIL of Python 3.1"));
  // Each run only where this Python has its kind: a free-threaded build's GIL is off unless
  // PYTHON_GIL=1, and a run timed there has no GIL, whatever its name says.
  CHECK(contains(program, "    gil_here = not sysconfig.get_config_var(\"Py_GIL_DISABLED\") or sys._is_gil_enabled()\n"));
  CHECK(contains(program, "    if not gil_here:\n        timed(\"no GIL\""));
  CHECK(contains(program, "    if gil_here:\n        timed(\"sequential\", in_sequence, paced=True)\n"));
  CHECK(contains(program, "if __name__ == \"__main__\":\n    random.seed(1)"));
  SUBCASE("lesson 1: Pool() maps the job over the job numbers") {
    const std::string lesson = lesson_program("01-cpu-bound");
    CHECK(contains(lesson, "    with Pool() as pool:"));
    CHECK(contains(lesson, "        return pool.map(crunch, range(4))\n"));
    CHECK(contains(lesson, "def crunch(n):\n    return compute(250)\n"));
  }
}

TEST_CASE("a run whose time follows the CPU's pace has its pace checked around it; a run of waits does not") {
  // Lesson 01's runs keep a core busy or more: a pace that moved during one makes its time
  // compare with nothing. Lesson 02's runs wait: they take as long at any pace.
  const std::string cpu = lesson_program("01-cpu-bound");
  CHECK(contains(cpu, "def timed(name, run, paced=False, **options):\n    before = pace_off() if paced else 0\n"));
  CHECK(contains(cpu, "    timed(\"4 threads\", with_threads, paced=True)\n"));
  CHECK(contains(cpu, "    if paced and (off := max(before, pace_off())) > 0.25:"));
  // The default's sequential run, the baseline of its speed-ups, computes a third of its time:
  // a pace that moved during it moved its time too.
  std::ostringstream fetch_out, fetch_err;
  const char* fetch_argv[] = {"gilsim", "python"};
  REQUIRE(cli::run_cli(2, fetch_argv, fetch_out, fetch_err) == cli::kExitOk);
  const std::string fetch = fetch_out.str();
  CHECK(contains(fetch, "    timed(\"sequential\", in_sequence, paced=True)\n"));
  CHECK(contains(lesson_program("05-responsive-gui"), "    timed(\"switch 20 ms\", with_threads, paced=True)\n"));
  const std::string io = lesson_program("02-io-bound");
  CHECK(contains(io, "    timed(\"10 threads\", with_threads)\n"));
  CHECK_FALSE(contains(io, "paced=True"));
}

TEST_CASE("the teaching programs of the I/O lessons run to completion") {
  for (const std::string stem : {"02-io-bound", "04-blocking-coroutine"}) {
    const fs::path path = write_program(stem, lesson_program(stem));
    const auto [status, output] = run_command(fmt::format("python3 '{}'", path.string()));
    INFO(stem << ":\n" << output);
    CHECK(status == 0);
    const auto s = scenario::load_file(fs::path(GILSIM_SOURCE_DIR) / "scenarios" / (stem + ".toml"));
    for (const auto& run : s.runs) {
      const std::regex line(fmt::format("(^|\n){}: {} jobs in ([0-9]+\\.[0-9]{{2}} s|[0-9]+\\.[0-9] ms)\n", run.name,
                                        s.total_jobs()));
      CHECK_MESSAGE(std::regex_search(output, line), run.name);
    }
  }
}

TEST_CASE("docs/python-programs.md shows two lessons' programs exactly as gilsim prints them") {
  std::ifstream file(fs::path(GILSIM_SOURCE_DIR) / "docs" / "python-programs.md");
  std::stringstream text;
  text << file.rdbuf();
  for (const std::string stem : {"01-cpu-bound", "02-io-bound"}) {
    const std::string shown = fmt::format("$ gilsim python scenarios/{}.toml\n```\n\n```python\n{}```", stem,
                                          lesson_program(stem));
    CHECK_MESSAGE(contains(text.str(), shown), "paste the output of gilsim python scenarios/" << stem << ".toml into the doc");
  }
}

TEST_CASE("the program's docstring ends with the model's prediction, and a long run is announced") {
  std::ifstream file(fs::path(GILSIM_SOURCE_DIR) / "docs" / "python-programs.md");
  std::stringstream doc;
  doc << file.rdbuf();
  const std::string documented = one_line(doc.str());
  // Lesson 7, as `gilsim run 07` prints it: threads 823 ms; the reader done at 627 ms there.
  const std::string convoy = lesson_program("07-convoy");
  CHECK(contains(convoy, "\n\ngilsim predicts, on 2 cores:\n"
                         "- sequential: 910.0 ms; reader done at 110.0 ms, hog done at 910.0 ms\n"
                         "- threads: 823.0 ms; reader done at 627.3 ms, hog done at 823.0 ms\n"
                         "- hog in a process: 806.6 ms\n\n"
                         "`gilsim run 07-convoy.toml --cpython` (with any --set given here) runs this\n"
                         "program and fits the prediction to this machine (its pace, cores and process\n"
                         "starts) beside it.\n\n\"\"\"\n"));
  // Written as `gilsim run 18` writes them: its 57,150,000 ns is 57.1 ms there, and was 57.2 ms here.
  CHECK(contains(lesson_program("18-process-vs-pool"), "\n- one Process per job: 57.1 ms\n"));
  // The built-in default has no file to name: gilsim run opens it with none.
  {
    std::ostringstream out, err;
    const char* argv[] = {"gilsim", "python"};
    REQUIRE(cli::run_cli(2, argv, out, err) == cli::kExitOk);
    CHECK(contains(out.str(), "\n`gilsim run --cpython` (with any"));
  }
  CHECK(contains(documented, "`- threads: 823.0 ms; reader done at 627.3 ms, hog done at 823.0 ms`"));
  // Each kind's finish is noted where the prediction gives it: sequential, threads and tasks.
  CHECK(contains(convoy, "        FINISHED[job.__name__] = time.perf_counter()\n    return results\n"));
  const std::string blocking = lesson_program("04-blocking-coroutine");
  CHECK(contains(blocking, "\n- asyncio: 2.02 s; handler done at 920.1 ms, heartbeat done at 2.02 s\n"));
  CHECK(contains(documented, "`- asyncio: 2.02 s; handler done at 920.1 ms, heartbeat done at 2.02 s`"));
  CHECK(contains(blocking, "        FINISHED[job.__name__.removesuffix(\"_async\")] = time.perf_counter()\n"));
  CHECK(contains(convoy, "        print(\"  \" + \", \".join(f\"{job} done at {shown(at - start)}\" for job, at in FINISHED.items()))\n"));
  // Lesson 3's thread pool: 10,000 one-second waits, 8 at a time.
  const std::string connections = lesson_program("03-ten-thousand-connections");
  CHECK(contains(connections, "- thread_pool: 1,250.13 s (about 21 min)\n"));
  // Its waits queue for the pool's threads: the estimate is for the pool this machine gets,
  // min(32, os.cpu_count() + 4) threads (os.process_cpu_count() from 3.13), where the
  // prediction's 4 cores give 8; in minutes or seconds as it comes out there.
  const std::string announced =
      "    # ThreadPoolExecutor()'s threads here, 8 predicted\n"
      "    pool_size = min(32, (getattr(os, \"process_cpu_count\", os.cpu_count)() or 1) + 4)\n"
      "    # the 10,000 jobs wait in rounds of one per thread, 1,250 predicted\n"
      "    rounds = (10000 + pool_size - 1) // pool_size\n"
      "    expect = rounds * 1.0001\n"
      "    about = f\"{expect / 60:.0f} min\" if expect >= 120 else f\"{expect:.0f} s\"\n"
      "    print(f\"thread_pool: {pool_size} threads, expect about {about}\", flush=True)\n"
      "    timed(\"thread_pool\", with_thread_pool)\n";
  CHECK(contains(connections, announced));
  CHECK(contains(documented, "`thread_pool: 8 threads, expect about 21 min`"));
  const std::string estimating = std::regex_replace(announced.substr(0, announced.find("    timed(")), std::regex("(^|\n)    "), "$1");
  const auto [estimated, estimate] = run_command(
      "python3 '" + write_program("estimate_03", "import os\nos.cpu_count = os.process_cpu_count = lambda: 2\n" + estimating).string() + "'");
  CHECK(estimated == 0);
  CHECK(estimate == "thread_pool: 6 threads, expect about 28 min\n");
  {
    // Eight waits of 70 s on 6 threads take two rounds, not 8/6 of one.
    std::ostringstream out;
    std::ostringstream err;
    const std::string path = (fs::path(GILSIM_SOURCE_DIR) / "scenarios" / "03-ten-thousand-connections.toml").string();
    const char* argv[] = {"gilsim", "python", path.c_str(), "--set", "job.1.count=8", "--set",
                          "job.1.steps=[{io=\"70s\"},{cpu=\"100us\"}]", "--run", "thread_pool"};
    REQUIRE(cli::run_cli(9, argv, out, err) == cli::kExitOk);
    const std::string few = out.str();
    const auto from = few.find("    pool_size = ");
    const auto to = few.find("    timed(\"thread_pool\"");
    REQUIRE(from != std::string::npos);
    REQUIRE(to != std::string::npos);
    const std::string lines = std::regex_replace(few.substr(from, to - from), std::regex("(^|\n)    "), "$1");
    const auto [code, said] = run_command(
        "python3 '" + write_program("estimate_03_few", "import os\nos.cpu_count = os.process_cpu_count = lambda: 2\n" + lines).string() + "'");
    CHECK(code == 0);
    CHECK(said == "thread_pool: 6 threads, expect about 2 min\n");  // 140 s
  }
  CHECK_FALSE(contains(connections, "print(\"asyncio: expect"));
  // Lesson 16 deadlocks with threads; its jobs share locks, so no finishes are noted.
  const std::string deadlock = lesson_program("16-deadlock");
  const std::string deadlocked = "- threads: a deadlock at 1.08 ms (the program gives up after DEADLOCK_AFTER seconds)\n";
  CHECK(contains(deadlock, deadlocked));
  CHECK(contains(documented, one_line(fmt::format("`{}`", deadlocked.substr(0, deadlocked.size() - 1)))));
  CHECK_FALSE(contains(deadlock, "FINISHED"));
  // --set changes the prediction with the program.
  std::ostringstream out;
  std::ostringstream err;
  const std::string path = (fs::path(GILSIM_SOURCE_DIR) / "scenarios" / "07-convoy.toml").string();
  const char* argv[] = {"gilsim", "python", path.c_str(), "--set", "run.threads.switch_interval=1ms", "--run", "threads"};
  REQUIRE(cli::run_cli(7, argv, out, err) == cli::kExitOk);
  CHECK(contains(out.str(), "gilsim predicts, on 2 cores:\n- threads: "));
  CHECK(contains(out.str(), "- threads: 821.9 ms; reader done at 225.0 ms, hog done at 821.9 ms\n"));  // a 1 ms wait for each read
  CHECK_FALSE(contains(out.str(), "- sequential:"));
}

TEST_CASE("a program with jobs of two kinds prints when each kind finished") {
  const std::string program = program_for(R"toml(
title = "two kinds"
[machine]
cores = 2
[[job]]
name = "waiter"
steps = [ { io = "30ms" } ]
[[job]]
name = "adder"
steps = [ { cpu = "1ms" } ]
[[run]]
name = "sequential"
executor = "sequential"
[[run]]
name = "threads"
executor = "threads"
)toml");
  const auto [status, output] = run_command(fmt::format("python3 '{}'", write_program("two_kinds", program).string()));
  INFO(output);
  REQUIRE(status == 0);
  // In sequence the waiter goes first and the adder after it; each run lists both kinds.
  CHECK(std::regex_search(output, std::regex("(^|\n)sequential: 2 jobs in [0-9.]+ m?s\n  waiter done at [0-9.]+ m?s, adder done at [0-9.]+ m?s\n")));
  CHECK(std::regex_search(output, std::regex("(^|\n)threads: 2 jobs in [0-9.]+ m?s\n  (waiter|adder) done at [0-9.]+ m?s, (waiter|adder) done at [0-9.]+ m?s\n")));
}

TEST_CASE("gilsim python prints a program, and refuses a bad file or run name") {
  std::ostringstream out;
  std::ostringstream err;
  SUBCASE("the default scenario, one run") {
    const char* argv[] = {"gilsim", "python", "--run", "threads"};
    CHECK(cli::run_cli(4, argv, out, err) == cli::kExitOk);
    CHECK(contains(out.str(), "timed(\"threads\", with_threads, paced=True)"));
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

TEST_CASE("locks and counters are module globals; a lock taken and released is a with-block") {
  const std::string program = program_for(R"toml(
title = "shared"
[locks]
ledger = "Lock"
[counters]
total = 5
[[job]]
name = "adder"
count = 3
steps = [ { acquire = "ledger" }, { io = "1ms" }, { increment = "total", call = "50ns" }, { release = "ledger" },
          { increment = "total" } ]
[[run]]
executor = "threads"
[[run]]
executor = "asyncio"
[[run]]
name = "pool"
executor = "process_pool"
method = "imap"
)toml");
  CHECK(contains(program, "\nledger = threading.Lock()  # protects your data; the GIL protects only CPython's\n"));
  CHECK(contains(program, "def adder(n):\n    global total  # the module's counter, not a local\n"
                          "    with ledger:  # one holder at a time; a waiter does not hold the GIL\n"
                          "        time.sleep(0.001)"));
  CHECK(contains(program, "        total += one()  # load, call, add, store: a switch may come between\n"
                          "    total += 1\n"));
  CHECK(contains(program, "    async with ledger_async:  # one holder at a time; a task that finds it held awaits it\n"
                          "        await asyncio.sleep(0.001)  # awaiting: the loop runs other tasks\n"));
  CHECK(contains(program, "    ledger_async = asyncio.Lock()  # made in the running loop\n"));
  CHECK(contains(program, "    global total\n    total = 5  # the module's counters, fresh for each run\n"));
  CHECK(contains(program, "    print(f\"  total = {total} (11 if no update is lost)\")\n"));
  CHECK(contains(program, "    # \"pool\": shares locks or counters between processes"));
  CHECK_FALSE(contains(program, "pool.imap"));
}

TEST_CASE("lesson 15's program runs, and the locked counter loses no update") {
  const std::string program = lesson_program("15-lost-update");
  const std::string shown = "    print(f\"  counter = {counter}, safe = {safe} (80000 each if no update is lost)\")\n";
  REQUIRE(contains(program, shown));
  // Its jobs await nothing: each coroutine is the plain function, run by a task to its end.
  CHECK(contains(program, "async def unsafe_async():\n    return unsafe()  # nothing to await"));
  CHECK(contains(program, "    sys.setswitchinterval(0.0001)"));
  // Its increments are Python's work, whose pace the cores decide (3.14 s on 4 cores, 1.15 s
  // on 2): run elsewhere, it says how many cores the prediction is for.
  CHECK(contains(program, "    if os.cpu_count() != 4:\n        print(f\"{os.cpu_count()} cores here, 4 in the prediction\")\n"));
  std::ifstream file(fs::path(GILSIM_SOURCE_DIR) / "docs" / "python-programs.md");
  std::stringstream doc;
  doc << file.rdbuf();
  CHECK(contains(doc.str(), "`print(f\"  counter = {counter}, safe = {safe} (80000 each if no update is lost)\")`"));
  const auto [status, output] = run_command(fmt::format("python3 '{}'", write_program("15-lost-update", program).string()));
  INFO(output);
  CHECK(status == 0);
  // Whatever the interpreter loses of `counter`, the lock keeps every update of `safe`.
  const std::regex line("counter = [0-9]+, safe = 80000 \\(80000 each if no update is lost\\)\n");
  CHECK(std::distance(std::sregex_iterator(output.begin(), output.end(), line), std::sregex_iterator()) == 3);
}

TEST_CASE("locks taken in opposite order give up after DEADLOCK_AFTER, saying what each job held and wanted") {
  const std::string program = lesson_program("16-deadlock");
  CHECK(contains(program, "DEADLOCK_AFTER = 10"));
  CHECK(contains(program, "def a_to_b():\n"
                          "    if not lock_a.acquire(timeout=DEADLOCK_AFTER):  # False when the lock did not come in time\n"
                          "        raise TimeoutError(\"a_to_b waits for lock_a\")\n"));
  CHECK(contains(program, "        raise TimeoutError(\"a_to_b holds lock_a and waits for lock_b\")\n"));
  CHECK(contains(program, "    lock_b.release()\n    lock_a.release()\n"));
  // Both threads hold their first lock before either asks for its second: the deadlock every run.
  CHECK(contains(program, "    ALL_HOLD = threading.Barrier(2)"));
  CHECK(contains(program, "    time.sleep(0.001)\n    if ALL_HOLD:\n        ALL_HOLD.wait()\n"
                          "    if not lock_a.acquire(timeout=DEADLOCK_AFTER):\n"));
  CHECK(contains(program, "    timed(\"threads\", with_threads, deadlock_predicted=True)\n"));
  CHECK(contains(program, "    timed(\"sequential\", in_sequence, paced=True)\n"));
  // One job of a kind run twice, or a lock both take first: no barrier, which would wait forever.
  const std::string same_first = program_for(R"toml(
title = "same first"
[locks]
a = "Lock"
b = "Lock"
[[job]]
name = "t"
count = 2
steps = [ { acquire = "a" }, { acquire = "b" }, { release = "b" }, { release = "a" } ]
[[run]]
executor = "threads"
)toml");
  CHECK(contains(same_first, "raise TimeoutError(f\"job {n} holds a and waits for b\")"));
  CHECK_FALSE(contains(same_first, "ALL_HOLD"));
}

TEST_CASE("a deadlocked run ends in one line, and the runs after it have fresh locks") {
  // Lesson 16, and a copy with a thread pool of one worker, which cannot deadlock: each
  // program prints a line per run and exits 0, the deadlock's line saying who held what.
  const fs::path lesson = fs::path(GILSIM_SOURCE_DIR) / "scenarios" / "16-deadlock.toml";
  std::ifstream file(lesson);
  std::stringstream toml;
  toml << file.rdbuf();
  const fs::path one_worker = fs::path(GILSIM_BINARY_DIR) / "tests" / "lessons" / "python" / "16-one-worker.toml";
  fs::create_directories(one_worker.parent_path());
  std::ofstream(one_worker) << toml.str() << "\n[[run]]\nname = \"one worker\"\nexecutor = \"thread_pool\"\nworkers = 1\n";
  const std::string deadlocked = "threads: deadlock, as predicted: a_to_b holds lock_a and waits for lock_b; "
                                 "b_to_a holds lock_b and waits for lock_a (gave up after 1 s)\n";
  for (const auto& [name, path] : {std::pair<std::string, fs::path>{"16-deadlock", lesson}, {"16-one-worker", one_worker}}) {
    std::string program = gilsim_python(path.string());
    const auto wait = program.find("DEADLOCK_AFTER = 10");
    REQUIRE(wait != std::string::npos);
    program.replace(wait, 19, "DEADLOCK_AFTER = 1");  // a short test: the deadlock is found in 1 s
    const auto [status, output] = run_command(fmt::format("timeout 60 python3 '{}'", write_program(name, program).string()));
    INFO(name << ":\n" << output);
    CHECK(status == 0);
    CHECK_FALSE(contains(output, "Traceback"));
    CHECK(std::regex_search(output, std::regex("\nsequential: 2 jobs in [0-9.]+ m?s\n")));
    CHECK(contains(output, "\n" + deadlocked));
    if (name == "16-one-worker") CHECK(std::regex_search(output, std::regex("\none worker: 2 jobs in [0-9.]+ m?s\n(  the CPU's pace here moved [^\n]*\n)?$")));
  }
}

namespace {

/// A pattern for a line a doc quotes: its numbers stand for any ("pace here: 25_683 loops a
/// millisecond" is this machine's pace, "gave up after 10 s" the test's 1 s), the rest as written.
std::regex quoted_line(const std::string& quoted) {
  std::string pattern;
  for (std::size_t i = 0; i < quoted.size(); ++i) {
    const char c = quoted[i];
    if (std::isdigit(static_cast<unsigned char>(c))) {
      while (i + 1 < quoted.size() && (std::isdigit(static_cast<unsigned char>(quoted[i + 1])) ||
                                       ((quoted[i + 1] == '_' || quoted[i + 1] == '.' || quoted[i + 1] == ',') &&
                                        i + 2 < quoted.size() && std::isdigit(static_cast<unsigned char>(quoted[i + 2]))))) {
        ++i;
      }
      pattern += "[0-9][0-9_.,]*";
    } else {
      if (std::string_view("\\^$.|?*+()[]{}").find(c) != std::string_view::npos) pattern += '\\';
      pattern += c;
    }
  }
  return std::regex(pattern);
}

}  // namespace

TEST_CASE("docs/lessons.md shows every line lesson 16's program prints, in order, the machine's figures aside") {
  // The lesson quotes what `python3 deadlock.py` prints: each quoted span with ": " in it of
  // its "Then for real" paragraph. The program runs as on a busy machine of 2 cores (its busy
  // line printed, no line about other core counts), its deadlock given up after 1 s.
  std::ifstream doc_file(fs::path(GILSIM_SOURCE_DIR) / "docs" / "lessons.md");
  const std::string doc{std::istreambuf_iterator<char>(doc_file), std::istreambuf_iterator<char>()};
  const auto at = doc.find("**Then for real:** `gilsim python scenarios/16-deadlock.toml");
  REQUIRE(at != std::string::npos);
  const std::string paragraph = one_line(doc.substr(at, doc.find("\n\n", at) - at));
  std::vector<std::string> quoted;
  for (std::size_t open = paragraph.find('`'); open != std::string::npos;) {
    const std::size_t close = paragraph.find('`', open + 1);
    REQUIRE(close != std::string::npos);
    const std::string span = paragraph.substr(open + 1, close - open - 1);
    if (contains(span, ": ")) quoted.push_back(span);
    open = paragraph.find('`', close + 1);
  }
  std::string program = lesson_program("16-deadlock");
  const auto wait = program.find("DEADLOCK_AFTER = 10");
  REQUIRE(wait != std::string::npos);
  program.replace(wait, 19, "DEADLOCK_AFTER = 1");
  const fs::path path = write_program("16-deadlock-doc", program);
  const auto [status, output] = run_command("timeout 60 " + at_busy_cpus(path, 1.5));
  INFO(output);
  INFO(paragraph);
  CHECK(status == 0);
  std::vector<std::string> printed;
  std::istringstream lines(output);
  for (std::string line; std::getline(lines, line);) {
    // A pace that moved during a run is this machine's, not the lesson's.
    if (!line.empty() && !contains(line, "the CPU's pace here moved")) printed.push_back(line);
  }
  REQUIRE(printed.size() == quoted.size());
  for (std::size_t i = 0; i < printed.size(); ++i) {
    CAPTURE(quoted[i]);
    CHECK(std::regex_match(printed[i], quoted_line(quoted[i])));
  }
}

TEST_CASE("a program run by hand says when the machine is too busy for its times") {
  const std::string program = program_for(R"toml(
title = "busy"
[[job]]
name = "work"
steps = [ { cpu = "1ms" } ]
[[run]]
executor = "sequential"
)toml");
  const fs::path path = write_program("busy", program);
  // Not the load average, which counts the program's own work: on 2 idle cores, after its
  // pace and process starts, it read "busy machine: load 1.6 on 2 cores".
  const auto [busy_status, busy] = run_command(at_busy_cpus(path, 1.5));
  INFO(busy);
  CHECK(busy_status == 0);
  CHECK(contains(busy, "\nbusy machine: other programs kept 1.5 of 2 CPUs busy: times will be slower than predicted\n"));
  const auto [half_status, half] = run_command(at_busy_cpus(path, 0.5));
  CHECK(half_status == 0);
  CHECK_FALSE(contains(half, "busy machine"));  // half a CPU: a browser, an editor
  const auto [idle_status, idle] = run_command(at_busy_cpus(path, 0.0));
  CHECK(idle_status == 0);
  CHECK_FALSE(contains(idle, "busy machine"));
  // A browser's CPU on a laptop of 16 leaves the prediction's cores free.
  const auto [laptop_status, laptop] = run_command(at_busy_cpus(path, 1.0, 16));
  CHECK(laptop_status == 0);
  CHECK_FALSE(contains(laptop, "busy machine"));
  const auto [full_status, full] = run_command(at_busy_cpus(path, 13.0, 16));
  CHECK(full_status == 0);
  CHECK(contains(full, "\nbusy machine: other programs kept 13.0 of 16 CPUs busy"));
  // Lesson 15's threads race on a counter: on a busy machine they are switched less, and the
  // race may not show (its note). Its main says so before its runs.
  const std::string race = lesson_program("15-lost-update");
  CHECK(contains(race, "\ndef others_busy():\n"));
  const fs::path probes = write_program("probes_15", race.substr(0, race.find("\n    timed(")) + "\n");
  const auto [race_status, race_busy] = run_command(at_busy_cpus(probes, 1.5));
  INFO(race_busy);
  CHECK(race_status == 0);
  CHECK(contains(race_busy, "busy machine: other programs kept 1.5 of 2 CPUs busy: the race may not show, and the "
                            "times differ from the prediction's\n"));
  const auto [quiet_status, quiet] = run_command(at_busy_cpus(probes, 0.0));
  CHECK(quiet_status == 0);
  CHECK_FALSE(contains(quiet, "busy machine"));
  // A program of waits alone says nothing: a busy machine does not slow a wait.
  CHECK_FALSE(contains(program_for("title = \"waits\"\n[[job]]\nname = \"w\"\nsteps = [ { io = \"1ms\" } ]\n"
                                   "[[run]]\nexecutor = \"threads\"\n"), "others_busy"));
}

TEST_CASE("a process_pool run's method and the processes executor are their own functions") {
  const std::string program = program_for(R"toml(
title = "methods"
[[job]]
name = "w"
steps = [ { cpu = "1ms" } ]
[[run]]
name = "imap"
executor = "process_pool"
method = "imap_unordered"
chunksize = 2
[[run]]
name = "apply"
executor = "process_pool"
method = "apply_async"
[[run]]
name = "processes"
executor = "processes"
)toml");
  CHECK(contains(program, "from multiprocessing import Pool, Process\n"));
  CHECK(contains(program, "    timed(\"imap\", with_pool_imap_unordered, chunksize=2, paced=True)\n"));
  CHECK(contains(program, "        return list(pool.imap_unordered(w, range(1), chunksize or 1))"));
  CHECK(contains(program, "        waiting = [pool.apply_async(w, (n,)) for n in range(1)]"));
  CHECK(contains(program, "    processes = [Process(target=w, args=(n,)) for n in range(1)]\n"));
  CHECK(contains(program, "    timed(\"processes\", with_processes, paced=True)\n"));
}

TEST_CASE("a process_pool_executor run is ProcessPoolExecutor.map in a with-block, and runs") {
  const std::string program = program_for(R"toml(
title = "futures"
[[job]]
name = "w"
count = 4
steps = [ { cpu = "1ms" } ]
[[run]]
name = "executor"
executor = "process_pool_executor"
workers = 2
chunksize = 2
start_method = "fork"
)toml");
  CHECK(contains(program, "from concurrent.futures import ProcessPoolExecutor\n"));
  CHECK(contains(program, "def with_process_pool_executor(max_workers=None, chunksize=1, start_method=None):\n"));
  CHECK(contains(program, "    with ProcessPoolExecutor(max_workers, mp_context=multiprocessing.get_context(start_method)) as pool:"));
  CHECK(contains(program, "        return list(pool.map(w, range(4), chunksize=chunksize))"));
  CHECK(contains(program, "    timed(\"executor\", with_process_pool_executor, max_workers=2, chunksize=2, start_method=\"fork\", paced=True)\n"));
  const auto [status, output] = run_command(fmt::format("python3 '{}'", write_program("futures", program).string()));
  CHECK_MESSAGE(status == 0, output);
}

TEST_CASE("a pinned job pins its own thread, and each answer is a request to a forked peer process") {
  // docs/model.md S9: the program runs the model's workload, pins and peer included.
  const std::string program = program_for(R"toml(
title = "pinned"
[machine]
cores = 2
[[job]]
name = "hog"
cpus = [0]
steps = [ { cpu = "30ms" } ]
[[job]]
name = "client"
count = 2
cpus = [0]
peer_cpus = [0]
steps = [ { repeat = 5, steps = [ { native = "2us" }, { io = "4us", answer = "3us" } ] }, { io = "1ms" } ]
[[run]]
name = "pinned"
executor = "threads"
)toml");
  CHECK(contains(program, "import os\n"));
  CHECK(contains(program, "import socket\n"));
  CHECK(contains(program, "def hog():\n    os.sched_setaffinity(threading.get_native_id(), {0})  # first: only this "
                          "thread, on these CPUs\n    return compute(30)\n"));
  CHECK(contains(program, "def client():\n    os.sched_setaffinity(threading.get_native_id(), {0})\n"
                          "    peer = PEERS[\"client\"].pop()  # this job's own peer process\n"
                          "    for _ in range(5):\n        hash_data(0.002)\n"
                          "        ask(peer, 0.003, 0.000004)  # its peer works, then replies: the GIL is free meanwhile\n"
                          "    time.sleep(0.001)"));
  CHECK(contains(program, "    peer.shutdown(socket.SHUT_WR)  # its recv() gets b\"\": the peer exits\n"));
  CHECK(contains(program, "    for name, count, cpus in [(\"client\", 2, {0})]:\n"));
  CHECK(contains(program, "        compute(float(request))\n"));
  CHECK(contains(program, "def with_threads():\n    pids = start_peers()  # forked before any thread starts\n"));
  CHECK(contains(program, "        os.waitpid(pid, 0)  # each peer exits once its job shut its socket\n"));
  // Without pins or answers none of it is written.
  const std::string plain = program_for(R"toml(
title = "plain"
[[job]]
name = "client"
steps = [ { io = "4us" } ]
[[run]]
executor = "threads"
)toml");
  CHECK_FALSE(contains(plain, "sched_setaffinity"));
  CHECK_FALSE(contains(plain, "socket"));
  CHECK_FALSE(contains(plain, "import os"));
  // CPython runs it: every job's answers come back and every peer is reaped (it would hang
  // on a peer that never saw its end; the command's timeout turns that into a failure).
  cpu_set_t allowed;
  CPU_ZERO(&allowed);
  if (sched_getaffinity(0, sizeof(allowed), &allowed) != 0 || !CPU_ISSET(0, &allowed)) return;  // no CPU 0 here
  const auto [status, output] =
      run_command(fmt::format("timeout 60 python3 '{}'", write_program("pinned-peers", program).string()));
  INFO(output);
  CHECK(status == 0);
  CHECK(std::regex_search(output, std::regex("(^|\n)pinned: 3 jobs in [0-9.]+ m?s\n")));
}

TEST_CASE("hash_data hashes data made once: a long job faults in no fresh memory, as its calibration does not") {
  // Lesson 6's 200 ms jobs hashed a fresh buffer of ~300 MB each: faulting its pages in cost
  // several times the hashing, which the calibration's short calls, on warm memory, never saw.
  const fs::path path = write_program("06-native-releases-gil", lesson_program("06-native-releases-gil"));
  const std::string script = fmt::format(
      "import importlib.util, resource\n"
      "spec = importlib.util.spec_from_file_location('lesson', '{}')\n"
      "lesson = importlib.util.module_from_spec(spec)\n"
      "spec.loader.exec_module(lesson)\n"
      "lesson.BYTES_PER_MS = 1_000_000\n"
      "lesson.hash_data(1)\n"
      "before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt\n"
      "lesson.hash_data(300)\n"
      "print('faults', resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before)\n",
      path.string());
  const fs::path script_path = write_program("page_faults", script);
  const auto [status, output] = run_command(fmt::format("python3 '{}'", script_path.string()));
  INFO(output);
  REQUIRE(status == 0);
  std::smatch found;
  REQUIRE(std::regex_search(output, found, std::regex("faults ([0-9]+)")));
  // 300 MB fresh is 73,000 pages of 4 KiB; hashing DATA again faults in none.
  CHECK(std::stoll(found[1].str()) < 1000);
}

TEST_CASE("a program run by hand measures its pace, says when its cores differ, and says why a run is skipped") {
  const std::string program = program_for(R"toml(
title = "by hand"
[machine]
cores = 64
[[job]]
name = "mixed"
count = 2
steps = [ { cpu = "1ms" }, { native = "1ms" } ]
[[run]]
executor = "threads"
[[run]]
name = "pool"
executor = "process_pool"
[[run]]
name = "spawned"
executor = "process_pool"
workers = 2
start_method = "spawn"
[[run]]
name = "no GIL"
executor = "threads"
gil = "none"
)toml");
  // A worker started afresh imports the program again: it takes its parent's pace.
  CHECK(contains(program, "if \"LESSON_PACE\" in os.environ:"));
  CHECK(contains(program, "    os.environ[\"LESSON_PACE\"] = f\"{LOOPS_PER_MS} {BYTES_PER_MS}\"\n"));
  const auto [status, output] = run_command(fmt::format("timeout 120 python3 '{}'", write_program("by_hand", program).string()));
  INFO(output);
  REQUIRE(status == 0);
  std::smatch pace;
  REQUIRE(std::regex_search(output, pace, std::regex("^pace here: ([0-9_]+) loops and ([0-9_]+) bytes hashed a millisecond\n")));
  const auto number = [](std::string text) {
    text.erase(std::remove(text.begin(), text.end(), '_'), text.end());
    return std::stoll(text);
  };
  CHECK(number(pace[1].str()) > 1'000);
  CHECK(number(pace[1].str()) < 10'000'000);
  CHECK(number(pace[2].str()) > 10'000);
  if (std::thread::hardware_concurrency() != 64) {
    CHECK(std::regex_search(output, std::regex("\n[0-9]+ cores here, 64 in the prediction; Pool\\(\\) starts a worker per core\n")));
  }
  for (const std::string run : {"threads", "pool", "spawned"}) {
    CHECK_MESSAGE(std::regex_search(output, std::regex(fmt::format("(^|\n){}: 2 jobs in [0-9.]+ m?s\n", run))), run);
  }
  CHECK(std::regex_search(output, std::regex("\n(no GIL: 2 jobs in [0-9.]+ m?s|this Python runs with a GIL: the no-GIL runs are skipped)\n")));
}

TEST_CASE("the machine's probes are in a program only when its runs need them (P4e, P7c)") {
  const auto program_of = [](const std::string& file, const std::vector<std::string>& names = {}) {
    const auto s = scenario::load_file(fs::path(GILSIM_SOURCE_DIR) / "scenarios" / file);
    std::vector<const scenario::Run*> runs;
    for (const auto& run : s.runs) {
      if (names.empty() || std::find(names.begin(), names.end(), run.name) != names.end()) runs.push_back(&run);
    }
    return cpython::python_program(s, runs);
  };
  // Lesson 17's pool sends 20 MB results back: the process start, and send_back() of 2 MB
  // (the probe's largest), which the main prints and the calibration measures.
  const auto big = program_of("17-big-results.toml");
  CHECK(contains(big.text, cpython::kStartProcessFunction));  // gilsim_fidelity's own
  CHECK(contains(big.text, "\ndef process_start():\n"));
  CHECK(contains(big.text, "\ndef send_back(size, tries=3):\n"));
  CHECK(contains(big.text, "for part in send_back(2_000_000))\n"));
  CHECK(contains(big.text, "\nimport pickle\n"));
  CHECK(big.send_back_bytes == 2'000'000);
  // Its threads alone start no process and send nothing back.
  const auto threads = program_of("17-big-results.toml", {"threads"});
  CHECK_FALSE(contains(threads.text, "start_process"));
  CHECK_FALSE(contains(threads.text, "send_back"));
  CHECK(threads.send_back_bytes == 0);
  // Lesson 18's processes and pools return small results: the process start alone.
  const auto small = program_of("18-process-vs-pool.toml");
  CHECK(contains(small.text, "\ndef process_start():\n"));
  CHECK_FALSE(contains(small.text, "send_back"));
  CHECK(small.send_back_bytes == 0);
  // Lesson 02's waits in threads and coroutines: neither.
  const auto io = program_of("02-io-bound.toml");
  CHECK_FALSE(contains(io.text, "start_process"));
  CHECK_FALSE(contains(io.text, "send_back"));
}

TEST_CASE("lesson 17's program run by hand prints its process start and what its result's pickling and pipe cost") {
  const auto s = scenario::load_file(fs::path(GILSIM_SOURCE_DIR) / "scenarios" / "17-big-results.toml");
  const auto program = cpython::python_program(s, {}).text;
  // The probes alone: the main's runs left out (a minute of the lesson's own work).
  const std::string probes = program.substr(0, program.find("\n    timed(")) + "\n";
  const auto [status, output] = run_command(fmt::format("timeout 60 python3 '{}'", write_program("probes_17", probes).string()));
  INFO(output);
  REQUIRE(status == 0);
  CHECK(std::regex_search(output, std::regex("(^|\n)a process start here: [0-9]+\\.[0-9]{2} ms, against the 0\\.42 ms the prediction is for \\(this program's docstring says how to fit it\\)\n")));
  CHECK(std::regex_search(output, std::regex("\na result of 2 MB sent back here: pickle\\.dumps [0-9.]+ ms, the pipe [0-9.]+ ms, "
                                             "pickle\\.loads [0-9.]+ ms, against the 2\\.0, 0\\.0 and 2\\.0 ms the prediction is for\n")));
}

TEST_CASE("thread.join()'s comment is true of every threads run of the program: its GIL and what its jobs do") {
  const auto joined = [](const std::string& program) {
    const auto at = program.find("        thread.join()  # ");
    REQUIRE(at != std::string::npos);
    return program.substr(at + 25, program.find('\n', at) - at - 25);
  };
  // Python with one GIL (lesson 1), hashing that drops it (lesson 6), waits (lesson 2).
  CHECK(joined(lesson_program("01-cpu-bound")) == "one GIL: only one thread runs Python at a time");
  CHECK(joined(lesson_program("06-native-releases-gil")) ==
        "hashlib drops the GIL: the threads hash at once, their Python takes turns");
  CHECK(joined(lesson_program("02-io-bound")) == "a thread that waits holds no GIL; the Python takes turns");
  // Lesson 5's UI thread waits while the calculation holds the GIL: not "the GIL is free".
  CHECK(joined(lesson_program("05-responsive-gui")) == "a thread that waits holds no GIL; the Python takes turns");
  // Lesson 12's threads run with a GIL and without one: the comment says both.
  CHECK(joined(lesson_program("12-free-threaded")) ==
        "with a GIL one thread runs Python at a time; without one, all at once");
  const auto s = scenario::load_file(fs::path(GILSIM_SOURCE_DIR) / "scenarios" / "12-free-threaded.toml");
  const auto no_gil = std::find_if(s.runs.begin(), s.runs.end(), [](const auto& run) { return run.name == "threads, no GIL"; });
  REQUIRE(no_gil != s.runs.end());
  CHECK(joined(cpython::python_program(s, {&*no_gil}).text) ==
        "no GIL: the threads run Python at once, as many as there are cores");
  CHECK_FALSE(contains(cpython::python_program(s, {&*no_gil}).text, "one GIL"));
}

TEST_CASE("a program that skips runs prints why, once for all the runs skipped for one reason") {
  // Lesson 11's old GIL is CPython's before 3.2: its two runs are skipped, and the output says so.
  const std::string program = lesson_program("11-old-gil");
  const std::string said = "    print(\"the old-GIL runs are skipped: the old GIL is CPython before 3.2\")\n";
  CHECK(contains(program, "    timed(\"new GIL, 2 cores\", with_threads, paced=True)\n" + said + "    # \"old GIL, 2 cores\": "));
  CHECK(program.find(said) == program.rfind(said));
  CHECK(contains(program, "\n    # \"old GIL, 1 core\": needs the old GIL of Python 3.1"));
  // Lesson 12's line says which runs this Python skips; lesson 1 skips none.
  CHECK(contains(lesson_program("12-free-threaded"), "the no-GIL runs are skipped"));
  CHECK_FALSE(contains(lesson_program("01-cpu-bound"), "skipped"));
}
