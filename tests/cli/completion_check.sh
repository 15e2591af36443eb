#!/usr/bin/env bash
# The bash completion offers subcommands, options and scenario files, and every option it
# offers is one that `gilsim run --help` lists (so it cannot fall behind the program).
set -euo pipefail
gilsim="$1"
script="$2"
scenarios="$3"
source "$script"
complete_line() {  # complete_line WORD... : the completions of the last word
  COMP_WORDS=("$@")
  COMP_CWORD=$(($# - 1))
  COMPREPLY=()
  "_${1}"
  printf '%s\n' "${COMPREPLY[@]}"
}
fail() { echo "completion: $*" >&2; exit 1; }
[ "$(complete_line gilsim ru)" = "run" ] || fail "'gilsim ru' does not complete to run"
complete_line gilsim run "$scenarios/01-cpu" | grep -q "01-cpu-bound.toml" || fail "no scenario file offered"
for option in $(complete_line gilsim run --); do
  "$gilsim" run --help | grep -q -- "$option" || fail "it offers $option, which gilsim run --help does not list"
done
for option in $(complete_line gilsim sweep --); do
  "$gilsim" sweep --help | grep -q -- "$option" || fail "it offers $option, which gilsim sweep --help does not list"
done
for option in $(complete_line gilviz --); do
  [ "$option" = --version ] && continue
  [ -x "$(dirname "$gilsim")/gilviz" ] || break
  "$(dirname "$gilsim")/gilviz" --help 2>/dev/null | grep -q -- "$option" || fail "it offers $option, unknown to gilviz"
done
echo "completion: ok"
