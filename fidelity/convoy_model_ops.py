"""The model's two-release convoy call by call, read as fidelity/cpython/convoy_ops.py reads
CPython's (docs/model.md G8d, "Side by side"): the same conditionals from the model's trace.

    python3 fidelity/convoy_model_ops.py [--gilsim build/gilsim] [--seeds 9] [--set KEY=VALUE ...]
        SCENARIO [RUN ...]

runs `gilsim run SCENARIO --run RUN --csv` under the seeds the fidelity suite uses (the
scenario's seed and the next ones: bench/cpython_suite.cpp's predict()), turns each run's
spans into convoy_ops.py's operations and prints, per run, one line per seed and one line
pooled over the seeds, in convoy_ops.py --from's form: `first` (the call after a lost one,
lost of calls, by the CPU-bound thread's idle under or over 200 us), `second` (the call
after a kept first one), `idle_us`, `first_wake_us`, `first_kept_us` (10th percentile,
median, 90th), `streaks`; and `intervals_per_op`. `--set` passes a scenario override to
gilsim (e.g. a costs key) for every seed. Standard library only.

How the trace is read. The I/O thread's job is `client`, whose steps alternate `native`
(sendall) and `io` (recv); the CPU-bound thread's job is `hog`. A call begins where the I/O
thread starts to drop the GIL for it: at the end of its `running` or `waking a thread` span
after a lost call
(the drop's mutex section, a `native` span the trace labels with the step before, is the
next call's, as CPython's clock stamp before `sendall` precedes drop_gil), at an io step's
`native` section after its `blocked on I/O`, else at the first span of the call's own step
(or the unlabelled `blocked on I/O` just before it). The CPU-bound thread's turns are its
`running` spans, joined where less than 20 us apart (convoy_ops.py's PAUSE): a turn that
begins inside a call loses that call, as convoy_ops.py counts.
"""

import csv
import json
import os
import re
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "cpython"))
import convoy_ops  # noqa: E402

PAUSE_NS = convoy_ops.PAUSE
HALT_POLL_US = 200.0


def spans_of(path, run):
    """The run's thread spans of jobs `client` and `hog`: (job, step or None, state, begin, end)."""
    out = {"client": [], "hog": []}
    with open(path, newline="") as f:
        for row in csv.DictReader(f):
            if row["run"] != run or row["record"] != "span" or row["kind"] != "thread":
                continue
            if row["job"] not in out:
                continue
            step = int(row["step"]) if row["step"] else None
            out[row["job"]].append((step, row["state"], int(row["begin_ns"]), int(row["end_ns"])))
    for v in out.values():
        v.sort(key=lambda s: s[2])
    return out


# The states of a thread holding the GIL on a core: its Python, and its wake of another
# thread from C code (a `waking a thread` span: take_gil's signal, docs/model.md G8c).
HOLDING = ("running", "waking a thread")


def call_starts(client):
    """The start (ns) of each call of the I/O thread, by step (1-based), and the job's end."""
    starts = {}
    cur = 0
    prev = None  # the span before, (step, state, begin, end)
    pending = None  # an unlabelled span that may open the next call
    for span in client:
        step, state, begin, end = span
        if step is None:
            if cur > 0:
                pending = pending if pending is not None and prev is not None and prev[0] is None else begin
            prev = span
            continue
        if cur == 0:
            starts[step] = pending if pending is not None else begin
            cur = step
        elif prev is not None and prev[1] in HOLDING and state == "native":
            cur += 1  # the drop's section after the take: the next call's start
            starts[cur] = begin
        elif state == "native" and step == cur and prev is not None and prev[0] == cur and prev[1] == "blocked on I/O":
            cur += 1  # an io step kept, then a drop that signals a waiter
            starts[cur] = begin
        elif step > cur:
            cur = step
            starts[cur] = pending if pending is not None and prev is not None and prev[0] is None else begin
        pending = None
        prev = span
    return starts, client[-1][3]


def hog_turns(hog):
    """The CPU-bound thread's turns of Python: its running spans joined across pauses under PAUSE."""
    turns = []
    for step, state, begin, end in hog:
        if state not in HOLDING:
            continue
        if turns and begin - turns[-1][1] <= PAUSE_NS:
            turns[-1][1] = end
        else:
            turns.append([begin, end])
    return turns


def operations(spans):
    """convoy_ops.py's operations (analyse()'s form) from one run's spans."""
    starts, job_end = call_starts(spans["client"])
    turns = hog_turns(spans["hog"])
    stamps = []
    calls = sorted(starts)
    for i in range(0, len(calls) - 1, 2):
        t0, t1 = starts[calls[i]], starts[calls[i + 1]]
        t2 = starts[calls[i + 2]] if i + 2 < len(calls) else job_end
        stamps.append((t0, t1, t2))
    return convoy_ops.analyse(stamps, [tuple(t) for t in turns], None)


def interval_of(run):
    m = re.fullmatch(r"\s*([0-9.]+)\s*ms\s*", run)
    if not m:
        raise SystemExit(f"run {run!r}: expected a name such as '5 ms' (its switch interval)")
    return float(m.group(1)) * 1e-3


def scenario_seed(gilsim, scenario, overrides):
    """The scenario's own seed, as gilsim prints it in its header ("seed N")."""
    out = subprocess.run([gilsim, "run", scenario, "--no-timeline", "--max-events", "1"] + overrides,
                         capture_output=True, text=True).stdout
    m = re.search(r"seed (\d+)\)", out)
    return int(m.group(1)) if m else 1


def main():
    args = sys.argv[1:]
    gilsim, seeds, overrides = "build/gilsim", 9, []
    rest = []
    i = 0
    while i < len(args):
        if args[i] == "--gilsim":
            gilsim = args[i + 1]
            i += 2
        elif args[i] == "--seeds":
            seeds = int(args[i + 1])
            i += 2
        elif args[i] == "--set":
            overrides += ["--set", args[i + 1]]
            i += 2
        else:
            rest.append(args[i])
            i += 1
    if not rest:
        raise SystemExit(__doc__)
    scenario, runs = rest[0], rest[1:] or ["5 ms", "50 ms"]
    first_seed = scenario_seed(gilsim, scenario, overrides)
    with tempfile.TemporaryDirectory() as tmp:
        for run in runs:
            interval = interval_of(run)
            per_seed = []
            per_op = []
            for k in range(seeds):
                seed = first_seed + k
                path = os.path.join(tmp, f"seed{seed}.csv")
                subprocess.run([gilsim, "run", scenario, "--run", run, "--no-timeline", "--csv", path,
                                "--set", f"seed={seed}"] + overrides, check=True, capture_output=True)
                ops = operations(spans_of(path, run))
                lists = convoy_ops.decided_lists(ops, HALT_POLL_US)
                per_seed.append(lists)
                ipo = sum(op["send"] + op["recv"] for op in ops) / len(ops) * 1e-6 / interval
                per_op.append(ipo)
                line = {"run": run, "seed": seed, "ops": len(ops), "intervals_per_op": round(ipo, 3)}
                line.update(convoy_ops.summarise_decided(lists, HALT_POLL_US))
                print(json.dumps(line))
            line = {"run": run, "seeds": [first_seed, first_seed + seeds - 1],
                    "intervals_per_op_median": round(sorted(per_op)[len(per_op) // 2], 3)}
            line.update(convoy_ops.summarise_decided(convoy_ops.pooled(per_seed), HALT_POLL_US))
            print(json.dumps(line), flush=True)


if __name__ == "__main__":
    main()
