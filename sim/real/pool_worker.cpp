// A process-pool worker: its own RunContext and GIL on the parent's clock, jobs run as in
// a thread, records sent back through the result pipe. Also the spawn entry point.
#include "sim/real/pool_worker.hpp"

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>

#include <sys/prctl.h>
#include <unistd.h>

#include "sim/real/core_waits.hpp"
#include "sim/real/job_runner.hpp"
#include "sim/real/pool_protocol.hpp"

namespace gilsim::real::pool {

using trace::SpanState;

namespace {
int serve(int task_fd, int result_fd) {
  MessageHeader header;
  std::vector<char> payload;
  if (!receive(task_fd, header, payload) || header.type != MessageType::Config ||
      payload.size() != sizeof(WorkerConfig)) {
    return 3;
  }
  WorkerConfig config;
  std::memcpy(&config, payload.data(), sizeof(config));
  const RunContext::Clock::time_point origin{std::chrono::nanoseconds(config.origin_ns)};
  RunContext ctx(config.settings, origin);
  ctx.pin_current_thread();
  Recorder recorder;
  std::unique_ptr<RealGil> gil;
  if (config.gil_lane != trace::kNone) gil = std::make_unique<RealGil>(ctx, config.gil_lane);
  GilSeat seat(ctx, gil.get(), config.thread_lane, recorder);

  // Ready: the start-up (fork or exec, then this process's set-up) is over.
  const Time spawned{config.spawned_at_ns};
  recorder.state(spawned, config.thread_lane, SpanState::Starting);
  const Time ready = ctx.now();
  recorder.mark(spawned, trace::MarkKind::Spawn, config.parent_lane, config.thread_lane, (ready - spawned).ns());
  recorder.clear(ready, config.thread_lane);

  for (;;) {
    if (!receive(task_fd, header, payload)) return 4;  // the parent is gone
    if (header.type == MessageType::Stop) break;
    if (header.type != MessageType::Chunk) return 5;
    // Unpickle the arguments, run the jobs, pickle the results: all under this worker's GIL.
    seat.take(SpanState::Pickling);
    const std::vector<scenario::PlannedJob> jobs = decode_chunk(payload, header.count);
    for (const scenario::PlannedJob& job : jobs) run_job(ctx, seat, job);
    recorder.state(ctx.now(), config.thread_lane, SpanState::Pickling);
    const std::vector<char> results = encode_results(jobs);
    seat.drop(DropReason::Blocking, SpanState::BlockedIo);
    if (!send(result_fd, MessageType::Result, header.count, results)) return 6;
    recorder.clear(ctx.now(), config.thread_lane);  // idle until the next chunk
  }
  seat.flush();
  const std::vector<Record> records = recorder.take();
  // Its waits for a core since it was forked (a spawned worker's exec keeps the count).
  return send(result_fd, MessageType::Records, static_cast<std::uint32_t>(records.size()),
              encode_records(records, thread_run_delay()))
             ? 0
             : 6;
}
}  // namespace

int run_pool_worker(int task_fd, int result_fd) {
  try {
    return serve(task_fd, result_fd);
  } catch (const std::exception& e) {
    const std::string what = e.what();
    send(result_fd, MessageType::Failure, 0, std::vector<char>(what.begin(), what.end()));
    return 7;
  } catch (...) {
    return 7;
  }
}

namespace {
/// Before main(): a spawned worker (re-executed binary) does its work and exits here, so
/// any program that links the real executors can serve as its own worker image.
/// True when this process was started as a worker: argv[1] is kWorkerArgument. The
/// variable alone (left in a user's environment) must not turn a program into a worker.
bool started_as_worker() {
  FILE* file = std::fopen("/proc/self/cmdline", "rb");
  if (file == nullptr) return false;
  char text[256] = {};
  const std::size_t size = std::fread(text, 1, sizeof(text) - 1, file);
  std::fclose(file);
  const std::size_t first_end = std::strlen(text);  // argv[0], NUL-terminated
  return first_end + 1 < size && std::strcmp(text + first_end + 1, kWorkerArgument) == 0;
}

struct SpawnedWorkerEntry {
  SpawnedWorkerEntry() {
    const char* fds = std::getenv(kWorkerEnvironment);
    if (fds == nullptr) return;
    if (!started_as_worker()) {
      unsetenv(kWorkerEnvironment);  // nor pass it on to the programs this one starts
      return;
    }
    int task_fd = -1;
    int result_fd = -1;
    if (std::sscanf(fds, "%d,%d", &task_fd, &result_fd) != 2) _exit(2);
    unsetenv(kWorkerEnvironment);
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    _exit(run_pool_worker(task_fd, result_fd));
  }
};
const SpawnedWorkerEntry spawned_worker_entry;
}  // namespace

}  // namespace gilsim::real::pool
