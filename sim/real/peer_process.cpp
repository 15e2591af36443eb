// Peer processes for real: forked, pinned, answering over a socketpair; see peer_process.hpp.
#include "sim/real/peer_process.hpp"

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <stdexcept>

#include <fmt/format.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sim/real/busy_loop.hpp"
#include "sim/real/core_waits.hpp"
#include "sim/real/execute.hpp"
#include "sim/real/pool_protocol.hpp"

namespace gilsim::real {

namespace {

using pool::read_all;  // exactly `size` bytes; false at the end of the stream or on an error

constexpr int kCannotPin = 3;   ///< a peer's exit status: sched_setaffinity refused its CPUs
constexpr int kJobGone = 4;     ///< a peer's exit status: its socket failed
constexpr Time kRecordsWithin{10'000'000'000};  ///< a peer hands over its records at once

/// Sends all of `data`; false when the other end is gone. A socket's send, which raises no
/// SIGPIPE, where the pool's pipes write (pool::write_all).
bool send_all(int fd, const void* data, std::size_t n) {
  const char* p = static_cast<const char*>(data);
  while (n > 0) {
    const ssize_t k = send(fd, p, n, MSG_NOSIGNAL);
    if (k < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    p += k;
    n -= static_cast<std::size_t>(k);
  }
  return true;
}

std::size_t answers_of(const scenario::PlannedJob& job) {
  return static_cast<std::size_t>(std::count_if(job.steps.begin(), job.steps.end(),
                                                [](const scenario::PlannedStep& s) { return s.answer > Time::zero(); }));
}

/// The peer, in the forked child of a threaded parent: only system calls and the busy loop,
/// records written into `records`, reserved before the fork (no allocation).
/// Each request is the busy loop's iterations; each reply the run-clock time it was sent.
[[noreturn]] void serve(int fd, pid_t parent, const cpu_set_t* mask, std::vector<Record>& records,
                        RunContext::Clock::time_point origin) {
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (getppid() != parent) _exit(1);
  if (fd > 3) close_range(3, static_cast<unsigned>(fd - 1), 0);  // other peers' sockets: their EOF is not ours to hold
  close_range(static_cast<unsigned>(fd + 1), ~0U, 0);
  if (mask != nullptr && sched_setaffinity(0, sizeof(*mask), mask) != 0) _exit(kCannotPin);
  const auto now = [origin] {
    return Time{std::chrono::duration_cast<std::chrono::nanoseconds>(RunContext::Clock::now() - origin).count()};
  };
  const auto record = [&records](std::int64_t at, RecordKind kind, trace::SpanState s) {
    records.push_back(Record{at, 0, trace::kNone, trace::kNone, trace::kNoStep, kind, static_cast<std::uint8_t>(s), 0});
  };
  for (;;) {
    std::uint64_t iterations = 0;
    if (!read_all(fd, &iterations, sizeof(iterations))) break;  // the job's side closed: the run is over
    const bool room = records.size() + 2 <= records.capacity();
    if (room) record(now().ns(), RecordKind::State, trace::SpanState::Native);
    spin(iterations);
    const std::int64_t sent = now().ns();
    if (room) record(sent, RecordKind::Clear, trace::SpanState::Native);
    if (!send_all(fd, &sent, sizeof(sent))) _exit(kJobGone);
  }
  const std::uint64_t count = records.size();
  const std::optional<Time> waited = thread_run_delay();  // since the fork; -1: not counted
  const std::int64_t waited_ns = waited ? waited->ns() : -1;
  if (!send_all(fd, &count, sizeof(count)) || !send_all(fd, records.data(), count * sizeof(Record)) ||
      !send_all(fd, &waited_ns, sizeof(waited_ns))) {
    _exit(kJobGone);
  }
  _exit(0);
}

}  // namespace

PeerSet::PeerSet(RunContext& ctx, const std::vector<scenario::PlannedJob>& jobs)
    : ctx_(ctx),
      registry_(std::make_shared<ChildRegistry>()),
      kill_on_abort_(ctx, [registry = registry_] { registry->kill_all(); }) {
  std::size_t with_peer = 0;
  for (const auto& job : jobs) with_peer += answers_of(job) > 0 ? 1 : 0;
  peers_.reserve(with_peer);
  try {
    for (const auto& job : jobs) {
      const std::size_t answers = answers_of(job);
      if (answers == 0) continue;
      if (index_.size() <= job.index) index_.resize(job.index + 1, -1);
      index_[job.index] = static_cast<int>(peers_.size());
      start(job, answers);
    }
  } catch (...) {
    shut_down();
    throw;
  }
}

PeerSet::~PeerSet() { shut_down(); }

void PeerSet::start(const scenario::PlannedJob& job, std::size_t answers) {
  Peer& p = peers_.emplace_back();
  p.job = job.index;
  p.job_name = job.name;
  p.cpus = job.peer_cpus;
  p.answers = answers;
  int fds[2];
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) != 0) {
    throw std::runtime_error(fmt::format("socketpair: {}", std::strerror(errno)));
  }
  p.socket = fds[0];
  std::vector<Record> records;  // the child fills its copy of this buffer, with no allocation
  records.reserve(2 * answers + 2);
  const cpu_set_t mask = ctx_.cpu_mask(job.peer_cpus);
  const cpu_set_t* pin = job.peer_cpus.empty() || CPU_COUNT(&mask) == 0 ? nullptr : &mask;
  const pid_t parent = getpid();
  const pid_t pid = fork();
  if (pid < 0) {
    const int error = errno;
    close(fds[1]);
    throw std::runtime_error(fmt::format("fork: {}", std::strerror(error)));
  }
  if (pid == 0) serve(fds[1], parent, pin, records, ctx_.origin());
  close(fds[1]);
  p.pid = pid;
  registry_->add(pid);
}

void PeerSet::add_lanes(trace::TraceBuilder& builder, const scenario::PlannedJob& job) {
  Peer* p = peer_of(job.index);
  if (p == nullptr) return;
  // As the model draws it: a process of its own with no GIL lane (its GIL is never contended).
  const trace::ProcessId process = builder.add_process(fmt::format("{}{}", trace::kPeerOf, job.name), false);
  p->lane = builder.add_lane("peer", trace::LaneKind::Thread, process);
}

PeerSet::Peer* PeerSet::peer_of(std::uint32_t job) {
  if (job >= index_.size() || index_[job] < 0) return nullptr;
  return &peers_[static_cast<std::size_t>(index_[job])];
}

void PeerSet::ask(const scenario::PlannedJob& job, Time answer, Time io) {
  Peer* p = peer_of(job.index);
  if (p == nullptr) throw std::logic_error(fmt::format("job '{}' has no peer process", job.name));
  const std::uint64_t iterations = iterations_for(answer, ctx_.settings().iterations_per_ns);
  if (!send_all(p->socket, &iterations, sizeof(iterations))) {
    ctx_.throw_if_aborted();
    throw std::runtime_error(fmt::format("the peer process of job '{}' is gone: {}", p->job_name, std::strerror(errno)));
  }
  ctx_.wait_readable(p->socket, Time{-1});
  std::int64_t sent = 0;
  if (!read_all(p->socket, &sent, sizeof(sent))) {
    ctx_.throw_if_aborted();
    throw std::runtime_error(fmt::format("the peer process of job '{}' ended before it answered", p->job_name));
  }
  const Time left = Time{sent} + io - ctx_.now();
  if (left > Time::zero()) ctx_.block_for(left);
}

int PeerSet::reap(Peer& p) {
  int status = 0;
  while (waitpid(p.pid, &status, 0) < 0 && errno == EINTR) {
  }
  p.reaped = true;
  registry_->reaped(p.pid);
  return status;
}

void PeerSet::finish(std::vector<Record>& records, LanePins& pins) {
  if (ctx_.stopped()) return;  // the abort hook killed them; the destructor reaps them
  for (Peer& p : peers_) {
    shutdown(p.socket, SHUT_WR);  // the peer's read() ends: it sends its records and exits
    std::uint64_t count = 0;
    std::vector<Record> got;
    bool received = ctx_.wait_readable(p.socket, kRecordsWithin) && read_all(p.socket, &count, sizeof(count)) &&
                    count <= 2 * p.answers + 2;
    std::int64_t waited_ns = -1;
    if (received) {
      got.resize(count);
      received = read_all(p.socket, got.data(), count * sizeof(Record)) &&
                 read_all(p.socket, &waited_ns, sizeof(waited_ns));
    }
    close(p.socket);
    p.socket = -1;
    if (!received) kill_now(p.pid);
    const int status = reap(p);
    if (WIFEXITED(status) && WEXITSTATUS(status) == kCannotPin) {
      throw RealRunError(RealRunError::Reason::WorkerFailed,
                         fmt::format("the peer process of job '{}' could not be pinned to CPU {} of this machine (its "
                                     "peer_cpus [{}])", p.job_name, fmt::join(ctx_.machine_cpus(p.cpus), ", "),
                                     fmt::join(p.cpus, ", ")));
    }
    if (!received || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
      throw RealRunError(RealRunError::Reason::WorkerFailed,
                         fmt::format("the peer process of job '{}' {}", p.job_name,
                                     received ? describe_exit(status) : "did not hand over its records"));
    }
    ctx_.count_waits_for_core(waited_ns >= 0 ? std::optional<Time>(Time{waited_ns}) : std::nullopt);
    for (Record& r : got) r.lane = p.lane;
    records.insert(records.end(), got.begin(), got.end());
    if (!p.cpus.empty()) pins.emplace_back(p.lane, p.cpus);
  }
}

void PeerSet::shut_down() {
  for (Peer& p : peers_) {
    if (p.socket >= 0) close(p.socket);
    p.socket = -1;
    if (p.pid > 0 && !p.reaped) {
      kill_now(p.pid);
      reap(p);
    }
  }
}

}  // namespace gilsim::real
