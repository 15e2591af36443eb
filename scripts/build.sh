#!/usr/bin/env bash
# Configures and builds gilsim into build/ (Release by default).
# GILSIM_SANITIZE=address,undefined or =thread selects a sanitizer build in build-<name>/.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build_type="${GILSIM_BUILD_TYPE:-Release}"
sanitize="${GILSIM_SANITIZE:-}"
build_dir="$root/build"
if [ -n "$sanitize" ]; then build_dir="$root/build-${sanitize//,/-}"; fi
cmake -S "$root" -B "$build_dir" -DCMAKE_BUILD_TYPE="$build_type" -DGILSIM_SANITIZE="$sanitize" >/dev/null
cmake --build "$build_dir" -j"${GILSIM_JOBS:-2}"
echo "$build_dir"
