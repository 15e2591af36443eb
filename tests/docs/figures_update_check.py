#!/usr/bin/env python3
"""lesson_figures_check.py --update puts back a figure that went stale, in a note and in
docs/lessons.md, and the check passes again: run on a copy of the scenarios and the lessons.

    figures_update_check.py SOURCE_DIR GILSIM
"""
import os
import shutil
import subprocess
import sys
import tempfile

SOURCE, GILSIM = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
CHECK = os.path.join(os.path.dirname(os.path.abspath(__file__)), "lesson_figures_check.py")


def run_check(folder, *extra):
    return subprocess.run([sys.executable, CHECK, folder, GILSIM, *extra], capture_output=True, text=True)


def spoil(path, good, bad):
    text = open(path, encoding="utf-8").read()
    if good not in text:
        raise AssertionError(f"{path} no longer has {good!r}: choose another figure for this check")
    with open(path, "w", encoding="utf-8") as f:
        f.write(text.replace(good, bad, 1))
    return text


def main():
    with tempfile.TemporaryDirectory() as folder:
        shutil.copytree(os.path.join(SOURCE, "scenarios"), os.path.join(folder, "scenarios"))
        os.mkdir(os.path.join(folder, "docs"))
        shutil.copy(os.path.join(SOURCE, "docs", "lessons.md"), os.path.join(folder, "docs"))
        # The defaults a note may quote are read from the code.
        os.makedirs(os.path.join(folder, "sim", "scenario"))
        shutil.copy(os.path.join(SOURCE, "sim", "scenario", "scenario.hpp"), os.path.join(folder, "sim", "scenario"))
        note = os.path.join(folder, "scenarios", "01-cpu-bound.toml")
        lessons = os.path.join(folder, "docs", "lessons.md")
        first = run_check(folder)
        if first.returncode != 0:
            raise AssertionError(f"the check fails on the copy before anything is spoilt:\n{first.stdout}")
        # A figure the program prints, made stale in each place.
        printed = subprocess.run([GILSIM, "run", "scenarios/01-cpu-bound.toml", "--no-timeline", "--width", "200"],
                                 cwd=folder, capture_output=True, text=True).stdout
        # The largest speed-up (the pool's): no other printed figure lies within 0.5x above it,
        # so --update can only put this one back.
        speedups = [w for w in printed.split() if w.endswith("x") and w[:-1].replace(".", "", 1).isdigit()]
        speedup = max(speedups, key=lambda w: float(w[:-1]))
        good_note = spoil(note, "finish in one job's time", f"finish {speedup} faster")
        wrong = f"{float(speedup[:-1]) + 0.5:.2f}x"
        spoil(note, f"finish {speedup} faster", f"finish {wrong} faster")
        spoil(lessons, "**Shows:**", "**Shows:** 9.99x")
        stale = run_check(folder)
        if stale.returncode == 0 or "01-cpu-bound.toml" not in stale.stdout or "9.99x" not in stale.stdout:
            raise AssertionError(f"the check missed a stale figure:\n{stale.stdout}")
        updated = run_check(folder, "--update")
        if updated.returncode != 0:
            raise AssertionError(f"--update left stale figures:\n{updated.stdout}")
        fixed = open(note, encoding="utf-8").read()
        if f"finish {speedup} faster" not in fixed:
            raise AssertionError(f"--update did not put back {speedup}:\n{updated.stdout}")
        if fixed.replace(f"finish {speedup} faster", "finish in one job's time") != good_note:
            raise AssertionError("--update changed more of the note than the stale figure")
        if "9.99x" in open(lessons, encoding="utf-8").read():
            raise AssertionError("--update did not replace the stale figure in docs/lessons.md")
        again = run_check(folder)
        if again.returncode != 0:
            raise AssertionError(f"the check fails after --update:\n{again.stdout}")
    print("figures --update: ok")


if __name__ == "__main__":
    main()
