#!/usr/bin/env bash
# gilviz --screenshot names the user's path, never its temporary file: a missing folder is
# refused before anything is drawn (no display needed), and a save that fails anyway (the
# path is a folder) says so and leaves no temporary behind. Exit 77 (skipped) without xvfb-run
# for the second part.
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
[ "$code" = 1 ] || fail "a save that fails: exit $code, expected 1 ($err)"
case "$err" in
  *"gilviz: could not write $folder/out.png: "*) ;;
  *) fail "a save that fails does not name the user's path: $err" ;;
esac
case "$err" in *partial*) fail "the temporary is named: $err" ;; esac
left=$(ls -A "$folder" | grep -v '^out.png$' || true)
[ -z "$left" ] || fail "left behind: $left"
echo "ok"
