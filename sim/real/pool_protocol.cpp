// Pipe I/O for the process pool, with filler bytes standing for pickled data.
#include "sim/real/pool_protocol.hpp"

#include <cerrno>
#include <cstring>
#include <stdexcept>

#include <unistd.h>

namespace gilsim::real::pool {

bool write_all(int fd, const void* data, std::size_t size) {
  const char* p = static_cast<const char*>(data);
  while (size > 0) {
    const ssize_t n = write(fd, p, size);
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    p += n;
    size -= static_cast<std::size_t>(n);
  }
  return true;
}

bool read_all(int fd, void* data, std::size_t size) {
  char* p = static_cast<char*>(data);
  while (size > 0) {
    const ssize_t n = read(fd, p, size);
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    if (n == 0) return false;
    p += n;
    size -= static_cast<std::size_t>(n);
  }
  return true;
}

bool send(int fd, MessageType type, std::uint32_t count, const std::vector<char>& payload) {
  const MessageHeader header{type, count, payload.size()};
  return write_all(fd, &header, sizeof(header)) && write_all(fd, payload.data(), payload.size());
}

bool receive(int fd, MessageHeader& header, std::vector<char>& payload) {
  if (!read_all(fd, &header, sizeof(header))) return false;
  if (header.bytes > (1ULL << 33)) return false;  // a corrupt header, not a message
  payload.resize(header.bytes);
  return read_all(fd, payload.data(), payload.size());
}

namespace {
template <typename T>
void put(std::vector<char>& out, const T& value) {
  const char* p = reinterpret_cast<const char*>(&value);
  out.insert(out.end(), p, p + sizeof(T));
}

template <typename T>
T take(const std::vector<char>& in, std::size_t& at) {
  if (at + sizeof(T) > in.size()) throw std::runtime_error("a chunk message ended early");
  T value;
  std::memcpy(&value, in.data() + at, sizeof(T));
  at += sizeof(T);
  return value;
}
}  // namespace

std::vector<char> encode_chunk(const std::vector<const scenario::PlannedJob*>& jobs) {
  std::vector<char> out;
  for (const scenario::PlannedJob* job : jobs) {
    put(out, JobHeader{job->index, static_cast<std::uint32_t>(job->steps.size()), job->arg_bytes,
                       job->result_bytes});
    for (const scenario::PlannedStep& step : job->steps) put(out, step);
    out.resize(out.size() + static_cast<std::size_t>(std::max<std::int64_t>(0, job->arg_bytes)),
               static_cast<char>(job->index & 0x7f));
  }
  return out;
}

std::vector<scenario::PlannedJob> decode_chunk(const std::vector<char>& payload, std::uint32_t count) {
  std::vector<scenario::PlannedJob> jobs;
  std::size_t at = 0;
  volatile unsigned checksum = 0;
  for (std::uint32_t i = 0; i < count; ++i) {
    const auto header = take<JobHeader>(payload, at);
    scenario::PlannedJob job;
    job.index = header.index;
    job.arg_bytes = header.arg_bytes;
    job.result_bytes = header.result_bytes;
    for (std::uint32_t s = 0; s < header.step_count; ++s) job.steps.push_back(take<scenario::PlannedStep>(payload, at));
    const auto filler = static_cast<std::size_t>(std::max<std::int64_t>(0, header.arg_bytes));
    if (at + filler > payload.size()) throw std::runtime_error("a chunk message ended early");
    unsigned sum = 0;
    for (std::size_t b = 0; b < filler; ++b) sum += static_cast<unsigned char>(payload[at + b]);
    checksum = checksum + sum;
    at += filler;
    jobs.push_back(std::move(job));
  }
  return jobs;
}

std::vector<char> encode_results(const std::vector<scenario::PlannedJob>& jobs) {
  std::vector<char> out;
  for (const scenario::PlannedJob& job : jobs) {
    put(out, job.index);
    out.resize(out.size() + static_cast<std::size_t>(std::max<std::int64_t>(0, job.result_bytes)), 'r');
  }
  return out;
}

std::vector<char> encode_records(const std::vector<Record>& records, std::optional<Time> waited_for_core) {
  const std::size_t size = records.size() * sizeof(Record);
  std::vector<char> bytes(size + sizeof(std::int64_t));
  if (size > 0) std::memcpy(bytes.data(), records.data(), size);
  const std::int64_t waited = waited_for_core ? waited_for_core->ns() : -1;
  std::memcpy(bytes.data() + size, &waited, sizeof(waited));
  return bytes;
}

bool decode_records(const std::vector<char>& payload, std::uint32_t count, std::vector<Record>& append_to,
                    std::optional<Time>& waited_for_core) {
  const std::size_t size = static_cast<std::size_t>(count) * sizeof(Record);
  if (payload.size() != size + sizeof(std::int64_t)) return false;
  const std::size_t old_size = append_to.size();
  append_to.resize(old_size + count);
  if (count > 0) std::memcpy(append_to.data() + old_size, payload.data(), size);
  std::int64_t waited = -1;
  std::memcpy(&waited, payload.data() + size, sizeof(waited));
  waited_for_core = waited >= 0 ? std::optional<Time>(Time{waited}) : std::nullopt;
  return true;
}

}  // namespace gilsim::real::pool
