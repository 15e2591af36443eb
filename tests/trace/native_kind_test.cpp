// What a native span is: a native step's C code, a call of no step, a child process's exit
// or a peer's answer.
#include <string>

#include <doctest/doctest.h>

#include "sim/trace/native_kind.hpp"
#include "sim/trace/trace_builder.hpp"

using namespace gilsim;
using namespace gilsim::literals;
using namespace gilsim::trace;

TEST_CASE("a child process's last native span is its ending; the parent's and an earlier one are calls") {
  // Lesson 18's "process 4 task 4 (native)" at the playhead was the process exiting (P8).
  TraceBuilder b("r", "processes", "new", Origin::Simulated, 2, 5_ms);
  b.add_cores(2);
  const auto parent = b.add_process("main", true);
  const auto child = b.add_process("process 1", true);
  const LaneId main = b.add_lane("main", LaneKind::Thread, parent);
  const LaneId worker = b.add_lane("process 1", LaneKind::Thread, child);
  b.set_state(main, 0_ms, SpanState::Native);
  b.clear_state(main, 1_ms);
  b.set_state(worker, 1_ms, SpanState::Native);  // a pipe's read, say
  b.set_state(worker, 2_ms, SpanState::Running);
  b.set_state(worker, 3_ms, SpanState::Native);  // the exit
  b.clear_state(worker, 4_ms);
  const Trace t = b.finish(4_ms);
  const Lane& w = t.lanes[worker];
  REQUIRE(w.spans.size() == 3);
  CHECK(native_kind(t, w, 0) == NativeKind::SystemCall);
  CHECK(native_kind(t, w, 2) == NativeKind::Ending);
  CHECK(native_kind(t, t.lanes[main], 0) == NativeKind::SystemCall);  // the parent does not end so
  CHECK(kNativeWords[static_cast<std::size_t>(NativeKind::Ending)] == "the process ending");
}

TEST_CASE("a peer process's native spans are its answers, its last one too: not a call, not its ending (S9)") {
  // s10-peer's echo answered three times: the legend read "a system call, the process ending".
  TraceBuilder b("r", "threads", "new", Origin::Simulated, 2, 5_ms);
  b.add_cores(2);
  const auto main = b.add_process("main", true);
  const auto peer_process = b.add_process(std::string(kPeerOf) + "client", false);
  b.add_lane("T1", LaneKind::Thread, main);
  const LaneId peer = b.add_lane("peer", LaneKind::Thread, peer_process);
  for (int answer = 0; answer < 3; ++answer) {
    b.set_state(peer, Time{answer * 4'000'000}, SpanState::Native);
    b.clear_state(peer, Time{answer * 4'000'000 + 2'000'000});
  }
  const Trace t = b.finish(12_ms);
  const Lane& p = t.lanes[peer];
  REQUIRE(p.spans.size() == 3);
  CHECK(native_kind(t, p, 0) == NativeKind::PeerAnswer);
  CHECK(native_kind(t, p, 2) == NativeKind::PeerAnswer);
  CHECK(kNativeWords[static_cast<std::size_t>(NativeKind::PeerAnswer)] == "the peer computing its answer");
}
