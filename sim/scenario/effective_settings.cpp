// Effective settings of a run, and fitting a scenario to a machine: its cores, their speeds,
// its wake-ups and its timed waits.
#include "sim/scenario/effective_settings.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "sim/scenario/pin_fit.hpp"

namespace gilsim::scenario {

EffectiveSettings effective_settings(const Scenario& s, const Run& run) {
  EffectiveSettings e;
  e.cores = effective_cores(s, run);
  e.machine = s.machine;
  e.machine.cores = e.cores;
  e.gil = effective_gil(s, run);
  e.switch_interval = effective_switch_interval(s, run);
  e.costs = s.costs;
  e.costs.check_period = effective_check_period(s);  // O1: scaled by check_interval
  e.python_cost_factor = e.gil == GilMode::None ? 1.0 + s.python.free_threading_overhead : 1.0;
  e.workers = effective_workers(s, run);
  e.start_method = effective_start_method(s, run);
  const bool pool = run.executor == Executor::ProcessPool || run.executor == Executor::ProcessPoolExecutor;
  e.chunksize = pool ? effective_chunksize(s, run) : 0;
  return e;
}

Time python_cost(const EffectiveSettings& settings, Time work) {
  if (settings.python_cost_factor == 1.0) return work;
  return Time{static_cast<std::int64_t>(static_cast<double>(work.ns()) * settings.python_cost_factor)};
}

int fit_cores(int asked, int cpus) { return std::max(1, std::min(asked, cpus)); }

namespace {

/// A median wake-up longer than this is a waiter left for the host's next tick, not G8's.
constexpr Time kLeftForATick = Time{1'000'000};

/// G8's halted-core law nearest the samples (see fit_to_machine).
void fit_wake(Costs& c, std::vector<WakeSample> samples) {
  std::sort(samples.begin(), samples.end(), [](const WakeSample& a, const WakeSample& b) { return a.idle < b.idle; });
  samples.erase(std::remove_if(samples.begin(), samples.end(),
                               [](const WakeSample& s) {
                                 return s.idle <= Time::zero() || s.latency <= Time::zero() || s.latency > kLeftForATick;
                               }),
                samples.end());
  if (samples.empty()) return;
  const double poll_max = static_cast<double>(c.wake_poll_max.ns());
  const double poll_median = static_cast<double>((c.wake_poll_min + c.wake_poll_max).ns()) / 2;
  // The windows the samples can tell apart: below the shortest idle, between two idles
  // (their geometric mean), and the longest idle.
  std::vector<double> windows{static_cast<double>(samples.front().idle.ns()) / 2};
  for (std::size_t i = 0; i + 1 < samples.size(); ++i) {
    windows.push_back(std::sqrt(static_cast<double>(samples[i].idle.ns()) * static_cast<double>(samples[i + 1].idle.ns())));
  }
  windows.push_back(static_cast<double>(samples.back().idle.ns()));
  double best_error = std::numeric_limits<double>::infinity();
  for (const double window : windows) {
    // d minimises sum(((poll_max + d x - L) / L)^2) over the halted samples, x = log2(idle / window).
    double xy = 0.0, xx = 0.0;
    for (const auto& s : samples) {
      const double idle = static_cast<double>(s.idle.ns()), latency = static_cast<double>(s.latency.ns());
      if (idle <= window) continue;
      const double x = std::log2(idle / window);
      xy += x * (latency - poll_max) / (latency * latency);
      xx += x * x / (latency * latency);
    }
    const double doubling = xx > 0 ? std::max(0.0, xy / xx) : 0.0;
    double error = 0.0;
    for (const auto& s : samples) {
      const double idle = static_cast<double>(s.idle.ns()), latency = static_cast<double>(s.latency.ns());
      const double model = idle <= window ? poll_median : poll_max + doubling * std::log2(idle / window);
      error += (model - latency) * (model - latency) / (latency * latency);
    }
    if (error <= best_error) {  // a tie: the longer window (no halted wake-up seen shorter)
      best_error = error;
      c.wake_poll_window = Time{static_cast<std::int64_t>(std::llround(window))};
      c.wake_per_doubling = Time{static_cast<std::int64_t>(std::llround(doubling))};
    }
  }
}

/// How many doublings `idle` lies past `window` (0 within it).
double doublings_past(Time idle, Time window) {
  if (idle <= window) return 0.0;
  return std::log2(static_cast<double>(idle.ns()) / static_cast<double>(window.ns()));
}

/// G2a's law nearest the samples (see fit_to_machine).
void fit_timer(Costs& c, const std::vector<TimerSample>& samples) {
  std::vector<Time> slacks;
  for (const auto& s : samples) slacks.push_back(s.slack);
  std::vector<std::pair<double, double>> points;  // (doublings past the window, wake-up ns)
  for (const auto& s : samples) {
    const Time wake = s.late - s.slack;
    if (wake <= Time::zero() || wake > kLeftForATick || s.slack < Time::zero()) continue;
    points.emplace_back(doublings_past(s.timeout + s.slack, c.timer_wake_window), static_cast<double>(wake.ns()));
  }
  if (points.empty()) return;
  std::sort(slacks.begin(), slacks.end());
  c.timer_slack = slacks[slacks.size() / 2];
  // Minimise sum(((m + d x - L) / L)^2): the normal equations of a weighted line.
  double s0 = 0, s1 = 0, s2 = 0, t0 = 0, t1 = 0;
  for (const auto& [x, latency] : points) {
    const double w = 1.0 / (latency * latency);
    s0 += w, s1 += w * x, s2 += w * x * x, t0 += w * latency, t1 += w * x * latency;
  }
  const bool one_idle = std::all_of(points.begin(), points.end(), [&](const auto& p) { return p.first == points.front().first; });
  double doubling = static_cast<double>(c.timer_wake_per_doubling.ns());
  if (!one_idle) doubling = (s0 * t1 - s1 * t0) / (s0 * s2 - s1 * s1);
  doubling = std::max(0.0, doubling);
  double least = (t0 - doubling * s1) / s0;
  if (least < 0) {  // the line through zero instead
    least = 0;
    doubling = s2 > 0 ? std::max(0.0, t1 / s2) : doubling;
  }
  c.timer_wake_min = Time{static_cast<std::int64_t>(std::llround(least))};
  c.timer_wake_per_doubling = Time{static_cast<std::int64_t>(std::llround(doubling))};
}

/// P4e: each process start cost's kernel share x (probe / reference), the rest kept.
void fit_process_starts(Costs& c, Time probe) {
  if (probe <= Time::zero()) return;
  const double ratio = static_cast<double>(probe.ns()) / static_cast<double>(kReferenceForkProbe.ns());
  for (const KernelShare& k : process_start_kernel_shares()) {
    const double kernel = static_cast<double>((c.*k.cost).ns()) * k.share;
    c.*k.cost += Time{static_cast<std::int64_t>(std::llround(kernel * (ratio - 1.0)))};
  }
}

/// P7c: the pickling and the pipe's bandwidths from the probe (see fit_to_machine).
void fit_pickling(Costs& c, const PicklingProbe& probe) {
  if (probe.bytes <= 0) return;
  const double byte_ns = static_cast<double>(probe.bytes) * 1e9;  // bytes per ns, x 1e9: per second
  const Time both = probe.dumps + probe.loads;
  if (both > Time::zero()) c.ipc_bandwidth = 2.0 * byte_ns / static_cast<double>(both.ns());
  if (probe.pipe > Time::zero()) c.ipc_pipe_bandwidth = byte_ns / static_cast<double>(probe.pipe.ns());
}

/// "190 MB/s".
std::string bandwidth_words(double bytes_per_second) { return fmt::format("{:.0f} MB/s", bytes_per_second / 1e6); }

}  // namespace

const std::vector<KernelShare>& process_start_kernel_shares() {
  // docs/model.md P4e: from two hosts' runs of fidelity/cpython/pool_probe.py, the earlier
  // host's (fidelity/pool_probe_quiet.jsonl, its fork probe in fidelity/measured.jsonl) and a
  // host whose fork probe was 7.21 times it (fidelity/pool_probe_slow_host.jsonl): each cost's
  // (slow / earlier - 1) / (7.21 - 1), within 0 and 1. `pool_probe.py --from
  // fidelity/pool_probe_slow_host.jsonl --against fidelity/pool_probe_quiet.jsonl --reference
  // fidelity/measured.jsonl --check-shares` checks them (ctest pool_probe_kernel_shares).
  static const std::vector<KernelShare> shares{
      {&Costs::fork_start, "fork_start", 0.87},
      {&Costs::fork_call, "fork_call", 0.31},
      {&Costs::fork_child_start, "fork_child_start", 1.00},
      {&Costs::fork_first_extra, "fork_first_extra", 0.00},
      {&Costs::fork_first_call_extra, "fork_first_call_extra", 0.00},
      {&Costs::fork_first_child_extra, "fork_first_child_extra", 0.00},
      {&Costs::spawn_call, "spawn_call", 0.13},
      {&Costs::spawn_exec, "spawn_exec", 1.00},
      {&Costs::spawn_start, "spawn_start", 0.13},
      {&Costs::tracker_start, "tracker_start", 0.15},
      {&Costs::pool_setup, "pool_setup", 0.38},
      // P4b's and P7a's figures from the same two runs (`first_pool_costs`): a pool's first loop
      // and its first messages, the handler threads' cold pages and pipes' system calls
      {&Costs::pool_first_loop, "pool_first_loop", 1.00},
      {&Costs::ipc_first_syscall, "ipc_first_syscall", 0.61},
      {&Costs::ipc_first_pickle, "ipc_first_pickle", 0.45},
  };
  return shares;
}

Time timer_wake(const Costs& c, Time idle) {
  const double doublings = doublings_past(idle, c.timer_wake_window);
  return c.timer_wake_min + Time{static_cast<std::int64_t>(std::llround(doublings * static_cast<double>(c.timer_wake_per_doubling.ns())))};
}

std::optional<std::string> fit_to_machine(Scenario& s, const MeasuredMachine& machine, FittedFor fitted_for) {
  const bool predicted = fitted_for == FittedFor::Prediction;
  if (!machine.core_speeds.empty()) s.machine.core_speeds = machine.core_speeds;
  if (!machine.wake.empty()) fit_wake(s.costs, machine.wake);
  if (!machine.timer.empty()) fit_timer(s.costs, machine.timer);
  if (machine.fork_probe) fit_process_starts(s.costs, *machine.fork_probe);
  if (machine.pickling) fit_pickling(s.costs, *machine.pickling);
  const int cpus = machine.cpus;
  int asked = s.machine.cores;
  for (const auto& run : s.runs) asked = std::max(asked, run.cores.value_or(0));
  s.machine.cores = fit_cores(s.machine.cores, cpus);
  for (auto& run : s.runs) {
    if (run.cores) run.cores = fit_cores(*run.cores, cpus);
  }
  const auto pins = fit_pins(s, cpus);  // S9: pinned CPUs folded as the real run folds them
  if (asked <= cpus) return pins;
  return fmt::format("The scenario asks for {} cores; this machine has {}, so {} {} {}.{}", asked, cpus,
                     predicted ? "the model predicts for" : "the runs here use", cpus, predicted ? "too" : "of them",
                     pins ? " " + *pins : "");
}

std::optional<std::string> fitted_line(const MeasuredMachine& machine) {
  std::vector<std::string> parts;
  std::vector<std::string> slower, faster;  // probes past kFarFromCalibrated of the defaults, either way
  const auto ratio_words = [](double ratio) {
    return ratio >= 10 ? fmt::format("{:.0f} times", ratio) : fmt::format("{:.1f} times", ratio);
  };
  if (machine.fork_probe) {
    parts.push_back(fmt::format("process start {:.2f} ms (fork probe)", machine.fork_probe->ms()));
    const double ratio = machine.fork_probe->ms() / kReferenceForkProbe.ms();
    if (ratio > kFarFromCalibrated) {
      slower.push_back(fmt::format("starting a process took {} the {:.2f} ms of the machine the model's defaults "
                                   "were calibrated on", ratio_words(ratio), kReferenceForkProbe.ms()));
    } else if (ratio * kFarFromCalibrated < 1) {
      faster.push_back(fmt::format("starting a process took 1/{:.0f} of the calibrated {:.2f} ms", 1 / ratio,
                                   kReferenceForkProbe.ms()));
    }
  }
  if (machine.pickling && machine.pickling->bytes > 0) {
    Costs fitted;
    fit_pickling(fitted, *machine.pickling);
    parts.push_back(fmt::format("pickling {}", bandwidth_words(fitted.ipc_bandwidth)));
    if (fitted.ipc_pipe_bandwidth > 0.0) parts.push_back(fmt::format("pipe {}", bandwidth_words(fitted.ipc_pipe_bandwidth)));
    const double calibrated = Costs{}.ipc_bandwidth;
    const double ratio = calibrated / fitted.ipc_bandwidth;  // > 1: slower than calibrated
    if (ratio > kFarFromCalibrated) {
      slower.push_back(fmt::format("pickling ran {} slower than the calibrated {}", ratio_words(ratio),
                                   bandwidth_words(calibrated)));
    } else if (ratio * kFarFromCalibrated < 1) {
      faster.push_back(fmt::format("pickling ran {} faster than the calibrated {}", ratio_words(1 / ratio),
                                   bandwidth_words(calibrated)));
    }
  }
  if (parts.empty()) return std::nullopt;
  std::string line = fmt::format("Fitted to this machine: {}.", fmt::join(parts, ", "));
  // A probe far from the defaults: a slow or busy machine now, or a fast one; either way the
  // prediction is this moment's, and a run minutes later may be fitted to other figures.
  if (!slower.empty()) {
    line += fmt::format(" Far from the model's defaults: {}. This machine is slow or busy now, so the prediction is "
                        "for this moment; a run a few minutes later may fit other figures and predict other times.",
                        fmt::join(slower, "; "));
  }
  if (!faster.empty()) {
    line += fmt::format(" Far from the model's defaults: {}. This machine is faster than the one they were "
                        "calibrated on; the prediction is for this machine.",
                        fmt::join(faster, "; "));
  }
  return line;
}

}  // namespace gilsim::scenario
