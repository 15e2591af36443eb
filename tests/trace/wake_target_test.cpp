// Whom a wake wakes, read from hand-written timelines of the two wakes the model draws
// (docs/model.md G8c, L8), and what the exports' labels say of it.
#include <doctest/doctest.h>

#include "sim/trace/trace.hpp"
#include "sim/trace/trace_builder.hpp"
#include "sim/trace/wake_target.hpp"

using namespace gilsim;
using namespace gilsim::literals;
using namespace gilsim::trace;

namespace {

struct Lanes {
  LaneId gil, t1, t2, t3, lock;
};

/// One process with a GIL, three threads and a lock L:
///   0-4 ms      T1 holds the GIL, T2 waits for it; T3 waits for L, which T1 holds.
///   4 ms        T2 takes the GIL (T1 was forced out) and wakes T1: Waking to 4.01 ms.
///   4.01-6 ms   T2 runs; T1 waits for the GIL.
///   6 ms        T2 drops it; T1 takes it, runs, and at 7 ms releases L: Waking to 7.011 ms.
///               T3's wait for L goes on in a span of its own from 7 ms; T3 takes L at 7.02.
Trace two_wakes(Lanes& l) {
  TraceBuilder b("threads", "threads", "new", Origin::Simulated, 2, 5_ms);
  b.add_cores(2);
  const ProcessId p = b.add_process("main", true);
  l.gil = b.gil_lane(p);
  l.t1 = b.add_lane("T1", LaneKind::Thread, p);
  l.t2 = b.add_lane("T2", LaneKind::Thread, p);
  l.t3 = b.add_lane("T3", LaneKind::Thread, p);
  l.lock = b.add_lane("L", LaneKind::Lock, p);
  b.set_state(l.gil, 0_ms, SpanState::Held, l.t1);
  b.set_state(l.t1, 0_ms, SpanState::Running);
  b.set_state(l.t2, 0_ms, SpanState::WaitingGil);
  b.set_state(l.lock, 0_ms, SpanState::Held, l.t1);
  b.set_state(l.t3, 0_ms, SpanState::WaitingLock, kNone, 0);
  b.mark(4_ms, MarkKind::ForcedSwitch, l.t1, l.t2, (4_ms).ns());
  b.set_state(l.gil, 4_ms, SpanState::Held, l.t2);
  b.set_state(l.t1, 4_ms, SpanState::WaitingGil);
  b.set_state(l.t2, 4_ms, SpanState::Waking);
  b.set_state(l.t2, 4_ms + 10_us, SpanState::Running);
  b.set_state(l.gil, 6_ms, SpanState::Held, l.t1);
  b.clear_state(l.t2, 6_ms);
  b.set_state(l.t1, 6_ms, SpanState::Running);
  b.set_state(l.t1, 7_ms, SpanState::Waking);
  b.clear_state(l.lock, 7_ms);
  b.set_state(l.t3, 7_ms, SpanState::WaitingLock, kNone, 1);
  b.set_state(l.lock, 7_ms + 20_us, SpanState::Held, l.t3);
  b.set_state(l.t3, 7_ms + 20_us, SpanState::WaitingGil);
  b.set_state(l.t1, 7_ms + 11_us, SpanState::Running);
  return b.finish(8_ms);
}

Span first_waking(const Trace& t, LaneId lane) {
  for (const Span s : t.lanes[lane].spans) {
    if (s.state == SpanState::Waking) return s;
  }
  FAIL("no wake on lane " << t.lanes[lane].name);
  throw;
}

}  // namespace

TEST_CASE("a take's wake names the GIL's last holder; a release's names the lock's woken sleeper and next holder") {
  Lanes l{};
  const Trace t = two_wakes(l);
  const Span take = first_waking(t, l.t2);
  CHECK(take.begin == 4_ms);
  const auto by_take = wake_target(t, l.t2, take);
  REQUIRE(by_take);
  CHECK(by_take->cause == WakeTarget::Cause::GilTake);
  CHECK(by_take->woken == l.t1);

  const Span release = first_waking(t, l.t1);
  CHECK(release.begin == 7_ms);
  const auto by_release = wake_target(t, l.t1, release);
  REQUIRE(by_release);
  CHECK(by_release->cause == WakeTarget::Cause::LockRelease);
  CHECK(by_release->lock == l.lock);
  CHECK(by_release->woken == l.t3);
  CHECK(by_release->next_holder == l.t3);

  // The labels the CSV and Perfetto exports give them.
  CHECK(describe(t, t.lanes[l.t2], take) == "T2 waking T1 (forced to drop the GIL, which T2 has just taken)");
  CHECK(describe(t, t.lanes[l.t1], release) == "T1 waking T3 (asleep on L)");
  // Any other span, or a wake the lanes do not explain, has none.
  CHECK_FALSE(wake_target(t, l.t1, t.lanes[l.t1].spans[0]));
}

TEST_CASE("a release whose waker takes the lock back first says who holds it next") {
  // T1 releases L at 1 ms, waking T2 (its wait split there), and takes L back at 1.011 ms
  // before T2 is awake (docs/model.md L3): T2 finds it held and waits on.
  TraceBuilder b("threads", "threads", "new", Origin::Simulated, 2, 5_ms);
  b.add_cores(2);
  const ProcessId p = b.add_process("main", true);
  const LaneId gil = b.gil_lane(p);
  const LaneId t1 = b.add_lane("T1", LaneKind::Thread, p);
  const LaneId t2 = b.add_lane("T2", LaneKind::Thread, p);
  const LaneId lock = b.add_lane("lock L", LaneKind::Lock, p);
  b.set_state(gil, 0_ms, SpanState::Held, t1);
  b.set_state(t1, 0_ms, SpanState::Running);
  b.set_state(lock, 0_ms, SpanState::Held, t1);
  b.set_state(t2, 0_ms, SpanState::WaitingLock, kNone, 0);
  b.set_state(t1, 1_ms, SpanState::Waking);
  b.clear_state(lock, 1_ms);
  b.set_state(t2, 1_ms, SpanState::WaitingLock, kNone, 1);
  b.set_state(t1, 1_ms + 11_us, SpanState::Running);
  b.set_state(lock, 1_ms + 11_us, SpanState::Held, t1);
  const Trace t = b.finish(2_ms);
  const Span wake = first_waking(t, t1);
  CHECK(describe(t, t.lanes[t1], wake) == "T1 waking T2 (asleep on lock L; T1 holds it next)");
}

TEST_CASE("a release right after a take of a free GIL wakes the lock's sleeper, not a dropper") {
  // T2 held the GIL to 1 ms and dropped it of itself (I/O): no forced switch. T1, back from
  // its own I/O, takes the free GIL at 2 ms and at once releases L, waking T3, asleep on L
  // (docs/model.md L8): its wake begins where its holding does, and was read as G8c's.
  TraceBuilder b("threads", "threads", "new", Origin::Simulated, 2, 5_ms);
  b.add_cores(2);
  const ProcessId p = b.add_process("main", true);
  const LaneId gil = b.gil_lane(p);
  const LaneId t1 = b.add_lane("T1", LaneKind::Thread, p);
  const LaneId t2 = b.add_lane("T2", LaneKind::Thread, p);
  const LaneId t3 = b.add_lane("T3", LaneKind::Thread, p);
  const LaneId lock = b.add_lane("L", LaneKind::Lock, p);
  b.set_state(lock, 0_ms, SpanState::Held, t1);
  b.set_state(t1, 0_ms, SpanState::BlockedIo);
  b.set_state(t3, 0_ms, SpanState::WaitingLock, kNone, 0);
  b.set_state(gil, 0_ms, SpanState::Held, t2);
  b.set_state(t2, 0_ms, SpanState::Running);
  b.clear_state(gil, 1_ms);
  b.set_state(t2, 1_ms, SpanState::BlockedIo);
  b.set_state(gil, 2_ms, SpanState::Held, t1);
  b.set_state(t1, 2_ms, SpanState::Waking);
  b.clear_state(lock, 2_ms);
  b.set_state(t3, 2_ms, SpanState::WaitingLock, kNone, 1);
  b.set_state(t1, 2_ms + 11_us, SpanState::Running);
  b.set_state(lock, 2_ms + 20_us, SpanState::Held, t3);
  b.set_state(t3, 2_ms + 20_us, SpanState::WaitingGil);
  const Trace t = b.finish(3_ms);
  const Span wake = first_waking(t, t1);
  const auto target = wake_target(t, t1, wake);
  REQUIRE(target);
  CHECK(target->cause == WakeTarget::Cause::LockRelease);
  CHECK(target->woken == t3);
  CHECK(describe(t, t.lanes[t1], wake) == "T1 waking T3 (asleep on L)");
}

TEST_CASE("a take after a drop that was not forced wakes nobody waiting on the switch") {
  // T2 dropped the GIL of itself at 1 ms; T1 takes it at 2 ms and wakes a thread for some
  // other reason (no lock released): only a forced-out dropper waits for its taker's signal
  // (docs/model.md G8c), so this wake names no dropper.
  TraceBuilder b("threads", "threads", "new", Origin::Simulated, 2, 5_ms);
  b.add_cores(2);
  const ProcessId p = b.add_process("main", true);
  const LaneId gil = b.gil_lane(p);
  const LaneId t1 = b.add_lane("T1", LaneKind::Thread, p);
  const LaneId t2 = b.add_lane("T2", LaneKind::Thread, p);
  b.set_state(t1, 0_ms, SpanState::BlockedIo);
  b.set_state(gil, 0_ms, SpanState::Held, t2);
  b.set_state(t2, 0_ms, SpanState::Running);
  b.clear_state(gil, 1_ms);
  b.set_state(t2, 1_ms, SpanState::BlockedIo);
  b.set_state(gil, 2_ms, SpanState::Held, t1);
  b.set_state(t1, 2_ms, SpanState::Waking);
  b.set_state(t1, 2_ms + 10_us, SpanState::Running);
  const Trace t = b.finish(3_ms);
  CHECK_FALSE(wake_target(t, t1, first_waking(t, t1)));
}
