// Benchmark of the model: large contention scenarios, timed on the wall clock, with the
// same headline workload run in SimPy for a measured ratio. Prints figures; never fails on
// speed. Usage: gilsim_bench [--quick] [--no-simpy]
#include <chrono>
#include <cstdio>
#include <string>
#include <string_view>

#include <fmt/format.h>

#include "sim/model/simulate.hpp"
#include "sim/scenario/scenario.hpp"

using namespace gilsim;
using namespace gilsim::literals;

namespace {

struct Case {
  std::string name;
  scenario::Scenario scenario;
};

scenario::Scenario cpu_threads(int threads, Time work, scenario::GilMode gil, int cores) {
  scenario::Scenario s;
  s.title = "bench";
  s.machine.cores = cores;
  s.python.gil = gil;
  scenario::JobTemplate job;
  job.name = "crunch";
  job.count = threads;
  job.steps = {scenario::Step{scenario::StepKind::Cpu, scenario::Duration::fixed(work), scenario::StepKind::Cpu}};
  s.jobs = {job};
  scenario::Run run;
  run.name = "threads";
  run.executor = scenario::Executor::Threads;
  s.runs = {run};
  return s;
}

scenario::Scenario io_jobs(int count, scenario::Executor executor, Time wait = 1000_ms) {
  scenario::Scenario s;
  s.title = "bench";
  scenario::JobTemplate job;
  job.name = "request";
  job.count = count;
  job.steps = {
      scenario::Step{scenario::StepKind::Cpu, scenario::Duration::fixed(50_us), scenario::StepKind::Cpu},
      scenario::Step{scenario::StepKind::Io, scenario::Duration::fixed(wait), scenario::StepKind::Cpu},
      scenario::Step{scenario::StepKind::Cpu, scenario::Duration::fixed(50_us), scenario::StepKind::Cpu},
  };
  s.jobs = {job};
  scenario::Run run;
  run.name = std::string(scenario::to_string(executor));
  run.executor = executor;
  if (executor == scenario::Executor::ProcessPool) run.chunksize = 1;
  s.runs = {run};
  return s;
}

struct Figures {
  double wall_s = 0;
  std::uint64_t events = 0;
  std::uint64_t spans = 0;
  std::uint64_t marks = 0;
  double bytes_per_span = 0;
  Time end;
};

Figures measure(const scenario::Scenario& s) {
  model::SimulationStats stats;
  const auto started = std::chrono::steady_clock::now();
  // The benchmark's workloads are large on purpose: no work budget.
  const trace::Trace t = model::simulate(s, s.runs[0], &stats, UINT64_MAX);
  const auto finished = std::chrono::steady_clock::now();
  Figures f;
  f.wall_s = std::chrono::duration<double>(finished - started).count();
  f.events = stats.events;
  std::uint64_t span_bytes = 0;
  for (const auto& lane : t.lanes) {
    f.spans += lane.spans.size();
    span_bytes += lane.spans.capacity() * sizeof(trace::Span);
  }
  f.marks = t.marks.size();
  f.bytes_per_span = f.spans == 0 ? 0.0 : static_cast<double>(span_bytes) / static_cast<double>(f.spans);
  f.end = t.end;
  return f;
}

/// Runs bench/simpy_gil.py with Debian's python3 (where python3-simpy lives); wall seconds.
double simpy_seconds(int threads, double work_s, double interval_s) {
  const std::string command = fmt::format("/usr/bin/python3 {}/bench/simpy_gil.py {} {} {} 2>/dev/null",
                                          GILSIM_SOURCE_DIR, threads, work_s, interval_s);
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return -1;
  double wall = -1, end = 0;
  long handoffs = 0;
  if (std::fscanf(pipe, "%lf %lf %ld", &wall, &end, &handoffs) != 3) wall = -1;
  if (pclose(pipe) != 0) return -1;
  return wall;
}

}  // namespace

int main(int argc, char** argv) {
  bool quick = false;
  bool with_simpy = true;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg == "--quick") quick = true;
    if (arg == "--no-simpy") with_simpy = false;
    if (arg == "--help" || arg == "-h") {
      fmt::print("usage: gilsim_bench [--quick] [--no-simpy]\n");
      return 0;
    }
  }
  const int headline_threads = quick ? 100 : 1000;
  std::vector<Case> cases;
  cases.push_back({fmt::format("{} CPU threads x 1 s, new GIL, 5 ms (headline)", headline_threads),
                   cpu_threads(headline_threads, 1000_ms, scenario::GilMode::New, 4)});
  cases.push_back({"100 CPU threads x 1 s, old GIL, 4 cores", cpu_threads(100, 1000_ms, scenario::GilMode::Old, 4)});
  cases.push_back({"1000 CPU threads x 100 ms, no GIL, 8 cores", cpu_threads(1000, 100_ms, scenario::GilMode::None, 8)});
  cases.push_back({"10000 requests, asyncio", io_jobs(10'000, scenario::Executor::Asyncio)});
  cases.push_back({"10000 requests, thread pool (default size)", io_jobs(10'000, scenario::Executor::ThreadPool)});
  cases.push_back({"10000 requests, 10000 threads", io_jobs(10'000, scenario::Executor::Threads)});
  cases.push_back({"10000 tiny tasks, process pool, chunksize 1",
                   io_jobs(10'000, scenario::Executor::ProcessPool, Time::zero())});

  fmt::print("{:<48} {:>10} {:>12} {:>14} {:>11} {:>10} {:>11}\n", "case", "wall", "events",
             "events/s", "spans", "B/span", "simulated");
  Figures headline;
  for (std::size_t i = 0; i < cases.size(); ++i) {
    const Figures f = measure(cases[i].scenario);
    if (i == 0) headline = f;
    fmt::print("{:<48} {:>9.3f}s {:>12} {:>13.2f}M {:>11} {:>10.1f} {:>11}\n", cases[i].name, f.wall_s, f.events,
               static_cast<double>(f.events) / f.wall_s / 1e6, f.spans, f.bytes_per_span, format_time(f.end));
  }
  if (with_simpy) {
    const double simpy = simpy_seconds(headline_threads, 1.0, 0.005);
    if (simpy < 0) {
      fmt::print("\nSimPy: not run (needs /usr/bin/python3 with python3-simpy)\n");
    } else {
      fmt::print("\nheadline in SimPy (FIFO one-holder GIL): {:.3f}s wall; gilsim is {:.0f}x faster\n", simpy,
                 simpy / headline.wall_s);
    }
  }
  return 0;
}
