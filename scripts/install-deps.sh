#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Installs the Debian 12 packages WhisperChat needs to build, test and bench.
# Idempotent: only missing packages are installed; apt-get update runs only
# when something is missing. Uses sudo when not root.
set -euo pipefail

PACKAGES=(
  # toolchain
  build-essential cmake ninja-build ccache pkg-config git clang-format
  # Qt 6.4
  qt6-base-dev qt6-base-dev-tools qt6-websockets-dev qt6-declarative-dev
  qt6-charts-dev qt6-tools-dev qt6-tools-dev-tools qt6-l10n-tools
  libqt6sql6-sqlite libqt6sql6-psql libqt6opengl6-dev libgl-dev
  qml6-module-qtquick qml6-module-qtquick-controls qml6-module-qtquick-layouts
  qml6-module-qtwebsockets qml6-module-qtqml-workerscript qml6-module-qtquick-window
  qt6-qpa-plugins
  # libraries made for the job
  libsodium-dev libhiredis-dev libgeographiclib-dev
  libbenchmark-dev libsimdjson-dev
  # real services and tools the tests start
  redis-server postgresql-15 nginx xvfb oathtool openssl sqlite3
  procps iproute2
  # relay bench peers and counters (bench/peers, bench/relay/cost.sh)
  golang-go golang-github-gorilla-websocket-dev libboost-dev strace linux-perf
)

# Node.js with npm is only needed by `make bench` (the ws peer); the machine's
# nodejs package already bundles npm, so the separate Debian npm package is
# installed only where no npm exists.
if ! command -v npm >/dev/null 2>&1; then
  PACKAGES+=(nodejs npm)
fi

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

# Services that were already running stay running: they are the user's.
# Only those that installing a package started are stopped again.
services=(redis-server nginx postgresql)
was_active=()
for svc in "${services[@]}"; do
  if command -v systemctl >/dev/null 2>&1 && systemctl is-active --quiet "$svc" 2>/dev/null; then
    was_active+=("$svc")
  fi
done

echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"

# Debian starts services on install; the tests start their own throw-away
# instances on free loopback ports, so the ones the install started are not
# needed.
for svc in "${services[@]}"; do
  case " ${was_active[*]} " in *" $svc "*) continue ;; esac
  if command -v systemctl >/dev/null 2>&1 && systemctl is-active --quiet "$svc" 2>/dev/null; then
    $SUDO systemctl stop "$svc" || true
  fi
done
