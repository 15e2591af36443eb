// Messages between a process pool's parent and its workers, over two pipes per worker.
// Every message is a header and `bytes` of payload; arguments and results carry filler
// bytes so that what crosses the pipe has the scenario's arg_bytes and result_bytes.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <type_traits>
#include <vector>

#include "sim/scenario/job_plan.hpp"
#include "sim/real/run_context.hpp"
#include "sim/real/run_record.hpp"
#include "sim/trace/trace.hpp"

namespace gilsim::real::pool {

enum class MessageType : std::uint32_t { Config = 1, Chunk, Stop, Result, Records, Failure };

struct MessageHeader {
  MessageType type = MessageType::Stop;
  std::uint32_t count = 0;  ///< jobs in a chunk or result, records in Records
  std::uint64_t bytes = 0;  ///< payload after the header
};

/// The first message a worker reads: everything it needs, so a spawned worker (a fresh
/// program image) needs nothing from the parent's memory.
struct WorkerConfig {
  std::int64_t origin_ns = 0;  ///< the run's start on the steady clock
  std::int64_t spawned_at_ns = 0;
  RunSettings settings;
  trace::LaneId parent_lane = trace::kNone;
  trace::LaneId gil_lane = trace::kNone;  ///< kNone without a GIL
  trace::LaneId thread_lane = trace::kNone;
  std::uint32_t worker_index = 0;
};
static_assert(std::is_trivially_copyable_v<WorkerConfig>);

/// One job as a chunk message carries it, followed by its steps and arg_bytes of filler.
struct JobHeader {
  std::uint32_t index = 0;
  std::uint32_t step_count = 0;
  std::int64_t arg_bytes = 0;
  std::int64_t result_bytes = 0;
};
static_assert(std::is_trivially_copyable_v<scenario::PlannedStep>);

/// Writes all of `data`; false when the other end is gone.
bool write_all(int fd, const void* data, std::size_t size);
/// Reads exactly `size` bytes; false on end of file or error.
bool read_all(int fd, void* data, std::size_t size);

bool send(int fd, MessageType type, std::uint32_t count, const std::vector<char>& payload);
/// Reads a header and its payload; false when the pipe closed first.
bool receive(int fd, MessageHeader& header, std::vector<char>& payload);

/// A chunk message's payload: every job's header, steps and argument filler.
std::vector<char> encode_chunk(const std::vector<const scenario::PlannedJob*>& jobs);
/// Reads a chunk back, touching every byte as unpickling would.
std::vector<scenario::PlannedJob> decode_chunk(const std::vector<char>& payload, std::uint32_t count);
/// A Records message's payload: a worker's records, then its waits for a core (core_waits.hpp;
/// -1 where the kernel keeps no count).
std::vector<char> encode_records(const std::vector<Record>& records, std::optional<Time> waited_for_core);
/// Reads a Records message of `count` records back; false when its size is not theirs.
bool decode_records(const std::vector<char>& payload, std::uint32_t count, std::vector<Record>& append_to,
                    std::optional<Time>& waited_for_core);

/// A result message's payload: result_bytes of filler per job.
std::vector<char> encode_results(const std::vector<scenario::PlannedJob>& jobs);

}  // namespace gilsim::real::pool
