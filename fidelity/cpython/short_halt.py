"""The two spreads of the two-release convoy's race, measured apart (docs/model.md G8d): how
soon a waiter runs when it is signalled a short while after it blocked, its CPU busy until
then, and what the signal costs the thread that sends it. Not a row of the suite: a probe run
by hand on a quiet machine, as wake_latency.py is before each round.

In the convoy the CPU-bound thread, forced off the GIL, blocks on the GIL's condition after a
stretch of Python; tens of microseconds later the I/O thread drops the GIL for its call and
signals it from the other CPU. Whether it takes the GIL before the call returns is a race
between its wake-up (how long its CPU, halted only that long, takes to run it) and the I/O
thread's time in the call, of which the signal is part. wake_latency.py measures wake-ups after
idles of 0.1 ms and more, and neither after a busy stretch nor the signaller's side.

A waiter process pinned to one CPU and a signaller pinned to the other (processes, so that no
GIL stands between a wake-up and the first bytecode). Each sample:

- the waiter computes for BUSY (its turn holding the GIL), stamps the clock into shared memory
  and blocks reading a pipe;
- the signaller, spinning meanwhile (as the GIL's holder computes), waits until HALT after that
  stamp, stamps `sent`, writes into the pipe, stamps `written`, and blocks reading a second
  pipe (as the GIL's dropper waits on switch_cond);
- the waiter stamps `ran` when its read returns and writes into the second pipe; the signaller
  stamps `replied` when its read returns.

Per halt (`short_HALT`): `halt`, how long the waiter had really been blocked when the signal
was sent; `wake`, from `sent` to `ran` (the waiter's wake-up); `signal`, from `sent` to
`written` (the signal's cost to its sender, the reader's wake-up included); `reply_wake`, from
`ran` to `replied` (the signaller's own wake-up, blocked about one `wake`). And `bare_write`:
the same write into a pipe nobody waits on, the signal's cost without a waiter. Medians, with
the 10th and 90th percentiles as `_low` and `_high` and the nine deciles as `_deciles`, in
seconds (runs before 5 us was added kept no deciles); halts in turns, so that a drift
of the machine touches each alike. perf_counter_ns is CLOCK_MONOTONIC, one clock for both
processes.

Run as the other probes are, alone on the machine:
    flock /work/cpython.lock setsid sh -c 'echo -20 > /proc/self/autogroup; exec nice -n -20 /usr/bin/python3 short_halt.py'

    python3 short_halt.py --from FILE
reads such output back, one line per halt in microseconds (median, 10th to 90th percentile);
FILE's `##` lines, a run's header with its load and time, are printed as they are.
"""

import json
import mmap
import os
import struct
import sys
import time

import suite
from wake_latency import collect, fork_waiter, percentile, send_all

# seconds: both sides of a 200 us halt-poll window, and 5 us, within the model's CPU-bound thread's
# halts of 2 to 17 us before the convoy's first call (docs/model.md G8d, "Side by side since G8d")
HALTS = (0.000005, 0.00001, 0.00002, 0.00004, 0.00008, 0.00016, 0.00032)
BUSY = 0.005  # seconds of computing before each block: a 5 ms switch interval's turn
SAMPLES = 150  # per halt


def spin_until(deadline_ns):
    clock = time.perf_counter_ns
    while clock() < deadline_ns:
        pass


def waiter(cpu, plan, shared, signal_r, reply_w, results_w):
    """The child: for each halt of the plan, one turn of computing and one block; then its
    stamps (when it blocked, when it ran), packed, into `results_w`."""
    if cpu is not None:
        os.sched_setaffinity(0, {cpu})
    clock = time.perf_counter_ns
    out = []
    for _ in plan:
        spin_until(clock() + int(BUSY * 1e9))
        blocked = clock()
        struct.pack_into("q", shared, 8, blocked)
        shared[0] = 1
        os.read(signal_r, 1)
        ran = clock()
        os.write(reply_w, b"x")
        out.append(struct.pack("qq", blocked, ran))
    send_all(results_w, b"".join(out))
    os._exit(0)


def spread(name, values):
    """`name` as the median of `values`, with its 10th and 90th percentiles, and its nine
    deciles as `_deciles` (the shape between the median and the host's rare stalls, which
    G8d's law leaves unmeasured)."""
    return {name: suite.median(values), f"{name}_low": percentile(values, 0.1),
            f"{name}_high": percentile(values, 0.9),
            f"{name}_deciles": [percentile(values, k / 10) for k in range(1, 10)]}


def bare_writes(samples):
    """The cost of a one-byte write into a pipe that nobody waits on, `samples` times."""
    clock = time.perf_counter_ns
    read_end, write_end = os.pipe()
    costs = []
    for _ in range(samples):
        before = clock()
        os.write(write_end, b"x")
        costs.append((clock() - before) / 1e9)
        os.read(read_end, 1)
    os.close(read_end)
    os.close(write_end)
    return costs


def halts_asked():
    """`--halts 20,500` (microseconds, each once): the halts in that order, in turns, in place of
    HALTS; taken out of sys.argv before the suite's report reads it. For whether a halt's wake-up
    and signal depend on how long the waiter's CPU halted the time before, as an adaptive
    halt-polling window would make them (docs/model.md G8d)."""
    if "--halts" not in sys.argv:
        return HALTS
    at = sys.argv.index("--halts")
    try:
        halts = tuple(float(h) * 1e-6 for h in sys.argv[at + 1].split(","))
    except (IndexError, ValueError):
        sys.exit("short_halt: --halts needs microseconds separated by commas, e.g. --halts 20,500")
    if len({round(h * 1e6) for h in halts}) != len(halts) or min(halts) <= 0:
        sys.exit("short_halt: --halts needs each halt once, in whole microseconds above 0")
    del sys.argv[at:at + 2]
    return halts


def signaller_sleep_asked():
    """`--signaller-sleep 4000` (microseconds): before each sample the signaller sleeps that long
    (a timed wait, its CPU halted) where it would spin, then spins for the waiter's block as
    before. As the convoy's I/O thread, back from a switch interval's wait, signals the GIL's
    waiter tens of microseconds after its own CPU halted that long: whether a signal's cost
    depends on the signaller's own halt before (docs/model.md G8d)."""
    if "--signaller-sleep" not in sys.argv:
        return 0.0
    at = sys.argv.index("--signaller-sleep")
    try:
        sleep = float(sys.argv[at + 1]) * 1e-6
    except (IndexError, ValueError):
        sleep = -1.0
    if not 0 <= sleep < BUSY:
        sys.exit(f"short_halt: --signaller-sleep needs microseconds from 0 to under {BUSY * 1e6:.0f}")
    del sys.argv[at:at + 2]
    return sleep


def main():
    halts = halts_asked()
    signaller_sleep = signaller_sleep_asked()
    report = suite.Report("short_halt")
    samples = report.size(SAMPLES, 2)
    plan = [halt for _ in range(samples) for halt in halts]
    cpus = suite.two_cpus()
    shared = mmap.mmap(-1, 16)  # the waiter's flag and its stamp; MAP_SHARED with the child
    signal_r, signal_w = os.pipe()
    reply_r, reply_w = os.pipe()
    results_r, results_w = os.pipe()
    clock = time.perf_counter_ns
    sent, written, replied = [], [], []
    with suite.pinned(cpus[0]), report.section("probe", cores=2, busy=1) as s:
        child = fork_waiter(results_r, results_w, lambda: waiter(cpus[1], plan, shared, signal_r, reply_w, results_w))
        for halt in plan:
            if signaller_sleep:
                time.sleep(signaller_sleep)
            while shared[0] == 0:  # spin, as the GIL's holder computes
                pass
            shared[0] = 0
            blocked = struct.unpack_from("q", shared, 8)[0]
            spin_until(blocked + int(halt * 1e9))
            sent.append(clock())
            os.write(signal_w, b"x")
            written.append(clock())
            os.read(reply_r, 1)  # blocked until the waiter ran, as the GIL's dropper
            replied.append(clock())
        stamps = collect(results_r, child, "short_halt: the waiter")
        s.update(samples=samples, pinned=int(cpus[0] is not None), busy_stretch=BUSY,
                 halts_in_turn=[round(h * 1e6) for h in halts],
                 signaller_sleep=signaller_sleep)
        s["bare_write"] = {**spread("cost", bare_writes(len(plan))), "samples": len(plan)}
    waiter_stamps = [struct.unpack_from("qq", stamps, 16 * i) for i in range(len(stamps) // 16)]
    for halt in halts:
        picked = [i for i, h in enumerate(plan) if h == halt]
        section = {"cores": 2, "busy": 0, "wall": 0.0, "cpu": 0.0, "halt_asked": halt, "samples": len(picked)}
        section.update(spread("halt", [(sent[i] - waiter_stamps[i][0]) / 1e9 for i in picked]))
        section.update(spread("wake", [(waiter_stamps[i][1] - sent[i]) / 1e9 for i in picked]))
        section.update(spread("signal", [(written[i] - sent[i]) / 1e9 for i in picked]))
        section.update(spread("reply_wake", [(replied[i] - waiter_stamps[i][1]) / 1e9 for i in picked]))
        report.sections[f"short_{round(halt * 1e6)}us"] = section
    report.print()


def microseconds(section, name):
    return (f"{section[name] * 1e6:.1f} ({section[name + '_low'] * 1e6:.1f} to "
            f"{section[name + '_high'] * 1e6:.1f})")


def read_back(path):
    """Prints each run kept in `path` (see the module's `--from`)."""
    with open(path) as f:
        for line in f:
            line = line.strip()
            if not line or line.startswith("##"):
                print(line)
                continue
            run = json.loads(line)
            sections = run["sections"]
            in_turn = sections["probe"].get("halts_in_turn")  # runs since --halts
            slept = sections["probe"].get("signaller_sleep")  # runs since --signaller-sleep
            print(f"python {run['python']}, load {run['load_start'][0]:.2f} to {run['load_end'][0]:.2f}, "
                  f"bare write {microseconds(sections['probe']['bare_write'], 'cost')} us"
                  + (f", halts in turn {','.join(map(str, in_turn))} us" if in_turn else "")
                  + (f", the signaller slept {slept * 1e6:.0f} us before each" if slept else ""))
            for name, section in sections.items():
                if name.startswith("short_"):
                    print(f"{name}: halt {microseconds(section, 'halt')}, wake {microseconds(section, 'wake')}, "
                          f"signal {microseconds(section, 'signal')}, reply wake "
                          f"{microseconds(section, 'reply_wake')} us, {section['samples']} samples")
                    for name in ("wake", "signal"):
                        if f"{name}_deciles" in section:  # runs since the deciles were kept
                            print(f"  {name} deciles: " + ", ".join(f"{v * 1e6:.1f}" for v in section[f"{name}_deciles"]) + " us")


if __name__ == "__main__":
    if "--from" in sys.argv:
        at = sys.argv.index("--from")
        if at + 1 >= len(sys.argv):
            sys.exit("short_halt: --from needs a file")
        read_back(sys.argv[at + 1])
    else:
        main()
