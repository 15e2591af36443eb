#!/usr/bin/env python3
"""What a user of the gilsim command sees when the input, the outputs or the signals are
not the ordinary ones: exit codes, messages, and files left behind. One check per name:

    command_checks.py GILSIM CHECK

Each check builds what it needs in a fresh temporary folder and fails with a message
that says what was expected.
"""
import os
import signal
import stat
import subprocess
import sys
import tempfile
import time

GILSIM = os.path.abspath(sys.argv[1])
DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data")
CHECKS = {}


def check(function):
    CHECKS[function.__name__] = function
    return function


def gilsim(*args, stdout=subprocess.PIPE, env=None, timeout=60):
    return subprocess.run([GILSIM, *args], stdout=stdout, stderr=subprocess.PIPE, env=env,
                          timeout=timeout, text=True)


def expect(condition, message):
    if not condition:
        raise AssertionError(message)


def expect_exit(result, code, stderr_part=None):
    expect(result.returncode == code,
           f"exit {result.returncode}, expected {code}\nstderr:\n{result.stderr}")
    if stderr_part is not None:
        expect(stderr_part in result.stderr, f"stderr lacks {stderr_part!r}:\n{result.stderr}")


def require_dev_full():
    """/dev/full must be the device (writes fail with ENOSPC); never create it."""
    mode = os.stat("/dev/full").st_mode if os.path.exists("/dev/full") else 0
    expect(stat.S_ISCHR(mode), "/dev/full is not the character device on this machine; restore it with "
                               "`rm -f /dev/full && mknod -m 666 /dev/full c 1 7`")


def partial_files(folder):
    return [name for name in os.listdir(folder) if name.endswith(".partial")]


def wait_for(predicate, what, seconds=30):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.02)
    raise AssertionError(f"timed out waiting for {what}")


# --- Input -----------------------------------------------------------------------------

@check
def dev_zero_is_refused():
    result = gilsim("run", "/dev/zero", timeout=10)
    expect_exit(result, 2, "/dev/zero: is a character device; expected a scenario file")


@check
def fifo_is_refused(folder):
    fifo = os.path.join(folder, "scenario.toml")
    os.mkfifo(fifo)
    result = gilsim("run", fifo, timeout=10)  # no writer: it must not wait for one
    expect_exit(result, 2, "is a FIFO (named pipe); expected a scenario file")


@check
def oversized_file_is_refused(folder):
    big = os.path.join(folder, "big.toml")
    with open(big, "w") as f:
        f.write("# padding\n" * 500_000)  # 5 MB of comments
    expect_exit(gilsim("run", big), 2, "is larger than 4194304 bytes")


@check
def read_error_is_reported_as_such():
    # A regular file whose read() fails (EIO at offset 0), not an empty file.
    expect_exit(gilsim("run", "/proc/self/mem"), 2, "/proc/self/mem: cannot read the file (Input/output error)")


@check
def non_ascii_outside_strings_is_refused(folder):
    # C2 B5 (micro sign) alone: toml++ 3.3 reaches undefined behaviour on it.
    path = os.path.join(folder, "mu.toml")
    with open(path, "wb") as f:
        f.write(b"\xc2\xb5")
    expect_exit(gilsim("run", path), 2, "mu.toml:1:1: a non-ASCII character (bytes C2 B5)")


@check
def a_lesson_named_another_way_is_suggested(folder):
    # No such file and no folder in the name: maybe a lesson's name, said another way.
    result = gilsim("run", "convoy")
    expect_exit(result, 2, "convoy: cannot open the file (No such file or directory)")
    expect("file or a bundled lesson: did you mean 07-convoy (" in result.stderr and "07-convoy.toml)?" in result.stderr,
           f"the lesson is not suggested:\n{result.stderr}")
    result = gilsim("run", "19")  # no lesson has that number: all of them are named
    expect_exit(result, 2, "expected a readable scenario file or a bundled lesson, which are 01-cpu-bound, 02-io-bound")
    expect("21-sweep-waiting-share" in result.stderr and "gilsim list" in result.stderr,
           f"not every lesson is named:\n{result.stderr}")
    # A name with a folder is the file the user meant: no guess.
    result = gilsim("run", os.path.join(folder, "convoy"))
    expect_exit(result, 2, "cannot open the file (No such file or directory); expected a readable scenario file\n")
    # A file that is there keeps its file:line:col errors.
    bad = os.path.join(folder, "convoy")
    with open(bad, "w") as f:
        f.write("name = 3\n")
    result = gilsim("run", bad)
    expect_exit(result, 2, f"{bad}:1:")
    expect("did you mean" not in result.stderr, f"a guess for a file that exists:\n{result.stderr}")


@check
def timeout_nan_is_refused():
    for value in ("nan", "inf", "-1", "0"):
        expect_exit(gilsim("run", "--real-only", "--timeout", value), 2, "expected a number of seconds")


@check
def nested_set_values_are_read_as_in_a_file():
    ok = gilsim("run", "--no-timeline", "--set", 'machine={ cores = 2, quantum = "5ms" }')
    expect_exit(ok, 0)
    bad = gilsim("run", "--set", "machine={ cores = 2, quantum = 5 }")
    expect_exit(bad, 2, "'quantum' is the number 5 without a unit")


@check
def stray_worker_variable_is_ignored():
    env = dict(os.environ, GILSIM_REAL_WORKER="3,4")
    result = gilsim("list", env=env)
    expect_exit(result, 0)
    expect("\ndefault  " in result.stdout, f"list printed nothing useful:\n{result.stdout}")


@check
def control_characters_are_escaped():
    result = gilsim("run", "--run", "a\nb\x1b[31m")
    expect_exit(result, 2, "no run named 'a\\nb\\x1b[31m'")
    expect("\x1b" not in result.stderr and result.stderr.count("\n") == 1,
           f"stderr is not one escaped line:\n{result.stderr!r}")


@check
def version_is_printed():
    result = gilsim("--version")
    expect_exit(result, 0)
    expect(result.stdout.startswith("gilsim "), f"--version printed {result.stdout!r}")


@check
def too_much_work_is_refused_naming_the_option():
    # Inside every limit of the file format, but 100000 jobs x 1000 steps.
    steps = 'job.1.steps=[{ repeat = 1000, steps = [{ cpu = "1ms" }] }]'
    result = gilsim("run", "--set", "jobs=100000", "--set", steps, timeout=20)
    expect_exit(result, 2, "above the limit of 20000000 events")
    expect("--max-events N" in result.stderr, f"the option that raises the limit is not named:\n{result.stderr}")
    expect_exit(gilsim("run", "--max-events", "10"), 2, "above the limit of 10 events")
    expect_exit(gilsim("run", "--no-timeline", "--max-events", "100000"), 0)


# --- Outputs ---------------------------------------------------------------------------

@check
def dash_is_standard_output():
    result = gilsim("run", "--export-trace", "-")
    expect_exit(result, 0)
    expect(result.stdout.startswith('{"displayTimeUnit"'), f"stdout is not the trace:\n{result.stdout[:200]}")
    expect_exit(gilsim("run", "--export-trace", "-", "--csv", "-"), 2, "both write to standard output")


@check
def two_outputs_to_one_file_are_refused(folder):
    same = os.path.join(folder, "same.csv")
    # Refused before the model's work is even counted: --max-events 10 would fail later.
    for other in (same, os.path.join(folder, ".", "same.csv")):
        result = gilsim("run", "--max-events", "10", "--csv", same, "--export-trace", other)
        expect_exit(result, 2, "name the same file")
        expect(not os.listdir(folder), f"written although refused: {os.listdir(folder)}")
    with open(same, "w") as f:
        f.write("old")
    os.symlink("same.csv", os.path.join(folder, "link.json"))
    result = gilsim("run", "--csv", same, "--export-trace", os.path.join(folder, "link.json"))
    expect_exit(result, 2, "name the same file")
    with open(same) as f:
        expect(f.read() == "old", "the file was written although the command was refused")
    result = gilsim("sweep", "--vary", "cores=1..2", "--csv", same, "--json", same)
    expect_exit(result, 2, "--csv '")
    # Two files apart are fine.
    expect_exit(gilsim("run", "--no-timeline", "--csv", same, "--export-trace", os.path.join(folder, "t.json")), 0)


@check
def an_output_never_replaces_the_scenario_read(folder):
    scenario = os.path.join(folder, "lesson.toml")
    with open(os.path.join(DATA, "..", "..", "..", "scenarios", "01-cpu-bound.toml")) as f:
        text = f.read()
    with open(scenario, "w") as f:
        f.write(text)
    # The same file by another path too: refused before anything runs, the scenario intact.
    for args in (("run", scenario, "--csv", scenario),
                 ("run", scenario, "--export-trace", os.path.join(folder, ".", "lesson.toml")),
                 ("sweep", scenario, "--vary", "cores=1,2", "--json", scenario)):
        result = gilsim(*args)
        expect_exit(result, 2, "names the scenario file")
        with open(scenario) as f:
            expect(f.read() == text, f"{' '.join(args)} replaced the scenario")


@check
def unusable_output_paths_are_refused_before_the_work(folder):
    # An empty path (a script's unset $OUT) wrote nothing and said nothing; a folder was found
    # only after the runs: --max-events 10 fails later, so these come first.
    expect_exit(gilsim("run", "--csv", ""), 2, "'' is no file name")
    expect_exit(gilsim("sweep", "--vary", "cores=1,2", "--json", ""), 2, "'' is no file name")
    expect_exit(gilsim("run", "--cpython", "--python", ""), 2, "'' is no interpreter")
    expect_exit(gilsim("run", "--max-events", "10", "--csv", folder), 1, "it is a directory")
    expect_exit(gilsim("run", "--max-events", "10", "--csv", folder + "/"), 1, "names a directory, not a file")
    expect_exit(gilsim("sweep", "--vary", "cores=1,2", "--csv", folder), 1, "it is a directory")
    expect(not os.listdir(folder), f"written although refused: {os.listdir(folder)}")


@check
def running_out_of_memory_is_said_plainly(folder):
    import resource
    if "sanitize" in os.environ.get("ASAN_OPTIONS", "") + os.environ.get("TSAN_OPTIONS", "") or \
            b"libasan" in subprocess.run(["ldd", GILSIM], stdout=subprocess.PIPE).stdout or \
            b"libtsan" in subprocess.run(["ldd", GILSIM], stdout=subprocess.PIPE).stdout:
        print("a sanitizer build reserves more address space than the limit: not checked")
        return
    scenario = os.path.join(folder, "hour.toml")
    with open(scenario, "w") as f:
        f.write('title = "an hour"\n[machine]\ncores = 4\n[[job]]\nname = "crunch"\ncount = 4\n'
                'steps = [ { cpu = "3600s" } ]\n[[run]]\nname = "threads"\nexecutor = "threads"\n')
    limit = 200 * 1024 * 1024  # its trace needs several times this
    result = subprocess.run([GILSIM, "run", scenario], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            timeout=120, preexec_fn=lambda: resource.setrlimit(resource.RLIMIT_AS, (limit, limit)))
    expect_exit(result, 1, "gilsim: out of memory: the runs' traces need more memory")
    expect("bad_alloc" not in result.stderr, f"the library's words:\n{result.stderr}")


@check
def symlink_is_written_through(folder):
    target = os.path.join(folder, "real.csv")
    link = os.path.join(folder, "link.csv")
    with open(target, "w") as f:
        f.write("old")
    os.symlink("real.csv", link)
    expect_exit(gilsim("run", "--no-timeline", "--csv", link), 0)
    expect(os.path.islink(link), "the symlink was replaced by a file")
    with open(target) as f:
        expect(f.read().startswith("run,origin"), "the symlink's target was not written")


@check
def special_files_are_written_directly(folder):
    require_dev_full()
    expect_exit(gilsim("run", "--no-timeline", "--csv", "/dev/full"), 1, "cannot write '/dev/full'")
    expect(stat.S_ISCHR(os.stat("/dev/full").st_mode), "/dev/full is no longer a device")
    fifo = os.path.join(folder, "out.csv")
    os.mkfifo(fifo)
    process = subprocess.Popen([GILSIM, "run", "--no-timeline", "--csv", fifo],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    with open(fifo) as f:
        text = f.read()
    expect(process.wait(timeout=60) == 0, "writing to a FIFO failed")
    expect(text.startswith("run,origin"), "the FIFO's reader got no CSV")
    expect(stat.S_ISFIFO(os.stat(fifo).st_mode), "the FIFO became a regular file")


@check
def two_exports_are_all_or_nothing(folder):
    require_dev_full()
    trace = os.path.join(folder, "trace.json")
    result = gilsim("run", "--no-timeline", "--export-trace", trace, "--csv", "/dev/full")
    expect_exit(result, 1, "cannot write '/dev/full'")
    expect(not os.path.exists(trace), "the first export was written although the second failed")
    expect(not partial_files(folder), f"temporaries left: {partial_files(folder)}")


@check
def interrupted_export_leaves_no_partial_file(folder):
    trace = os.path.join(folder, "trace.json")
    fifo = os.path.join(folder, "blocked.csv")
    os.mkfifo(fifo)
    # The trace goes to its temporary first; opening the FIFO then waits for a reader.
    process = subprocess.Popen([GILSIM, "run", "--no-timeline", "--export-trace", trace, "--csv", fifo],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    wait_for(lambda: partial_files(folder), "the trace's temporary file")
    process.send_signal(signal.SIGINT)
    code = process.wait(timeout=30)
    expect(code in (-signal.SIGINT, 130), f"exit {code}, expected death by SIGINT or 130")
    expect(not partial_files(folder), f"temporaries left: {partial_files(folder)}")
    expect(not os.path.exists(trace), "the trace was written although the command was interrupted")


@check
def stdout_errors_fail():
    require_dev_full()
    for args in (("run", "--no-timeline"), ("python",), ("list",)):
        full = os.open("/dev/full", os.O_WRONLY)  # no O_CREAT: never make a file of it
        try:
            result = gilsim(*args, stdout=full)
        finally:
            os.close(full)
        expect_exit(result, 1, "cannot write to standard output")


@check
def real_run_report_keeps_to_the_width():
    # From the data folder: the report's header names the file, a word no width can break.
    result = subprocess.run([GILSIM, "run", "tiny_real.toml", "--real", "--no-timeline", "--width", "40"],
                            cwd=DATA, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=60)
    expect_exit(result, 0)
    expect("Predicted against measured" in result.stdout, f"no prediction table:\n{result.stdout}")
    long_lines = [line for line in result.stdout.splitlines() if len(line) > 40]
    expect(not long_lines, f"lines wider than --width 40:\n" + "\n".join(long_lines))


# --- Signals ---------------------------------------------------------------------------

def long_scenario(folder, rest):
    """folder/long.toml: a job named spin whose keys and runs follow in `rest`."""
    path = os.path.join(folder, "long.toml")
    with open(path, "w") as f:
        f.write('title = "long"\n[[job]]\nname = "spin"\n' + rest)
    return path


def read_terminal(fd):
    """What is left to read from a pseudo-terminal's side, until its other side closes."""
    data = b""
    while True:
        try:
            chunk = os.read(fd, 4096)
        except OSError:  # EIO: every writer has closed the terminal
            return data
        if not chunk:
            return data
        data += chunk


def on_a_terminal(command, env=None):
    """Starts `command` with its stderr on a pseudo-terminal (progress lines are drawn only
    there): the process and the terminal's side to read."""
    reader, writer = os.openpty()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=writer, env=env)
    os.close(writer)
    return process, reader


def interrupt_once(command, started, message, env=None):
    """Runs `command`, sends Ctrl-C once stderr shows `started`: exit 130, one `message` line."""
    process, terminal = on_a_terminal(command, env)
    seen = b""
    while started not in seen:
        try:
            chunk = os.read(terminal, 4096)
        except OSError:
            chunk = b""
        expect(chunk, f"gilsim ended before {started!r}:\n{seen!r}")
        seen += chunk
    process.send_signal(signal.SIGINT)
    process.communicate(timeout=30)
    err = (seen + read_terminal(terminal)).decode()
    os.close(terminal)
    expect(process.returncode == 130, f"exit {process.returncode}, expected 130\nstderr:\n{err}")
    lines = [line for line in err.replace("\r", "\n").splitlines() if line.startswith("gilsim:")]
    expect(len(lines) == 1 and message in lines[0], f"expected one {message!r} message:\n{err}")


@check
def progress_lines_only_on_a_terminal():
    tiny = os.path.join(DATA, "tiny_real.toml")
    # Into a pipe or a log: no line redrawn with '\r', from a CPython run or a real one.
    for option in ("--cpython", "--real-only"):
        # Bytes: text mode would read '\r' as a line end.
        result = subprocess.run([GILSIM, "run", tiny, option, "--run", "threads", "--no-timeline"],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=60)
        expect(result.returncode == 0, f"exit {result.returncode}\nstderr:\n{result.stderr!r}")
        expect(b"\r" not in result.stderr, f"gilsim run {option} wrote a progress line into a pipe:\n{result.stderr!r}")
    # On a terminal: the progress line, wiped before the report.
    process, terminal = on_a_terminal([GILSIM, "run", tiny, "--real-only", "--run", "threads", "--no-timeline"])
    process.communicate(timeout=60)
    err = read_terminal(terminal).decode()
    os.close(terminal)
    expect(process.returncode == 0, f"exit {process.returncode}\nstderr:\n{err}")
    expect("\rmeasuring 'threads'" in err, f"no progress line on the terminal:\n{err!r}")


@check
def ctrl_c_after_a_real_run_stops_the_program(folder):
    trace = os.path.join(folder, "trace.json")
    fifo = os.path.join(folder, "blocked.csv")
    os.mkfifo(fifo)
    tiny = os.path.join(DATA, "tiny_real.toml")
    # After the real run, the trace goes to its temporary and the CSV waits on the FIFO:
    # Ctrl-C there must still stop the program.
    process = subprocess.Popen([GILSIM, "run", tiny, "--real", "--no-timeline", "--export-trace", trace,
                                "--csv", fifo], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_for(lambda: partial_files(folder), "the exports after the real run")
    process.send_signal(signal.SIGINT)
    try:
        code = process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        raise AssertionError("Ctrl-C after the real run was ignored")
    expect(code in (-signal.SIGINT, 130), f"exit {code}, expected death by SIGINT or 130")
    expect(not partial_files(folder), f"temporaries left: {partial_files(folder)}")


@check
def ctrl_c_during_a_real_run_exits_130_once(folder):
    long_run = long_scenario(folder, 'steps = [ { cpu = "30s" } ]\n[[run]]\nexecutor = "sequential"\n')
    # The progress line says the real run has started.
    interrupt_once([GILSIM, "run", long_run, "--real-only", "--no-timeline"], b"measuring", "interrupted")


@check
def ctrl_c_during_a_cpython_run_exits_130_and_leaves_nothing(folder):
    long_run = long_scenario(folder, 'count = 2\nsteps = [ { cpu = "20s" } ]\n'
                                     '[[run]]\nname = "pool"\nexecutor = "process_pool"\nworkers = 2\n')
    temporary = os.path.join(folder, "tmp")  # where the recorder's folder goes
    os.mkdir(temporary)
    # The progress line says the interpreter has started.
    interrupt_once([GILSIM, "run", long_run, "--cpython", "--no-timeline"], b"running for",
                   "interrupted during the CPython run 'pool'", env={**os.environ, "TMPDIR": temporary})
    expect(os.listdir(temporary) == [], f"left in the temporary folder: {os.listdir(temporary)}")
    left = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                if temporary.encode() in f.read():
                    left.append(pid)
        except OSError:
            pass  # it ended while we looked
    expect(not left, f"processes of the CPython run still alive: {left}")


def main():
    name = sys.argv[2]
    function = CHECKS[name]
    if function.__code__.co_argcount == 1:
        with tempfile.TemporaryDirectory() as folder:
            function(folder)
    else:
        function()
    print(f"{name}: ok")


if __name__ == "__main__":
    main()
