#!/usr/bin/env bash
# Pictures of the bundled lessons as a class sees them: presentation mode in a 1280x720
# window, playhead at 100 ms. Writes OUT/<lesson>.png; by default the lessons docs/viewer.md
# shows, into docs/lessons-presented/. The screenshot smoke test runs it on every lesson.
# Without lessons named it also takes the README's picture, docs/screenshot.png: the default
# scenario with every run measured on this machine under its prediction (--real), at
# 1600x900, playhead at 100 ms (take it on a quiet machine: a busy one leaves runs unscored),
# and the pictures docs/lessons.md and docs/sweeps.md show: docs/screenshot-locks.png (lesson
# 14 at 45 ms) and the sweeps of lessons 20 and 21 (docs/sweep-*.png, the commands of
# docs/sweeps.md at 1600x1000).
# Usage: scripts/lesson-screenshots.sh [GILVIZ [OUT [LESSON.toml...]]]; needs xvfb-run.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
gilviz="${1:-$root/build/gilviz}"
out="${2:-$root/docs/lessons-presented}"
shift $(( $# > 2 ? 2 : $# ))
lessons=("$@")
readme=0
if [ ${#lessons[@]} -eq 0 ]; then
  lessons=("$root"/scenarios/{01-cpu-bound,04-blocking-coroutine,09-pool-sizing,10-pool-overhead,11-old-gil,15-lost-update}.toml)
  readme=1
fi
mkdir -p "$out"
status=0
# shot NAME PNG SIZE GILVIZ-ARGS...: xvfb-run -a can lose the race for a display number, so
# it tries again before failing. The playhead is at AT (100ms unless set).
shot() {
  local name="$1" png="$2" size="$3"
  shift 3
  for attempt in 1 2 3; do
    if xvfb-run -a -s "-screen 0 ${size}x24" "$gilviz" "$@" --size "$size" --at "${AT:-100ms}" --screenshot "$png" 2>/dev/null; then
      return 0
    fi
    sleep 1
  done
  echo "FAIL: $name"
  status=1
}
for f in "${lessons[@]}"; do
  name="$(basename "$f" .toml)"
  shot "$name" "$out/$name.png" 1280x720 "$f" --presentation
done
if [ $readme -eq 1 ]; then
  shot "the README's picture" "$root/docs/screenshot.png" 1600x900 --real
  AT=45ms shot "lesson 14's locks" "$root/docs/screenshot-locks.png" 1600x900 "$root/scenarios/14-two-locks.toml"
  shot "lesson 20's sweep" "$root/docs/sweep-pool-size.png" 1600x1000 "$root/scenarios/20-sweep-pool-size.toml" \
    --sweep workers=1..16
  shot "lesson 21's sweep" "$root/docs/sweep-waiting-share.png" 1600x1000 "$root/scenarios/21-sweep-waiting-share.toml" \
    --sweep "waiting in each 100 ms request: job.request.steps.2.io=0ms..90ms:10ms; job.request.steps.1.cpu=100ms..10ms:10ms" --sweep cores=2,4
fi
exit $status
