"""A probe of threading.Thread.start() (not a row of the suite), for docs/model.md T1a.

    python3 fidelity/cpython/thread_start_probe.py [starts]
    python3 fidelity/cpython/thread_start_probe.py --beside-child [rounds] [busy_ms] [child_ms]

Starts one thread at a time (200 by default, the first 20 left out as warm-up) and joins
it before the next. It prints the quartiles of two figures, in microseconds:

- `start_wall`: the wall time of start() in the starting thread: its own part, then its
  wait in `_started.wait()` until the new thread has set the Event and it has the GIL back;
- `bootstrap_cpu`: the new thread's CPU time (`time.thread_time_ns()`) when its target
  begins: taking the GIL and `_bootstrap_inner` up to `run()`.

With --beside-child (docs/model.md S1a, P4), each round (10 by default) does what Pool(1)
does with fork: the main thread sleeps 250 ms (whatever utilization it had decays), runs
Python for `busy_ms` (5 by default; a fresh interpreter has run for tens of milliseconds
when it makes its pool, which leaves its CPU's utilization high), forks a child that runs
Python for `child_ms` (1 by default, a worker readying itself) and, as soon as os.fork()
returns, starts a thread. One JSON line a round: the CPU the parent ran on before the
fork, the child's CPU as the start began (where the kernel placed it), the CPU the new
thread ran its first Python on, start()'s wall time (ms), and whether the child was still
running when start() returned.
"""

import json
import os
import statistics
import sys
import threading
import time

WARM_UP = 20


def quartiles_us(values):
    return [round(v / 1000, 1) for v in statistics.quantiles(values, n=4)]


def main():
    starts = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    walls, cpus = [], []
    for _ in range(starts):
        seen = []
        t = threading.Thread(target=lambda: seen.append(time.thread_time_ns()))
        t0 = time.perf_counter_ns()
        t.start()
        walls.append(time.perf_counter_ns() - t0)
        t.join()
        cpus.append(seen[0])
    print(f"start_wall {quartiles_us(walls[WARM_UP:])} bootstrap_cpu {quartiles_us(cpus[WARM_UP:])} (us, quartiles)")


def cpu_of(stat="/proc/thread-self/stat"):
    """The CPU a thread or process last ran on: field 39 (`processor`) of its stat."""
    with open(stat) as f:
        return int(f.read().rsplit(")", 1)[1].split()[36])


def spin(ms):
    end = time.perf_counter() + ms / 1000
    while time.perf_counter() < end:
        pass


def beside_child(rounds, busy_ms, child_ms):
    for _ in range(rounds):
        time.sleep(0.25)  # the parent's utilization decays (PELT halves it every 32 ms)
        spin(busy_ms)
        parent_cpu = cpu_of()
        pid = os.fork()
        if pid == 0:
            spin(child_ms)
            os._exit(0)
        child_cpu = cpu_of(f"/proc/{pid}/stat")
        seen = []
        t = threading.Thread(target=lambda: seen.append(cpu_of()))
        t0 = time.perf_counter()
        t.start()
        wall = (time.perf_counter() - t0) * 1e3
        done, _ = os.waitpid(pid, os.WNOHANG)
        t.join()
        if done == 0:
            os.waitpid(pid, 0)
        print(json.dumps({"parent": parent_cpu, "child": child_cpu, "new": seen[0], "parent_after": cpu_of(),
                          "wall": round(wall, 3), "child_running": done == 0, "load": os.getloadavg()[0]}),
              flush=True)


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--beside-child":
        given = sys.argv[2:]
        beside_child(int(given[0]) if len(given) > 0 else 10, float(given[1]) if len(given) > 1 else 5.0,
                     float(given[2]) if len(given) > 2 else 1.0)
    else:
        main()
