#!/usr/bin/env bash
# One-time (idempotent) set-up on Debian 12 with Node 20: system packages,
# npm modules, the native libraries (cycle model, reference engine) and the TypeScript build.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(
  gcc make                                   # native cycle model and engine (src/emulator/native, src/model/engine/native)
  libunicorn2 libunicorn-dev                 # the emulator (Unicorn 2.0.1)
  gcc-arm-none-eabi binutils-arm-none-eabi libnewlib-arm-none-eabi  # kernels and microbenchmarks
  python3-pyarmnn libarmnn-cpuref-backend22 libarmnntfliteparser22 python3-numpy  # ArmNN cross-check
  qemu-system-arm                            # functional check of exported firmware
  redis-server                               # the queue of cluster runs (sim-dse worker / run --redis) and its tests
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "setup: installing ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund --loglevel=error
fi
npm run --silent build
