#!/usr/bin/env python3
"""Every figure in a **Shows:** paragraph of docs/lessons.md, and in each scenario's note,
is one the program prints (or, in a note, an input of the scenario).

    lesson_figures_check.py SOURCE_DIR GILSIM [--update]

--update rewrites each stale figure as the nearest figure of the same kind that the command
prints, at the precision it was written with, and lists every change: read the diff before
committing it (the nearest figure is a guess at which one the text meant).

Each lesson names its command (`gilsim run scenarios/...`). The check runs it (wider, so
nothing wraps) and reads every figure of the output: times (s, ms, us), ratios (x) and
percentages. A figure of the lesson passes when some output figure in the same kind of unit,
rounded to the lesson's precision, is equal to it ("2.2 s" matches "2.200 s", "74 ms"
matches "74.2 ms"). A stale one is reported with its line, the figures the command prints
now, and the command that prints them. Figures that are not the model's output (a
measurement quoted from elsewhere, a ratio of two table figures) are listed in NOT_OUTPUT
with the reason; anything else unmatched fails. A line of output quoted whole in a **Shows:**
paragraph (`threads: counter = 47,345: lost ...`: a quoted span with a figure in it that is not
a command to type) must be a line the command prints, word for word.

A count written before the name of a table column ("199 switches", "100 drop requests") must
be a value of that column in one of the command's tables: a count has no unit to find it by
among the other figures, and the nearest count in another column would not do. Likewise a
figure written right after a run's name ("old GIL 1.079 s", "Pool(8) 416 ms") must be that
run's makespan or speed-up, not merely a figure somewhere in the output (the old GIL's GIL
wait is 1.077 s).
"""
import re
import shlex
import subprocess
import sys

SOURCE, GILSIM = sys.argv[1], sys.argv[2]
FIGURE = re.compile(r"(?<![\w.,])(\d[\d,]*(?:\.\d+)?)\s?(s|ms|us|µs|x|%)(?![\w])")
COMMAND = re.compile(r"^`gilsim ((?:run|sweep) [^`]*)`$")
QUOTED = re.compile(r"`([^`\n]+)`")
TO_TYPE = ("gilsim ", "python3 ", "--")  # a quoted command or option: typed, not printed
COUNT = re.compile(r"(?<![\w.,])(\d[\d,]*)\s+(switches|drop requests)\b")
TO_SECONDS = {"s": 1.0, "ms": 1e-3, "us": 1e-6, "µs": 1e-6}
# (the lesson's scenario, figure as written) -> why it is not the program's output. Keyed by
# lesson, so an exemption cannot hide the same figure gone stale in another lesson; an
# exemption no lesson uses fails the check, so none outlives its sentence.
NOT_OUTPUT = {
    ("11-old-gil.toml", "1.85x"): "Beazley's measurement on CPython, quoted",
    ("11-old-gil.toml", "1.54x"): "Beazley's measurement on CPython, quoted",
    ("04-blocking-coroutine.toml", "900 ms"): "three handlers x 300 ms of blocking: the scenario's input",
    ("12-free-threaded.toml", "40%"): "python.free_threading_overhead of the scenario: its input",
    ("01-cpu-bound.toml", "5 ms"): "the default switch interval: an input of the run",
    ("07-convoy.toml", "5 ms"): "the default switch interval: the cost per read the text explains",
    ("07-convoy.toml", "110 ms"): "100 reads x 1.1 ms, the inputs multiplied: the reader alone",
    ("05-responsive-gui.toml", "1.02 s"): "60 x 17 ms, the inputs multiplied: the ideal makespan",
    ("13-to-thread.toml", "3.006 s"): "30 ticks of 100 ms plus the ticks' own work, the ideal: no run prints it",
    ("13-to-thread.toml", "1.5 s"): "the executor thread's Python work, the scenario's input",
    ("08-switch-interval.toml", "1 ms"): "a run's switch interval, its input (and its name)",
    ("08-switch-interval.toml", "5 ms"): "a run's switch interval, its input (and its name)",
    ("08-switch-interval.toml", "50 ms"): "a run's switch interval, its input (and its name)",
    ("15-lost-update.toml", "5 ms"): "a switch interval lost_update.py measures at, its input",
    ("15-lost-update.toml", "1 ms"): "a switch interval lost_update.py measures at, its input",
    ("15-lost-update.toml", "0.1 ms"): "the lesson's switch interval, its input",
    ("15-lost-update.toml", "40 us"): "3.142 s over the 80,000 iterations it prints, about 39 us: the figures divided",
    ("15-lost-update.toml", "1.10 s"): "CPython's runs of the lesson's program on an idle 2-core machine, measured (docs/model.md L8)",
    ("15-lost-update.toml", "1.158 s"): "the run on 2 cores (--set cores=2), checked by tests/cli/lesson_report_test.cpp",
    ("05-responsive-gui.toml", "1 ms"): "a run's switch interval, its input (and its name)",
    ("05-responsive-gui.toml", "5 ms"): "a run's switch interval, its input (and its name)",
    ("05-responsive-gui.toml", "20 ms"): "a run's switch interval, its input (and its name)",
}
# A lesson's figure that is a default the scenario leaves to the program, by its scenario and
# the figure as written: the key whose default it is (NOTE_DEFAULTS says how it is checked).
LESSON_DEFAULTS = {
    ("18-process-vs-pool.toml", "1.2 ms"): "fork_start",
}
# A figure that is a sum of defaults the program charges, by scenario and figure as written (a
# note's or a lesson's): the sum, over the defaults' names, checked at the figure's precision.
# Lesson 18's parent pays every Process.start(), the first a little more (model.md P4, P4d);
# tests/cli/lessons_count_test.cpp checks that the model's trace adds up to the same.
COST_SUMS = {
    ("18-process-vs-pool.toml", "49.5 ms"): "40 * fork_start + fork_first_extra",
}
# Quoted text that is Python code the lesson names, not a line the program prints.
QUOTED_CODE = {"counter += 1"}
# (the lesson's scenario, figure as written) -> (run, run): a ratio the text works out from two
# makespans of the table, the first run's over the second's; checked at the figure's precision.
MAKESPAN_RATIOS = {
    ("11-old-gil.toml", "1.80x"): ("old gil, 2 cores", "sequential"),
    ("11-old-gil.toml", "1.50x"): ("old gil, 1 core", "sequential"),
}


def scenario_of(command):
    """The scenario file a lesson's command runs: `run scenarios/11-old-gil.toml ...` -> 11-old-gil.toml."""
    return next((arg.rsplit("/", 1)[-1] for arg in shlex.split(command) if arg.endswith(".toml")), command)


used_exemptions = set()
used_defaults = set()
used_sums = set()


def value_of(number, unit):
    """(kind, value): times in seconds, ratios and percentages as they are."""
    value = float(number.replace(",", ""))
    return ("time", value * TO_SECONDS[unit]) if unit in TO_SECONDS else (unit, value)


def decimals_of(number):
    return len(number.split(".")[1]) if "." in number else 0


def column_values(output):
    """{column name: set of its cells} over every table of the output. A table is a header
    line, a line of dashes, then rows up to a blank line; cells are parted by two or more
    spaces and the columns counted from the right (a run's name may be blank in a sweep)."""
    columns = {}
    lines = output.splitlines()
    for i in range(1, len(lines)):
        if not lines[i] or set(lines[i]) != {"-"}:
            continue
        header = re.split(r"\s{2,}", lines[i - 1].strip())
        for row in lines[i + 1:]:
            if not row.strip():
                break
            cells = re.split(r"\s{2,}", row.strip())
            for name, cell in zip(reversed(header), reversed(cells)):
                columns.setdefault(name, set()).add(cell)
    return columns


def without_run_names(output):
    """The output with its titles (a line over a line of `=`) and the first cell of each row of
    its run tables (a header starting `run `, a line of dashes, rows up to a blank line) blanked."""
    lines = output.splitlines()
    in_table = False
    for i, line in enumerate(lines):
        if i + 1 < len(lines) and lines[i + 1] and set(lines[i + 1]) == {"="}:
            lines[i] = ""  # the scenario's title: its text, not a result
        elif i > 0 and line and set(line) == {"-"} and lines[i - 1].startswith("run "):
            in_table = True
        elif not line.strip():
            in_table = False
        elif in_table:
            name = re.split(r"\s{2,}", line.strip())[0]
            lines[i] = line.replace(name, " " * len(name), 1)
    return "\n".join(lines)


def run_rows(output):
    """{run name, lower case: its makespan and speed-up cells} over the output's tables whose
    first column is `run` (a sweep's tables are by grid point, and have no such column)."""
    rows = {}
    lines = output.splitlines()
    for i in range(1, len(lines)):
        if not lines[i] or set(lines[i]) != {"-"} or not lines[i - 1].startswith("run "):
            continue
        header = re.split(r"\s{2,}", lines[i - 1].strip())
        for row in lines[i + 1:]:
            if not row.strip():
                break
            cells = dict(zip(header, re.split(r"\s{2,}", row.strip())))
            rows.setdefault(cells["run"].lower(), []).extend(
                cells[column] for column in ("makespan", "speedup") if column in cells)
    return rows


def rows_named_before(line, at, rows):
    """The rows of the run whose name the text just before position `at` gives ("old GIL" for
    "old GIL, 2 cores" and "old GIL, 1 core"), or None when the text names no run."""
    # A run's name may hold a bracket ("Pool(8)"); a bracket after a space opens an aside.
    lead = re.split(r"[,;:]|\s\(|\*\*", line[:at])[-1].replace("`", "").strip().lower()
    if not lead:
        return None
    named = [name for name in rows if name == lead or name.startswith(lead + ",")]
    return [rows[name] for name in named] or None


def makespan_ratio(rows, numerator, denominator):
    """The makespan of run `numerator` over that of `denominator` as the table prints them, or
    None when either is not one row of the table."""
    def seconds(run):
        cells = rows.get(run, [])
        figures = output_figures(cells[0]) if cells else []
        return value_of(figures[0][1], figures[0][2])[1] if len(figures) == 1 else None
    top, bottom = seconds(numerator), seconds(denominator)
    return top / bottom if top is not None and bottom else None


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




# --- The scenarios' teaching notes ------------------------------------------------------
#
# A note's figure passes when `gilsim run FILE` prints it (the table, the note left out), or
# when it is an input of the scenario (a value of the file: "250 ms" for cpu = "250ms", "40%"
# for 0.4). In a bullet that suggests `--set KEY=VALUE` ("try --set ...: 3.6x faster"), the
# figures are checked against the run with that override. A figure written "~5 ms" or
# "about 110 ms" passes within 10% of a printed one. Figures inside a command the note
# shows (`...`, '...' or an indented command line) are inputs to type, not checked.
# Anything else is listed here by file and figure, with the reason.
NOTE_NOT_OUTPUT = {
    ("15-lost-update.toml", "40 us"): "3.142 s over the 80,000 iterations it prints, about 39 us: the figures divided",
    ("15-lost-update.toml", "1.158 s"): "the same run on 2 cores (--set cores=2), checked by tests/cli/lesson_report_test.cpp",
    ("15-lost-update.toml", "1.1 s"): "CPython's runs of the lesson's program on an idle 2-core machine, measured (docs/model.md L8)",
    ("15-lost-update.toml", "50 us"): "a switch interval of the note's sweep, its input",
    ("15-lost-update.toml", "25 us"): "a switch interval of the note's sweep, its input",
    ("05-responsive-gui.toml", "17 ms"): "16 ms + 1 ms, the inputs added up: the ideal frame",
    ("05-responsive-gui.toml", "1.02 s"): "60 x 17 ms, the inputs multiplied: the ideal makespan",
    ("06-native-releases-gil.toml", "3.30 s"): "a CPython 3.9 measurement, quoted",
    ("06-native-releases-gil.toml", "1.68 s"): "a CPython 3.9 measurement, quoted",
    ("07-convoy.toml", "110 ms"): "100 reads x 1.1 ms, the inputs multiplied: the reader alone",
    ("07-convoy.toml", "600 ms"): "when the reader finishes: on its row of the timeline, not in the table",
    ("08-switch-interval.toml", "1 us"): "take_gil's shortest wait, a fact of CPython (docs/model.md G2)",
    ("11-old-gil.toml", "1.8x"): "Beazley's measurement on CPython, quoted",
    ("12-free-threaded.toml", "10%"): "3.14t's overhead on pyperformance, quoted",
    ("13-to-thread.toml", "3.006 s"): "30 ticks of 100 ms plus the ticks' own work, the ideal: no run prints it",
    ("13-to-thread.toml", "8%"): "python.free_threading_overhead's default, the no-GIL run's input "
                                 "(tests/cli/lesson_report_test.cpp checks it)",
    ("13-to-thread.toml", "40%"): "lesson 12's free_threading_overhead, quoted (tests/cli/lesson_report_test.cpp checks it)",
    ("15-lost-update.toml", "1.6 ms"): "the first interval at which the note's sweep loses nothing "
                                        "(tests/lessons/sweep_lessons_test.cpp checks it)",
    ("20-sweep-pool-size.toml", "1x"): "the thread pool's curve in the sweep the note shows",
    ("20-sweep-pool-size.toml", "13 ms"): "the spawn pool's makespan per worker past four in the note's sweep "
                                          "(tests/lessons/sweep_lessons_test.cpp checks it)",
    ("21-sweep-waiting-share.toml", "100 ms"): "a request's work and wait added up, the inputs: 100 ms at every point",
    ("21-sweep-waiting-share.toml", "0%"): "the sweep's first value, an input",
    ("21-sweep-waiting-share.toml", "90%"): "the sweep's last value, an input",
    ("21-sweep-waiting-share.toml", "1x"): "the threads' curve in the sweep the note shows",
    ("21-sweep-waiting-share.toml", "4x"): "the pool's curve in the sweep the note shows",
}
# A note's figure that is a default the file leaves to the program (the switch interval, a
# cost), by file and figure: the key whose default it is. The default is read from the code
# (sim/scenario/scenario.hpp), so a note cannot quote a default that has since changed. The
# figure is the default rounded to the figure's precision, "about" or not ("about 1.2 ms" for
# 1.23 ms; "1.3 ms" would be a second figure for the same cost), and every note and lesson
# writes a default the same way, so a class meets one figure for one cost.
NOTE_DEFAULTS = {
    ("01-cpu-bound.toml", "5 ms"): "switch_interval",
    ("05-responsive-gui.toml", "5 ms"): "switch_interval",
    ("07-convoy.toml", "5 ms"): "switch_interval",
    ("10-pool-overhead.toml", "55 ms"): "spawn_start",
    ("10-pool-overhead.toml", "1.2 ms"): "fork_start",
    ("10-pool-overhead.toml", "1.3 ms"): "fork_child_start",
    ("13-to-thread.toml", "5 ms"): "switch_interval",
    ("15-lost-update.toml", "5 ms"): "switch_interval",
    ("18-process-vs-pool.toml", "1.2 ms"): "fork_start",
    ("20-sweep-pool-size.toml", "1.2 ms"): "fork_start",
    ("20-sweep-pool-size.toml", "1.3 ms"): "fork_child_start",
    ("20-sweep-pool-size.toml", "55 ms"): "spawn_start",
}
written_defaults = {}  # key -> {figure as written: where}, to find a default written two ways


def default_problem(written, number, unit, key, defaults, where):
    """Why `written` ("1.2 ms") is not the default of `key` rounded to its precision, or None;
    notes where it was written, for the one-way rule."""
    written_defaults.setdefault(key, {}).setdefault(written, where)
    wanted = defaults.get(key)
    scale = TO_SECONDS[unit] if unit in TO_SECONDS else 1.0
    value = value_of(number, unit)[1]
    places = decimals_of(number)
    if wanted is not None and round(value / scale, places) == round(wanted / scale, places):
        return None
    return (f"'{written}' is given as the default of {key}, which sim/scenario/scenario.hpp sets to "
            f"{'nothing' if wanted is None else f'{wanted * 1e3:g} ms'}: write the default, rounded to the "
            f"figure's precision")


def sum_problem(written, number, unit, formula, defaults):
    """Why `written` is not the sum `formula` of defaults at its precision, or None."""
    try:
        total = eval(formula, {"__builtins__": {}}, dict(defaults))  # names of sim/scenario/scenario.hpp
    except NameError as e:
        return f"'{written}' is given as {formula}, which names a default the code does not have ({e})"
    scale = TO_SECONDS[unit] if unit in TO_SECONDS else 1.0
    places = decimals_of(number)
    if round(value_of(number, unit)[1] / scale, places) == round(total / scale, places):
        return None
    return (f"'{written}' is given as {formula}, which is {total / scale:.{places + 2}f} {unit} from "
            f"sim/scenario/scenario.hpp's defaults: write the sum, at the figure's precision")


def code_defaults():
    """{key: seconds}: each `Time NAME = Time{NS};` default of sim/scenario/scenario.hpp (the
    [costs] and the rest), and switch_interval from kDefaultSwitchInterval."""
    code = open(f"{SOURCE}/sim/scenario/scenario.hpp", encoding="utf-8").read()
    defaults = {name: int(ns.replace("'", "")) * 1e-9
                for name, ns in re.findall(r"\bTime (\w+) = Time\{([\d']+)\};", code)}
    interval = re.search(r"kDefaultSwitchInterval = Time\{([\d']+)\};", code)
    if interval:
        defaults["switch_interval"] = int(interval.group(1).replace("'", "")) * 1e-9
    return defaults


NOTE_QUOTED = re.compile(r"`[^`]*`|'[^'\n]*'|^ {2,}(?:gilsim|--).*$", re.M)
NOTE_SET = re.compile(r"--set\s+(?:'([^']*)'|([\w.]+=[^\s':]+))")
APPROXIMATE = re.compile(r"(?:~|about |near |nearly )$")
DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(s|ms|us|µs|ns)\s*$")


def note_of(text):
    """The note's span in the file's text: (start, end) of the string's contents."""
    found = re.search(r'^note\s*=\s*"""\n?(.*?)"""', text, re.S | re.M)
    if found:
        return found.start(1), found.end(1)
    found = re.search(r'^note\s*=\s*"((?:[^"\\\n]|\\.)*)"', text, re.M)
    return (found.start(1), found.end(1)) if found else None


def note_blocks(note):
    """(start, end) of each bullet ("- " and its indented lines) or other line of the note."""
    blocks, offset = [], 0
    for line in note.splitlines(keepends=True):
        if blocks and line.startswith("  ") and note[blocks[-1][0]:].startswith("- "):
            blocks[-1][1] = offset + len(line)
        else:
            blocks.append([offset, offset + len(line)])
        offset += len(line)
    return blocks


def near(number, unit, printed):
    kind, wanted = value_of(number, unit)
    return any(printed_kind == kind and abs(value - wanted) <= 0.1 * wanted
               for printed_kind, value in (value_of(n, u) for _, n, u in printed))


def scenario_inputs(document):
    """Every value of the file (the note left out) as a (kind, value) figure."""
    inputs = set()

    def walk(value):
        if isinstance(value, dict):
            for key, inner in value.items():
                if key != "note":
                    walk(inner)
        elif isinstance(value, list):
            for inner in value:
                walk(inner)
        elif isinstance(value, str):
            duration = DURATION.match(value)
            if duration:
                number, unit = duration.groups()
                seconds = float(number) * {"s": 1.0, "ms": 1e-3, "us": 1e-6, "µs": 1e-6, "ns": 1e-9}[unit]
                inputs.add(("time", round(seconds, 12)))
        elif isinstance(value, (int, float)) and not isinstance(value, bool):
            inputs.add(("%", round(value * 100.0, 9)))
            inputs.add(("x", float(value)))

    walk(document)
    return inputs


def is_input(number, unit, inputs):
    kind, value = value_of(number, unit)
    return (kind, round(value, 12 if kind == "time" else 9)) in inputs


def nearest(number, unit, printed):
    """The printed figure of the same kind closest to the written one, at its precision."""
    kind, wanted = value_of(number, unit)
    scale = TO_SECONDS.get(unit, 1.0)
    best = None
    for _, printed_number, printed_unit in printed:
        printed_kind, value = value_of(printed_number, printed_unit)
        if printed_kind == kind and (best is None or abs(value - wanted) < abs(best - wanted)):
            best = value
    if best is None:
        return None
    places = decimals_of(number)
    text = f"{best / scale:,.{places}f}" if "," in number else f"{best / scale:.{places}f}"
    return text


def check_notes(update):
    import glob
    import os
    import tomllib
    stale, checked, updated = [], 0, 0
    outputs = {}
    defaults = code_defaults()

    def printed_by(name, sets):
        args = ["run", f"scenarios/{name}", "--no-timeline", "--width", "200"]
        for value in sets:
            args += ["--set", value]
        command = "gilsim " + " ".join(args)
        if command not in outputs:
            result = subprocess.run([GILSIM, *args, "--set", "note=-"], cwd=SOURCE, capture_output=True, text=True)
            if result.returncode != 0:
                stale.append(f"scenarios/{name}: `{command}` failed:\n{result.stderr}")
            outputs[command] = output_figures(result.stdout)
        return command, outputs[command]

    for path in sorted(glob.glob(f"{SOURCE}/scenarios/*.toml")):
        name = os.path.basename(path)
        text = open(path, encoding="utf-8").read()
        span = note_of(text)
        if span is None:
            continue
        inputs = scenario_inputs(tomllib.loads(text))
        start, end = span
        note = text[start:end]
        quoted = [(m.start(), m.end()) for m in NOTE_QUOTED.finditer(note)]
        replacements = []
        for block_start, block_end in note_blocks(note):
            block = note[block_start:block_end]
            command, printed = printed_by(name, ["".join(found) for found in NOTE_SET.findall(block)])
            for figure in FIGURE.finditer(block):
                at = block_start + figure.start()
                if any(a <= at < b for a, b in quoted):
                    continue
                written = " ".join(figure.group(0).split())
                if (name, written) in NOTE_NOT_OUTPUT:
                    continue
                if (name, written) in NOTE_DEFAULTS or (name, written) in COST_SUMS:
                    line = text.count("\n", 0, start + block_start + figure.start()) + 1
                    checked += 1
                    if (name, written) in COST_SUMS:
                        used_sums.add((name, written))
                        problem = sum_problem(written, figure.group(1), figure.group(2), COST_SUMS[(name, written)],
                                              defaults)
                    else:
                        used_defaults.add((name, written))
                        problem = default_problem(written, figure.group(1), figure.group(2),
                                                  NOTE_DEFAULTS[(name, written)], defaults, f"scenarios/{name}:{line}")
                    if problem:
                        stale.append(f"scenarios/{name}:{line}: {problem}")
                    continue
                number, unit = figure.group(1), figure.group(2)
                checked += 1
                if matches(number, unit, printed) or is_input(number, unit, inputs):
                    continue
                if APPROXIMATE.search(block[:figure.start()]) and near(number, unit, printed):
                    continue
                line = text.count("\n", 0, start + at) + 1
                fresh = nearest(number, unit, printed)
                if update and fresh is not None:
                    replacements.append((block_start + figure.start(1), block_start + figure.end(1), fresh))
                    print(f"scenarios/{name}:{line}: '{written}' -> '{fresh}{figure.group(0)[len(number):]}' "
                          f"(from `{command}`)")
                    continue
                same_unit = sorted({t for t, _, u in printed if value_of("1", u)[0] == value_of("1", unit)[0]})
                stale.append(f"scenarios/{name}:{line}: '{written}' in the note is neither printed by the program "
                             f"nor an input of the scenario; it prints now: {', '.join(same_unit) or 'no such figure'}\n"
                             f"  update it from what this prints: {command} (or run this check with --update), or "
                             f"list it in NOTE_NOT_OUTPUT with the reason")
        if replacements:
            for a, b, fresh in reversed(replacements):
                note = note[:a] + fresh + note[b:]
            with open(path, "w", encoding="utf-8") as f:
                f.write(text[:start] + note + text[end:])
            updated += len(replacements)
    return stale, checked, updated


def check_lessons(update):
    lines = open(f"{SOURCE}/docs/lessons.md", encoding="utf-8").read().splitlines(keepends=True)
    command = None
    outputs = {}
    printed_lines = {}  # the command's output, line by line, for quoted lines
    shown = {}  # the command as run, for the message
    printed_columns = {}  # the command's tables, column by column, for counts
    printed_rows = {}  # the command's tables, run by run, for a figure after a run's name
    stale = []
    checked = updated = 0
    in_shows = False
    defaults = code_defaults()
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
                # Nor the note: its figures are the scenario's text, not what the runs give.
                args = [a for a in args if a != "--no-timeline"] + ["--no-timeline", "--set", "note=-"]
            args += ["--width", "200"]
            result = subprocess.run([GILSIM, *args], cwd=SOURCE, capture_output=True, text=True)
            shown[command] = "gilsim " + " ".join(args)
            if result.returncode != 0:
                stale.append(f"docs/lessons.md:{number}: `gilsim {command}` failed:\n{result.stderr}")
            # A run's name is not a result ("switch 50 ms"): a figure of the text must be one.
            outputs[command] = output_figures(without_run_names(result.stdout))
            printed_lines[command] = [printed.strip() for printed in result.stdout.splitlines()]
            printed_columns[command] = column_values(result.stdout)
            printed_rows[command] = run_rows(result.stdout)
        for quoted in QUOTED.findall(line):
            if not re.search(r"\d", quoted) or quoted.startswith(TO_TYPE) or quoted in QUOTED_CODE:
                continue
            checked += 1
            if not any(quoted in printed for printed in printed_lines[command]):
                lead = re.split(r"\d", quoted, maxsplit=1)[0]
                now = [printed for printed in printed_lines[command] if lead and printed.startswith(lead)]
                stale.append(f"docs/lessons.md:{number}: `{quoted}` is not a line the program prints; "
                             f"it prints now: {'; '.join(now) or 'no line that starts the same'}\n"
                             f"  quote the line from what this prints: {shown[command]}")
        for count in COUNT.finditer(line):
            checked += 1
            column = printed_columns[command].get(count.group(2), set())
            if count.group(1).replace(",", "") not in {cell.replace(",", "") for cell in column}:
                now = sorted(column, key=lambda cell: int(cell.replace(",", "")) if cell.replace(",", "").isdigit() else -1)
                stale.append(f"docs/lessons.md:{number}: '{count.group(0)}' is not in the '{count.group(2)}' column; "
                             f"it prints now: {', '.join(now) or 'no such column'}\n"
                             f"  update the count from what this prints: {shown[command]}")
        replacements = []
        for figure in FIGURE.finditer(line):
            exemption = (scenario_of(command), figure.group(0).replace("\u00a0", " "))
            if exemption in LESSON_DEFAULTS or exemption in COST_SUMS:
                used_exemptions.add(exemption)
                checked += 1
                if exemption in COST_SUMS:
                    used_sums.add(exemption)
                    problem = sum_problem(exemption[1], figure.group(1), figure.group(2), COST_SUMS[exemption], defaults)
                else:
                    problem = default_problem(exemption[1], figure.group(1), figure.group(2),
                                              LESSON_DEFAULTS[exemption], defaults, f"docs/lessons.md:{number}")
                if problem:
                    stale.append(f"docs/lessons.md:{number}: {problem}")
                continue
            if exemption in NOT_OUTPUT:
                used_exemptions.add(exemption)
                continue
            if exemption in MAKESPAN_RATIOS:
                used_exemptions.add(exemption)
                checked += 1
                ratio = makespan_ratio(printed_rows[command], *MAKESPAN_RATIOS[exemption])
                written = float(figure.group(1))
                if ratio is None or round(ratio, decimals_of(figure.group(1))) != written:
                    stale.append(f"docs/lessons.md:{number}: '{figure.group(0)}' is given as the makespan of "
                                 f"'{MAKESPAN_RATIOS[exemption][0]}' over that of '{MAKESPAN_RATIOS[exemption][1]}', "
                                 f"which is {'not in the table' if ratio is None else f'{ratio:.3f}'} in what this "
                                 f"prints: {shown[command]} (write the ratio, and its key in MAKESPAN_RATIOS)")
                continue
            checked += 1
            named_rows = rows_named_before(line, figure.start(), printed_rows[command])
            if named_rows is not None:
                in_row = [f for cells in named_rows for cell in cells for f in output_figures(cell)]
                if not matches(figure.group(1), figure.group(2), in_row):
                    stale.append(f"docs/lessons.md:{number}: '{figure.group(0)}' follows a run's name but is not "
                                 f"its makespan or speed-up; they are: {'; '.join('  '.join(cells) for cells in named_rows)}\n"
                                 f"  update the figure from what this prints: {shown[command]}")
                    continue
            if not matches(figure.group(1), figure.group(2), outputs[command]):
                fresh = nearest(figure.group(1), figure.group(2), outputs[command])
                if update and fresh is not None:
                    replacements.append((figure.start(1), figure.end(1), fresh))
                    print(f"docs/lessons.md:{number}: '{figure.group(0)}' -> "
                          f"'{fresh}{figure.group(0)[len(figure.group(1)):]}' (from `{shown[command]}`)")
                    continue
                same_unit = sorted({text for text, _, u in outputs[command]
                                    if value_of("1", u)[0] == value_of("1", figure.group(2))[0]})
                stale.append(f"docs/lessons.md:{number}: '{figure.group(0)}' is not what the program prints; "
                             f"it prints now: {', '.join(same_unit)}\n"
                             f"  update the figure from what this prints: {shown[command]} "
                             f"(or run this check with --update)")
        for a, b, fresh in reversed(replacements):
            line = line[:a] + fresh + line[b:]
        lines[number - 1] = line
        updated += len(replacements)
    if updated:
        with open(f"{SOURCE}/docs/lessons.md", "w", encoding="utf-8") as f:
            f.write("".join(lines))
    return stale, checked, updated


def main():
    update = "--update" in sys.argv[3:]
    stale, checked, updated = [], 0, 0
    # Notes first: a lesson's command prints its note, so a lesson's figure may be one of them.
    for part in (check_notes, check_lessons):
        part_stale, part_checked, part_updated = part(update)
        stale += part_stale
        checked += part_checked
        updated += part_updated
    for scenario, figure in sorted(set(NOTE_DEFAULTS) - used_defaults):
        stale.append(f"NOTE_DEFAULTS names '{figure}' in the note of {scenario}, which no longer writes it "
                     f"there: remove it")
    for key, forms in sorted(written_defaults.items()):
        if len(forms) > 1:
            stale.append(f"the default {key} is written {len(forms)} ways: "
                         f"{'; '.join(f'{form} ({where})' for form, where in sorted(forms.items()))}: "
                         f"write it one way everywhere (the default rounded to one precision)")
    for scenario, figure in sorted(set(COST_SUMS) - used_sums):
        stale.append(f"COST_SUMS names '{figure}' for {scenario}, which no note or lesson writes: remove it")
    for scenario, figure in sorted((set(NOT_OUTPUT) | set(MAKESPAN_RATIOS) | set(LESSON_DEFAULTS))
                                   - used_exemptions):
        stale.append(f"NOT_OUTPUT exempts '{figure}' in the lesson of {scenario}, which no longer "
                     f"writes it there: remove the exemption")
    for problem in stale:
        print(problem)
    print(f"{checked} figures checked, {len(stale)} stale" + (f", {updated} updated: read the diff" if update else ""))
    return 1 if stale or checked == 0 else 0


if __name__ == "__main__":
    sys.exit(main())
