#!/usr/bin/env python3
"""A generated page is what today's model makes of its committed measurements.

    page_replay_check.py SOURCE_DIR GILSIM_FIDELITY [--real]

Without --real: docs/fidelity-cpython.md against fidelity/measured.jsonl (gilsim_fidelity
--cpython --replay, no Python run). With --real: the generated results section of
docs/fidelity.md against fidelity/real-measured.jsonl (gilsim_fidelity --replay, no real run,
into a copy of the page). Replays into a temporary file and compares it with the committed
page; on a difference prints the first differing lines and the one command that writes the page
again. Skipped (exit 77) while the repository keeps no measurements.
"""
import difflib
import pathlib
import shutil
import subprocess
import sys
import tempfile

SOURCE = pathlib.Path(sys.argv[1]).resolve()
FIDELITY = pathlib.Path(sys.argv[2]).resolve()
REAL = "--real" in sys.argv[3:]
if REAL:
    MEASUREMENTS_NAME, PAGE_NAME = "fidelity/real-measured.jsonl", "docs/fidelity.md"
    COMMAND = "build/gilsim_fidelity --replay fidelity/real-measured.jsonl"
    WHAT = "the model"
else:
    MEASUREMENTS_NAME, PAGE_NAME = "fidelity/measured.jsonl", "docs/fidelity-cpython.md"
    COMMAND = "build/gilsim_fidelity --cpython --replay fidelity/measured.jsonl"
    WHAT = "the model or fidelity/suite.toml"
MEASUREMENTS = SOURCE / MEASUREMENTS_NAME
PAGE = SOURCE / PAGE_NAME


def replay_into(replayed):
    """Runs the replay so that it writes `replayed`; returns the finished process."""
    if REAL:
        shutil.copyfile(PAGE, replayed)  # the replay rewrites the page's generated section only
        args = ["--replay", str(MEASUREMENTS), "--doc", str(replayed)]
    else:
        args = ["--cpython", "--replay", str(MEASUREMENTS), "--output", str(replayed)]
    return subprocess.run([str(FIDELITY)] + args, capture_output=True, text=True, timeout=600,
                          stdin=subprocess.DEVNULL)


def main():
    if not MEASUREMENTS.exists():
        says = "`fidelity/real-measured.jsonl`" if REAL else "- Measurements: `fidelity/measured.jsonl`"
        if PAGE.exists() and says in PAGE.read_text():
            print(f"{PAGE_NAME} says it is made of {MEASUREMENTS_NAME}, which is not there: commit "
                  "the measurements the measuring run wrote with the page")
            return 1
        print(f"no {MEASUREMENTS_NAME}: no measured page to check")
        return 77
    with tempfile.TemporaryDirectory() as folder:
        replayed = pathlib.Path(folder) / PAGE.name
        result = replay_into(replayed)
        if result.returncode != 0:
            print(f"{COMMAND} failed (exit {result.returncode}):\n{result.stderr[-3000:]}")
            return 1
        expected = PAGE.read_text() if PAGE.exists() else ""
        actual = replayed.read_text()
    if expected == actual:
        print(f"{PAGE_NAME} is the replay of {MEASUREMENTS_NAME}")
        return 0
    diff = list(difflib.unified_diff(expected.splitlines(), actual.splitlines(), PAGE_NAME,
                                     f"today's model on {MEASUREMENTS_NAME}", lineterm="", n=1))
    print(f"{PAGE_NAME} is stale: {WHAT} moved what it quotes.")
    print("\n".join(diff[:30]) + ("\n..." if len(diff) > 30 else ""))
    print(f"Write it again with: {COMMAND}")
    return 1


if __name__ == "__main__":
    sys.exit(main())
