# bash completion for gilsim and gilviz (installed to share/bash-completion/completions/,
# once per program name). Plain bash: it needs nothing from the bash-completion package.

# Scenario files (*.toml) and folders matching the word being completed.
_gilsim_files() {
  local extension="$1" cur="$2"
  compopt -o filenames 2>/dev/null
  COMPREPLY=($(compgen -d -- "$cur") $(compgen -f -X "!*.$extension" -- "$cur"))
}

_gilsim() {
  local cur="${COMP_WORDS[COMP_CWORD]}" prev="${COMP_WORDS[COMP_CWORD-1]}" subcommand="" word
  for word in "${COMP_WORDS[@]:1:COMP_CWORD-1}"; do
    case "$word" in run|list|python|sweep) subcommand="$word"; break ;; esac
  done
  case "$prev" in
    --export-trace) _gilsim_files json "$cur"; return ;;
    --csv) _gilsim_files csv "$cur"; return ;;
    --json) _gilsim_files json "$cur"; return ;;
    --python) compopt -o filenames 2>/dev/null; COMPREPLY=($(compgen -f -- "$cur")); return ;;
    --metric) COMPREPLY=($(compgen -W "speedup lost-updates" -- "$cur")); return ;;
    --set|--run|--width|--timeout|--max-events|--vary|--seeds|--jobs) COMPREPLY=(); return ;;
  esac
  case "$subcommand" in
    "") COMPREPLY=($(compgen -W "run list python sweep --help --version" -- "$cur")) ;;
    run)
      if [[ "$cur" == -* ]]; then
        COMPREPLY=($(compgen -W "--set --run --export-trace --csv --width --no-timeline --real --real-only
                                 --timeout --max-events --cpython --python --help" -- "$cur"))
      else
        _gilsim_files toml "$cur"
      fi ;;
    python)
      if [[ "$cur" == -* ]]; then COMPREPLY=($(compgen -W "--set --run --help" -- "$cur")); else _gilsim_files toml "$cur"; fi ;;
    sweep)
      if [[ "$cur" == -* ]]; then
        COMPREPLY=($(compgen -W "--vary --set --run --seeds --metric --jobs --csv --json --width --help" -- "$cur"))
      else
        _gilsim_files toml "$cur"
      fi ;;
    list) COMPREPLY=($(compgen -W "--help" -- "$cur")) ;;
  esac
}
complete -F _gilsim gilsim

_gilviz() {
  local cur="${COMP_WORDS[COMP_CWORD]}" prev="${COMP_WORDS[COMP_CWORD-1]}"
  case "$prev" in
    --screenshot) _gilsim_files png "$cur"; return ;;
    --sweep-metric) COMPREPLY=($(compgen -W "speedup lost-updates" -- "$cur")); return ;;
    --at|--view|--size|--scale|--bench-frames|--sweep|--sweep-seeds|--set) COMPREPLY=(); return ;;
  esac
  if [[ "$cur" == -* ]]; then
    COMPREPLY=($(compgen -W "--screenshot --timeline-only --screenshot-knob --at --view --size --scale
                             --presentation --align-ends --real --cpython --bench-frames --bench-knob
                             --bench-knob-interval --sweep --sweep-metric --sweep-seeds --set --assets --help --version" -- "$cur"))
  else
    _gilsim_files toml "$cur"
  fi
}
complete -F _gilviz gilviz
