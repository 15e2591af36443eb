"""A probe of a fresh interpreter's first multiprocessing.Pool (not a row of the suite):
where the time to the first result goes, for docs/model.md P4 and P6.

    python3 fidelity/cpython/pool_probe.py [fork|spawn] [workers] [runs]

Each run is a fresh interpreter (this program again with --first), with the pool modules
imported before the clock starts, as pool_startup.py does. It prints one JSON line a run:

- `starts`: each Process.start() in the parent: its wall time, the parent thread's CPU
  (thread_time) during it, and when it returned, from Pool() (ms);
- `setup_cpu`, `pool_returned`, `first`: the parent's CPU in Pool() besides the starts,
  when Pool() returned and when the first result came (ms, from Pool()); `parent_cpu` and
  `parent_minflt`: the parent's CPU (every thread) and page faults from Pool() to the first
  result; `fork_calls`: the parent's CPU in each os.fork() (fork);
- `workers`: each worker, in the order started, as its initializer saw itself: when it
  was ready (ms from Pool()), its CPU time (process_time), its wait for a CPU (schedstat
  wait), the rest of its life (blocked or sleeping: wall since its start() began, less
  both), and its minor page faults;
- `tracker`: the resource tracker's CPU and wait for a CPU at the first result (spawn).

Times from time.time() (one clock for every process), CPU from /proc/PID/schedstat (ns).
"""

import multiprocessing
import os
import sys
import time

import suite

# A spawned worker runs this module again as __mp_main__: only what pool_startup.py imports
# (and os) is imported at the top, so that its start-up costs what a worker of the suite's does.


def schedstat(pid="self"):
    with open(f"/proc/{pid}/schedstat") as f:
        run, wait, _ = f.read().split()
    return int(run) / 1e6, int(wait) / 1e6


def ready(path):
    """The pool's initializer: append this worker's view of its own start to `path`."""
    now = time.time()
    run, wait = time.process_time() * 1e3, schedstat()[1]  # schedstat's run leaves out the current slice
    with open(f"/proc/self/stat") as f:
        minflt = int(f.read().rsplit(")", 1)[1].split()[7])
    line = f'{{"pid": {os.getpid()}, "at": {now!r}, "run": {run!r}, "wait": {wait!r}, "minflt": {minflt}}}'
    with open(path, "a") as f:
        f.write(line + "\n")


def nothing(x):
    return x


def first(method, workers):
    import json
    import multiprocessing.process
    import tempfile
    starts = []
    original = multiprocessing.process.BaseProcess.start

    def timed_start(self):
        t0, c0 = time.time(), time.thread_time()
        original(self)
        starts.append({"pid": self.pid, "at0": t0, "at": time.time(), "cpu": (time.thread_time() - c0) * 1e3})

    multiprocessing.process.BaseProcess.start = timed_start
    log = tempfile.mktemp(prefix="pool_probe")
    import resource
    faults0 = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    fork = os.fork
    forks = []

    def timed_fork():
        t0 = time.thread_time()
        pid = fork()
        if pid:
            forks.append((time.thread_time() - t0) * 1e3)
        return pid

    os.fork = timed_fork
    start, cpu0, process0 = time.time(), time.thread_time(), time.process_time()
    pool = multiprocessing.get_context(method).Pool(workers, initializer=ready, initargs=(log,))
    returned, cpu1 = time.time(), time.thread_time()
    next(pool.imap_unordered(nothing, range(4), chunksize=1))
    got, process1 = time.time(), time.process_time()
    faults1 = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    tracker = None
    if method != "fork":
        from multiprocessing import resource_tracker
        pid = resource_tracker._resource_tracker._pid
        if pid:
            tracker = dict(zip(("run", "wait"), schedstat(pid)))
    deadline = time.time() + 2
    while time.time() < deadline:  # every worker's line, before terminate() kills them
        with open(log) as f:
            if sum(1 for _ in f) >= workers:
                break
        time.sleep(0.001)
    pool.terminate()
    pool.join()
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
                            "blocked": round(life - w["run"] - w["wait"], 3), "minflt": w["minflt"]})
    start_cpu = sum(s["cpu"] for s in starts)
    return {"method": method, "workers": workers, "first": ms(got), "pool_returned": ms(returned),
            "setup_cpu": round((cpu1 - cpu0) * 1e3 - start_cpu, 3),
            "parent_cpu": round((process1 - process0) * 1e3, 3), "parent_minflt": faults1 - faults0,
            "fork_calls": [round(f, 3) for f in forks],
            "starts": [{"wall": round((s["at"] - s["at0"]) * 1e3, 3), "cpu": round(s["cpu"], 3),
                        "returned": ms(s["at"])} for s in starts],
            "workers_ready": workers_out, "tracker": tracker, "load": os.getloadavg()[0]}


def main():
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
