#!/usr/bin/env bash
# gilviz whose memory runs out (hour-long jobs in a 1.5 GB address space) says so and exits 1,
# rather than aborting on an uncaught std::bad_alloc. Exit 77 (skipped) for a sanitizer build,
# which reserves more address space than the limit.
set -uo pipefail
gilviz="$1"; scenario_folder="$2"
if ldd "$gilviz" | grep -q 'libasan\|libtsan'; then echo "sanitizer build: skipped"; exit 77; fi
folder="$(mktemp -d)"; trap 'rm -rf "$folder"' EXIT
sed 's/cpu = "250ms"/cpu = "3600s"/' "$scenario_folder/01-cpu-bound.toml" > "$folder/hour.toml"
grep -q '3600s' "$folder/hour.toml" || { echo "FAIL: lesson 1 no longer has 250 ms jobs to lengthen"; exit 1; }
err="$( (ulimit -v 1500000; DISPLAY= "$gilviz" "$folder/hour.toml" --bench-frames 1 2>&1 >/dev/null) )"
code=$?
if [ "$code" -ne 1 ] || ! grep -q '^gilviz: out of memory: ' <<<"$err"; then
  echo "FAIL: exit $code, expected 1 with 'gilviz: out of memory: ...'; stderr:"; echo "$err"; exit 1
fi
echo "ok: $err"
