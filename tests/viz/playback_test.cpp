// Playback advances by frame time, stops at the end, and steps land exactly on events.
#include <doctest/doctest.h>

#include "fake_runs.hpp"
#include "viz/playback.hpp"

using namespace gilsim;
using namespace gilsim::literals;
using namespace gilsim::viz;

TEST_CASE("playing advances the playhead by wall time times speed") {
  Playback p;
  p.set_end(1_s);
  p.set_speed(0.01);  // 10 ms of simulated time per second
  p.advance(1.0);
  CHECK(p.now() == 0_ms);  // paused: nothing moves
  p.play();
  p.advance(0.5);
  CHECK(p.now() == 5_ms);
  p.advance(0.25);
  CHECK(p.now() == 7500_us);
}

TEST_CASE("very slow motion still moves, carrying fractions of a nanosecond") {
  Playback p;
  p.set_end(1_s);
  p.set_speed(Playback::kSlowest);  // 10 us per second
  p.play();
  for (int i = 0; i < 1000; ++i) p.advance(0.001);
  CHECK(p.now() == 10_us);
}

TEST_CASE("playback stops at the end, and playing again starts over") {
  Playback p;
  p.set_end(10_ms);
  p.set_speed(1.0);
  p.play();
  p.advance(1.0);
  CHECK(p.now() == 10_ms);
  CHECK(!p.playing());
  p.toggle();
  CHECK(p.playing());
  CHECK(p.now() == 0_ms);
}

TEST_CASE("speed and seeking are clamped") {
  Playback p;
  p.set_end(10_ms);
  p.set_speed(100);
  CHECK(p.speed() == Playback::kFastest);
  p.seek(20_ms);
  CHECK(p.now() == 10_ms);
  p.seek(-(5_ms));
  CHECK(p.now() == 0_ms);
}

TEST_CASE("stepping visits every event time exactly, forwards and backwards") {
  EventIndex events;
  events.build({viz::testing::two_threads()});
  const std::vector<Time> all = {0_ms, 1_ms, 6_ms, 6500_us, 11500_us, 12_ms, 15_ms, 20_ms};
  CHECK(events.size(false) == all.size());
  Time t = -(1_ms);
  for (Time expected : all) {
    t = events.next(t, false);
    CHECK(t == expected);
  }
  CHECK(events.next(t, false) == t);  // nothing after the end
  for (auto it = all.rbegin() + 1; it != all.rend(); ++it) {
    t = events.previous(t, false);
    CHECK(t == *it);
  }
  CHECK(events.previous(0_ms, false) == 0_ms);
}

TEST_CASE("GIL-only stepping skips job starts and ends") {
  EventIndex events;
  events.build({viz::testing::two_threads()});
  CHECK(events.next(12_ms, true) == 15_ms);   // the GIL is released at 15 ms
  CHECK(events.next(15_ms, true) == 15_ms);   // T2's job end at 20 ms is not a GIL event
  CHECK(events.previous(6500_us, true) == 6_ms);
  CHECK(events.next(2_ms, true) == 6_ms);
}

TEST_CASE("stepping from between events lands on the neighbours") {
  EventIndex events;
  events.build({viz::testing::two_threads(), viz::testing::asyncio_run()});
  CHECK(events.next(1500_us, false) == 2_ms);  // task 3 starts its job at 2 ms in the asyncio run
  CHECK(events.previous(1500_us, false) == 1_ms);
}

TEST_CASE("an index built when first asked steps as one built at once, over the runs it was given last") {
  const std::vector<trace::Trace> one = {viz::testing::two_threads()};
  std::vector<trace::Trace> runs = {viz::testing::two_threads(), viz::testing::asyncio_run()};
  EventIndex now, later;
  now.build(runs);
  later.build_when_asked(one);
  later.build_when_asked(runs);  // the runs changed before anyone stepped: the last ones count
  CHECK(later.size(false) == now.size(false));
  CHECK(later.size(true) == now.size(true));
  for (Time t : {-(1_ms), 1500_us, 6_ms, 12_ms, 20_ms}) {
    CHECK(later.next(t, false) == now.next(t, false));
    CHECK(later.previous(t, true) == now.previous(t, true));
  }
  // Built again at once after being built when asked, it forgets the pending runs.
  later.build(one);
  CHECK(later.next(1500_us, false) == 6_ms);
}
