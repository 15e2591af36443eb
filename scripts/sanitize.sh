#!/usr/bin/env bash
# Builds the test suites, gilsim and gilviz with a sanitizer and runs them under it:
#   scripts/sanitize.sh address   ASan + UBSan, in build-asan/
#   scripts/sanitize.sh thread    TSan, in build-tsan/
# Then: each doctest suite (test_model, test_trace, test_real, test_cli, test_viz, the
# viewer's under xvfb-run when there is no display), and the ctest checks of the gilsim and
# gilviz programs (50, listed by the ctest filter below). Any sanitizer report fails the
# run (halt_on_error, exit 86). Not run: test_scenario, test_sweep, test_lessons,
# test_fidelity, the benchmark and fidelity programs, the install and the screenshots.
# Slow, so not part of scripts/test.sh nor .ci/run: on this two-core machine, shared with
# other builds (load average 1-10), a first build at GILSIM_JOBS=1, the two trees side by side,
# took 36 min for build-tsan (1081 s user, 296 s system CPU) and about 50 min for build-asan.
# The runs themselves, built already, at load average 1-2.3 (seconds):
#                 test_model test_trace test_real test_cli test_viz programs  whole
#   address+UB        26          1         14        3       53       35    139 s
#   thread            61          3         15        5      156       22    270 s
# test_real's real runs need no smaller sizes nor longer timeouts under either sanitizer.
# SANITIZE_SUITES="test_model test_real" runs only those suites (and no program checks).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
case "${1:-}" in
  address) sanitize=address,undefined; build_dir="$root/build-asan" ;;
  thread) sanitize=thread; build_dir="$root/build-tsan" ;;
  *) echo "usage: scripts/sanitize.sh address|thread" >&2; exit 2 ;;
esac
suites="${SANITIZE_SUITES:-test_model test_trace test_real test_cli test_viz}"
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
  # From its own folder, as ctest runs it.
  if ! (cd "$(dirname "$binary")" && "${display[@]}" "$binary"); then failed+=("$suite"); fi
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
