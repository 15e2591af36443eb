"""Lesson 15's unsafe half on one CPU: do updates get lost when threads share one core?

Four threads each do `counter += one()` 20,000 times at a 0.1 ms switch interval, as
scenarios/15-lost-update.toml's `unsafe` job does, started one after another as the threads
executor starts them. Run it pinned to one CPU (docs/model.md T1a, *On one core*):

    taskset -c 0 /usr/bin/python3 fidelity/cpython/one_core_starts.py [RUNS]

Each run prints the counter, the run's wall time, how long after the first thread began
its loop the starter was back from start() (it needed the GIL back from that thread), and
whether the second thread ended its loop before the first. A last line sums them up with
the load average before and after.
"""
import os
import sys
import threading
import time

LOOPS = 20_000
THREADS = 4


def one():
    return 1


def run_once():
    global counter
    counter = 0
    began, ended = {}, {}

    def work(i):
        global counter
        began[i] = time.perf_counter()
        for _ in range(LOOPS):
            counter += one()
        ended[i] = time.perf_counter()

    threads = [threading.Thread(target=work, args=(i,)) for i in range(THREADS)]
    t0 = time.perf_counter()
    back = []
    for t in threads:
        t.start()
        back.append(time.perf_counter())
    for t in threads:
        t.join()
    wall = time.perf_counter() - t0
    return counter, wall, back[0] - began[0], ended[1] < ended[0]


def main():
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 15
    sys.setswitchinterval(0.0001)
    load_before = os.getloadavg()
    lost_runs, second_first = 0, 0
    for n in range(runs):
        value, wall, back, second_before_first = run_once()
        lost_runs += value < LOOPS * THREADS
        second_first += second_before_first
        print(f"run {n + 1}: counter {value:,} of {LOOPS * THREADS:,}, {wall * 1e3:.1f} ms, starter back "
              f"{back * 1e3:.2f} ms after the first thread began, second thread done first: {second_before_first}")
    cpus = len(os.sched_getaffinity(0))
    print(f"{lost_runs} of {runs} runs lost updates; the second thread ended first in {second_first}; "
          f"{cpus} CPU(s) allowed; load average before {load_before[0]:.2f}, after {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
