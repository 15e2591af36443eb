#!/usr/bin/env python3
"""A proportion of a text timeline that docs/lessons.md states is the one gilsim prints.

    lesson_timeline_check.py SOURCE_DIR GILSIM

Lesson 1 says in how many of the four threads' timeline columns no core row shows `#`
("in 51 of its 91 columns, more than half"), at the 100 columns it names: the check runs
`gilsim run scenarios/01-cpu-bound.toml --run '4 threads' --width 100`, counts, and fails
on another count, or when "more than half" (or "less than half") no longer holds.
"""
import pathlib
import re
import subprocess
import sys

SOURCE, GILSIM = pathlib.Path(sys.argv[1]), sys.argv[2]
CLAIM = re.compile(r"in (\d+) of its (\d+) columns, (more|less) than half,\s+no core row shows `#`")


def lesson_one(text):
    """The text of docs/lessons.md's section 1."""
    start = text.index("\n## 1.")
    return text[start:text.index("\n## 2.", start)]


def columns_without_a_running_core(output):
    """(columns where no core row shows '#', all columns) of the timeline in `output`."""
    rows = [line.split("|")[1] for line in output.splitlines() if re.match(r"^core \d+ +\|.*\|$", line)]
    if not rows:
        sys.exit("no core rows in gilsim's output:\n" + output)
    width = len(rows[0])
    return sum(1 for c in range(width) if all(row[c] != "#" for row in rows)), width


def main():
    section = lesson_one((SOURCE / "docs" / "lessons.md").read_text())
    claim = CLAIM.search(" ".join(section.split()))
    if claim is None:
        sys.exit("docs/lessons.md, lesson 1: no sentence \"in N of its M columns, more than half, no core row "
                 "shows `#`\" to check; if the sentence changed, change this check with it")
    said, said_width, side = int(claim.group(1)), int(claim.group(2)), claim.group(3)
    command = [GILSIM, "run", str(SOURCE / "scenarios" / "01-cpu-bound.toml"), "--run", "4 threads", "--width", "100"]
    output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    count, width = columns_without_a_running_core(output)
    problems = []
    if (said, said_width) != (count, width):
        problems.append(f"it says {said} of {said_width} columns; gilsim prints {count} of {width}")
    if (side == "more") != (2 * count > width):
        problems.append(f"it says {side} than half; {count} of {width} is not")
    if problems:
        sys.exit("docs/lessons.md, lesson 1: " + "; ".join(problems) + "\n(" + " ".join(command[1:]) + ")")
    print(f"lesson 1: {count} of {width} columns with no core row showing '#', as the text says")


main()
