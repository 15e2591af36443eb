"""GIL tenure and hand-off gap under contention, at switch intervals of 1, 5 and 20 ms,
measured from inside: two CPU-bound threads each read perf_counter_ns() in a tight loop;
a jump of more than 50 us between two reads means the thread lost the GIL. A thread's
run of reads between jumps is one tenure; the time from the end of one thread's tenure
to the start of the other's is one hand-off gap. `tenure` and `gap` are medians (the
first and last tenures, which the start and the end cut short, are left out).
Paired with fidelity/scenarios/gil-tenure.toml: compared with the model's median GIL hold.
"""

import threading
import time

import suite

JUMP_NS = 50_000


def spin(deadline_ns, out):
    clock = time.perf_counter_ns
    start = last = clock()
    while last < deadline_ns:
        now = clock()
        if now - last > JUMP_NS:
            out.append((start, last))
            start = now
        last = now
    out.append((start, last))


def measure(report, interval, seconds):
    with suite.switch_interval(interval), report.section(f"tenure_{round(interval * 1000)}ms", cores=2, busy=1) as s:
        runs = [[], []]
        deadline = time.perf_counter_ns() + int(seconds * 1e9)
        threads = [threading.Thread(target=spin, args=(deadline, out)) for out in runs]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        merged = sorted((begin, end, who) for who, out in enumerate(runs) for begin, end in out)
        merged = merged[1:-1]
        tenures = [(end - begin) / 1e9 for begin, end, _ in merged]
        gaps = [(b[0] - a[1]) / 1e9 for a, b in zip(merged, merged[1:]) if a[2] != b[2]]
        s.update(tenure=suite.median(tenures), gap=suite.median(gaps), tenures=len(tenures),
                 switch_interval=interval)


def main():
    report = suite.Report("gil_tenure")
    for interval, seconds in ((0.001, 0.3), (0.005, 0.5), (0.02, 1.0)):
        measure(report, interval, report.size(seconds, 0.05))
    report.print()


if __name__ == "__main__":
    main()
