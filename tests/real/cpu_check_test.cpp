// Busy-machine honesty: a measured run knows how much CPU it needed and how much it got,
// and one that other programs starved of its cores says so.
#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <thread>
#include <vector>

#include <sched.h>
#include <sys/wait.h>
#include <unistd.h>

#include "real_test_support.hpp"
#include "sim/real/busy_loop.hpp"
#include "sim/real/cpu_check.hpp"
#include "sim/real/execute.hpp"
#include "sim/real/machine_load.hpp"

using namespace gilsim;
using namespace gilsim::real::testing;
using trace::SpanState;

namespace {

trace::Span span(std::int64_t begin_ms, std::int64_t end_ms, SpanState state) {
  trace::Span s;
  s.begin = Time{begin_ms * 1'000'000};
  s.end = Time{end_ms * 1'000'000};
  s.state = state;
  return s;
}

/// A child process that spins on the first CPU this process may use until it is killed.
pid_t start_hog_on_first_cpu() {
  const int first = first_allowed_cpu();
  const pid_t pid = fork();
  if (pid == 0) {
    cpu_set_t one;
    CPU_ZERO(&one);
    CPU_SET(first, &one);
    sched_setaffinity(0, sizeof(one), &one);
    for (;;) real::spin(1'000'000);
  }
  return pid;
}

}  // namespace

TEST_CASE("the CPU a run needed counts threads computing, at most one per core") {
  // Hand timeline on 2 cores: T1 runs 0-10 ms; T2 runs 0-4, waits for the GIL 4-6, runs
  // natively 6-10; T3 runs 2-8. Computing: 0-2 two, 2-4 three (two cores), 4-6 two, 6-8
  // three (two cores), 8-10 two: 2 x 10 ms = 20 ms. Sleeping and waiting need nothing.
  trace::Trace t;
  t.cores = 2;
  t.lanes.push_back(trace::Lane{"T1", trace::LaneKind::Thread, 0, {span(0, 10, SpanState::Running)}});
  t.lanes.push_back(trace::Lane{"T2", trace::LaneKind::Thread, 0,
                                {span(0, 4, SpanState::Running), span(4, 6, SpanState::WaitingGil),
                                 span(6, 10, SpanState::Native)}});
  t.lanes.push_back(trace::Lane{"T3", trace::LaneKind::Thread, 0,
                                {span(2, 8, SpanState::Running), span(8, 30, SpanState::Sleeping)}});
  t.lanes.push_back(trace::Lane{"GIL", trace::LaneKind::Gil, 0, {span(0, 10, SpanState::Held)}});
  CHECK(real::cpu_need(t).total == Time{20'000'000});
  t.cores = 4;
  CHECK(real::cpu_need(t).total == Time{24'000'000});  // 2+6+4+6+4 core-ms
  // T1 and T2 pinned to CPU 0 (S9) share it; T3, left to the kernel, may use any core.
  const real::LanePins pins{{0, {0}}, {1, {0}}};
  CHECK(real::cpu_need(t, pins).total == Time{16'000'000});  // 0-2: 1, 2-4: 2, 4-6: 2, 6-8: 2, 8-10: 1
  const real::LanePins all_pinned{{0, {0}}, {1, {0}}, {2, {0}}};
  CHECK(real::cpu_need(t, all_pinned).total == Time{10'000'000});  // one CPU's worth while any computes
  const real::LanePins apart{{0, {0}}, {1, {1}}, {2, {1}}};
  CHECK(real::cpu_need(t, apart).total == Time{20'000'000});  // two CPUs between them: 2 at every instant
}

TEST_CASE("a run is crowded only when other programs leave fewer free CPUs than it needs at once") {
  // On 2 CPUs, one other program's thread ready as the run starts leaves one CPU free.
  const auto checked = [](std::vector<trace::Lane> lanes) {
    trace::Trace t;
    t.cores = 2;
    t.lanes = std::move(lanes);
    real::CpuSnapshot before;
    before.runnable = 2;  // the run's own thread and one other
    real::CpuSnapshot after = before;
    after.own = Time{30'000'000};  // all the CPU it needed: only the start's crowding is in question
    real::check_cpu(t, before, after, 2);
    return t.cpu_check;
  };
  SUBCASE("a sequential run: one thread computing at a time, then the next (0-10, 10-20 ms)") {
    const auto c = checked({trace::Lane{"main", trace::LaneKind::Thread, 0,
                                        {span(0, 10, SpanState::Running), span(10, 20, SpanState::Running)}},
                            trace::Lane{"T1", trace::LaneKind::Thread, 0,
                                        {span(0, 10, SpanState::Sleeping), span(20, 30, SpanState::Running)}}});
    CHECK(c.cpus == 1);
    CHECK(c.needed == Time{30'000'000});
    CHECK_FALSE(c.crowded());
    CHECK_FALSE(c.short_of_cpu());
  }
  SUBCASE("two threads computing together 5-10 ms need both CPUs") {
    const auto c = checked({trace::Lane{"T1", trace::LaneKind::Thread, 0, {span(0, 10, SpanState::Running)}},
                            trace::Lane{"T2", trace::LaneKind::Thread, 0, {span(5, 10, SpanState::Native)}}});
    CHECK(c.cpus == 2);
    CHECK(c.crowded());
    CHECK(c.short_of_cpu());
  }
  SUBCASE("three threads computing on 2 cores need at most 2") {
    const auto c = checked({trace::Lane{"T1", trace::LaneKind::Thread, 0, {span(0, 10, SpanState::Running)}},
                            trace::Lane{"T2", trace::LaneKind::Thread, 0, {span(0, 10, SpanState::Running)}},
                            trace::Lane{"T3", trace::LaneKind::Thread, 0, {span(0, 10, SpanState::Running)}}});
    CHECK(c.cpus == 2);
  }
}

TEST_CASE("a measured run records the CPU it needed and got") {
  auto s = make_scenario({make_job("crunch", 2, {cpu(Time{20'000'000})})}, 1);
  const Pace pace;
  const trace::Trace t = real::execute(s, make_run(scenario::Executor::Threads));
  REQUIRE(t.cpu_check.checked);
  CHECK(t.cpu_check.cpus == 1);
  INFO("needed " << t.cpu_check.needed.ns() << " ns, run ended at " << t.end.ns() << " ns");
  INFO(pace.figures());
  // The 40 ms of work, on one core, at the pace measured around the run.
  CHECK(t.cpu_check.needed >= pace.least(Time{40'000'000}));
  CHECK(t.cpu_check.got >= pace.least(Time{40'000'000}));
  CHECK(t.cpu_check.got > Time::zero());
  CHECK(t.cpu_check.machine_cpus == real::available_cpus());
  // The machine sampled around it (/proc/stat), its own CPU among what the machine used.
  REQUIRE(t.cpu_check.sampled());
  CHECK(t.cpu_check.sampled_wall >= t.end);
  CHECK(t.cpu_check.own_cpu >= pace.least(Time{40'000'000}));
}

TEST_CASE("a run that other programs starve of its core is flagged") {
  // Two spinning processes share the run's only CPU with it: the run gets about a third of
  // the CPU time it shows as running.
  auto s = make_scenario({make_job("crunch", 1, {cpu(Time{60'000'000})})}, 1);
  std::vector<pid_t> hogs{start_hog_on_first_cpu(), start_hog_on_first_cpu()};
  trace::Trace t;
  try {
    t = real::execute(s, make_run(scenario::Executor::Sequential));
  } catch (...) {
    for (pid_t p : hogs) kill(p, SIGKILL);
    for (pid_t p : hogs) waitpid(p, nullptr, 0);
    throw;
  }
  for (pid_t p : hogs) kill(p, SIGKILL);
  for (pid_t p : hogs) waitpid(p, nullptr, 0);
  CAPTURE(t.cpu_check.share());
  // The spinning processes are other programs (not reaped until after the run): their CPU
  // shows in the machine's busy time beyond the run's own.
  CAPTURE(t.cpu_check.others_cpu());
  CHECK(t.cpu_check.others_busy());
  // And the one rule of every reader says so: its thread waited for the core (CPU it needed
  // but did not get) far more than a tenth of its wall time, beside other programs.
  CAPTURE(real::core_shortfall(t).waited);
  const auto note = real::starved_note(t);
  REQUIRE(note);
  CHECK(note->rfind("not scored: other programs used ", 0) == 0);
}

TEST_CASE("a run waits for this process's own busy threads before it counts the machine's") {
  std::atomic<bool> started{false};
  std::atomic<bool> stop{false};
  std::atomic<bool> done{false};
  // A thread that computes (so is running or ready all along) until told to stop.
  std::thread busy([&] {
    started = true;
    while (!stop) {
    }
    done = true;
  });
  while (!started) std::this_thread::yield();
  CHECK(real::own_other_threads_ready() >= 1);
  stop = true;
  busy.join();
  CHECK(real::own_other_threads_ready() == 0);

  // One that computes for 30 ms of wall time, then ends: the snapshot is taken after it.
  std::atomic<bool> finished{false};
  std::atomic<bool> spinning{false};
  std::thread short_busy([&] {
    spinning = true;
    const auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(30);
    while (std::chrono::steady_clock::now() < until) {
    }
    finished = true;
  });
  while (!spinning) std::this_thread::yield();
  real::take_cpu_snapshot_before_run();
  CHECK(finished.load());
  short_busy.join();
}
