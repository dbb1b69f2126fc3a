#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Installs the Debian 12 packages WhisperChat needs to build, test and bench:
# install-deps.sh [GROUP...], groups below.
# Idempotent: only missing packages are installed; apt-get update runs only
# when something is missing. Uses sudo when not root.
set -euo pipefail

# Groups, so each command installs only what it needs:
#   run      build and run the server and the console client (`make run`)
#   build    build every program, test and benchmark (admin console, QML)
#   test     the services and tools the tests start (`make test`)
#   bench    the benchmarks' extra peers (`make bench`)
#   package  build the Debian packages (`make package`)
#   all      everything (the default)
# `make test` asks for run build test, `make bench` for run build test bench.
RUN_PACKAGES=(
  build-essential cmake ninja-build ccache pkg-config
  qt6-base-dev qt6-websockets-dev libqt6sql6-sqlite
  # the operations endpoint (/metrics, /healthz, /readyz)
  qt6-httpserver-dev
  libsodium-dev libsimdjson-dev
  # the server's Redis client (cluster mode; also bench/matchbench)
  libhiredis-dev
)
BUILD_PACKAGES=(
  git clang-format
  qt6-base-dev-tools qt6-declarative-dev
  qt6-charts-dev qt6-tools-dev qt6-tools-dev-tools qt6-l10n-tools
  libqt6sql6-psql libqt6opengl6-dev libgl-dev
  qml6-module-qtquick qml6-module-qtquick-controls qml6-module-qtquick-layouts
  qml6-module-qtwebsockets qml6-module-qtqml-workerscript qml6-module-qtquick-window
  qt6-qpa-plugins
  # the Qt Quick client (whisperchat-client) and its Qt Quick Test suite
  qt6-declarative-dev-tools qt6-positioning-dev qml6-module-qtpositioning
  qml6-module-qtquick-templates qml6-module-qttest libqrencode-dev
  fonts-lohit-deva
  # Qt's own dialog strings in the console's languages
  qt6-translations-l10n
  libgeographiclib-dev libbenchmark-dev
)
TEST_PACKAGES=(
  # real services and tools the tests start
  redis-server postgresql-15 nginx xvfb oathtool openssl sqlite3
  procps iproute2
  # the package tests: CPack's dpkg-shlibdeps, lintian, a throw-away dpkg root
  dpkg-dev lintian fakeroot man-db file systemd
  # promtool checks the metrics text and the alert rules in the tests
  prometheus
  # the browser client's test: headless Chromium, driven by npm's puppeteer-core
  chromium
  # the sanitizer suite and the libFuzzer targets (clang, its runtime, symbols)
  clang-14 libclang-rt-14-dev llvm-14
  # the bench-smoke tests build the C limit relay and the Go peer
  golang-go golang-github-gorilla-websocket-dev
)
BENCH_PACKAGES=(
  # relay bench peers and counters (bench/peers, bench/relay/cost.sh)
  libboost-dev strace linux-perf
  # redis-benchmark (bench/cluster: one Redis's relay ceiling)
  redis-tools
  # instructions per relayed message (bench/relay/callgrind.sh)
  valgrind
)
PACKAGE_PACKAGES=(dpkg-dev)

groups=("$@")
[ ${#groups[@]} -gt 0 ] || groups=(all)
PACKAGES=()
for group in "${groups[@]}"; do
  case "$group" in
  run) PACKAGES+=("${RUN_PACKAGES[@]}") ;;
  build) PACKAGES+=("${RUN_PACKAGES[@]}" "${BUILD_PACKAGES[@]}") ;;
  test) PACKAGES+=("${TEST_PACKAGES[@]}") ;;
  bench) PACKAGES+=("${BENCH_PACKAGES[@]}") ;;
  package) PACKAGES+=("${RUN_PACKAGES[@]}" "${BUILD_PACKAGES[@]}" "${PACKAGE_PACKAGES[@]}") ;;
  all)
    PACKAGES+=("${RUN_PACKAGES[@]}" "${BUILD_PACKAGES[@]}" "${TEST_PACKAGES[@]}"
      "${BENCH_PACKAGES[@]}" "${PACKAGE_PACKAGES[@]}")
    groups+=(bench)
    ;;
  *)
    echo "install-deps: unknown group '$group' (run, build, test, bench, package, all)" >&2
    exit 2
    ;;
  esac
done

# Node.js with npm is needed by the browser client's test (tests/browser) and
# `make bench` (the ws peer); the machine's
# nodejs package already bundles npm, so the separate Debian npm package is
# installed only where no npm exists.
case " ${groups[*]} " in
*" bench "*)
  if ! command -v npm >/dev/null 2>&1; then
    PACKAGES+=(nodejs npm)
  fi
  ;;
esac

# Groups overlap: each package once.
mapfile -t PACKAGES < <(printf '%s\n' "${PACKAGES[@]}" | awk '!seen[$0]++')

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
services=(redis-server nginx postgresql prometheus)
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
