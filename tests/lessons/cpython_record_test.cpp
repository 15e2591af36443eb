// `gilsim run --cpython`: a small program recorded in a real CPython end to end, its trace's
// invariants, the lanes in the report and the export, and every way it can go wrong
// (no interpreter, too old, a crash, Ctrl-C, a broken recording) leaving nothing behind.
#include <doctest/doctest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <thread>

#include <fmt/format.h>
#include <unistd.h>

#include "../real/real_test_support.hpp"
#include "tests/lessons/record_each.hpp"
#include "tests/lane_lookup.hpp"
#include "sim/cli/cli_app.hpp"
#include "sim/cli/measured_runs.hpp"
#include "sim/cpython/cpython_runs.hpp"
#include "sim/cpython/python_program.hpp"
#include "sim/cli/run_selection.hpp"
#include "sim/cpython/cpython_trace.hpp"
#include "sim/model/simulate.hpp"
#include "sim/real/execute.hpp"
#include "sim/real/machine_load.hpp"
#include "sim/scenario/effective_settings.hpp"
#include "sim/scenario/loader.hpp"

namespace fs = std::filesystem;
using namespace gilsim;
using test::lane_named;

namespace {

constexpr std::string_view kSmall = R"(title = "Two small jobs"
[machine]
cores = 2
[[job]]
name = "work"
count = 2
steps = [ { cpu = "30ms" }, { io = "5ms" }, { native = "2ms" } ]
[[run]]
executor = "threads"
switch_interval = "1ms"
[[run]]
executor = "asyncio"
[[run]]
name = "pool"
executor = "process_pool"
workers = 2
[[run]]
name = "no GIL"
executor = "threads"
gil = "none"
)";

fs::path write_file(const std::string& name, std::string_view text) {
  const fs::path path = fs::path(GILSIM_BINARY_DIR) / "tests" / "lessons" / name;
  fs::create_directories(path.parent_path());
  std::ofstream(path) << text;
  fs::permissions(path, fs::perms::owner_all, fs::perm_options::add);
  return path;
}

/// A temporary folder of this process's own, made TMPDIR at first use, so that the count
/// below sees only this program's CPython runs, never those of a test running beside it.
const fs::path& private_temp_folder() {
  struct Folder {
    fs::path path = fs::path(GILSIM_BINARY_DIR) / "tests" / "lessons" / fmt::format("tmp-{}", ::getpid());
    Folder() {
      fs::create_directories(path);
      ::setenv("TMPDIR", path.c_str(), 1);
    }
    ~Folder() {
      std::error_code ignored;
      fs::remove_all(path, ignored);
    }
  };
  static const Folder folder;
  return folder.path;
}

/// Temporary folders this program's CPython runs leave behind (none, if all is well).
int leftover_folders() {
  REQUIRE(fs::temp_directory_path() == private_temp_folder());
  int count = 0;
  for (const auto& entry : fs::directory_iterator(fs::temp_directory_path())) {
    if (entry.path().filename().string().rfind("gilsim-cpython-", 0) == 0) ++count;
  }
  return count;
}

int run(std::vector<std::string> args, std::ostringstream& out, std::ostringstream& err) {
  std::vector<const char*> argv{"gilsim"};
  for (const auto& a : args) argv.push_back(a.c_str());
  return cli::run_cli(static_cast<int>(argv.size()), argv.data(), out, err);
}

/// One inferred holder at a time, and a holder is a thread of that process that ran Python
/// in that span (Running, or Runnable: the OS took its core while it held the GIL).
void check_gil_lanes(const trace::Trace& t) {
  for (const auto& process : t.processes) {
    if (process.gil_lane == trace::kNone) continue;
    const auto& gil = t.lanes[process.gil_lane];
    CHECK(gil.name.find("inferred") != std::string::npos);
    for (std::size_t i = 0; i < gil.spans.size(); ++i) {
      const auto& held = gil.spans[i];
      if (i > 0) CHECK(gil.spans[i - 1].end <= held.begin);
      REQUIRE(held.subject < t.lanes.size());
      const auto& holder = t.lanes[held.subject];
      CHECK(holder.kind == trace::LaneKind::Thread);
      CHECK(&t.processes.at(holder.process) == &process);
      bool ran = false;
      for (const auto& s : holder.spans) {
        ran = ran || (s.begin < held.end && held.begin < s.end && s.state == trace::SpanState::Running);
      }
      CHECK_MESSAGE(ran, holder.name << " holds the GIL at " << held.begin.ns() << " ns without running Python");
    }
  }
}

}  // namespace

TEST_CASE("a small program recorded in CPython keeps every trace invariant") {
  const auto s = scenario::load_string(kSmall, "small.toml");
  const auto runs = cli::select_runs(s, {});
  const auto program = cpython::python_program(s, runs);
  const cpython::Interpreter python = cpython::find_interpreter("");
  const int folders = leftover_folders();
  for (const auto& r : program.runs) {
    INFO("run " << r.run->name);
    std::string why;
    const auto t = cpython::record_cpython_run(s, r, program, python, cpython::CPythonOptions{}, why);
    CHECK(real::testing::children_of_this_process() == 0);
    if (r.run->name == "no GIL" && python.gil) {
      CHECK(!t);
      CHECK(why.find("free-threaded") != std::string::npos);
      continue;
    }
    REQUIRE(t);
    real::testing::check_invariants(*t);
    check_gil_lanes(*t);
    CHECK(t->measured_by.rfind("CPython 3.", 0) == 0);
    CHECK(t->run_name == r.run->name);
    // Each job ran its three steps: 30 ms of Python, a 5 ms wait, 2 ms of hashing. An event
    // loop's wait to run a task that was ready is no job's (A4).
    for (const auto& lane : t->lanes) {
      if (lane.kind != trace::LaneKind::Thread) continue;
      for (const auto& span : lane.spans) {
        if (span.step == trace::kNoStep && r.run->executor == scenario::Executor::Asyncio) {
          CHECK(span.subject == trace::kNone);
          CHECK((span.state == trace::SpanState::WaitingGil || span.state == trace::SpanState::Runnable));
          continue;
        }
        CHECK(span.step < 3);
      }
    }
    // 60 ms of Python in all, calibrated on this machine: a generous bound, a quarter, as for
    // the answers below (the host's Python speed can move 2x between the calibration and the
    // run: one run on a shared machine ran its 60 ms in 29.3 ms). The 5 ms wait is real time.
    const Time python = real::testing::time_in(*t, trace::LaneKind::Thread, trace::SpanState::Running);
    CHECK(python >= Time{15'000'000});
    CHECK(t->end >= Time{5'000'000} + python / 2);
    if (r.run->executor == scenario::Executor::Asyncio) {
      CHECK(real::testing::lanes_of(*t, trace::LaneKind::Task).size() == 2);
    }
    if (r.run->executor == scenario::Executor::ProcessPool) CHECK(t->processes.size() >= 2);
    // The machine was sampled around the interpreter, whose CPU is the run's own: at least
    // half the Python it was seen running (a Running span also covers moments the OS took
    // its core), not others', over a window as long as the run at least.
    const trace::CpuCheck& c = t->cpu_check;
    REQUIRE(c.sampled());
    CHECK(c.sampled_wall >= t->end);
    CHECK(c.tick > Time::zero());
    CHECK(c.own_cpu >= python / 2);
  }
  CHECK(leftover_folders() == folders);
}

TEST_CASE("a program with a lock and counters recorded in CPython shows the lock's waits, holders and the counters") {
  constexpr std::string_view kLocked = R"(title = "A lock and two counters"
[machine]
cores = 2
[locks]
door = "Lock"
[counters]
counter = 5
safe = 0
[[job]]
name = "clerk"
count = 3
steps = [ { acquire = "door" }, { io = "10ms" }, { increment = "safe", call = "20ns" }, { release = "door" },
          { increment = "counter" }, { cpu = "1ms" } ]
[[run]]
executor = "threads"
[[run]]
executor = "asyncio"
)";
  const auto s = scenario::load_string(kLocked, "locked.toml");
  test::record_each(s, {}, [&](const cpython::ProgramRun& r, const trace::Trace& recorded) {
    const trace::Trace* t = &recorded;
    // The lock's lane: three holds, one at a time, each across a 10 ms wait.
    const auto locks = real::testing::lanes_of(*t, trace::LaneKind::Lock);
    REQUIRE(locks.size() == 1);
    CHECK(locks[0]->name == "lock door");
    REQUIRE(locks[0]->spans.size() == 3);
    for (std::size_t i = 0; i < 3; ++i) {
      const auto& held = locks[0]->spans[i];
      CHECK(held.end - held.begin >= Time{10'000'000});
      if (i > 0) CHECK(locks[0]->spans[i - 1].end <= held.begin);
    }
    // A job that waited for it waited until a later hold began: its own (how long it waited
    // depends on when the machine started each thread, so only the shape is checked). The
    // steps keep their numbers although `counter += 1` is not seen.
    const auto kind = r.run->executor == scenario::Executor::Asyncio ? trace::LaneKind::Task : trace::LaneKind::Thread;
    const auto a_hold_begins_at = [&](Time at) {
      for (std::size_t i = 1; i < locks[0]->spans.size(); ++i) {
        const Time begin = locks[0]->spans[i].begin;
        if (begin + Time{1'000'000} >= at && begin <= at + Time{1'000'000}) return true;
      }
      return false;
    };
    for (const trace::Lane* lane : real::testing::lanes_of(*t, kind)) {
      for (const auto& span : lane->spans) {
        if (span.state == trace::SpanState::WaitingLock) {
          CHECK(span.step == 0);
          CHECK(a_hold_begins_at(span.end));
        }
        if (span.state == trace::SpanState::Running && span.step != trace::kNoStep) CHECK(span.step == 5);
      }
    }
    // Three updates each, nothing lost under the lock; counter starts at 5.
    REQUIRE(t->counters.size() == 2);
    CHECK(t->counters[0].name == "counter");
    CHECK(t->counters[0].initial == 5);
    CHECK(t->counters[0].updates == 3);
    CHECK(t->counters[0].final_value <= 8);
    CHECK(t->counters[1].updates == 3);
    CHECK(t->counters[1].final_value == 3);
  });
}

namespace {

/// A client asking its peer process (docs/model.md S9) four times: 2 ms of the peer's work,
/// then 3 ms of the reply's way; beside it a thread computing for longer than that.
constexpr std::string_view kAsking = R"(title = "A client and its peer"
[machine]
cores = 2
[[job]]
name = "client"
steps = [ { repeat = 4, steps = [ { io = "3ms", answer = "2ms" } ] } ]
[[job]]
name = "hog"
steps = [ { cpu = "100ms" } ]
[[run]]
executor = "threads"
)";

/// The processes of a trace named "peer of ...", with their lanes' names.
std::vector<std::pair<std::string, std::vector<std::string>>> peer_processes(const trace::Trace& t) {
  std::vector<std::pair<std::string, std::vector<std::string>>> out;
  for (std::size_t p = 0; p < t.processes.size(); ++p) {
    if (t.processes[p].name.rfind("peer of ", 0) != 0) continue;
    out.emplace_back(t.processes[p].name, std::vector<std::string>{});
    CHECK(t.processes[p].gil_lane == trace::kNone);  // its GIL is never contended: no lane, as in the model
    for (const auto& lane : t.lanes) {
      if (lane.process == p) out.back().second.push_back(lane.name);
    }
  }
  return out;
}

}  // namespace

TEST_CASE("a job's peer process recorded in CPython: its own process and lane, as the model and the real run draw it") {
  const auto s = scenario::load_string(kAsking, "asking.toml");
  const auto runs = cli::select_runs(s, {});
  const auto program = cpython::python_program(s, runs);
  const cpython::Interpreter python = cpython::find_interpreter("");
  std::string why;
  const auto t = cpython::record_cpython_run(s, program.runs.front(), program, python, cpython::CPythonOptions{}, why);
  REQUIRE_MESSAGE(t, why);
  CHECK(real::testing::children_of_this_process() == 0);
  real::testing::check_invariants(*t);
  check_gil_lanes(*t);
  // Lane by lane: the peer's process and lane are the model's.
  const trace::Trace model = model::simulate(s, s.runs.front());
  REQUIRE(peer_processes(model).size() == 1);
  CHECK(peer_processes(*t) == peer_processes(model));
  // Each answer ran while the client waited in that ask (its step), on the peer's lane only.
  const trace::Lane* client = nullptr;
  for (const auto& job : t->jobs) {
    if (t->templates[job.template_index].name == "client") client = &t->lanes.at(job.lane);
  }
  REQUIRE(client != nullptr);
  std::vector<std::pair<Time, Time>> asks;
  for (const auto& span : client->spans) {
    if (span.step == trace::kNoStep) continue;
    if (asks.size() <= span.step) asks.resize(span.step + 1u, {Time::max(), Time::zero()});
    asks[span.step] = {std::min(asks[span.step].first, span.begin), std::max(asks[span.step].second, span.end)};
  }
  CHECK(asks.size() == 4);
  const trace::Lane& peer = lane_named(*t, "peer");
  Time native;
  std::vector<Time> answered(asks.size(), Time::zero());  // per ask, when its peer's answer ended
  for (const auto& span : peer.spans) {
    CAPTURE(span.begin.ns());
    CHECK((span.state == trace::SpanState::Native || span.state == trace::SpanState::Runnable));
    if (span.state == trace::SpanState::Native) native += span.duration();
    const auto ask = std::find_if(asks.begin(), asks.end(),
                                  [&](const auto& a) { return a.first <= span.begin && span.end <= a.second; });
    REQUIRE(ask != asks.end());
    answered[static_cast<std::size_t>(ask - asks.begin())] = span.end;
  }
  // Four answers of 2 ms of CPU each, calibrated on this machine: generous bounds. A quarter,
  // not a half: the host's Python speed can move 1.7x between the calibration and the run,
  // and a calibration beside other programs counts fewer loops a ms (one run at load 3.4 on
  // 2 CPUs answered in under 4 ms in all).
  CHECK(native >= Time{2'000'000});
  for (const Time end : answered) CHECK(end > Time::zero());  // every ask was answered
  CHECK(native <= t->end);
  // Back from an ask, the client waits for the GIL the hog holds, as in the model: never
  // before the reply's 3 ms way after the answer was over (the ask is due then).
  int gil_waits = 0;
  for (const auto& span : client->spans) {
    if (span.state != trace::SpanState::WaitingGil) continue;
    ++gil_waits;
    REQUIRE(span.step < answered.size());
    CHECK(span.begin >= answered[span.step] + Time{2'500'000});
  }
  // A wait is certain only where the hog computed as the client came back: on a busy
  // machine the hog may not run at all before the client's asks are over.
  const trace::Lane& hog = lane_named(*t, "T2");
  const auto hog_computes_at = [&](Time at) {
    return std::any_of(hog.spans.begin(), hog.spans.end(), [&](const trace::Span& span) {
      return span.state == trace::SpanState::Running && span.begin <= at && at < span.end;
    });
  };
  const bool hog_in_the_way = std::any_of(answered.begin(), answered.end(), [&](Time end) {
    return end > Time::zero() && hog_computes_at(end + Time{3'000'000});
  });
  INFO("the hog computed as the client came back from an ask: ", hog_in_the_way);
  if (hog_in_the_way) CHECK(gil_waits >= 1);
}

TEST_CASE("a peer's answers are laid out on its lane, each pause in its slices a wait for a core") {
  const auto s = scenario::load_string("title = \"t\"\n[[job]]\nname = \"client\"\nsteps = [ { io = \"1us\", answer = \"1us\" } ]\n"
                                       "[[run]]\nexecutor = \"threads\"\n", "t.toml");
  // The client (thread 8) asks from 100 to 900; its peer (pid 42) answers at 200 to 300 (a
  // first compute) and 400 to 800, its slices pausing from 450 until the one that ended at
  // 800 began (50 ns a slice).
  const std::string head =
      "gilsim-cpython-trace 1\npython 3.11.2 1\ncalibration 20000 0\nrecording 50 250\nmachine 2 0.50 1000\n"
      "run 0 1000 7 7 1\njob 7.1 0 7 8 0 0 1000\nstep 7.1 0 wait 7 8 0 100 900 900\n";
  const std::string text = head + "peer 42 7.1\nanswer 42 42 200 300\nanswer 42 42 400 800\ngap 42 42 450 800\nend 13\n";
  const trace::Trace t = cpython::cpython_trace(s, s.runs[0], cpython::parse_cpython_recording(text, "t.txt"));
  real::testing::check_invariants(t);
  REQUIRE(peer_processes(t).size() == 1);
  CHECK(peer_processes(t) == peer_processes(model::simulate(s, s.runs[0])));
  using S = trace::SpanState;
  std::vector<std::tuple<std::int64_t, std::int64_t, S>> spans;
  for (const auto& span : lane_named(t, "peer").spans) spans.emplace_back(span.begin.ns(), span.end.ns(), span.state);
  CHECK(spans == std::vector<std::tuple<std::int64_t, std::int64_t, S>>{
                     {200, 300, S::Native}, {400, 450, S::Native}, {450, 750, S::Runnable}, {750, 800, S::Native}});
  const auto refused = [&](const std::string& records, int lines) {
    try {
      cpython::cpython_trace(s, s.runs[0],
                             cpython::parse_cpython_recording(head + records + fmt::format("end {}\n", lines), "t.txt"));
    } catch (const cpython::CPythonTraceError& e) {
      return std::string(e.what());
    }
    return std::string("accepted");
  };
  CHECK(refused("answer 43 43 200 300\n", 10) == "answers of peer process 43, which no job asked");
  CHECK(refused("peer 42 7.9\n", 10) == "a peer of job '7.9', which the recording does not have");
  CHECK(refused("peer 42 7.1\nanswer 42 42 300 200\n", 11) == "t.txt:10: an answer ends before it begins");
}

TEST_CASE("--cpython shows lesson 1's CPython lanes under their predictions and exports them") {
  // The command of docs/cpython-traces.md, with an export.
  const fs::path scenario = fs::path(GILSIM_SOURCE_DIR) / "scenarios" / "01-cpu-bound.toml";
  const fs::path exported = fs::path(GILSIM_BINARY_DIR) / "tests" / "lessons" / "cpython_lesson1.json";
  fs::remove(exported);
  std::ostringstream out;
  std::ostringstream err;
  const int status = run({"run", scenario.string(), "--cpython", "--run", "4 threads", "--width", "100",
                          "--export-trace", exported.string()}, out, err);
  INFO(out.str() << err.str());
  REQUIRE(status == cli::kExitOk);
  const std::string text = out.str();
  const auto predicted = text.find("\n4 threads (threads, ");
  const auto measured = text.find(" (measured) (threads, ");  // the measured run's timeline
  CHECK(predicted != std::string::npos);
  CHECK(measured != std::string::npos);
  CHECK(predicted < measured);
  CHECK(text.find("GIL, inferred |") != std::string::npos);
  CHECK(text.find("CPython 3.") != std::string::npos);
  CHECK(text.find("Predicted against measured") != std::string::npos);
  std::ifstream file(exported);
  std::stringstream json;
  json << file.rdbuf();
  CHECK(json.str().find("4 threads, CPython 3.") != std::string::npos);
  CHECK(json.str().find("GIL, inferred") != std::string::npos);
}

TEST_CASE("a missing, old or crashing interpreter is a one-line error and leaves nothing behind") {
  const fs::path scenario = write_file("cpython_small.toml", kSmall);
  const int folders = leftover_folders();
  std::ostringstream out;
  std::ostringstream err;
  SUBCASE("missing") {
    CHECK(run({"run", scenario.string(), "--cpython", "--python", "/no/such/python3"}, out, err) == cli::kExitBadInput);
    CHECK(err.str() == "gilsim: --python /no/such/python3: no such interpreter (not an executable file)\n");
  }
  SUBCASE("named without --cpython, where it would run nothing") {
    CHECK(run({"run", scenario.string(), "--python", "/usr/bin/python3"}, out, err) == cli::kExitBadInput);
    CHECK(err.str() == "gilsim: --python requires --cpython; see `gilsim run --help`\n");
    CHECK(out.str().empty());
  }
  SUBCASE("a folder") {
    // A folder passes the executable check (it can be entered) and failed only when started.
    const fs::path folder = scenario.parent_path();
    CHECK(run({"run", scenario.string(), "--cpython", "--python", folder.string()}, out, err) == cli::kExitBadInput);
    CHECK(err.str() == fmt::format("gilsim: --python {}: it is a folder; expected a Python interpreter, such as "
                                   "/usr/bin/python3\n",
                                   folder.string()));
  }
  SUBCASE("too old") {
    const fs::path old = write_file("python3.6", "#!/bin/sh\necho gilsim-probe 3 6 3.6.15 0 1\n");
    CHECK(run({"run", scenario.string(), "--cpython", "--python", old.string()}, out, err) == cli::kExitBadInput);
    CHECK(err.str() == fmt::format("gilsim: --python {} is Python 3.6.15; recording needs 3.9 or later\n", old.string()));
  }
  SUBCASE("Python 2") {
    const fs::path old = write_file("python2.7", "#!/bin/sh\necho gilsim-probe 2 7 2.7.18 0 1\n");
    CHECK(run({"run", scenario.string(), "--cpython", "--python", old.string()}, out, err) == cli::kExitBadInput);
    CHECK(err.str() == fmt::format("gilsim: --python {} is Python 2.7.18; recording needs 3.9 or later\n", old.string()));
  }
  SUBCASE("another language's interpreter, which quotes the probe it was given") {
    // perl -c CODE: "Can't open perl script "import sys, ...": No such file or directory",
    // where the probe's code is gilsim's, not the program's message.
    const fs::path perl = write_file("perl", "#!/bin/sh\necho \"Can't open perl script \\\"$2\\\": No such file or directory\" >&2\n"
                                             "exit 2\n");
    CHECK(run({"run", scenario.string(), "--cpython", "--python", perl.string()}, out, err) == cli::kExitBadInput);
    CHECK(err.str() == fmt::format("gilsim: --python {}: not a working Python 3 interpreter (exit status 2: Can't open "
                                   "perl script \"(gilsim's probe)\": No such file or directory)\n",
                                   perl.string()));
  }
  SUBCASE("not a Python") {
    const fs::path broken = write_file("not-python", "#!/bin/sh\necho 'Segmentation fault' >&2\nexit 139\n");
    CHECK(run({"run", scenario.string(), "--cpython", "--python", broken.string()}, out, err) == cli::kExitBadInput);
    CHECK(err.str().find("not a working Python 3 interpreter (exit status 139: Segmentation fault)\n") != std::string::npos);
  }
  SUBCASE("crashing during the run, its children with it") {
    // Answers the probe and the calibration like a real Python, then starts a child and dies.
    const fs::path crashing = write_file(
        "crashing-python", "#!/bin/sh\nif [ \"$1\" = -c ]; then echo gilsim-probe 3 11 3.11.2 0 1; exit 0; fi\n"
                           "if grep -q '\"calibrate\":true' \"$2\"; then echo calibration 20000 1000000; exit 0; fi\n"
                           "sleep 30 &\necho 'Fatal Python error: Segmentation fault' >&2\nkill -SEGV $$\n");
    CHECK(run({"run", scenario.string(), "--cpython", "--run", "threads", "--python", crashing.string()}, out, err) ==
          cli::kExitFailure);
    // The progress line is wiped with a carriage return before the error.
    const std::string message = err.str().substr(err.str().rfind('\r') + 1);
    CHECK(message.find(fmt::format("gilsim: {} failed the run 'threads' (killed by signal 11", crashing.string())) == 0);
    CHECK(message.find("Fatal Python error: Segmentation fault\n") != std::string::npos);
    CHECK(std::count(message.begin(), message.end(), '\n') == 1);
  }
  SUBCASE("crashing while it calibrates, before any run") {
    const fs::path crashing = write_file(
        "crashing-calibration", "#!/bin/sh\nif [ \"$1\" = -c ]; then echo gilsim-probe 3 11 3.11.2 0 1; exit 0; fi\n"
                                "sleep 30 &\necho 'Fatal Python error: Segmentation fault' >&2\nkill -SEGV $$\n");
    CHECK(run({"run", scenario.string(), "--cpython", "--python", crashing.string()}, out, err) == cli::kExitFailure);
    CHECK(err.str() == fmt::format("gilsim: calibrating {} failed (killed by signal 11 (Segmentation fault)): Fatal Python "
                                   "error: Segmentation fault\n", crashing.string()));
  }
  CHECK(real::testing::children_of_this_process() == 0);
  CHECK(leftover_folders() == folders);
}

namespace {

/// Process `pid` is gone, or dead and waiting for its new parent to reap it (the workers of an
/// interpreter killed are reparented, and reaped when that parent gets to it).
bool dead(int pid) {
  std::ifstream stat(fs::path("/proc") / std::to_string(pid) / "stat");
  std::string text;
  if (!std::getline(stat, text)) return true;
  const auto close = text.rfind(')');
  return close != std::string::npos && close + 2 < text.size() && (text[close + 2] == 'Z' || text[close + 2] == 'X');
}

/// Waits for process `pid`, sent SIGKILL, to die (when it next runs): true once it is dead.
bool killed(int pid) {
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::minutes(1);
  while (!dead(pid)) {
    if (std::chrono::steady_clock::now() > give_up) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return true;
}

}  // namespace

TEST_CASE("Ctrl-C stops a CPython run and every process it started") {
  const auto s = scenario::load_string(R"(title = "long"
[[job]]
name = "long"
count = 2
steps = [ { cpu = "20s" } ]
[[run]]
name = "pool"
executor = "process_pool"
workers = 2
)", "long.toml");
  const auto program = cpython::python_program(s, {});
  const cpython::Interpreter python = cpython::find_interpreter("");
  const int folders = leftover_folders();
  std::atomic<bool> cancel{false};
  // Ctrl-C once the interpreter has started the pool's two workers (its descendants: forked, or
  // a fork server's), however long a slow machine takes: not after a guessed time, when there
  // may be none to stop.
  std::vector<int> workers;
  std::thread ctrl_c([&] {
    const auto give_up = std::chrono::steady_clock::now() + std::chrono::minutes(1);
    while (workers.size() < 2 && std::chrono::steady_clock::now() < give_up) {
      workers.clear();
      for (const int interpreter : real::testing::child_pids_of_this_process()) {
        std::vector<int> below = real::testing::child_pids_of(interpreter);
        for (std::size_t i = 0; i < below.size(); ++i) {
          workers.push_back(below[i]);
          for (const int child : real::testing::child_pids_of(below[i])) below.push_back(child);
        }
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    cancel = true;
  });
  std::string why;
  CHECK_THROWS_WITH_AS(cpython::record_cpython_run(s, program.runs[0], program, python, cpython::CPythonOptions{.cancel = &cancel}, why),
                       "interrupted during the CPython run 'pool'; every process it started was stopped",
                       cpython::CPythonRunCancelled);
  ctrl_c.join();
  CHECK(workers.size() >= 2);
  for (const int worker : workers) {
    CAPTURE(worker);
    CHECK(killed(worker));
  }
  CHECK(real::testing::children_of_this_process() == 0);
  CHECK(leftover_folders() == folders);
}

TEST_CASE("a truncated or malformed recording is refused with its line") {
  const std::string good =
      "gilsim-cpython-trace 1\npython 3.11.2 1\ncalibration 20000 0\nrecording 50000 250000\nmachine 2 0.50 1000\n"
      "run 100 900 7 7 1\njob 7.1 0 7 7 0 100 800\nstep 7.1 0 cpu 7 7 0 100 800 800\nend 9\n";
  const auto r = cpython::parse_cpython_recording(good, "t.txt");
  CHECK(r.version == "3.11.2");
  CHECK(r.steps.size() == 1);
  const auto refused = [](const std::string& text) {
    try {
      cpython::parse_cpython_recording(text, "t.txt");
    } catch (const cpython::CPythonTraceError& e) {
      return std::string(e.what());
    }
    return std::string("accepted");
  };
  CHECK(refused(good.substr(0, good.size() - 6)) == "t.txt:8: truncated: no 'end' line");
  CHECK(refused(good.substr(0, good.size() - 1)) == "t.txt:9: truncated: the last line has no end");
  CHECK(refused("something else\n") == "t.txt:1: not a gilsim CPython recording (expected 'gilsim-cpython-trace 1')");
  std::string bad_number = good;
  bad_number.replace(bad_number.find("100 800 800"), 3, "1x0");
  CHECK(refused(bad_number) == "t.txt:8: expected an integer, found '1x0'");
  std::string short_end = good;
  short_end.replace(short_end.find("end 9"), 5, "end 12");
  CHECK(refused(short_end) == "t.txt:9: truncated: 'end' counts 12 lines, the file has 9");
  SUBCASE("a recording that does not match the scenario") {
    const auto s = scenario::load_string("title = \"t\"\n[[job]]\nname = \"j\"\nsteps = [ { io = \"1ms\" } ]\n"
                                         "[[run]]\nexecutor = \"threads\"\n", "t.toml");
    std::string two_steps = good;
    two_steps.replace(two_steps.find("step 7.1 0"), 10, "step 7.1 1");
    CHECK_THROWS_WITH(cpython::cpython_trace(s, s.runs[0], cpython::parse_cpython_recording(two_steps, "t.txt")),
                      "job '7.1' ran step 2; its template has 1 steps");
  }
}

namespace {

/// The trace of a hand recording of `s`'s first run: the header (its `recording` line's slice
/// and gap, in ns), `body` (from its run line on) and the end line that counts them, checked.
trace::Trace traced(const scenario::Scenario& s, std::string_view recording, const std::string& body) {
  std::string text = fmt::format(
      "gilsim-cpython-trace 1\npython 3.11.2 1\ncalibration 20000 0\nrecording {}\nmachine 2 0.50 1000\n{}", recording, body);
  text += fmt::format("end {}\n", std::ranges::count(text, '\n') + 1);
  trace::Trace t = cpython::cpython_trace(s, s.runs[0], cpython::parse_cpython_recording(text, "t.txt"));
  real::testing::check_invariants(t);
  return t;
}

/// The spans of the lane named `name`: begin, end and state, in ns.
std::vector<std::tuple<std::int64_t, std::int64_t, trace::SpanState>> lane_spans(const trace::Trace& t,
                                                                               std::string_view name) {
  std::vector<std::tuple<std::int64_t, std::int64_t, trace::SpanState>> out;
  for (const auto& lane : t.lanes) {
    if (lane.name != name) continue;
    for (const auto& span : lane.spans) out.emplace_back(span.begin.ns(), span.end.ns(), span.state);
  }
  return out;
}

}  // namespace

TEST_CASE("the GIL's holder and each pause's reason are inferred from the slices") {
  // Two threads in compute(), 50 ns slices, pauses over 250 ns. T1 runs until 300, drops the
  // GIL on a request, and its next slice ends at 750; T2's first slice ends at 400 and it runs
  // until 700, when T1 takes the GIL back; T2's next slice ends at 1000.
  const auto s = scenario::load_string("title = \"t\"\n[[job]]\nname = \"work\"\ncount = 2\nsteps = [ { cpu = \"1us\" } ]\n"
                                       "[[run]]\nexecutor = \"threads\"\n", "t.toml");
  const std::string text =
      "gilsim-cpython-trace 1\npython 3.11.2 1\ncalibration 20000 0\nrecording 50 250\nmachine 2 0.50 1000\n"
      "run 0 1000 7 7 2\n"
      "gap 7 8 300 750\ngap 7 9 0 400\ngap 7 9 700 1000\n"
      "step 7.1 0 cpu 7 8 0 0 1000 1000\nstep 7.2 0 cpu 7 9 0 0 1000 1000\n"
      "job 7.1 0 7 8 0 0 1000\njob 7.2 0 7 9 0 0 1000\nend 14\n";
  const trace::Trace t = cpython::cpython_trace(s, s.runs[0], cpython::parse_cpython_recording(text, "t.txt"));
  real::testing::check_invariants(t);
  using S = trace::SpanState;
  const auto spans_of = [&](std::string_view name) { return lane_spans(t, name); };
  using Spans = std::vector<std::tuple<std::int64_t, std::int64_t, S>>;
  // T1 waits for the GIL from the drop until it has it back: first handed to T2, then held by it.
  CHECK(spans_of("T1") == Spans{{0, 300, S::Running}, {300, 700, S::WaitingGil}, {700, 950, S::Running},
                                {950, 1000, S::WaitingGil}});
  // T2 waits for the GIL while T1 holds it, then for a core once the GIL is its to take.
  CHECK(spans_of("T2") == Spans{{0, 300, S::WaitingGil}, {300, 350, S::Runnable}, {350, 700, S::Running},
                                {700, 950, S::WaitingGil}, {950, 1000, S::Running}});
  CHECK(spans_of("GIL, inferred") == Spans{{0, 300, S::Held}, {350, 700, S::Held}, {700, 950, S::Held},
                                           {950, 1000, S::Held}});
}

TEST_CASE("a thread whose slice another's short run lies inside holds the GIL again after it") {
  // Lesson 7's convoy: the hog computes 0-1000 with no pause the recording saw; the reader's
  // Python runs 400-500 inside it. The GIL went to the reader at 400 and back to the hog at
  // 500: the hog was drawn waiting for the GIL from 400 to its end, with nobody holding it.
  const auto s = scenario::load_string("title = \"t\"\n[[job]]\nname = \"work\"\ncount = 2\nsteps = [ { cpu = \"1us\" } ]\n"
                                       "[[run]]\nexecutor = \"threads\"\n", "t.toml");
  const trace::Trace t = traced(s, "50 250",
                                "run 0 1000 7 7 2\n"
                                "step 7.1 0 cpu 7 8 0 0 1000 1000\nstep 7.2 0 cpu 7 9 0 400 500 100\n"
                                "job 7.1 0 7 8 0 0 1000\njob 7.2 0 7 9 0 400 500\n");
  using S = trace::SpanState;
  using Spans = std::vector<std::tuple<std::int64_t, std::int64_t, S>>;
  CHECK(lane_spans(t, "T1") == Spans{{0, 400, S::Running}, {400, 500, S::WaitingGil}, {500, 1000, S::Running}});
  CHECK(lane_spans(t, "T2") == Spans{{400, 500, S::Running}});
  CHECK(lane_spans(t, "GIL, inferred") == Spans{{0, 400, S::Held}, {400, 500, S::Held}, {500, 1000, S::Held}});
}

TEST_CASE("nested slices three deep, and slices that begin together, give one holder at a time") {
  const auto s = scenario::load_string("title = \"t\"\n[[job]]\nname = \"work\"\ncount = 3\nsteps = [ { cpu = \"1us\" } ]\n"
                                       "[[run]]\nexecutor = \"threads\"\n", "t.toml");
  const auto slices = [&](const std::string& steps) { return traced(s, "50 250", "run 0 1000 7 7 2\n" + steps); };
  using S = trace::SpanState;
  using Spans = std::vector<std::tuple<std::int64_t, std::int64_t, S>>;
  // T2's run lies inside T1's slice and T3's begins inside T2's and outlives it: T1 holds the
  // GIL again only after T3, not from T2's end while T3 still ran.
  const trace::Trace nested = slices(
      "step 7.1 0 cpu 7 8 0 0 1000 1000\nstep 7.2 0 cpu 7 9 0 100 205 205\nstep 7.3 0 cpu 7 10 0 200 300 300\n"
      "job 7.1 0 7 8 0 0 1000\njob 7.2 0 7 9 0 100 205\njob 7.3 0 7 10 0 200 300\n");
  CHECK(lane_spans(nested, "GIL, inferred") ==
        Spans{{0, 100, S::Held}, {100, 200, S::Held}, {200, 300, S::Held}, {300, 1000, S::Held}});
  CHECK(lane_spans(nested, "T1") == Spans{{0, 100, S::Running}, {100, 300, S::WaitingGil}, {300, 1000, S::Running}});
  CHECK(lane_spans(nested, "T3") == Spans{{200, 300, S::Running}});
  // Two slices that begin together: the shorter lies inside the longer, whichever thread is
  // first in the recording (the longer drawn waiting all along, where T1's was the shorter).
  for (const auto& [first, second] : {std::pair{"500", "1000"}, std::pair{"1000", "500"}}) {
    const trace::Trace together = slices(fmt::format(
        "step 7.1 0 cpu 7 8 0 0 {0} {0}\nstep 7.2 0 cpu 7 9 0 0 {1} {1}\njob 7.1 0 7 8 0 0 {0}\njob 7.2 0 7 9 0 0 {1}\n"
        "job 7.3 0 7 10 0 0 0\n",
        first, second));
    CAPTURE(first);
    const std::string shorter = std::string(first) == "500" ? "T1" : "T2";
    CHECK(lane_spans(together, shorter) == Spans{{0, 500, S::Running}});
  }
}

TEST_CASE("an event loop whose task's sleep fell due while another thread held the GIL waited for it") {
  // Lesson 13's heartbeat: its sleep is due at 1000 while a to_thread worker computes
  // 100-1100; the loop runs it at 1100, when the worker is done. The loop thread's lane was
  // empty there (the wait only the task's 'ready'), so the measured GIL wait left out the
  // loop's waits, the lesson's point (82.1 ms predicted against 2.60 measured).
  const auto s = scenario::load_string("title = \"t\"\n[[job]]\nname = \"beat\"\nsteps = [ { sleep = \"1us\" } ]\n"
                                       "[[job]]\nname = \"work\"\nsteps = [ { offload = \"1us\", work = \"cpu\" } ]\n"
                                       "[[run]]\nexecutor = \"asyncio\"\n", "t.toml");
  const trace::Trace t = traced(s, "10 50",
                                "run 0 1200 7 7 2\ntask 1 0\ntask 2 0\n"
                                "step 7.1 0 await 7 7 1 0 1100 1000\n"
                                "step 7.2 0 cpu 7 9 0 100 1100 1100\nstep 7.2 0 offload 7 7 2 0 1120 1100\n"
                                "job 7.1 0 7 7 1 0 1100\njob 7.2 1 7 7 2 0 1120\n");
  using S = trace::SpanState;
  using Spans = std::vector<std::tuple<std::int64_t, std::int64_t, S>>;
  CHECK(lane_spans(t, "main") == Spans{{1000, 1100, S::WaitingGil}});
  CHECK(lane_spans(t, "task 1") == Spans{{0, 1000, S::Awaiting}, {1000, 1100, S::Ready}});
  // The offload's own tail (20 ns) is the loop's few instructions, shorter than a gap: no wait.
  CHECK(lane_spans(t, "task 2") == Spans{{0, 1100, S::Awaiting}, {1100, 1120, S::Ready}});
}

TEST_CASE("a loop's gaps between its tasks' runs, shorter than the recorder sees, are not waits") {
  // Task 1's sleep is due at 1000 and it runs at 1100; meanwhile the loop runs task 2's two
  // steps, 1000-1040 and 1050-1090. The 10 ns between them and before task 1 are the loop's own
  // Python (the recorder sees no pause under 40 ns here): 2,000 tasks of 0.1 ms each had drawn
  // 2,000 waits for a core of 7.6 us in median between them.
  const auto s = scenario::load_string("title = \"t\"\n[[job]]\nname = \"beat\"\nsteps = [ { sleep = \"1us\" } ]\n"
                                       "[[job]]\nname = \"other\"\nsteps = [ { cpu = \"1us\" }, { cpu = \"1us\" } ]\n"
                                       "[[run]]\nexecutor = \"asyncio\"\n", "t.toml");
  const trace::Trace t = traced(s, "10 50",
                                "run 0 1200 7 7 2\ntask 1 0\ntask 2 0\n"
                                "step 7.1 0 await 7 7 1 0 1100 1000\n"
                                "step 7.2 0 cpu 7 7 2 1000 1040 1040\nstep 7.2 1 cpu 7 7 2 1050 1090 1090\n"
                                "job 7.1 0 7 7 1 0 1100\njob 7.2 1 7 7 2 1000 1090\n");
  using S = trace::SpanState;
  using Spans = std::vector<std::tuple<std::int64_t, std::int64_t, S>>;
  CHECK(lane_spans(t, "main") == Spans{{1000, 1040, S::Running}, {1050, 1090, S::Running}});
}

TEST_CASE("--cpython fits the scenario to this machine with the one fit function, and says so") {
  // A scenario asking for more cores than any test machine has: the twin the model simulates
  // and the program CPython runs both get this machine's cores, by scenario::fit_to_machine.
  const fs::path scenario = write_file("many_cores.toml", R"(title = "Many cores"
[machine]
cores = 256
[[job]]
name = "work"
count = 2
steps = [ { cpu = "1ms" } ]
[[run]]
executor = "threads"
)");
  scenario::Scenario fitted = scenario::load_file(scenario);
  const auto note = scenario::fit_to_machine(fitted, real::available_cpus());
  REQUIRE(note);
  std::ostringstream out;
  std::ostringstream err;
  const int status = run({"run", scenario.string(), "--cpython", "--width", "100"}, out, err);
  INFO(out.str() << err.str());
  REQUIRE(status == cli::kExitOk);
  CHECK(out.str().find(*note) != std::string::npos);
  const auto timeline = out.str().find(fmt::format("\nthreads (threads, {} core", fitted.machine.cores));
  CHECK(timeline != std::string::npos);
  // Said under the table whose figures it changed, before any timeline, with the figure the
  // file itself predicts (what a lesson page states).
  CHECK(out.str().find(*note) < timeline);
  std::string flat = out.str();  // the sentences as one line, wherever the width wrapped them
  std::replace(flat.begin(), flat.end(), '\n', ' ');
  const auto as_is = flat.find(*note + " For the file as it is (256 cores, the model's own costs) it predicts threads ");
  CHECK(as_is != std::string::npos);
  CHECK(as_is < timeline);
}

TEST_CASE("a CPython run whose CPU ran off its calibrated pace is flagged, not scored") {
  // One job of 1 us of compute(), asked in two calls: they took 1,100 and 1,260 ns of their
  // thread's CPU for 1,000 ns each, 2,360 for 2,000: 18% slower than calibrated.
  const auto s = scenario::load_string("title = \"t\"\n[[job]]\nname = \"j\"\nsteps = [ { cpu = \"1us\" } ]\n"
                                       "[[run]]\nexecutor = \"threads\"\n", "t.toml");
  const auto recording = [](const std::string& paces, int lines) {
    return "gilsim-cpython-trace 1\npython 3.11.2 1\ncalibration 20000 0\nrecording 50 250\nmachine 2 0.50 1000\n"
           "run 0 1000 7 7 1\njob 7.1 0 7 8 0 0 1000\nstep 7.1 0 cpu 7 8 0 0 1000 1000\n" +
           paces + fmt::format("end {}\n", lines);
  };
  const trace::Trace slow =
      cpython::cpython_trace(s, s.runs[0], cpython::parse_cpython_recording(recording("pace 1000 1100\npace 1000 1260\n", 11), "t.txt"));
  CHECK(slow.cpu_check.planned_compute == Time{2000});
  CHECK(slow.cpu_check.compute_took == Time{2360});
  CHECK(slow.cpu_check.pace() == doctest::Approx(1.18));
  CHECK(slow.cpu_check.off_pace());
  CHECK_FALSE(real::starved_note(slow));  // it got its cores: a different flag
  const trace::Trace predicted = model::simulate(s, s.runs[0]);
  const std::string table = cli::render_prediction_table({&predicted}, {&slow}, {}, 200);
  INFO(table);
  CHECK(table.find("off pace*") != std::string::npos);
  CHECK(table.find("the CPU ran 18% slower than calibrated") != std::string::npos);

  const trace::Trace steady =
      cpython::cpython_trace(s, s.runs[0], cpython::parse_cpython_recording(recording("pace 2000 2100\n", 10), "t.txt"));
  CHECK(steady.cpu_check.pace() == doctest::Approx(1.05));
  CHECK_FALSE(steady.cpu_check.off_pace());  // within kPaceTolerance
  CHECK(cli::render_prediction_table({&predicted}, {&steady}, {}, 200).find("off pace") == std::string::npos);
  const trace::Trace fast =
      cpython::cpython_trace(s, s.runs[0], cpython::parse_cpython_recording(recording("pace 2000 1700\n", 10), "t.txt"));
  CHECK(fast.cpu_check.off_pace());
  CHECK(cli::pace_note(fast).find("15% faster than calibrated") != std::string::npos);
  CHECK(cli::render_prediction_table({&predicted}, {&fast}, {}, 200).find("off pace*") != std::string::npos);
}

TEST_CASE("one calibration, measured once, sets the work of every CPython run given it") {
  const auto s = scenario::load_string(kSmall, "small.toml");
  const auto program = cpython::python_program(s, cli::select_runs(s, {}));
  const cpython::Interpreter python = cpython::find_interpreter("");
  const int folders = leftover_folders();
  const cpython::Calibration measured = cpython::calibrate(program, python);
  CHECK(measured.loops_per_ms > 0);  // kSmall computes and hashes
  CHECK(measured.bytes_per_ms > 0);
  // What is known already is not measured again; what a program needs and is missing is.
  const cpython::Calibration loops_only{measured.loops_per_ms, 0};
  const cpython::Calibration completed = cpython::calibrate_missing(loops_only, program, python);
  CHECK(completed.loops_per_ms == measured.loops_per_ms);
  CHECK(completed.bytes_per_ms > 0);
  CHECK(cpython::calibrate_missing(measured, program, python).bytes_per_ms == measured.bytes_per_ms);

  // The same run given the measured calibration and a quarter of its loops: the second does
  // a quarter of the work, so its compute() takes about a quarter of the CPU per planned
  // millisecond. The host's pace moves between two levels about 2x apart, within seconds
  // (lesson 15's sequential loops took 14.7 ms and 30.4 ms in CPython on one afternoon; one
  // run here gave 1.22 and 0.120 for the two): the bounds allow a doubling either way.
  const auto pace_with = [&](const cpython::Calibration& c) {
    cpython::CPythonOptions options;
    options.calibration = c;
    std::string why;
    const auto t = cpython::record_cpython_run(s, program.runs.front(), program, python, options, why);
    REQUIRE(t);
    REQUIRE(t->cpu_check.planned_compute == Time{60'000'000});  // two jobs' cpu = "30ms"
    return t->cpu_check.pace();
  };
  const double full = pace_with(measured);
  const double quarter = pace_with(cpython::Calibration{std::max<std::int64_t>(1, measured.loops_per_ms / 4), measured.bytes_per_ms});
  CAPTURE(full);
  CAPTURE(quarter);
  CHECK(quarter < 0.6 * full);
  CHECK(quarter > 0.05 * full);
  CHECK(leftover_folders() == folders);
}

TEST_CASE("a CPython run whose native steps took far more CPU than planned says so under the table") {
  // One job of 1 us of hash_data(), asked in two calls: 1,000 ns each planned, 2,100 and 2,900
  // ns of their thread's CPU taken: 2.5 times the plan (fresh pages faulted in, say).
  const auto s = scenario::load_string("title = \"t\"\n[[job]]\nname = \"j\"\nsteps = [ { native = \"1us\" } ]\n"
                                       "[[run]]\nexecutor = \"threads\"\n", "t.toml");
  const auto recording = [](const std::string& paces, int lines) {
    return "gilsim-cpython-trace 1\npython 3.11.2 1\ncalibration 0 1000000\nrecording 50 250\nmachine 2 0.50 1000\n"
           "run 0 1000 7 7 1\njob 7.1 0 7 8 0 0 1000\nstep 7.1 0 native 7 8 0 0 1000 1000\n" +
           paces + fmt::format("end {}\n", lines);
  };
  const trace::Trace over = cpython::cpython_trace(
      s, s.runs[0], cpython::parse_cpython_recording(recording("native-pace 1000 2100\nnative-pace 1000 2900\n", 11), "t.txt"));
  CHECK(over.cpu_check.planned_native == Time{2000});
  CHECK(over.cpu_check.native_took == Time{5000});
  CHECK(over.cpu_check.native_over());
  CHECK_FALSE(over.cpu_check.off_pace());  // compute()'s own check: no compute() here
  const trace::Trace predicted = model::simulate(s, s.runs[0]);
  const std::string table = cli::render_prediction_table({&predicted}, {&over}, {}, 1000);
  INFO(table);
  CHECK(table.find("'threads': its native steps (hash_data()) took 5.00 us of CPU for 2.00 us planned at the "
                   "calibrated pace (2.5 times as much)") != std::string::npos);

  const trace::Trace steady = cpython::cpython_trace(
      s, s.runs[0], cpython::parse_cpython_recording(recording("native-pace 2000 2200\n", 10), "t.txt"));
  CHECK_FALSE(steady.cpu_check.native_over());  // within kNativeTolerance
  CHECK(cli::render_prediction_table({&predicted}, {&steady}, {}, 1000).find("native steps") == std::string::npos);
}

TEST_CASE("--cpython fits the prediction to the calibration's process start and pickling, and says so in one line") {
  // A process pool whose one job returns 1 MB, run by CPython; the calibration is a stand-in's
  // fixed answer (the real interpreter does everything else): a process start of 0.838 ms,
  // and 1 MB pickled in 4 ms, through the pipe in 12.5 ms, unpickled in 4 ms. The prediction
  // is then the model's for the scenario fitted to them, to the ns.
  const fs::path scenario = write_file("big_result.toml", R"(title = "A big result"
[machine]
cores = 1
[[job]]
name = "work"
steps = [ { cpu = "1ms" } ]
result_bytes = 1000000
[[run]]
name = "pool"
executor = "process_pool"
workers = 1
)");
  const fs::path python = write_file(
      "fixed-calibration-python",
      "#!/bin/sh\nif [ \"$1\" != -c ] && grep -q '\"calibrate\":true' \"$2\"; then\n"
      "  grep -q '\"send_back_bytes\":1000000' \"$2\" && echo calibration 20000 0 838000 1000000 4000000 12500000 4000000\n"
      "  exit 0\nfi\nexec /usr/bin/python3 \"$@\"\n");
  std::ostringstream out;
  std::ostringstream err;
  const int status = run({"run", scenario.string(), "--cpython", "--python", python.string(), "--width", "200"}, out, err);
  INFO(out.str() << err.str());
  REQUIRE(status == cli::kExitOk);
  // 250 MB/s is four times slower than the calibrated 1 GB/s: the line says so (fitted_line).
  CHECK(out.str().find("\nFitted to this machine: process start 0.84 ms (fork probe), pickling 250 MB/s, pipe 80 MB/s. "
                       "Far from the model's defaults: pickling ran 4.0 times slower than the calibrated 1000 MB/s.") !=
        std::string::npos);
  scenario::Scenario s = scenario::load_file(scenario);
  scenario::Scenario fitted = s;
  scenario::MeasuredMachine machine{real::available_cpus(), {}, {}, {}, Time{838'000}};
  machine.pickling = scenario::PicklingProbe{1'000'000, Time{4'000'000}, Time{12'500'000}, Time{4'000'000}};
  scenario::fit_to_machine(fitted, machine);
  const Time predicted = model::simulate(fitted, fitted.runs[0]).end;
  const Time unfitted = model::simulate(s, s.runs[0]).end;
  CHECK(predicted > unfitted + Time{12'500'000});  // the pipe's 12.5 ms at least
  CHECK(std::regex_search(out.str(), std::regex(fmt::format("\npool +{} ", format_time(predicted)))));
}
