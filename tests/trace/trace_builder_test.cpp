// The builder turns state changes into sorted, merged, non-empty spans.
#include <doctest/doctest.h>

#include <algorithm>
#include <limits>
#include <vector>

#include "sim/trace/trace_builder.hpp"

using namespace gilsim;
using namespace gilsim::literals;
using namespace gilsim::trace;

namespace {
// A thread lane that already holds `before` one-nanosecond spans, each of its own label, so a
// test can check what follows at every position of the builder's packing.
LaneId lane_with_spans(TraceBuilder& b, int before) {
  const auto p = b.add_process("main", true);
  const auto t = b.add_lane("T1", LaneKind::Thread, p);
  for (int i = 0; i < before; ++i) b.set_state(t, Time{i}, SpanState::Runnable, 0, static_cast<std::uint16_t>(i));
  return t;
}
}  // namespace

TEST_CASE("state changes become half-open spans; repeats merge and empty spans vanish") {
  TraceBuilder b("r", "threads", "new", Origin::Simulated, 1, 5_ms);
  b.add_cores(1);
  const auto p = b.add_process("main", true);
  const auto t = b.add_lane("T1", LaneKind::Thread, p);
  b.set_state(t, 0_ms, SpanState::Running, 0, 0);
  b.set_state(t, 1_ms, SpanState::Running, 0, 0);  // repeat: no new span
  b.set_state(t, 2_ms, SpanState::WaitingGil, 0, 0);
  b.set_state(t, 2_ms, SpanState::BlockedIo, 0, 1);  // zero-length WaitingGil vanishes
  b.clear_state(t, 5_ms);
  const Trace tr = b.finish(6_ms);
  const auto& spans = tr.lanes[t].spans;
  REQUIRE(spans.size() == 2);
  CHECK(spans[0].begin == 0_ms);
  CHECK(spans[0].end == 2_ms);
  CHECK(spans[0].state == SpanState::Running);
  CHECK(spans[1].begin == 2_ms);
  CHECK(spans[1].end == 5_ms);
  CHECK(spans[1].state == SpanState::BlockedIo);
  CHECK(tr.end == 6_ms);
  CHECK(sizeof(Span) == 24);
}

TEST_CASE("a process with a GIL gets its own GIL lane") {
  TraceBuilder b("r", "process_pool", "new", Origin::Simulated, 2, 5_ms);
  b.add_cores(2);
  const auto main = b.add_process("main", true);
  const auto worker = b.add_process("worker 1", true);
  CHECK(b.gil_lane(main) != b.gil_lane(worker));
  const Trace tr = b.finish(1_ms);
  CHECK(tr.lanes[tr.processes[worker].gil_lane].name == "GIL (worker 1)");
  CHECK(tr.lanes[b.core_lane(1)].kind == LaneKind::Core);
}

TEST_CASE("marks come out sorted by time and explain themselves") {
  TraceBuilder b("r", "threads", "new", Origin::Simulated, 1, 5_ms);
  const auto p = b.add_process("main", true);
  const auto t1 = b.add_lane("T1", LaneKind::Thread, p);
  const auto t2 = b.add_lane("T2", LaneKind::Thread, p);
  b.mark(7_ms, MarkKind::ForcedSwitch, t1, t2, (5_ms).ns());
  b.mark(5_ms, MarkKind::DropRequest, t2, t1, (5_ms).ns());
  const Trace tr = b.finish(10_ms);
  REQUIRE(tr.marks.size() == 2);
  CHECK(tr.marks[0].kind == MarkKind::DropRequest);
  CHECK(describe(tr, tr.marks[0]) == "T2 waited 5.00 ms for the GIL and asked T1 to drop it");
}

TEST_CASE("a chunk sent to no known worker (a measured pool) says where it went") {
  TraceBuilder b("r", "process_pool", "new", Origin::Measured, 1, 5_ms);
  const auto p = b.add_process("main", true);
  const auto main = b.add_lane("main", LaneKind::Thread, p);
  b.mark(1_ms, MarkKind::Dispatch, main, kNone, 1);
  const Trace tr = b.finish(10_ms);
  CHECK(describe(tr, tr.marks[0]) == "main put a chunk of 1 job on the pool's task queue");
}

TEST_CASE("a time to a resolution has the digits that tell apart instants that far apart") {
  // Lesson 07 stepped across a forced switch: 250.201 ms and 250.462 ms both read "250 ms".
  CHECK(format_time_to(Time{250'201'000}, 1_us) == "250.201 ms");
  CHECK(format_time_to(Time{250'462'000}, 1_us) == "250.462 ms");
  CHECK(format_time_to(Time{250'462'000}, 10_us) == "250.46 ms");
  CHECK(format_time_to(Time{250'462'000}, 1_ms) == "250 ms");  // never fewer digits than format_time
  CHECK(format_time_to(Time{250'462'000}, 5_ms) == "250 ms");
  CHECK(format_time_to(Time{455'500'000}, Time{1'070}) == "455.5 ms");  // a pixel of lesson 11 at 1/1000: no zeros past the 455.5
  CHECK(format_time_to(Time{1'456'380'000}, 1_us) == "1.45638 s");
  CHECK(format_time_to(Time{1'456'380'123}, 1_ns) == "1.456380123 s");
  CHECK(format_time_to(Time{12'345}, 1_ns) == "12.345 us");
  CHECK(format_time_to(100_ms, 1_us) == "100 ms");
  // Whole seconds grouped as format_time groups them (lesson 03's thread pool runs 1,250 s).
  CHECK(format_time_to(Time{1'000'000'150'000}, 1_us) == "1,000.00015 s");
  CHECK(format_time_to(Time{-1'250'129'669'000}, 1_us) == "-1,250.129669 s");
  CHECK(format_time_to(Time{std::numeric_limits<std::int64_t>::max()}, 1_ns) ==
        format_time(Time{std::numeric_limits<std::int64_t>::max()}));  // an instant on the dot keeps format_time's words
  CHECK(format_time_to(Time{250'200'000}, 1_us) == "250.2 ms");
  CHECK(format_time_to(850_ns, 1_ns) == "850 ns");
  CHECK(format_time_to(0_ns, 1_ns) == "0 s");
  CHECK(format_time_to(Time{200'000'000'123}, 1_us) == "200 s");
  CHECK(format_time_to(Time{-250'462'000}, 1_us) == "-250.462 ms");
  // Rounding up to the next unit reads in it: 999.9996 ms to the microsecond is 1.000 s.
  CHECK(format_time_to(Time{999'999'600}, 1_us) == "1.000 s");
  CHECK(format_time_to(Time{999'999'600}, Time{0}) == "999.9996 ms");
}

TEST_CASE("a hand-off to a thread that drops the GIL in the same instant says so: its hold leaves no span") {
  TraceBuilder b("r", "threads", "new", Origin::Simulated, 1, 5_ms);
  const auto p = b.add_process("main", true);
  const auto t1 = b.add_lane("T1", LaneKind::Thread, p);
  const auto t2 = b.add_lane("T2", LaneKind::Thread, p);
  const LaneId gil = b.gil_lane(p);
  b.set_state(gil, 0_ms, SpanState::Held, t1);
  b.clear_state(gil, 1_ms);
  b.set_state(gil, 2_ms, SpanState::Held, t1);
  b.clear_state(gil, 3_ms);
  b.mark(1_ms, MarkKind::GilHandoff, t2, t1);  // T2 takes it at 1 ms and holds nothing
  b.mark(2_ms, MarkKind::GilHandoff, t1, t2);  // T1 takes it back at 2 ms and holds it to 3 ms
  const Trace tr = b.finish(3_ms);
  CHECK(describe(tr, tr.marks[0]) == "T2 took the GIL that T1 released and dropped it at once");
  // The lane shows T1 before T1 again: T2's hold of 0 ns is said where the GIL leaves it.
  CHECK(describe(tr, tr.marks[1]) == "T1 took the GIL that T2 released after holding it for no time");
}

namespace {

/// A simulated run of one process whose three threads, T1 to T3, share its GIL (5 ms interval).
struct ThreeThreads {
  TraceBuilder b{"r", "threads", "new", Origin::Simulated, 1, 5_ms};
  trace::ProcessId p = b.add_process("main", true);
  LaneId t1 = b.add_lane("T1", LaneKind::Thread, p);
  LaneId t2 = b.add_lane("T2", LaneKind::Thread, p);
  LaneId t3 = b.add_lane("T3", LaneKind::Thread, p);
  LaneId gil = b.gil_lane(p);
};

}  // namespace

TEST_CASE("a drop request after half an interval more than its own says which switch made it wait another interval") {
  // Lesson 08 at 50 ms: T1 waits from 0 with a 5 ms interval; T2 takes the GIL at 4.2 ms, so
  // at T1's timeout (5 ms) a switch was made and it waits another interval (G2), asking at
  // 10 ms, having waited 10 ms; T2 drops it at 12 ms, and T3, holding it from there, is asked
  // at 17.5 ms after 5.5 ms.
  ThreeThreads run;
  auto& [b, p, t1, t2, t3, gil] = run;
  b.set_state(gil, 0_ms, SpanState::Held, t3);
  b.set_state(gil, 4200_us, SpanState::Held, t2);
  b.set_state(gil, 12_ms, SpanState::Held, t3);
  b.clear_state(gil, 20_ms);
  b.mark(10_ms, MarkKind::DropRequest, t1, t2, (10_ms).ns());
  b.mark(17500_us, MarkKind::DropRequest, t1, t3, (5500_us).ns());
  const Trace tr = b.finish(20_ms);
  CHECK(describe(tr, tr.marks[0]) ==
        "T1 waited 10.0 ms for the GIL and asked T2 to drop it: T2 took the GIL at 4.20 ms, within T1's wait, so T1 "
        "waited another whole interval (G2)");
  CHECK(describe(tr, tr.marks[1]) == "T1 waited 5.50 ms for the GIL and asked T3 to drop it");
}

TEST_CASE("a drop request says no switch where there was none, several, or an earlier request of its own") {
  // T1 waits from 0 with a 5 ms interval. T2 holds the GIL from 0, drops it at 4.2 ms and takes
  // it back at 4.3 ms (a woken waiter that lost the race, not a switch): asked at 10 ms.
  ThreeThreads retake;
  auto& [b, p, t1, t2, t3, gil] = retake;
  b.set_state(gil, 0_ms, SpanState::Held, t2);
  b.clear_state(gil, 4200_us);
  b.set_state(gil, 4300_us, SpanState::Held, t2);
  b.clear_state(gil, 30_ms);
  b.mark(10_ms, MarkKind::DropRequest, t1, t2, (10_ms).ns());
  // T3 asks at 20 ms after 14 ms, several intervals: T2's take at 4.3 ms is not the one cause.
  b.mark(20_ms, MarkKind::DropRequest, t3, t2, (14_ms).ns());
  const Trace tr = b.finish(30_ms);
  CHECK(describe(tr, tr.marks[0]) == "T1 waited 10.0 ms for the GIL and asked T2 to drop it");
  CHECK(describe(tr, tr.marks[1]) == "T3 waited 14.0 ms for the GIL and asked T2 to drop it");

  // T1 asked at 5 ms already; T3 took the GIL at 6 ms and T1 asks it at 11 ms after 11 ms.
  ThreeThreads asked;
  auto& [b2, p2, u1, u2, u3, gil2] = asked;
  b2.set_state(gil2, 0_ms, SpanState::Held, u2);
  b2.set_state(gil2, 6_ms, SpanState::Held, u3);
  b2.clear_state(gil2, 20_ms);
  b2.mark(5_ms, MarkKind::DropRequest, u1, u2, (5_ms).ns());
  b2.mark(11_ms, MarkKind::DropRequest, u1, u3, (11_ms).ns());
  const Trace tr2 = b2.finish(20_ms);
  CHECK(describe(tr2, tr2.marks[1]) == "T1 waited 11.0 ms for the GIL and asked T3 to drop it");
}

TEST_CASE("an old GIL's switch says the holder released it at a check, and how the taker came to run") {
  // No drop request under the old GIL (O1-O3): on one core the taker runs at the end of the
  // holder's time slice, on several it wins a race.
  for (const int cores : {1, 2}) {
    CAPTURE(cores);
    TraceBuilder b("r", "threads", "old", Origin::Simulated, cores, 5_ms);
    const auto p = b.add_process("main", true);
    const auto t1 = b.add_lane("T1", LaneKind::Thread, p);
    const auto t2 = b.add_lane("T2", LaneKind::Thread, p);
    b.mark(3_ms, MarkKind::ForcedSwitch, t1, t2, (3_ms).ns());
    const Trace tr = b.finish(4_ms);
    CHECK(describe(tr, tr.marks[0]) ==
          std::string("T2 took the GIL at one of T1's checks, after T1 had held it 3.00 ms (the old GIL's holder releases "
                      "it and takes it back at every check, O1), ") +
              (cores == 1 ? "given the core at the end of T1's time slice (O3)" : "winning the race for it this time (O3)"));
  }
}

TEST_CASE("a hand-off from a thread whose hold left no span says so: the lane shows another last holder") {
  // Lesson 14: T2 holds the GIL to 1 ms; T1, back from its lock's acquire() at 2 ms, takes the
  // free GIL and drops it at once for its I/O (no mark, no span); T3 takes it at 3 ms.
  ThreeThreads run;
  auto& [b, p, t1, t2, t3, gil] = run;
  b.set_state(gil, 0_ms, SpanState::Held, t2);
  b.clear_state(gil, 1_ms);
  b.set_state(gil, 3_ms, SpanState::Held, t3);
  b.clear_state(gil, 4_ms);
  b.mark(3_ms, MarkKind::GilHandoff, t3, t1);
  b.mark(3_ms, MarkKind::GilHandoff, t3, t2);  // as a hand-off from the lane's own last holder
  const Trace tr = b.finish(4_ms);
  CHECK(describe(tr, tr.marks[0]) == "T3 took the GIL that T1 released after holding it for no time");
  CHECK(describe(tr, tr.marks[1]) == "T3 took the GIL that T2 released");
}

namespace {
/// T1 on one core, preempted for T2 at 1 ms (T2 leaves the core in the same instant) and at
/// 2 ms (T2 runs to 3 ms), each Preempt mark's value `why`.
Trace preempted_twice(std::int64_t why) {
  TraceBuilder b("r", "threads", "new", Origin::Simulated, 1, 5_ms);
  b.add_cores(1);
  const auto p = b.add_process("main", true);
  const auto t1 = b.add_lane("T1", LaneKind::Thread, p);
  const auto t2 = b.add_lane("T2", LaneKind::Thread, p);
  const LaneId core = b.core_lane(0);
  b.set_state(core, 0_ms, SpanState::Running, t1);  // T1 runs on through the 1 ms preemption
  b.set_state(core, 2_ms, SpanState::Running, t2);  // T2 runs from the 2 ms one
  b.clear_state(core, 3_ms);
  b.mark(1_ms, MarkKind::Preempt, t1, t2, why);
  b.mark(2_ms, MarkKind::Preempt, t1, t2, why);
  return b.finish(3_ms);
}
}  // namespace

TEST_CASE("a preemption by a thread that leaves the core in the same instant says so: it ran no time there") {
  const Trace tr = preempted_twice(kSliceEnded);
  CHECK(describe(tr, tr.marks[0]) == "T1 used up its time slice; the OS gave the core to T2, which gave it back at once");
  CHECK(describe(tr, tr.marks[1]) == "T1 used up its time slice; the OS gave the core to T2");
}

TEST_CASE("a wake-up preemption is not called the end of a time slice") {
  // Lesson 17's result handler, woken every few microseconds, took the core of the worker
  // handler 25 times in 0.2 ms, each said to have "used up its time slice" of 3 ms.
  const Trace tr = preempted_twice(kWokenFirst);
  CHECK(describe(tr, tr.marks[0]) == "T1 lost its core to T2, which had just woken and gave it back at once: the OS "
                                     "runs a woken thread at once when it is owed more CPU time (S3)");
  CHECK(describe(tr, tr.marks[1]) == "T1 lost its core to T2, which had just woken: the OS runs a woken thread at once "
                                     "when it is owed more CPU time (S3)");
}

TEST_CASE("time reads the same everywhere") {
  CHECK(format_time(0_ns) == "0 s");
  CHECK(format_time(850_ns) == "850 ns");
  CHECK(format_time(12500_ns) == "12.5 us");
  CHECK(format_time(5_ms) == "5.00 ms");
  CHECK(format_time(250_ms) == "250 ms");
  CHECK(format_time(1234_ms) == "1.234 s");
  // Decided on the rounded value: what rounds up to the next decade reads like it.
  CHECK(format_time(Time{99'960'000}) == "100 ms");
  CHECK(format_time(Time{99'940'000}) == "99.9 ms");
  CHECK(format_time(Time{9'996'000}) == "10.0 ms");
  CHECK(format_time(Time{999'600}) == "1.00 ms");
  CHECK(format_time(Time{999'600'000}) == "1.000 s");
  // To the millisecond below 100 s; whole seconds from 100 s, grouped from 1,000 s (lesson 3's
  // thread pool, its axis's labels), negative too.
  CHECK(format_time(Time{99'999'000'000}) == "99.999 s");
  CHECK(format_time(Time{99'999'600'000}) == "100 s");
  CHECK(format_time(200_s) == "200 s");
  CHECK(format_time(Time{999'999'000'000}) == "1,000 s");
  CHECK(format_time(Time{1'250'129'669'000}) == "1,250 s");
  CHECK(format_time(Time{-1'250'129'669'000}) == "-1,250 s");
  CHECK(format_time(Time{4'856'583'000'000}) == "4,857 s");
  CHECK(format_time(Time{1'234'567'000'000'000}) == "1,234,567 s");
}

TEST_CASE("a lane's spans come out whole and in order however many it records") {
  TraceBuilder b("r", "threads", "new", Origin::Simulated, 1, 5_ms);
  const auto p = b.add_process("main", true);
  const auto t = b.add_lane("T1", LaneKind::Thread, p);
  const auto other = b.add_lane("T2", LaneKind::Thread, p);
  // 40 spans of 1 ms, alternating between running step i and waiting for the GIL; the other
  // lane records between them, and a prefetch of the lane changes nothing.
  for (int i = 0; i < 40; ++i) {
    b.prefetch(t);
    const SpanState state = i % 2 == 0 ? SpanState::Running : SpanState::WaitingGil;
    b.set_state(t, Time{i * 1'000'000}, state, 0, static_cast<std::uint16_t>(i));
    b.set_state(other, Time{i * 1'000'000}, SpanState::Sleeping, 1, static_cast<std::uint16_t>(i));
  }
  b.clear_state(t, 40_ms);
  CHECK(b.span_count() == 40 + 39);
  const Trace tr = b.finish(50_ms);
  const auto& spans = tr.lanes[t].spans;
  REQUIRE(spans.size() == 40);
  for (int i = 0; i < 40; ++i) {
    CAPTURE(i);
    CHECK(spans[static_cast<std::size_t>(i)].begin == Time{i * 1'000'000});
    CHECK(spans[static_cast<std::size_t>(i)].end == Time{(i + 1) * 1'000'000});
    CHECK(spans[static_cast<std::size_t>(i)].step == i);
    CHECK(spans[static_cast<std::size_t>(i)].state == (i % 2 == 0 ? SpanState::Running : SpanState::WaitingGil));
  }
  // The other lane's last span stays open until the trace ends.
  REQUIRE(tr.lanes[other].spans.size() == 40);
  CHECK(tr.lanes[other].spans.back().begin == 39_ms);
  CHECK(tr.lanes[other].spans.back().end == 50_ms);
}

TEST_CASE("a state re-entered after a zero-length gap merges, however many spans came before") {
  for (const int before : {0, 1, 2, 3, 7, 15, 62, 63, 64, 65, 127, 128}) {
    CAPTURE(before);
    TraceBuilder b("r", "threads", "new", Origin::Simulated, 1, 5_ms);
    const auto t = lane_with_spans(b, before);
    const Time at{before};
    b.set_state(t, at, SpanState::Running, 7, 1);
    b.set_state(t, at + 10_ns, SpanState::WaitingGil, 7, 1);
    b.set_state(t, at + 10_ns, SpanState::Running, 7, 1);  // zero-length WaitingGil vanishes
    b.clear_state(t, at + 20_ns);
    b.set_state(t, at + 20_ns, SpanState::Running, 7, 1);  // idle for no time: merges too
    const Trace cut = b.prefix(at + 25_ns);  // the merged span, still open, cut there
    REQUIRE(cut.lanes[t].spans.size() == static_cast<std::size_t>(before) + 1);
    CHECK(cut.lanes[t].spans.back().begin == at);
    CHECK(cut.lanes[t].spans.back().end == at + 25_ns);
    b.set_state(t, at + 30_ns, SpanState::Running, 7, 2);  // another step: a span of its own
    b.clear_state(t, at + 40_ns);
    const Trace tr = b.finish(at + 50_ns);
    const auto& spans = tr.lanes[t].spans;
    REQUIRE(spans.size() == static_cast<std::size_t>(before) + 2);
    for (int i = 0; i < before; ++i) CHECK(spans[static_cast<std::size_t>(i)].end == Time{i + 1});
    const Span& merged = spans[static_cast<std::size_t>(before)];
    CHECK(merged.begin == at);
    CHECK(merged.end == at + 30_ns);
    CHECK(merged.step == 1);
    CHECK(spans.back().begin == at + 30_ns);
    CHECK(spans.back().end == at + 40_ns);
    CHECK(spans.back().step == 2);
  }
}

TEST_CASE("a lane of one span gets a store of just its size") {
  TraceBuilder b("r", "threads", "new", Origin::Simulated, 1, 5_ms);
  const auto p = b.add_process("main", true);
  const auto t = b.add_lane("T1", LaneKind::Thread, p);
  const auto idle = b.add_lane("T2", LaneKind::Thread, p);
  b.set_state(t, 1_ms, SpanState::BlockedIo, 0, 0);
  b.clear_state(t, 3_ms);
  const Trace tr = b.finish(4_ms);
  CHECK(tr.lanes[t].spans.size() == 1);
  CHECK(tr.lanes[t].spans.capacity() == 1);
  CHECK(tr.lanes[t].spans[0].end == 3_ms);
  CHECK(tr.lanes[idle].spans.empty());
  CHECK(tr.lanes[idle].spans.capacity() == 0);
}

TEST_CASE("the open span reads the same, and is cut by prefix() and finish(), however many spans came before") {
  for (int before = 0; before < 10; ++before) {
    CAPTURE(before);
    TraceBuilder b("r", "threads", "new", Origin::Simulated, 1, 5_ms);
    const auto t = lane_with_spans(b, before);
    const Time at{before};
    b.set_state(t, at, SpanState::Running, 7, 3);
    b.set_state(t, at + 5_ns, SpanState::Running, 7, 3);  // a repeat: the same open span
    REQUIRE(b.has_open_span(t));
    CHECK(b.open_state(t) == SpanState::Running);
    CHECK(b.open_subject(t) == 7);
    CHECK(b.span_count() == static_cast<std::size_t>(before));
    const Trace cut = b.prefix(at + 10_ns);
    REQUIRE(cut.lanes[t].spans.size() == static_cast<std::size_t>(before) + 1);
    for (int i = 0; i < before; ++i) CHECK(cut.lanes[t].spans[static_cast<std::size_t>(i)].end == Time{i + 1});
    const Span open = cut.lanes[t].spans.back();
    CHECK(open.begin == at);
    CHECK(open.end == at + 10_ns);
    CHECK(open.subject == 7);
    CHECK(open.step == 3);
    CHECK(open.state == SpanState::Running);
    const Trace tr = b.finish(at + 20_ns);
    REQUIRE(tr.lanes[t].spans.size() == static_cast<std::size_t>(before) + 1);
    CHECK(tr.lanes[t].spans.back().begin == at);
    CHECK(tr.lanes[t].spans.back().end == at + 20_ns);
    CHECK(tr.lanes[t].spans.back().step == 3);
  }
}

TEST_CASE("prefix() reads a lane's spans at and across its groups' edges, whole or cut, and its copy grows on") {
  for (const int count : {1, 2, 63, 64, 65, 66, 128, 129, 130, 200}) {
    for (const int at : {1, count / 2 + 1, 63, 64, 65, 66, 129, count - 1, count, count + 5}) {
      if (at < 1) continue;
      CAPTURE(count);
      CAPTURE(at);
      TraceBuilder b("r", "threads", "new", Origin::Simulated, 1, 5_ms);
      const auto t = lane_with_spans(b, count);  // spans [i, i + 1), the last still open
      Trace cut = b.prefix(Time{at});
      auto& spans = cut.lanes[t].spans;
      const int kept = std::min(count, at);
      REQUIRE(spans.size() == static_cast<std::size_t>(kept));
      for (int i = 0; i < kept; ++i) {
        const Span s = spans[static_cast<std::size_t>(i)];
        CHECK(s.begin == Time{i});
        CHECK(s.end == Time{i + 1 < count ? i + 1 : at});
        CHECK(s.step == i);
      }
      // The prefix's lane is a store of its own: it takes more spans after its last.
      for (int i = 0; i < 70; ++i) {
        spans.push_back(Span{Time{at + 2 * i}, Time{at + 2 * i + 1}, 0, static_cast<std::uint16_t>(i), SpanState::Running, 0});
      }
      REQUIRE(spans.size() == static_cast<std::size_t>(kept + 70));
      CHECK(spans[static_cast<std::size_t>(kept - 1)].begin == Time{kept - 1});
      for (int i = 0; i < 70; ++i) CHECK(spans[static_cast<std::size_t>(kept + i)].begin == Time{at + 2 * i});
      // The builder's own lane is untouched.
      const Trace tr = b.finish(Time{count + 10});
      REQUIRE(tr.lanes[t].spans.size() == static_cast<std::size_t>(count));
      CHECK(tr.lanes[t].spans.back().end == Time{count + 10});
    }
  }
}

TEST_CASE("next_labels() and clear_state_inline() record what set_state() and clear_state() record") {
  // A lane open as Running, as a thread's lane is in a stretch of its steps after the first:
  // new steps, a step repeated (no new span), a step that lasted no time (the span before it
  // goes on), a new subject, and a lock's lane held and freed with and without gaps.
  for (const int before : {0, 1, 62, 63, 64, 65, 130}) {
    CAPTURE(before);
    TraceBuilder plain("r", "threads", "new", Origin::Simulated, 1, 5_ms);
    TraceBuilder fast("r", "threads", "new", Origin::Simulated, 1, 5_ms);
    const LaneId t = lane_with_spans(plain, before);
    REQUIRE(lane_with_spans(fast, before) == t);
    const auto lock = plain.add_lane("lock", LaneKind::Lock, 0);
    REQUIRE(fast.add_lane("lock", LaneKind::Lock, 0) == lock);
    const Time start{before + 5};
    plain.set_state(t, start, SpanState::Running, 7, 0);
    fast.set_state(t, start, SpanState::Running, 7, 0);
    struct Change {
      std::int64_t after;  // ns after the last change
      std::uint32_t subject;
      std::uint16_t step;
    };
    const std::vector<Change> changes = {{3, 7, 1}, {4, 7, 2}, {2, 7, 2}, {5, 7, 3}, {0, 7, 4}, {0, 7, 3},
                                         {6, 7, 5}, {1, 8, 5}, {7, 8, 6}, {0, 8, 6}, {2, 7, kNoStep},
                                         {3, 7, kNoStep}, {40'000'000, 7, 9}, {1, 7, 10}};
    Time at = start;
    for (std::size_t i = 0; i < 200; ++i) {
      const Change& c = changes[i % changes.size()];
      at = at + Time{c.after};
      plain.set_state(t, at, SpanState::Running, c.subject, c.step);
      fast.next_labels(t, at, SpanState::Running, c.subject, c.step);
      // The lock: taken a moment after, freed at the next change (or at once, every fifth).
      if (i % 3 == 0) {
        plain.set_state(lock, at, SpanState::Held, t);
        fast.set_state(lock, at, SpanState::Held, t);
      } else {
        const Time free_at = i % 5 == 0 ? at : at + Time{1};
        plain.clear_state(lock, free_at);
        fast.clear_state_inline(lock, free_at);
        at = free_at;
      }
    }
    CHECK(fast.span_count() == plain.span_count());
    const Trace a = plain.finish(at + 10_us);
    const Trace b = fast.finish(at + 10_us);
    for (const LaneId lane : {t, lock}) {
      CAPTURE(lane);
      const SpanStore& x = a.lanes[lane].spans;
      const SpanStore& y = b.lanes[lane].spans;
      REQUIRE(x.size() == y.size());
      for (std::size_t i = 0; i < x.size(); ++i) {
        CAPTURE(i);
        CHECK(x[i].begin == y[i].begin);
        CHECK(x[i].end == y[i].end);
        CHECK(x[i].subject == y[i].subject);
        CHECK(x[i].step == y[i].step);
        CHECK(x[i].state == y[i].state);
      }
    }
    CHECK(a.lanes[t].spans.size() > static_cast<std::size_t>(before) + 100);  // the changes made spans
  }
}
