// The process at the other end of a job's socket (docs/model.md S9): a single-threaded
// process of its own, blocked in recv() until the job's thread sends, which then needs a
// core for the step's `answer` before the job's thread can read the reply.
#include <fmt/format.h>

#include "sim/model/workload.hpp"

namespace gilsim::model {

namespace {

Program peer_process(Engine& e, ThreadId self, ThreadId client, const PlannedJob& job) {
  for (const scenario::PlannedStep& step : job.steps) {
    if (step.answer <= Time::zero()) continue;
    co_await e.wait_for_notify(self, std::nullopt);  // blocked in recv()
    co_await e.compute(self, step.answer, Work::native());  // not Python: no GIL
    e.notify(client);
  }
  e.exit(self);
}

}  // namespace

ThreadId start_peer(Engine& e, ThreadId client, const PlannedJob& job) {
  if (!job.answered) return trace::kNone;  // plan_jobs() looked over the steps once
  const ThreadId peer = e.add_thread("peer", e.add_process(std::string(trace::kPeerOf) + job.name, ProcessCode::Other));
  e.pin(peer, job.peer_cpus);
  e.start(peer, peer_process(e, peer, client, job));
  return peer;
}

}  // namespace gilsim::model
