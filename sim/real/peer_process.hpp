// The process at the other end of a job's socket (docs/model.md S9), for real: one per job
// with an io step that has an `answer`, forked before the run's threads start, pinned to
// the job's `peer_cpus`, single-threaded. Blocked in read() on a socketpair, it answers
// each request by running the busy loop for `answer`, then replies; the job's thread waits
// for the reply without the GIL.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <sched.h>
#include <sys/types.h>

#include "sim/real/cpu_check.hpp"
#include "sim/real/run_context.hpp"
#include "sim/real/run_record.hpp"
#include "sim/real/worker_set.hpp"
#include "sim/scenario/job_plan.hpp"
#include "sim/trace/trace_builder.hpp"

namespace gilsim::real {

/// Every peer of a run. Whatever happens (an abort, an exception, the end), each is killed
/// if still alive and reaped, and every socket is closed: no zombie, no leaked descriptor.
class PeerSet {
 public:
  /// Forks a peer for each of `jobs` with an answer step. Call it before any thread of the
  /// run starts, as CPython's program forks its echo before its threads.
  PeerSet(RunContext& ctx, const std::vector<scenario::PlannedJob>& jobs);
  ~PeerSet();
  PeerSet(const PeerSet&) = delete;
  PeerSet& operator=(const PeerSet&) = delete;

  /// The peer's process and lane in the trace, named as the model names them; call it as
  /// `job`'s thread is added (nothing when the job has no peer).
  void add_lanes(trace::TraceBuilder& builder, const scenario::PlannedJob& job);

  /// One io step with an answer, on `job`'s thread without the GIL: sends the request, waits
  /// for the reply (the peer's `answer` of CPU), then waits until `io` has passed since the
  /// peer replied: the reply's own delivery counts towards `io`. Throws RunAborted on abort.
  void ask(const scenario::PlannedJob& job, Time answer, Time io);

  /// After every job's thread has ended: closes each socket, takes each peer's records (its
  /// answers) into `records` and its lane's pin into `pins`, reaps it. Throws RealRunError
  /// when a peer failed. After a planned stop (a deadlock) the peers are already killed:
  /// their answers are left out.
  void finish(std::vector<Record>& records, LanePins& pins);

  std::size_t size() const { return peers_.size(); }

 private:
  struct Peer {
    std::uint32_t job = 0;
    std::string job_name;
    std::vector<int> cpus;          ///< the scenario's peer_cpus, for messages
    std::size_t answers = 0;        ///< its job's steps with an answer
    pid_t pid = -1;
    int socket = -1;                ///< the job's end
    trace::LaneId lane = trace::kNone;
    bool reaped = false;
  };
  Peer* peer_of(std::uint32_t job);
  void start(const scenario::PlannedJob& job, std::size_t answers);
  /// Kills (if alive) and reaps every peer, closes every socket.
  void shut_down();
  int reap(Peer& p);

  RunContext& ctx_;
  std::shared_ptr<ChildRegistry> registry_;
  AbortHook kill_on_abort_;
  std::vector<Peer> peers_;
  std::vector<int> index_;  ///< per job index, its peer's position in peers_, or -1
};

}  // namespace gilsim::real
