#!/usr/bin/env bash
# Runs gilviz --screenshot under Xvfb for the default scenario and every bundled scenario,
# then checks each PNG. Exit 77 (skipped) when xvfb-run is missing.
set -euo pipefail
gilviz="$1"; checker="$2"; scenarios="$3"; out="$4"
command -v xvfb-run >/dev/null || { echo "xvfb-run not found: skipped"; exit 77; }
mkdir -p "$out"
status=0
shoot() {
  local name="$1"; shift
  rm -f "$out/$name.png"
  if ! xvfb-run -a -s "-screen 0 1600x900x24" "$gilviz" "$@" --screenshot "$out/$name.png" --at 100ms; then
    echo "FAIL: gilviz $* did not produce a screenshot"; status=1; return
  fi
  "$checker" "$out/$name.png" || { echo "FAIL: $name"; status=1; }
}
shoot default
for f in "$scenarios"/*.toml; do
  shoot "$(basename "$f" .toml)" "$f"
done
exit $status
