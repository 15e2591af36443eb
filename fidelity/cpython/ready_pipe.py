"""The ready-pipe race: os.read() of one byte from a pipe that is already readable, beside
a CPU-bound thread (switch interval 5 ms). The read releases the GIL for well under a
microsecond; the CPU-bound thread, woken by the release, may or may not take the GIL
before the reader asks for it again. When it does, the reader waits a whole interval.
So each read either keeps the GIL (microseconds) or loses an interval, from read to read
and from run to run. `kept` and `lost` count the reads of each kind (lost: longer than
half an interval); `kept_median` and `lost_median` are their typical times.
Paired with fidelity/scenarios/ready-pipe.toml: the row passes when the model shows both
outcomes across seeds.
"""

import os
import time

import suite

INTERVAL = 0.005


def main():
    report = suite.Report("ready_pipe")
    reads = report.size(200, 5)
    r, w = os.pipe()
    os.write(w, b"x" * reads)  # everything readable before the first read
    times = []

    def reader():
        clock = time.perf_counter_ns
        for _ in range(reads):
            start = clock()
            os.read(r, 1)
            times.append((clock() - start) / 1e9)

    with suite.switch_interval(INTERVAL), report.section("race_5ms", cores=2, busy=1) as s:
        suite.beside_hog(reader)
        lost = [t for t in times if t > INTERVAL / 2]
        kept = [t for t in times if t <= INTERVAL / 2]
        s.update(reads=reads, lost=len(lost), kept=len(kept), lost_median=suite.median(lost),
                 kept_median=suite.median(kept), switch_interval=INTERVAL)
    os.close(r)
    os.close(w)
    report.print()


if __name__ == "__main__":
    main()
