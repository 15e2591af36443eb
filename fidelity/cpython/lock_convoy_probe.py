#!/usr/bin/env python3
"""Lesson 15's locked loop on CPython: four threads against the same loops one after another.

Four threads each run `with lock: safe += one()` 20,000 times (scenarios/15-lost-update.toml's
`locked` jobs) at a switch interval of 0.1 ms, and the same four loops run one after
another in one thread. Prints per case the median wall and CPU time and how often the lock
changed hands (two consecutive iterations by different threads): the convoy of docs/model.md
L7 and L8 (`gilsim run scenarios/15-lost-update.toml --set cores=2` gives the model's figure
for the whole lesson on 2 cores). The two cases take turns
(A B B A), so a ratio compares like with like on a busy machine. Each thread's loop is
20,000 iterations, the lesson's, or ITERATIONS. Usage:
    python3 lock_convoy_probe.py [SWITCH_INTERVAL_S [ROUNDS [ITERATIONS]]]
Compare with the real executor's run of the same jobs:
    gilsim run scenarios/15-lost-update.toml --run sequential --run threads --real-only
"""
import sys
import threading
import time

THREADS = 4
per_thread = 20_000
safe = 0
lock = threading.Lock()
log = []


def one():
    return 1


def locked(me):
    global safe
    note = log.append
    for _ in range(per_thread):
        with lock:
            safe += one()
            note(me)


def run(in_threads):
    global log, safe
    log = []
    safe = 0
    wall = time.perf_counter()
    cpu = time.process_time()
    if in_threads:
        threads = [threading.Thread(target=locked, args=(k,)) for k in range(THREADS)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    else:
        for k in range(THREADS):
            locked(k)
    wall = time.perf_counter() - wall
    cpu = time.process_time() - cpu
    hand_offs = sum(1 for a, b in zip(log, log[1:]) if a != b)
    return wall * 1e3, cpu * 1e3, hand_offs


def main():
    global per_thread
    sys.setswitchinterval(float(sys.argv[1]) if len(sys.argv) > 1 else 0.0001)
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 7
    per_thread = int(sys.argv[3]) if len(sys.argv) > 3 else per_thread
    results = {False: [], True: []}
    for _ in range(rounds):
        for in_threads in (False, True, True, False):
            results[in_threads].append(run(in_threads))
    medians = {}
    for in_threads in (False, True):
        runs = sorted(results[in_threads])
        wall, cpu, _ = runs[len(runs) // 2]
        hand_offs = sorted(r[2] for r in runs)
        medians[in_threads] = wall
        print(f"{'4 threads ' if in_threads else 'sequential'} wall median {wall:.1f} ms, cpu {cpu:.1f} ms, "
              f"lock hand-offs median {hand_offs[len(hand_offs) // 2]} (from {hand_offs[0]} to {hand_offs[-1]})")
    print(f"4 threads / sequential: {medians[True] / medians[False]:.2f}")


if __name__ == "__main__":
    main()
