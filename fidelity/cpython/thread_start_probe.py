"""A probe of threading.Thread.start() (not a row of the suite), for docs/model.md T1a.

    python3 fidelity/cpython/thread_start_probe.py [starts]

Starts one thread at a time (200 by default, the first 20 left out as warm-up) and joins
it before the next. It prints the quartiles of two figures, in microseconds:

- `start_wall`: the wall time of start() in the starting thread: its own part, then its
  wait in `_started.wait()` until the new thread has set the Event and it has the GIL back;
- `bootstrap_cpu`: the new thread's CPU time (`time.thread_time_ns()`) when its target
  begins: taking the GIL and `_bootstrap_inner` up to `run()`.
"""

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


if __name__ == "__main__":
    main()
