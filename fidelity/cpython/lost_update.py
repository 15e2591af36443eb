#!/usr/bin/env python3
"""The lost update on CPython: four threads each add 1 to a global 50,000 times.

Measures what scenarios/15-lost-update.toml predicts (docs/model.md U1, U2): with
`counter += one()` the call's RESUME is a check point between LOAD_GLOBAL and STORE_GLOBAL,
so a forced GIL switch there loses updates; plain `counter += 1` has no check point inside
on 3.11 and loses none; under a lock nothing is lost. Prints one line per case and switch
interval: "lost_update STATEMENT interval=S: lost N of M (P%) in T s", repeated --repeat
times. Compare with:
    gilsim run scenarios/15-lost-update.toml --run threads --no-timeline --set switch_interval=S
"""
import argparse
import sys
import threading
import time

THREADS = 4
PER_THREAD = 50_000
counter = 0
lock = threading.Lock()


def one():
    return 1


def with_call(n):
    global counter
    for _ in range(n):
        counter += one()


def plain(n):
    global counter
    for _ in range(n):
        counter += 1


def locked(n):
    global counter
    for _ in range(n):
        with lock:
            counter += one()


CASES = {"counter += one()": with_call, "counter += 1": plain, "with lock: counter += one()": locked}


def measure(body, interval):
    global counter
    counter = 0
    default = sys.getswitchinterval()
    sys.setswitchinterval(interval)
    try:
        threads = [threading.Thread(target=body, args=(PER_THREAD,)) for _ in range(THREADS)]
        start = time.perf_counter()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        elapsed = time.perf_counter() - start
    finally:
        sys.setswitchinterval(default)
    return THREADS * PER_THREAD - counter, elapsed


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    # The default interval, a shorter one, and lesson 15's 0.1 ms, where losses come in every run.
    parser.add_argument("--intervals", default="0.005,0.001,0.0001", help="switch intervals in seconds, comma-separated")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    total = THREADS * PER_THREAD
    print(f"python {sys.version.split()[0]}, {THREADS} threads x {PER_THREAD} updates")
    for name, body in CASES.items():
        for interval in (float(x) for x in args.intervals.split(",")):
            for _ in range(args.repeat):
                lost, elapsed = measure(body, interval)
                print(f"lost_update {name} interval={interval:g}: lost {lost} of {total} "
                      f"({100.0 * lost / total:.1f}%) in {elapsed:.3f} s", flush=True)


if __name__ == "__main__":
    main()
