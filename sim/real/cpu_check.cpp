// CPU needed (from the trace) against CPU got (from getrusage), and the load average.
#include "sim/real/cpu_check.hpp"

#include <algorithm>
#include <array>
#include <chrono>
#include <limits>
#include <string>
#include <thread>
#include <fstream>
#include <utility>
#include <vector>

#include <sys/resource.h>

namespace gilsim::real {

namespace {

Time cpu_of(int who) {
  rusage usage{};
  if (getrusage(who, &usage) != 0) return Time::zero();
  const auto ns = [](const timeval& tv) { return static_cast<std::int64_t>(tv.tv_sec) * 1'000'000'000 + tv.tv_usec * 1'000; };
  return Time{ns(usage.ru_utime) + ns(usage.ru_stime)};
}

bool computes(trace::SpanState s) {
  return s == trace::SpanState::Running || s == trace::SpanState::Native || s == trace::SpanState::Pickling;
}

int runnable_now() {
  std::ifstream in("/proc/stat");
  std::string key;
  while (in >> key) {
    if (key == "procs_running") {
      int n = 0;
      in >> n;
      return n;
    }
    in.ignore(std::numeric_limits<std::streamsize>::max(), '\n');
  }
  return 1;
}

}  // namespace

CpuSnapshot take_cpu_snapshot() {
  CpuSnapshot s;
  s.own = cpu_of(RUSAGE_SELF);
  s.children = cpu_of(RUSAGE_CHILDREN);
  std::ifstream in("/proc/loadavg");
  if (!(in >> s.load_average)) s.load_average = 0;
  s.runnable = runnable_now();
  return s;
}

CpuSnapshot take_cpu_snapshot_before_run() {
  std::array<int, 5> samples{};
  for (auto& n : samples) {
    n = runnable_now();
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  std::sort(samples.begin(), samples.end());
  CpuSnapshot s = take_cpu_snapshot();
  s.runnable = samples[samples.size() / 2];
  return s;
}

Time cpu_needed(const trace::Trace& t) {
  std::vector<std::pair<Time, int>> edges;  // +1 as a thread starts computing, -1 as it stops
  for (const auto& lane : t.lanes) {
    if (lane.kind != trace::LaneKind::Thread) continue;
    for (const auto& span : lane.spans) {
      if (!computes(span.state)) continue;
      edges.emplace_back(span.begin, +1);
      edges.emplace_back(span.end, -1);
    }
  }
  std::sort(edges.begin(), edges.end());
  const int cores = std::max(1, t.cores);
  Time needed;
  int computing = 0;
  Time last;
  for (const auto& [at, delta] : edges) {
    needed += (at - last) * std::min(computing, cores);
    computing += delta;
    last = at;
  }
  return needed;
}

void check_cpu(trace::Trace& t, const CpuSnapshot& before, const CpuSnapshot& after, int machine_cpus) {
  t.cpu_check.checked = true;
  t.cpu_check.load_average = before.load_average;
  t.cpu_check.cpus = t.cores;
  t.cpu_check.needed = cpu_needed(t);
  t.cpu_check.got = (after.own - before.own) + (after.children - before.children);
  t.cpu_check.machine_cpus = machine_cpus;
  t.cpu_check.others_runnable = std::max(0, before.runnable - 1);  // this thread was one of them
}

}  // namespace gilsim::real
