#!/usr/bin/env python3
"""What a threading.Lock release() costs the releaser when a thread sleeps on the lock (docs/model.md L7).

Part 1: one waiter thread goes to sleep on the held lock (the main thread sleeps 1 ms so it does), then
the main thread times its release() (wall and thread CPU time) and tries acquire(False) at once:
a failure means the woken waiter took the lock first. The same without a waiter.
Part 2: lesson 15's locked loop (four threads, 20,000 iterations each, switch interval 0.1 ms) with
each release() timed: how many releases took over 5 us (the wake system call) and their sum,
against the run's wall time and how often the lock changed hands. Usage:
    python3 lock_release_probe.py [ROUNDS]
"""
import sys
import threading
import time

lock = threading.Lock()
go = threading.Event()
stop = False
pc, tt = time.perf_counter_ns, time.thread_time_ns


def waiter():
    while True:
        go.wait()
        go.clear()
        if stop:
            return
        lock.acquire()
        lock.release()


def single(with_waiter, rounds):
    global stop
    stop = False
    walls, cpus, lost = [], [], 0
    t = threading.Thread(target=waiter) if with_waiter else None
    lock.acquire()
    if t:
        t.start()
    for _ in range(rounds):
        go.set()
        time.sleep(0.001)  # the GIL dropped: the waiter runs and sleeps on the held lock
        c0 = tt()
        w0 = pc()
        lock.release()
        w1 = pc()
        c1 = tt()
        if not lock.acquire(False):  # the woken waiter took it first
            lost += 1
            lock.acquire()
        walls.append(w1 - w0)
        cpus.append(c1 - c0)
    stop = True
    go.set()
    lock.release()
    if t:
        t.join()
    go.clear()
    walls.sort()
    cpus.sort()
    n = len(walls)
    print(f"release() {'with a sleeping waiter' if with_waiter else 'without a waiter     '}: wall median "
          f"{walls[n // 2] / 1e3:.1f} us (p90 {walls[n * 9 // 10] / 1e3:.1f}), thread CPU median {cpus[n // 2] / 1e3:.1f} us; "
          f"acquire(False) just after it failed {lost} of {n}")


safe = 0


def one():
    return 1


def locked(me, slow, log):
    global safe
    spent = 0
    count = 0
    note = log.append
    for _ in range(20_000):
        lock.acquire()
        safe += one()
        note(me)
        w0 = pc()
        lock.release()
        d = pc() - w0
        if d > 5000:
            spent += d
            count += 1
    slow.append((count, spent))


def convoy():
    slow, log = [], []
    threads = [threading.Thread(target=locked, args=(k, slow, log)) for k in range(4)]
    w0 = pc()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = pc() - w0
    count = sum(c for c, _ in slow)
    spent = sum(s for _, s in slow)
    hand_offs = sum(1 for a, b in zip(log, log[1:]) if a != b)
    print(f"lesson 15's four locked threads: wall {wall / 1e6:.0f} ms, the lock changed hands {hand_offs} times; "
          f"{count} of 80000 releases took over 5 us, {spent / 1e6:.0f} ms in all")


def main():
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    sys.setswitchinterval(0.0001)
    single(False, rounds)
    single(True, rounds)
    for _ in range(3):
        convoy()


if __name__ == "__main__":
    main()
