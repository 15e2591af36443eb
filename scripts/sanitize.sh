#!/usr/bin/env bash
# Builds the test suites, gilsim and gilviz with a sanitizer and runs them under it:
#   scripts/sanitize.sh address   ASan + UBSan, in build-asan/
#   scripts/sanitize.sh thread    TSan, in build-tsan/
# Then: each doctest suite (test_model, test_trace, test_real, test_cli, test_viz, the
# viewer's under xvfb-run when there is no display, test_scenario, test_sweep, test_lessons,
# test_fidelity), each from its own folder with the ENVIRONMENT ctest gives it, and the ctest
# checks of the gilsim and gilviz programs (those the ctest filter below lists). Any
# sanitizer report fails the run (halt_on_error, exit 86). Not run: the benchmark and fidelity
# programs, the ctest checks of the Python probes, the install and the screenshots.
# Slow, so not part of scripts/test.sh nor .ci/run: on this two-core machine, shared with
# other builds (load average 1-10), a first build at GILSIM_JOBS=1, the two trees side by side,
# took 36 min for build-tsan (1081 s user, 296 s system CPU) and about 50 min for build-asan.
# The runs themselves, built already, at load average 1-2.3 (seconds):
#                 test_model test_trace test_real test_cli test_viz programs  whole
#   address+UB        26          1         14        3       53       35    139 s
#   thread            61          3         15        5      156       22    270 s
# test_real's real runs need no smaller sizes nor longer timeouts under either sanitizer.
# The last four suites, run alone (SANITIZE_SUITES, below) at nice 19, at load average 5.4-6.2
# (address) and 8.1-9.9 (thread), seconds:
#                 test_scenario test_sweep test_lessons test_fidelity
#   address+UB          1            20        99 + 14 (*)   2
#   thread              8            31        1069 (*)     12
# Their build alone, the four suites and gilsim, the two trees side by side at GILSIM_JOBS=1
# and nice 19 (load average 4-10): build-tsan about 36 min, build-asan 78 min (1383 s user,
# 78 s system CPU).
# (*) test_lessons records programs in CPython, each run with a 120 s timeout; its python3
# children take the script's nice. At nice 19 beside other builds (load average 8) they got
# no CPU for a minute at a time and three cases timed out (its TSan figure above, 3 of 37
# cases failed, no sanitizer report), as they do in the plain build at nice 19 then. Those
# three cases, at nice 0: 14 s under ASan+UBSan, 13 s under TSan, clean; the other 34 cases
# at nice 19 under ASan+UBSan (load average 3.9-6.0): 99 s, clean. On a busy machine,
# run test_lessons at nice 0 or when the load is low.
# SANITIZE_SUITES="test_model test_real" runs only those suites (and no program checks).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
case "${1:-}" in
  address) sanitize=address,undefined; build_dir="$root/build-asan" ;;
  thread) sanitize=thread; build_dir="$root/build-tsan" ;;
  *) echo "usage: scripts/sanitize.sh address|thread" >&2; exit 2 ;;
esac
suites="${SANITIZE_SUITES:-test_model test_trace test_real test_cli test_viz test_scenario test_sweep test_lessons test_fidelity}"
launcher=()
if command -v ccache >/dev/null; then launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache); fi
# -O1, the sanitizers' usual level: a fifth less CPU to build than -O2 (4.95 s against 6.20 s
# for sim/cli/scenario_report.cpp with ASan+UBSan and g++ 12 here). The default compiler: Debian
# 12's clang 14 cannot capture structured bindings in lambdas nor use libstdc++ 12's iota_view.
cmake -S "$root" -B "$build_dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g -DNDEBUG" \
      -DGILSIM_SANITIZE="$sanitize" "${launcher[@]}" >/dev/null
targets=($suites)
if [ -z "${SANITIZE_SUITES:-}" ]; then targets+=(gilsim gilviz); fi
cmake --build "$build_dir" -j"${GILSIM_JOBS:-2}" --target "${targets[@]}"

# Exit code 86 on a report: a program check that expects exit 1 or 2 cannot pass on one.
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1:exitcode=86"
export ASAN_OPTIONS="detect_leaks=1:exitcode=86"
export TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1 exitcode=86"
display=()
if [ -z "${DISPLAY:-}" ] && command -v xvfb-run >/dev/null; then display=(xvfb-run -a); fi

failed=()
for suite in $suites; do
  binary="$(find "$build_dir/tests" -name "$suite" -type f -perm -u+x | head -n 1)"
  echo "== $suite ($1)"
  began=$SECONDS
  # From its own folder and with its ENVIRONMENT, as ctest runs it (test_lessons: a TMPDIR of
  # its own), but with no TIMEOUT: a sanitizer slows a suite past the ones set for plain builds.
  mapfile -t suite_env < <(cd "$build_dir" && ctest --show-only=json-v1 -R "^$suite\$" | python3 -c '
import json, sys
for test in json.load(sys.stdin)["tests"]:
    for prop in test.get("properties", []):
        if prop["name"] == "ENVIRONMENT": print("\n".join(prop["value"]))')
  if ! (cd "$(dirname "$binary")" && env "${suite_env[@]}" "${display[@]}" "$binary"); then failed+=("$suite"); fi
  echo "== $suite ($1): $((SECONDS - began)) s, load average $(cut -d' ' -f1-3 /proc/loadavg)"
done
if [ -z "${SANITIZE_SUITES:-}" ]; then
  echo "== gilsim and gilviz checks ($1)"
  began=$SECONDS
  # The programs' exit codes, messages and signals; not those of the benchmark and fidelity
  # programs (not built here), the install (a whole build) nor the screenshots (minutes
  # unsanitized). gilviz's own argument checks (gilviz_exit_bench_*) do run.
  if ! (cd "$build_dir" && "${display[@]}" ctest --output-on-failure -j"${GILSIM_JOBS:-2}" -R '^(gilsim|gilviz)_' \
          -E '^gilsim_(bench|sweep_bench|cpython_observer|wake_probe|fidelity)_|^gilsim_install$|^gilviz_screenshots$'); then
    failed+=("program checks")
  fi
  echo "== gilsim and gilviz checks ($1): $((SECONDS - began)) s, load average $(cut -d' ' -f1-3 /proc/loadavg)"
fi
if [ ${#failed[@]} -gt 0 ]; then
  echo "sanitize.sh $1: failed: ${failed[*]}" >&2
  exit 1
fi
echo "sanitize.sh $1: clean"
