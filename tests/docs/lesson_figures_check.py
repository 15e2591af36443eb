#!/usr/bin/env python3
"""Every figure in a **Shows:** paragraph of docs/lessons.md is one the program prints.

    lesson_figures_check.py SOURCE_DIR GILSIM

Each lesson names its command (`gilsim run scenarios/...`). The check runs it (wider, so
nothing wraps) and reads every figure of the output: times (s, ms, us), ratios (x) and
percentages. A figure of the lesson passes when some output figure in the same kind of unit,
rounded to the lesson's precision, is equal to it ("2.2 s" matches "2.200 s", "74 ms"
matches "74.2 ms"). A stale one is reported with its line, the figures the command prints
now, and the command that prints them. Figures that are not the model's output (a
measurement quoted from elsewhere, a ratio of two table figures) are listed in NOT_OUTPUT
with the reason; anything else unmatched fails.
"""
import re
import shlex
import subprocess
import sys

SOURCE, GILSIM = sys.argv[1], sys.argv[2]
FIGURE = re.compile(r"(?<![\w.,])(\d[\d,]*(?:\.\d+)?)\s?(s|ms|us|µs|x|%)(?![\w])")
COMMAND = re.compile(r"^`gilsim ((?:run|sweep) [^`]*)`$")
TO_SECONDS = {"s": 1.0, "ms": 1e-3, "us": 1e-6, "µs": 1e-6}
# (figure as written, a few words around it) -> why it is not the program's output.
NOT_OUTPUT = {
    "1.85x": "Beazley's measurement on CPython, quoted",
    "1.54x": "Beazley's measurement on CPython, quoted",
    "1.80x": "old GIL on two cores / sequential: the ratio of two makespans of the table",
    "1.50x": "old GIL on one core / sequential: the ratio of two makespans of the table",
    "900 ms": "three handlers x 300 ms of blocking: the scenario's input",
    "40%": "python.free_threading_overhead of the scenario: its input",
    "50 ms": "spawn's start-up, costs.spawn_start: an input of the scenario",
}


def value_of(number, unit):
    """(kind, value): times in seconds, ratios and percentages as they are."""
    value = float(number.replace(",", ""))
    return ("time", value * TO_SECONDS[unit]) if unit in TO_SECONDS else (unit, value)


def decimals_of(number):
    return len(number.split(".")[1]) if "." in number else 0


def output_figures(output):
    return [(m.group(0), m.group(1), m.group(2)) for m in FIGURE.finditer(output)]


def matches(written, unit, printed):
    kind, wanted = value_of(written, unit)
    places = decimals_of(written)
    scale = TO_SECONDS.get(unit, 1.0)
    for _, number, printed_unit in printed:
        printed_kind, value = value_of(number, printed_unit)
        if printed_kind == kind and round(value / scale, places) == round(wanted / scale, places):
            return True
    return False


def main():
    lines = open(f"{SOURCE}/docs/lessons.md").read().splitlines()
    command = None
    outputs = {}
    shown = {}  # the command as run, for the message
    stale = []
    checked = 0
    in_shows = False
    for number, line in enumerate(lines, 1):
        found = COMMAND.match(line.strip())
        if found:
            command = found.group(1)
        if line.startswith("**Shows:**"):
            in_shows = True
        elif not line.strip():
            in_shows = False
        if not in_shows or command is None:
            continue
        if command not in outputs:
            # The table and the note, not the timeline: its axis labels are not figures.
            args = shlex.split(command)
            if args[0] == "run":
                args = [a for a in args if a != "--no-timeline"] + ["--no-timeline"]
            args += ["--width", "200"]
            result = subprocess.run([GILSIM, *args], cwd=SOURCE, capture_output=True, text=True)
            shown[command] = "gilsim " + " ".join(args)
            if result.returncode != 0:
                stale.append(f"docs/lessons.md:{number}: `gilsim {command}` failed:\n{result.stderr}")
            outputs[command] = output_figures(result.stdout)
        for figure in FIGURE.finditer(line):
            if figure.group(0).replace(" ", " ") in NOT_OUTPUT:
                continue
            checked += 1
            if not matches(figure.group(1), figure.group(2), outputs[command]):
                same_unit = sorted({text for text, _, u in outputs[command]
                                    if value_of("1", u)[0] == value_of("1", figure.group(2))[0]})
                stale.append(f"docs/lessons.md:{number}: '{figure.group(0)}' is not what the program prints; "
                             f"it prints now: {', '.join(same_unit)}\n"
                             f"  update the figure from what this prints: {shown[command]}")
    for problem in stale:
        print(problem)
    print(f"{checked} figures checked, {len(stale)} stale")
    return 1 if stale or checked == 0 else 0


if __name__ == "__main__":
    sys.exit(main())
