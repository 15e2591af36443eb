// Waking a thread that sleeps on another core costs the waker (docs/model.md G8c): take_gil's
// signal of switch_cond, when the forced-out dropper sleeps there, delays the taker's return
// into its program; drop_gil's unlock of the GIL's mutex, when the waiter it signalled sleeps
// on it by then, lengthens the dropper's section. Hand-written timelines with exact times.
#include <doctest/doctest.h>

#include "model_fixtures.hpp"

using namespace gilsim;
using namespace gilsim::test;
using trace::MarkKind;
using trace::SpanState;

namespace {

/// Per GIL-releasing call of `lane` (a native or an io step): whether the GIL wait after it
/// lasted more than half an interval.
std::vector<bool> lost_calls(const trace::Trace& t, const trace::Lane& lane) {
  std::vector<bool> lost;
  for (const auto& span : lane.spans) {
    if (span.step == trace::kNoStep) continue;
    if (span.state == SpanState::BlockedIo || (span.state == SpanState::Native && span.duration() < 5_us)) {
      lost.push_back(false);
    } else if (!lost.empty() && span.state == SpanState::WaitingGil && span.duration() * 2 > t.switch_interval) {
      lost.back() = true;
    }
  }
  return lost;
}

}  // namespace

TEST_CASE("G8c: the taker pays its signal of switch_cond, so the released hog wins both calls of every operation") {
  // The hog T1 (core 0) holds the GIL from 0; the client T2 (core 1) makes two operations of
  // sendall (a native step, 2 us) then recv (io, 4 us). Every wake-up 11 us, a futex wake-up
  // of another core's thread 10 us.
  //   4.011    T2's timed wait ends (4 ms + 11 us) and it asks; T1 drops at its check point,
  //            signals T2 and stays in drop_gil's section on core 0 to 4.021 (G8b: the waiter,
  //            waking at 4.022, is not asleep on the mutex by then: one signal), then sleeps
  //            on switch_cond.
  //   4.022    T2 takes the GIL. Its take_gil signals switch_cond, waking T1 on core 0: G8c,
  //            T2 goes on only at 4.032, holding the GIL. T1 runs at 4.033.
  //   4.032    T2's sendall drops the GIL (nobody waits on it yet: no signal), 2 us; T1 takes
  //            the free GIL at 4.033 and T2, back at 4.034, waits: the sendall is lost.
  // Each call then costs 4 ms + 11 us (the timed wait), 11 us (T2's wake-up), 10 us (its
  // signal), and the call: T2 asks at 8.045 (recv lost at 8.070: T1 in at 8.067), 12.081
  // (sendall lost at 12.104), 16.115 (recv lost at 16.140) and 20.151, takes at 20.162 and,
  // after its signal, ends at 20.172 ms. Without G8c T2 would make both calls of the
  // operation before T1 runs at 4.033 (sendall 4.022-4.024, recv 4.024-4.028) and lose only
  // the second operation's recv (4.030-4.034).
  auto s = exact_with_wakes(11_us, 10_us);
  add_jobs(s, "hog", 1, {cpu(100_ms)});
  add_jobs(s, "client", 1, {native(2_us), io(4_us), native(2_us), io(4_us)});
  const auto t = simulate_with(s, scenario::Executor::Threads);
  CHECK(t.jobs[1].end == 20'172_us);
  const auto requests = marks_of(t, MarkKind::DropRequest);
  REQUIRE(requests.size() == 5);
  const Time asked[] = {4'011_us, 8'045_us, 12'081_us, 16'115_us, 20'151_us};
  for (std::size_t i = 0; i < requests.size(); ++i) {
    CAPTURE(i);
    CHECK(requests[i]->at == asked[i]);
    CHECK(t.lanes[requests[i]->lane].name == "T2");
  }
  const auto held = holders(t, "GIL");
  REQUIRE(held.size() >= 3);
  CHECK(held[1].holder == "T2");
  CHECK(held[1].begin == 4'022_us);
  CHECK(held[1].end == 4'032_us);
  CHECK(held[2].holder == "T1");
  CHECK(held[2].begin == 4'033_us);
  CHECK(lost_calls(t, lane_named(t, "T2")) == std::vector<bool>{true, true, true, true});
}

TEST_CASE("G8c: a waiter woken on another core within drop_gil's signal sleeps on the mutex, and its unlock costs the dropper") {
  // As above with every wake-up 2 us, and one operation of sendall (3 us) then recv (4 us).
  //   4.002    T2 asks; T1 drops and signals T2, which wakes on core 1 at 4.004, before the
  //            mutex is free (4.012): it sleeps on it, and the unlock's futex wake-up costs
  //            T1 another 10 us: T1 is in drop_gil on core 0 until 4.022.
  //   4.014    T2, woken at the unlock, takes the GIL. T1 does not sleep on switch_cond (the
  //            GIL changed hands during its section, G8b), so T2 owes no signal: sendall
  //            4.014-4.017, recv 4.017-4.021, T2 ends at 4.021 keeping both calls; T1 asks at
  //            4.022 and takes the free GIL.
  // Without the unlock's cost T1 would sleep on switch_cond at 4.012, be released by T2's
  // take at 4.014, run at 4.016 and take the GIL during the sendall: T2 back at 4.017 would
  // wait a whole interval.
  auto s = exact_with_wakes(2_us, 10_us);
  add_jobs(s, "hog", 1, {cpu(100_ms)});
  add_jobs(s, "client", 1, {native(3_us), io(4_us)});
  const auto t = simulate_with(s, scenario::Executor::Threads);
  CHECK(t.jobs[1].end == 4'021_us);
  const auto requests = marks_of(t, MarkKind::DropRequest);
  REQUIRE(requests.size() == 1);
  CHECK(requests[0]->at == 4'002_us);
  const auto& hog = lane_named(t, "T1");
  bool section = false;
  for (const auto& span : hog.spans) {
    if (span.state == SpanState::Native && span.begin == 4'002_us) section = span.end == 4'022_us;
  }
  CHECK(section);
  // T2 holds the GIL only for instants between its calls (spans of no length): the GIL lane
  // shows T1 up to the drop and again from 4.022.
  const auto held = holders(t, "GIL");
  REQUIRE(held.size() == 2);
  CHECK(held[0].end == 4'002_us);
  CHECK(held[1].holder == "T1");
  CHECK(held[1].begin == 4'022_us);
  CHECK(lost_calls(t, lane_named(t, "T2")) == std::vector<bool>{false, false});
}

TEST_CASE("G2: a forced-out dropper back in its timed wait asks after a whole interval of it, and its request says how long it waited") {
  // Two hogs, every wake-up 11 us, a futex wake-up of another core's thread 10 us.
  //   0        T1 takes the GIL on core 0; T2, on core 1, waits on it from 0.
  //   4.011    T2's timed wait ends (4 ms + 11 us) and it asks: T1 is forced out at its check
  //            point, signals T2 and stays in drop_gil's section to 4.021, then sleeps on
  //            switch_cond.
  //   4.022    T2 takes the GIL; its take_gil wakes T1 (on core 0, another core: 10 us it owes
  //            as it goes on, but it goes on computing, G8c).
  //   4.033    T1, awake, goes back to its timed wait: it waits from 4.033, and its wait ends
  //            at 8.044 (4 ms + 11 us), when it asks after waiting 4.011 ms.
  auto s = exact_with_wakes(11_us, 10_us);
  add_jobs(s, "hog", 2, {cpu(100_ms)});
  const auto t = simulate_with(s, scenario::Executor::Threads);
  const auto requests = marks_of(t, MarkKind::DropRequest);
  REQUIRE(requests.size() >= 2);
  CHECK(requests[0]->at == 4'011_us);
  CHECK(t.lanes[requests[0]->lane].name == "T2");
  CHECK(requests[0]->value == (4'011_us).ns());
  CHECK(requests[1]->at == 8'044_us);
  CHECK(t.lanes[requests[1]->lane].name == "T1");
  CHECK(requests[1]->value == (4'011_us).ns());
}
