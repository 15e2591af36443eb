// A measured program's own session and scheduler group (sim/cpython/scheduler_group.hpp), tried in
// a forked child so that the test's own session is left alone.
#include <doctest/doctest.h>

#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <iostream>
#include <string>

#include "sim/cpython/scheduler_group.hpp"

using namespace gilsim::cpython;

namespace {

/// The test framework's buffered output, written once: a child that inherited it unwritten
/// could write it again (TSan's runtime flushes a child's stdio at _exit).
void flush_before_fork() {
  std::cout.flush();
  std::fflush(nullptr);
}

/// The child's exit code: 10 + the group it got when every promise of that group held,
/// 1 when one did not.
int child_checks() {
  const SchedulerGroup group = join_own_scheduler_group();
  if (group == SchedulerGroup::Raised || group == SchedulerGroup::Shared) {
    if (::getsid(0) != ::getpid()) return 1;  // a session of its own
  }
  if (group == SchedulerGroup::Raised) {
    // "/autogroup-42 nice -5": the group has the process's nice value.
    std::ifstream in("/proc/self/autogroup");
    std::string name, word;
    int nice = 99;
    in >> name >> word >> nice;
    if (word != "nice" || nice != ::getpriority(PRIO_PROCESS, 0)) return 1;
  }
  return 10 + static_cast<int>(group);
}

}  // namespace

TEST_CASE("a measured program gets a session and a scheduler group of its own, with the runner's nice") {
  flush_before_fork();
  const pid_t child = ::fork();
  REQUIRE(child >= 0);
  if (child == 0) ::_exit(child_checks());
  int status = 0;
  REQUIRE(::waitpid(child, &status, 0) == child);
  REQUIRE(WIFEXITED(status));
  const int code = WEXITSTATUS(status);
  CHECK(code != 1);
  CHECK(code >= 10);
  std::ifstream enabled("/proc/sys/kernel/sched_autogroup_enabled");
  char flag = '0';
  enabled >> flag;
  if (flag != '1') CHECK(code == 10 + static_cast<int>(SchedulerGroup::NoAutogroups));
  if (flag == '1') CHECK(code != 10 + static_cast<int>(SchedulerGroup::NoAutogroups));
}

namespace {

/// "nice N" of /proc/PID/autogroup, or 99 when it cannot be read.
int autogroup_nice(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/autogroup");
  std::string name, word;
  int nice = 99;
  in >> name >> word >> nice;
  return word == "nice" ? nice : 99;
}

/// A child that waits on a pipe until the parent closes it, in a session of its own or not.
pid_t waiting_child(int (&pipe_fds)[2], bool own_session) {
  REQUIRE(::pipe(pipe_fds) == 0);
  flush_before_fork();
  const pid_t child = ::fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    ::close(pipe_fds[1]);
    if (own_session) ::setsid();
    char c;
    const ssize_t ignored = ::read(pipe_fds[0], &c, 1);
    (void)ignored;
    ::_exit(0);
  }
  ::close(pipe_fds[0]);
  return child;
}

}  // namespace

TEST_CASE("a spawned program's group is given the parent's nice, never the parent's own group") {
  const int nice = ::getpriority(PRIO_PROCESS, 0);
  const int own_before = autogroup_nice(::getpid());
  int fds[2];
  // A child still in this session: its group is ours, and it is left alone.
  const pid_t same = waiting_child(fds, false);
  const SchedulerGroup refused = raise_scheduler_group(same, -5);
  ::close(fds[1]);
  ::waitpid(same, nullptr, 0);
  CHECK((refused == SchedulerGroup::Failed || refused == SchedulerGroup::NoAutogroups));
  CHECK(autogroup_nice(::getpid()) == own_before);
  // A child in a session of its own gets the nice value asked for, where that is allowed.
  const pid_t own = waiting_child(fds, true);
  for (int i = 0; i < 1000 && ::getsid(own) != own; ++i) ::usleep(1000);  // until it has called setsid
  const SchedulerGroup raised = raise_scheduler_group(own, nice);
  const int child_nice = autogroup_nice(own);
  ::close(fds[1]);
  ::waitpid(own, nullptr, 0);
  if (raised == SchedulerGroup::Raised) CHECK(child_nice == nice);
  CHECK(raised != SchedulerGroup::Failed);
  CHECK(autogroup_nice(::getpid()) == own_before);
}

TEST_CASE("how the programs were scheduled, in one sentence for the page") {
  CHECK(describe(SchedulerGroup::Raised, -20).find("whose scheduler autogroup has the runner's nice -20") !=
        std::string::npos);
  CHECK(describe(SchedulerGroup::Shared, -20).find("kept nice 0") != std::string::npos);
  CHECK(describe(SchedulerGroup::NoAutogroups, 0).find("autogroups are off") != std::string::npos);
  CHECK(describe(SchedulerGroup::Failed, 0).find("no session of its own") != std::string::npos);
}
