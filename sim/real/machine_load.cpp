// The busy-machine check: /proc/loadavg, /proc/stat around a run, and the Runnable time of a
// measured trace.
#include "sim/real/machine_load.hpp"

#include <chrono>
#include <fstream>
#include <set>
#include <sstream>
#include <thread>

#include <fmt/format.h>
#include <sys/resource.h>
#include <unistd.h>

#include "sim/real/cpu_check.hpp"

namespace gilsim::real {

namespace {

/// The processes whose thread lanes ran or waited: "its threads" or "its 8 processes' threads".
std::string whose_threads(const trace::Trace& t) {
  std::set<trace::ProcessId> processes;
  for (const trace::Lane& lane : t.lanes) {
    if (lane.kind == trace::LaneKind::Thread && !lane.spans.empty()) processes.insert(lane.process);
  }
  return processes.size() > 1 ? fmt::format("its {} processes' threads", processes.size()) : "its threads";
}

bool waits_move_figure(Time wall, const CoreShortfall& s) {
  return wall > Time::zero() && static_cast<double>(s.waited.ns()) > kWaitsOfWall * static_cast<double>(wall.ns());
}

/// "1.21 s of CPU in the 0.95 s its program ran (64% of the 2 cores)": the sampled window,
/// from the program's start to its last process's end, a little longer than the run (for
/// gilsim's own executor, "in the 0.95 s it ran": from its start to its last worker's end, or
/// "in the 90.0 ms from its start" when a short run's window was widened after it).
std::string others_words(const trace::Trace& t) {
  const trace::CpuCheck& c = t.cpu_check;
  // A short run's window was widened after it (least_sampled_wall): the words say so.
  const bool widened = t.measured_by.empty() && c.sampled_wall > t.end * 2;
  return fmt::format("{} of CPU in the {} {} ({:.0f}% of the {} core{})", format_time(c.others_cpu()),
                     format_time(c.sampled_wall),
                     widened ? "from its start" : t.measured_by.empty() ? "it ran" : "its program ran",
                     100.0 * c.others_share(), c.sampled_cpus, c.sampled_cpus == 1 ? "" : "s");
}

}  // namespace

std::optional<double> load_average() {
  std::ifstream file("/proc/loadavg");
  double load = 0.0;
  if (!(file >> load)) return std::nullopt;
  return load;
}

std::optional<MachineBusy> parse_proc_stat(std::string_view text, long ticks_per_second) {
  if (ticks_per_second <= 0) return std::nullopt;
  std::istringstream lines{std::string(text)};
  std::optional<MachineBusy> out;
  int cpus = 0;
  for (std::string line; std::getline(lines, line);) {
    std::istringstream words(line);
    std::string key;
    words >> key;
    if (key.rfind("cpu", 0) != 0) continue;
    if (key != "cpu") {
      ++cpus;
      continue;
    }
    // user nice system idle iowait irq softirq steal guest guest_nice: guest time is counted
    // in user and nice already, and older kernels have fewer fields. irq and softirq are the
    // run's own wake-ups as much as anyone's (machine_load.hpp), so they are not busy time.
    std::int64_t field[8] = {};
    int read = 0;
    while (read < 8 && words >> field[read]) ++read;
    if (read < 4) return std::nullopt;
    const std::int64_t ticks = field[0] + field[1] + field[2] + field[7];
    out = MachineBusy{Time{ticks * (1'000'000'000 / ticks_per_second)}, 0};
  }
  if (out) out->cpus = cpus;
  return out;
}

namespace {
Time steady_now() {
  return Time{std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch()).count()};
}
}  // namespace

Time least_sampled_wall(const MachineSample& before) {
  const Time ticks = before.tick * (trace::CpuCheck::kTicksPerCpu * before.machine.cpus);
  return min(ticks + ticks / 2, Time{500'000'000});
}

void widen_to_least_window(const MachineSample& before) {
  const Time left = before.wall_before_read + least_sampled_wall(before) - steady_now();
  if (left > Time::zero()) std::this_thread::sleep_for(std::chrono::nanoseconds(left.ns()));
}

MachineSample take_machine_sample() {
  const auto now = steady_now;
  MachineSample s;
  const long hz = ::sysconf(_SC_CLK_TCK);  // USER_HZ: 100 on Linux, 10 ms a tick
  s.tick = Time{hz > 0 ? 1'000'000'000 / hz : 0};
  s.own = cpu_of(RUSAGE_SELF) + cpu_of(RUSAGE_CHILDREN);
  s.wall_before_read = now();
  std::ifstream in("/proc/stat");
  std::ostringstream text;
  text << in.rdbuf();
  s.wall_after_read = now();
  if (const auto busy = parse_proc_stat(text.str(), hz)) s.machine = *busy;
  return s;
}

void note_machine_use(trace::CpuCheck& c, const MachineSample& before, const MachineSample& after) {
  if (before.machine.cpus <= 0 || after.machine.cpus != before.machine.cpus ||
      after.wall_after_read <= before.wall_before_read) {
    return;
  }
  c.sampled_wall = after.wall_after_read - before.wall_before_read;
  c.machine_busy = min(after.machine.busy - before.machine.busy, c.sampled_wall * after.machine.cpus);
  c.own_cpu = after.own - before.own;
  c.tick = after.tick;
  c.sampled_cpus = after.machine.cpus;
}

CoreShortfall core_shortfall(const trace::CpuCheck& c) {
  if (c.waits_measured) {
    const Time own = min(c.own_waits, c.waited_for_core);
    return CoreShortfall{c.waited_for_core - own, c.needed, own, true};
  }
  return CoreShortfall{c.needed > c.got ? c.needed - c.got : Time::zero(), c.needed, Time::zero(), false};
}

CoreShortfall core_shortfall(const trace::Trace& t) {
  if (t.origin == trace::Origin::Measured && t.measured_by.empty()) return core_shortfall(t.cpu_check);
  CoreShortfall s;
  for (const trace::Lane& lane : t.lanes) {
    if (lane.kind != trace::LaneKind::Thread) continue;
    for (const trace::Span& span : lane.spans) {
      if (span.state == trace::SpanState::Runnable) s.waited += span.duration();
      if (span.state == trace::SpanState::Running) s.ran += span.duration();
    }
  }
  return s;
}

bool starved(const trace::CpuCheck& c, const CoreShortfall& s, Time wall, double limit) {
  // With a sample: evidence of other programs, and waits that can move the figure: both.
  if (c.sampled()) return c.others_busy() && waits_move_figure(wall, s);
  // No sample of the machine (a run recorded before there was one): the waits alone.
  return s.ran.ns() > 0 && static_cast<double>(s.waited.ns()) > limit * static_cast<double>(s.ran.ns());
}

std::optional<std::string> starved_note(const trace::Trace& t, double limit) {
  const CoreShortfall s = core_shortfall(t);
  const trace::CpuCheck& c = t.cpu_check;
  if (!starved(c, s, t.end, limit)) return std::nullopt;
  const bool executor = t.measured_by.empty();  // gilsim's own: its waits are CPU it did not get
  const std::string whose = whose_threads(t);
  const bool several = whose != "its threads";
  const std::string waits =
      s.measured ? fmt::format("{} waited {} for a core in all (the kernel's count){}", whose, format_time(s.all()),
                               s.own > Time::zero() ? fmt::format(", {} beyond the {} the workload makes itself",
                                                                  format_time(s.waited), format_time(s.own))
                                                    : std::string())
      : executor ? fmt::format("{} waited {} for a core{} (they got {} of the {} of CPU they needed)", whose,
                               format_time(s.waited), several ? " in all" : "", format_time(c.got), format_time(c.needed))
                 : fmt::format("{} waited {} for a core{}", whose, format_time(s.waited), several ? " in all" : "");
  if (c.sampled()) return fmt::format("not scored: other programs used {}, and {}", others_words(t), waits);
  if (s.measured) return fmt::format("not scored: {} (other programs kept the cores busy)", waits);
  if (executor) {
    return fmt::format("not scored: {} got {} of the {} of CPU they needed, waiting {} for a core (other programs "
                       "kept the cores busy)", whose, format_time(c.got), format_time(c.needed), format_time(s.waited));
  }
  return fmt::format("not scored: {} waited {} for a core{} beside {} of running Python (other programs "
                     "kept the cores busy)", whose, format_time(s.waited), several ? " in all" : "", format_time(s.ran));
}

std::optional<std::string> own_waits_note(const trace::Trace& t) {
  const trace::CpuCheck& c = t.cpu_check;
  const CoreShortfall s = core_shortfall(t);
  const CoreShortfall all{s.all(), s.ran, Time::zero(), s.measured};  // the workload's own waits are what this note is about
  if (!c.sampled() || !waits_move_figure(t.end, all) || starved_note(t)) return std::nullopt;
  int threads = 0;  // thread lanes that ran Python or waited to
  for (const trace::Lane& lane : t.lanes) {
    if (lane.kind != trace::LaneKind::Thread) continue;
    for (const trace::Span& span : lane.spans) {
      if (span.state == trace::SpanState::Runnable || span.state == trace::SpanState::Running) {
        ++threads;
        break;
      }
    }
  }
  const std::string whose = whose_threads(t);
  const int cores = t.cores > 0 ? t.cores : c.sampled_cpus;
  const std::string why = threads > cores
                              ? fmt::format("{} threads taking turns on {} core{}", threads, cores, cores == 1 ? "" : "s")
                              : std::string("threads ready before an idle core woke");
  return fmt::format("{} waited {} for a core{}: the workload's own ({}), not other programs', which used {}",
                     whose, format_time(s.all()), whose != "its threads" || s.measured ? " in all" : "", why,
                     others_words(t));
}

std::string native_pace_note(const trace::Trace& measured) {
  const trace::CpuCheck& c = measured.cpu_check;
  return fmt::format("'{}': its native steps (hash_data()) took {} of CPU for {} planned at the calibrated pace "
                     "({:.1f} times as much): the C code did work the plan does not have (such as faulting in fresh "
                     "memory), so the run measured that work more than the lesson, and its error is not the model's.",
                     measured.run_name, format_time(c.native_took), format_time(c.planned_native), c.native_pace());
}

}  // namespace gilsim::real
