// Linux's scheduler autogroups and the measured programs. With autogroups on
// (/proc/sys/kernel/sched_autogroup_enabled), the CPUs are shared fairly between sessions
// first, and a process's nice value counts only against the processes of its own session: a
// program run under `nice -n -20` from a shell still gets one session's share when three
// other sessions build. A measured program is therefore started in a session of its own,
// whose group is given the runner's nice value.
#pragma once

#include <sys/types.h>

#include <string>

namespace gilsim::cpython {

/// What the calling process got from join_own_scheduler_group().
enum class SchedulerGroup {
  NoAutogroups,  ///< autogroups are off (or not Linux): nice works as it says
  Raised,        ///< its own session, whose group has the process's nice value
  Shared,        ///< its own session, but the group's nice could not be set (not permitted)
  Failed,        ///< no session of its own (setsid failed)
};

/// Makes the calling process (a child just forked, never a process group leader) a session
/// of its own and gives the session's autogroup the process's nice value. Async-signal-safe:
/// only system calls, so it is safe between fork and exec.
SchedulerGroup join_own_scheduler_group();

/// Gives the autogroup of `pid`, a process started in a session of its own
/// (POSIX_SPAWN_SETSID), the nice value `nice`: what join_own_scheduler_group() does for a
/// forked child, done by the parent for a spawned one.
SchedulerGroup raise_scheduler_group(pid_t pid, int nice);

/// One sentence for the generated page: how a measured program was scheduled, with `nice`
/// (the runner's nice value).
std::string describe(SchedulerGroup group, int nice);

}  // namespace gilsim::cpython
