// A real run refused by a limit says which limit, that no option raises it, and what in the
// scenario to lower.
#include <doctest/doctest.h>

#include <string>

#include "real_test_support.hpp"
#include "sim/real/execute.hpp"

using namespace gilsim;
using namespace gilsim::literals;
using namespace gilsim::real::testing;
using scenario::Executor;

namespace {

bool has(const std::optional<std::string>& text, const std::string& part) {
  return text && text->find(part) != std::string::npos;
}

}  // namespace

TEST_CASE("a real run too long to run is refused saying the limit is fixed and how to shorten the run") {
  // 100 jobs of a second each, one after another: at least 100 s, under the limit; 200: over.
  const auto fits = make_scenario({make_job("heavy", 100, {io(1_s)})});
  CHECK_FALSE(real::why_not_runnable(fits, make_run(Executor::Sequential)));
  const auto heavy = make_scenario({make_job("heavy", 200, {io(1_s)})});
  const auto why = real::why_not_runnable(heavy, make_run(Executor::Sequential, "one by one"));
  INFO(why.value_or(""));
  CHECK(has(why, "run 'one by one' cannot run for real: it would take at least 200 s, the limit is 120 s "
                 "(fixed: --timeout stops a run sooner, it does not raise this); shorten the run: fewer jobs "
                 "(job.N.count) or shorter steps"));
  // A pool's run is shortened by more workers too.
  auto pool = make_run(Executor::ProcessPool);
  pool.workers = 1;
  CHECK(has(real::why_not_runnable(heavy, pool), "or more workers (run.NAME.workers)"));
}

TEST_CASE("each of a real run's limits says what to lower") {
  const auto many = make_scenario({make_job("many", 300, {io(1_ms)})});
  CHECK(has(real::why_not_runnable(many, make_run(Executor::Threads)),
            "one thread per job is 300 threads, the limit is 256 (fixed); lower the jobs' counts (job.N.count), "
            "or use a thread_pool run"));
  auto pool = make_run(Executor::ProcessPool);
  pool.workers = 1000;
  CHECK(has(real::why_not_runnable(many, pool),
            "a pool of 1000 processes, the limit is 64 (fixed); lower its workers (run.NAME.workers)"));
  auto thread_pool = make_run(Executor::ThreadPool);
  thread_pool.workers = 300;
  CHECK(has(real::why_not_runnable(many, thread_pool), "lower its workers (run.NAME.workers)"));
  const auto crowd = make_scenario({make_job("crowd", 30'000, {io(1_us)})});
  CHECK(has(real::why_not_runnable(crowd, make_run(Executor::Asyncio)),
            "30000 jobs, the limit is 20000 (fixed); lower the jobs' counts (job.N.count)"));
  const auto burn = make_scenario({make_job("burn", 100, {cpu(1_s)})});
  CHECK(has(real::why_not_runnable(burn, make_run(Executor::Sequential)),
            "of CPU work in all, the limit is 60.000 s (fixed); lower the jobs' counts (job.N.count) or their cpu and "
            "native steps"));
}
