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

The host's Python speed also jumps between levels within seconds (docs/cpython-traces.md,
"Off pace"), which taking turns does not cancel: each task returns its own CPU time, and each
section keeps its tasks' (`jobs_cpu`), the loops they were planned (`loops`) and its `pace`,
CPU seconds per loop; the runner leaves out a run whose compared sections' paces differ by
more than trace::CpuCheck::kPaceTolerance. The two thread_time() calls a task makes (well
under a microsecond each) are the loop's and the pools' alike.
"""

import multiprocessing
import time

import suite

TASKS = 2000
LOOPS = [0]


def task(_):
    """One task; returns its CPU time (thread_time: its own, whatever else the process runs)."""
    cpu = time.thread_time()
    suite.countdown(LOOPS[0])
    return time.thread_time() - cpu


def set_loops(loops):
    LOOPS[0] = loops
    for _ in range(10):
        suite.countdown(100)


def add_tasks(section, cpu_times):
    """The tasks' CPU time and the loops they were planned, for the section's pace."""
    section["jobs_cpu"] = section.get("jobs_cpu", 0.0) + sum(cpu_times)
    section["loops"] = section.get("loops", 0) + LOOPS[0] * len(cpu_times)
    section["pace"] = section["jobs_cpu"] / section["loops"]


def add_wait(section, waited):
    section["cpu_wait"] = section.get("cpu_wait", 0.0) + waited
    section["cpu_wait_limit"] = 0.05 * section["wall"]


def sequential(report, tasks, cpu):
    with suite.pinned(cpu):
        waited = suite.run_queue_wait()
        with report.section("sequential", cores=1, busy=1) as s:
            cpu_times = [task(i) for i in range(tasks)]
        add_wait(s, suite.run_queue_wait() - waited)
        add_tasks(s, cpu_times)


def pooled(name, chunksize, busy):
    def measure(report, tasks, cpu=None):
        pool = None
        try:
            with report.section(name, cores=2, busy=busy) as s:
                pool = multiprocessing.get_context("fork").Pool(2, initializer=set_loops, initargs=LOOPS)
                cpu_times = pool.map(task, range(tasks), chunksize)
            # The workers are reaped after the section, so their CPU time is read here.
            s["cpu"] += sum(suite.cpu_time_of(worker.pid) for worker in pool._pool)
        finally:
            if pool is not None:
                pool.terminate()
                pool.join()
        s["per_task"] = s["wall"] / (s["rounds"] * tasks)
        add_tasks(s, cpu_times)
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
