// Real runs with user locks and shared counters: invariants and generous bounds
// (docs/model.md L1-L6, U1-U2).
#include <doctest/doctest.h>

#include "real_test_support.hpp"
#include "sim/real/execute.hpp"
#include "sim/real/real_shared.hpp"

using namespace gilsim;
using namespace gilsim::literals;
using namespace gilsim::real::testing;
using scenario::Executor;
using scenario::StepKind;
using trace::LaneKind;
using trace::MarkKind;
using trace::SpanState;

namespace {

scenario::Step shared_step(StepKind kind, std::uint32_t target, bool call = false) {
  scenario::Step s = cpu(call ? 20_ns : 0_ns);
  s.kind = kind;
  s.target = target;
  s.has_call = call;
  return s;
}

/// Lock lanes: one holder at a time (spans never overlap), each a thread lane.
void check_lock_lanes(const trace::Trace& t) {
  for (const trace::Lane* lane : lanes_of(t, LaneKind::Lock)) {
    for (std::size_t i = 0; i < lane->spans.size(); ++i) {
      const auto& s = lane->spans[i];
      CHECK(s.state == SpanState::Held);
      REQUIRE(s.subject < t.lanes.size());
      CHECK(t.lanes[s.subject].kind == LaneKind::Thread);
      if (i > 0) CHECK(lane->spans[i - 1].end <= s.begin);
    }
  }
}

}  // namespace

TEST_CASE("threads waiting for a real lock take turns, without the GIL, and lose no update under it") {
  auto s = make_scenario({});
  s.locks.push_back({"L", false, {}});
  s.counters.push_back({"counter", 0, {}});
  std::vector<scenario::Step> steps{shared_step(StepKind::Acquire, 0), io(5_ms)};
  for (int i = 0; i < 200; ++i) steps.push_back(shared_step(StepKind::Increment, 0, true));
  steps.push_back(shared_step(StepKind::Release, 0));
  s.jobs = {make_job("writer", 3, steps)};
  s.python.switch_interval = 100_us;
  const auto t = real::execute(s, make_run(Executor::Threads));
  check_invariants(t);
  check_lock_lanes(t);
  CHECK(lanes_of(t, LaneKind::Lock).size() == 1);
  // The lock is held across each 5 ms read, one thread at a time: at least 15 ms in all.
  CHECK(t.end >= 15_ms);
  CHECK(count_marks(t, MarkKind::LockWait) >= 1);
  CHECK(time_in(t, LaneKind::Thread, SpanState::WaitingLock) >= 5_ms);
  REQUIRE(t.counters.size() == 1);
  CHECK(t.counters[0].updates == 600);
  CHECK(t.counters[0].final_value == 600);
}

TEST_CASE("two real threads taking two locks in opposite order stop with the cycle explained") {
  auto s = make_scenario({});
  s.locks.push_back({"A", false, {}});
  s.locks.push_back({"B", false, {}});
  s.jobs = {make_job("x", 1, {shared_step(StepKind::Acquire, 0), io(20_ms), shared_step(StepKind::Acquire, 1),
                              shared_step(StepKind::Release, 1), shared_step(StepKind::Release, 0)}),
            make_job("y", 1, {shared_step(StepKind::Acquire, 1), io(20_ms), shared_step(StepKind::Acquire, 0),
                              shared_step(StepKind::Release, 0), shared_step(StepKind::Release, 1)})};
  const auto t = real::execute(s, make_run(Executor::Threads));
  check_lock_lanes(t);
  CHECK(count_marks(t, MarkKind::Deadlock) == 2);
  for (const auto& job : t.jobs) CHECK(job.end == Time::max());
  // It gives up after the deadlock timeout, not before, and not much later.
  CHECK(t.end >= real::RealShared::kDeadlockTimeout);
  CHECK(t.end <= real::RealShared::kDeadlockTimeout + 10_s);
}
