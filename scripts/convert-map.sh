#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Regenerates resources/map/land-50m.bin and borders-50m.bin from the npm
# package world-atlas (Natural Earth 1:50m land and countries, public domain;
# package ISC). Run by hand when the map should change; the results are
# committed so CI never needs npm.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
version=${WORLD_ATLAS_VERSION:-2.0.2}
scale=${MAP_SCALE:-50m}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack --silent "world-atlas@$version" >/dev/null && tar xzf world-atlas-*.tgz)
python3 "$root/scripts/convert-map.py" "$work/package/land-$scale.json" \
  "$root/resources/map/land-$scale.bin"
python3 "$root/scripts/convert-borders.py" "$work/package/countries-$scale.json" \
  "$root/resources/map/borders-$scale.bin"
