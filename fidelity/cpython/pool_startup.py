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
"""

import multiprocessing
import subprocess
import sys
import time

import suite


def nothing(x):
    return x


def first_result(method, workers):
    start = time.perf_counter()
    with multiprocessing.get_context(method).Pool(workers) as pool:
        next(pool.imap_unordered(nothing, range(4), chunksize=1))
        return time.perf_counter() - start


def first_pool(method, workers):
    """first_result() of a fresh interpreter's first pool."""
    run = subprocess.run([sys.executable, __file__, "--first", method, str(workers)], check=True,
                         stdout=subprocess.PIPE, text=True)
    return float(run.stdout)


SAMPLES = {"fork": 5, "spawn": 3}


def main():
    report = suite.Report("pool_startup")
    for method in ("fork", "spawn"):
        with report.section(method, cores=2) as s:
            ones, fours = [], []
            for _ in range(report.size(SAMPLES[method], 1)):
                ones.append(first_pool(method, 1))
                fours.append(first_pool(method, 4))
            one, four = suite.median(ones), suite.median(fours)
            s.update(first_1=one, first_4=four, per_worker=(four - one) / 3, samples=len(ones))
    report.print()


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--first":
        suite.import_pool_modules()
        print(first_result(sys.argv[2], int(sys.argv[3])))
    else:
        main()
