"""Pool start-up with fork and with spawn: the time from multiprocessing.Pool(N) to the
first result of four trivial tasks (chunksize 1), for N = 1 and N = 4 (on two cores), and
the cost per extra worker, (first(4) - first(1)) / 3. Pool() starts its workers one after another in
the parent before it returns; a spawned worker starts a new interpreter.
Paired with fidelity/scenarios/pool-startup.toml. Times.

Each pool is the first of a fresh interpreter (this program run again with --first), as
in a program that makes one Pool and as the model simulates it: the first Pool() of a
process creates multiprocessing's first semaphores, and with spawn it also starts the
resource tracker, a fifth interpreter beside Pool(4)'s four (docs/model.md P4). The modules
are imported before the clock starts, in the child as in the scenario. Each figure is the
median of several pools (five with fork, three with spawn), Pool(1) and Pool(4) in turns.
Each section also keeps (in --raw) the median time Pool() took to return (`returned_1`,
`returned_4`) and how long its main thread was blocked in it (`blocked_1`, `blocked_4`: its
wall time less its CPU and its wait for a CPU, mostly the handler threads' starts).
"""

import json
import multiprocessing
import os
import subprocess
import sys
import time

import suite


def nothing(x):
    return x


def schedstat_wait(fd):
    """The thread's wait for a CPU so far (ns) from its schedstat file opened as `fd`: a pread,
    a few microseconds, where opening the file inside the timed section would cost more."""
    return int(os.pread(fd, 128, 0).split()[1]) if fd is not None else 0


def first_result(method, workers):
    """The time to the first result; and when Pool() returned, and how long its main thread
    was blocked in it (its wall time less its CPU and its wait for a CPU: the handler
    threads' Thread.start(), docs/model.md P4), all in seconds."""
    try:
        fd = os.open("/proc/thread-self/schedstat", os.O_RDONLY)  # Linux; elsewhere no wait is known
    except OSError:
        fd = None
    waited = schedstat_wait(fd)
    start, cpu = time.perf_counter(), time.thread_time()
    with multiprocessing.get_context(method).Pool(workers) as pool:
        returned, returned_cpu, returned_wait = time.perf_counter() - start, time.thread_time(), schedstat_wait(fd)
        results = pool.imap_unordered(nothing, range(4), chunksize=1)
        next(results)
        first = time.perf_counter() - start
        # The rest too, and the pool closed and joined, so that leaving the block does not
        # terminate() a pool with tasks in flight: CPython 3.11's terminate() then can hang
        # on a queue's lock that a worker it stopped was holding.
        for _ in results:
            pass
        pool.close()
        pool.join()
    if fd is not None:
        os.close(fd)
    blocked = returned - (returned_cpu - cpu) - (returned_wait - waited) / 1e9
    return {"first": first, "returned": returned, "blocked": blocked}


def first_pool(method, workers):
    """first_result() of a fresh interpreter's first pool."""
    run = subprocess.run([sys.executable, __file__, "--first", method, str(workers)], check=True,
                         stdout=subprocess.PIPE, text=True)
    return json.loads(run.stdout)


SAMPLES = {"fork": 5, "spawn": 3}


def main():
    report = suite.Report("pool_startup")
    for method in ("fork", "spawn"):
        with report.section(method, cores=2) as s:
            ones, fours = [], []
            for _ in range(report.size(SAMPLES[method], 1)):
                ones.append(first_pool(method, 1))
                fours.append(first_pool(method, 4))
            one, four = (suite.median([p["first"] for p in pools]) for pools in (ones, fours))
            s.update(first_1=one, first_4=four, per_worker=(four - one) / 3, samples=len(ones))
            for n, pools in ((1, ones), (4, fours)):  # what Pool() took, for calibrating (--raw)
                s[f"returned_{n}"] = suite.median([p["returned"] for p in pools])
                s[f"blocked_{n}"] = suite.median([p["blocked"] for p in pools])
    report.print()


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--first":
        suite.import_pool_modules()
        print(json.dumps(first_result(sys.argv[2], int(sys.argv[3]))))
    else:
        main()
