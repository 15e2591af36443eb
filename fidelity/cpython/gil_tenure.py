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
slice (up to a 4 ms tick) before it can ask for the GIL. A preemption in the middle of a
tenure does not lengthen it (the waiter's timed wait runs on regardless); one that covers the
tenure's end does, since the holder sees the drop request only when it runs again. With the
holder preempted a fraction f of the time it held the GIL, a tenure's end falls inside a
preemption with probability f, whatever the tenure's length. A waiter whose timed wait runs
out while its CPU runs other work waits for a time slice, a large part of a 4 ms tick (HZ is
250 on the test machine), and that lengthens the tenure by more than a millisecond, where an
undisturbed tenure exceeds the interval by about 0.1 ms (the timer slack and a wake-up): the
program cannot see the waiter's wait (reading schedstat releases the GIL), but it can count
those tenures. `disturbed` is the larger of the two fractions of tenures: the holder's
preempted time over its held time (`preempted_share`), and the tenures longer than the
interval by more than `LATE` (`late_share`). Both are fractions of tenures, whatever their
length. (It was the holder's preemptions per hand-off, which grows with the tenure at a
steady rate of preemptions: on a quiet machine a 20 ms tenure saw 1.7 preemptions of a few
tens of us each, under 1 % of its time, and was never scored; and it did not see the
waiter's late wake-ups at all.) `cpu_wait`, the two threads' total wait for a CPU
(/proc/thread-self/schedstat, read before and after), says how long both kinds lasted. The
runner does not score a section disturbed past `disturbed_limit`, a third.

Each spinner is pinned to a CPU of its own, as two threads are placed on an idle two-core
machine: on a busy one, the kernel puts the sleeping waiter on the CPU of the thread that
wakes it, the two threads share one CPU beside the others' work, and every hand-off waits
for a time slice (a tenure of the interval plus about 3 ms, seen in `perf sched`).
Both threads start spinning together once the main thread is parked in join(): the main
thread needs the GIL to start a thread, and its turns would cut the spinners' tenures.
Paired with fidelity/scenarios/gil-tenure.toml: compared with the model's median GIL hold.

Not read by the suite's rows, for calibration (docs/model.md G2a): the hand-offs split by their
gap. The gaps fall in two groups, a few microseconds (the new holder ran while the dropper was
still in drop_gil's signal of it, so the dropper never slept on switch_cond) and some tens (the
new holder woke later: the dropper slept on switch_cond, and take_gil's signal of it is a futex
wake-up before the new holder's first bytecode). `fast_share` is the share of gaps under
`FAST_GAP`; `tenure_after_fast` and `tenure_after_slow`, the median tenure that follows each kind.
"""

import os
import threading
import time

import suite

JUMP_NS = 50_000
# A disturbance only lengthens a tenure: with the holder preempted at most a third of its
# held time, at most a third of the tenures end inside a preemption, and the median lies
# between the undisturbed tenures' median and their 75th percentile, which perf sched found
# within 0.5 % of each other at 5 ms.
DISTURBED_LIMIT = 1 / 3
# A tenure this much longer than the interval was lengthened by a late wake-up of the waiter.
LATE = 0.001
# Between the two groups of gaps: 3 to 7 us and 25 to 50 us at 1 and 5 ms (load 5.2 to 5.5).
FAST_GAP = 15e-6


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
    holder). Also how many runs did so, and for how long in all (ns)."""
    merged = sorted((begin, end, who) for who, out in enumerate(runs) for begin, end in out)
    joined = []
    preempted_ns = 0
    for begin, end, who in merged:
        if joined and joined[-1][2] == who:
            preempted_ns += begin - joined[-1][1]
            joined[-1][1] = end
        else:
            joined.append([begin, end, who])
    return joined, len(merged) - len(joined), preempted_ns


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
    held, preempted, preempted_ns = holds(runs)
    held_ns = sum(end - begin for begin, end, _ in held)
    held = held[1:-1]  # the start and the end cut these short
    tenures = [(end - begin) / 1e9 for begin, end, _ in held]
    gaps = [(b[0] - a[1]) / 1e9 for a, b in zip(held, held[1:])]
    preempted_share = preempted_ns / max(1, held_ns)
    late_share = sum(1 for t in tenures if t > interval + LATE) / max(1, len(tenures))
    after = list(zip(gaps, tenures[1:]))  # each gap and the tenure it begins
    after_fast = [t for gap, t in after if gap < FAST_GAP]
    after_slow = [t for gap, t in after if gap >= FAST_GAP]
    s.update(tenure=suite.median(tenures), gap=suite.median(gaps), tenures=len(tenures), preempted=preempted,
             switch_interval=interval, pinned=int(cpus[0] is not None), cpu_wait=sum(waited),
             preempted_time=preempted_ns / 1e9, preempted_share=preempted_share, late_share=late_share,
             disturbed=max(preempted_share, late_share), disturbed_limit=DISTURBED_LIMIT,
             fast_share=len(after_fast) / max(1, len(after)), tenure_after_fast=suite.median(after_fast),
             tenure_after_slow=suite.median(after_slow))


def main():
    report = suite.Report("gil_tenure")
    for interval, seconds in ((0.001, 0.3), (0.005, 0.5), (0.02, 1.0)):
        measure(report, interval, report.size(seconds, 0.05))
    report.print()


if __name__ == "__main__":
    main()
