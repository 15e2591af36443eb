#!/usr/bin/env bash
# Pictures of the bundled lessons as a class sees them: presentation mode in a 1280x720
# window, playhead at 100 ms. Writes OUT/<lesson>.png; by default the lessons docs/viewer.md
# shows, into docs/lessons-presented/. The screenshot smoke test runs it on every lesson.
# Usage: scripts/lesson-screenshots.sh [GILVIZ [OUT [LESSON.toml...]]]; needs xvfb-run.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
gilviz="${1:-$root/build/gilviz}"
out="${2:-$root/docs/lessons-presented}"
shift $(( $# > 2 ? 2 : $# ))
lessons=("$@")
if [ ${#lessons[@]} -eq 0 ]; then
  lessons=("$root"/scenarios/{01-cpu-bound,04-blocking-coroutine,09-pool-sizing,10-pool-overhead,11-old-gil,15-lost-update}.toml)
fi
mkdir -p "$out"
status=0
for f in "${lessons[@]}"; do
  name="$(basename "$f" .toml)"
  ok=0
  # xvfb-run -a can lose the race for a display number: try again before failing.
  for attempt in 1 2 3; do
    if xvfb-run -a -s "-screen 0 1280x720x24" "$gilviz" "$f" --presentation --size 1280x720 --at 100ms \
         --screenshot "$out/$name.png" 2>/dev/null; then
      ok=1
      break
    fi
    sleep 1
  done
  if [ $ok -eq 0 ]; then echo "FAIL: $name"; status=1; fi
done
exit $status
