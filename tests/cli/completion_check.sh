#!/usr/bin/env bash
# The bash completion offers subcommands, options and scenario files, and exactly the long
# options each program's --help lists (so it cannot fall behind the programs).
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
# grep reads all its input (no -q): with pipefail, a grep -q that stops at its first match
# can fail the pipeline when the completion is still writing (SIGPIPE), as on a busy machine.
complete_line gilsim run "$scenarios/01-cpu" | grep "01-cpu-bound.toml" >/dev/null || fail "no scenario file offered"
complete_line gilsim run --python "$gilsim" | grep -x "$gilsim" >/dev/null || fail "run --python offers no file"
# The long options a program's --help lists, from its option column only (descriptions
# mention other programs' options, such as gilviz's --sweep naming gilsim sweep --vary).
help_options() { "$@" --help 2>/dev/null | grep -oE '^  (-[a-zA-Z],)?--[a-z][a-z-]*' | sed 's/^.*-\{2\}/--/'; }
# Both ways: every option offered is one --help lists, and every option --help lists is offered.
same_options() {  # same_options WHAT "OFFERED" "LISTED"
  local option
  for option in $2; do
    grep -qx -- "$option" <<<"$3" || fail "$1: it offers $option, which --help does not list"
  done
  for option in $3; do
    grep -qx -- "$option" <<<"$2" || fail "$1: --help lists $option, which it does not offer"
  done
}
for subcommand in run sweep python list; do
  same_options "gilsim $subcommand" "$(complete_line gilsim "$subcommand" --)" "$(help_options "$gilsim" "$subcommand")"
done
same_options "gilsim" "$(complete_line gilsim --)" "$(help_options "$gilsim")"
gilviz="$(dirname "$gilsim")/gilviz"
if [ -x "$gilviz" ]; then
  same_options "gilviz" "$(complete_line gilviz --)" "$(help_options "$gilviz")"
fi
echo "completion: ok"
