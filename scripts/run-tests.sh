#!/usr/bin/env bash
# Runs every test through CTest. The tests start the real services they need
# (whisperchat-server processes, redis-server, PostgreSQL, nginx, Xvfb) on
# loopback, on free ports, and stop them; this script only sets up the
# environment they share.
set -euo pipefail
build_dir=${1:-build}
cd "$build_dir"
# GUI tests render offscreen unless a display was given explicitly.
export QT_QPA_PLATFORM=${QT_QPA_PLATFORM:-offscreen}
ctest --output-on-failure -j2 --timeout 600
