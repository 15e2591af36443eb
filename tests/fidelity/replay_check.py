#!/usr/bin/env python3
"""The measured page is a function of its measurements and today's model: end to end, no CPython.

    replay_check.py SOURCE_DIR GILSIM_FIDELITY

gilsim_fidelity --cpython measures the small suite of tests/fidelity/data/replay/ with
fake_python for its interpreter (canned JSON lines of a real run, one per round) and writes
a page and its measurements; --replay of those measurements must write the same page, byte for
byte. Then each figure of the run's own information is changed in a copy of the measurements
and must show on the replayed page (replay carries it, not today's machine), and bad
measurements are refused with FILE:LINE and the key expected, nothing written.
"""
import difflib
import json
import os
import pathlib
import subprocess
import sys
import tempfile

SOURCE = pathlib.Path(sys.argv[1]).resolve()
FIDELITY = pathlib.Path(sys.argv[2]).resolve()
DATA = SOURCE / "tests/fidelity/data/replay"
SUITE = DATA / "suite.toml"
failures = []


def run(args, env=None, expect=0):
    result = subprocess.run([str(FIDELITY), "--cpython", *args], capture_output=True, text=True, timeout=600,
                            env=env, stdin=subprocess.DEVNULL)
    if result.returncode != expect:
        failures.append(f"exit {result.returncode}, expected {expect}: gilsim_fidelity --cpython {' '.join(args)}\n"
                        f"{result.stdout[-3000:]}{result.stderr[-3000:]}")
    return result


def first_difference(expected, actual, what):
    """None when equal, else the first differing lines as a unified diff."""
    if expected == actual:
        return None
    diff = list(difflib.unified_diff(expected.splitlines(), actual.splitlines(), "measured page", what, lineterm="", n=1))
    return "\n".join(diff[:24])


def replay(measurements, output, expect=0):
    return run(["--replay", str(measurements), "--suite", str(SUITE), "--output", str(output)], expect=expect)


def main():
    with tempfile.TemporaryDirectory() as folder:
        tmp = pathlib.Path(folder)
        (tmp / "runs").mkdir()
        env = dict(os.environ, GILSIM_FAKE_PYTHON_RUNS=str(tmp / "runs"))
        page, measurements, raw = tmp / "page.md", tmp / "measured.jsonl", tmp / "raw.jsonl"
        run(["--suite", str(SUITE), "--python", str(DATA / "fake_python"), "--repeat", "3", "--output", str(page),
             "--measurements", str(measurements), "--raw", str(raw)], env=env)
        if failures:
            return
        lines = measurements.read_text().splitlines()
        info = json.loads(lines[0]).get("run_info")
        if not isinstance(info, dict) or info.get("repeat") != 3:
            failures.append(f"{measurements}: the first line is not the run's information: {lines[0][:200]}")
        # 3 rounds of cpu_speeds, wake_latency, fork_start, io_sleeps, cpu_bound, ready_pipe; --raw keeps working.
        if len(lines) != 1 + 18 or lines[1:] != raw.read_text().splitlines():
            failures.append(f"{measurements}: expected the run's information, then --raw's 18 lines")

        replayed = tmp / "replayed.md"
        replay(measurements, replayed)
        if failures:
            return
        measured_page = page.read_text()
        difference = first_difference(measured_page, replayed.read_text(), "replayed page")
        if difference:
            failures.append(f"--replay did not write the measuring run's page:\n{difference}")
        for needed in ("## How it was measured", "Load average (1, 5, 15 min) before the suite:",
                       "- Measurements: `", "## Why each row outside differs", "round 3: after",
                       "How long python3 took to start a process"):
            if needed not in measured_page:
                failures.append(f"the measured page has no '{needed}': the test no longer covers it")
        # canned/fork_start.jsonl's first round: a median of 36.27 ms, 15.12 to 51.90 ms.
        if "round 1 36.3 ms (15.1 ms to 51.9 ms); round 2" not in measured_page:
            failures.append("the page does not give round 1's process start as 36.3 ms (15.1 ms to 51.9 ms)")
        # P4e: the process start costs fitted to the median of the rounds' fastest starts (15.12,
        # 9.85 and 10.75 ms: 10.75 ms, 25.68 x the reference's 0.419 ms); --no-start-fit keeps them.
        fitted = "fitted to the median of the rounds' fastest\n  starts, 10.8 ms, 25.68 x the 419 us"
        if fitted not in measured_page or "`fork_child_start` 33.9 ms" not in measured_page:
            failures.append("the page does not say that the process start costs were fitted to 10.8 ms, "
                            "25.68 x the reference, fork_child_start 33.9 ms")
        unfitted = tmp / "unfitted.md"
        run(["--replay", str(measurements), "--suite", str(SUITE), "--output", str(unfitted), "--no-start-fit"])
        if unfitted.exists():
            text = unfitted.read_text()
            if "fitted to the median" in text or "How long python3 took to start a process" not in text:
                failures.append("--no-start-fit: the page still fits the process start costs, or lost the probe's line")
        # The comparison sees a page that lost one line, as a replay that dropped the load would write.
        dropped = "".join(line for line in measured_page.splitlines(True) if not line.startswith("- Load average"))
        if first_difference(measured_page, dropped, "without the load") is None:
            failures.append("the comparison did not see the load line missing")

        # Each figure of the run's information comes from the measurements, not from this machine.
        changed = dict(info, command="build/gilsim_fidelity --cpython --repeat 3 # CHANGED", python="9.9.9 (CHANGED)",
                       machine="CHANGED machine", load_before="9.01 9.02 9.03", load_after="9.04 9.05 9.06",
                       seconds=4321.0, scheduling="CHANGED scheduling")
        copy = tmp / "changed.jsonl"
        copy.write_text(json.dumps({"run_info": changed}) + "\n" + "\n".join(lines[1:]) + "\n")
        replay(copy, tmp / "changed.md")
        if (tmp / "changed.md").exists():
            text = (tmp / "changed.md").read_text()
            for key in ("command", "python", "machine", "load_before", "load_after", "scheduling"):
                if changed[key] not in text:
                    failures.append(f"run_info's {key} '{changed[key]}' is not on the replayed page")
            if "(4321 s for the whole suite)" not in text:
                failures.append("run_info's seconds 4321 is not on the replayed page")

        # Bad measurements: FILE:LINE and what was expected, exit 2, nothing written.
        def refused(name, text, expected):
            bad = tmp / name
            bad.write_text(text)
            output = tmp / (name + ".md")
            result = replay(bad, output, expect=2)
            message = result.stderr
            for part in expected:
                if part not in message:
                    failures.append(f"{name}: the error does not say '{part}':\n{message}")
            if output.exists():
                failures.append(f"{name}: a page was written from bad measurements")

        no_load = {k: v for k, v in info.items() if k != "load_before"}
        body = "\n".join(lines[1:]) + "\n"
        refused("no_load.jsonl", json.dumps({"run_info": no_load}) + "\n" + body, ["no_load.jsonl:1:", '"load_before"'])
        refused("no_info.jsonl", body, ["no_info.jsonl:1:", '"run_info"'])
        refused("cut.jsonl", lines[0] + "\n" + "\n".join(lines[1:4]) + "\n" + lines[4][:100] + "\n", ["cut.jsonl:5:", "JSON"])
        no_wall = json.loads(lines[5])
        del no_wall["program_wall"]
        refused("no_wall.jsonl", "\n".join(lines[:5] + [json.dumps(no_wall)] + lines[6:]) + "\n",
                ["no_wall.jsonl:6:", '"program_wall"'])
        no_section = json.loads(lines[5])  # round 1: cpu_speeds, wake_latency, fork_start, io_sleeps, cpu_bound
        no_section["sections"].pop("threads")
        refused("no_section.jsonl", "\n".join(lines[:5] + [json.dumps(no_section)] + lines[6:]) + "\n",
                ["no_section.jsonl:6:", "no section 'threads'"])
        refused("lost_round.jsonl", "\n".join(lines[:1] + lines[7:]) + "\n", ["lost_round.jsonl:2:", "round 2"])
        run(["--replay", str(measurements), "--repeat", "2"], expect=2)


if __name__ == "__main__":
    main()
    for failure in failures:
        print(failure)
    print("replay_check: " + ("ok" if not failures else f"{len(failures)} failure(s)"))
    sys.exit(1 if failures else 0)
