"""Per-task cost of a process pool: 2,000 tasks of 50 us of Python each, on Pool(2) with
chunksize 1 (every task a message there and back) and with Pool.map's default chunks
(ceil(2000 / (2 * 4)) = 250), against a plain loop. Ratios (pool / sequential); the
`per_task` field is the pool's time per task.
Paired with fidelity/scenarios/pool-chunks.toml.

A pool's section runs from Pool() to map()'s last result, as the model's makespan does: it
includes starting the workers (fork) and leaves out the teardown after the results are in
(terminate() and join(), 2 to 3 ms that the model does not simulate). The sections run in
turns, sequential, chunksize 1, default, default, chunksize 1, sequential, and each
section's wall time is the sum of its turns; the loop's two turns are pinned one to each
CPU, since the two CPUs of a virtual machine need not run at one speed and the pools use
both (see cpu_bound.py). The loop reports how long it waited for a CPU (the kernel's
schedstat), and the runner does not score it past 5 % of its wall time. A pool's wait is
not checked that way: with chunksize 1 its five busy threads (two workers, the parent's
task and result handlers, the main thread) wait for each other's cores every message, so
their wait says nothing about the machine; the free-core probe before the run does.
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


def add_wait(section, waited):
    section["cpu_wait"] = section.get("cpu_wait", 0.0) + waited
    section["cpu_wait_limit"] = 0.05 * section["wall"]


def sequential(report, tasks, cpu):
    with suite.pinned(cpu):
        waited = suite.run_queue_wait()
        with report.section("sequential", cores=1, busy=1) as s:
            for i in range(tasks):
                task(i)
        add_wait(s, suite.run_queue_wait() - waited)


def pooled(name, chunksize, busy):
    def measure(report, tasks, cpu=None):
        pool = None
        try:
            with report.section(name, cores=2, busy=busy) as s:
                pool = multiprocessing.get_context("fork").Pool(2, initializer=set_loops, initargs=LOOPS)
                pool.map(task, range(tasks), chunksize)
            # The workers are reaped after the section, so their CPU time is read here.
            s["cpu"] += sum(suite.cpu_time_of(worker.pid) for worker in pool._pool)
        finally:
            if pool is not None:
                pool.terminate()
                pool.join()
        s["per_task"] = s["wall"] / (s["rounds"] * tasks)
    return measure


def main():
    report = suite.Report("pool_chunks")
    suite.import_pool_modules()
    tasks = report.size(TASKS, 40)
    set_loops(int(suite.loops_per_second() * 50e-6))
    first, second = suite.two_cpus()
    # Eight chunks of 250 keep both workers busy (checked: CPU time of 75 % of two cores);
    # chunksize 1 keeps them waiting for messages by design, so only the free cores are checked.
    chunks_1, default = pooled("chunksize_1", 1, 0), pooled("default", None, 2)
    for measure, cpu in ((sequential, first), (chunks_1, None), (default, None), (default, None), (chunks_1, None),
                         (sequential, second)):
        measure(report, tasks, cpu)
    report.print()


if __name__ == "__main__":
    main()
