#!/usr/bin/env bash
# Runs gilviz --screenshot under Xvfb for the default scenario and every bundled scenario,
# then checks each PNG; every lesson again in presentation mode at 1280x720; one more with --real on a tiny scenario (the picture waits for the
# measured runs). Exit 77 (skipped) when xvfb-run is missing.
set -euo pipefail
gilviz="$1"; checker="$2"; scenarios="$3"; out="$4"
command -v xvfb-run >/dev/null || { echo "xvfb-run not found: skipped"; exit 77; }
mkdir -p "$out"
# In sanitizer builds: the X and Mesa libraries keep a few small allocations until exit,
# which LeakSanitizer reports; gilviz's own memory is covered by the doctest suite.
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"
status=0
shoot() {
  local name="$1"; shift
  rm -f "$out/$name.png"
  # xvfb-run -a can lose the race for a display number to another X server starting at
  # the same moment; try again before calling it a failure.
  local attempt
  for attempt in 1 2 3; do
    if xvfb-run -a -s "-screen 0 1600x900x24" "$gilviz" "$@" --screenshot "$out/$name.png" --at 100ms; then
      break
    fi
    echo "gilviz $* --screenshot failed (attempt $attempt)"
    sleep 1
  done
  if [ ! -f "$out/$name.png" ]; then
    echo "FAIL: gilviz $* did not produce a screenshot"; status=1; return
  fi
  "$checker" "$out/$name.png" || { echo "FAIL: $name"; status=1; }
}
shoot default
# The Save PNG path: the timeline alone, cropped from the window.
shoot default-timeline --timeline-only
# The sweep panel: lesson 20's curve, computed before the picture is taken.
shoot sweep-pool-size "$scenarios/20-sweep-pool-size.toml" --sweep workers=1..16
# Predicted and measured: a tiny scenario run for real before the picture is taken.
shoot tiny-real "$(dirname "$0")/data/tiny_real.toml" --real
# Through a symlink, as gilsim's exports write: the link kept, its target replaced by the PNG.
rm -f "$out/link-target.png" "$out/link.png"
echo old > "$out/link-target.png"
ln -s link-target.png "$out/link.png"
xvfb-run -a -s "-screen 0 1280x720x24" "$gilviz" --screenshot "$out/link.png" || { echo "FAIL: --screenshot through a symlink"; status=1; }
if [ ! -L "$out/link.png" ]; then echo "FAIL: --screenshot replaced the symlink"; status=1; fi
"$checker" "$out/link-target.png" || { echo "FAIL: the symlink's target is no PNG"; status=1; }
for f in "$scenarios"/*.toml; do
  shoot "$(basename "$f" .toml)" "$f"
done
# Every lesson as a class sees it (presentation, 1280x720): the script docs/viewer.md uses.
"$(dirname "$0")/../../scripts/lesson-screenshots.sh" "$gilviz" "$out/presented" "$scenarios"/[0-9]*.toml || status=1
for png in "$out"/presented/*.png; do
  "$checker" "$png" || { echo "FAIL: presented $(basename "$png")"; status=1; }
done
exit $status
