// The simulated machine: cores with an OS run queue, one GIL per interpreter, and threads
// whose programs are coroutines. Programs ask for operations (compute, wait, take or drop
// the GIL); the engine decides when each completes and records every change in the trace.
//
// How the engine is put together (the rules themselves are in docs/model.md):
//
//   Engine (this file)       owns the clock, the records below and the rules that join them.
//     engine.cpp             the event loop, program operations (compute, wait, notify, exit)
//     os_scheduler.cpp       cores and the OS run queue (S1-S5)
//     placement.cpp          per-CPU run queues: placement and load balancing (S1a-S1d)
//     gil_rules.cpp          the GIL: new GIL G1-G8, old GIL O1-O3, none (F1); wake-ups
//                            of blocked waiters (G8)
//   TimerHeap (timer_heap.hpp)         the clock: one timer slot per owner, moved or removed
//                                      in place; ties by (time, seq)
//   ThreadState (thread_state.hpp)     a thread's state machines: Activity, CoreState,
//                                      GilState, AfterGil, ComputeProgress, Notify
//   RunQueue, choose_idle_core, IdleCores (run_queue.hpp)  the OS run queue and wake-up
//                                      placement, from a mask of the idle cores
//   Engine::Thread/Core (engine_state.hpp)      plain records in flat vectors, by index
//   Gil (gil.hpp)                      one interpreter's GIL: lock, holder, drop request,
//                                      signal, switch waiters
//   GilWaitQueue (gil_wait_queue.hpp)  the new GIL's timed waiters and their drop deadline
//   GilMutex (gil_mutex.hpp)           the GIL's own mutex and the waiters asleep on it (G8b)
//   Program (program.hpp)              the coroutine type executors write programs in
//   IntMemo (int_memo.hpp)             results of a pure law kept by key (G8's halted wake-up)
//
// Timers: each thread owns two slots (its program timer: Resume, GilAttempt,
// OldGilHandoff or SwitchWake; and ComputeDone), each core one (QuantumEnd), each GIL one (DropDeadline).
// Setting a slot that is pending moves it (with a fresh sequence number, so it ties as if
// new); cancelling removes it. A running compute's ComputeDone is parked beside the heap
// (TimerHeap::park): a drop request usually cuts the compute first, and pause() cancels it
// there. dispatch() maps a fired slot to its owner's handler.
//
// To add a rule: find the handler that owns the moment it changes (a timer's handler in
// dispatch(), or an operation), write the expected timeline as a test first
// (tests/model/), and keep the RNG draws in the same order for the existing rules.
// To add a timer: give its owner a slot with add_timer() and an EventKind, and handle the
// kind in dispatch(). To add a resource (a lock, a pool): a small class with its own queue
// and unit tests, as Gil is; the engine holds one per instance and calls it from an
// operation, as acquire_gil()/release_gil() call the Gil's.
#pragma once

#include <cassert>
#include <coroutine>
#include <cstdint>
#include <memory>
#include <numeric>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "sim/model/gil.hpp"
#include "sim/model/int_memo.hpp"
#include "sim/model/program.hpp"
#include "sim/model/random.hpp"
#include "sim/scenario/effective_settings.hpp"
#include "sim/model/run_queue.hpp"
#include "sim/model/timer_heap.hpp"
#include "sim/scenario/scenario.hpp"
#include "sim/trace/trace_builder.hpp"

namespace gilsim::model {

using ThreadId = std::uint32_t;
using trace::SpanState;

/// The run's effective settings (the real executors use the same ones) and the seed of
/// the scheduler's races.
struct EngineConfig : scenario::EffectiveSettings {
  std::uint64_t seed = 1;
  std::uint64_t max_events = UINT64_MAX;  ///< run() stops after this many (work_budget.hpp)
};

/// What a compute operation is, for the GIL, the check points and the trace. Build it with
/// the factories below, which say what kind of code runs, never with positional flags.
struct Work {
  SpanState state = SpanState::Running;  ///< Running, Native, Pickling, Waking or Starting
  bool needs_gil = true;
  bool checkpoints = true;  ///< the eval loop checks for drop requests while it runs (G4)
  std::uint32_t job = trace::kNone;
  std::uint16_t step = trace::kNoStep;

  /// Python bytecode: holds the GIL and drops it at check points on request (G4, G5).
  static Work python(std::uint32_t job = trace::kNone, std::uint16_t step = trace::kNoStep) {
    return Work{.state = SpanState::Running, .needs_gil = true, .checkpoints = true, .job = job, .step = step};
  }
  /// Native code that released the GIL around it.
  static Work native(std::uint32_t job = trace::kNone, std::uint16_t step = trace::kNoStep) {
    return Work{.state = SpanState::Native, .needs_gil = false, .checkpoints = false, .job = job, .step = step};
  }
  /// pickle.dumps()/loads() of arguments or results: Python-level work under the GIL.
  static Work pickling(std::uint32_t job = trace::kNone) {
    return Work{.state = SpanState::Pickling, .needs_gil = true, .checkpoints = true, .job = job};
  }
  /// A futex wake of a sleeping thread from C code under the GIL, with no check point:
  /// take_gil's signal of switch_cond (docs/model.md G8c), a lock's release (L8).
  static Work signalling(std::uint32_t job = trace::kNone, std::uint16_t step = trace::kNoStep) {
    return Work{.state = SpanState::Waking, .needs_gil = true, .checkpoints = false, .job = job, .step = step};
  }
  /// Starting a thread or a process from Python: under the GIL, in C with no check point.
  static Work starting(std::uint32_t job = trace::kNone) {
    return Work{.state = SpanState::Starting, .needs_gil = true, .checkpoints = false, .job = job};
  }
  /// A new process before its interpreter exists: no GIL to take.
  static Work starting_interpreter() {
    return Work{.state = SpanState::Starting, .needs_gil = false, .checkpoints = false};
  }
};

class Engine;

/// What an owner does when its timer fires.
enum class EventKind : std::uint8_t {
  Resume,        ///< a thread's pending operation is complete: continue it
  ComputeDone,   ///< a thread's running compute reached its planned end (cancelled while paused)
  QuantumEnd,    ///< a core's time slice ended
  DropDeadline,  ///< a GIL waiter's timed wait runs out with no switch (new GIL, G2)
  GilAttempt,    ///< a signalled GIL waiter, awake now, tries to take the GIL (G8)
  OldGilHandoff, ///< old GIL: a signalled waiter wins the release-and-reacquire race (O3)
  SwitchWake,    ///< a dropper waiting on switch_cond is awake after another took the GIL (G6)
  MutexUnlock,   ///< a dropper's drop_gil unlocks the GIL's mutex after its signal (G8b)
};

/// `co_await` on an operation: suspends unless it completed at once.
struct Operation {
  Engine* engine = nullptr;
  ThreadId thread = 0;
  bool ready = true;
  bool await_ready() const noexcept { return ready; }
  void await_suspend(std::coroutine_handle<> h) const noexcept;
  void await_resume() const noexcept {}
};

/// What a process runs: a Python interpreter has a GIL (unless the scenario's has none);
/// a program of other code (the peer at the other end of a socket, S9) has none to show.
enum class ProcessCode : std::uint8_t { Python, Other };

class Engine {
 public:
  Engine(const EngineConfig& config, trace::TraceBuilder& builder);
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  trace::ProcessId add_process(std::string name, ProcessCode code = ProcessCode::Python);
  ThreadId add_thread(std::string name, trace::ProcessId process);
  /// Starts `program` on `thread` now. The thread's first operation runs at this instant.
  void start(ThreadId thread, Program program);
  /// os.sched_setaffinity: `thread` runs only on `cpus` (each below the core count) from
  /// its next placement on; empty: any core. Only with per-CPU run queues: with one shared
  /// queue it does nothing (docs/model.md S9).
  void pin(ThreadId thread, std::span<const int> cpus);

  // Operations a program awaits.
  Operation compute(ThreadId t, Time work, const Work& what);
  /// Leaves the core and waits `duration` in `state` (the caller has dropped the GIL).
  Operation wait(ThreadId t, Time duration, SpanState state, std::uint32_t job = trace::kNone,
                 std::uint16_t step = trace::kNoStep);
  /// Leaves the core and waits for notify() or `deadline`, whichever comes first; with no
  /// state the lane shows nothing (an idle worker, a joining main thread).
  Operation wait_for_notify(ThreadId t, std::optional<SpanState> state, Time deadline = Time::max(),
                            std::uint32_t job = trace::kNone);
  void notify(ThreadId t);
  /// How long a thread blocked in the kernel (a futex, a pipe's read), signalled now,
  /// takes to run (G8): on a polling or a busy core, a draw; on a halted one, longer the
  /// longer that core idled lately.
  Time wake_latency(ThreadId t);
  Operation acquire_gil(ThreadId t);
  /// Drops the GIL (G7); with a drop request pending, waits until another thread took it (G6).
  Operation release_gil(ThreadId t);
  /// The thread's program ends: it drops the GIL and leaves its core.
  void exit(ThreadId t);
  /// S3, T1a: clone() enqueues a new thread at once (wake_up_new_task): with no idle core
  /// to run on, it is counted on the run queue it joins from then on, before its first run.
  void enqueue_new_thread(ThreadId t);
  /// An eval-breaker check point between two computes (a call's RESUME, a loop's
  /// JUMP_BACKWARD): with a drop request pending the holder drops the GIL here, lets the
  /// requester take it and takes it back (G4, docs/model.md U1); otherwise nothing happens.
  Operation check_eval_breaker(ThreadId t);
  /// How far `t` may run Python from now with nothing else happening (docs/model.md U4): it
  /// runs its program on its core, was the last there, holds its GIL (if the work needs one)
  /// with no drop request pending, so no check point switches it out, and no event is due
  /// before `until`. `events` is how many more the run's limit allows. Empty (no events)
  /// when anything may come between.
  struct Stretch {
    Time until;
    std::uint64_t events = 0;
    /// Its core's lane shows it running (Python, no step): true after a step of it ran at
    /// once, and nothing but its own steps records there until the stretch ends.
    bool core_shows_running = false;
  };
  Stretch stretch(ThreadId t);
  /// How long `work` of Python takes `t` on its core (S7).
  Time wall_time(ThreadId t, Time work) const;
  /// Whether `t`'s core runs at speed 1.0, where wall_time() is `work` itself (S7).
  bool at_full_speed(ThreadId t) const;
  /// Runs `pieces` computes of `what` on `t` one after another, at once, inside its
  /// stretch() (the caller checked that they end before `until`, within `events`), `wall`
  /// of its core's time in all (each piece's wall_time()): the clock moves to their end,
  /// their span is recorded (the same labels continue one span) and each piece's event
  /// counted, as compute() does for work that runs through. Not for Python with check
  /// points (a cache refill, S6, may be pending for it). The core's lane, which shows the
  /// stretch's steps as one span, is looked at for its first step only.
  void run_at_once(ThreadId t, Time wall, std::uint32_t pieces, const Work& what, Stretch& stretch);
  /// What run_at_once() leaves after steps of Python that a stretch ran after its first step,
  /// in the caller's own loop (SharedState's, docs/model.md U4), which recorded their spans on
  /// `t`'s lane itself: the clock at `end`, `pieces` events counted in all, and `t` as the
  /// last of them, `last` begun at `last_start`, leaves it.
  void ran_at_once(ThreadId t, Time last_start, Time end, std::uint64_t pieces, const Work& last, Stretch& stretch);
  /// Asides in `t`'s stretch (docs/model.md U4): events of other threads that touch nothing
  /// of `t`'s, run in the stretch's midst, in their order, so that it goes on past them. A
  /// step of `t` from now to `end`, of `pieces` events, that does not fit the stretch asks:
  /// each event due by `end` runs at its instant, counted, while it is a Resume or a
  /// ComputeDone of another thread (its program goes on) that `aside(thread, at)` (its
  /// instant) says is one, by when that program sets the thread's next timer (Time::max():
  /// none; nothing: it is no aside). One whose next timer is not after `end` is left to the
  /// loop: the step, begun before it, would fire first at a tie. Says whether the step fits
  /// the stretch now (`until` and `events` moved).
  template <class Aside>
  bool run_asides(ThreadId t, Stretch& stretch, Time end, std::uint32_t pieces, Aside&& aside);
  /// A stretch after its thread's step woke another thread (notify(), that thread's Resume
  /// set, nothing else changed): it ends at the next timer now.
  void stretch_after_wake(Stretch& stretch) const {
    if (!timers_.empty()) stretch.until = min(stretch.until, timers_.top_time());
  }
  /// Whether release_core(`t`) now changes nothing but `t` and the core it leaves: it has
  /// none, or nobody waits for a core anywhere and nothing is parked on its own
  /// (leave_core_alone()). An aside's question.
  bool leaves_core_quietly(ThreadId t) const;
  /// Ends the run now: no timer fires after this event (a deadlock, docs/model.md L6).
  void stop() { stopped_ = true; }

  Time now() const { return now_; }
  /// When the last thread exited: the end of the run, whatever timers remain.
  Time last_exit() const { return last_exit_; }
  bool holds_gil(ThreadId t) const;
  trace::LaneId lane(ThreadId t) const;
  trace::TraceBuilder& trace() { return builder_; }
  Random& random() { return random_; }
  const EngineConfig& config() const { return config_; }
  std::uint64_t events_processed() const { return events_; }
  /// Of them, the asides run in stretches (run_asides()).
  std::uint64_t asides_run() const { return asides_; }

  /// Runs until no event is left.
  /// Processes events until none is left (true) or config().max_events were processed (false).
  bool run();
  /// Moves the limit of run(): a run stopped at the old one goes on from where it stopped.
  void set_max_events(std::uint64_t max_events) { config_.max_events = max_events; }

 private:
  struct Thread;
  struct Core;
  friend struct Operation;

  // engine.cpp
  struct TimerOwner {
    EventKind kind = EventKind::Resume;
    std::uint32_t target = 0;  ///< thread, core or GIL index, per kind
  };
  TimerHeap::Slot add_timer(EventKind kind, std::uint32_t target);
  /// A thread's one program timer (Resume, GilAttempt or OldGilHandoff), set or moved.
  void set_thread_timer(ThreadId t, Time at, EventKind kind);
  void cancel_thread_timer(ThreadId t);
  /// A thread's timer not set yet (a forced-out dropper's mutex unlock or switch wake): when
  /// it fires, and the sequence number its set() took (TimerHeap::take_seq()).
  struct DeferredTimer {
    ThreadId thread = trace::kNone;  // kNoThread, declared after the class
    Time at;
    std::uint64_t seq = 0;
  };
  /// set_thread_timer() of `t`'s mutex unlock at `at` as its event's last change: when it
  /// is the loop's next event, the event ends and the unlock runs here, counted.
  void unlock_next_or_set(ThreadId t, Time at);
  /// `timer`, its event's last change, run (`event()`) when it is the loop's next event and the
  /// loop would run it, after its event's end, as the loop would; else set.
  template <class Event>
  void run_next_or_set(const DeferredTimer& timer, Event&& event);
  /// The deferred timer `timer` set with the sequence number it took.
  void set_deferred(const DeferredTimer& timer);
  void dispatch(TimerOwner owner);
  /// What the loop does after each event: the drop deadlines changed in it are set.
  void end_event();
  /// end_event() inline, in the straight paths that end their event early: the one GIL's
  /// look made there, with no call (more GILs than one: end_event()).
  void end_event_inline();
  /// Right after compute() started `t` running: when its end is the loop's next event,
  /// fires that event here and says so (the program goes on without suspending).
  bool finished_at_once(ThreadId t);
  /// compute() of a thread already running Python on its core with nothing in the way:
  /// the work runs to its end at once (the compute-done event counted): Ran. Stopped: it did
  /// not, though its event is quiet (its program resumed, nothing stopped, no look pending,
  /// under the limit, its timer not pending), as start_on_own_core() asks.
  enum class RunThrough : std::uint8_t { Ran, Stopped, LongWay };
  RunThrough ran_through(ThreadId t);
  /// The spans of a running compute: its thread's lane and its core's.
  void show_running(ThreadId t);
  /// Work of `t` run through to `end` at once: its spans, the clock, `pieces` events counted.
  void run_through_to(ThreadId t, Time end, std::uint32_t pieces, bool core_shows_it = false);
  void schedule_resume(ThreadId t);
  void resume_program(ThreadId t);
  void proceed(ThreadId t);
  /// compute()'s long way: proceed() with `t` starting, out of line, so that a step that
  /// runs through (ran_through()) pays nothing in compute() for the registers proceed()'s
  /// inline rules use.
  /// Says whether the compute finished at once (finished_at_once()).
  [[gnu::noinline]] bool proceed_from_compute(ThreadId t);
  /// proceed_from_compute()'s usual case: start_run_anyhow() of a thread on its own core with
  /// its GIL held (or none needed), no drop request and no old GIL, inline and straight; then
  /// says what finished_at_once() says.
  /// `known_quiet`: the caller found its event quiet (RunThrough::Stopped).
  bool start_on_own_core(ThreadId t, bool known_quiet = false);
  /// start_on_own_core() from compute(), its event found quiet: out of line, as
  /// proceed_from_compute() is.
  [[gnu::noinline]] bool start_quietly_on_own_core(ThreadId t);
  /// proceed_from_compute()'s condition for start_on_own_core().
  bool starts_on_own_core(const Thread& th) const;
  void start_run(ThreadId t);
  /// start_run() of a thread that no old GIL dilates and that compute() of its own program
  /// did not start (its end goes to the timers): out of line and straight.
  [[gnu::noinline]] void start_run_plain(ThreadId t);
  void start_run_plain_inline(ThreadId t);
  /// The next event, a Resume or a ComputeDone of another thread than `t`, run in `t`'s
  /// stretch (run_asides()): the clock at its instant while it runs, then back at `t`'s;
  /// `t`'s program the one running.
  [[gnu::noinline]] void run_aside(ThreadId t, Stretch& stretch);
  /// start_run() in every other case.
  [[gnu::noinline]] void start_run_anyhow(ThreadId t);
  /// start_run() of the old GIL's holder with others waiting (O2, O3): its run dilated by
  /// the releases every check interval; returns how long it lasts.
  [[gnu::noinline]] Time start_dilated_run(ThreadId t);
  /// The start every start_run() path and its straight copies share: the core's context
  /// switch when it last ran another thread, the run's start, the thread's timer cancelled;
  /// returns the run's length, S6's refill added when due.
  Time begin_run(ThreadId t);
  void schedule_compute_done(ThreadId t);
  void pause(ThreadId t);
  void on_compute_done(ThreadId t);
  /// A compute reached its end: the thread stops running (its program goes on next).
  void end_compute(ThreadId t);
  /// Old GIL, several cores: one RacesLost mark for the releases of the dilated run ending now.
  void note_races_lost(ThreadId t);
  /// The idle core `t` would be given now (its last one first), or -1 if none is idle (S1).
  int idle_core_for(ThreadId t) const;
  /// idle_core_for() by a pass over every core (a thread with an affinity, S9, or more
  /// cores than IdleCores keeps).
  int idle_core_by_scan(ThreadId t) const;
  /// idle_core_for() with several cores idle: a look at each of them.
  int idle_core_among(ThreadId t) const;
  /// S7: how long core `c` takes for `work`, and how much work it does in `wall`.
  Time wall_time_on(int c, Time work) const;
  Time work_done_on(int c, Time wall) const;
  bool request_core(ThreadId t);
  /// request_core()'s usual case: take_idle_core_alone() gives `t` idle core `free_core`.
  bool takes_idle_core_alone(ThreadId t, int free_core) const;
  /// on_gil_attempt() of a woken waiter off any core that takes idle core `c` alone
  /// (takes_idle_core_alone()): take_idle_core_alone(), then try_gil_on_core(), out of line.
  [[gnu::noinline]] void attempt_on_idle_core(ThreadId t, int c);
  /// request_core() of `t`, not parked, given idle core `c` whose per-CPU queue has nobody
  /// queued or parked, with no new thread waiting for its first core: the usual case under
  /// a GIL, straight, inline in request_core() whose general path is request_core_anyhow().
  void take_idle_core_alone(ThreadId t, int c);
  /// request_core() past its usual case; `free_core` is idle_core_for(t).
  [[gnu::noinline]] bool request_core_anyhow(ThreadId t, int free_core);
  /// S3: `t`, just woken, takes a busy core (only `target`'s when it is 0 or more).
  bool preempt_for_waker(ThreadId t, int target);
  // EEVDF's accounting (S3): a thread joins run queue `q` with its lag, and leaves it with
  // the lag it then has; charge() adds core `c`'s time to its thread's virtual runtime.
  struct QueueLoad {
    std::int64_t sum = 0;  ///< the runnable threads' virtual runtimes now, in ns
    std::int64_t count = 0;
  };
  /// With `as_accounted`, each running thread's runtime as last charged (Linux's curr
  /// before update_curr), not as of now.
  QueueLoad queue_load(std::size_t q, bool as_accounted = false) const;
  Time vruntime_now(ThreadId t) const;
  void join_queue(ThreadId t, std::size_t q);
  /// Joined at its runtime now: its request is one slice from there, its lag spent.
  void place_request(ThreadId t, std::size_t q);
  Time lag_on(ThreadId t, std::size_t q) const;
  /// S3, requeue_delayed_entity: delayed `t`, woken, keeps its runtime on its own queue `q`.
  bool requeues_delayed(ThreadId t, std::size_t q) const;
  void leave_queue(ThreadId t, std::size_t q, bool sleeps);
  /// Queued `t` leaves run queue `from` and joins `to` with its lag (S1c, pull_for()).
  void move_between_queues(ThreadId t, std::size_t from, std::size_t to);
  // Parked threads (S3: DELAY_DEQUEUE, and a signal's wake-up), in os_scheduler.cpp.
  std::size_t parked_queue(ThreadId t) const;
  void unpark(ThreadId t, bool keep_runtime);
  bool rejoin_parked(ThreadId t, std::size_t q);
  /// Queue `q`'s delayed threads that have paid off leave it; with none parked, the usual
  /// case, no call.
  void drop_paid(std::size_t q) {
    if (run_queues_[q].parked() > 0) drop_paid_parked(q);
  }
  void drop_paid_parked(std::size_t q);
  /// S3: a signalled thread with no idle core to wake on joins its queue at the signal.
  void join_on_signal(ThreadId t);
  void join_on_signal_queued(ThreadId t);
  void charge(int c);
  /// Core `c`'s thread goes to the back of its run queue; `next` gets the core. `why`: the
  /// Preempt mark's value, kSliceEnded or kWokenFirst (S3).
  void preempt(int c, ThreadId next, std::int64_t why);
  /// The next thread of core `c`'s run queue (the shared one with one queue), or none.
  ThreadId pop_run_queue(int c);
  /// Which run queue core `c` takes from: its own (S1a), or the one shared queue (S1).
  std::size_t queue_index(int c) const { return per_cpu_ ? static_cast<std::size_t>(c) : 0; }
  // placement.cpp: per-CPU run queues (S1a-S1d)
  void init_run_queues();
  /// The run queue `t` joins now (0 with one shared queue); `t` goes to its back.
  void enqueue(ThreadId t, int cpu);
  /// The CPU whose queue a thread that finds no idle core joins (S1a, S1b).
  int placement_cpu(ThreadId t) const;
  /// `t` may run on core `c`: its affinity allows it (S9).
  bool allowed(ThreadId t, int c) const;
  /// A thread left run queue `q` (queued_ and its sum kept together).
  void count_off_queue(std::size_t q) {
    --queued_[q];
    --queued_total_;
  }
  /// Any thread waits in a run queue.
  bool any_queued() const {
    assert(queued_total_ == std::accumulate(queued_.begin(), queued_.end(), std::uint32_t{0}));
    return queued_total_ > 0;
  }
  /// A cheap "does anyone wait for a core?" (the shared queue's entries, some perhaps gone).
  bool waiting() const { return per_cpu_ ? any_queued() : run_queues_[0].has_entries(); }
  /// Threads running on and queued for core `c` (Linux's nr_running).
  std::uint32_t load_of(int c) const;
  /// S1c: an idle core (or one whose slice ended, `busy`) pulls a thread queued on
  /// another core; none if the balancer moves none now.
  ThreadId pull_for(int c, bool busy);
  /// S1c: an idle core with nothing to pull now looks again when a queued thread turns cold.
  void arm_idle_balance(int c);
  /// `alone_inline`: its usual case (leave_core_alone()) inline, for wait() and the unlock a
  /// forced switch runs at once.
  void release_core(ThreadId t, bool alone_inline = false);
  /// release_core() of a thread on a core or queued for one.
  void release_core_or_queue(ThreadId t);
  /// release_core_or_queue() of a thread on its core with per-CPU queues, nobody queued on
  /// any core and nothing parked or stale in its core's queue: the usual case under a GIL.
  /// Out of line, straight: inline, GCC merged it into the general path's branches.
  [[gnu::noinline]] void leave_core_alone(ThreadId t);
  void leave_core_alone_inline(ThreadId t);
  void assign_core(int core, ThreadId t);
  /// `t`, off any core, takes idle core `c` and leaves it in the same instant (a woken
  /// thread that blocks again at once), with nobody waiting for a core: the state
  /// assign_core() then release_core() leave, in one step, with nothing assigned.
  void pass_through_core(int c, ThreadId t);
  void on_quantum_end(int core);
  void arm_quantums();
  void show(ThreadId t, SpanState state);

  // gil_rules.cpp
  Gil* gil_of(ThreadId t);
  void take_gil(ThreadId t);
  /// take_gil() inline where a woken waiter takes the GIL on an idle core (attempt_on_idle_core()).
  void take_gil_inline(ThreadId t);
  /// take_gil() of a waiter on its core from a holder forced out (new GIL) who alone waits
  /// on switch_cond, not in its unlock: the usual hand-off's take, out of line and straight.
  [[gnu::noinline]] void take_from_forced_out(ThreadId t);
  void take_from_forced_out_inline(ThreadId t, DeferredTimer* wake_later = nullptr);
  /// The switch wake `wake`, the last change of its event (take_and_run()): when it is the
  /// loop's next event, the event ends and the wake runs here, counted; else it is set.
  void switch_wake_next_or_set(const DeferredTimer& wake);
  /// try_gil_on_core() of a forced-out thread taking the GIL from the forced-out holder, as
  /// take_from_forced_out() does, to go on with its Python (no drop deadline's look pending):
  /// the take, the run and the deadline's look, the usual hand-off's third event, straight.
  /// `event_ends`: called as its event's last change, where the dropper's switch wake may be
  /// run at once when it is the loop's next event (switch_wake_next_or_set()).
  [[gnu::noinline]] void take_and_run(ThreadId t, bool event_ends);
  void enter_gil_wait(ThreadId t);
  /// release_gil()'s compute of drop_section_ (G8b) by a dropper on its core with a drop
  /// deadline's look asked for: compute()'s long way for that case, out of line and straight.
  [[gnu::noinline]] Operation run_drop_section(ThreadId t);
  /// run_drop_section()'s start of the section's run and its end, in the dropper's own
  /// program with nothing stopping an end at once: the compute-done run at once when it is
  /// the loop's next event after the event's end, with no entry parked and popped; else parked.
  bool section_end_next_or_park(ThreadId t);
  /// drop_gil(t, false) of the holder of a new GIL others wait for, no drop request pending:
  /// one waiter signalled, no switch waited for; inline in release_gil(), straight.
  void drop_and_signal(ThreadId t, Gil& gil);
  /// The waiter a straight path's drop signalled, and the dropper's mutex section.
  struct Signalled {
    ThreadId woken;
    Time section;
  };
  Signalled signal_a_waiter(Gil& gil, int dropper_core);
  /// G8d: drop_gil's signal of a waiter woken on `idle_core`, halted within the polling
  /// window, another than the dropper's: its cost to the dropper and the wake-up, by the halt.
  /// False where G8/G8b give them (a busy CPU, one halted past the window, the law off).
  bool cross_cpu_signal(int idle_core, Time& signal, Time& wake);
  /// cross_cpu_signal()'s draws, out of line: within the window is rare (G8d).
  bool cross_cpu_draw(Time halt, Time& signal, Time& wake);
  /// The drop deadline's look after a new GIL's waiter is armed as the event's last change.
  void look_after_last_arming(Gil& gil, bool due_changed);
  /// acquire_gil() of `t`, off any core, that takes idle core `c` alone (takes_idle_core_alone(),
  /// nobody queued anywhere, no stale entry in c's queue) and finds the new GIL locked: the
  /// core's taking, enter_gil_wait() and the core given back, out of line and straight.
  [[gnu::noinline]] void wait_through_idle_core(ThreadId t, int c);
  /// enter_gil_wait()'s start of the wait (its time, the request's mark), also
  /// return_to_timed_wait()'s.
  void start_gil_wait(Thread& th, const Gil& gil);
  /// The drop request a drop deadline makes, its mark written with the forced switch it
  /// causes at the same instant (one call of the mark store for the two).
  struct RequestMark {
    trace::LaneId requester = trace::kNone;
    std::int64_t wait = 0;  ///< ns the requester waited
  };
  /// `request`: with a forced switch, the drop request that caused it, not yet marked.
  bool drop_gil(ThreadId t, bool forced, const RequestMark* request = nullptr);
  void forced_switch(ThreadId t);
  /// forced_switch(), inline in the drop deadline's handler (once a hand-off).
  void forced_switch_inline(ThreadId t, const RequestMark* request = nullptr);
  /// forced_switch_inline() at a drop deadline whose request makes `request`, of a holder
  /// running Python with check points, the signal taking time: the usual hand-off's first
  /// event, out of line and straight.
  void force_out(ThreadId t, const RequestMark& request);
  void on_gil_attempt(ThreadId t);
  /// `event_ends`: called as its event's last change (on_gil_attempt()), where a Resume of
  /// the program it sets may be run as the next event at once (resume_after_event()).
  void try_gil_on_core(ThreadId t, bool event_ends = false);
  /// schedule_resume() of `t` as its event's last change: when that Resume would be the
  /// loop's next event, the event ends here (end_event()) and the Resume runs, counted, with
  /// no timer set and popped.
  void resume_after_event(ThreadId t);
  /// The Resume event of `t` (dispatch()).
  void on_resume(ThreadId t);
  /// G8b: a signalled waiter, on a core, found the GIL's mutex held: it sleeps on it (true)
  /// until wake_mutex_sleeper() at an unlock.
  bool relock_sleeps(Gil& gil, ThreadId t);
  /// G8b: the unlock of the mutex wakes its longest sleeper, if no woken one is on its way.
  void wake_mutex_sleeper(Gil& gil);
  void run_assigned(ThreadId t);
  /// `run_at_once`: run by switch_wake_next_or_set(), inside the take's straight path.
  void on_switch_wake(ThreadId t, bool run_at_once = false);
  /// on_switch_wake() of a forced-out dropper (new GIL) that passes through idle core `core`,
  /// off any core with nobody waiting for one, back to its timed wait: the usual hand-off's
  /// last event, out of line and straight, its drop deadline's look made at its end.
  [[gnu::noinline]] void return_to_timed_wait(ThreadId t, int core);
  void return_to_timed_wait_inline(ThreadId t, int core);
  /// The wake-up of a core that idled `idle`, past the polling window (G8), not in the
  /// memo: the law's logarithm, kept in the memo.
  [[gnu::noinline]] Time halted_wake(Time idle);
  /// wake_latency(), inline in the rules (two wake-ups a hand-off).
  Time woken_latency(ThreadId t);
  /// woken_latency() of `t` whose idle_core_for() is `core`.
  Time woken_latency_from(ThreadId t, int core);
  /// The wake-up of a thread on a polling or busy core (G8): a draw.
  [[gnu::noinline]] Time polling_wake();
  /// A woken thread ran for a moment on the idle core it woke on (a lost race, a switch
  /// wake): that core's idle period ends and a new one begins (G8).
  void brief_wake(ThreadId t);
  /// Idle core `c` ran a woken thread for a moment: its idle period ends and a new one
  /// begins (G8).
  void end_idle_period(int c);
  void on_drop_deadline(std::uint32_t gil);
  void on_old_gil_handoff(ThreadId t);
  void schedule_drop_deadline(Gil& gil);
  void update_drop_deadline(Gil& gil);
  /// update_drop_deadline() of a GIL not asked for a look (deadline_dirty clear).
  void look_at_drop_deadline(Gil& gil);
  void replan_old_gil_holder(Gil& gil);
  Time old_gil_handoff_delay();
  Time old_gil_release_cost() const;
  void after_take(Gil& gil, ThreadId taker);
  /// Dropper `d`, waiting for the switch, goes on now that another thread took the GIL (G6).
  void switch_done(ThreadId d);
  void block_for_switch(ThreadId t);
  bool unlocking(ThreadId t) const;
  /// `at_once`: run at once from the forced switch, where release_core() takes its inline path.
  void on_mutex_unlock(ThreadId t, bool at_once = false);
  /// G8c: whether waking `woken` needs an interrupt sent from `waker`'s core to another one:
  /// the core it wakes on (an idle one S1 gives it, else its own run queue's) is not the waker's.
  bool wakes_elsewhere(ThreadId woken, ThreadId waker);
  /// G8c: a taker that signalled a dropper asleep on switch_cond on another core goes on
  /// into its program only after that futex wake-up's cost, holding the GIL.
  Operation go_on_after_take(ThreadId t);

  EngineConfig config_;
  trace::TraceBuilder& builder_;
  Random random_;
  TimerHeap timers_;
  std::vector<TimerOwner> owners_;  ///< by timer slot (a program timer's kind: the last set_thread_timer()'s)
  Time now_;
  Time last_exit_;
  std::uint64_t events_ = 0;
  std::uint64_t asides_ = 0;
  bool stopped_ = false;
  ThreadId resuming_ = trace::kNone;  ///< the thread whose program runs now, if any
  ThreadId ending_at_once_ = trace::kNone;  ///< compute() of this thread is starting it
  /// Computes ended inside compute() since the program was resumed. Each lets the program
  /// go on without returning to the loop, and a nested program that completes that way
  /// may return to its caller through a call rather than a jump (without optimisation,
  /// under sanitizers): past this many the program suspends and the stack unwinds.
  std::uint32_t ended_at_once_ = 0;
  static constexpr std::uint32_t kEndedAtOnce = 64;
  // Programs add threads while the engine runs: code holds no Thread& across a program's
  // resumption (only dispatch() resumes programs, as its last step).
  std::vector<Thread> threads_;
  std::vector<Program> programs_;  ///< by thread: the coroutines' owners
  std::vector<std::coroutine_handle<>> continuations_;  ///< by thread: its awaited operation
  std::vector<Core> cores_;
  IdleCores idle_cores_;  ///< the cores with no thread (Core::thread is kNoThread)
  /// idle_cores_ is usable and no thread has an affinity (S9): the mask alone says which
  /// cores a woken thread may wake on. One flag for idle_core_for(), asked five times a hand-off.
  bool idle_mask_answers_ = true;
  /// Every core runs at speed 1.0 (S7, the default): wall_time_on() and work_done_on(),
  /// asked at every compute started or paused, are the identity with no look at the speeds.
  bool full_speed_ = true;
  std::vector<RunQueue> run_queues_;   ///< one shared (S1), or one per core (S1a)
  std::vector<std::uint32_t> queued_;  ///< by run queue: the threads waiting in it
  /// The sum of queued_: asked at every core given or left (S1c), with no pass over the queues.
  std::uint32_t queued_total_ = 0;
  /// By core: the new threads placed there at their creation that have not run yet (S1a at
  /// clone(): Linux enqueues a new task there at once); and their sum.
  std::vector<std::uint32_t> cloned_;
  std::uint32_t cloned_total_ = 0;
  /// The new threads placed at their creation that have not had a core yet: while none is,
  /// request_core() reads no thread's placement (its record's second line).
  std::uint32_t unplaced_clones_ = 0;
  std::vector<std::int64_t> vruntime_sum_;  ///< by run queue: its runnable threads' virtual
                                            ///< runtimes, each on-core one's as last charged (S3)
  std::vector<std::vector<bool>> affinities_;  ///< by Thread::affinity - 1: the cores allowed (S9)
  bool per_cpu_ = false;               ///< machine.placement is per_cpu
  std::vector<std::unique_ptr<Gil>> gils_;          ///< by process; null without a GIL
  /// The GILs whose drop deadline needs a look after this event, in the order they asked:
  /// the first held in place (a run's one GIL, twice a hand-off: no vector's push and walk),
  /// the others after it.
  struct DirtyGils {
    Gil* first = nullptr;
    std::vector<Gil*> more;
    bool empty() const { return first == nullptr; }
    void push_back(Gil* gil) {
      if (first == nullptr) {
        first = gil;
      } else {
        more.push_back(gil);
      }
    }
  };
  DirtyGils dirty_gils_;
  std::vector<ThreadId> released_scratch_;
  /// G8c: what the last take_gil's signal of switch_cond cost its taker (zero: none, or a
  /// dropper woken on the taker's own core).
  Time take_signal_cost_{};
  /// G8b, G8c: how long the last drop_gil's section keeps its dropper on its core: its signal,
  /// and the unlock's wake-up of the waiter it woke if that one sleeps on the mutex by then.
  Time drop_section_{};
  /// halted_wake() by idle time: the headline's wake-ups see about 16,000 distinct idle
  /// times in 800,000, and a table of 256 finds the result of 89% of them.
  IntMemo<256> halted_wakes_;
};

// Inline: every step that does not complete at once suspends here (lesson 10's process
// pool, 40,000 times a run), where a call saved and restored registers for one store.
inline void Operation::await_suspend(std::coroutine_handle<> h) const noexcept { engine->continuations_[thread] = h; }

}  // namespace gilsim::model
