#!/usr/bin/env bash
# `cmake --install` into a temporary prefix: the installed gilsim finds the installed
# scenarios (relative to itself, not the source tree), its man page and completion exist.
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
grep -q "${prefix#/}/share/gilsim/scenarios/01-cpu-bound.toml" <<< "$listed" \
  || fail "the installed gilsim does not list the installed scenarios:\n$listed"
"$prefix/bin/gilsim" --version | grep -q "^gilsim " || fail "no --version"
echo "install: ok"
