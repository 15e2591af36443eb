#!/usr/bin/env python3
"""Every command shown in README.md and docs/*.md runs, as a reader would type it.

    doc_commands_check.py SOURCE_DIR BINARY_DIR [--update]

Commands are the lines of ```sh blocks and the `$ ` lines of transcript blocks. Each runs
with bash in a fresh temporary folder that holds `build` (the built programs, also on
PATH), `scenarios`, `scripts` and `tests`, and must exit 0. Comments at the end of a
command line, visible to readers, change that:

    # not run by the doc test: REASON   syntax checked only (bash -n): a window, an install
    # exits 2                           the command must exit with 2 (a refused input)

A transcript's output lines are checked too, unless the command line says `# output varies`:
each must appear in the command's output, in order and consecutive, as printed ("..." skips
any number of lines, and the first line shown may come anywhere), so a transcript that left
out a line the program prints goes stale.
With --update, stale transcripts are rewritten with what the programs print now (a leading
"..." keeps the output's last lines only, as many as the transcript had); read the diff.
"""
import os
import pathlib
import re
import subprocess
import sys
import tempfile

SOURCE = pathlib.Path(sys.argv[1]).resolve()
BINARY = pathlib.Path(sys.argv[2]).resolve()
NOT_RUN = re.compile(r"#\s*not run by the doc test: ")
EXITS = re.compile(r"#\s*exits (\d+)")


class Command:
    def __init__(self, where, text, expected_output=None):
        self.where = where
        self.text = text
        self.expected_output = expected_output  # a transcript's lines, or None


def rewrite_transcript(command, actual):
    """Replaces the transcript's output lines in its file with `actual`."""
    path_text, line_text = command.where.rsplit(":", 1)
    path = SOURCE / path_text
    lines = path.read_text().splitlines()
    first = int(line_text)  # the `$ ` line, numbered from 1: its output starts at index `first`
    new = [line.rstrip() for line in actual.rstrip("\n").splitlines()]
    if command.expected_output and command.expected_output[0].strip() == "...":
        new = ["..."] + new[-(len(command.expected_output) - 1):]
    lines[first:first + len(command.expected_output)] = new
    path.write_text("\n".join(lines) + "\n")


def commands_of(path):
    lines = path.read_text().splitlines()
    found = []
    fence = None
    for number, line in enumerate(lines, 1):
        stripped = line.strip()
        if stripped.startswith("```"):
            fence = stripped[3:].strip() if fence is None else None
            continue
        if fence is None:
            continue
        where = f"{path.relative_to(SOURCE)}:{number}"
        if fence in ("sh", "bash", "shell"):
            if stripped and not stripped.startswith("#"):
                found.append(Command(where, stripped))
        elif stripped.startswith("$ "):
            found.append(Command(where, stripped[2:], []))
        elif found and found[-1].expected_output is not None and found[-1].where.rsplit(":", 1)[0] == \
                where.rsplit(":", 1)[0] and fence == "":
            found[-1].expected_output.append(line.rstrip())
    return found


def output_matches(expected, actual):
    """Each expected line (stripped of trailing blanks) appears in order, each right after the
    one before; '...' skips any number of lines, and the first may come anywhere. Returns the
    first expected line not where it should be, or None."""
    actual_lines = [line.rstrip() for line in actual.splitlines()]
    position = 0
    anywhere = True
    for line in expected:
        line = line.rstrip()
        if line.strip() == "...":
            anywhere = True
            continue
        if anywhere:
            while position < len(actual_lines) and actual_lines[position] != line:
                position += 1
        if position == len(actual_lines) or actual_lines[position] != line:
            return line
        position += 1
        anywhere = False
    return None


def prepare(folder):
    os.symlink(BINARY, folder / "build")
    for name in ("scenarios", "scripts", "tests"):
        os.symlink(SOURCE / name, folder / name)


def main():
    files = [SOURCE / "README.md"] + sorted((SOURCE / "docs").glob("*.md"))
    commands = [c for f in files for c in commands_of(f)]
    if "--update" in sys.argv:
        commands.reverse()  # rewriting a transcript moves the line numbers of those below it
    env = dict(os.environ, PATH=f"{BINARY}:{os.environ.get('PATH', '')}", COLUMNS="100")
    failures = []
    ran = syntax_only = 0
    for command in commands:
        if NOT_RUN.search(command.text):
            check = subprocess.run(["bash", "-n", "-c", command.text], capture_output=True, text=True)
            syntax_only += 1
            if check.returncode != 0:
                failures.append(f"{command.where}: not valid shell: {command.text}\n{check.stderr}")
            continue
        expected_code = int(EXITS.search(command.text).group(1)) if EXITS.search(command.text) else 0
        with tempfile.TemporaryDirectory() as folder:
            prepare(pathlib.Path(folder))
            try:
                result = subprocess.run(["bash", "-c", command.text], cwd=folder, env=env, capture_output=True,
                                        text=True, timeout=300, stdin=subprocess.DEVNULL)
            except subprocess.TimeoutExpired:
                failures.append(f"{command.where}: did not finish in 300 s: {command.text}")
                continue
        ran += 1
        if result.returncode != expected_code:
            failures.append(f"{command.where}: exit {result.returncode}, expected {expected_code}: {command.text}\n"
                            f"{result.stderr[-2000:]}")
            continue
        if command.expected_output and "# output varies" not in command.text:
            missing = output_matches(command.expected_output, result.stdout + result.stderr)
            if missing is not None and "--update" in sys.argv:
                rewrite_transcript(command, result.stdout + result.stderr)
                print(f"{command.where}: rewrote the transcript of `{command.text}`")
            elif missing is not None:
                failures.append(f"{command.where}: the output shown is stale; this line is no longer printed:\n"
                                f"  {missing}\nregenerate it with: python3 tests/docs/doc_commands_check.py . build "
                                "--update (then read the diff)")
    for failure in failures:
        print(failure)
    print(f"{ran} commands run, {syntax_only} checked for syntax only, {len(failures)} failures")
    return 1 if failures or ran == 0 else 0


if __name__ == "__main__":
    sys.exit(main())
