// The sweep's speed: the same 1,000-point sweep of a lesson run here, one task after
// another, then in forked workers; prints wall and CPU time of each, the speed ratio, and
// the load average around them. Usage: gilsim_sweep_bench [--quick] [--jobs N]
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <string>

#include <sys/resource.h>

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

double cpu_seconds(int who) {
  rusage usage{};
  ::getrusage(who, &usage);
  const auto seconds = [](const timeval& t) { return static_cast<double>(t.tv_sec) + t.tv_usec / 1e6; };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

struct Timing {
  double wall = 0.0;
  double cpu = 0.0;
};

template <typename Run>
Timing time_it(int who, Run run) {
  const double cpu_before = cpu_seconds(who);
  const auto start = std::chrono::steady_clock::now();
  run();
  const std::chrono::duration<double> wall = std::chrono::steady_clock::now() - start;
  return Timing{wall.count(), cpu_seconds(who) - cpu_before};
}

}  // namespace

int main(int argc, char** argv) {
  bool quick = false;
  int jobs = real::available_cpus();
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--quick") == 0) quick = true;
    if (std::strcmp(argv[i], "--jobs") == 0 && i + 1 < argc) jobs = std::atoi(argv[++i]);
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
  const Timing one = time_it(RUSAGE_SELF, [&] { here = sweep::run_sweep_here(plan); });
  const Timing many = time_it(RUSAGE_CHILDREN, [&] { there = sweep::run_sweep_in_processes(plan, jobs); });
  const bool same = here.figures.size() == there.figures.size() &&
                    std::memcmp(here.figures.data(), there.figures.data(),
                                here.figures.size() * sizeof(sweep::RunFigures)) == 0;
  std::printf("in this process: %.3f s wall, %.3f s CPU (%.0f us per simulation)\n", one.wall, one.cpu,
              one.cpu / static_cast<double>(plan.simulations()) * 1e6);
  std::printf("in %d workers:    %.3f s wall, %.3f s CPU in the workers\n", jobs, many.wall, many.cpu);
  std::printf("speed ratio %.2fx of an ideal %dx (wall); work done per CPU second %.2f of one process's\n",
              one.wall / many.wall, jobs, many.cpu > 0.0 ? one.cpu / many.cpu : 0.0);
  std::printf("same figures both ways: %s; load average after: %s\n", same ? "yes" : "NO", load_average().c_str());
  return same ? 0 : 1;
}
