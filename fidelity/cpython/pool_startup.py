"""Pool start-up with fork and with spawn: the time from multiprocessing.Pool(N) to the
first result of four trivial tasks (chunksize 1), for N = 1 and N = 4 (on two cores), and
the cost per extra worker, (first(4) - first(1)) / 3. Pool() starts its workers one after another in
the parent before it returns; a spawned worker starts a new interpreter.
Paired with fidelity/scenarios/pool-startup.toml. Times.
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


def main():
    report = suite.Report("pool_startup")
    suite.import_pool_modules()
    for method in ("fork", "spawn"):
        with report.section(method, cores=2) as s:
            one = first_result(method, 1)
            four = first_result(method, 4)
            s.update(first_1=one, first_4=four, per_worker=(four - one) / 3)
    report.print()


if __name__ == "__main__":
    main()
