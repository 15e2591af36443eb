#!/bin/sh
# Rewrites tests/golden/*.txt from the bundled scenarios and tests/golden/events/*.log from
# the small cases of tests/lessons/event_log_test.cpp, then shows what changed.
# Read the diff before committing: every change is a change in what the lessons teach.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD_DIR:-$root/build}
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$build" --target test_lessons -j1
GILSIM_UPDATE_GOLDEN=1 "$build/tests/lessons/test_lessons" --test-case="every bundled scenario simulates to its golden summary,small scenarios simulate to their golden event logs line by line" >/dev/null
git -C "$root" --no-pager diff --stat -- tests/golden
git -C "$root" status --short -- tests/golden
