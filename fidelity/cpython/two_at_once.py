"""What one CPU's work costs while the other CPU works too: a probe of the machine, not a row of
the suite (docs/model.md S8). Run it as the suite runs its programs (`nice -n -20` in a session
of its own); it prints one line per workload and, with --json, the figures as JSON.

Two worker processes, forked first and pinned one to each CPU, wait on a pipe for orders. Each
workload is run by one worker alone (on CPU 0 and on CPU 1 in turns) and by both at once, the
same amount each, in the order alone, both, both, alone, so that a drift of the machine
cancels. A worker times its own run: wall time (perf_counter), CPU time (process_time) and
how long it was runnable but waiting for its CPU (the kernel's schedstat: another program of
this machine, not the workload). The figure is slowdown = (a run's time beside the other
worker) / (its time alone), medians over the turns, wall less the wait and CPU alike.

Workloads:
  python     Beazley's countdown: pure Python bytecode, in the core's own caches. Two cores
             that share nothing run it at one speed each; two hyperthreads of one physical
             core (which the guest of a virtual machine cannot see: lscpu may say one thread
             per core) or a host that cannot run both virtual CPUs at once would slow it.
  copy_l2    bytearray slice assignment (memcpy) of 256 KiB into 256 KiB: in the core's L2.
  copy_dram  memcpy of 64 MiB into 64 MiB: beyond the shared L3, so DRAM's bandwidth.
  page_cache readinto() of a 64 MiB file in the page cache, in 1 MiB pieces, as
             file_reads.py does: the kernel's copy into a buffer that stays in L2.
  page_cache8 the same reads into eight buffers in turns, as eight threads taking turns on
             one core write into their own buffers: each read's buffer has left the core's
             caches since it was last written.

And the spread: two busy processes forked at once, unpinned and then pinned one to each CPU,
each printing its share of a CPU in every 25 ms from its start: whether the kernel runs two
new busy processes side by side at once (a pool's workers, a program's threads). It runs
first, before the program's session has kept any CPU busy, and again at the end.
"""

import json
import os
import statistics
import sys
import tempfile
import time

import suite

UNIT_SECONDS = 0.05  # of one workload alone, per turn
TURNS = 4  # of each arrangement: alone (half on each CPU) and both at once
MIB = 1 << 20


def python_work(amount, state):
    suite.countdown(amount)


def copy_work(size):
    def work(amount, state):
        key = ("copy", size)
        if key not in state:
            state[key] = (bytearray(os.urandom(size)), bytearray(size))
        source, target = state[key]
        for _ in range(amount):
            target[:] = source

    return work


def page_cache_work(buffers):
    """Reads of the file into `buffers` buffers of 1 MiB taken in turns, one per read: with
    eight, each read's buffer was last written seven reads (7 MiB of copying) ago."""

    def work(amount, state):
        key = ("pieces", buffers)
        if key not in state:
            state[key] = [bytearray(MIB) for _ in range(buffers)]
        pieces = state[key]
        turn = 0
        with open(state["file"], "rb", buffering=0) as f:
            for _ in range(amount):
                f.seek(0)
                while f.readinto(pieces[turn % buffers]):
                    turn += 1

    return work


def workloads(quick):
    """The workloads by name; --quick shrinks the big copy, which is then no longer beyond L3."""
    return {
        "python": python_work,
        "copy_l2": copy_work(256 << 10),
        "copy_dram": copy_work(MIB if quick else 64 * MIB),
        "page_cache": page_cache_work(1),
        "page_cache8": page_cache_work(8),
    }


def worker(cpu, orders, answers, path, work_of):
    """A worker's loop: reads `name amount` lines, runs them pinned to `cpu`, answers
    `wall cpu wait` in seconds; an empty line ends it."""
    if cpu is not None:
        os.sched_setaffinity(0, {cpu})
    state = {"file": path}
    for line in orders:
        if not line.strip():
            break
        name, amount = line.split()
        work = work_of[name]
        work(1, state)  # buffers allocated, file and code warm: not timed
        # The clock encloses both reads of the wait: the kernel adds a wait to schedstat when
        # the thread runs again, so every wait counted between the reads lies inside the span.
        start = time.perf_counter()
        cpu_start = time.process_time()
        waited = suite.run_queue_wait()
        work(int(amount), state)
        waited = suite.run_queue_wait() - waited
        cpu_used = time.process_time() - cpu_start
        wall = time.perf_counter() - start
        answers.write(f"{wall:.9f} {cpu_used:.9f} {waited:.9f}\n")
        answers.flush()


class Worker:
    def __init__(self, cpu, path, work_of):
        orders_read, orders_write = os.pipe()
        answers_read, answers_write = os.pipe()
        self.pid = os.fork()
        if self.pid == 0:
            try:
                os.close(orders_write)
                os.close(answers_read)
                with os.fdopen(orders_read) as orders, os.fdopen(answers_write, "w") as answers:
                    worker(cpu, orders, answers, path, work_of)
            finally:
                os._exit(0)
        os.close(orders_read)
        os.close(answers_write)
        self.orders = os.fdopen(orders_write, "w")
        self.answers = os.fdopen(answers_read)

    def order(self, name, amount):
        self.orders.write(f"{name} {amount}\n")
        self.orders.flush()

    def answer(self):
        wall, cpu, wait = (float(x) for x in self.answers.readline().split())
        return {"wall": wall - wait, "cpu": cpu, "wait": wait}

    def stop(self):
        self.orders.write("\n")
        self.orders.flush()
        os.waitpid(self.pid, 0)


def amount_for(worker, name, seconds):
    """How many units of `name` take `seconds` of CPU alone on the worker's CPU."""
    amount = 1
    while True:
        worker.order(name, amount)
        took = worker.answer()["cpu"]
        if took >= seconds / 4 or amount > 1 << 40:
            return max(1, round(amount * seconds / max(took, 1e-9)))
        amount *= 4


def measure(workers, name, amount, turns):
    alone, both = [], []
    for turn in range(turns):
        for arrangement in ("alone", "both", "both", "alone") if turn % 2 == 0 else ("both", "alone", "alone", "both"):
            if arrangement == "alone":
                w = workers[len(alone) % 2]
                w.order(name, amount)
                alone.append(w.answer())
            else:
                for w in workers:
                    w.order(name, amount)
                both.extend(w.answer() for w in workers)
    return alone, both


WINDOW = 0.025  # seconds: the spread's time step


def busy_windows(windows, cpu, out):
    """A busy process's CPU time in each WINDOW of wall time since it started, as fractions of
    the window, on one line of `out`; pinned to `cpu` unless None."""
    if cpu is not None:
        os.sched_setaffinity(0, {cpu})
    shares = []
    start = time.perf_counter()
    used = time.process_time()
    while len(shares) < windows:
        suite.countdown(2000)
        if time.perf_counter() >= start + (len(shares) + 1) * WINDOW:
            now = time.process_time()
            shares.append((now - used) / WINDOW)
            used = now
    os.write(out, (" ".join(f"{x:.3f}" for x in shares) + "\n").encode())


def spread(windows, cpus):
    """Two busy processes forked at once, each pinned to a CPU of its own (`cpus`) or left
    where the kernel puts them ([None, None]): each one's share of a CPU in every WINDOW."""
    read, write = os.pipe()
    children = []
    for cpu in cpus:
        pid = os.fork()
        if pid == 0:
            try:
                os.close(read)
                busy_windows(windows, cpu, write)
            finally:
                os._exit(0)
        children.append(pid)
    os.close(write)
    for pid in children:
        os.waitpid(pid, 0)
    with os.fdopen(read) as lines:
        return [[float(x) for x in line.split()] for line in lines]


def steal_ticks():
    with open("/proc/stat") as f:
        return int(f.readline().split()[8])


def main():
    # Else, on a busy machine, the two workers would seldom run at once.
    suite.own_autogroup()
    quick = "--quick" in sys.argv[1:]
    as_json = "--json" in sys.argv[1:]
    unknown = [a for a in sys.argv[1:] if a not in ("--quick", "--json")]
    if unknown:
        sys.exit(f"two_at_once: unknown argument {unknown[0]!r}; options: --quick (tiny sizes), --json")
    seconds = 0.002 if quick else UNIT_SECONDS
    turns = 1 if quick else TURNS
    cpus = suite.two_cpus()
    load_start = suite.load_average()
    steal_start = steal_ticks()
    windows = 2 if quick else 12
    # First, while the program's session has kept no CPU busy yet; again at the end.
    spreads = {"unpinned_first": spread(windows, [None, None]), "pinned_first": spread(windows, cpus)}
    results = {}
    with tempfile.TemporaryDirectory() as folder:
        paths = [os.path.join(folder, f"{i}.bin") for i in range(2)]
        for path in paths:
            with open(path, "wb") as f:
                f.write(os.urandom(MIB) * (2 if quick else 64))
        work_of = workloads(quick)
        workers = [Worker(cpu, path, work_of) for cpu, path in zip(cpus, paths)]
        try:
            for name in work_of:
                amount = amount_for(workers[0], name, seconds)
                alone, both = measure(workers, name, amount, turns)
                results[name] = {
                    "amount": amount,
                    "alone_wall": statistics.median(r["wall"] for r in alone),
                    "alone_cpu": statistics.median(r["cpu"] for r in alone),
                    "both_wall": statistics.median(r["wall"] for r in both),
                    "both_cpu": statistics.median(r["cpu"] for r in both),
                    "wait": sum(r["wait"] for r in alone + both),
                    "alone_walls": [r["wall"] for r in alone],
                    "both_walls": [r["wall"] for r in both],
                }
        finally:
            for w in workers:
                w.stop()
    spreads["unpinned_last"] = spread(windows, [None, None])
    spreads["pinned_last"] = spread(windows, cpus)
    steal = (steal_ticks() - steal_start) / os.sysconf("SC_CLK_TCK")
    out = {"load_start": load_start, "load_end": suite.load_average(), "steal_seconds": steal,
           "cpus": cpus, "workloads": results, "spread": spreads}
    if as_json:
        json.dump(out, sys.stdout)
        sys.stdout.write("\n")
        return
    print(f"load {' '.join(f'{x:.2f}' for x in load_start)} -> {' '.join(f'{x:.2f}' for x in out['load_end'])}; "
          f"steal {steal:.2f} s; CPUs {cpus}")
    print(f"{'workload':<11} {'alone wall':>11} {'both wall':>10} {'slowdown':>9} {'alone cpu':>10} {'both cpu':>9} "
          f"{'cpu ratio':>9} {'wait':>8}")
    for name, r in results.items():
        print(f"{name:<11} {r['alone_wall'] * 1e3:9.2f}ms {r['both_wall'] * 1e3:8.2f}ms "
              f"{r['both_wall'] / r['alone_wall']:8.3f}x {r['alone_cpu'] * 1e3:8.2f}ms {r['both_cpu'] * 1e3:7.2f}ms "
              f"{r['both_cpu'] / r['alone_cpu']:8.3f}x {r['wait'] * 1e3:6.2f}ms")
    print(f"two busy processes forked at once: each one's share of a CPU in every {WINDOW * 1e3:.0f} ms")
    for name, shares in spreads.items():
        for one in shares:
            print(f"  {name:<14} {' '.join(f'{x:.2f}' for x in one)}")


if __name__ == "__main__":
    main()
