// The model's clock: a min-heap of events ordered by (time, sequence number), so events at
// the same instant run in the order they were scheduled and every run is reproducible.
#pragma once

#include <cstdint>
#include <vector>

#include "sim/trace/time.hpp"

namespace gilsim::model {

enum class EventKind : std::uint8_t {
  Resume,        ///< a thread's pending operation is complete: continue it
  ComputeDone,   ///< a thread finished the compute it was running on its core
  QuantumEnd,    ///< a core's time slice ended
  DropDeadline,  ///< a GIL waiter's timed wait runs out with no switch (new GIL, G2)
  GilAttempt,    ///< a signalled GIL waiter, awake now, tries to take the GIL (G8)
  OldGilHandoff, ///< old GIL: a signalled waiter wins the release-and-reacquire race (O3)
};

struct Event {
  Time at;
  std::uint64_t seq = 0;
  std::uint32_t target = 0;  ///< thread, core or GIL index, per kind
  std::uint32_t token = 0;   ///< the target's epoch when scheduled; stale events are skipped
  EventKind kind = EventKind::Resume;
};

class EventQueue {
 public:
  void push(Time at, EventKind kind, std::uint32_t target, std::uint32_t token) {
    heap_.push_back(Event{at, next_seq_++, target, token, kind});
    sift_up(heap_.size() - 1);
  }
  bool empty() const { return heap_.empty(); }
  const Event& top() const { return heap_.front(); }
  Event pop() {
    Event e = heap_.front();
    heap_.front() = heap_.back();
    heap_.pop_back();
    if (!heap_.empty()) sift_down(0);
    return e;
  }
  std::size_t size() const { return heap_.size(); }

 private:
  static bool before(const Event& a, const Event& b) {
    return a.at < b.at || (a.at == b.at && a.seq < b.seq);
  }
  void sift_up(std::size_t i) {
    Event e = heap_[i];
    while (i > 0) {
      const std::size_t parent = (i - 1) / 2;
      if (!before(e, heap_[parent])) break;
      heap_[i] = heap_[parent];
      i = parent;
    }
    heap_[i] = e;
  }
  void sift_down(std::size_t i) {
    const std::size_t n = heap_.size();
    Event e = heap_[i];
    while (true) {
      std::size_t child = 2 * i + 1;
      if (child >= n) break;
      if (child + 1 < n && before(heap_[child + 1], heap_[child])) ++child;
      if (!before(heap_[child], e)) break;
      heap_[i] = heap_[child];
      i = child;
    }
    heap_[i] = e;
  }

  std::vector<Event> heap_;
  std::uint64_t next_seq_ = 0;
};

}  // namespace gilsim::model
