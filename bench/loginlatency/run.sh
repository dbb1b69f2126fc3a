#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Chat round-trip latency while 20 logins hash concurrently, against
# the same server with no logins (baseline) in the same run.
# Usage: bench/loginlatency/run.sh <build-dir> [--messages N] [--logins N]
set -euo pipefail
build_dir=$(cd "${1:-build}" && pwd)
shift || true
bench="$build_dir/bin/loginlatency"
[ -x "$bench" ] || { echo "loginlatency: $bench not built"; exit 1; }
echo "loginlatency: $(uname -m), $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(date -u +%Y-%m-%dT%H:%MZ)"
exec timeout 900 "$bench" "$@"
