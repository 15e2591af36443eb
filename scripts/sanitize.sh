#!/usr/bin/env bash
# Builds the test suites, gilsim and gilviz with a sanitizer and runs them under it:
#   scripts/sanitize.sh address   ASan + UBSan, in build-asan/
#   scripts/sanitize.sh thread    TSan, in build-tsan/
# Then: each doctest suite (test_model, test_trace, test_real, test_cli, test_viz, the
# viewer's under xvfb-run when there is no display), and the ctest checks of the gilsim and
# gilviz programs. Any sanitizer report fails the run (halt_on_error). Slow: a first build
# of each tree takes 30-60 min on a busy two-core machine; not part of scripts/test.sh.
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
cmake -S "$root" -B "$build_dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DGILSIM_SANITIZE="$sanitize" \
      "${launcher[@]}" >/dev/null
targets=($suites)
if [ -z "${SANITIZE_SUITES:-}" ]; then targets+=(gilsim gilviz); fi
cmake --build "$build_dir" -j"${GILSIM_JOBS:-2}" --target "${targets[@]}"

export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1"
export ASAN_OPTIONS="detect_leaks=1"
export TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1"
display=()
if [ -z "${DISPLAY:-}" ] && command -v xvfb-run >/dev/null; then display=(xvfb-run -a); fi

failed=()
for suite in $suites; do
  binary="$(find "$build_dir/tests" -name "$suite" -type f -perm -u+x | head -n 1)"
  echo "== $suite ($1)"
  # From its own folder, as ctest runs it.
  if ! (cd "$(dirname "$binary")" && "${display[@]}" "$binary"); then failed+=("$suite"); fi
done
if [ -z "${SANITIZE_SUITES:-}" ]; then
  echo "== gilsim and gilviz checks ($1)"
  # The programs' exit codes, messages and signals; not the benchmark programs (not built
  # here), the install (a whole build) nor the screenshots (minutes unsanitized).
  if ! (cd "$build_dir" && "${display[@]}" ctest --output-on-failure -j"${GILSIM_JOBS:-2}" \
          -R '^(gilsim|gilviz)_' -E 'bench|observer|wake_probe|install|screenshots'); then
    failed+=("program checks")
  fi
fi
if [ ${#failed[@]} -gt 0 ]; then
  echo "sanitize.sh $1: failed: ${failed[*]}" >&2
  exit 1
fi
echo "sanitize.sh $1: clean"
