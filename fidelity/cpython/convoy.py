"""The convoy effect (bpo-7946): an I/O thread beside a CPU-bound thread, with one and
with two GIL-releasing calls per operation, at switch intervals of 5 and 50 ms.

- one release: a 1 ms blocking wait (select() with a timeout), as in lesson 7;
- two releases: sendall() of one byte on a socketpair, then recv() of the answer, which
  a forked echo process (its own interpreter and GIL) sends back at once.

Every GIL-releasing call lets the CPU-bound thread take the GIL; the I/O thread then
waits for it up to a whole switch interval. How often it does with two releases depends
on where the three threads run (docs/model.md G8 and S9, convoy_probe.py), so those
sections pin them, as os.sched_setaffinity does, in named placements of the I/O thread,
the CPU-bound thread and the echo on the first two CPUs this process may use:

- alone: the I/O thread and the echo on the first CPU, the CPU-bound thread alone on
  the second;
- echo: the CPU-bound thread beside the echo on the second CPU, the I/O thread alone;
- io: the CPU-bound thread beside the I/O thread on the first, the echo alone.

Each section's `per_op` is the I/O thread's mean time per operation; `pinned` is 1 when the
placement could be made (two CPUs allowed), else 0; `cpu_wait` is how long its threads were
runnable but waiting for a CPU (schedstat) and `hog_cpu_wait` the CPU-bound thread's part,
kept for calibration (in --raw), with no limit: on a busy machine the CPU-bound thread can
wait for its CPU behind another session's process while the I/O thread's calls meet no
waiter (docs/model.md G8, "Who wins which call"), but it also waits behind the I/O thread
or the echo by design where it shares their CPU, so no one share of the wall time tells the
two apart. The `alone_*` sections are the same
operations with no CPU-bound thread (what each call costs alone), unpinned.
Paired with fidelity/scenarios/convoy-*.toml. Times.
"""

import os
import select
import socket
import threading
import time

import suite

# name: (I/O thread, CPU-bound thread, echo), as indexes into the two CPUs.
PLACEMENTS = {"alone": (0, 1, 0), "echo": (0, 1, 1), "io": (0, 0, 1)}


def pin(cpu):
    if cpu is not None:
        os.sched_setaffinity(0, {cpu})


def start_echo(cpu):
    """A forked single-threaded process that answers every byte at once, until the
    socket closes, pinned to `cpu`; forked before any thread of its section."""
    mine, peer = socket.socketpair()
    child = os.fork()
    if child == 0:
        mine.close()
        pin(cpu)
        while True:
            data = peer.recv(64)
            if not data:
                os._exit(0)
            peer.sendall(data)
    peer.close()
    return mine, child


def one_release(ops, _sock):
    for _ in range(ops):
        select.select([], [], [], 0.001)


def two_releases(ops, sock):
    for _ in range(ops):
        sock.sendall(b"x")
        sock.recv(64)


def measure(report, name, operation, ops, sock, interval, hog, io_cpu=None, hog_cpu=None, pinned=0):
    """Times `ops` operations on a thread, beside a CPU-bound thread when `hog`, each
    thread pinned to its CPU (None: left to the kernel) as its first statement."""
    done = {}
    waited = {}
    stop = threading.Event()

    def io_thread():
        pin(io_cpu)
        before = suite.run_queue_wait()
        try:
            start = time.perf_counter()
            operation(ops, sock)
            done["per_op"] = (time.perf_counter() - start) / ops
        finally:
            waited["io"] = suite.run_queue_wait() - before
            stop.set()

    def cpu_bound():
        pin(hog_cpu)
        before = suite.run_queue_wait()
        while not stop.is_set():
            suite.countdown(1000)
        waited["hog"] = suite.run_queue_wait() - before

    threads = [threading.Thread(target=cpu_bound)] if hog else []  # started first: it holds the GIL
    threads.append(threading.Thread(target=io_thread))
    with suite.switch_interval(interval), report.section(name, cores=2 if hog else 1, busy=1 if hog else 0) as s:
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        s.update(per_op=done["per_op"], ops=ops, switch_interval=interval, pinned=pinned,
                 cpu_wait=sum(waited.values()), hog_cpu_wait=waited.get("hog", 0.0))


def main():
    report = suite.Report("convoy")
    cpus = suite.two_cpus()
    pinned = 1 if cpus[0] is not None else 0  # JSON numbers only
    ops = report.size({"alone": 200, "one": 12, "two": 40}, {"alone": 20, "one": 2, "two": 2})
    sock, child = start_echo(None)
    measure(report, "alone_one", one_release, ops["alone"], sock, 0.005, hog=False)
    measure(report, "alone_two", two_releases, ops["alone"], sock, 0.005, hog=False)
    for interval in (0.005, 0.05):
        measure(report, f"one_{round(interval * 1000)}ms", one_release, ops["one"], sock, interval, hog=True)
    sock.close()
    os.waitpid(child, 0)
    for placement, (io, hog, echo) in PLACEMENTS.items():
        sock, child = start_echo(cpus[echo])
        for interval in (0.005, 0.05):
            measure(report, f"two_{placement}_{round(interval * 1000)}ms", two_releases, ops["two"], sock, interval,
                    hog=True, io_cpu=cpus[io], hog_cpu=cpus[hog], pinned=pinned)
        sock.close()
        os.waitpid(child, 0)
    report.print()


if __name__ == "__main__":
    main()
