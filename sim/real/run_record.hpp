// What a thread of a real run writes while it works: fixed-size timestamped records in
// its own buffer (no lock on the hot path), merged into one Trace after the run.
#pragma once

#include <cstdint>
#include <vector>

#include "sim/trace/trace.hpp"

namespace gilsim::real {

enum class RecordKind : std::uint8_t { State, Clear, Mark, JobStart, JobEnd };

/// One event of a real run. Plain bytes, so worker processes can send it through a pipe.
struct Record {
  std::int64_t at_ns = 0;                 ///< since the run started (steady clock)
  std::int64_t value = 0;                 ///< marks: a duration or a count
  trace::LaneId lane = trace::kNone;
  std::uint32_t other = trace::kNone;     ///< span subject, mark's other lane, or job index
  std::uint16_t step = trace::kNoStep;
  RecordKind kind = RecordKind::State;
  std::uint8_t detail = 0;                ///< SpanState or MarkKind
  std::uint32_t padding = 0;
};
static_assert(sizeof(Record) == 32);

/// A thread's own buffer of records. Only its thread writes to it while the run lasts.
class Recorder {
 public:
  Recorder() { records_.reserve(1024); }

  /// Times a thread records never go backwards: a time earlier than the last one is raised.
  Time monotonic(Time at) {
    if (at < last_) return last_;
    last_ = at;
    return at;
  }
  Time last() const { return last_; }

  void state(Time at, trace::LaneId lane, trace::SpanState s, std::uint32_t subject = trace::kNone,
             std::uint16_t step = trace::kNoStep) {
    records_.push_back(Record{monotonic(at).ns(), 0, lane, subject, step, RecordKind::State,
                              static_cast<std::uint8_t>(s), 0});
  }
  void clear(Time at, trace::LaneId lane) {
    records_.push_back(Record{monotonic(at).ns(), 0, lane, trace::kNone, trace::kNoStep, RecordKind::Clear, 0, 0});
  }
  void mark(Time at, trace::MarkKind k, trace::LaneId lane, std::uint32_t other = trace::kNone,
            std::int64_t value = 0) {
    records_.push_back(Record{monotonic(at).ns(), value, lane, other, trace::kNoStep, RecordKind::Mark,
                              static_cast<std::uint8_t>(k), 0});
  }
  void job_start(Time at, trace::LaneId lane, std::uint32_t job) {
    records_.push_back(Record{monotonic(at).ns(), 0, lane, job, trace::kNoStep, RecordKind::JobStart, 0, 0});
  }
  void job_end(Time at, trace::LaneId lane, std::uint32_t job) {
    records_.push_back(Record{monotonic(at).ns(), 0, lane, job, trace::kNoStep, RecordKind::JobEnd, 0, 0});
  }

  std::vector<Record>& records() { return records_; }

 private:
  std::vector<Record> records_;
  Time last_;
};

}  // namespace gilsim::real
