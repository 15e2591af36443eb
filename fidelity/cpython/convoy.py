"""The convoy effect (bpo-7946): an I/O thread beside a CPU-bound thread, with one and
with two GIL-releasing calls per operation, at switch intervals of 5 and 50 ms.

- one release: a 1 ms blocking wait (select() with a timeout), as in lesson 7;
- two releases: sendall() of one byte on a socketpair, then recv() of the answer, which
  a forked echo process (its own interpreter and GIL) sends back at once.

Every GIL-releasing call lets the CPU-bound thread take the GIL; the I/O thread then
waits for it up to a whole switch interval. CPython pays about one interval per release.
Each section's `per_op` is the I/O thread's mean time per operation; the `alone_*`
sections are the same operations with no CPU-bound thread (what each call costs alone).
The two-release sections make 40 operations (12 before; the one-release ones 12): each
operation loses zero, one or two intervals, so a mean of 12 swung by a third of an
interval from run to run, on top of what the threads' placement on the CPUs decides
(convoy_probe.py, docs/model.md G8).
Paired with fidelity/scenarios/convoy.toml. Times.
"""

import os
import select
import socket
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
    done = {}

    def io_thread():
        start = time.perf_counter()
        operation(ops, sock)
        done["per_op"] = (time.perf_counter() - start) / ops

    with suite.switch_interval(interval), report.section(name, cores=2 if hog else 1, busy=1 if hog else 0) as s:
        suite.beside_hog(io_thread, hog)
        s.update(per_op=done["per_op"], ops=ops, switch_interval=interval)


def main():
    report = suite.Report("convoy")
    mine, peer = socket.socketpair()
    child = os.fork()  # before any thread: the echo is a plain single-threaded process
    if child == 0:
        mine.close()
        echo(peer)
    peer.close()
    ops = report.size({"alone": 200, "one": 12, "two": 40}, {"alone": 20, "one": 2, "two": 2})
    measure(report, "alone_one", one_release, ops["alone"], mine, 0.005, hog=False)
    measure(report, "alone_two", two_releases, ops["alone"], mine, 0.005, hog=False)
    for interval in (0.005, 0.05):
        ms = round(interval * 1000)
        measure(report, f"one_{ms}ms", one_release, ops["one"], mine, interval, hog=True)
        measure(report, f"two_{ms}ms", two_releases, ops["two"], mine, interval, hog=True)
    mine.close()
    os.waitpid(child, 0)
    report.print()


if __name__ == "__main__":
    main()
