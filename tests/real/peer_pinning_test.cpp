// A job's `cpus` and its peer process (docs/model.md S9), for real: pinned threads share
// their CPU, each `answer` is a round trip to a forked peer that spins before it replies,
// and no peer process or socket outlives the run.
#include <algorithm>
#include <atomic>
#include <filesystem>
#include <fstream>
#include <optional>
#include <thread>

#include <sched.h>

#include <doctest/doctest.h>

#include "real_test_support.hpp"
#include "tests/lane_lookup.hpp"
#include "sim/real/execute.hpp"
#include "sim/real/run_context.hpp"
#include "sim/scenario/effective_settings.hpp"
#include "sim/scenario/pin_fit.hpp"

using namespace gilsim;
using namespace gilsim::literals;
using namespace gilsim::real::testing;
using test::find_lane;
using scenario::Executor;
using trace::LaneKind;
using trace::SpanState;

namespace {

scenario::Step ask(Time io_time, Time answer) {
  scenario::Step s = io(io_time);
  s.answer = answer;
  return s;
}

int open_descriptors() {
  return static_cast<int>(std::distance(std::filesystem::directory_iterator("/proc/self/fd"),
                                        std::filesystem::directory_iterator{}));
}

std::vector<trace::Span> spans_in(const trace::Lane& lane, SpanState state) {
  std::vector<trace::Span> out;
  for (const auto& span : lane.spans) {
    if (span.state == state) out.push_back(span);
  }
  return out;
}

}  // namespace

TEST_CASE("threads pinned to one CPU share it: two busy threads without a GIL take twice one's time") {
  if (real::available_cpus() < 2) {  // one CPU: pinned or not, they share it
    MESSAGE("one CPU here: nothing to tell pinned threads from free ones; not checked");
    return;
  }
  auto s = make_scenario({make_job("crunch", 2, {native(150_ms)})});
  s.jobs[0].cpus = {0};
  const Pace pace;
  const auto t = real::execute(s, make_run(Executor::Threads));
  check_invariants(t);
  INFO(pace.figures());
  // Left to the kernel, the two would run side by side on the two CPUs in about 150 ms; on
  // one CPU they need 300 ms whatever else runs.
  CHECK(t.end >= pace.least(2 * 150_ms));
  CHECK(t.cpu_check.got >= pace.least(2 * 150_ms));
  // So the run needed about one CPU's worth, not two: sharing its CPU is not a busy machine
  // (one and a half allows for the main thread and the threads' starts and ends).
  CHECK(t.cpu_check.needed * 2 <= t.end * 3);
  // Each waited for the CPU while the other ran: the workload's own waits, which the kernel
  // counts and the trace shows (two threads computing on one CPU), so no busy machine's.
  CHECK(t.cpu_check.own_waits >= pace.least(150_ms));
  if (t.cpu_check.waits_measured) CHECK(t.cpu_check.waited_for_core >= pace.least(150_ms));
}

namespace {
/// The CPUs `status_file` (a /proc .../status) may run on: its Cpus_allowed_list, e.g. "1" or "0-1".
std::string allowed_cpus(const std::filesystem::path& status_file) {
  std::ifstream in(status_file);
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("Cpus_allowed_list:", 0) == 0) return line.substr(line.find_first_not_of(" \t", 18));
  }
  return {};
}
}  // namespace

TEST_CASE("while the run lasts, a pinned thread and its job's peer may run only on their CPUs") {
  std::vector<int> mine;
  {
    cpu_set_t set;
    CPU_ZERO(&set);
    REQUIRE(sched_getaffinity(0, sizeof(set), &set) == 0);
    for (int cpu = 0; cpu < CPU_SETSIZE; ++cpu) {
      if (CPU_ISSET(cpu, &set)) mine.push_back(cpu);
    }
  }
  if (mine.size() < 2) {  // one CPU: every pin is that CPU
    MESSAGE("one CPU here: every pin is that CPU; not checked");
    return;
  }
  // The scenario's CPU 1 is the run's second CPU, its CPU 0 the first.
  const std::string thread_cpu = std::to_string(mine[1]);
  const std::string peer_cpu = std::to_string(mine[0]);
  // A 2 s sleep on the pinned thread: the watcher below must get a core while it lasts (with
  // three busy loops at nice -10 coming and going, this test got 1.5% of the CPU, and in 400
  // ms it never looked at the thread).
  auto s = make_scenario({make_job("client", 1, {sleep(2_s), ask(1_ms, 1_ms)})});
  s.jobs[0].cpus = {1};
  s.jobs[0].peer_cpus = {0};
  std::atomic<bool> done{false};
  std::optional<trace::Trace> measured;
  std::thread runner([&] {
    measured = real::execute(s, make_run(Executor::Threads));
    done = true;
  });
  bool thread_seen = false;
  bool peer_seen = false;
  while (!done) {
    for (const auto& task : std::filesystem::directory_iterator("/proc/self/task")) {
      if (allowed_cpus(task.path() / "status") == thread_cpu) thread_seen = true;
    }
    for (const int child : child_pids_of_this_process()) {
      const std::string mask = allowed_cpus(std::filesystem::path("/proc") / std::to_string(child) / "status");
      if (mask == peer_cpu) peer_seen = true;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  runner.join();
  REQUIRE(measured);
  check_invariants(*measured);
  CHECK(thread_seen);
  CHECK(peer_seen);
}

TEST_CASE("each answer is a round trip to the job's peer process, which spins for it before it replies") {
  const int children_before = children_of_this_process();
  const int descriptors_before = open_descriptors();
  std::vector<scenario::Step> steps;
  for (int i = 0; i < 5; ++i) {
    steps.push_back(native(1_ms));
    steps.push_back(ask(2_ms, 10_ms));
  }
  auto s = make_scenario({make_job("client", 1, steps), make_job("plain", 1, {io(5_ms)})});
  s.jobs[0].cpus = {0};
  s.jobs[0].peer_cpus = {1};
  const Pace pace;  // the peer uses the run's calibration too
  const auto t = real::execute(s, make_run(Executor::Threads));
  check_invariants(t);
  INFO(pace.figures());

  // The peer is a process of its own with one thread, as the model draws it.
  const trace::Lane* peer = find_lane(t, "peer");
  REQUIRE(peer != nullptr);
  CHECK(t.processes[peer->process].name == "peer of client");
  CHECK(t.processes[peer->process].gil_lane == trace::kNone);
  CHECK(std::count_if(t.lanes.begin(), t.lanes.end(), [](const trace::Lane& l) { return l.name == "peer"; }) == 1);
  // One answer per answer step, each at least its 10 ms of CPU.
  const auto answers = spans_in(*peer, SpanState::Native);
  REQUIRE(answers.size() == 5);
  for (const auto& a : answers) CHECK(a.end - a.begin >= pace.least(10_ms));
  // Each answer falls inside a wait of the client for its reply, which then takes 2 ms more.
  const trace::Lane* client = find_lane(t, "T1");
  REQUIRE(client != nullptr);
  const auto waits = spans_in(*client, SpanState::BlockedIo);
  for (const auto& a : answers) {
    const auto inside = std::find_if(waits.begin(), waits.end(), [&](const trace::Span& w) {
      return w.begin <= a.begin && a.end <= w.end && w.end - a.end >= 1800_us;
    });
    CHECK(inside != waits.end());
  }
  CHECK(t.end >= 5 * 2_ms + pace.least(5 * (1_ms + 10_ms)));
  // The peer's CPU is counted as the run's: it was reaped before the run's CPU was read.
  CHECK(t.cpu_check.got >= pace.least(5 * (1_ms + 10_ms)));
  // No peer left behind, no socket left open.
  CHECK(children_of_this_process() == children_before);
  CHECK(open_descriptors() == descriptors_before);
}

TEST_CASE("a run stopped while a peer is answering kills and reaps it") {
  const int children_before = children_of_this_process();
  const int descriptors_before = open_descriptors();
  // Two answers of 29 s of CPU (58 s: under the real runs' limit of 60 s of CPU work).
  auto s = make_scenario({make_job("client", 2, {ask(1_ms, 29_s)})});
  real::ExecuteOptions options;
  options.timeout = 300_ms;
  const auto began = std::chrono::steady_clock::now();
  try {
    real::execute(s, make_run(Executor::Threads), options);
    FAIL("the run should have timed out");
  } catch (const real::RealRunError& e) {
    CHECK(e.reason() == real::RealRunError::Reason::TimedOut);
  }
  // Well before an answer could have ended, not a time a loaded machine keeps to: at load 16
  // a run that started processes took 7.6 s from its start to its stop.
  CHECK(std::chrono::steady_clock::now() - began < std::chrono::seconds(15));
  CHECK(children_of_this_process() == children_before);
  CHECK(open_descriptors() == descriptors_before);
}

TEST_CASE("more peers than a real run may fork is refused before anything starts") {
  auto s = make_scenario({make_job("client", real::kMaxRealProcesses + 1, {ask(1_ms, 1_ms)})});
  const auto why = real::why_not_runnable(s, make_run(Executor::Threads));
  REQUIRE(why);
  CHECK(why->find("peer process") != std::string::npos);
}

TEST_CASE("a CPU this machine lacks is folded as the model's twin folds it, and said") {
  // Scenario CPU k is the run's CPU k mod (the run's CPUs): both sides see the same pins.
  CHECK(scenario::fit_cpu(3, 2) == 1);
  CHECK(scenario::fit_cpu(1, 1) == 0);
  CHECK(scenario::fit_cpu_list({1, 3}, 2) == std::vector<int>{1});
  auto s = make_scenario({make_job("hog", 1, {native(1_ms)}), make_job("client", 1, {ask(1_ms, 1_ms)})}, 4);
  s.jobs[0].cpus = {3};
  s.jobs[1].cpus = {0, 2};
  s.jobs[1].peer_cpus = {2};
  s.runs.push_back(make_run(Executor::Threads));
  scenario::Scenario fitted = s;
  const auto note = scenario::fit_to_machine(fitted, 2);
  REQUIRE(note);
  CHECK(note->find("job 'hog': cpus [3] became [1]") != std::string::npos);
  CHECK(note->find("job 'client': cpus [0, 2] became [0], peer_cpus [2] became [0]") != std::string::npos);
  CHECK(fitted.jobs[0].cpus == std::vector<int>{1});
  CHECK_FALSE(scenario::fit_to_machine(s, 4));  // everything exists: nothing said, nothing moved
  // Unfitted, the real run folds the same way rather than fail: it runs to the end.
  const auto t = real::execute(s, s.runs[0]);
  check_invariants(t);
  REQUIRE(find_lane(t, "peer") != nullptr);
  CHECK(spans_in(*find_lane(t, "peer"), SpanState::Native).size() == 1);
}

TEST_CASE("the run's CPUs are this machine's first CPUs, and a scenario's CPU k is the k-th of them") {
  real::RunSettings settings;
  settings.cores = 1;
  const real::RunContext ctx(settings, real::RunContext::Clock::now());
  const std::vector<int> first = ctx.machine_cpus(std::vector<int>{0});
  REQUIRE(first.size() == 1);
  CHECK(ctx.machine_cpus(std::vector<int>{1}) == first);  // folded onto the run's one CPU
  CHECK(ctx.machine_cpus(std::vector<int>{0, 1}) == first);
}
