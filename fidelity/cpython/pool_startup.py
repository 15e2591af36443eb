"""Pool start-up with fork and with spawn: the time from multiprocessing.Pool(N) to the
first result of four trivial tasks (chunksize 1), for N = 1 and N = 4 (on two cores), and
the cost per extra worker, (first(4) - first(1)) / 3. Pool() starts its workers one after another in
the parent before it returns; a spawned worker starts a new interpreter.
Paired with fidelity/scenarios/pool-startup.toml. Times.

Each figure is the median of several pools (five with fork, three with spawn), Pool(1) and
Pool(4) in turns, after one untimed pool of the method: the first pool of a process pays for
one-time set-up, and one sample of each, as before, gave a per-worker cost below zero
whenever Pool(1) drew the slow one.
"""

import multiprocessing
import time

import suite


def nothing(x):
    return x


def first_result(method, workers):
    start = time.perf_counter()
    with multiprocessing.get_context(method).Pool(workers) as pool:
        next(pool.imap_unordered(nothing, range(4), chunksize=1))
        return time.perf_counter() - start


SAMPLES = {"fork": 5, "spawn": 3}


def main():
    report = suite.Report("pool_startup")
    suite.import_pool_modules()
    for method in ("fork", "spawn"):
        first_result(method, 1)  # the first pool of each method pays for one-time set-up
        with report.section(method, cores=2) as s:
            ones, fours = [], []
            for _ in range(report.size(SAMPLES[method], 1)):
                ones.append(first_result(method, 1))
                fours.append(first_result(method, 4))
            one, four = suite.median(ones), suite.median(fours)
            s.update(first_1=one, first_4=four, per_worker=(four - one) / 3, samples=len(ones))
    report.print()


if __name__ == "__main__":
    main()
