#!/usr/bin/env bash
# Installs every Debian 12 package gilsim needs to build, test and show its viewer.
# Safe to run twice: apt-get skips what is already there.
set -euo pipefail

packages=(
  build-essential cmake pkg-config
  doctest-dev libtomlplusplus-dev libcli11-dev libfmt-dev nlohmann-json3-dev
  libsfml-dev libimgui-dev libstb-dev libgl-dev libx11-dev fonts-dejavu-core fonts-droid-fallback
  xvfb xauth libgl1-mesa-dri
  python3 python3-simpy
  help2man
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then sudo_cmd=(sudo); fi
echo "installing: ${missing[*]}"
"${sudo_cmd[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
"${sudo_cmd[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
