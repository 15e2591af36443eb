// Benchmark of the model: large contention scenarios with the full trace recorded, each in
// a fresh process so its peak memory is its own, and the headline workload in SimPy in the
// same run for a measured ratio. Prints figures (a Markdown table, the one in
// docs/performance.md); never fails on speed.
//
// Usage: gilsim_bench [--quick] [--no-simpy] [--no-viewer] [--huge] [--json] [--digest]
//   --quick     the smoke run ctest does: small headline, no 10k case
//   --huge      adds 100k threads x 1 s (slow: tens of seconds)
//   --no-viewer skips gilviz: its first frame on the 1 M-span scenario and on the headline
//               workload, and its knob changes (it runs when gilviz was built next to this program)
//   --json      one JSON document instead of the table
//   --digest    prints each case's trace digest instead of figures (a reshaping of the
//               engine or the trace must leave every digest as it was)
//   --case N    (internal) runs case N in this process and prints its raw figures
//   --once      (internal, with --case) without the rerun: the process SimPy's is compared with
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <fstream>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "bench_arguments.hpp"
#include "sim/model/simulate.hpp"
#include "sim/scenario/loader.hpp"
#include "sim/scenario/scenario.hpp"

using namespace gilsim;
using namespace gilsim::literals;

namespace {

struct Options {
  bool quick = false;
  bool simpy = true;
  bool viewer = true;
  bool huge = false;
  bool json = false;
  bool digest = false;
  bool once = false;  ///< the child runs its case once, without the rerun
  std::optional<int> case_index;
};

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

/// The headline first; its thread count is what SimPy runs too.
int headline_threads(const Options& o) { return o.quick ? 100 : 1000; }

std::vector<Case> cases(const Options& o) {
  using scenario::GilMode;
  std::vector<Case> c;
  const int n = headline_threads(o);
  c.push_back({fmt::format("{} CPU threads x 1 s, new GIL, 5 ms, 2 cores (headline)", n),
               cpu_threads(n, 1000_ms, GilMode::New, 2)});
  if (!o.quick) c.push_back({"10000 CPU threads x 1 s, new GIL, 2 cores", cpu_threads(10'000, 1000_ms, GilMode::New, 2)});
  if (o.huge) c.push_back({"100000 CPU threads x 1 s, new GIL, 2 cores", cpu_threads(100'000, 1000_ms, GilMode::New, 2)});
  c.push_back({"100 CPU threads x 1 s, old GIL, 4 cores", cpu_threads(100, 1000_ms, GilMode::Old, 4)});
  c.push_back({"1000 CPU threads x 100 ms, no GIL, 8 cores", cpu_threads(1000, 100_ms, GilMode::None, 8)});
  c.push_back({"10000 requests, asyncio", io_jobs(10'000, scenario::Executor::Asyncio)});
  c.push_back({"10000 requests, thread pool (default size)", io_jobs(10'000, scenario::Executor::ThreadPool)});
  c.push_back({"10000 requests, 10000 threads", io_jobs(10'000, scenario::Executor::Threads)});
  c.push_back({"10000 tiny tasks, process pool, chunksize 1",
               io_jobs(10'000, scenario::Executor::ProcessPool, Time::zero())});
  return c;
}

/// A field of /proc/self/status in KiB (VmRSS, VmHWM), or 0 when the file is not there.
long status_kib(std::string_view field) {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.starts_with(field) && line.size() > field.size() && line[field.size()] == ':') {
      return std::stol(line.substr(field.size() + 1));
    }
  }
  return 0;
}

double cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

std::string load_average() {
  std::ifstream in("/proc/loadavg");
  double one = 0, five = 0, fifteen = 0;
  in >> one >> five >> fifteen;
  return fmt::format("{:.2f} {:.2f} {:.2f}", one, five, fifteen);
}

/// FNV-1a over every span and mark of a trace, field by field (no padding bytes): equal
/// digests mean the same result.
std::uint64_t trace_digest(const trace::Trace& t) {
  std::uint64_t h = 0xcbf2'9ce4'8422'2325ULL;
  const auto mix = [&h](std::uint64_t v) {
    for (int i = 0; i < 8; ++i) {
      h ^= (v >> (8 * i)) & 0xFF;
      h *= 0x100'0000'01b3ULL;
    }
  };
  for (const auto& lane : t.lanes) {
    mix(lane.spans.size());
    for (const auto& s : lane.spans) {
      mix(static_cast<std::uint64_t>(s.begin.ns()));
      mix(static_cast<std::uint64_t>(s.end.ns()));
      mix((std::uint64_t{s.subject} << 24) | (std::uint64_t{s.step} << 8) | static_cast<std::uint64_t>(s.state));
    }
  }
  mix(t.marks.size());
  for (const auto& m : t.marks) {
    mix(static_cast<std::uint64_t>(m.at.ns()));
    mix((std::uint64_t{m.lane} << 32) | m.other);
    mix(static_cast<std::uint64_t>(static_cast<std::int64_t>(m.value)));
    mix(static_cast<std::uint64_t>(m.kind));
  }
  mix(static_cast<std::uint64_t>(t.end.ns()));
  return h;
}

/// What one case measures, inside its own process.
struct Figures {
  double wall_s = 0;   ///< the simulation, trace included, on the steady clock
  double cpu_s = 0;    ///< CPU time the process got meanwhile
  double rerun_s = 0;  ///< the same run again in the same process (storage reused)
  std::uint64_t events = 0;
  std::uint64_t handoffs = 0;  ///< GIL acquisitions: spans on GIL lanes
  std::uint64_t spans = 0;
  std::uint64_t marks = 0;
  long rss_before_kib = 0;  ///< VmRSS before the run
  long peak_kib = 0;        ///< VmHWM after the first run
  std::int64_t end_ns = 0;
  double process_s = 0;  ///< the whole child process, measured by the parent

  double trace_bytes_per_span() const {
    return spans == 0 ? 0.0 : static_cast<double>(peak_kib - rss_before_kib) * 1024.0 / static_cast<double>(spans);
  }
  double process_bytes_per_span() const {
    return spans == 0 ? 0.0 : static_cast<double>(peak_kib) * 1024.0 / static_cast<double>(spans);
  }
  double ns_per_handoff() const { return handoffs == 0 ? 0.0 : wall_s * 1e9 / static_cast<double>(handoffs); }
  double cpu_ns_per_handoff() const { return handoffs == 0 ? 0.0 : cpu_s * 1e9 / static_cast<double>(handoffs); }
};

Figures run_case(const scenario::Scenario& s, bool rerun) {
  Figures f;
  f.rss_before_kib = status_kib("VmRSS");
  {
    model::SimulationStats stats;
    const double cpu0 = cpu_seconds();
    const auto t0 = std::chrono::steady_clock::now();
    // The benchmark's workloads are large on purpose: no work budget.
    const trace::Trace t = model::simulate(s, s.runs[0], &stats, UINT64_MAX);
    const auto t1 = std::chrono::steady_clock::now();
    f.cpu_s = cpu_seconds() - cpu0;
    f.wall_s = std::chrono::duration<double>(t1 - t0).count();
    f.peak_kib = status_kib("VmHWM");
    f.events = stats.events;
    for (const auto& lane : t.lanes) {
      f.spans += lane.spans.size();
      if (lane.kind == trace::LaneKind::Gil) f.handoffs += lane.spans.size();
    }
    f.marks = t.marks.size();
    f.end_ns = t.end.ns();
  }
  if (!rerun) return f;
  const auto t0 = std::chrono::steady_clock::now();
  model::simulate(s, s.runs[0], nullptr, UINT64_MAX);
  f.rerun_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return f;
}

std::string self_command(const Options& o, int index, bool once) {
  return fmt::format("/proc/{}/exe --case {}{}{}{}", getpid(), index, o.quick ? " --quick" : "", o.huge ? " --huge" : "",
                     once ? " --once" : "");
}

/// Runs case `index` in a fresh process, with its rerun unless `once`; nullopt when it failed.
std::optional<Figures> measure_in_child(const Options& o, int index, bool once = false) {
  const auto t0 = std::chrono::steady_clock::now();
  FILE* pipe = popen(self_command(o, index, once).c_str(), "r");
  if (pipe == nullptr) return std::nullopt;
  Figures f;
  unsigned long long events = 0, handoffs = 0, spans = 0, marks = 0;
  long long end_ns = 0;
  const int read = std::fscanf(pipe, "%lf %lf %lf %llu %llu %llu %llu %ld %ld %lld", &f.wall_s, &f.cpu_s,
                               &f.rerun_s, &events, &handoffs, &spans, &marks, &f.rss_before_kib, &f.peak_kib,
                               &end_ns);
  const int status = pclose(pipe);
  f.process_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  if (read != 10 || status != 0) return std::nullopt;
  f.events = events;
  f.handoffs = handoffs;
  f.spans = spans;
  f.marks = marks;
  f.end_ns = end_ns;
  return f;
}

struct SimPy {
  double wall_s = 0;     ///< inside the Python process, around the simulation
  double cpu_s = 0;
  double process_s = 0;  ///< the whole python3 process, measured here
  long handoffs = 0;
  long peak_kib = 0;
};

/// Runs bench/simpy_gil.py with Debian's python3 (where python3-simpy lives).
std::optional<SimPy> run_simpy(int threads) {
  const std::string command =
      fmt::format("/usr/bin/python3 {}/bench/simpy_gil.py {} 1.0 0.005 2>/dev/null", GILSIM_SOURCE_DIR, threads);
  const auto t0 = std::chrono::steady_clock::now();
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return std::nullopt;
  SimPy s;
  double end = 0;
  const int read = std::fscanf(pipe, "%lf %lf %lf %ld %ld", &s.wall_s, &s.cpu_s, &end, &s.handoffs, &s.peak_kib);
  const int status = pclose(pipe);
  s.process_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  if (read != 5 || status != 0) return std::nullopt;
  return s;
}

/// CPU time (user + system) of the children waited for so far.
double children_cpu_seconds() {
  rusage r{};
  getrusage(RUSAGE_CHILDREN, &r);
  return static_cast<double>(r.ru_utime.tv_sec + r.ru_stime.tv_sec) +
         static_cast<double>(r.ru_utime.tv_usec + r.ru_stime.tv_usec) * 1e-6;
}

/// gilviz opening a scenario (its own --bench-frames report, headless).
struct ViewerFirstFrame {
  std::string scenario;
  long spans = 0;
  double first_frame_ms = 0;  ///< after the viewer's start, as it reports
  double simulation_ms = 0;
  double indexing_ms = 0;
  double process_cpu_ms = 0;  ///< the whole gilviz process (its frames built), measured here
  double median_frame_cpu_ms = 0;  ///< of the frames built, as gilviz reports it
};

/// The gilviz built next to this program, or empty.
std::string gilviz_path() {
  char self[4096] = {};
  const ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
  if (n <= 0) return {};
  std::string dir(self, static_cast<std::size_t>(n));
  dir.resize(dir.rfind('/'));
  std::string gilviz = dir + "/gilviz";
  if (access(gilviz.c_str(), X_OK) != 0) return {};
  return gilviz;
}

/// Runs gilviz (built next to this program) on `scenario` (a path in the source tree) for
/// `frames` frames; nullopt without it.
std::optional<ViewerFirstFrame> run_viewer(const char* scenario, int frames) {
  const std::string gilviz = gilviz_path();
  if (gilviz.empty()) return std::nullopt;
  ViewerFirstFrame v;
  v.scenario = scenario;
  const std::string command =
      fmt::format("{} {}/{} --bench-frames {} 2>/dev/null", gilviz, GILSIM_SOURCE_DIR, v.scenario, frames);
  const double cpu0 = children_cpu_seconds();
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return std::nullopt;
  char line[512];
  int found = 0;
  while (std::fgets(line, sizeof line, pipe) != nullptr) {
    const std::string_view l = line;
    double a = 0, b = 0;
    long spans = 0;
    char name[256];
    if (std::sscanf(line, "scenario: %255s (%*d runs, %ld spans", name, &spans) == 2) {
      v.spans = spans;
      ++found;
    } else if (l.starts_with("load + simulate:") && std::sscanf(line, "load + simulate: %lf ms (simulation %lf ms)", &a, &b) == 2) {
      v.simulation_ms = b;
      ++found;
    } else if (std::sscanf(line, "viewer indexing: %lf ms", &a) == 1) {
      v.indexing_ms = a;
      ++found;
    } else if (std::sscanf(line, "first frame built %lf ms", &a) == 1) {
      v.first_frame_ms = a;
      ++found;
    } else if (std::sscanf(line, "frame CPU time (ms): mean %*f min %*f median %lf", &a) == 1) {
      v.median_frame_cpu_ms = a;
      ++found;
    }
  }
  const int status = pclose(pipe);
  v.process_cpu_ms = (children_cpu_seconds() - cpu0) * 1e3;
  if (status != 0 || found != 5) return std::nullopt;
  return v;
}

/// A knob change in the viewer on a lesson, as gilviz makes it (`--bench-knob`: the file read
/// again, its runs simulated and indexed beside the frames, the frame that swaps them in),
/// after the lesson was opened. The slowest of the bundled scenarios, by CPU time.
struct LessonRerun {
  std::string scenario;
  int scenarios = 0;
  double seconds = 0;      ///< to the frame after the knob moved
  double cpu_seconds = 0;  ///< CPU time of every thread meanwhile
  double simulation_seconds = 0;
  double indexing_seconds = 0;
  double frame_seconds = 0;
  int first_part_frame = 0;         ///< the frame after the change that showed the new runs so far; 0: none
  double first_part_seconds = 0;    ///< to that frame
  int whole_frame = 0;              ///< the frame after the change that showed the whole new runs
  /// Of every scenario: how many showed their whole new runs within one frame (kWithinOneFrame),
  /// and the names of the others.
  int within_one_frame = 0;
  std::vector<std::string> later;
  int kept_runs = 0;  ///< with --bench-knob-interval: runs of every scenario kept with their indices
  int runs = 0;       ///< of every scenario's runs
};

/// gilviz builds frame 1 at once after the knob moves (the frame the change was made in, which
/// still shows the previous runs), then one frame every 1/60 s: new runs in frame 2 came
/// within one frame of the change.
constexpr int kWithinOneFrame = 2;

/// `knob_flag`: gilviz's `--bench-knob` (the cores moved) or `--bench-knob-interval` (the
/// switch interval moved, which keeps the runs no interval could change).
std::optional<LessonRerun> rerun_lessons(const char* knob_flag) {
  const std::string gilviz = gilviz_path();
  if (gilviz.empty()) return std::nullopt;
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(std::filesystem::path(GILSIM_SOURCE_DIR) / "scenarios")) {
    if (entry.path().extension() == ".toml") files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  LessonRerun slowest;
  int within_one_frame = 0;
  std::vector<std::string> later;
  int kept_runs = 0, runs = 0;
  for (const auto& file : files) {
    const std::string command = fmt::format("{} {} --bench-frames 1 {} 2>/dev/null", gilviz, file.string(), knob_flag);
    FILE* pipe = popen(command.c_str(), "r");
    if (pipe == nullptr) return std::nullopt;
    char line[512];
    LessonRerun r;
    bool found = false;
    int part_frame = 0;
    double part_ms = 0;
    int whole_frame = 0;
    while (std::fgets(line, sizeof line, pipe) != nullptr) {
      double ms = 0, cpu = 0, sim = 0, index = 0, frame = 0;
      int frame_number = 0, kept = 0, of = 0;
      double after_ms = 0, interval_ms = 0;
      if (std::sscanf(line, "knob: the switch interval set to the %lf ms it has; %d of %d runs kept", &interval_ms, &kept,
                      &of) == 3) {
        kept_runs += kept;
        runs += of;
      }
      if (std::sscanf(line, "progressive: frame %d after the change showed the new runs so far (%lf ms after it)",
                      &frame_number, &after_ms) == 2) {
        part_frame = frame_number;
        part_ms = after_ms;
      }
      if (const char* whole = std::strstr(line, "came in frame "); whole != nullptr && std::strncmp(line, "progressive:", 12) == 0) {
        std::sscanf(whole, "came in frame %d", &whole_frame);
      }
      if (std::sscanf(line,
                      "knob change: %lf ms to the frame after it (%lf ms of CPU on every thread; re-simulation %lf ms, "
                      "indexing %lf ms, frame %lf ms)",
                      &ms, &cpu, &sim, &index, &frame) == 5) {
        r.scenario = file.filename().string();
        r.seconds = ms / 1e3;
        r.cpu_seconds = cpu / 1e3;
        r.simulation_seconds = sim / 1e3;
        r.indexing_seconds = index / 1e3;
        r.frame_seconds = frame / 1e3;
        found = true;
      }
    }
    if (pclose(pipe) != 0 || !found || whole_frame == 0) return std::nullopt;
    r.first_part_frame = part_frame;
    r.first_part_seconds = part_ms / 1e3;
    r.whole_frame = whole_frame;
    if (whole_frame <= kWithinOneFrame) {
      ++within_one_frame;
    } else {
      later.push_back(file.filename().string());
    }
    ++slowest.scenarios;
    if (r.cpu_seconds > slowest.cpu_seconds) {  // CPU time: steadier than the wall time on a busy machine
      r.scenarios = slowest.scenarios;
      slowest = r;
    }
  }
  if (slowest.scenarios == 0) return std::nullopt;
  slowest.within_one_frame = within_one_frame;
  slowest.later = std::move(later);
  slowest.kept_runs = kept_runs;
  slowest.runs = runs;
  return slowest;
}

std::string mib(long kib) { return fmt::format("{:.1f} MiB", static_cast<double>(kib) / 1024.0); }

void print_table(const std::vector<Case>& cs, const std::vector<std::optional<Figures>>& figures,
                 const std::optional<SimPy>& simpy, const std::optional<Figures>& headline_once, bool simpy_asked,
                 const std::string& load_before, const std::string& load_after) {
  fmt::print("Load average before: {}; after: {} ({} CPUs online).\n\n", load_before, load_after,
             sysconf(_SC_NPROCESSORS_ONLN));
  fmt::print("| case | time in process | CPU time | rerun | events | GIL hand-offs | ns/hand-off | CPU ns/hand-off | spans | marks "
             "| peak RSS | B/span (trace) | B/span (process) | whole process |\n");
  fmt::print("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
  for (std::size_t i = 0; i < cs.size(); ++i) {
    if (!figures[i]) {
      fmt::print("| {} | failed | | | | | | | | | | | | |\n", cs[i].name);
      continue;
    }
    const Figures& f = *figures[i];
    fmt::print("| {} | {:.3f} s | {:.3f} s | {:.3f} s | {} | {} | {:.0f} | {:.0f} | {} | {} | {} | {:.1f} | {:.1f} | {:.3f} s |\n",
               cs[i].name, f.wall_s, f.cpu_s, f.rerun_s, f.events, f.handoffs, f.ns_per_handoff(), f.cpu_ns_per_handoff(),
               f.spans, f.marks,
               mib(f.peak_kib), f.trace_bytes_per_span(), f.process_bytes_per_span(), f.process_s);
  }
  fmt::print("\nB/span (trace): (peak RSS - RSS before the run) / spans. B/span (process): peak RSS / spans.\n");
  fmt::print("rerun: the same case again in the same process, with the first run's storage reused. "
             "whole process: the child process, timed by this one (its run and its rerun).\n");
  if (!simpy_asked) return;
  if (!simpy || !figures[0] || !headline_once) {
    fmt::print("\nSimPy: not run (needs /usr/bin/python3 with python3-simpy)\n");
    return;
  }
  const Figures& h = *figures[0];
  fmt::print("\nHeadline in SimPy (FIFO one-holder GIL, {} hand-offs): {:.3f} s in process ({:.3f} s CPU), "
             "{:.3f} s whole process, peak RSS {}.\n",
             simpy->handoffs, simpy->wall_s, simpy->cpu_s, simpy->process_s, mib(simpy->peak_kib));
  fmt::print("Headline in gilsim as one process that runs it once (no rerun, as SimPy's): {:.3f} s.\n",
             headline_once->process_s);
  fmt::print("gilsim is {:.1f}x faster in process, {:.1f}x as whole processes, {:.1f}x by CPU time.\n",
             simpy->wall_s / h.wall_s, simpy->process_s / headline_once->process_s, simpy->cpu_s / h.cpu_s);
}

/// The aims, each beside the figure of this run that answers it.
struct Aims {
  static constexpr double kBeforeSeconds = 0.38;  ///< the headline in process before the engine was reshaped
  static constexpr double kSpeedup = 20;
  static constexpr double kNsPerHandoff = 100;
  static constexpr double kSimPyInProcess = 100;
  static constexpr double kSimPyWhole = 20;
  static constexpr double kBytesPerSpan = 40;
  static constexpr double kHugeSeconds = 15;
  static constexpr double kHugeGiB = 2;
  static constexpr double kFirstFrameMs = 150;
  static constexpr double kFrameMs = 1000.0 / 60.0;  ///< one frame at 60 Hz
};

std::string verdict(bool met) { return met ? "met" : "not met"; }

void print_aims(const std::vector<Case>& cs, const std::vector<std::optional<Figures>>& figures,
                const std::optional<SimPy>& simpy, const std::optional<Figures>& headline_once,
                const std::optional<ViewerFirstFrame>& viewer, const std::optional<LessonRerun>& lessons,
                const std::optional<LessonRerun>& interval_lessons, bool quick) {
  fmt::print("\nAgainst the aims (figures of this run; the CPU time is the one to read on a busy machine):\n\n");
  fmt::print("| aim | this run | |\n|---|---|---|\n");
  if (figures[0] && !quick) {
    const Figures& h = *figures[0];
    fmt::print("| headline {:.0f}x faster than the {:.2f} s before the reshape | {:.3f} s in process ({:.3f} s CPU): {:.1f}x ({:.1f}x by CPU) | {} |\n",
               Aims::kSpeedup, Aims::kBeforeSeconds, h.wall_s, h.cpu_s, Aims::kBeforeSeconds / h.wall_s,
               Aims::kBeforeSeconds / h.cpu_s, verdict(Aims::kBeforeSeconds / h.wall_s >= Aims::kSpeedup));
    fmt::print("| at most {:.0f} ns per GIL hand-off, full trace | {:.0f} ns ({:.0f} ns of CPU) | {} |\n", Aims::kNsPerHandoff,
               h.ns_per_handoff(), h.cpu_ns_per_handoff(), verdict(h.ns_per_handoff() <= Aims::kNsPerHandoff));
    fmt::print("| at most {:.0f} bytes per span at peak (headline) | {:.1f} (trace), {:.1f} (process) | {} |\n", Aims::kBytesPerSpan,
               h.trace_bytes_per_span(), h.process_bytes_per_span(), verdict(h.trace_bytes_per_span() <= Aims::kBytesPerSpan));
    if (simpy && headline_once) {
      const double in_process = simpy->wall_s / h.wall_s;
      const double whole = simpy->process_s / headline_once->process_s;
      fmt::print("| at least {:.0f}x SimPy in process, {:.0f}x as whole processes | {:.1f}x, {:.1f}x ({:.1f}x by CPU) | {} |\n",
                 Aims::kSimPyInProcess, Aims::kSimPyWhole, in_process, whole, simpy->cpu_s / h.cpu_s,
                 verdict(in_process >= Aims::kSimPyInProcess && whole >= Aims::kSimPyWhole));
    }
  }
  for (std::size_t i = 0; i < cs.size(); ++i) {
    if (!figures[i] || !cs[i].name.starts_with("100000 ")) continue;
    const Figures& f = *figures[i];
    const double gib = static_cast<double>(f.peak_kib) / (1024.0 * 1024.0);
    fmt::print("| 100k threads x 1 s under {:.0f} s and {:.0f} GiB | {:.1f} s ({:.1f} s CPU), {:.2f} GiB peak | {} |\n",
               Aims::kHugeSeconds, Aims::kHugeGiB, f.wall_s, f.cpu_s, gib,
               verdict(f.wall_s < Aims::kHugeSeconds && gib < Aims::kHugeGiB));
  }
  if (viewer) {
    fmt::print("| gilviz first frame of the {} k-span scenario under {:.0f} ms | {:.0f} ms after start (simulation {:.0f} ms, "
               "indexing {:.0f} ms; {:.0f} ms of CPU for the whole process) | {} |\n",
               viewer->spans / 1000, Aims::kFirstFrameMs, viewer->first_frame_ms, viewer->simulation_ms, viewer->indexing_ms,
               viewer->process_cpu_ms, verdict(viewer->first_frame_ms < Aims::kFirstFrameMs));
  }
  if (lessons) {
    // Within one frame: the whole new runs in the frame after the one the knob moved in. The
    // time to that frame includes waiting for it (1/60 s), so it is the frame that counts.
    fmt::print("| a knob change on a lesson re-simulates and redraws within one frame ({:.1f} ms) | {} of {} bundled "
               "scenarios in gilviz showed their whole new runs in the frame after the change{}; the slowest by CPU, {}: "
               "frame {}, {:.1f} ms after the knob moved ({:.1f} ms of CPU on every thread; re-simulation {:.1f} ms, "
               "indexing {:.1f} ms, frame {:.1f} ms){} | {} |\n",
               Aims::kFrameMs, lessons->within_one_frame, lessons->scenarios,
               lessons->later.empty() ? std::string() : fmt::format(" (not: {})", fmt::join(lessons->later, ", ")),
               lessons->scenario, lessons->whole_frame, lessons->seconds * 1e3, lessons->cpu_seconds * 1e3,
               lessons->simulation_seconds * 1e3, lessons->indexing_seconds * 1e3, lessons->frame_seconds * 1e3,
               lessons->first_part_frame == 0
                   ? std::string()
                   : fmt::format("; its new runs so far shown in frame {}, {:.1f} ms after it", lessons->first_part_frame,
                                 lessons->first_part_seconds * 1e3),
               verdict(lessons->later.empty()));
  }
  if (interval_lessons) {
    const LessonRerun& l = *interval_lessons;
    fmt::print("| the same with the switch interval moved (`--bench-knob-interval`: the runs no interval could change kept "
               "with their indices) | {} of {} showed their whole new runs in the frame after the change{} ({} of {} runs "
               "kept); the slowest by CPU, {}: frame {}, {:.1f} ms after the knob moved ({:.1f} ms of CPU on every thread; "
               "re-simulation {:.1f} ms, indexing {:.1f} ms, frame {:.1f} ms) | {} |\n",
               l.within_one_frame, l.scenarios,
               l.later.empty() ? std::string() : fmt::format(" (not: {})", fmt::join(l.later, ", ")), l.kept_runs, l.runs,
               l.scenario, l.whole_frame, l.seconds * 1e3, l.cpu_seconds * 1e3, l.simulation_seconds * 1e3,
               l.indexing_seconds * 1e3, l.frame_seconds * 1e3, verdict(l.later.empty()));
  }
}

void print_json(const std::vector<Case>& cs, const std::vector<std::optional<Figures>>& figures,
                const std::optional<SimPy>& simpy, const std::optional<Figures>& headline_once,
                const std::optional<ViewerFirstFrame>& viewer, const std::optional<ViewerFirstFrame>& viewer_headline,
                const std::optional<LessonRerun>& lessons, const std::optional<LessonRerun>& interval_lessons,
                const std::string& load_before, const std::string& load_after) {
  nlohmann::json doc;
  doc["load_before"] = load_before;
  doc["load_after"] = load_after;
  doc["cases"] = nlohmann::json::array();
  for (std::size_t i = 0; i < cs.size(); ++i) {
    nlohmann::json c{{"name", cs[i].name}, {"ok", figures[i].has_value()}};
    if (figures[i]) {
      const Figures& f = *figures[i];
      c.update({{"seconds", f.wall_s},
                {"cpu_seconds", f.cpu_s},
                {"rerun_seconds", f.rerun_s},
                {"process_seconds", f.process_s},
                {"events", f.events},
                {"gil_handoffs", f.handoffs},
                {"ns_per_handoff", f.ns_per_handoff()},
                {"cpu_ns_per_handoff", f.cpu_ns_per_handoff()},
                {"spans", f.spans},
                {"marks", f.marks},
                {"rss_before_kib", f.rss_before_kib},
                {"peak_rss_kib", f.peak_kib},
                {"trace_bytes_per_span", f.trace_bytes_per_span()},
                {"process_bytes_per_span", f.process_bytes_per_span()},
                {"simulated_ns", f.end_ns}});
    }
    doc["cases"].push_back(std::move(c));
  }
  if (simpy) {
    doc["simpy"] = {{"seconds", simpy->wall_s},
                    {"cpu_seconds", simpy->cpu_s},
                    {"process_seconds", simpy->process_s},
                    {"gil_handoffs", simpy->handoffs},
                    {"peak_rss_kib", simpy->peak_kib}};
    if (figures[0] && headline_once) {
      doc["simpy"]["gilsim_once_process_seconds"] = headline_once->process_s;
      doc["simpy"]["ratio_in_process"] = simpy->wall_s / figures[0]->wall_s;
      doc["simpy"]["ratio_whole_process"] = simpy->process_s / headline_once->process_s;
    }
  }
  if (lessons) {
    doc["lesson_rerun"] = {{"slowest_scenario", lessons->scenario},
                           {"scenarios", lessons->scenarios},
                           {"seconds", lessons->seconds},
                           {"cpu_seconds", lessons->cpu_seconds},
                           {"simulation_seconds", lessons->simulation_seconds},
                           {"indexing_seconds", lessons->indexing_seconds},
                           {"frame_seconds", lessons->frame_seconds},
                           {"first_part_frame", lessons->first_part_frame},
                           {"first_part_seconds", lessons->first_part_seconds},
                           {"whole_frame", lessons->whole_frame},
                           {"within_one_frame", lessons->within_one_frame},
                           {"later", lessons->later}};
  }
  if (interval_lessons) {
    const LessonRerun& l = *interval_lessons;
    doc["lesson_interval_rerun"] = {{"slowest_scenario", l.scenario},
                                    {"scenarios", l.scenarios},
                                    {"seconds", l.seconds},
                                    {"cpu_seconds", l.cpu_seconds},
                                    {"simulation_seconds", l.simulation_seconds},
                                    {"indexing_seconds", l.indexing_seconds},
                                    {"frame_seconds", l.frame_seconds},
                                    {"whole_frame", l.whole_frame},
                                    {"within_one_frame", l.within_one_frame},
                                    {"later", l.later},
                                    {"kept_runs", l.kept_runs},
                                    {"runs", l.runs}};
  }
  const auto viewer_json = [](const ViewerFirstFrame& v) {
    return nlohmann::json{{"scenario", v.scenario},           {"spans", v.spans},
                          {"first_frame_ms", v.first_frame_ms}, {"simulation_ms", v.simulation_ms},
                          {"indexing_ms", v.indexing_ms},       {"process_cpu_ms", v.process_cpu_ms},
                          {"median_frame_cpu_ms", v.median_frame_cpu_ms}};
  };
  if (viewer) doc["viewer_first_frame"] = viewer_json(*viewer);
  if (viewer_headline) doc["viewer_headline"] = viewer_json(*viewer_headline);
  fmt::print("{}\n", doc.dump(2));
}

/// gilviz on the headline workload: no aim, the figures a class with a thousand threads gets.
void print_viewer_headline(const ViewerFirstFrame& v) {
  fmt::print("\ngilviz on the headline workload ({}, {} k spans): first frame {:.0f} ms after start (simulation "
             "{:.0f} ms, indexing {:.0f} ms); the frames after it {:.1f} ms of CPU each in median; {:.0f} ms of CPU "
             "for the whole process.\n",
             v.scenario, v.spans / 1000, v.first_frame_ms, v.simulation_ms, v.indexing_ms, v.median_frame_cpu_ms,
             v.process_cpu_ms);
}

}  // namespace

constexpr const char* kUsage = "usage: gilsim_bench [--quick] [--no-simpy] [--no-viewer] [--huge] [--json] [--digest]\n";

int main(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg == "--quick") {
      o.quick = true;
    } else if (arg == "--no-viewer") {
      o.viewer = false;
    } else if (arg == "--no-simpy") {
      o.simpy = false;
    } else if (arg == "--huge") {
      o.huge = true;
    } else if (arg == "--json") {
      o.json = true;
    } else if (arg == "--digest") {
      o.digest = true;
    } else if (arg == "--once") {
      o.once = true;
    } else if (arg == "--case") {
      const auto n = i + 1 < argc ? bench::whole_number(argv[i + 1], 0, 1000) : std::nullopt;
      if (!n) bench::refuse("gilsim_bench", "--case needs a case number", kUsage);
      o.case_index = static_cast<int>(*n);
      ++i;
    } else if (arg == "--help" || arg == "-h") {
      bench::print_usage(kUsage);
    } else {
      bench::refuse("gilsim_bench", fmt::format("unknown argument '{}'", arg), kUsage);
    }
  }
  const std::vector<Case> cs = cases(o);
  if (o.digest) {
    for (const auto& c : cs) {
      const trace::Trace t = model::simulate(c.scenario, c.scenario.runs[0], nullptr, UINT64_MAX);
      fmt::print("{:016x}  {}\n", trace_digest(t), c.name);
    }
    return 0;
  }
  if (o.case_index) {
    if (*o.case_index < 0 || static_cast<std::size_t>(*o.case_index) >= cs.size()) {
      // Said, not a bare exit 2: a script that asks for a case the list no longer has must learn why.
      bench::refuse("gilsim_bench", fmt::format("--case {}: expected a case from 0 to {}", *o.case_index, cs.size() - 1),
                    kUsage);
    }
    const Figures f = run_case(cs[static_cast<std::size_t>(*o.case_index)].scenario, !o.once);
    fmt::print("{:.9f} {:.9f} {:.9f} {} {} {} {} {} {} {}\n", f.wall_s, f.cpu_s, f.rerun_s, f.events, f.handoffs,
               f.spans, f.marks, f.rss_before_kib, f.peak_kib, f.end_ns);
    return 0;
  }
  const std::string load_before = load_average();
  std::vector<std::optional<Figures>> figures;
  for (std::size_t i = 0; i < cs.size(); ++i) figures.push_back(measure_in_child(o, static_cast<int>(i)));
  const std::optional<SimPy> simpy = o.simpy ? run_simpy(headline_threads(o)) : std::nullopt;
  // SimPy's process runs the headline once; the table's child also reruns it.
  const std::optional<Figures> headline_once = o.simpy ? measure_in_child(o, 0, true) : std::nullopt;
  const std::optional<ViewerFirstFrame> viewer = o.viewer ? run_viewer("tests/viz/data/busy.toml", 1) : std::nullopt;
  const std::optional<ViewerFirstFrame> viewer_headline =
      o.viewer ? run_viewer("tests/viz/data/headline.toml", 60) : std::nullopt;
  const std::optional<LessonRerun> lessons = o.viewer ? rerun_lessons("--bench-knob") : std::nullopt;
  const std::optional<LessonRerun> interval_lessons = o.viewer ? rerun_lessons("--bench-knob-interval") : std::nullopt;
  const std::string load_after = load_average();
  if (o.json) {
    print_json(cs, figures, simpy, headline_once, viewer, viewer_headline, lessons, interval_lessons, load_before,
               load_after);
  } else {
    print_table(cs, figures, simpy, headline_once, o.simpy, load_before, load_after);
    print_aims(cs, figures, simpy, headline_once, viewer, lessons, interval_lessons, o.quick);
    if (viewer_headline) print_viewer_headline(*viewer_headline);
  }
  for (const auto& f : figures) {
    if (!f) return 1;
  }
  return 0;
}
