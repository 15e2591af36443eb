// [locks], [counters] and the steps that use them: acquire, release, increment.
#include <doctest/doctest.h>

#include <string>

#include "error_of.hpp"
#include "sim/scenario/loader.hpp"

using namespace gilsim::scenario;
using gilsim::test::error_of;
using namespace gilsim::literals;

namespace {


// Lines 1-6: a title, two locks, a counter; the job's steps go on line 9.
const std::string kHead =
    "title = \"t\"\n[locks]\nbalance = \"Lock\"\nledger = \"RLock\"\n[counters]\ncounter = 0\n[[job]]\nname = \"w\"\n";
const std::string kRun = "\n[[run]]\nexecutor = \"threads\"\n";

std::string with_steps(std::string_view steps) { return kHead + "steps = " + std::string(steps) + kRun; }

}  // namespace

TEST_CASE("locks, counters and the steps that use them are read") {
  const Scenario s = load_string(
      with_steps(R"([ { acquire = "balance" }, { increment = "counter" }, { increment = "counter", call = "1us" },
                     { release = "balance" } ])"),
      "s.toml");
  REQUIRE(s.locks.size() == 2);
  CHECK(s.locks[0].name == "balance");
  CHECK_FALSE(s.locks[0].reentrant);
  CHECK(s.locks[1].name == "ledger");
  CHECK(s.locks[1].reentrant);
  REQUIRE(s.counters.size() == 1);
  CHECK(s.counters[0].name == "counter");
  const auto& steps = s.jobs[0].steps;
  REQUIRE(steps.size() == 4);
  CHECK(steps[0].kind == StepKind::Acquire);
  CHECK(steps[0].target == 0);
  CHECK(steps[1].kind == StepKind::Increment);
  CHECK_FALSE(steps[1].has_call);
  CHECK(steps[2].has_call);
  CHECK(steps[2].duration.a == 1_us);
  CHECK(steps[3].kind == StepKind::Release);
  CHECK(step_label(s, steps[0]) == "acquire balance");
  CHECK(step_label(s, steps[1]) == "counter += 1");
  CHECK(step_label(s, steps[2]) == "counter += f(), f 1us");
}

TEST_CASE("an RLock may be taken again by its holder; repeat blocks that balance are fine") {
  CHECK(error_of(with_steps(R"([ { acquire = "ledger" }, { acquire = "ledger" }, { release = "ledger" },
                                 { release = "ledger" } ])")) == "no error");
  CHECK(error_of(with_steps(R"([ { repeat = 3, steps = [ { acquire = "balance" }, { increment = "counter" },
                                 { release = "balance" } ] } ])")) == "no error");
}

TEST_CASE("misspelt lock and counter names are refused with the nearest name") {
  CHECK(error_of(with_steps(R"([ { acquire = "balanse" } ])")) ==
        "s.toml:9:23: unknown lock 'balanse'; expected one of the locks in [locks]: balance, ledger; "
        "did you mean 'balance'?");
  CHECK(error_of(with_steps(R"([ { increment = "countr" } ])")) ==
        "s.toml:9:25: unknown counter 'countr'; expected one of the counters in [counters]: counter; "
        "did you mean 'counter'?");
  CHECK(error_of("title = \"t\"\n[[job]]\nname = \"w\"\nsteps = [ { acquire = \"a\" } ]" + kRun) ==
        "s.toml:4:23: unknown lock 'a'; expected a lock declared in [locks], such as [locks] a = \"Lock\"");
  CHECK(error_of("title = \"t\"\n[locks]\na = \"Lok\"\n[[job]]\nname = \"w\"\nsteps = [ { cpu = \"1ms\" } ]" + kRun) ==
        "s.toml:3:5: unknown lock kind 'Lok'; expected one of: Lock, RLock; did you mean 'Lock'?");
}

TEST_CASE("a job must release only what it holds, never take a Lock twice, and release all by its end") {
  CHECK(error_of(with_steps(R"([ { release = "balance" } ])")) ==
        "s.toml:9:11: job 'w' releases lock 'balance' that it does not hold here; expected "
        "{ acquire = \"balance\" } before it (Python raises RuntimeError)");
  CHECK(error_of(with_steps(R"([ { acquire = "balance" }, { acquire = "balance" } ])")) ==
        "s.toml:9:36: job 'w' acquires lock 'balance' while it already holds it; a Lock is not re-entrant, so this "
        "would wait forever: release it first, or declare balance = \"RLock\" in [locks]");
  // The second turn of the block takes the lock again.
  CHECK(error_of(with_steps(R"([ { repeat = 2, steps = [ { acquire = "balance" } ] } ])")) ==
        "s.toml:9:35: job 'w' acquires lock 'balance' while it already holds it; a Lock is not re-entrant, so this "
        "would wait forever: release it first, or declare balance = \"RLock\" in [locks]");
  CHECK(error_of(with_steps(R"([ { acquire = "balance" }, { cpu = "1ms" } ])")) ==
        "s.toml:9:11: job 'w' ends holding lock 'balance'; expected { release = \"balance\" } after its work, as a "
        "`with` block does");
  CHECK(error_of(with_steps(R"([ { cpu = "1ms", call = "1us" } ])")) ==
        "s.toml:9:33: 'call' belongs to an increment step, not a cpu step; expected "
        "{ increment = \"counter\", call = \"100ns\" }");
}

TEST_CASE("lock and counter names are identifiers") {
  CHECK(error_of("title = \"t\"\n[counters]\n\"my counter\" = 0\n[[job]]\nname = \"w\"\nsteps = [ { cpu = \"1ms\" } ]" +
                 kRun) ==
        "s.toml:3:1: counter name 'my counter' is not an identifier; expected letters, digits and _ (not first), "
        "such as counter_lock");
}

TEST_CASE("a process_pool run names how the Pool gets its jobs; imap and apply_async send one job at a time") {
  const std::string head = "title = \"t\"\n[[job]]\nname = \"w\"\ncount = 100\nsteps = [ { cpu = \"1ms\" } ]\n[[run]]\n";
  const Scenario s = load_string(head + "executor = \"process_pool\"\nworkers = 4\n[[run]]\nname = \"i\"\n"
                                        "executor = \"process_pool\"\nworkers = 4\nmethod = \"imap\"\n",
                                 "s.toml");
  CHECK(s.runs[0].method == PoolMethod::Map);
  CHECK(effective_chunksize(s, s.runs[0]) == 7);  // divmod(100, 16), rounded up (P5)
  CHECK(s.runs[1].method == PoolMethod::Imap);
  CHECK(effective_chunksize(s, s.runs[1]) == 1);
  CHECK(error_of(head + "executor = \"process_pool\"\nmethod = \"apply_async\"\nchunksize = 2\n") ==
        "s.toml:9:13: 'chunksize' does not apply to apply_async, which sends one task per call; expected it only "
        "with method = \"map\", \"imap\" or \"imap_unordered\"");
  CHECK(error_of(head + "executor = \"threads\"\nmethod = \"imap\"\n") ==
        "s.toml:8:10: 'method' does not apply to threads runs; expected it only on process_pool runs");
  CHECK(error_of(head + "executor = \"process_pool\"\nmethod = \"imap_unorderd\"\n") ==
        "s.toml:8:10: unknown method 'imap_unorderd'; expected one of: map, imap, imap_unordered, apply_async; "
        "did you mean 'imap_unordered'?");
}
