#!/usr/bin/env bash
# Installs what is needed, builds, and runs every test (ctest).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$root/scripts/install-deps.sh"
build_dir="$("$root/scripts/build.sh" | tail -n 1)"
cd "$build_dir"
ctest --output-on-failure -j"${GILSIM_JOBS:-2}"
