#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# `make bench`: runs every benchmark under bench/*/run.sh, one after the other
# (they compare against their peers in the same run and print ratios).
set -euo pipefail
build_dir=$(cd "${1:-build}" && pwd)
root=$(cd "$(dirname "$0")/.." && pwd)
status=0
for runner in "$root"/bench/*/run.sh; do
  [ -f "$runner" ] || continue
  echo "=== $(basename "$(dirname "$runner")")"
  bash "$runner" "$build_dir" || status=1
done
exit $status
