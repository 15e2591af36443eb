"""CPU-bound threads against sequential and a process pool: four jobs of pure Python on
two cores. Paired with fidelity/scenarios/cpu-bound.toml.

The classic demonstration: four threads are no faster than a loop (CPython: a little
slower, the GIL changing hands across cores); Pool(2) is about twice as fast.
Figures compared as ratios (threads / sequential, pool / sequential): the machine's speed
drifts between runs, a ratio measured in one run does not.
"""

import multiprocessing
import threading

import suite

JOBS = 4


def crunch(loops):
    suite.countdown(loops)


def main():
    report = suite.Report("cpu_bound")
    suite.import_pool_modules()
    loops = int(suite.loops_per_second() * report.size(0.2, 0.005))  # 200 ms of Python per job
    crunch(1000)  # warm the loop up (3.11 specialises a function after a few calls)

    with report.section("sequential", cores=1, busy=1) as s:
        for _ in range(JOBS):
            crunch(loops)
    with report.section("threads", cores=2, busy=1) as s:
        threads = [threading.Thread(target=crunch, args=(loops,)) for _ in range(JOBS)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    with report.section("pool", cores=2, busy=2) as s:
        with multiprocessing.get_context("fork").Pool(2) as pool:
            pool.map(crunch, [loops] * JOBS, chunksize=1)
    report.print()


if __name__ == "__main__":
    main()
