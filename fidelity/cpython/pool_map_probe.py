"""A probe of pool_chunks.py's default section (not a row of the suite): where Pool(2).map's
time goes with the default chunks (8 chunks of 250 tasks of 50 us), for docs/model.md P6.

    python3 fidelity/cpython/pool_map_probe.py [runs]

Each run: a plain loop of the 2,000 tasks (its wall and CPU), then Pool(2) with fork and
map() with the default chunks, as pool_chunks.py does. Every worker notes, at the first
and the last task of each chunk, the time (time.time(), one clock for every process), its
CPU (process_time), its wait for a CPU (schedstat) and the CPU it ran on at the end. Printed a run per line (ms, from
Pool()): when Pool() returned, when map() returned; each chunk's worker, begin and end,
its CPU and wait; when the task handler wrote each chunk and the result handler read each
result; the loop's time per task against the workers' CPU per task.
"""

import multiprocessing
import os
import sys
import time

import suite

TASKS = 2000
CHUNK = 250
STATE = {"loops": 0, "log": None}


def wait_ms():
    with open("/proc/self/schedstat") as f:
        return int(f.read().split()[1]) / 1e6


def cpu_now():
    """The CPU this process last ran on (/proc/self/stat's processor field)."""
    with open("/proc/self/stat") as f:
        return int(f.read().rsplit(")", 1)[1].split()[36])


def set_up(loops, log):
    STATE["loops"], STATE["log"] = loops, log
    for _ in range(10):
        suite.countdown(100)


def task(i):
    if i % CHUNK == 0:
        STATE["begin"] = (time.time(), time.process_time(), wait_ms())
    suite.countdown(STATE["loops"])
    if i % CHUNK == CHUNK - 1:
        t, cpu, waited = time.time(), time.process_time(), wait_ms()
        b = STATE["begin"]
        with open(STATE["log"], "a") as f:
            f.write(f"{os.getpid()} {i // CHUNK} {b[0]!r} {t!r} {(cpu - b[1]) * 1e3!r} {waited - b[2]!r} {cpu_now()}\n")


def timed_pool(puts, gets, *args):
    """Pool(*args) whose task handler notes when it writes each chunk and whose result handler
    notes when it has read each result (time.time())."""
    import multiprocessing.pool

    class Pool(multiprocessing.pool.Pool):
        def _setup_queues(self):
            super()._setup_queues()
            send, recv = self._quick_put, self._quick_get

            def put(obj):
                send(obj)
                puts.append(time.time())

            def get():
                obj = recv()
                gets.append(time.time())
                return obj

            self._quick_put, self._quick_get = put, get

    return Pool(*args, context=multiprocessing.get_context("fork"))


def run(loops):
    import tempfile
    log = tempfile.mktemp(prefix="pool_map_probe")
    STATE["loops"] = loops
    w0, c0 = time.perf_counter(), time.process_time()
    for i in range(TASKS):
        suite.countdown(loops)
    loop_wall, loop_cpu = time.perf_counter() - w0, time.process_time() - c0
    start = time.time()
    puts, gets = [], []
    pool = timed_pool(puts, gets, 2, set_up, (loops, log))
    returned = time.time()
    pool.map(task, range(TASKS))
    done = time.time()
    pool.terminate()
    pool.join()
    with open(log) as f:
        chunks = sorted((line.split() for line in f), key=lambda c: int(c[1]))
    os.unlink(log)
    pids = sorted({c[0] for c in chunks})
    ms = lambda t: round((float(t) - start) * 1e3, 2)  # noqa: E731
    rows = [f"w{pids.index(c[0]) + 1}#{c[1]} {ms(c[2])}-{ms(c[3])} cpu {float(c[4]):.1f} wait {float(c[5]):.1f} on {c[6]}"
            for c in chunks]
    worker_cpu = sum(float(c[4]) for c in chunks) / TASKS
    print(f"loop {loop_wall * 1e3:.1f} ms ({loop_cpu * 1e3:.1f} cpu, {loop_wall / TASKS * 1e6:.1f} us/task); "
          f"Pool() {ms(returned)} map {ms(done)} ms = {(done - start) / loop_wall:.3f}x the loop; "
          f"workers' cpu {worker_cpu * 1e3:.1f} us/task; load {os.getloadavg()[0]:.2f}")
    print("   " + "; ".join(rows))
    print("   chunks written at " + " ".join(str(ms(t)) for t in puts) + "; results read at " +
          " ".join(str(ms(t)) for t in gets), flush=True)


def main():
    suite.import_pool_modules()
    loops = int(suite.loops_per_second() * 50e-6)
    for _ in range(int(sys.argv[1]) if len(sys.argv) > 1 else 3):
        run(loops)


if __name__ == "__main__":
    main()
