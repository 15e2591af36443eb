"""Records one run of a gilsim teaching program on CPython's own timeline (standard library only).

    python3 cpython_recorder.py CONFIG.json

The teaching program is imported as a module (so its `if __name__ == "__main__":` part does
not run) and its own names are wrapped: compute() runs in short slices and notes the time at
each one, hash_data(), time.sleep, asyncio.sleep and asyncio.to_thread note their start and
end, each job function notes which job, thread, task and process ran it, and the event loop's
task factory notes when each task was created. Every time comes from time.perf_counter_ns(),
one clock for every thread and process (CLOCK_MONOTONIC on Linux). Worker processes append
their records to a file of their own after each job; the parent gathers them at the end.
A job's peer process (docs/model.md S9, forked by the program's start_peer) notes each answer
it computes and writes its records to a file of its own when its job shuts the socket; the
job's first ask() notes which peer (by pid) answers it.

A gap of more than GAP_NS between two slices of compute() means the thread was not running
Python: it waited for the GIL or for a core. gilsim infers the GIL's holder from the slices.
Each compute() call also notes the milliseconds it was asked for and the CPU time its thread
spent in it (a `pace` record): gilsim compares the two to see whether the CPU ran at the
calibrated speed during the run; each hash_data() call does the same (a `native-pace` record).

The program's LOOPS_PER_MS and BYTES_PER_MS come from the config's "calibration", measured
once for every run of one gilsim command (`"calibrate": true` measures it and prints it,
with the program's process_start() and send_back() when it has them),
so every run does the same work for the same planned milliseconds; without one, the run
measures its own.
The output is a text file, one record a line, ending with "end N" (N records).
"""
import asyncio
import contextvars
import functools
import glob
import json
import os
import resource
import sys
import threading
import time

CONFIG = None
PROGRAM = None
RECORDS = []           # this process's records, appended by any of its threads: a line, or
                       # its fields in a tuple (joined with spaces when written: see lines_of)
JOB = contextvars.ContextVar("gilsim_job", default=None)
COUNTER = [0]          # job keys, unique in a process
WORKER_FILE = [None, 0]  # (file, pid) of a worker process's record file
TASK_IDS = {}
PEER = [False]         # true in a job's peer process
PEER_PIDS = {}         # the parent: a peer's socket (its fileno) -> the peer's pid
ASKED = set()          # (job key, peer pid) already noted
PID = [os.getpid()]    # this process's pid: os.getpid() is a system call, as get_native_id() is
THREAD = threading.local()  # (pid, native id) of each thread, asked once
perf = time.perf_counter_ns


def forked():
    """A forked worker starts with no records, and its own pid."""
    RECORDS.clear()
    PID[0] = os.getpid()


os.register_at_fork(after_in_child=forked)


class Job:
    """One job's identity while it runs; its steps are numbered in the order they run.
    `counter += one()` is a statement the recorder does not see: the config lists, per job
    template, the steps it does see, and the n-th step seen is the n-th of that list."""

    __slots__ = ("key", "seen", "template", "fixed_step", "steps")

    def __init__(self, key, template, fixed_step=None):
        self.key = key
        self.seen = -1
        self.template = template
        self.fixed_step = fixed_step  # set inside asyncio.to_thread: the task's offload step
        self.steps = CONFIG["seen_steps"][template]

    def next_step(self):
        if self.fixed_step is not None:
            return self.fixed_step
        self.seen += 1
        return self.steps[self.seen] if self.seen < len(self.steps) else 65535  # more than its template has


def where():
    """(pid, native thread id, task) of the caller. Asked at every lock's release, so it makes
    no system call: os.getpid() and threading.get_native_id() each took 4 to 5 us on a VM, and
    so did asyncio's own get_running_loop() (it checks the pid), which made lesson 15's 80,000
    locked updates run 20 times slower recorded than plain."""
    ids = getattr(THREAD, "ids", None)
    if ids is None or ids[0] != PID[0]:  # a thread's first record, or the first in a forked child
        ids = THREAD.ids = (PID[0], threading.get_native_id())
    task = 0
    loop = getattr(THREAD, "loop", None)  # the loop this thread runs (with_task_factory)
    if loop is not None:
        current = asyncio.current_task(loop)
        if current is not None:
            task = TASK_IDS.get(id(current), 0)
    return ids[0], ids[1], task


def lines_of(records):
    """The text of records, one a line: a tuple's fields are joined here, after the run, so
    that the frequent records (a lock's holds) cost the run a tuple and not a format."""
    return "".join((record if isinstance(record, str) else " ".join(map(str, record))) + "\n" for record in records)


def record_step(kind, begin, end, due=None):
    job = JOB.get()
    if job is None:
        return
    pid, tid, task = where()
    RECORDS.append(f"step {job.key} {job.next_step()} {kind} {pid} {tid} {task} {begin} {end} {due or end}")


# ---- the program's own names, wrapped -------------------------------------------------------

def recorded_compute(original, slice_ms, gap_ns):
    @functools.wraps(original)
    def compute(ms):
        job = JOB.get()
        step = job.next_step() if job is not None else -1
        pid, tid, task = where()
        remaining = ms
        cpu_begin = time.thread_time_ns()
        begin = last = perf()
        result = 0
        while remaining > 0:
            part = slice_ms if remaining > slice_ms else remaining
            result += original(part)
            remaining -= part
            now = perf()
            if now - last > gap_ns:
                RECORDS.append(f"gap {pid} {tid} {last} {now}")
            last = now
        RECORDS.append(f"pace {int(ms * 1e6)} {time.thread_time_ns() - cpu_begin}")
        if job is not None:
            RECORDS.append(f"step {job.key} {step} cpu {pid} {tid} {task} {begin} {last} {last}")
        elif PEER[0]:
            RECORDS.append(f"answer {pid} {tid} {begin} {last}")
        return result
    return compute


def recorded_call(original, kind):
    @functools.wraps(original)
    def call(*args, **kwargs):
        begin = perf()
        try:
            return original(*args, **kwargs)
        finally:
            record_step(kind, begin, perf())
    return call


def recorded_hash_data(original):
    """hash_data(ms) as a `native` step, and a `native-pace` record of the milliseconds it
    was asked for and the CPU time its thread spent in it: gilsim compares the two, as it
    does compute()'s, to see whether the C code did the planned work at the calibrated pace
    (fresh memory to fault in, for one, costs more CPU than the hashing)."""
    call = recorded_call(original, "native")

    @functools.wraps(original)
    def hash_data(ms):
        cpu_begin = time.thread_time_ns()
        try:
            return call(ms)
        finally:
            RECORDS.append(f"native-pace {int(ms * 1e6)} {time.thread_time_ns() - cpu_begin}")
    return hash_data


def recorded_start_peer(original):
    """The parent's side of a fork: which pid is at the other end of each peer socket."""
    @functools.wraps(original)
    def start_peer(*args):
        sock, pid = original(*args)  # the child never returns: its peer_process ends in os._exit
        PEER_PIDS[sock.fileno()] = pid
        return sock, pid
    return start_peer


def recorded_peer_process(original):
    """The peer, in the forked child: its answers recorded, handed over in a file before it exits."""
    @functools.wraps(original)
    def peer_process(*args):
        PEER[0] = True
        try:
            return original(*args)
        finally:
            path = os.path.join(CONFIG["records_dir"], f"peer-{os.getpid()}.txt")
            with open(path, "w", encoding="ascii") as out:
                out.write(lines_of(RECORDS))
    return peer_process


class ReplyWatch:
    """A peer's socket as ask() uses it: keeps when the peer sent its reply (the reply says so)."""

    __slots__ = ("sock", "replied")

    def __init__(self, sock):
        self.sock = sock
        self.replied = None

    def sendall(self, data):
        return self.sock.sendall(data)

    def recv(self, size):
        data = self.sock.recv(size)
        try:
            self.replied = float(data)
        except ValueError:
            pass
        return data

    def __getattr__(self, name):
        return getattr(self.sock, name)


def recorded_ask(original):
    """A request to the job's peer and its reply: a `wait` step, due when the reply's way
    (reply_s from the peer's reply) was over, as time.sleep's is when its time is up: a
    longer tail is a wait for the GIL or a core. The job's first ask notes the peer's pid."""
    @functools.wraps(original)
    def ask(peer, answer_ms, reply_s, *rest):
        job = JOB.get()
        pid = PEER_PIDS.get(peer.fileno())
        if job is not None and pid is not None and (job.key, pid) not in ASKED:
            ASKED.add((job.key, pid))
            RECORDS.append(f"peer {pid} {job.key}")
        watch = ReplyWatch(peer)
        begin = perf()
        try:
            return original(watch, answer_ms, reply_s, *rest)
        finally:
            due = int((watch.replied + reply_s) * 1e9) if watch.replied is not None else None
            record_step("wait", begin, perf(), due)
    return ask


def recorded_sleep_call(seconds):
    """time.sleep returns once its thread has the GIL again: `due` tells the two waits apart."""
    begin = perf()
    try:
        return time.sleep(seconds)
    finally:
        record_step("wait", begin, perf(), begin + int(seconds * 1e9))


class TimeModule:
    """The program's `time`: sleep is recorded, everything else is the real module."""

    sleep = staticmethod(recorded_sleep_call)

    def __getattr__(self, name):
        return getattr(time, name)


async def recorded_sleep(delay, result=None):
    begin = perf()
    value = await asyncio.sleep(delay, result)
    record_step("await", begin, perf(), begin + int(delay * 1e9))
    return value


async def recorded_to_thread(function, *args, **kwargs):
    job = JOB.get()
    step = job.next_step() if job is not None else -1
    done = [0]

    def offloaded():
        JOB.set(Job(job.key, job.template, step) if job is not None else None)
        try:
            return function(*args, **kwargs)
        finally:
            done[0] = perf()

    begin = perf()
    value = await asyncio.to_thread(offloaded)
    if job is not None:
        pid, tid, task = where()
        RECORDS.append(f"step {job.key} {step} offload {pid} {tid} {task} {begin} {perf()} {done[0]}")
    return value


class RecordedLock:
    """A threading.Lock or RLock of the program: a wait for it is a `lock` step (from the
    call to the lock had and the GIL back), each outermost hold a `hold` record."""

    def __init__(self, inner, index):
        self._inner = inner
        self._index = index
        self._reentrant = not isinstance(inner, type(threading.Lock()))
        self._depth = {}  # an RLock's: thread ident -> (depth, held since)
        self._since = 0   # a Lock's: held since (one holder at a time)

    def acquire(self, blocking=True, timeout=-1):
        job = JOB.get()
        step = job.next_step() if job is not None else -1
        got = self._inner.acquire(False)
        if not got and blocking:
            begin = perf()
            got = self._inner.acquire(True, timeout)
            if job is not None:
                now = perf()
                RECORDS.append(("step", job.key, step, "lock", *where(), begin, now, now))
        if got and not self._reentrant:
            self._since = perf()
        elif got:
            me = threading.get_ident()
            depth, since = self._depth.get(me, (0, 0))
            self._depth[me] = (depth + 1, since if depth else perf())
        return got

    def release(self):
        job = JOB.get()
        if job is not None:
            job.next_step()
        if not self._reentrant:
            RECORDS.append(("hold", self._index, *where(), self._since, perf()))
            self._inner.release()
            return
        me = threading.get_ident()
        depth, since = self._depth.pop(me, (1, perf()))
        if depth > 1:
            self._depth[me] = (depth - 1, since)
        else:
            RECORDS.append(("hold", self._index, *where(), since, perf()))
        self._inner.release()

    def locked(self):
        return self._inner.locked()

    def __enter__(self):
        self.acquire()
        return self

    def __exit__(self, *exc):
        self.release()


class RecordedAsyncLock:
    """An asyncio.Lock made by the program in its running loop: a wait for it is a `lock`
    step of the task, each hold a `hold` record."""

    def __init__(self):
        self._inner = asyncio.Lock()
        self._since = 0

    @property
    def _index(self):
        """Which of [locks]: the program keeps lock NAME's asyncio version in NAME_async."""
        for index, name in enumerate(CONFIG["locks"]):
            if getattr(PROGRAM, name + "_async", None) is self:
                return index
        return -1

    async def acquire(self):
        job = JOB.get()
        step = job.next_step() if job is not None else -1
        waits = self._inner.locked()
        begin = perf()
        await self._inner.acquire()
        if waits and job is not None:
            now = perf()
            RECORDS.append(("step", job.key, step, "lock", *where(), begin, now, now))
        self._since = perf()
        return True

    def release(self):
        job = JOB.get()
        if job is not None:
            job.next_step()
        RECORDS.append(("hold", self._index, *where(), self._since, perf()))
        self._inner.release()

    def locked(self):
        return self._inner.locked()

    async def __aenter__(self):
        await self.acquire()

    async def __aexit__(self, *exc):
        self.release()


def task_factory(loop, coro, **kwargs):
    task = asyncio.Task(coro, loop=loop, **kwargs)
    TASK_IDS[id(task)] = len(TASK_IDS) + 1
    RECORDS.append(f"task {TASK_IDS[id(task)]} {perf()}")
    return task


async def with_task_factory(coro):
    THREAD.loop = asyncio.get_running_loop()
    THREAD.loop.set_task_factory(task_factory)
    try:
        return await coro
    finally:
        THREAD.loop = None


class AsyncioModule:
    """The program's `asyncio`: sleep, to_thread, run and its locks are recorded, the rest is real."""

    sleep = staticmethod(recorded_sleep)
    to_thread = staticmethod(recorded_to_thread)

    Lock = RecordedAsyncLock

    @staticmethod
    def run(coro, **kwargs):
        return asyncio.run(with_task_factory(coro), **kwargs)

    def __getattr__(self, name):
        return getattr(asyncio, name)


def flush_worker_records():
    """A pool worker is stopped without warning: it hands its records over after each job."""
    pid = PID[0]
    if WORKER_FILE[1] != pid:
        path = os.path.join(CONFIG["records_dir"], f"worker-{pid}.txt")
        WORKER_FILE[:] = [open(path, "a", encoding="ascii"), pid]
    lines = RECORDS[:]
    del RECORDS[:len(lines)]
    WORKER_FILE[0].write(lines_of(lines))
    WORKER_FILE[0].flush()


def recorded_job(original, template):
    """A job's start and end, and for a job run by a thread, the CPU time its thread spent in
    it (-1 for a coroutine: its thread runs other tasks while it awaits). gilsim draws a job
    whose steps it did not see (`counter += one()`) as running only where that CPU time says
    its thread ran throughout; the job's own Python is not wrapped, so its race is the plain
    program's."""
    def begin():
        COUNTER[0] += 1
        key = f"{PID[0]}.{COUNTER[0]}"
        JOB.set(Job(key, template))
        return key, perf()

    def end(key, started, cpu):
        pid, tid, task = where()
        RECORDS.append(f"job {key} {template} {pid} {tid} {task} {started} {perf()} {cpu}")
        if pid != CONFIG["main_pid"]:
            flush_worker_records()

    if asyncio.iscoroutinefunction(original):
        @functools.wraps(original)
        async def job(*args):
            key, started = begin()
            try:
                return await original(*args)
            finally:
                end(key, started, -1)
        return job

    @functools.wraps(original)
    def job(*args):
        if JOB.get() is not None:  # called by a job's coroutine: that job's own steps
            return original(*args)
        context = contextvars.copy_context()  # a thread of its own context per job
        return context.run(run_job, args)

    def run_job(args):
        key, started = begin()
        cpu_begin = time.thread_time_ns()
        try:
            return original(*args)
        finally:
            end(key, started, time.thread_time_ns() - cpu_begin)
    return job


# ---- calibration ------------------------------------------------------------------------------

CALIBRATION_TRIES = 9         # tries of at least 30 ms of CPU each ...
CALIBRATION_PAUSE_S = 0.05    # ... this far apart: about half a second of the host's speed


def per_ms(function, units):
    """How many units (the program's LOOPS_PER_MS or BYTES_PER_MS, now `units`) make
    function(1) take a millisecond of this thread's CPU time: the median of CALIBRATION_TRIES
    tries spread over half a second. The host's speed drifts from second to second; the
    median is its usual speed, where the fastest of a few tries is its best moment
    (docs/cpython-traces.md)."""
    amount = 1.0
    while cpu_time(function, amount) < 0.03:
        amount *= 2
    tries = []
    for _ in range(CALIBRATION_TRIES):
        tries.append(cpu_time(function, amount))
        time.sleep(CALIBRATION_PAUSE_S)
    tries.sort()
    return max(1, int(units * amount * 0.001 / tries[len(tries) // 2]))


def cpu_time(function, amount):
    start = time.thread_time()
    function(amount)
    return time.thread_time() - start


def measure_calibration():
    calibration = {}
    if hasattr(PROGRAM, "compute"):
        calibration["LOOPS_PER_MS"] = per_ms(PROGRAM.compute, PROGRAM.LOOPS_PER_MS)
    if hasattr(PROGRAM, "hash_data"):
        calibration["BYTES_PER_MS"] = per_ms(PROGRAM.hash_data, PROGRAM.BYTES_PER_MS)
    return calibration


def measure_machine():
    """The program's own probes of what the model's process costs are fitted to (docs/model.md
    P4e, P7c), in ns: its process_start(), and its send_back() of the config's bytes (the
    dumps, the pipe and the loads); 0 where the program has no such probe."""
    start = int(PROGRAM.process_start() * 1e9) if hasattr(PROGRAM, "process_start") else 0
    size = CONFIG.get("send_back_bytes", 0) if hasattr(PROGRAM, "send_back") else 0
    parts = [int(part * 1e9) for part in PROGRAM.send_back(size)] if size else [0, 0, 0]
    return [start, size] + parts


# ---- the run ------------------------------------------------------------------------------------

def load_program():
    import importlib.util
    spec = importlib.util.spec_from_file_location(CONFIG["module"], CONFIG["program"])
    module = importlib.util.module_from_spec(spec)
    sys.modules[CONFIG["module"]] = module
    spec.loader.exec_module(module)
    return module


def instrument(calibration):
    """Wraps the program's names; in a spawned worker too (this file is its __mp_main__)."""
    if "LOOPS_PER_MS" in calibration:
        PROGRAM.LOOPS_PER_MS = calibration["LOOPS_PER_MS"]
    if "BYTES_PER_MS" in calibration:
        PROGRAM.BYTES_PER_MS = calibration["BYTES_PER_MS"]
    if not CONFIG.get("record", True):
        return
    slice_ms = CONFIG["slice_ns"] / 1e6
    if hasattr(PROGRAM, "compute"):
        PROGRAM.compute = recorded_compute(PROGRAM.compute, slice_ms, CONFIG["gap_ns"])
    if hasattr(PROGRAM, "hash_data"):
        PROGRAM.hash_data = recorded_hash_data(PROGRAM.hash_data)
    if hasattr(PROGRAM, "ask"):  # a request to a job's peer process and its reply (docs/model.md S9)
        PROGRAM.ask = recorded_ask(PROGRAM.ask)
        PROGRAM.start_peer = recorded_start_peer(PROGRAM.start_peer)
        PROGRAM.peer_process = recorded_peer_process(PROGRAM.peer_process)
    if hasattr(PROGRAM, "time"):
        PROGRAM.time = TimeModule()
    if hasattr(PROGRAM, "asyncio"):
        PROGRAM.asyncio = AsyncioModule()
    for index, name in enumerate(CONFIG.get("locks", [])):
        if hasattr(PROGRAM, name):
            setattr(PROGRAM, name, RecordedLock(getattr(PROGRAM, name), index))
    wrapped = {}
    for template, names in enumerate(zip(CONFIG["jobs"], CONFIG["async_jobs"])):
        for name in names:
            if name:
                original = getattr(PROGRAM, name)
                wrapped[original] = recorded_job(original, template)
                setattr(PROGRAM, name, wrapped[original])
    for name in ("JOBS", "ASYNC_JOBS"):
        if hasattr(PROGRAM, name):
            setattr(PROGRAM, name, [wrapped.get(job, job) for job in getattr(PROGRAM, name)])


def gil_enabled():
    check = getattr(sys, "_is_gil_enabled", None)
    return True if check is None else check()


def run():
    calibration = CONFIG.get("calibration")
    if calibration is None:
        calibration = measure_calibration()
    os.environ["GILSIM_CALIBRATION"] = json.dumps(calibration)
    instrument(calibration)
    if CONFIG.get("switch_interval"):
        sys.setswitchinterval(CONFIG["switch_interval"])
    if CONFIG.get("cores") and hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, sorted(os.sched_getaffinity(0))[:CONFIG["cores"]])
    for name, initial in zip(CONFIG.get("counters", []), CONFIG.get("counter_initial", [])):
        setattr(PROGRAM, name, initial)  # as the program's timed() does before each run
    arguments = {name: json.loads(value) for name, value in CONFIG["arguments"]}
    function = getattr(PROGRAM, CONFIG["function"])
    load = os.getloadavg()[0]
    usage_before = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    begin = perf()
    results = function(**arguments)
    end = perf()
    usage_after = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = sum(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
              for before, after in zip(usage_before, usage_after))
    lines = [
        "gilsim-cpython-trace 1",
        f"python {sys.version.split()[0]} {int(gil_enabled())}",
        f"calibration {calibration.get('LOOPS_PER_MS', 0)} {calibration.get('BYTES_PER_MS', 0)}",
        f"recording {CONFIG['slice_ns']} {CONFIG['gap_ns']}",
        f"machine {os.cpu_count()} {load:.2f} {int(cpu * 1e9)}",
        f"run {begin} {end} {os.getpid()} {threading.get_native_id()} {len(results)}",
    ]
    lines += lines_of(RECORDS).splitlines()
    for name in CONFIG.get("counters", []):
        lines.append(f"counter {name} {getattr(PROGRAM, name)}")
    records = os.path.join(CONFIG["records_dir"], "")
    for path in sorted(glob.glob(records + "worker-*.txt")) + sorted(glob.glob(records + "peer-*.txt")):
        with open(path, encoding="ascii") as worker:
            lines += worker.read().splitlines()
        os.remove(path)
    lines.append(f"end {len(lines) + 1}")
    temporary = CONFIG["out"] + ".part"
    with open(temporary, "w", encoding="ascii") as out:
        out.write("".join(line + "\n" for line in lines))
    os.replace(temporary, CONFIG["out"])
    print(f"recorded {len(lines)} lines in {(end - begin) / 1e9:.3f} s", flush=True)


def observer_effect(rounds=25, ms=20):
    """CPU time of compute(ms) without and with recording, alternated in this thread; the
    fastest of each, so that other programs on the machine count as little as possible."""
    PROGRAM.LOOPS_PER_MS = CONFIG.get("calibration", {}).get("LOOPS_PER_MS") or per_ms(PROGRAM.compute, PROGRAM.LOOPS_PER_MS)
    plain = PROGRAM.compute
    recorded = recorded_compute(plain, CONFIG["slice_ns"] / 1e6, CONFIG["gap_ns"])
    times = {plain: [], recorded: []}
    for _ in range(rounds):
        for function in times:
            times[function].append(cpu_time(function, ms))
    del RECORDS[:]
    print(f"observer {int(min(times[plain]) * 1e9)} {int(min(times[recorded]) * 1e9)}", flush=True)


if __name__ in ("__main__", "__mp_main__"):
    with open(sys.argv[1], encoding="utf-8") as config_file:
        CONFIG = json.load(config_file)
    PROGRAM = load_program()
    if __name__ == "__mp_main__":  # a spawned pool worker: wrap with the parent's calibration
        CONFIG["main_pid"] = int(os.environ.get("GILSIM_MAIN_PID", "0"))
        instrument(json.loads(os.environ.get("GILSIM_CALIBRATION", "{}")))
    else:
        CONFIG["main_pid"] = os.getpid()
        os.environ["GILSIM_MAIN_PID"] = str(os.getpid())
        if CONFIG.get("observer"):
            observer_effect()
        elif CONFIG.get("calibrate"):
            found = measure_calibration()
            machine = " ".join(str(figure) for figure in measure_machine())
            print(f"calibration {found.get('LOOPS_PER_MS', 0)} {found.get('BYTES_PER_MS', 0)} {machine}", flush=True)
        else:
            run()
