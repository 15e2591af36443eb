// A measured program's own session and scheduler group (bench/scheduler_group.hpp), tried in
// a forked child so that the test's own session is left alone.
#include <doctest/doctest.h>

#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <string>

#include "bench/scheduler_group.hpp"

using namespace gilsim::bench;

namespace {

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

TEST_CASE("how the programs were scheduled, in one sentence for the page") {
  CHECK(describe(SchedulerGroup::Raised, -20).find("whose scheduler autogroup has the runner's nice -20") !=
        std::string::npos);
  CHECK(describe(SchedulerGroup::Shared, -20).find("kept nice 0") != std::string::npos);
  CHECK(describe(SchedulerGroup::NoAutogroups, 0).find("autogroups are off") != std::string::npos);
  CHECK(describe(SchedulerGroup::Failed, 0).find("no session of its own") != std::string::npos);
}
