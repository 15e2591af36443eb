"""Per-task cost of a process pool: 2,000 tasks of 50 us of Python each, on Pool(2) with
chunksize 1 (every task a message there and back) and with Pool.map's default chunks
(ceil(2000 / (2 * 4)) = 250), against a plain loop. Ratios (pool / sequential); the
`per_task` field is the pool's time per task.
Paired with fidelity/scenarios/pool-chunks.toml.
"""

import multiprocessing

import suite

TASKS = 2000
LOOPS = [0]


def task(_):
    suite.countdown(LOOPS[0])


def set_loops(loops):
    LOOPS[0] = loops
    for _ in range(10):
        suite.countdown(100)


def main():
    report = suite.Report("pool_chunks")
    suite.import_pool_modules()
    tasks = report.size(TASKS, 40)
    set_loops(int(suite.loops_per_second() * 50e-6))
    with report.section("sequential", cores=1, busy=1) as s:
        for i in range(tasks):
            task(i)
    for name, chunksize in (("chunksize_1", 1), ("default", None)):
        with report.section(name, cores=2) as s:
            with multiprocessing.get_context("fork").Pool(2, initializer=set_loops, initargs=LOOPS) as pool:
                pool.map(task, range(tasks), chunksize)
        s["per_task"] = s["wall"] / tasks
    report.print()


if __name__ == "__main__":
    main()
