"""A probe of a fresh interpreter's first multiprocessing.Pool (not a row of the suite):
where the time to the first result goes, for docs/model.md P4 and P6.

    python3 fidelity/cpython/pool_probe.py [fork|spawn] [workers] [runs]
    python3 fidelity/cpython/pool_probe.py --from RUN.jsonl [--check sim/scenario/scenario.hpp]
    python3 fidelity/cpython/pool_probe.py --from HOST.jsonl --against RUN.jsonl --reference MEASURED.jsonl
        [--check-shares sim/scenario/effective_settings.cpp]

`--from` reads a kept run of the probe (its JSON lines; `##` lines are left out) and prints
the process start costs of docs/model.md P4c, each the median of one quantity over every
pool of its start method (fork's over a pool's later starts, and its first starts' extras
over them, P4d); with `--check`, also the model's defaults in that header, failing
when one is not its median rounded (to 0.01 ms below 10 ms, to 0.1 ms from there).
`--against` prints the share of each cost that follows the fork probe (docs/model.md P4e), from
this host's rounds (HOST.jsonl: each round a fork probe, then pools) against another host's run
(RUN.jsonl) and its fork probes (MEASURED.jsonl, gilsim_fidelity's measurements there); with
`--check-shares`, failing when the model's table is not those shares.

Each run is a fresh interpreter (this program again with --first), with the pool modules
imported before the clock starts, as pool_startup.py does. It prints one JSON line a run:

- `starts`: each Process.start() in the parent: its wall time, the parent thread's CPU
  (thread_time) during it, its user and system CPU (`user`, `sys`: getrusage RUSAGE_THREAD,
  tick sampled), and when it returned, from Pool() (ms); `fork_calls_usage` each os.fork()'s
  and `pool_user`, `pool_sys` Pool()'s whole (the parent thread's) user and system CPU alike;
- `setup_cpu`, `pool_returned`, `first`: the parent's CPU in Pool() besides the starts,
  when Pool() returned and when the first result came (ms, from Pool()); `pool_wait` and
  `pool_blocked`: the main thread's wait for a CPU in Pool() (schedstat) and the rest of
  Pool()'s wall time beyond its CPU and that wait (blocked: the handler threads' starts); `parent_cpu` and
  `parent_minflt`: the parent's CPU (every thread) and page faults from Pool() to the first
  result; `fork_calls`: the parent's CPU in each os.fork() (fork);
- `workers`: each worker, in the order started, as its initializer saw itself: when it
  was ready (ms from Pool()), its CPU time (process_time), its wait for a CPU (schedstat
  wait), the rest of its life (blocked or sleeping: wall since its start() began, less
  both), and its minor page faults; its user and system CPU (getrusage, tick sampled),
  its CPU as its main module's imports began (`main_cpu`: the interpreter's start and,
  when spawned, multiprocessing.spawn's) and once they were done (`imported_cpu`; both
  are the parent's CPU before the fork when forked), and the CPU it was on and its
  migrations so far (`cpu`, `migrations`: se.nr_migrations of /proc/PID/sched);
- `tracker`: the resource tracker's CPU, wait for a CPU, the CPU it was last on and its
  migrations, and its user and system CPU (/proc stat, to the clock tick), at the first result; `tracker_launch`: when the parent launched it (ms from
  Pool()), and the parent's wall, CPU and wait for a CPU in that (spawn);
- `path`: the first task's way from Pool()'s return to the first result, in ms from Pool()
  (perf_counter_ns, CLOCK_MONOTONIC, one clock for every process), each step with the CPU
  its thread spent in it (`_cpu`, thread_time) where that is not a wait: `imap` the main
  thread's imap_unordered() returned; `task_pickled`, `task_written` the task handler's
  put (pickling, then the pipe's write); `worker_read`, `worker_got` the worker's get
  (the pipe's read, which waits for the task, then the unpickling); `job_begin`; `result_pickled`,
  `result_written` the worker's put; `result_read`, `result_got` the result handler's
  get (its read, then the unpickling); `first` next() returned in the main thread;
- each start's `wait`: the parent thread's wait for a CPU in it (schedstat);
- `repopulate_cpu`: the parent's CPU in Pool._repopulate_pool besides the starts (the
  Process objects, `process_init_cpu` of it, and the bookkeeping between the starts: after
  a fork, each page the parent writes first is a copy-on-write fault);
- `handlers_cpu`: the CPU of Pool()'s worker, task and result handler threads (schedstat,
  their whole lives) when Pool() returned and when the first result came (ms; the probe's
  wrapper of each thread's run() reads /proc once, some 20 us; reading them at the return
  delays `first` by some 50 us, before the path's `pool_returned`);
- `probe_cpu`: the parent thread's CPU in the probe's own reads around the thread starts
  (where each thread and worker ran), some 0.1 to 0.7 ms, left out of `setup_cpu`;
- `thread_starts`: each Thread.start() in the parent (Pool()'s three handler threads): when it
  began (ms from Pool()), its wall time, the parent thread's CPU and wait for a CPU in it;
  where the kernel placed it (`cpus`: the CPU the parent ran on as start() began, the CPU
  each worker had last run on then, the CPU the new thread ran its first Python on, and the
  parent's CPU when start() returned), and whether each worker was ready by then
  (`workers_ready`, its initializer had run).

Times from time.time() (one clock for every process), CPU from /proc/PID/schedstat (ns).
"""

import time

_MAIN_CPU = time.process_time()  # a spawned worker's CPU as it begins its main module's imports

import multiprocessing  # noqa: E402
import os  # noqa: E402
import sys  # noqa: E402

import suite  # noqa: E402

_IMPORTED_CPU = time.process_time()  # and once they are done

# A spawned worker runs this module again as __mp_main__: only what pool_startup.py imports
# (and os) is imported at the top, so that its start-up costs what a worker of the suite's does.


PATH_LOG = "POOL_PROBE_PATH"  # the environment variable naming the workers' log of the path


def stamp(steps, name, cpu_from=None):
    """steps[name] = now (perf_counter_ns); with cpu_from, also the thread's CPU since it."""
    steps[name] = time.perf_counter_ns()
    if cpu_from is not None:
        steps[name + "_cpu"] = time.thread_time_ns() - cpu_from


def timed_receive(steps, read, read_name, got_name):
    """read() a message's bytes from its pipe and unpickle them; the first time, stamp both."""
    from multiprocessing.reduction import ForkingPickler
    c = time.thread_time_ns()
    buf = read()
    first = read_name not in steps
    if first:
        stamp(steps, read_name, c)
        c = time.thread_time_ns()
    obj = ForkingPickler.loads(buf)
    if first:
        stamp(steps, got_name, c)
    return obj


def timed_send(steps, obj, write, pickled_name, written_name, first=True):
    """Pickle obj and write() it to its pipe; the first time (and if `first`), stamp both.
    Whether it stamped."""
    from multiprocessing.reduction import ForkingPickler
    first = first and written_name not in steps
    c = time.thread_time_ns()
    buf = ForkingPickler.dumps(obj)
    if first:
        stamp(steps, pickled_name, c)
        c = time.thread_time_ns()
    write(buf)
    if first:
        stamp(steps, written_name, c)
    return first


def time_worker_queues(parent=None):
    """SimpleQueue.get and put as multiprocessing.queues has them, stamped: a worker's first
    task and result (its get and put), written to the log once the result is sent."""
    from multiprocessing import queues
    steps = {}
    # in the parent (`parent`, this process when forking) the pool's own SimpleQueue, its
    # change notifier, is left alone
    parent = os.getpid() if parent is None else parent
    original_get, original_put = queues.SimpleQueue.get, queues.SimpleQueue.put

    def get(self):
        if os.getpid() == parent:
            return original_get(self)

        def read():
            with self._rlock:
                return self._reader.recv_bytes()
        return timed_receive(steps, read, "worker_read", "worker_got")

    def put(self, obj):
        if os.getpid() == parent:
            return original_put(self, obj)

        def write(buf):
            with self._wlock:
                self._writer.send_bytes(buf)
        if timed_send(steps, obj, write, "result_pickled", "result_written"):
            with open(os.environ[PATH_LOG], "a") as f:
                f.write(repr(steps) + "\n")

    queues.SimpleQueue.get, queues.SimpleQueue.put = get, put
    return steps


if __name__ == "__mp_main__" and PATH_LOG in os.environ:  # a spawned worker
    _worker_steps = time_worker_queues(parent=os.getppid())


def schedstat(pid="self"):
    with open(f"/proc/{pid}/schedstat") as f:
        run, wait, _ = f.read().split()
    return int(run) / 1e6, int(wait) / 1e6


def migrations(pid="self"):
    """How many times the kernel moved the process's main thread to another CPU so far."""
    try:
        with open(f"/proc/{pid}/sched") as f:
            return next(int(line.split(":")[1]) for line in f if line.startswith("se.nr_migrations"))
    except (OSError, StopIteration):
        return None


def ready(path):
    """The pool's initializer: append this worker's view of its own start to `path`."""
    now = time.time()
    run, wait = time.process_time() * 1e3, schedstat()[1]  # schedstat's run leaves out the current slice
    with open(f"/proc/self/stat") as f:
        minflt = int(f.read().rsplit(")", 1)[1].split()[7])
    import resource
    usage = resource.getrusage(resource.RUSAGE_SELF)
    line = (f'{{"pid": {os.getpid()}, "at": {now!r}, "run": {run!r}, "wait": {wait!r}, "minflt": {minflt}, '
            f'"user": {usage.ru_utime * 1e3!r}, "sys": {usage.ru_stime * 1e3!r}, '
            f'"main_cpu": {_MAIN_CPU * 1e3!r}, "imported_cpu": {_IMPORTED_CPU * 1e3!r}, '
            f'"cpu": {cpu_of("/proc/self/stat")}, "migrations": {migrations()}}}')
    with open(path, "a") as f:
        f.write(line + "\n")


def nothing(x):
    steps = globals().get("_worker_steps")
    if steps is not None and "job_begin" not in steps:
        stamp(steps, "job_begin")
    return x


def cpu_of(stat="/proc/thread-self/stat"):
    """The CPU a thread or process last ran on: field 39 (`processor`) of its stat."""
    try:
        with open(stat) as f:
            return int(f.read().rsplit(")", 1)[1].split()[36])
    except OSError:
        return None


def handler_cpu(thread):
    """A thread of this process's CPU so far (ms, schedstat), by its native id."""
    with open(f"/proc/self/task/{thread.native_id}/schedstat") as f:
        return round(int(f.read().split()[0]) / 1e6, 3)


def thread_usage(since=None):
    """The calling thread's user and system CPU (getrusage RUSAGE_THREAD, ms): as a pair, or
    with `since` (an earlier call's pair) the pair since then. Linux splits a thread's exact
    CPU between the two by where its scheduler ticks fell (4 ms apart at HZ 250), so a part
    of a millisecond is split right only on average over many."""
    import resource
    usage = resource.getrusage(resource.RUSAGE_THREAD)
    now = (usage.ru_utime * 1e3, usage.ru_stime * 1e3)
    return now if since is None else (now[0] - since[0], now[1] - since[1])


def stat_usage(pid):
    """A process's user and system CPU from its /proc stat (ms, to the clock tick)."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    tick = 1e3 / os.sysconf("SC_CLK_TCK")
    return {"user": int(fields[11]) * tick, "sys": int(fields[12]) * tick}


def thread_wait():
    with open("/proc/thread-self/schedstat") as f:
        return int(f.read().split()[1])


def time_parent_queues(steps):
    """Pool's task handler put and result handler get, stamped for the first task."""
    from multiprocessing import pool as mp_pool
    setup = mp_pool.Pool._setup_queues

    def timed_setup(self):
        setup(self)
        writer, reader = self._inqueue._writer, self._outqueue._reader

        def put(obj):
            timed_send(steps, obj, writer.send_bytes, "task_pickled", "task_written", first=obj is not None)

        def get():
            return timed_receive(steps, reader.recv_bytes, "result_read", "result_got")

        self._quick_put, self._quick_get = put, get

    mp_pool.Pool._setup_queues = timed_setup


def first(method, workers):
    import json
    import multiprocessing.process
    import tempfile
    starts = []
    original = multiprocessing.process.BaseProcess.start

    def timed_start(self):
        t0, c0, w0, r0 = time.time(), time.thread_time(), thread_wait(), thread_usage()
        original(self)
        user, system = thread_usage(r0)
        starts.append({"pid": self.pid, "at0": t0, "at": time.time(), "cpu": (time.thread_time() - c0) * 1e3,
                       "wait": (thread_wait() - w0) / 1e6, "user": user, "sys": system})

    multiprocessing.process.BaseProcess.start = timed_start
    import threading
    thread_starts = []
    original_thread_start = threading.Thread.start

    probe = {"cpu": 0.0}  # the probe's own reads in Pool(), left out of setup_cpu

    def timed_thread_start(self):
        p0 = time.thread_time()
        placed = {}
        original_run = self.run

        def placed_run():
            placed["new"] = cpu_of()  # its first Python after _started.set()
            original_run()

        self.run = placed_run
        parent_cpu, workers_cpu = cpu_of(), [cpu_of(f"/proc/{s['pid']}/stat") for s in starts]
        ready_by_then = 0
        if os.path.exists(log):
            with open(log) as f:
                ready_by_then = sum(1 for _ in f)
        probe["cpu"] += (time.thread_time() - p0) * 1e3
        t0, c0, w0 = time.time(), time.thread_time(), thread_wait()
        original_thread_start(self)
        at, c1, w1 = time.time(), time.thread_time(), thread_wait()
        p1 = time.thread_time()
        parent_after = cpu_of()
        probe["cpu"] += (time.thread_time() - p1) * 1e3
        thread_starts.append({"at0": t0, "at": at, "cpu": (c1 - c0) * 1e3, "wait": (w1 - w0) / 1e6,
                              "cpus": {"parent": parent_cpu, "workers": workers_cpu, "new": placed,
                                       "parent_after": parent_after},
                              "workers_ready": ready_by_then})

    threading.Thread.start = timed_thread_start
    from multiprocessing import pool as mp_pool
    repopulate = {"cpu": 0.0, "init_cpu": 0.0}  # _repopulate_pool's CPU, and its Process() objects'
    original_repopulate, original_init = mp_pool.Pool._repopulate_pool_static, multiprocessing.process.BaseProcess.__init__

    def timed_repopulate(*args, **kwargs):
        c = time.thread_time()
        try:
            return original_repopulate(*args, **kwargs)
        finally:
            repopulate["cpu"] += (time.thread_time() - c) * 1e3

    def timed_init(self, *args, **kwargs):
        c = time.thread_time()
        original_init(self, *args, **kwargs)
        repopulate["init_cpu"] += (time.thread_time() - c) * 1e3

    mp_pool.Pool._repopulate_pool_static = staticmethod(timed_repopulate)
    multiprocessing.process.BaseProcess.__init__ = timed_init
    from multiprocessing import resource_tracker
    tracker_launch = {}
    original_ensure = resource_tracker.ResourceTracker.ensure_running

    def timed_ensure(self):
        fresh = self._fd is None
        t0, c0, w0 = time.time(), time.thread_time(), thread_wait()
        original_ensure(self)
        if fresh and not tracker_launch:
            tracker_launch.update(at0=t0, at=time.time(), cpu=(time.thread_time() - c0) * 1e3,
                                  wait=(thread_wait() - w0) / 1e6)

    resource_tracker.ResourceTracker.ensure_running = timed_ensure
    log = tempfile.mktemp(prefix="pool_probe")
    import resource
    faults0 = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    fork = os.fork
    forks = []
    fork_usage = []  # each os.fork()'s (user, sys) in the parent

    def timed_fork():
        t0, r0 = time.thread_time(), thread_usage()
        pid = fork()
        if pid:
            forks.append((time.thread_time() - t0) * 1e3)
            fork_usage.append(thread_usage(r0))
        return pid

    os.fork = timed_fork
    path = {}
    time_parent_queues(path)
    path_log = tempfile.mktemp(prefix="pool_probe_path")
    os.environ[PATH_LOG] = path_log
    global _worker_steps
    _worker_steps = time_worker_queues()  # a forked worker's copy
    wait0 = thread_wait()
    start, cpu0, process0, usage0 = time.time(), time.thread_time(), time.process_time(), thread_usage()
    start_ns = time.perf_counter_ns()
    pool = multiprocessing.get_context(method).Pool(workers, initializer=ready, initargs=(log,))
    returned, cpu1 = time.time(), time.thread_time()
    pool_user, pool_sys = thread_usage(usage0)
    wait1 = thread_wait()
    handlers = (pool._worker_handler, pool._task_handler, pool._result_handler)
    handlers_at_return = [handler_cpu(t) for t in handlers]
    stamp(path, "pool_returned")  # after those reads: the path from here is the pool's alone
    results = pool.imap_unordered(nothing, range(4), chunksize=1)
    stamp(path, "imap")
    next(results)
    stamp(path, "first")
    handlers_at_first = [handler_cpu(t) for t in handlers]
    got, process1 = time.time(), time.process_time()
    faults1 = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    tracker = None
    if method != "fork":
        from multiprocessing import resource_tracker
        pid = resource_tracker._resource_tracker._pid
        if pid:
            tracker = dict(zip(("run", "wait"), schedstat(pid)), cpu=cpu_of(f"/proc/{pid}/stat"),
                           migrations=migrations(pid), **stat_usage(pid))
    deadline = time.time() + 2
    while time.time() < deadline:  # every worker's line, before terminate() kills them
        with open(log) as f:
            if sum(1 for _ in f) >= workers:
                break
        time.sleep(0.001)
    while time.time() < deadline:  # the first worker's path
        if os.path.exists(path_log):
            break
        time.sleep(0.001)
    pool.terminate()
    pool.join()
    with open(path_log) as f:
        for line in f:
            steps = eval(line)  # a dict of ints, written by time_worker_queues
            if steps.get("worker_read", 0) < path.get("result_read", 0):
                path.update(steps)  # the worker whose result came first
    os.unlink(path_log)
    at = lambda ns: round((ns - start_ns) / 1e6, 3)  # noqa: E731
    path_out = {k: (round(v / 1e6, 3) if k.endswith("_cpu") else at(v)) for k, v in sorted(path.items(), key=lambda kv: kv[1] if not kv[0].endswith("_cpu") else 0)}
    ms = lambda t: round((t - start) * 1e3, 3)  # noqa: E731
    with open(log) as f:
        seen = {w["pid"]: w for w in map(json.loads, f)}
    os.unlink(log)
    workers_out = []
    for s in starts:
        w = seen.get(s["pid"])
        if w is None:
            workers_out.append({"ready": None})
            continue
        life = (w["at"] - s["at0"]) * 1e3
        workers_out.append({"ready": ms(w["at"]), "run": round(w["run"], 3), "wait": round(w["wait"], 3),
                            "blocked": round(life - w["run"] - w["wait"], 3), "minflt": w["minflt"],
                            "user": round(w["user"], 3), "sys": round(w["sys"], 3),
                            "main_cpu": round(w["main_cpu"], 3), "imported_cpu": round(w["imported_cpu"], 3),
                            "cpu": w["cpu"], "migrations": w["migrations"]})
    start_cpu = sum(s["cpu"] for s in starts)
    return {"method": method, "workers": workers, "first": ms(got), "pool_returned": ms(returned),
            "setup_cpu": round((cpu1 - cpu0) * 1e3 - start_cpu - probe["cpu"], 3),
            "probe_cpu": round(probe["cpu"], 3),
            "repopulate_cpu": round(repopulate["cpu"] - start_cpu, 3),
            "process_init_cpu": round(repopulate["init_cpu"], 3),
            "pool_wait": round((wait1 - wait0) / 1e6, 3),
            "pool_blocked": round((returned - start) * 1e3 - (cpu1 - cpu0) * 1e3 - (wait1 - wait0) / 1e6, 3),
            "parent_cpu": round((process1 - process0) * 1e3, 3), "parent_minflt": faults1 - faults0,
            "fork_calls": [round(f, 3) for f in forks],
            "fork_calls_usage": [[round(u, 3), round(k, 3)] for u, k in fork_usage],
            "pool_user": round(pool_user, 3), "pool_sys": round(pool_sys, 3),
            "starts": [{"wall": round((s["at"] - s["at0"]) * 1e3, 3), "cpu": round(s["cpu"], 3),
                        "user": round(s["user"], 3), "sys": round(s["sys"], 3),
                        "wait": round(s["wait"], 3), "returned": ms(s["at"])} for s in starts],
            "path": path_out,
            "handlers_cpu": {"returned": handlers_at_return, "first": handlers_at_first},
            "thread_starts": [{"began": ms(s["at0"]), "wall": round((s["at"] - s["at0"]) * 1e3, 3),
                               "cpu": round(s["cpu"], 3), "wait": round(s["wait"], 3),
                               "cpus": {**s["cpus"], "new": s["cpus"]["new"].get("new")},
                               "workers_ready": s["workers_ready"]} for s in thread_starts],
            "workers_ready": workers_out, "tracker": tracker,
            "tracker_launch": ({"began": ms(tracker_launch["at0"]), "wall": round((tracker_launch["at"] - tracker_launch["at0"]) * 1e3, 3),
                                "cpu": round(tracker_launch["cpu"], 3), "wait": round(tracker_launch["wait"], 3)}
                               if tracker_launch else None), "load": os.getloadavg()[0]}


def read_lines(path):
    """The probe's JSON lines kept in `path` (its `##` lines, the command and the load, left out)."""
    import json
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip() and not line.startswith("##")]


def start_costs(pools):
    """The process start costs of docs/model.md P4c from first pools: {key: (median ms, n,
    least, most)}, each the median of one quantity over every pool of its start method."""
    import statistics
    fork = [p for p in pools if p["method"] == "fork"]
    spawn = [p for p in pools if p["method"] == "spawn"]
    values = {
        "spawn_start": [w["run"] for p in spawn for w in p["workers_ready"]],
        "tracker_start": [p["tracker"]["run"] for p in spawn],
        # the tracker's launch is charged spawn_call too
        "spawn_call": [s["cpu"] for p in spawn for s in p["starts"]] + [p["tracker_launch"]["cpu"] for p in spawn],
        "spawn_exec": [s["wall"] - s["cpu"] for p in spawn for s in p["starts"] if s["wait"] == 0],
        # P4d: a pool's later starts (its second to last), the first ones' apart below.
        # A start's CPU and its share of _repopulate_pool's besides the starts (the copy-on-write faults)
        "fork_start": [s["cpu"] + p["repopulate_cpu"] / p["workers"] for p in fork for s in p["starts"][1:]],
        "fork_call": [f for p in fork for f in p["fork_calls"][1:]],
        "fork_child_start": [w["run"] for p in fork for w in p["workers_ready"][1:]],
        # Pool()'s CPU besides _repopulate_pool and the tracker's launch
        "pool_setup": [p["setup_cpu"] - p["repopulate_cpu"] - (p["tracker_launch"]["cpu"] if p["tracker_launch"] else 0.0)
                       for p in pools],
    }
    costs = {k: (statistics.median(v), len(v), min(v), max(v)) for k, v in values.items() if v}
    # P4d: a program's first fork start (each pool's first), as what it costs more than the
    # later ones' medians: the first's median less theirs.
    first = {
        "fork_first_extra": ("fork_start", [p["starts"][0]["cpu"] + p["repopulate_cpu"] / p["workers"] for p in fork]),
        "fork_first_call_extra": ("fork_call", [p["fork_calls"][0] for p in fork]),
        "fork_first_child_extra": ("fork_child_start", [p["workers_ready"][0]["run"] for p in fork]),
    }
    for key, (later, v) in first.items():
        if v and later in costs:
            costs[key] = (statistics.median(v) - costs[later][0], len(v), min(v), max(v))
    return costs


def mechanisms(pools):
    """The figures docs/model.md P4c reads beside the costs, as (name, text) lines: why each
    extra worker costs what it does, and what the fork Pool(1)'s first result holds."""
    from statistics import median

    def pick(method, n):
        return [p for p in pools if p["method"] == method and p["workers"] == n]

    def span(xs):
        return f"{median(xs):.4g} in median of {len(xs)} ({min(xs):.4g} to {max(xs):.4g})"

    out = []
    s1, s4, f1, f4 = pick("spawn", 1), pick("spawn", 4), pick("fork", 1), pick("fork", 4)
    if s1 and s4:
        workers = [w for p in s1 + s4 for w in p["workers_ready"]]
        out.append(("spawn worker CPU by pool", f"Pool(1) {median(w['run'] for p in s1 for w in p['workers_ready']):.4g} ms, "
                    f"Pool(4) {median(w['run'] for p in s4 for w in p['workers_ready']):.4g} ms; tracker "
                    f"{median(p['tracker']['run'] for p in s1):.4g} and {median(p['tracker']['run'] for p in s4):.4g} ms"))
        out.append(("spawn worker CPU parts", f"before the main module {median(w['main_cpu'] for w in workers):.4g} ms, its imports "
                    f"{median(w['imported_cpu'] - w['main_cpu'] for w in workers):.4g}, the rest "
                    f"{median(w['run'] - w['imported_cpu'] for w in workers):.4g}, blocked {median(w['blocked'] for w in workers):.3g}"))
        low = sorted(p["workers_ready"][0]["run"] for p in s1 if p["workers_ready"][0]["run"] < 50)
        high = sorted(p["workers_ready"][0]["run"] for p in s1 if p["workers_ready"][0]["run"] >= 50)
        apart = sum(1 for p in s1 if p["workers_ready"][0]["cpu"] != p["tracker"]["cpu"] and p["workers_ready"][0]["migrations"] == 0)
        out.append(("spawn Pool(1) worker CPU groups", f"{len(low)} pools {low[0] if low else '-'} to {low[-1] if low else '-'} ms, "
                    f"{len(high)} pools {high[0] if high else '-'} to {high[-1] if high else '-'} ms; worker on the CPU the tracker "
                    f"was not on and never moved in {apart} of {len(s1)}"))
        out.append(("spawn Pool(4) starts returned", ", ".join(f"{median(p['starts'][i]['returned'] for p in s4):.3g}" for i in range(4))
                    + " ms after Pool(); waited for a CPU " + ", ".join(f"{median(p['starts'][i]['wait'] for p in s4):.2g}" for i in range(4))
                    + " ms, blocked " + ", ".join(f"{median(p['starts'][i]['wall'] - p['starts'][i]['cpu'] - p['starts'][i]['wait'] for p in s4):.2g}" for i in range(4))
                    + " ms"))
        placed = sum(1 for p in s4 if [c == p["thread_starts"][0]["cpus"]["parent"] for c in p["thread_starts"][0]["cpus"]["workers"]]
                     == [True, False, False, True])
        still = sum(1 for p in s4 for w in p["workers_ready"][:2] + p["workers_ready"][3:] if w["migrations"] == 0)
        out.append(("spawn Pool(4) placement", f"first and fourth workers on the parent's CPU, second and third not, at the first "
                    f"Thread.start(), in {placed} of {len(s4)}; the third moved in "
                    f"{sum(1 for p in s4 if p['workers_ready'][2]['migrations'])} of {len(s4)}, the others never in {still} of {3 * len(s4)}"))
        out.append(("spawn Pool(4) ready", ", ".join(f"{median(p['workers_ready'][i]['ready'] for p in s4):.4g}" for i in range(4))
                    + f" ms; the first ready {span([min(w['ready'] for w in p['workers_ready']) for p in s4])} ms; the first result "
                    f"{span([p['first'] for p in s4])} ms, {median(p['first'] - min(w['ready'] for w in p['workers_ready']) for p in s4):.3g} "
                    f"ms after the first ready; the tracker ready some "
                    f"{median(p['tracker_launch']['began'] + p['tracker']['run'] + p['tracker']['wait'] for p in s4):.3g} ms after Pool()"))
    if f1 and f4:
        longest = [max(s["wait"] for s in p["starts"]) for p in f4]
        waited = [p for p in f4 if max(s["wait"] for s in p["starts"]) > 0.3]
        beside = 0
        for p in waited:
            i = max(range(4), key=lambda k: p["starts"][k]["wait"])
            beside += i > 0 and p["workers_ready"][i]["cpu"] == p["thread_starts"][0]["cpus"]["parent"]
        out.append(("fork Pool(4) start waits", f"a start waited over 0.3 ms in {len(waited)} of {len(f4)} pools, the longest "
                    f"{min(w for w in longest if w > 0.3):.3g} to {max(longest):.3g} ms, {median(sum(s['wait'] for s in p['starts']) for p in f4):.3g} "
                    f"ms in all in median a pool, in {beside} the start of a later child on the parent's CPU when ready; "
                    f"Pool(1) starts that waited: {sum(1 for p in f1 if p['starts'][0]['wait'] > 0)} of {len(f1)}"))
        out.append(("fork start CPU", f"first {median(p['starts'][0]['cpu'] for p in f1 + f4):.3g} ms, later "
                    f"{median(s['cpu'] for p in f4 for s in p['starts'][1:]):.3g}; the loop besides them "
                    f"{median(p['repopulate_cpu'] for p in f1):.3g} ms a worker with Pool(1), {median(p['repopulate_cpu'] / 4 for p in f4):.3g} with Pool(4)"))
        path = lambda p, a, b: p["path"][b] - p["path"][a]  # noqa: E731
        out.append(("fork Pool(1) first result", f"Pool() blocked {median(p['pool_blocked'] for p in f1):.3g} ms, its second Thread.start() "
                    f"{median(p['thread_starts'][1]['wall'] for p in f1):.3g} ms; from its return to the first result "
                    f"{median(path(p, 'pool_returned', 'first') for p in f1):.3g} ms: the first pickling "
                    f"{median(p['path']['task_pickled_cpu'] for p in f1):.3g} ms of CPU (Pool(4) {median(p['path']['task_pickled_cpu'] for p in f4):.3g}, "
                    f"spawn {median(p['path']['task_pickled_cpu'] for p in s1 + s4) if s1 or s4 else '-':.3g}), the result handler's "
                    f"wake-up {median(path(p, 'result_written', 'result_read') for p in f1):.3g} ms, the main thread's "
                    f"{median(path(p, 'result_got', 'first') for p in f1):.3g} ms"))
        # P4d: each pool's first start against its later ones, and where a later child went
        # when the other CPU still readied the child before (its fork: the start's beginning
        # plus its os.fork(); a child is ready when its initializer ran).
        first_fork = [p["starts"][0]["cpu"] + p["repopulate_cpu"] / p["workers"] for p in f1 + f4]
        later_fork = [s["cpu"] + p["repopulate_cpu"] / 4 for p in f4 for s in p["starts"][1:]]
        out.append(("fork first and later starts", f"the parent's CPU {median(first_fork):.4g} and {median(later_fork):.4g} ms, "
                    f"os.fork() {median(p['fork_calls'][0] for p in f1 + f4):.4g} and {median(c for p in f4 for c in p['fork_calls'][1:]):.4g} ms, "
                    f"the child's {median(p['workers_ready'][0]['run'] for p in f1 + f4):.4g} and "
                    f"{median(w['run'] for p in f4 for w in p['workers_ready'][1:]):.4g} ms"))
        beside, apart, waited, waits = {}, 0, 0, []
        for p in f4:
            parent = p["thread_starts"][0]["cpus"]["parent"]
            ready = p["workers_ready"]
            for k in range(1, 4):
                s = p["starts"][k]
                forked = s["returned"] - s["wall"] + p["fork_calls"][k]
                if not any(ready[j]["ready"] > forked and ready[j]["cpu"] != parent for j in range(k)):
                    continue
                if ready[k]["cpu"] == parent:
                    beside.setdefault(k + 1, [0, 0])[0] += 1
                    if s["wait"] > 0.5:
                        waited += 1
                        waits.append(s["wait"])
                else:
                    apart += 1
                beside.setdefault(k + 1, [0, 0])[1] += 1
        placed = sum(v[0] for v in beside.values())
        out.append(("fork Pool(4) later children", f"of {placed + apart} forked while the other CPU still readied the child before, "
                    f"{placed} on the parent's CPU ("
                    + ", ".join(f"{v[0]} of {v[1]} child {k}" for k, v in sorted(beside.items()))
                    + f"), {apart} beside their sibling; the parent's start then waited over 0.5 ms in {waited} of {placed}"
                    + (f", {min(waits):.3g} to {max(waits):.3g} ms" if waits else "")))
        out.append(("fork Pool(1) handler starts", f"the first Process.start() began {median(p['starts'][0]['returned'] - p['starts'][0]['wall'] for p in f1):.3g} ms "
                    f"after Pool(), the first Thread.start() at {median(p['thread_starts'][0]['began'] for p in f1):.3g}, the child ready at "
                    f"{median(p['workers_ready'][0]['ready'] for p in f1):.3g}; the second start {median(p['thread_starts'][1]['wall'] for p in f1):.3g} ms "
                    f"of wall, {median(p['thread_starts'][1]['cpu'] for p in f1):.3g} of CPU, blocked "
                    f"{median(p['thread_starts'][1]['wall'] - p['thread_starts'][1]['cpu'] - p['thread_starts'][1]['wait'] for p in f1):.3g}"))
    return out


def code_defaults(header):
    """{key: ms}: each `Time NAME = Time{NS};` default of sim/scenario/scenario.hpp."""
    import re
    with open(header) as f:
        code = f.read()
    return {name: int(ns.replace("'", "")) / 1e6 for name, ns in re.findall(r"\bTime (\w+) = Time\{([\d']+)\};", code)}


def rounded(ms):
    """A cost as the model keeps it: to 0.01 ms below 10 ms, to 0.1 ms from there."""
    return round(ms, 2) if ms < 10 else round(ms, 1)


def read_back(path, header=None):
    """Print the start costs (P4c) measured in a kept run of this probe; with `header`, also
    each default of the model's code, and fail when one is not its median rounded."""
    costs = start_costs(read_lines(path))
    defaults = code_defaults(header) if header else {}
    wrong = []
    for key, (median, n, least, most) in costs.items():
        if key.startswith("fork_first_"):
            line = (f"{key}: {median:.4g} ms, the median of {n} first starts ({least:.3g} to {most:.3g}) "
                    "less the later starts' median")
        else:
            line = f"{key}: {median:.4g} ms, the median of {n} ({least:.3g} to {most:.3g})"
        if header:
            default = defaults.get(key)
            ok = default is not None and abs(default - rounded(median)) < 1e-9
            line += f"; the model's default {default} ms" + ("" if ok else f", NOT {rounded(median)}")
            if not ok:
                wrong.append(key)
        print(line)
    for name, text in mechanisms(read_lines(path)):
        print(f"{name}: {text}")
    if wrong:
        print("defaults that are not the kept run's medians:", ", ".join(wrong))
        sys.exit(1)


def fork_probes(path):
    """The fork probe's figures (ms, each round's fastest start, as docs/model.md P4e fits it)
    kept in a file: gilsim_fidelity's measurements (its `fork_start` lines) or this probe's
    rounds (`## round N fork_probe load ... {JSON}` lines)."""
    import json
    medians = []
    with open(path) as f:
        for line in f:
            if line.startswith("##") and " fork_probe " in line:
                line = line[line.index("{"):]
            elif line.startswith("##") or not line.strip():
                continue
            d = json.loads(line)
            if d.get("program") == "fork_start":
                medians.append(d["sections"]["fork"]["low"] * 1e3)
    return medians


def median_of_rounds(medians):
    """The median of the rounds' figures as gilsim_fidelity takes it (fork_probe_of: to the
    ns, the mean of the middle two rounded down)."""
    ns = sorted(round(m * 1e6) for m in medians)
    n = len(ns)
    return (ns[n // 2] if n % 2 else (ns[n // 2 - 1] + ns[n // 2]) // 2) / 1e6


# P4e: the costs the fork probe moves, as sim/scenario/effective_settings.cpp lists them
SHARED = ["fork_start", "fork_call", "fork_child_start", "fork_first_extra", "fork_first_call_extra",
          "fork_first_child_extra", "spawn_call", "spawn_exec", "spawn_start", "tracker_start", "pool_setup",
          "pool_first_loop", "ipc_first_syscall", "ipc_first_pickle"]

# P7a: a forked pool's first task's way, each side's pipe call and its pickling (the path's CPU)
FIRST_SYSCALLS = ["task_written_cpu", "worker_read_cpu", "result_written_cpu", "result_read_cpu"]
FIRST_PICKLES = ["task_pickled_cpu", "worker_got_cpu", "result_pickled_cpu", "result_got_cpu"]


def first_pool_costs(pools):
    """The costs of a pool's first loop and first messages as docs/model.md P4b and P7a read them,
    {key: (ms, how, parts)}: `pool_first_loop` the median over every first pool of the worker
    handler's CPU when Pool() returned less the result handler's; `ipc_first_syscall` and
    `ipc_first_pickle` the mean over the first task's four sides (the task handler's write, the
    worker's read and write, the result handler's read; their picklings alike) of each side's
    median over the fork pools (P7a applies to forked workers only)."""
    import statistics
    fork = [p for p in pools if p["method"] == "fork"]
    loops = [p["handlers_cpu"]["returned"][0] - p["handlers_cpu"]["returned"][2] for p in pools]
    out = {"pool_first_loop": (statistics.median(loops), f"median of {len(loops)} pools, {min(loops):.3g} to {max(loops):.3g}", [])}
    for key, steps in (("ipc_first_syscall", FIRST_SYSCALLS), ("ipc_first_pickle", FIRST_PICKLES)):
        sides = [statistics.median(p["path"][s] for p in fork if s in p["path"]) for s in steps]
        out[key] = (sum(sides) / len(sides), f"mean of the sides' medians over {len(fork)} fork pools, "
                    + ", ".join(f"{v:.3f}" for v in sides), sides)
    return out


def code_shares(source):
    """{cost: share}: process_start_kernel_shares()'s table in effective_settings.cpp."""
    import re
    with open(source) as f:
        return {name: float(v) for name, v in re.findall(r'\{&Costs::\w+, "(\w+)", ([\d.]+)\}', f.read())}


def kernel_shares(here_path, reference_path, measured_path, source=None):
    """docs/model.md P4e: each process start cost's share that follows the fork probe, from two
    hosts' runs of this probe (`--from` this host's rounds, each after a fork probe; `--against`
    the reference host's run) and the reference host's fork probe (`--reference`, gilsim_fidelity's
    measurements there): share = (here / there - 1) / (R - 1), R = the probes' ratio, kept
    within 0 and 1 and rounded to 0.01. Also each host's user and system CPU (getrusage) of the
    parts. With `source`, fails when effective_settings.cpp's table is not these shares."""
    import statistics
    here_lines, there_lines = read_lines(here_path), read_lines(reference_path)
    here, there = start_costs(here_lines), start_costs(there_lines)
    first_here, first_there = first_pool_costs(here_lines), first_pool_costs(there_lines)
    probe, reference = median_of_rounds(fork_probes(here_path)), median_of_rounds(fork_probes(measured_path))
    ratio = probe / reference
    print(f"fork probe: {probe:.3f} ms here (median of {len(fork_probes(here_path))} rounds), {reference:.3f} ms on "
          f"the reference host ({len(fork_probes(measured_path))} rounds): R = {ratio:.2f}")
    shares = {}
    for key in SHARED:
        if key in first_here:  # P4b's first loop and P7a's first messages
            h, t = first_here[key][0], first_there[key][0]
            how = f"{first_there[key][1]} there; {first_here[key][1]} here"
        else:
            h, t = here[key][0], there[key][0]
            how = f"{here[key][1]} samples, {here[key][2]:.3g} to {here[key][3]:.3g}"
        share = min(1.0, max(0.0, (h / t - 1) / (ratio - 1))) if t > 0 and ratio != 1 else 0.0
        shares[key] = round(share, 2)
        print(f"{key}: {t:.3f} ms there, {h:.3f} here ({how}), x{h / t:.2f}: share {shares[key]:.2f}; "
              f"fitted {t * (1 - shares[key] + shares[key] * ratio):.3f} ms")
    for name, lines in (("there", there_lines), ("here", here_lines)):
        fork = [p for p in lines if p["method"] == "fork"]
        spawn = [p for p in lines if p["method"] == "spawn"]
        parts = {"forked child": [(w["user"], w["sys"]) for p in fork for w in p["workers_ready"]],
                 "spawned child": [(w["user"], w["sys"]) for p in spawn for w in p["workers_ready"]]}
        if "pool_user" in lines[0]:
            parts.update({"fork start (parent)": [(s["user"], s["sys"]) for p in fork for s in p["starts"]],
                          "os.fork() (parent)": [tuple(u) for p in fork for u in p["fork_calls_usage"]],
                          "Pool() (parent thread)": [(p["pool_user"], p["pool_sys"]) for p in lines],
                          "resource tracker": [(p["tracker"]["user"], p["tracker"]["sys"]) for p in spawn]})
        for part, pairs in parts.items():
            user, system = sum(u for u, _ in pairs) / len(pairs), sum(k for _, k in pairs) / len(pairs)
            print(f"{name}, {part}: user {user:.3f} ms, system {system:.3f} ms a part in mean, system share "
                  f"{system / (user + system):.2f} ({len(pairs)})")
        print(f"{name}, minor faults: forked child {statistics.median(w['minflt'] for p in fork for w in p['workers_ready'])}, "
              f"spawned child {statistics.median(w['minflt'] for p in spawn for w in p['workers_ready'])}")
        # what the process start costs leave out: the handler threads' CPU and the parent's waits
        one = [p for p in fork if p["workers"] == 1]
        med = lambda xs: statistics.median(list(xs))  # noqa: E731
        print(f"{name}, fork Pool(1) ({len(one)}): Pool() returned at {med(p['pool_returned'] for p in one):.3g} ms, "
              f"the first result at {med(p['first'] for p in one):.3g} ms; the parent's CPU (every thread) "
              f"{med(p['parent_cpu'] for p in one):.3g} ms, of it the worker, task and result handler threads' "
              + ", ".join(f"{med(p['handlers_cpu']['first'][i] for p in one):.3g}" for i in range(3))
              + f" ms; Pool()'s wait for a CPU {med(p['pool_wait'] for p in one):.3g} ms")
    if source:
        code = code_shares(source)
        wrong = [k for k in SHARED if abs(code.get(k, -1) - shares[k]) > 1e-9]
        if wrong:
            print("shares that are not the code's:", ", ".join(f"{k} {code.get(k)} (not {shares[k]})" for k in wrong))
            sys.exit(1)


def main():
    if "--against" in sys.argv:
        arg = lambda name: sys.argv[sys.argv.index(name) + 1] if name in sys.argv else None  # noqa: E731
        kernel_shares(arg("--from"), arg("--against"), arg("--reference"), arg("--check-shares"))
        return
    if "--from" in sys.argv:
        header = sys.argv[sys.argv.index("--check") + 1] if "--check" in sys.argv else None
        read_back(sys.argv[sys.argv.index("--from") + 1], header)
        return
    import subprocess
    method = sys.argv[1] if len(sys.argv) > 1 else "fork"
    workers = sys.argv[2] if len(sys.argv) > 2 else "4"
    runs = int(sys.argv[3]) if len(sys.argv) > 3 else 3
    for _ in range(runs):
        out = subprocess.run([sys.executable, __file__, "--first", method, workers], check=True,
                             stdout=subprocess.PIPE, text=True)
        print(out.stdout.strip(), flush=True)


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--first":
        import json
        suite.import_pool_modules()
        print(json.dumps(first(sys.argv[2], int(sys.argv[3]))))
    else:
        main()
