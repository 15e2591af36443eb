// Did a measured run get the cores it asked for? The busy-machine check every measured run
// can use: the load average before it, the CPU other programs used while it ran (/proc/stat
// less the run's own), and the time its threads waited for a core.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "sim/trace/trace.hpp"

namespace gilsim::real {

/// The one-minute load average (/proc/loadavg), or nullopt where there is none.
std::optional<double> load_average();

/// /proc/stat's aggregate "cpu" line: the machine's busy CPU time (user, nice, system and
/// steal; guest time is inside user and nice already) and how many CPUs it adds up ("cpuN"
/// lines). irq and softirq are left out: they are mostly the kernel serving the run's own
/// timers and wake-ups (four threads taking turns on a GIL, alone on a quiet machine, left
/// 130 ms of softirq in a 1 s run, the same run's one thread 10 ms), not other programs.
struct MachineBusy {
  Time busy;
  int cpus = 0;
};
/// From the text of /proc/stat, with `ticks_per_second` its USER_HZ; nullopt when the text
/// has no aggregate line.
std::optional<MachineBusy> parse_proc_stat(std::string_view text, long ticks_per_second);

/// One sample around a measured run: the wall clock, the machine's busy time, and this
/// process's CPU time with that of its reaped children (a run's programs and workers, once
/// waited for). busy.cpus is 0 where /proc/stat cannot be read.
struct MachineSample {
  /// The wall clock just before /proc/stat was read and just after: a process preempted
  /// between the read and the clock (as other programs at a higher priority can make it, for
  /// hundreds of milliseconds) must not make the window shorter than the busy time it holds.
  Time wall_before_read;
  Time wall_after_read;
  MachineBusy machine;
  Time own;
  Time tick;  ///< one USER_HZ tick
};
MachineSample take_machine_sample();

/// The least window two samples around a run of gilsim's executor span: one that holds, on
/// the machine's CPUs, half again as many ticks as CpuCheck::others_busy asks of other
/// programs' CPU (3 per CPU), so that one core kept busy by another program shows (90 ms on
/// 2 CPUs; at most 500 ms). A shorter run (lesson 16's 9 ms) can never show it otherwise.
Time least_sampled_wall(const MachineSample& before);
/// Sleeps, after a run, until `before`'s window is least_sampled_wall(before) long.
void widen_to_least_window(const MachineSample& before);

/// Fills `c`'s sample fields (trace::CpuCheck::sampled_wall and the rest) from two samples
/// taken just before the run started and just after its last process was reaped; leaves
/// them unsampled when either sample could not read /proc/stat. The window runs from the
/// first sample's clock before its read to the second's after its read, so it holds every
/// tick counted between the reads; the busy time is held to the window's CPU time.
void note_machine_use(trace::CpuCheck& c, const MachineSample& before, const MachineSample& after);

/// Time a run's threads were ready to compute but had no core, against the time they
/// computed.
struct CoreShortfall {
  Time waited;  ///< beyond `own`: what other programs can have caused
  Time ran;
  Time own;              ///< the workload's own waits (more threads than cores), when measured
  bool measured = false;  ///< the kernel's count (CpuCheck::waits_measured), not a floor
  Time all() const { return waited + own; }
};
/// A CPython recording's: its Runnable spans against its Running spans. gilsim's own
/// executor (a measured trace with no measured_by): core_shortfall(cpu_check).
CoreShortfall core_shortfall(const trace::Trace& trace);
/// From a CPU check alone. Measured (check.waits_measured): the kernel's count of its
/// threads' waits, less the workload's own (check.own_waits); ran = needed. Otherwise, as
/// gilsim's executor draws a thread taken off its core mid-step as still running: waited =
/// needed - got (none when it got as much), a floor, as the executor's own work beyond the
/// plan (kExecutorCost...) counts in `got` and late wake-ups after a sleep count nowhere.
CoreShortfall core_shortfall(const trace::CpuCheck& check);

/// Waits for a core of this share of a run's wall time can move its makespan by as much as
/// the prediction's tolerance (every wait on the path to its end, one after another, at
/// most): fewer cannot decide whether it is scored.
inline constexpr double kWaitsOfWall = 0.10;

/// The one rule for "not scored for want of cores", in the command line, the viewer and
/// gilsim_fidelity alike, for CPython's runs and gilsim's executors' (whatever the error:
/// the run measured the machine's load). With a sample of /proc/stat (trace::CpuCheck::sampled): the run is starved when
/// other programs used a real share of the machine during it (CpuCheck::others_busy) and its
/// threads waited for a core more than kWaitsOfWall of its wall time in all; the sentence
/// gives that evidence. Without one (a run recorded before the sample existed): when its
/// threads waited more than `limit` of the time they ran Python, as before. nullopt: not
/// starved.
std::optional<std::string> starved_note(const trace::Trace& trace, double limit = 0.10);
/// starved_note's decision from the figures it reads: the run's CPU check, its waits for a
/// core (core_shortfall) and its wall time (its makespan). What a kept measurement
/// (gilsim_fidelity's) can be judged by.
bool starved(const trace::CpuCheck& check, const CoreShortfall& waits, Time wall, double limit = 0.10);

/// For a sampled run that is not starved but whose threads waited for a core more than
/// kWaitsOfWall of its wall time: a plain sentence saying the waits are the workload's own
/// (more threads than cores, or an idle core waking), with other programs' small use; nullopt
/// otherwise. Not a flag: the run is scored.
std::optional<std::string> own_waits_note(const trace::Trace& trace);

/// A sentence saying that a CPython run's native steps (hash_data()) took far more CPU than
/// planned at the calibrated pace (cpu_check.native_over()): they did other work than the
/// plan's. Under the command line's table and the viewer's alike.
std::string native_pace_note(const trace::Trace& measured);

}  // namespace gilsim::real
