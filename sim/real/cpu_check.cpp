// CPU needed (from the trace) against CPU got (from getrusage), and the load average.
#include "sim/real/cpu_check.hpp"

#include <algorithm>
#include <array>
#include <chrono>
#include <limits>
#include <string>
#include <thread>
#include <filesystem>
#include <fstream>
#include <utility>
#include <vector>

#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "sim/scenario/pin_fit.hpp"

namespace gilsim::real {

Time cpu_of(int who) {
  rusage usage{};
  if (getrusage(who, &usage) != 0) return Time::zero();
  const auto ns = [](const timeval& tv) { return static_cast<std::int64_t>(tv.tv_sec) * 1'000'000'000 + tv.tv_usec * 1'000; };
  return Time{ns(usage.ru_utime) + ns(usage.ru_stime)};
}

namespace {

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

int own_other_threads_ready() {
  const std::string self = std::to_string(::syscall(SYS_gettid));
  int ready = 0;
  std::error_code ec;
  for (const auto& task : std::filesystem::directory_iterator("/proc/self/task", ec)) {
    if (task.path().filename() == self) continue;
    std::ifstream in(task.path() / "stat");
    std::string line;
    std::getline(in, line);
    // pid (comm) state ...: the name may hold spaces and parentheses, the state follows the last ')'.
    const auto close = line.rfind(')');
    if (close != std::string::npos && close + 2 < line.size() && line[close + 2] == 'R') ++ready;
  }
  return ready;
}

CpuSnapshot take_cpu_snapshot_before_run() {
  // This process's own other threads (a viewer's indexing or frame, a simulation) are not
  // other programs: the run waits for them to rest rather than share its cores with them and
  // be flagged for it. Two seconds at most, so a thread that never rests cannot stall it.
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(2);
  while (own_other_threads_ready() > 0 && std::chrono::steady_clock::now() < give_up) {
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
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

CpuNeed cpu_need(const trace::Trace& t, const LanePins& pins) {
  const int cores = std::max(1, t.cores);
  std::vector<const std::vector<int>*> pinned(t.lanes.size(), nullptr);
  for (const auto& [lane, cpus] : pins) {
    if (lane < pinned.size() && !cpus.empty()) pinned[lane] = &cpus;
  }
  struct Edge {
    Time at;
    int delta;  ///< +1 as a thread starts computing, -1 as it stops
    trace::LaneId lane;
  };
  std::vector<Edge> edges;
  for (trace::LaneId l = 0; l < t.lanes.size(); ++l) {
    const auto& lane = t.lanes[l];
    if (lane.kind != trace::LaneKind::Thread) continue;
    for (const auto& span : lane.spans) {
      if (!computes(span.state)) continue;
      edges.push_back({span.begin, +1, l});
      edges.push_back({span.end, -1, l});
    }
  }
  std::sort(edges.begin(), edges.end(), [](const Edge& a, const Edge& b) {
    return a.at != b.at ? a.at < b.at : a.delta < b.delta;
  });
  std::vector<int> on_cpu(static_cast<std::size_t>(cores), 0);  // computing pinned lanes that may use each CPU
  int usable_pinned = 0;  // CPUs some computing pinned lane may use
  int unpinned = 0;       // computing lanes that may use every core
  int computing = 0;
  CpuNeed need;
  Time last;
  for (const Edge& e : edges) {
    const int usable = std::min(cores, usable_pinned + unpinned);
    const int at_once = std::min(computing, usable);
    need.total += (e.at - last) * at_once;
    need.beyond += (e.at - last) * (computing - at_once);
    if (e.at > last) need.peak = std::max(need.peak, at_once);  // an instant between two spans is not a need
    computing += e.delta;
    if (pinned[e.lane] == nullptr) {
      unpinned += e.delta;
    } else {
      for (const int cpu : *pinned[e.lane]) {
        int& n = on_cpu[static_cast<std::size_t>(scenario::fit_cpu(cpu, cores))];  // as the run pinned it
        if (e.delta > 0 && n++ == 0) ++usable_pinned;
        if (e.delta < 0 && --n == 0) --usable_pinned;
      }
    }
    last = e.at;
  }
  return need;
}

void check_cpu(trace::Trace& t, const CpuSnapshot& before, const CpuSnapshot& after, int machine_cpus,
               const LanePins& pins) {
  t.cpu_check.checked = true;
  t.cpu_check.load_average = before.load_average;
  const CpuNeed need = cpu_need(t, pins);
  t.cpu_check.cpus = need.peak;
  t.cpu_check.needed = need.total;
  t.cpu_check.own_waits = need.beyond;
  t.cpu_check.got = (after.own - before.own) + (after.children - before.children);
  t.cpu_check.machine_cpus = machine_cpus;
  t.cpu_check.others_runnable = std::max(0, before.runnable - 1);  // this thread was one of them
}

}  // namespace gilsim::real
