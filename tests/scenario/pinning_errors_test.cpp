// Pinning a job's thread and its peer process to CPUs (docs/model.md S9): each mistake gives
// one line, file:line:col, what is wrong and what was expected.
#include <doctest/doctest.h>

#include <string>

#include "error_of.hpp"
#include "sim/scenario/loader.hpp"

using namespace gilsim::scenario;
using gilsim::test::error_of;

namespace {

// Lines 1-5; a [[job]] named "client" follows on line 6, its keys from line 7.
const std::string kHead = "title = \"t\"\n[machine]\ncores = 2\nplacement = \"per_cpu\"\n\n[[job]]\nname = \"client\"\n";
const std::string kThreads = "[[run]]\nexecutor = \"threads\"\n";

}  // namespace

TEST_CASE("a pinned job and its peer load with their CPUs, sorted") {
  const Scenario s = load_string(kHead + "cpus = [1, 0]\npeer_cpus = [1]\n"
                                 "steps = [ { native = \"2us\" }, { io = \"6us\", answer = \"4us\" } ]\n" + kThreads, "s.toml");
  REQUIRE(s.jobs.size() == 1);
  CHECK(s.jobs[0].cpus == std::vector<int>{0, 1});
  CHECK(s.jobs[0].peer_cpus == std::vector<int>{1});
  CHECK(s.jobs[0].steps[1].answer == gilsim::Time{4'000});
  CHECK(s.jobs[0].steps[0].answer == gilsim::Time{0});
}

TEST_CASE("cpus names CPUs that exist, once each, and needs per-CPU run queues") {
  const std::string steps = "steps = [ { cpu = \"1ms\" } ]\n" + kThreads;
  CHECK(error_of(kHead + "cpus = [2]\n" + steps) ==
        "s.toml:8:9: CPU 2 does not exist on a machine of 2 cores; expected a CPU number from 0 to 1");
  CHECK(error_of("title = \"t\"\n[machine]\ncores = 1\nplacement = \"per_cpu\"\n\n[[job]]\nname = \"client\"\ncpus = [1]\n" + steps) ==
        "s.toml:8:9: CPU 1 does not exist on a machine of 1 core; expected a CPU number from 0 to 0");
  CHECK(error_of(kHead + "cpus = [-1]\n" + steps) == "s.toml:8:9: 'cpus' is -1; expected an integer from 0 to 255");
  CHECK(error_of(kHead + "cpus = [1, 1]\n" + steps) == "s.toml:8:12: CPU 1 is listed twice in 'cpus'; expected each CPU once");
  CHECK(error_of(kHead + "cpus = []\n" + steps) ==
        "s.toml:8:8: 'cpus' is empty; expected at least one CPU number such as [0]");
  CHECK(error_of(kHead + "cpus = 1\n" + steps) ==
        "s.toml:8:8: 'cpus' is an integer; expected a list of CPU numbers such as [0] or [0, 1]");
  CHECK(error_of("title = \"t\"\n[machine]\ncores = 2\nplacement = \"shared\"\n\n[[job]]\nname = \"client\"\ncpus = [0]\n" + steps) ==
        "s.toml:8:8: 'cpus' pins to CPUs, which needs per-CPU run queues; expected [machine] placement = \"per_cpu\"");
}

TEST_CASE("answer belongs to an io step and is a fixed time; peer_cpus needs such a step") {
  CHECK(error_of(kHead + "steps = [ { cpu = \"1ms\", answer = \"3us\" } ]\n" + kThreads) ==
        "s.toml:8:35: 'answer' belongs to an io step, not a cpu step; expected { io = \"7us\", answer = \"3us\" } "
        "(the peer process's CPU time)");
  CHECK(error_of(kHead + "steps = [ { io = \"1ms\", answer = \"1us..3us\" } ]\n" + kThreads) ==
        "s.toml:8:34: 'answer' is the random duration '1us..3us'; expected a fixed duration such as \"3ms\"");
  CHECK(error_of(kHead + "steps = [ { io = \"1ms\", answer = \"0us\" } ]\n" + kThreads) ==
        "s.toml:8:34: 'answer' is 0ns; expected at least 1ns");
  CHECK(error_of(kHead + "peer_cpus = [0]\nsteps = [ { io = \"1ms\" } ]\n" + kThreads) ==
        "s.toml:8:13: job 'client' has 'peer_cpus' but no step with a peer; expected an io step such as "
        "{ io = \"7us\", answer = \"3us\" }");
}

TEST_CASE("a pinned job runs on a thread of its own, on a run with its CPUs") {
  const std::string job = "cpus = [1]\nsteps = [ { cpu = \"1ms\" } ]\n";
  CHECK(error_of(kHead + job + "[[run]]\nexecutor = \"thread_pool\"\n") ==
        "s.toml:11:12: job 'client' (line 6) is pinned to CPUs (cpus), which only a thread of its own does; "
        "expected executor = \"threads\"");
  CHECK(error_of(kHead + "steps = [ { io = \"1ms\", answer = \"3us\" } ]\n[[run]]\nexecutor = \"asyncio\"\n") ==
        "s.toml:10:12: job 'client' (line 6) talks to a peer process (a step with answer), which only a thread of "
        "its own does; expected executor = \"threads\"");
  CHECK(error_of(kHead + "cpus = [1]\nsteps = [ { io = \"1ms\", answer = \"3us\" } ]\n[[run]]\nexecutor = \"asyncio\"\n") ==
        "s.toml:11:12: job 'client' (line 6) is pinned to CPUs (cpus) and talks to a peer process (a step with "
        "answer), which only a thread of its own does; expected executor = \"threads\"");
  CHECK(error_of(kHead + job + kThreads + "cores = 1\n") ==
        "s.toml:12:9: run 'threads' has 1 core but a job names CPU 1; expected cores = 2 or more");
}
