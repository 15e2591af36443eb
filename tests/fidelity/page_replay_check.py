#!/usr/bin/env python3
"""docs/fidelity-cpython.md is what today's model makes of fidelity/measured.jsonl.

    page_replay_check.py SOURCE_DIR GILSIM_FIDELITY

Replays the committed measurements (gilsim_fidelity --cpython --replay, no Python run) into a
temporary page and compares it with the committed page; on a difference prints the first
differing lines and the one command that writes the page again. Skipped (exit 77) while the
repository keeps no measurements.
"""
import difflib
import pathlib
import subprocess
import sys
import tempfile

SOURCE = pathlib.Path(sys.argv[1]).resolve()
FIDELITY = pathlib.Path(sys.argv[2]).resolve()
MEASUREMENTS = SOURCE / "fidelity/measured.jsonl"
PAGE = SOURCE / "docs/fidelity-cpython.md"
COMMAND = "build/gilsim_fidelity --cpython --replay fidelity/measured.jsonl"


def main():
    if not MEASUREMENTS.exists():
        if PAGE.exists() and "- Measurements: `fidelity/measured.jsonl`" in PAGE.read_text():
            print("docs/fidelity-cpython.md says it is made of fidelity/measured.jsonl, which is not there: commit "
                  "the measurements the measuring run wrote with the page")
            return 1
        print("no fidelity/measured.jsonl: no measured page to check")
        return 77
    with tempfile.TemporaryDirectory() as folder:
        replayed = pathlib.Path(folder) / "fidelity-cpython.md"
        result = subprocess.run([str(FIDELITY), "--cpython", "--replay", str(MEASUREMENTS), "--output", str(replayed)],
                                capture_output=True, text=True, timeout=600, stdin=subprocess.DEVNULL)
        if result.returncode != 0:
            print(f"{COMMAND} failed (exit {result.returncode}):\n{result.stderr[-3000:]}")
            return 1
        expected = PAGE.read_text() if PAGE.exists() else ""
        actual = replayed.read_text()
    if expected == actual:
        print("docs/fidelity-cpython.md is the replay of fidelity/measured.jsonl")
        return 0
    diff = list(difflib.unified_diff(expected.splitlines(), actual.splitlines(), "docs/fidelity-cpython.md",
                                     "today's model on fidelity/measured.jsonl", lineterm="", n=1))
    print("docs/fidelity-cpython.md is stale: the model or fidelity/suite.toml moved what it quotes.")
    print("\n".join(diff[:30]) + ("\n..." if len(diff) > 30 else ""))
    print(f"Write it again with: {COMMAND}")
    return 1


if __name__ == "__main__":
    sys.exit(main())
