// The sweep's speed: the same 1,000-point sweep of a lesson run here, one task after
// another, then in forked workers; prints wall and CPU time of each (per grid point), the
// speed ratio and efficiency, the CPU share each run got, and the load average around them.
// Usage: gilsim_sweep_bench [--quick] [--jobs N]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <string>

#include <sys/resource.h>

#include "bench_arguments.hpp"
#include "sim/real/execute.hpp"
#include "sim/sweep/sweep_processes.hpp"

using namespace gilsim;

namespace {

std::string load_average() {
  std::ifstream in("/proc/loadavg");
  std::string one, five, fifteen;
  in >> one >> five >> fifteen;
  return one + " " + five + " " + fifteen;
}

struct Usage {
  double cpu = 0.0;       ///< user + system seconds, this process and its reaped children
  long minor_faults = 0;  ///< pages first touched (after a fork: copied on write)
};

Usage usage_now() {
  Usage total;
  for (const int who : {RUSAGE_SELF, RUSAGE_CHILDREN}) {
    rusage usage{};
    ::getrusage(who, &usage);
    const auto seconds = [](const timeval& t) { return static_cast<double>(t.tv_sec) + t.tv_usec / 1e6; };
    total.cpu += seconds(usage.ru_utime) + seconds(usage.ru_stime);
    total.minor_faults += usage.ru_minflt;
  }
  return total;
}

struct Timing {
  double wall = 0.0;
  double cpu = 0.0;  ///< the workers' and the parent's
  long minor_faults = 0;
};

template <typename Run>
Timing time_it(Run run) {
  const Usage before = usage_now();
  const auto start = std::chrono::steady_clock::now();
  run();
  const std::chrono::duration<double> wall = std::chrono::steady_clock::now() - start;
  const Usage after = usage_now();
  return Timing{wall.count(), after.cpu - before.cpu, after.minor_faults - before.minor_faults};
}

}  // namespace

constexpr const char* kUsage =
    "usage: gilsim_sweep_bench [--quick] [--jobs N]\n"
    "Runs a 1,000-point sweep of lesson 20 here, then in N worker processes (1 to 256, default\n"
    "this machine's CPUs), and prints the wall and CPU time of each; --quick: one seed, 100 points.\n";

int main(int argc, char** argv) {
  bool quick = false;
  int jobs = real::available_cpus();
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--help" || arg == "-h") bench::print_usage(kUsage);
    if (arg == "--quick") {
      quick = true;
    } else if (arg == "--jobs") {
      const auto n = i + 1 < argc ? bench::whole_number(argv[i + 1], 1, 256) : std::nullopt;
      if (!n) bench::refuse("gilsim_sweep_bench", "--jobs needs a whole number from 1 to 256", kUsage);
      jobs = static_cast<int>(*n);
      ++i;
    } else {
      bench::refuse("gilsim_sweep_bench", "unknown argument '" + arg + "'", kUsage);
    }
  }
  sweep::SweepRequest request;
  request.file = std::string(GILSIM_SOURCE_DIR) + "/scenarios/20-sweep-pool-size.toml";
  request.vary = {"workers=1..10", "cores=1..10", quick ? "seed=1" : "seed=1..10"};
  request.jobs = jobs;
  const sweep::SweepPlan plan = sweep::make_plan(request);
  std::printf("gilsim sweep %s --vary %s --vary %s --vary %s\n", "scenarios/20-sweep-pool-size.toml",
              request.vary[0].c_str(), request.vary[1].c_str(), request.vary[2].c_str());
  std::printf("%zu grid points, %lld simulations; %d worker processes; load average before: %s\n", plan.points(),
              static_cast<long long>(plan.simulations()), jobs, load_average().c_str());
  sweep::SweepResult here, there;
  const Timing one = time_it([&] { here = sweep::run_sweep_here(plan); });
  const Timing many = time_it([&] { there = sweep::run_sweep_in_processes(plan, jobs); });
  const bool same = here.figures.size() == there.figures.size() &&
                    std::memcmp(here.figures.data(), there.figures.data(),
                                here.figures.size() * sizeof(sweep::RunFigures)) == 0;
  const double points = static_cast<double>(plan.points());
  const int cpus = std::min(jobs, real::available_cpus());
  const auto line = [&](const char* where, const Timing& t, int used) {
    std::printf("%s %.3f s wall, %.3f s CPU: %.0f us CPU and %.1f page faults per grid point; got %.0f%% of %d CPU%s\n",
                where, t.wall, t.cpu, t.cpu / points * 1e6, static_cast<double>(t.minor_faults) / points,
                100.0 * t.cpu / (t.wall * used), used, used == 1 ? "" : "s");
  };
  line("in this process:", one, 1);
  std::printf("in %d workers:", jobs);
  line(jobs < 10 ? "   " : "  ", many, cpus);
  // Efficiency: the speed-up over one process as a share of the ideal, one per worker.
  const double ratio = one.wall / many.wall;
  std::printf("speed ratio %.2fx of an ideal %dx (wall): efficiency %.0f%%; work done per CPU second %.2f of one "
              "process's (CPU, workers and parent)\n",
              ratio, cpus, 100.0 * ratio / cpus, many.cpu > 0.0 ? one.cpu / many.cpu : 0.0);
  if (one.cpu < 0.9 * one.wall || many.cpu < 0.9 * many.wall * cpus) {
    std::printf("busy machine: a run got less than 90%% of the CPUs it could use, so the wall-time ratio and the "
                "efficiency measure the load, not the sweep; the CPU figures still hold\n");
  }
  std::printf("same figures both ways: %s; load average after: %s\n", same ? "yes" : "NO", load_average().c_str());
  return same ? 0 : 1;
}
