"""The benchmark's headline workload written for SimPy (Debian's python3-simpy, SimPy 2):
N CPU-bound threads share one GIL, modelled as a FIFO resource with one holder, each
holding it for at most one switch interval at a time. Prints, timed inside this process
around the simulation: wall seconds, CPU seconds, simulated end time in seconds,
hand-offs, peak RSS in KiB."""
import resource
import sys
import time

from SimPy.Simulation import Process, Resource, activate, hold, initialize, now, release, request, simulate


class PythonThread(Process):
    handoffs = 0

    def run(self, gil, work, interval):
        remaining = work
        while remaining > 1e-12:
            yield request, self, gil
            PythonThread.handoffs += 1
            slice_ = min(interval, remaining)
            yield hold, self, slice_
            remaining -= slice_
            yield release, self, gil


def main():
    threads = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    work = float(sys.argv[2]) if len(sys.argv) > 2 else 1.0
    interval = float(sys.argv[3]) if len(sys.argv) > 3 else 0.005
    started = time.perf_counter()
    cpu_started = time.process_time()
    initialize()
    gil = Resource(capacity=1, name="GIL")
    for i in range(threads):
        t = PythonThread(name=f"T{i + 1}")
        activate(t, t.run(gil, work, interval))
    simulate(until=1e12)
    wall = time.perf_counter() - started
    cpu = time.process_time() - cpu_started
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(f"{wall:.6f} {cpu:.6f} {now():.6f} {PythonThread.handoffs} {peak_kib}")


if __name__ == "__main__":
    main()
