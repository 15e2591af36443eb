#!/usr/bin/env bash
# gilviz --bench-knob on a small lesson: every frame it names is counted from the first one
# built after the knob moved ("the 1st frame built after the change"), and none is "frame 0",
# which once stood for "no frame showed a part" and read as the frame the change was made in.
# Exit 77 (skipped) when xvfb-run is missing.
set -euo pipefail
gilviz="$1"; scenario="$2"
command -v xvfb-run >/dev/null || { echo "xvfb-run not found: skipped"; exit 77; }
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"
out=""
for attempt in 1 2 3; do  # xvfb-run -a can lose the race for a display number
  if out=$(xvfb-run -a -s "-screen 0 1600x900x24" "$gilviz" "$scenario" --bench-frames 1 --bench-knob 2>&1); then
    break
  fi
  out=""
  sleep 1
done
[ -n "$out" ] || { echo "FAIL: gilviz --bench-knob did not run"; exit 1; }
echo "$out" | grep -E "progressive|step to|jump to"
if echo "$out" | grep -Eq "frame 0([^.0-9]|$)|in frame [0-9]"; then
  echo "FAIL: a frame named by number rather than counted after the change"; exit 1
fi
echo "$out" | grep -Eq "jump to a value not kept \(cores [0-9]+\): (no frame showed a part before the whole runs|first part shown in the [0-9]+(st|nd|rd|th) frame built after the change)" ||
  { echo "FAIL: the jump's line does not say which frame showed a part"; exit 1; }
echo "$out" | grep -Eq "whole runs in the [0-9]+(st|nd|rd|th) frame built after the change" ||
  { echo "FAIL: the frame of the whole runs is not counted after the change"; exit 1; }
