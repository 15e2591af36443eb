"""Where the convoy with two releases per operation comes from: the placement of its three
threads on the CPUs (docs/model.md G8, "the convoy with two releases").

The I/O thread makes `sendall()` of one byte, then `recv()` of the echo's answer (a forked
single-threaded process), beside a CPU-bound thread, as convoy.py's two_* sections do. Each
placement pins the I/O thread, the CPU-bound thread and the echo process to CPUs
("io,hog,echo", e.g. "0,1,1"), or leaves them to the kernel ("free"). Per operation it
times each call (the call and the GIL's re-acquisition after it) and counts the calls after
which the I/O thread waited more than half an interval for the GIL (a lost interval). It
also splits each kind of call by what the CPU-bound thread was doing as the call began: just
released from `switch_cond` (the call before was lost, so the I/O thread has only now taken
the GIL back from it, and `take_gil`'s signal is waking it) or asleep in its timed wait (the
call before was kept): `*_lost_after_lost` and `*_lost_after_kept` are "lost of n" pairs, so
how often a released CPU-bound thread wakes within each call is read per call. Nothing
runs between the two calls but the clock and `resource.getrusage(RUSAGE_THREAD)`, a system
call made with the GIL held (reading /proc would drop it once more): `sendall_preempted`
counts the `sendall` calls during which the I/O thread had an involuntary context switch
(with the echo on its CPU: the echo, woken by the byte, preempting it), `_kept` and `_lost`
split them by the call's outcome (docs/model.md G8c).

    flock /work/cpython.lock setsid nice -n -20 /usr/bin/python3 convoy_probe.py OPS \
        INTERVAL[,INTERVAL...] PLACEMENT[ PLACEMENT...]

One JSON line per placement and interval. Run as root, it gives its session's autogroup its
own nice value (else nice counts only inside the session, against other sessions' builds).
Standard library only.
"""

import json
import resource
import os
import socket
import statistics
import sys
import threading
import time


def countdown(n):
    while n > 0:
        n -= 1


def echo(sock, cpu):
    if cpu is not None:
        os.sched_setaffinity(0, {cpu})
    while True:
        data = sock.recv(64)
        if not data:
            os._exit(0)
        sock.sendall(data)


def forked_echo(cpu):
    """A socket pair whose other end a forked echo process answers (pinned to `cpu`; None:
    where the kernel puts it), forked before any thread of the round: our end and its pid.
    Closing our end ends it."""
    mine, peer = socket.socketpair()
    pid = os.fork()
    if pid == 0:
        mine.close()
        echo(peer, cpu)
    peer.close()
    return mine, pid


def run(sock, interval, ops, io_cpu, hog_cpu):
    sys.setswitchinterval(interval)
    stop = threading.Event()
    calls = []
    ivcsw = []

    def io_thread():
        if io_cpu is not None:
            os.sched_setaffinity(0, {io_cpu})
        for _ in range(ops):
            r0 = resource.getrusage(resource.RUSAGE_THREAD).ru_nivcsw
            t0 = time.perf_counter_ns()
            sock.sendall(b"x")
            t1 = time.perf_counter_ns()
            r1 = resource.getrusage(resource.RUSAGE_THREAD).ru_nivcsw
            sock.recv(64)
            t2 = time.perf_counter_ns()
            calls.append((t1 - t0, t2 - t1))
            ivcsw.append(r1 - r0)
        stop.set()

    def cpu_bound():
        if hog_cpu is not None:
            os.sched_setaffinity(0, {hog_cpu})
        while not stop.is_set():
            countdown(1000)

    threads = [threading.Thread(target=cpu_bound), threading.Thread(target=io_thread)]
    cpu0, wall0 = time.process_time(), time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return calls, ivcsw, (time.process_time() - cpu0) / (time.perf_counter() - wall0)


def main():
    try:
        with open("/proc/self/autogroup", "w") as f:
            f.write(str(os.nice(0)))
    except OSError:
        pass
    ops = int(sys.argv[1])
    intervals = [float(x) for x in sys.argv[2].split(",")]
    for placement in sys.argv[3:]:
        io_cpu = hog_cpu = echo_cpu = None
        if placement != "free":
            io_cpu, hog_cpu, echo_cpu = (int(x) for x in placement.split(","))
        mine, child = forked_echo(echo_cpu)
        for interval in intervals:
            calls, ivcsw, cpu_per_wall = run(mine, interval, ops, io_cpu, hog_cpu)
            half = interval * 0.5e9
            per_op = statistics.mean(a + b for a, b in calls) / 1e9
            lost = [x > half for call in calls for x in call]  # sendall, recv, sendall, ...
            after = {"sendall": {True: [0, 0], False: [0, 0]}, "recv": {True: [0, 0], False: [0, 0]}}
            for i in range(1, len(lost)):
                pair = after["sendall" if i % 2 == 0 else "recv"][lost[i - 1]]
                pair[0] += lost[i]
                pair[1] += 1
            with open("/proc/loadavg") as f:
                load = [float(x) for x in f.read().split()[:3]]
            print(json.dumps({
                "placement": placement, "interval": interval, "ops": ops,
                "per_op": per_op, "intervals_per_op": round(per_op / interval, 3),
                "sendall_lost": sum(a > half for a, _ in calls), "recv_lost": sum(b > half for _, b in calls),
                "sendall_kept_median_us": statistics.median([a for a, _ in calls if a <= half] or [0]) / 1e3,
                "recv_kept_median_us": statistics.median([b for _, b in calls if b <= half] or [0]) / 1e3,
                "sendall_lost_after_lost": after["sendall"][True], "sendall_lost_after_kept": after["sendall"][False],
                "recv_lost_after_lost": after["recv"][True], "recv_lost_after_kept": after["recv"][False],
                "sendall_preempted": sum(1 for v in ivcsw if v), "sendall_preempted_kept": sum(1 for v,(a,_) in zip(ivcsw,calls) if v and a <= half), "sendall_preempted_lost": sum(1 for v,(a,_) in zip(ivcsw,calls) if v and a > half), "cpu_per_wall": round(cpu_per_wall, 3), "load": load}), flush=True)
        mine.close()
        os.waitpid(child, 0)


if __name__ == "__main__":
    main()
