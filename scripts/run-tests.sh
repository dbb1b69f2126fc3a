#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Runs every test through CTest. The tests start what they need themselves,
# on loopback and free ports, and stop it again: whisperchat-server processes,
# the whisperchat-cli and whisperchat-loadgen clients, a private PostgreSQL 15
# cluster in a temporary directory (initdb/postgres, tst_accounts_pg), and the
# oathtool and openssl tools. GUI tests use Qt's offscreen platform, so no
# display server is needed. This script only sets up the environment they
# share.
set -euo pipefail
build_dir=${1:-build}
cd "$build_dir"
# GUI tests render offscreen unless a display was given explicitly.
export QT_QPA_PLATFORM=${QT_QPA_PLATFORM:-offscreen}
# A build without tests (WHISPER_BUILD_TESTS=OFF, or a broken test list) must
# fail here rather than pass on zero tests.
ctest --output-on-failure --no-tests=error -j2 --timeout 600
