#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Matching benchmark: the engine against the all-pairs reference
# algorithm (up to 20k waiting) and a Redis GEOADD/GEOSEARCH matcher (up to
# 100k; matchbench starts its own redis-server on a free loopback port and
# stops it by PID) on the world and city workloads, in one run, with ratios.
# Usage: bench/matchbench/run.sh <build-dir> [matchbench options...]
# e.g. --sizes 1000,10000 for a quick run; --repeat N (default 5) runs each case
# N times in fresh children and reports the median. Runs on one core.
set -euo pipefail
build_dir=$(cd "${1:-build}" && pwd)
shift || true
here=$(cd "$(dirname "$0")" && pwd)
bench="$build_dir/bin/matchbench"
[ -x "$bench" ] || { echo "matchbench: $bench not built"; exit 1; }
command -v redis-server >/dev/null || { echo "matchbench: redis-server is required (scripts/install-deps.sh)"; exit 1; }

# One core for the matcher (and redis-server on the same one, so both peers
# get the same CPU): the targets are per core.
pin=()
if command -v taskset >/dev/null && [ "$(nproc)" -ge 2 ]; then pin=(taskset -c 1); fi
echo "matchbench: $(uname -m), $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(date -u +%Y-%m-%dT%H:%MZ)"
exec "${pin[@]}" timeout 3600 "$bench" --data "$here" --redis-server "$(command -v redis-server)" "$@"
