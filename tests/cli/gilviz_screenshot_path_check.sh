#!/usr/bin/env bash
# gilviz --screenshot names the user's path, never its temporary file: a missing folder, or a
# path that is a folder, is refused before anything is drawn (no display needed for either),
# and leaves nothing behind. The save itself is gilsim's exports' writer (sim/trace/atomic_file),
# whose failures the command checks cover. Exit 77 (skipped) without xvfb-run for the second part.
set -euo pipefail
gilviz="$1"
folder=$(mktemp -d)
trap 'rm -rf "$folder"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

set +e
err=$(DISPLAY= "$gilviz" --screenshot "$folder/no such folder/out.png" 2>&1 >/dev/null)
code=$?
set -e
[ "$code" = 1 ] || fail "a missing folder: exit $code, expected 1 ($err)"
[ "$err" = "gilviz: cannot write '$folder/no such folder/out.png': there is no directory '$folder/no such folder'" ] ||
  fail "a missing folder: $err"

command -v xvfb-run >/dev/null || { echo "xvfb-run not found: the failed save is not checked"; exit 77; }
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"  # X and Mesa keep a few allocations
mkdir "$folder/out.png"
set +e
err=$(xvfb-run -a -s "-screen 0 1600x900x24" "$gilviz" --screenshot "$folder/out.png" 2>&1 >/dev/null)
code=$?
set -e
[ "$code" = 1 ] || fail "a folder: exit $code, expected 1 ($err)"
case "$err" in
  *"gilviz: cannot write '$folder/out.png': it is a directory"*) ;;
  *) fail "a folder is not refused naming the user's path: $err" ;;
esac
case "$err" in *partial*) fail "the temporary is named: $err" ;; esac
left=$(ls -A "$folder" | grep -v '^out.png$' || true)
[ -z "$left" ] || fail "left behind: $left"
echo "ok"
