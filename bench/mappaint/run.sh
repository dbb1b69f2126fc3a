#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Map paint benchmark: one frame of the admin console's world map
# with 100k waiting clients and 10k pairs, the shipped MapView (density image)
# against the peer "one dot per client", world view and zoomed in, offscreen.
# Usage: bench/mappaint/run.sh <build-dir> [--clients N] [--frames N]
set -euo pipefail
build_dir=$(cd "${1:-build}" && pwd)
shift || true
bench="$build_dir/bin/mappaint"
[ -x "$bench" ] || { echo "mappaint: $bench not built"; exit 1; }
echo "mappaint: $(uname -m), $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(date -u +%Y-%m-%dT%H:%MZ)"
QT_QPA_PLATFORM=offscreen exec timeout 600 "$bench" "$@"
