"""The convoy effect (bpo-7946): an I/O thread beside a CPU-bound thread, with one and
with two GIL-releasing calls per operation, at switch intervals of 5 and 50 ms.

- one release: a 1 ms blocking wait (select() with a timeout), as in lesson 7;
- two releases: sendall() of one byte on a socketpair, then recv() of the answer, which
  a forked echo process (its own interpreter and GIL) sends back at once.

Every GIL-releasing call lets the CPU-bound thread take the GIL; the I/O thread then
waits for it up to a whole switch interval. CPython pays about one interval per release.
Each section's `per_op` is the I/O thread's mean time per operation; the `alone_*`
sections are the same operations with no CPU-bound thread (what each call costs alone).
Paired with fidelity/scenarios/convoy.toml. Times.
"""

import os
import select
import socket
import sys
import threading
import time

import suite


def echo(sock):
    """The peer: answers every byte at once, until the socket closes."""
    while True:
        data = sock.recv(64)
        if not data:
            os._exit(0)
        sock.sendall(data)


def one_release(ops, _sock):
    for _ in range(ops):
        select.select([], [], [], 0.001)


def two_releases(ops, sock):
    for _ in range(ops):
        sock.sendall(b"x")
        sock.recv(64)


def measure(report, name, operation, ops, sock, interval, hog):
    """Times `ops` operations on a thread, beside a CPU-bound thread when `hog`."""
    stop = threading.Event()
    done = {}

    def io_thread():
        start = time.perf_counter()
        operation(ops, sock)
        done["per_op"] = (time.perf_counter() - start) / ops
        stop.set()

    def cpu_thread():
        while not stop.is_set():
            suite.countdown(1000)

    default = sys.getswitchinterval()
    sys.setswitchinterval(interval)
    try:
        with report.section(name, cores=2 if hog else 1, busy=1 if hog else 0) as s:
            threads = [threading.Thread(target=io_thread)]
            if hog:
                threads.append(threading.Thread(target=cpu_thread))
            for t in reversed(threads):  # the hog first, so that it holds the GIL
                t.start()
            for t in threads:
                t.join()
            s["per_op"] = done["per_op"]
            s["ops"] = ops
            s["switch_interval"] = interval
    finally:
        sys.setswitchinterval(default)


def main():
    report = suite.Report("convoy")
    mine, peer = socket.socketpair()
    child = os.fork()  # before any thread: the echo is a plain single-threaded process
    if child == 0:
        mine.close()
        echo(peer)
    peer.close()
    ops = report.size({"alone": 200, 0.005: 12, 0.05: 12}, {"alone": 20, 0.005: 2, 0.05: 2})
    measure(report, "alone_one", one_release, ops["alone"], mine, 0.005, hog=False)
    measure(report, "alone_two", two_releases, ops["alone"], mine, 0.005, hog=False)
    for interval in (0.005, 0.05):
        ms = round(interval * 1000)
        measure(report, f"one_{ms}ms", one_release, ops[interval], mine, interval, hog=True)
        measure(report, f"two_{ms}ms", two_releases, ops[interval], mine, interval, hog=True)
    mine.close()
    os.waitpid(child, 0)
    report.print()


if __name__ == "__main__":
    main()
