// A thread's state machines: the transitions the engine relies on.
#include <doctest/doctest.h>

#include "sim/model/thread_state.hpp"

using namespace gilsim::model;

TEST_CASE("a GIL wait begins once: a restart after a lost race is not a new wait") {
  ThreadState s;
  CHECK(s.wait_for_gil());  // None -> Waiting: a new wait (a GilRequest mark, waiting_since)
  s.signalled();
  CHECK(s.gil == GilState::Woken);
  CHECK(!s.wait_for_gil());  // lost the race (G1): Woken -> Waiting, the same wait
  CHECK(s.gil == GilState::Waiting);
  s.took_gil();
  CHECK(s.holds_gil());
  s.dropped_gil();
  CHECK(s.gil == GilState::None);
  CHECK(s.wait_for_gil());
}

TEST_CASE("a thread that asked for the GIL from the run queue starts a new wait if it finds it taken (G8a)") {
  ThreadState s;
  s.ask_for_gil();  // back from a blocking call, no core yet: take_gil comes when it runs
  CHECK(s.gil == GilState::Asking);
  CHECK(!s.holds_gil());
  CHECK(s.wait_for_gil());  // on a core, the GIL taken: a new wait (a GilRequest mark)
  CHECK(s.gil == GilState::Waiting);
  s.signalled();
  s.took_gil();
  s.dropped_gil();
  s.ask_for_gil();
  s.took_gil();  // on a core, the GIL free: taken at once
  CHECK(s.holds_gil());
}

TEST_CASE("a dropper that waits for the switch remembers what comes after it (G6)") {
  ThreadState s;
  s.took_gil();
  s.dropped_gil();
  s.wait_for_switch(AfterGil::ContinueCompute);
  CHECK(s.gil == GilState::Switch);
  CHECK(!s.holds_gil());
  s.switch_done();
  CHECK(s.gil == GilState::None);
  CHECK(s.after_gil == AfterGil::ContinueCompute);
  s.took_gil();
  s.dropped_gil();
  s.wait_for_switch(AfterGil::ResumeProgram);
  s.switch_done();
  CHECK(s.after_gil == AfterGil::ResumeProgram);
}

TEST_CASE("a notify before the wait is kept, and consumed by the next wait") {
  ThreadState s;
  CHECK(!s.notified());  // nobody waits: kept
  CHECK(s.notify == Notify::Pending);
  CHECK(!s.notified());  // a second notify changes nothing
  CHECK(s.wait_for_notify());  // consumed: no wait
  CHECK(s.notify == Notify::None);
  CHECK(!s.wait_for_notify());  // now it waits
  CHECK(s.notify == Notify::Waiting);
  CHECK(s.notified());  // the waiter is resumed
  CHECK(s.notify == Notify::None);
}

TEST_CASE("a wait that ends by its deadline stops waiting for notify; a pending notify survives other waits") {
  ThreadState s;
  CHECK(!s.wait_for_notify());
  s.wait_ended();  // the deadline came first
  CHECK(s.notify == Notify::None);
  CHECK(!s.notified());  // a late notify is kept for the next wait
  s.wait_ended();  // the end of a sleep leaves it alone
  CHECK(s.notify == Notify::Pending);
}

TEST_CASE("a thread is running while its compute progresses, dilated or not") {
  ThreadState s;
  CHECK(!s.running());
  s.progress = ComputeProgress::RunningDilated;
  CHECK(s.running());
  s.progress = ComputeProgress::Running;
  CHECK(s.running());
  CHECK(!s.on_core());
  s.core = CoreState::OnCore;
  CHECK(s.on_core());
}
