// Pinned threads and the peer process of a socket (docs/model.md S9). Hand-written
// timelines first, with per-CPU run queues and the exact costs of model_fixtures.hpp.
#include <doctest/doctest.h>

#include <vector>

#include "model_fixtures.hpp"

using namespace gilsim;
using namespace gilsim::test;

namespace {

scenario::JobTemplate& job_named(scenario::Scenario& s, std::string_view name) {
  for (auto& j : s.jobs) {
    if (j.name == name) return j;
  }
  throw std::runtime_error("no job named " + std::string(name));
}

std::vector<Time> job_ends(scenario::Scenario& s) {
  const auto t = simulate_with(s, scenario::Executor::Threads);
  std::vector<Time> ends;
  for (const auto& job : t.jobs) ends.push_back(job.end);
  return ends;
}

/// Two cores with per-CPU run queues, exact costs.
scenario::Scenario two_per_cpu_cores() {
  auto s = exact_scenario(2);
  s.machine.placement = scenario::Placement::PerCpu;
  return s;
}

/// How long each core ran `native` work in a threads run of `s`.
std::vector<Time> native_on_cores(scenario::Scenario& s) {
  const auto t = simulate_with(s, scenario::Executor::Threads);
  return {time_in(lane_named(t, "core 0"), trace::SpanState::Native), time_in(lane_named(t, "core 1"), trace::SpanState::Native)};
}

scenario::Step answered_io(Time io, Time answer) {
  scenario::Step st = step(scenario::StepKind::Io, io);
  st.answer = answer;
  return st;
}

}  // namespace

TEST_CASE("two threads pinned to one CPU share it while the other CPU idles (S9)") {
  // Two threads, each a 4 ms copy without the GIL, on two cores, a 3 ms quantum.
  //   0      T1 takes core 1, its only CPU; T2 finds it busy and core 0 not allowed: it
  //          waits on core 1's queue (S1a among its own CPUs).
  //   3      Core 1's slice ends: T2 takes it, T1 (3 ms done) queued behind it. Core 0,
  //          idle, never pulls either (S1c leaves a pinned thread where it is).
  //   6      T1 again, its last 1 ms: it ends at 7; T2 then its last 1 ms, ends at 8.
  // Unpinned, each has a core: both end at 4.
  auto s = two_per_cpu_cores();
  add_jobs(s, "a", 1, {native(4_ms)});
  add_jobs(s, "b", 1, {native(4_ms)});
  CHECK(job_ends(s) == std::vector<Time>{4_ms, 4_ms});
  job_named(s, "a").cpus = {1};
  job_named(s, "b").cpus = {1};
  CHECK(job_ends(s) == std::vector<Time>{7_ms, 8_ms});
  CHECK(native_on_cores(s) == std::vector<Time>{0_ms, 8_ms});
}

TEST_CASE("a peer process answers only once it has had a core: behind a CPU-bound thread on its CPU it waits for a slice (S9)") {
  // "hog": a 10 ms copy pinned to core 1. "client", pinned to core 0, makes one call
  // whose answer costs the peer process 2 ms of CPU, then 1 ms more of I/O.
  // Peer on core 0, idle while the client blocks:
  //   0      the client sends; the peer wakes and takes core 0; 0 - 2 its answer.
  //   2      the client reads, 1 ms of I/O: it ends at 3. The hog ends at 10.
  // Peer on core 1, beside the hog:
  //   0      the peer wakes with core 1 busy: the hog has run 0 ms, under a quarter of the
  //          quantum, so no wake-up preemption (S3): it waits on core 1's queue.
  //   3      core 1's slice ends: the peer takes it, 3 - 5 its answer; the hog, preempted
  //          with 7 ms left, has core 1 back at 5 and ends at 12.
  //   5      the client reads, 1 ms: it ends at 6.
  auto s = two_per_cpu_cores();
  add_jobs(s, "hog", 1, {native(10_ms)});
  add_jobs(s, "client", 1, {answered_io(1_ms, 2_ms)});
  job_named(s, "hog").cpus = {1};
  job_named(s, "client").cpus = {0};
  job_named(s, "client").peer_cpus = {0};
  CHECK(job_ends(s) == std::vector<Time>{10_ms, 3_ms});
  job_named(s, "client").peer_cpus = {1};
  CHECK(job_ends(s) == std::vector<Time>{12_ms, 6_ms});
  CHECK(native_on_cores(s) == std::vector<Time>{0_ms, 12_ms});  // the hog's 10 ms and the peer's 2
}

TEST_CASE("a busy core's balance and an idle core's never move a pinned thread (S9, S1c, S1d)") {
  // a, b, c: 20 ms copies pinned to core 1; d: a 40 ms copy free to run anywhere; a 3 ms
  // quantum. d takes the idle core 0; a takes core 1, b and c wait on its queue.
  //   core 1 shares its 3 ms slices in turns: a at 0, 9, ..., 45 (18 ms), b at 3, ..., 48,
  //          c at 6, ..., 51; then their last 2 ms each: a ends at 56, b at 58, c at 60.
  //   core 0 runs d, 0 - 40. At its busy balance (32 ms past its start, at the slice end
  //          of 33 ms) core 1 runs two threads more than it, which S1d would even out by
  //          pulling one; from 40 it idles beside two queued threads, which S1c would pull.
  //          Neither may run on core 0.
  auto s = two_per_cpu_cores();
  add_jobs(s, "a", 1, {native(20_ms)});
  add_jobs(s, "b", 1, {native(20_ms)});
  add_jobs(s, "c", 1, {native(20_ms)});
  add_jobs(s, "d", 1, {native(40_ms)});
  for (const char* name : {"a", "b", "c"}) job_named(s, name).cpus = {1};
  CHECK(job_ends(s) == std::vector<Time>{56_ms, 58_ms, 60_ms, 40_ms});
  CHECK(native_on_cores(s) == std::vector<Time>{40_ms, 60_ms});
}
