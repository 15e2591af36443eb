// Linux's scheduler autogroups and the measured programs: a session of their own.
#include "sim/cpython/scheduler_group.hpp"

#include <fcntl.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cerrno>

#include <fmt/format.h>

namespace gilsim::cpython {

namespace {

/// Whether /proc/sys/kernel/sched_autogroup_enabled says 1. System calls only.
bool autogroups_enabled() {
  const int fd = ::open("/proc/sys/kernel/sched_autogroup_enabled", O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  char c = '0';
  const bool read_one = ::read(fd, &c, 1) == 1;
  ::close(fd);
  return read_one && c == '1';
}

/// Writes `nice` ("-20" to "19", by hand: no allocation, no locale between fork and exec)
/// into an autogroup file.
bool write_nice(const char* path, int nice) {
  char text[8];
  int n = 0;
  const int magnitude = nice < 0 ? -nice : nice;
  if (nice < 0) text[n++] = '-';
  if (magnitude >= 10) text[n++] = static_cast<char>('0' + magnitude / 10);
  text[n++] = static_cast<char>('0' + magnitude % 10);
  const int fd = ::open(path, O_WRONLY | O_CLOEXEC);
  if (fd < 0) return false;
  const bool written = ::write(fd, text, static_cast<std::size_t>(n)) == n;
  ::close(fd);
  return written;
}

}  // namespace

SchedulerGroup join_own_scheduler_group() {
  if (!autogroups_enabled()) return SchedulerGroup::NoAutogroups;
  if (::setsid() < 0) return SchedulerGroup::Failed;
  errno = 0;
  const int nice = ::getpriority(PRIO_PROCESS, 0);
  if (errno != 0) return SchedulerGroup::Shared;
  return write_nice("/proc/self/autogroup", nice) ? SchedulerGroup::Raised : SchedulerGroup::Shared;
}

SchedulerGroup raise_scheduler_group(pid_t pid, int nice) {
  if (!autogroups_enabled()) return SchedulerGroup::NoAutogroups;
  if (::getsid(pid) != pid) return SchedulerGroup::Failed;  // never the caller's own session's group
  const std::string path = fmt::format("/proc/{}/autogroup", pid);
  return write_nice(path.c_str(), nice) ? SchedulerGroup::Raised : SchedulerGroup::Shared;
}

std::string describe(SchedulerGroup group, int nice) {
  switch (group) {
    case SchedulerGroup::NoAutogroups:
      return fmt::format("the kernel's scheduler autogroups are off: each program ran at the runner's nice {}", nice);
    case SchedulerGroup::Raised:
      return fmt::format(
          "each program (and the free-core probe) ran in a session of its own whose scheduler autogroup has "
          "the runner's nice {} (with autogroups, nice counts only within a session: a program in the "
          "shell's session would get one session's share of the CPUs beside other sessions' builds)",
          nice);
    case SchedulerGroup::Shared:
      return fmt::format(
          "each program ran in a session of its own, but its scheduler autogroup kept nice 0 (setting it "
          "needs CAP_SYS_NICE): it got one session's share of the CPUs, whatever the runner's nice {}",
          nice);
    case SchedulerGroup::Failed:
      return fmt::format("no session of its own could be made: each program ran in the runner's session at nice {}",
                         nice);
  }
  return "";
}

}  // namespace gilsim::cpython
