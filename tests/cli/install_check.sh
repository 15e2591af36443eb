#!/usr/bin/env bash
# `cmake --install` into a temporary prefix: the installed gilsim finds the installed
# scenarios (relative to itself, not the source tree), its man page and completion exist;
# the installed gilviz finds the installed assets and shows the default scenario from /.
set -euo pipefail
build="$1"
prefix="$(mktemp -d)"
trap 'rm -rf "$prefix"' EXIT
cmake --install "$build" --prefix "$prefix" > /dev/null
fail() { echo "install: $*" >&2; exit 1; }
[ -x "$prefix/bin/gilsim" ] || fail "no bin/gilsim"
[ -f "$prefix/share/gilsim/scenarios/01-cpu-bound.toml" ] || fail "no scenarios"
[ -f "$prefix/share/doc/gilsim/model.md" ] || fail "no docs"
[ -f "$prefix/share/bash-completion/completions/gilsim" ] || fail "no completion"
if command -v help2man > /dev/null; then
  [ -f "$prefix/share/man/man1/gilsim.1" ] || fail "no man page"
fi
listed="$(cd / && "$prefix/bin/gilsim" list)"
grep -q "in $prefix/share/gilsim/scenarios;" <<< "$listed" && grep -q "^01-cpu-bound  " <<< "$listed" \
  || fail "the installed gilsim does not list the installed scenarios:\n$listed"
# ... and runs one of them by its number, from any folder.
ran="$(cd / && "$prefix/bin/gilsim" run 07 --no-timeline)" || fail "the installed gilsim cannot run lesson 07 by its number"
grep -q "^07 The convoy effect" <<< "$ran" || fail "gilsim run 07 ran something else:\n$ran"
"$prefix/bin/gilsim" --version | grep -q "^gilsim " || fail "no --version"
if [ -x "$prefix/bin/gilviz" ]; then
  # From another folder: the installed viewer takes its icon from the installed assets.
  [ -f "$prefix/share/gilsim/assets/gilviz-icon.png" ] || fail "no assets/gilviz-icon.png installed"
  assets="$(cd / && "$prefix/bin/gilviz" --assets)" || fail "the installed gilviz finds no icon:\n$assets"
  grep -q "^icon: $prefix/share/gilsim/assets/gilviz-icon.png$" <<< "$assets" \
    || fail "the installed gilviz does not take the installed icon:\n$assets"
  grep -q "^font DejaVuSans.ttf: /" <<< "$assets" || fail "the installed gilviz finds no font:\n$assets"
  # ... and opens the default scenario with no arguments, from any folder (where a display can be made).
  if command -v xvfb-run > /dev/null; then
    (cd / && xvfb-run -a "$prefix/bin/gilviz" --screenshot "$prefix/default.png" > /dev/null 2>&1) \
      || fail "the installed gilviz cannot show the default scenario from /"
    [ -s "$prefix/default.png" ] || fail "the installed gilviz wrote no screenshot"
  fi
fi
echo "install: ok"
