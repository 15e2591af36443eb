// What `gilsim run --cpython` tells a class is true: a run whose recording saw little of its
// jobs is not scored and says why (lesson 15), a run's time outside its jobs is said (lesson
// 17's results), a sequential run is recorded where only threads can deadlock (lesson 16),
// and the report does not say CPython ran a program it ran no run of.
#include <doctest/doctest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "../real/real_test_support.hpp"
#include "sim/cli/cli_app.hpp"
#include "sim/cli/run_selection.hpp"
#include "sim/cpython/cpython_recorder_source.hpp"
#include "sim/cpython/cpython_trace.hpp"
#include "sim/cpython/python_program.hpp"
#include "sim/scenario/loader.hpp"

namespace fs = std::filesystem;
using namespace gilsim;

namespace {

int run(std::vector<std::string> args, std::ostringstream& out, std::ostringstream& err) {
  std::vector<const char*> argv{"gilsim"};
  for (const auto& a : args) argv.push_back(a.c_str());
  return cli::run_cli(static_cast<int>(argv.size()), argv.data(), out, err);
}

trace::Trace read(const scenario::Scenario& s, const std::string& records, int lines) {
  const std::string text = "gilsim-cpython-trace 1\npython 3.11.2 1\ncalibration 20000 0\nrecording 50 250\n"
                           "machine 2 0.50 1000\n" + records + fmt::format("end {}\n", lines);
  trace::Trace t = cpython::cpython_trace(s, s.runs[0], cpython::parse_cpython_recording(text, "t.txt"));
  real::testing::check_invariants(t);
  return t;
}

}  // namespace

TEST_CASE("a CPython run whose recording saw little of its jobs' time is not scored, and says why") {
  // Lesson 15's shape: `counter += one()` is not recorded, and a lock had without a wait
  // leaves nothing on its thread's lane; only a compute() call shows.
  const auto s = scenario::load_string(R"(title = "t"
[counters]
counter = 0
[[job]]
name = "unsafe"
steps = [ { increment = "counter", call = "10ns" } ]
[[job]]
name = "work"
steps = [ { cpu = "1us" } ]
[[run]]
executor = "threads"
)", "t.toml");
  // Thread 8 runs `unsafe` from 0 to 900 with nothing recorded; thread 9 computes from 900 to 1000.
  const std::string jobs = "run 0 1000 7 7 2\njob 7.1 0 7 8 0 0 900\njob 7.2 1 7 9 0 900 1000\n"
                           "step 7.2 0 cpu 7 9 0 900 1000 1000\ncounter counter 1\n";
  const trace::Trace unseen = read(s, jobs, 11);
  const cpython::JobsSeen seen = cpython::jobs_seen(unseen);
  CHECK(seen.seen == Time{100});
  CHECK(seen.total == Time{1000});
  const auto note = cpython::unseen_note(unseen);
  REQUIRE(note);
  CHECK(seen.jobs == 2);
  CHECK(seen.unseen_jobs == 1);
  // It names what this scenario has (a counter, no lock), and the recorder's cost beside jobs this short.
  CHECK(*note == "not scored: the recording saw nothing of 1 of its 2 jobs, and 10% of its jobs' time (100 ns of 1.00 us); "
                 "the rest is `counter += ...` and each job's own Python around its steps, which the recorder does not "
                 "trace, so the lanes do not show where the time went; its jobs last 500 ns on average, so the "
                 "recorder's own cost at each job's start and end is much of their time (docs/cpython-traces.md)");

  // Its `unsafe` job short beside the computing one: most of the jobs' time seen, but a job
  // unseen is a lane without its work, not scored either.
  const std::string mostly_seen = "run 0 1000 7 7 2\njob 7.1 0 7 8 0 0 100\njob 7.2 1 7 9 0 100 1000\n"
                                  "step 7.2 0 cpu 7 9 0 100 1000 1000\ncounter counter 1\n";
  const trace::Trace one_unseen = read(s, mostly_seen, 11);
  CHECK(cpython::jobs_seen(one_unseen).seen == Time{900});
  REQUIRE(cpython::unseen_note(one_unseen));
  CHECK(cpython::unseen_note(one_unseen)->find("saw nothing of 1 of its 2 jobs, and 90% of its jobs' time") !=
        std::string::npos);

  // Every job seen, most of their time: scored (the first job's last 100 ns, its own Python
  // after compute(), are not seen).
  const auto work = scenario::load_string("title = \"t\"\n[[job]]\nname = \"w\"\ncount = 2\nsteps = [ { cpu = \"1us\" } ]\n"
                                          "[[run]]\nexecutor = \"threads\"\n", "w.toml");
  const std::string seen_jobs = "run 0 1000 7 7 2\njob 7.1 0 7 8 0 0 500\njob 7.2 0 7 9 0 500 1000\n"
                                "step 7.1 0 cpu 7 8 0 0 400 400\nstep 7.2 0 cpu 7 9 0 500 1000 1000\n";
  const trace::Trace seen_enough = read(work, seen_jobs, 11);
  CHECK(cpython::jobs_seen(seen_enough).seen == Time{900});
  CHECK(cpython::jobs_seen(seen_enough).unseen_jobs == 0);
  CHECK_FALSE(cpython::unseen_note(seen_enough));

  // A scenario with no counter and no lock (lesson 10's tiny tasks): neither is named.
  const std::string little_seen = "run 0 1000 7 7 2\njob 7.1 0 7 8 0 0 500\njob 7.2 0 7 9 0 500 1000\n"
                                  "step 7.1 0 cpu 7 8 0 0 100 100\nstep 7.2 0 cpu 7 9 0 500 600 600\n";
  const auto tiny = cpython::unseen_note(read(work, little_seen, 11));
  REQUIRE(tiny);
  CHECK(tiny->find("the rest is each job's own Python around its steps, which the recorder does not trace") !=
        std::string::npos);
  CHECK(tiny->find("counter") == std::string::npos);
  CHECK(tiny->find("lock") == std::string::npos);
}

TEST_CASE("lesson 15 recorded in CPython: the sequential run, whose recording sees none of its updates, is not scored") {
  std::ostringstream out, err;
  const int status = run({"run", "15", "--cpython", "--run", "sequential", "--no-timeline", "--width", "400"}, out, err);
  INFO(out.str() << err.str());
  REQUIRE(status == cli::kExitOk);
  const std::string text = out.str();
  CHECK(text.find("sequential, CPython") != std::string::npos);
  CHECK(text.find("not scored") != std::string::npos);
  CHECK(text.find("'sequential': not scored: the recording saw nothing of 8 of its 8 jobs") != std::string::npos);
  CHECK(text.find("% of its jobs' time") != std::string::npos);
  // Its program computes nothing: no calibration, and the report does not say one was measured.
  CHECK(text.find("no compute() or hash_data() to calibrate") != std::string::npos);
  CHECK(text.find("measured once") == std::string::npos);
}

TEST_CASE("a CPython run whose time passed mostly outside its jobs says where it went") {
  const auto s = scenario::load_string(R"(title = "t"
[[job]]
name = "crunch"
count = 2
steps = [ { cpu = "1us" } ]
result_bytes = 20000000
[[run]]
name = "pool"
executor = "process_pool"
workers = 2
)", "t.toml");
  // Two workers (pids 20 and 30) compute from 100 to 600 and 500 to 1,100 of a run of 10,000
  // ns: 9,000 ns with no job running, the pool's start and the results' way back.
  const std::string records = "run 0 10000 7 7 2\njob 20.1 0 20 20 0 100 600\njob 30.1 0 30 30 0 500 1100\n"
                              "step 20.1 0 cpu 20 20 0 100 600 600\nstep 30.1 0 cpu 30 30 0 500 1100 1100\n";
  const trace::Trace pool = read(s, records, 11);
  CHECK(cpython::outside_jobs(pool) == Time{9000});
  CHECK_FALSE(cpython::unseen_note(pool));  // its jobs were seen: the time is outside them
  const auto note = cpython::outside_jobs_note(pool, Time{4'000'000'000});
  REQUIRE(note);
  CHECK(*note == "9.00 us of its 10.0 us passed with no job running, before, between and after its jobs: starting "
                 "the workers and passing tasks and results between processes (each pickled, sent through a pipe, "
                 "read and unpickled: for results of megabytes, most of the time), which the recorder does not "
                 "trace; its processes used 4.000 s of CPU in all");

  // Jobs filling most of the run: nothing to say.
  const std::string busy = "run 0 1200 7 7 2\njob 20.1 0 20 20 0 100 600\njob 30.1 0 30 30 0 500 1100\n"
                           "step 20.1 0 cpu 20 20 0 100 600 600\nstep 30.1 0 cpu 30 30 0 500 1100 1100\n";
  const trace::Trace filled = read(s, busy, 11);
  CHECK(cpython::outside_jobs(filled) == Time{200});
  CHECK_FALSE(cpython::outside_jobs_note(filled, Time{1000}));
}

TEST_CASE("lesson 16: the sequential run is recorded in CPython, only the threads can deadlock") {
  const auto s = scenario::load_file(std::string(GILSIM_SOURCE_DIR) + "/scenarios/16-deadlock.toml");
  const auto program = cpython::python_program(s, cli::select_runs(s, {}));
  REQUIRE(program.runs.size() == 2);
  CHECK(program.runs[0].run->name == "sequential");
  CHECK_FALSE(program.runs[0].not_recorded);  // one transfer after the other takes both locks in turn
  REQUIRE(program.runs[1].not_recorded);
  CHECK(program.runs[1].not_recorded->find("can deadlock") != std::string::npos);

  // Tasks take turns at each await, so they can take the two locks in opposite order too.
  auto tasks = s;
  tasks.runs[1].executor = scenario::Executor::Asyncio;
  const auto task_program = cpython::python_program(tasks, cli::select_runs(tasks, {}));
  CHECK_FALSE(task_program.runs[0].not_recorded);
  CHECK(task_program.runs[1].not_recorded);

  // No run recorded: the report says so, and names no calibration "measured once for all of them".
  std::ostringstream out, err;
  REQUIRE(run({"run", "16", "--cpython", "--run", "threads", "--no-timeline", "--width", "400"}, out, err) == cli::kExitOk);
  INFO(out.str() << err.str());
  CHECK(out.str().find("ran none of the runs of `gilsim python 16-deadlock.toml --run 'threads'`, for the reasons below") !=
        std::string::npos);
  CHECK(out.str().find("'threads' is not run in CPython: its jobs can deadlock") != std::string::npos);
  CHECK(out.str().find("measured once") == std::string::npos);
  CHECK(out.str().find("LOOPS_PER_MS") == std::string::npos);
}

TEST_CASE("lesson 16's sequential run recorded in CPython sits under its prediction") {
  std::ostringstream out, err;
  REQUIRE(run({"run", "16", "--cpython", "--no-timeline", "--width", "400"}, out, err) == cli::kExitOk);
  INFO(out.str() << err.str());
  CHECK(out.str().find("sequential, CPython") != std::string::npos);
  CHECK(out.str().find("'sequential' is not run in CPython") == std::string::npos);
  CHECK(out.str().find("'threads' is not run in CPython: its jobs can deadlock") != std::string::npos);
  CHECK(out.str().find("measured once for all of them") != std::string::npos);  // its program computes
}

TEST_CASE("the recorder asks for no pid, thread id or running loop at each lock's release (system calls on a VM)") {
  // Lesson 15's 80,000 locked updates ran 20 times slower recorded than plain when each
  // release asked os.getpid(), threading.get_native_id() and asyncio's running loop (each a
  // system call of 4 to 5 us on a VM). Counted, not timed: a thread's 1,000 locked updates,
  // then a task's, ask each once at most.
  const fs::path dir = fs::path(GILSIM_BINARY_DIR) / "tests" / "lessons" / "recorder_calls";
  fs::create_directories(dir);
  std::ofstream(dir / "cpython_recorder.py") << cpython::kCPythonRecorderSource;
  std::ofstream(dir / "count_calls.py") << R"(import asyncio, os, sys, threading
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cpython_recorder as rec
calls = {"getpid": 0, "get_native_id": 0, "running loop": 0}
def counted(name, function):
    def call(*args):
        calls[name] += 1
        return function(*args)
    return call
os.getpid = counted("getpid", os.getpid)
threading.get_native_id = counted("get_native_id", threading.get_native_id)
asyncio.events._get_running_loop = counted("running loop", asyncio.events._get_running_loop)
asyncio.get_running_loop = counted("running loop", asyncio.get_running_loop)
rec.CONFIG = {"seen_steps": [[0, 1] * 2000], "locks": ["lock"]}
lock = rec.RecordedLock(threading.Lock(), 0)
def updates():
    rec.JOB.set(rec.Job("1.1", 0))
    for _ in range(1000):
        with lock:
            pass
updates()
thread_calls = dict(calls)
async def task():
    updates()
async def main():
    await asyncio.gather(task())
rec.AsyncioModule.run(main())
holds = [r for r in rec.RECORDS if r[0] == "hold"]
tasks = sorted({r[4] for r in holds})
print("holds", len(holds), "tasks", *tasks)
print("thread", *(thread_calls[k] for k in sorted(calls)))
print("task", calls["getpid"], calls["get_native_id"], "few" if calls["running loop"] < 100 else "per release")
)";
  const std::string command = fmt::format("/usr/bin/python3 {} > {} 2>&1", (dir / "count_calls.py").string(),
                                          (dir / "out.txt").string());
  REQUIRE(std::system(command.c_str()) == 0);
  std::ifstream file(dir / "out.txt");
  std::stringstream text;
  text << file.rdbuf();
  INFO(text.str());
  // 2,000 holds, the first 1,000 of no task and the next of the gathered task (1: asyncio.run's
  // own main task is made before the recorder's task factory). The thread's id is asked once (the pid when the recorder was imported), the
  // running loop by asyncio.run itself and once by the recorder, not per release.
  CHECK(text.str().find("holds 2000 tasks 0 1\n") != std::string::npos);
  CHECK(text.str().find("thread 1 0 0\n") != std::string::npos);  // get_native_id, getpid, running loop
  CHECK(text.str().find("task 0 1 few\n") != std::string::npos);  // getpid, get_native_id, running loop
}
