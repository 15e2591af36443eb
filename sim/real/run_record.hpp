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

/// Blocks of records kept warm (their pages touched) between runs: a run that writes into
/// them takes no page fault per 4 KiB of records, which on a virtual machine costs tens of
/// microseconds each, more than the steps being recorded (lesson 15's 160,000 lock events).
/// Before a run's clock starts, warm_record_blocks() makes sure that `small` small blocks and
/// `big` big ones are ready (at most 256 and 32: 16 MiB and 64 MiB), and a vector with room
/// for `output` records (at most 2 Mi) to gather them in as the run ends.
void warm_record_blocks(std::size_t small, std::size_t big, std::size_t output);
/// That vector, empty, and moved out: a vector with no room when there is none.
std::vector<Record> take_warm_output();

/// A thread's own buffer of records. Only its thread writes to it while the run lasts. It
/// writes into blocks that it takes from the warm ones (a small block first, then big ones),
/// never moving what it wrote; take() hands the records over in one vector.
class Recorder {
 public:
  static constexpr std::size_t kSmallBlock = 2048;   ///< records: 64 KiB
  static constexpr std::size_t kBigBlock = 65536;    ///< records: 2 MiB, a huge page where the kernel gives one

  Recorder() = default;
  ~Recorder() { give_back(); }
  Recorder(const Recorder&) = delete;
  Recorder& operator=(const Recorder&) = delete;

  /// Times a thread records never go backwards: a time earlier than the last one is raised.
  Time monotonic(Time at) {
    if (at < last_) return last_;
    last_ = at;
    return at;
  }
  Time last() const { return last_; }

  void state(Time at, trace::LaneId lane, trace::SpanState s, std::uint32_t subject = trace::kNone,
             std::uint16_t step = trace::kNoStep) {
    push(Record{monotonic(at).ns(), 0, lane, subject, step, RecordKind::State, static_cast<std::uint8_t>(s), 0});
  }
  void clear(Time at, trace::LaneId lane) {
    push(Record{monotonic(at).ns(), 0, lane, trace::kNone, trace::kNoStep, RecordKind::Clear, 0, 0});
  }
  void mark(Time at, trace::MarkKind k, trace::LaneId lane, std::uint32_t other = trace::kNone,
            std::int64_t value = 0) {
    push(Record{monotonic(at).ns(), value, lane, other, trace::kNoStep, RecordKind::Mark,
                static_cast<std::uint8_t>(k), 0});
  }
  void job_start(Time at, trace::LaneId lane, std::uint32_t job) {
    push(Record{monotonic(at).ns(), 0, lane, job, trace::kNoStep, RecordKind::JobStart, 0, 0});
  }
  void job_end(Time at, trace::LaneId lane, std::uint32_t job) {
    push(Record{monotonic(at).ns(), 0, lane, job, trace::kNoStep, RecordKind::JobEnd, 0, 0});
  }

  std::size_t size() const { return full_ + used_; }
  /// Every record written, in order, in one vector; the recorder is empty afterwards.
  std::vector<Record> take();
  /// The same, appended to `to`.
  void append_to(std::vector<Record>& to);

 private:
  struct Block {
    Record* data;
    std::size_t capacity;
  };
  void push(const Record& r) {
    if (used_ == capacity_) next_block();
    current_[used_++] = r;
  }
  void next_block();
  void give_back();

  std::vector<Block> full_blocks_;
  std::size_t full_ = 0;  ///< records in full_blocks_
  Record* current_ = nullptr;
  std::size_t capacity_ = 0;
  std::size_t used_ = 0;
  Time last_;
};

}  // namespace gilsim::real
