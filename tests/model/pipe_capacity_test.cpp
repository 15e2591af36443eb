// A pipe holds costs.pipe_capacity bytes unread (docs/model.md P7b): a pool's writer whose
// message does not fit waits in its write, blocked without the GIL, until the reader's reads
// make room.
#include <doctest/doctest.h>

#include "tests/model/model_fixtures.hpp"

using namespace gilsim;
using namespace gilsim::test;
using trace::SpanState;

namespace {

/// Pool(workers).map(chunksize=1) on 8 cores, other costs zero but a message's 10 us of
/// pickling on each side (its pipe call takes no time), arguments of `arg_bytes` and results
/// of `result_bytes` (1 us of pickling per 1,000 bytes more), pipes of `capacity` bytes.
scenario::Scenario small_pipes_pool(int workers, int jobs, Time job, std::int64_t arg_bytes,
                                    std::int64_t result_bytes, std::int64_t capacity) {
  auto s = exact_scenario(8);
  s.costs.ipc_message = 20_us;
  s.costs.ipc_syscall = 0_ns;
  s.costs.ipc_bandwidth = 1e9;
  s.costs.pipe_capacity = capacity;
  add_jobs(s, "job", jobs, {cpu(job)});
  s.jobs[0].arg_bytes = arg_bytes;
  s.jobs[0].result_bytes = result_bytes;
  s.runs = {process_pool_run(workers)};
  return s;
}

/// small_pipes_pool's pool, with chunks of `chunksize` jobs and messages that weigh
/// `task_bytes` and `result_bytes` each besides their jobs' bytes.
scenario::Scenario weighed_messages_pool(int jobs, int chunksize, std::int64_t task_bytes, std::int64_t result_bytes) {
  auto s = small_pipes_pool(1, jobs, 100_us, 1'000, 500, 25'000);
  s.costs.ipc_task_bytes = task_bytes;
  s.costs.ipc_result_bytes = result_bytes;
  s.runs[0].chunksize = chunksize;
  return s;
}

}  // namespace

TEST_CASE("the task handler waits in its write while the task pipe is full") {
  // Hand timeline: Pool(1), four jobs of 100 us, tasks of 100 bytes (0.1 us more pickling),
  // no result bytes, a task pipe of 250 bytes: two tasks fit. The task handler pickles task 1
  // 0-10.1 us and writes it; the worker reads it at once (the pipe empty again), unpickles it
  // 10.1-20.2 and runs it 20.2-120.2. Task 2 is pickled 10.1-20.2 and written (100 bytes in
  // the pipe), task 3 20.2-30.3 (200 bytes); task 4, pickled 30.3-40.4, does not fit: the
  // task handler waits in its write, blocked, from 40.4. The worker pickles result 1
  // 120.2-130.2, writes it, and reads task 2 at 130.2: 100 bytes free, task 4 fits, and the
  // task handler writes it at 130.2 (its wake-up takes no time here). The worker, meanwhile,
  // holds its own GIL only while it runs Python: its waits for a task are not the parent's.
  auto s = small_pipes_pool(1, 4, 100_us, 100, 0, 250);
  const auto t = model::simulate(s, s.runs[0]);
  check_pieces(pieces(t, "task handler", 130'200_ns), {{SpanState::Pickling, 0_ns, 10'100_ns},
                                                       {SpanState::Pickling, 10'100_ns, 20'200_ns},
                                                       {SpanState::Pickling, 20'200_ns, 30'300_ns},
                                                       {SpanState::Pickling, 30'300_ns, 40'400_ns},
                                                       {SpanState::BlockedIo, 40'400_ns, 130'200_ns}});
  check_pieces(pieces(t, "worker 1", 130'200_ns), {{SpanState::Pickling, 10'100_ns, 20'200_ns},
                                                   {SpanState::Running, 20'200_ns, 120'200_ns},
                                                   {SpanState::Pickling, 120'200_ns, 130'200_ns}});
  // The same pool with room for every task: the task handler never waits.
  auto roomy = small_pipes_pool(1, 4, 100_us, 100, 0, 400);
  const auto r = model::simulate(roomy, roomy.runs[0]);
  CHECK(time_in(lane_named(r, "task handler"), SpanState::BlockedIo) == Time::zero());
  CHECK(time_in(lane_named(r, "task handler"), SpanState::Pickling) == 40'400_ns);
}

TEST_CASE("a worker waits in its write, without its GIL, while the result pipe is full") {
  // Hand timeline: Pool(2), four jobs of 10 us, no task bytes, results of 100,000 bytes (100 us
  // more pickling on each side), a result pipe of 150,000 bytes: one result fits. The task
  // handler pickles tasks 1-4 0-40 us; worker 1 takes task 1 at 10, unpickles it 10-20, runs
  // it 20-30, pickles its result 30-140 and writes it; the result handler reads it at 140
  // (the pipe empty again) and unpickles it 140-250. Worker 2 takes task 2 at 20: 20-30,
  // 30-40, pickles 40-150 and writes it (the pipe holds it alone); then task 4 (there since
  // 40): 150-160, 160-170, pickles 170-280. Worker 1 took task 3 at 140: 140-150, 150-160,
  // pickles 160-270 and writes it at 270: result 2 was read at 250, so it fits. At 280 result
  // 3 is in the pipe, unread (the result handler unpickles result 2 250-360): worker 2's
  // result 4 does not fit, and it waits in its write 280-360, until the result handler reads
  // result 3 at 360 (then unpickles it 360-470, reads result 4 at 470 and unpickles it
  // 470-580).
  auto s = small_pipes_pool(2, 4, 10_us, 0, 100'000, 150'000);
  const auto t = model::simulate(s, s.runs[0]);
  check_pieces(pieces(t, "worker 2", 360_us), {{SpanState::Pickling, 20_us, 30_us},
                                               {SpanState::Running, 30_us, 40_us},
                                               {SpanState::Pickling, 40_us, 150_us},
                                               {SpanState::Pickling, 150_us, 160_us},
                                               {SpanState::Running, 160_us, 170_us},
                                               {SpanState::Pickling, 170_us, 280_us},
                                               {SpanState::BlockedIo, 280_us, 360_us}});
  // Its own GIL is free while it waits: the write is a system call (G7).
  for (const auto& held : lane_named(t, "GIL (worker 2)").spans) {
    CHECK((held.end <= 280_us || held.begin >= 360_us));
  }
  CHECK(time_in(lane_named(t, "worker 1"), SpanState::BlockedIo) == Time::zero());
  // It waited for the parent's GIL while the task handler pickled the four tasks.
  check_pieces(pieces(t, "result handler"), {{SpanState::WaitingGil, 0_us, 40_us},
                                             {SpanState::Pickling, 140_us, 250_us},
                                             {SpanState::Pickling, 250_us, 360_us},
                                             {SpanState::Pickling, 360_us, 470_us},
                                             {SpanState::Pickling, 470_us, 580_us}});
}

TEST_CASE("a message bigger than the pipe waits for the pipe to be empty") {
  // Hand timeline: Pool(2), two jobs of 10 us, results of 100,000 bytes, a pipe of 50,000
  // bytes. Worker 1 writes result 1 at 140 into the empty pipe, over its capacity; the
  // result handler reads it at once and unpickles it 140-250. Worker 2 writes result 2 at
  // 150 into the pipe, empty again; it is read at 250 and unpickled 250-360. No writer waits.
  auto s = small_pipes_pool(2, 2, 10_us, 0, 100'000, 50'000);
  const auto t = model::simulate(s, s.runs[0]);
  CHECK(time_in(lane_named(t, "worker 1"), SpanState::BlockedIo) == Time::zero());
  CHECK(time_in(lane_named(t, "worker 2"), SpanState::BlockedIo) == Time::zero());
  check_pieces(pieces(t, "result handler"), {{SpanState::WaitingGil, 0_us, 20_us},
                                             {SpanState::Pickling, 140_us, 250_us},
                                             {SpanState::Pickling, 250_us, 360_us}});
  // Four jobs: the timeline of the pipe that holds one result (above). Result 3, written at
  // 270 into the empty pipe (result 2 was read at 250), is unread until 360: worker 2's
  // result 4, pickled 170-280, waits 280-360 for the pipe to be empty.
  auto four = small_pipes_pool(2, 4, 10_us, 0, 100'000, 50'000);
  const auto r = model::simulate(four, four.runs[0]);
  CHECK(time_in(lane_named(r, "worker 1"), SpanState::BlockedIo) == Time::zero());
  CHECK(time_in(lane_named(r, "worker 2"), SpanState::BlockedIo) == 80_us);
}

namespace {
// The task handler of weighed_messages_pool(8, 2, 10'000, 5'000), chunks of 2 of 12,000
// bytes in a 25,000-byte pipe: it pickles chunks 1-4 (22 us each) and waits in its write of
// chunk 4 from 88 us until the worker's read of chunk 2 at 260 us makes room.
void check_task_handler_waits_for_chunk_4(const trace::Trace& t) {
  check_pieces(pieces(t, "task handler", 260_us), {{SpanState::Pickling, 0_us, 22_us},
                                                  {SpanState::Pickling, 22_us, 44_us},
                                                  {SpanState::Pickling, 44_us, 66_us},
                                                  {SpanState::Pickling, 66_us, 88_us},
                                                  {SpanState::BlockedIo, 88_us, 260_us}});
}
}  // namespace

TEST_CASE("a chunk's message weighs ipc_task_bytes (or ipc_result_bytes) once and its jobs' bytes each") {
  // Hand timeline: Pool(1), eight jobs of 100 us in chunks of 2, arguments of 1,000 bytes and
  // results of 500, task messages of 10,000 bytes besides their jobs' and result messages of
  // 5,000, a task pipe of 25,000 bytes. A task message weighs 10,000 + 2 x 1,000 = 12,000
  // bytes (12 us more pickling on each side, 22 in all), a result message 5,000 + 2 x 500 =
  // 6,000 (16 us): two chunks fit in the pipe, not three. The task handler pickles chunk 1
  // 0-22 us and writes it; the worker reads it at once, unpickles it 22-44 and runs its jobs
  // 44-144 and 144-244. Chunk 2 is pickled 22-44 and written (12,000 bytes in the pipe),
  // chunk 3 44-66 (24,000); chunk 4, pickled 66-88, does not fit: the task handler waits in
  // its write from 88. The worker pickles result 1 244-260, writes it, and reads chunk 2 at
  // 260: chunk 4 fits, and the task handler writes it at 260.
  auto s = weighed_messages_pool(8, 2, 10'000, 5'000);
  const auto t = model::simulate(s, s.runs[0]);
  check_task_handler_waits_for_chunk_4(t);
  check_pieces(pieces(t, "worker 1", 260_us), {{SpanState::Pickling, 22_us, 44_us},
                                               {SpanState::Running, 44_us, 144_us},
                                               {SpanState::Running, 144_us, 244_us},
                                               {SpanState::Pickling, 244_us, 260_us}});
  // Four chunks each way: the worker unpickles four tasks (22 us) and pickles four results
  // (16 us); the result handler unpickles the four results.
  CHECK(time_in(lane_named(t, "worker 1"), SpanState::Pickling) == 152_us);
  CHECK(time_in(lane_named(t, "result handler"), SpanState::Pickling) == 64_us);
  // Chunks of 4: two messages of 14,000 bytes (24 us) and of 7,000 (17 us). A message's own
  // bytes are paid once a chunk, not once a job.
  auto fours = weighed_messages_pool(8, 4, 10'000, 5'000);
  const auto f = model::simulate(fours, fours.runs[0]);
  CHECK(time_in(lane_named(f, "worker 1"), SpanState::Pickling) == 82_us);
  CHECK(time_in(lane_named(f, "task handler"), SpanState::Pickling) == 48_us);
  CHECK(time_in(lane_named(f, "task handler"), SpanState::BlockedIo) == Time::zero());
  // Messages that weigh nothing of their own (the rule before): tasks of 2,000 bytes (12 us of
  // pickling), all four fit in the pipe and the task handler never waits.
  auto light = weighed_messages_pool(8, 2, 0, 0);
  const auto l = model::simulate(light, light.runs[0]);
  CHECK(time_in(lane_named(l, "task handler"), SpanState::BlockedIo) == Time::zero());
  CHECK(time_in(lane_named(l, "task handler"), SpanState::Pickling) == 48_us);
}

namespace {

/// small_pipes_pool's Pool(1) of four jobs of 100 us, arguments of 1,000 bytes and results
/// of 500, a task pipe of 25,000 bytes, its tasks sent by `method` with its default
/// chunksize (1 for imap, imap_unordered and apply_async, set to 1 for map). Each API weighs
/// its messages its own way: 10,000 and 5,000 bytes for map's chunks, 4,000 and 2,000 for
/// one call's tasks and results.
scenario::Scenario api_pool(scenario::PoolMethod method) {
  auto s = small_pipes_pool(1, 4, 100_us, 1'000, 500, 25'000);
  s.costs.ipc_task_bytes = 10'000;
  s.costs.ipc_result_bytes = 5'000;
  s.costs.ipc_apply_task_bytes = 4'000;
  s.costs.ipc_apply_result_bytes = 2'000;
  s.runs[0].method = method;
  if (method != scenario::PoolMethod::Map) s.runs[0].chunksize.reset();
  return s;
}

/// The lengths of `lane`'s pieces, in order.
std::vector<Time> lengths(const std::vector<Piece>& pieces) {
  std::vector<Time> out;
  for (const Piece& p : pieces) out.push_back(p.end - p.begin);
  return out;
}

}  // namespace

TEST_CASE("Pool.map's task pipe fills with its chunks' weight, where apply_async's and imap's have room") {
  // Hand timeline, Pool.map (chunksize 1): a task weighs 10,000 + 1,000 = 11,000 bytes (10 +
  // 11 = 21 us of pickling on each side), a result 5,000 + 500 = 5,500 (15.5 us). The task
  // handler pickles task 1 0-21 us and writes it; the worker reads it at once, unpickles it
  // 21-42, runs it 42-142 and pickles its result 142-157.5. Tasks 2 and 3 are pickled 21-42
  // and 42-63 and written (22,000 bytes in the pipe); task 4, pickled 63-84, does not fit:
  // the task handler waits in its write 84-157.5, until the worker reads task 2.
  auto map = api_pool(scenario::PoolMethod::Map);
  const auto m = model::simulate(map, map.runs[0]);
  check_pieces(pieces(m, "task handler", 157'500_ns), {{SpanState::Pickling, 0_us, 21_us},
                                                      {SpanState::Pickling, 21_us, 42_us},
                                                      {SpanState::Pickling, 42_us, 63_us},
                                                      {SpanState::Pickling, 63_us, 84_us},
                                                      {SpanState::BlockedIo, 84_us, 157'500_ns}});
  check_pieces(pieces(m, "worker 1", 157'500_ns), {{SpanState::Pickling, 21_us, 42_us},
                                                  {SpanState::Running, 42_us, 142_us},
                                                  {SpanState::Pickling, 142_us, 157'500_ns}});
  // apply_async, imap and imap_unordered (chunksize 1) call the function on one job: a task
  // weighs 4,000 + 1,000 = 5,000 bytes (15 us on each side), a result 2,000 + 500 = 2,500
  // (12.5 us). The task handler pickles the four tasks 0-15, 15-30, 30-45 and 45-60 and
  // writes each (15,000 bytes at most in the pipe): it never waits. The worker reads task 1
  // at 15, unpickles it 15-30, runs it 30-130, pickles its result 130-142.5, reads task 2 at
  // once and unpickles it 142.5-157.5, runs it 157.5-257.5 and pickles its result
  // 257.5-270; the result handler unpickles result 1 142.5-155.
  for (const auto method : {scenario::PoolMethod::ApplyAsync, scenario::PoolMethod::Imap,
                            scenario::PoolMethod::ImapUnordered}) {
    CAPTURE(scenario::to_string(method));
    auto s = api_pool(method);
    const auto t = model::simulate(s, s.runs[0]);
    check_pieces(pieces(t, "task handler"), {{SpanState::Pickling, 0_us, 15_us},
                                             {SpanState::Pickling, 15_us, 30_us},
                                             {SpanState::Pickling, 30_us, 45_us},
                                             {SpanState::Pickling, 45_us, 60_us}});
    check_pieces(pieces(t, "worker 1", 270_us), {{SpanState::Pickling, 15_us, 30_us},
                                                 {SpanState::Running, 30_us, 130_us},
                                                 {SpanState::Pickling, 130_us, 142'500_ns},
                                                 {SpanState::Pickling, 142'500_ns, 157'500_ns},
                                                 {SpanState::Running, 157'500_ns, 257'500_ns},
                                                 {SpanState::Pickling, 257'500_ns, 270_us}});
    CHECK(pieces(t, "result handler", 155_us).back().begin == 142'500_ns);
    CHECK(time_in(lane_named(t, "result handler"), SpanState::Pickling) == 50_us);
  }
}

TEST_CASE("imap's and imap_unordered's chunks above 1 weigh Pool.map's: they go to mapstar") {
  // The hand timeline of "a chunk's message weighs ipc_task_bytes ... once" (above): chunks
  // of 2 of 12,000 bytes, the task handler waiting in its write 88-260 us, whatever one
  // call's tasks would weigh.
  for (const auto method : {scenario::PoolMethod::Imap, scenario::PoolMethod::ImapUnordered}) {
    CAPTURE(scenario::to_string(method));
    auto s = weighed_messages_pool(8, 2, 10'000, 5'000);
    s.costs.ipc_apply_task_bytes = 0;
    s.costs.ipc_apply_result_bytes = 0;
    s.runs[0].method = method;
    const auto t = model::simulate(s, s.runs[0]);
    check_pieces(pieces(t, "task handler", 260_us), {{SpanState::Pickling, 0_us, 22_us},
                                                    {SpanState::Pickling, 22_us, 44_us},
                                                    {SpanState::Pickling, 44_us, 66_us},
                                                    {SpanState::Pickling, 66_us, 88_us},
                                                    {SpanState::BlockedIo, 88_us, 260_us}});
    CHECK(time_in(lane_named(t, "worker 1"), SpanState::Pickling) == 152_us);
    CHECK(time_in(lane_named(t, "result handler"), SpanState::Pickling) == 64_us);
  }
}

TEST_CASE("ProcessPoolExecutor's calls weigh ipc_executor_call_bytes and each job's arguments in a tuple") {
  // Hand figures: ProcessPoolExecutor(1).map (chunksize 1) of two jobs of 100 us, arguments
  // of 1,000 bytes and results of 500, calls of 3,000 bytes besides their jobs' and results
  // of 1,000 (Pool's 10,000 and 5,000 not used). A call weighs 3,000 + 1,000 + 2 (the job's
  // arguments' tuple) = 4,002 bytes: 10 + 4.002 us of unpickling; a result 1,000 + 500 =
  // 1,500: 11.5 us of pickling. The worker unpickles call 1, runs its job, pickles its result;
  // the same for call 2.
  auto s = small_pipes_pool(1, 2, 100_us, 1'000, 500, 25'000);
  s.costs.ipc_task_bytes = 10'000;
  s.costs.ipc_result_bytes = 5'000;
  s.costs.ipc_executor_call_bytes = 3'000;
  s.costs.ipc_executor_result_bytes = 1'000;
  s.runs[0].executor = scenario::Executor::ProcessPoolExecutor;
  s.runs[0].chunksize.reset();
  const auto t = model::simulate(s, s.runs[0]);
  const std::vector<Time> one_by_one{14'002_ns, 100_us, 11'500_ns, 14'002_ns, 100_us, 11'500_ns};
  CHECK(lengths(pieces(t, "worker 1")) == one_by_one);
  // The manager pickles both calls and unpickles both results, and pickles shutdown's None
  // for the worker, a signal: 10 us, no bytes.
  CHECK(time_in(lane_named(t, "executor manager"), SpanState::Pickling) == 2 * (14'002_ns + 11'500_ns) + 10_us);
  // Chunks of 2: one call of 3,000 + 2 x 1,002 = 5,004 bytes (15.004 us), one result of
  // 1,000 + 2 x 500 = 2,000 (12 us).
  s.runs[0].chunksize = 2;
  const auto c = model::simulate(s, s.runs[0]);
  const std::vector<Time> chunked{15'004_ns, 100_us, 100_us, 12_us};
  CHECK(lengths(pieces(c, "worker 1")) == chunked);
}
