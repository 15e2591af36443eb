"""The speed of each CPU, measured by `gilsim_fidelity --cpython` before the programs run: not a
row of the suite, a characteristic of the machine that the model's runs are given
(docs/model.md S7, `[machine] core_speeds`).

The two CPUs of a virtual machine need not run at one speed (the host runs other work beside
them): on the development machine the same loop once took 50 ms on one and 80 ms on the other.
So the same loop of pure Python runs pinned to each CPU in turns (A B B A, so that a drift of
the machine cancels), and each CPU's figure is the median of its turns' times, less the time
the loop was runnable but waiting for that CPU (the kernel's schedstat: another program of
this machine, which is not the CPU's speed). Printed as one section per CPU, `cpu0`, `cpu1`:
`loop`, seconds per loop, and `turns`.
"""

import time

import suite

LOOP_SECONDS = 0.02  # of Python, per turn
TURNS = 8  # per CPU


def one_turn(loops, cpu):
    """The loop's wall time on `cpu` less its wait for the CPU. The clock encloses both reads of
    the wait: the kernel adds a wait to schedstat when the thread runs again, so every wait
    counted between the reads lies inside the timed span."""
    with suite.pinned(cpu):
        start = time.perf_counter()
        waited = suite.run_queue_wait()
        suite.countdown(loops)
        waited = suite.run_queue_wait() - waited
        return time.perf_counter() - start - waited


def main():
    report = suite.Report("cpu_speeds")
    loops = int(suite.loops_per_second() * report.size(LOOP_SECONDS, 0.002))
    suite.countdown(1000)  # warm the loop up
    cpus = suite.two_cpus()
    times = {cpu: [] for cpu in cpus}
    for turn in range(report.size(TURNS, 2)):
        for cpu in cpus if turn % 2 == 0 else cpus[::-1]:
            times[cpu].append(one_turn(loops, cpu))
    for index, cpu in enumerate(cpus):
        report.sections[f"cpu{index}"] = {"cores": 1, "busy": 0, "wall": sum(times[cpu]), "cpu": 0.0,
                                          "loop": suite.median(times[cpu]), "turns": len(times[cpu]),
                                          "cpu_id": -1 if cpu is None else cpu}
    report.print()


if __name__ == "__main__":
    main()
