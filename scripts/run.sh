#!/usr/bin/env bash
# The main job: install, build, then open the viewer on the default scenario,
# or print the comparison in the terminal where there is no display.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$root/scripts/install-deps.sh"
build_dir="$("$root/scripts/build.sh" | tail -n 1)"
if [ -n "${DISPLAY:-}" ] && [ -x "$build_dir/gilviz" ]; then
  exec "$build_dir/gilviz" "$@"
fi
exec "$build_dir/gilsim" run "$@"
