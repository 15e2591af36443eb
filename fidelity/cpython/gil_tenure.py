"""GIL tenure and hand-off gap under contention, at switch intervals of 1, 5 and 20 ms,
measured from inside: two CPU-bound threads each read perf_counter_ns() in a tight loop;
a jump of more than 50 us between two reads means the thread stopped running. A jump is a
GIL hand-off only when the other thread ran meanwhile: a jump with no run of the other
thread inside it is the kernel preempting the thread that holds the GIL (a busy machine,
a time slice of a few ms), and the tenure goes on. A thread's runs between two runs of the
other thread are one tenure; the time from the end of one thread's tenure to the start of
the other's is one hand-off gap.

`tenure` and `gap` are medians (the first and last tenures, which the start and the end
cut short, are left out); `preempted` counts the jumps that were not hand-offs.

A busy machine lengthens tenures: the kernel preempts the holder (a jump with no hand-off),
or the waiter's timed wait runs out while its CPU runs other work, and it waits for a time
slice (up to a 4 ms tick) before it can ask for the GIL. `disturbed` is the preemptions per
hand-off, the count the program can see (the waiter's late wake-ups cannot be counted one by
one: reading schedstat releases the GIL); `cpu_wait`, the two threads' total wait for a CPU
(/proc/thread-self/schedstat, read before and after), says how long both kinds lasted. The runner does not score a section disturbed past `disturbed_limit`, a third.

Each spinner is pinned to a CPU of its own, as two threads are placed on an idle two-core
machine: on a busy one, the kernel puts the sleeping waiter on the CPU of the thread that
wakes it, the two threads share one CPU beside the others' work, and every hand-off waits
for a time slice (a tenure of the interval plus about 3 ms, seen in `perf sched`).
Both threads start spinning together once the main thread is parked in join(): the main
thread needs the GIL to start a thread, and its turns would cut the spinners' tenures.
Paired with fidelity/scenarios/gil-tenure.toml: compared with the model's median GIL hold.
"""

import os
import threading
import time

import suite

JUMP_NS = 50_000
# A disturbance only lengthens a tenure: with at most a third of them disturbed, the median
# lies between the undisturbed tenures' median and their 75th percentile, which perf sched
# found within 0.5 % of each other at 5 ms.
DISTURBED_LIMIT = 1 / 3


def spin(cpu, go, deadline, out, waited):
    """Appends (start, end) per run of reads, and the thread's wait for a CPU over the
    spinning to `waited` (read before and after: reading a file releases the GIL)."""
    if cpu is not None:
        os.sched_setaffinity(0, {cpu})  # this thread only
    before = suite.run_queue_wait()
    go.wait()
    clock = time.perf_counter_ns
    deadline_ns = deadline[0]
    start = last = clock()
    while last < deadline_ns:
        now = clock()
        if now - last > JUMP_NS:
            out.append((start, last))
            start = now
        last = now
    out.append((start, last))
    waited.append(suite.run_queue_wait() - before)


def holds(runs):
    """The two threads' runs merged in time order into GIL holds [start, end, thread]: a run
    that follows a run of the same thread continues its hold (the kernel preempted the
    holder). Also how many runs did so."""
    merged = sorted((begin, end, who) for who, out in enumerate(runs) for begin, end in out)
    joined = []
    for begin, end, who in merged:
        if joined and joined[-1][2] == who:
            joined[-1][1] = end
        else:
            joined.append([begin, end, who])
    return joined, len(merged) - len(joined)


def measure(report, interval, seconds):
    go = threading.Event()
    deadline = [0]
    runs = [[], []]
    waited = []
    cpus = suite.two_cpus()
    threads = [threading.Thread(target=spin, args=(cpu, go, deadline, out, waited)) for cpu, out in zip(cpus, runs)]
    with suite.switch_interval(interval), report.section(f"tenure_{round(interval * 1000)}ms", cores=2, busy=1) as s:
        for t in threads:
            t.start()
        deadline[0] = time.perf_counter_ns() + int(seconds * 1e9)
        go.set()
        for t in threads:
            t.join()
    held, preempted = holds(runs)
    handoffs = len(held) - 1
    held = held[1:-1]  # the start and the end cut these short
    tenures = [(end - begin) / 1e9 for begin, end, _ in held]
    gaps = [(b[0] - a[1]) / 1e9 for a, b in zip(held, held[1:])]
    s.update(tenure=suite.median(tenures), gap=suite.median(gaps), tenures=len(tenures), preempted=preempted,
             switch_interval=interval, pinned=int(cpus[0] is not None), cpu_wait=sum(waited),
             disturbed=preempted / max(1, handoffs), disturbed_limit=DISTURBED_LIMIT)


def main():
    report = suite.Report("gil_tenure")
    for interval, seconds in ((0.001, 0.3), (0.005, 0.5), (0.02, 1.0)):
        measure(report, interval, report.size(seconds, 0.05))
    report.print()


if __name__ == "__main__":
    main()
