#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Converts a Natural Earth land TopoJSON from the npm package world-atlas into
the compact ring file the admin console ships as a Qt resource.

Run once through scripts/convert-map.sh; the output is committed, so builds
and tests never need npm.

Output format (little endian):
  8 bytes  magic b"WCLAND1\\0"
  uint32   ring count
  per ring: uint32 point count, then count x (float32 lon, float32 lat), degrees
"""
import json
import struct
import sys


def decode_arcs(topology):
    transform = topology.get("transform")
    arcs = []
    for arc in topology["arcs"]:
        points, x, y = [], 0, 0
        for p in arc:
            if transform:
                # Quantized TopoJSON: positions are deltas on an integer grid.
                x, y = x + p[0], y + p[1]
                sx, sy = transform["scale"]
                tx, ty = transform["translate"]
                points.append((x * sx + tx, y * sy + ty))
            else:
                points.append((p[0], p[1]))
        arcs.append(points)
    return arcs


def ring_points(arcs, indexes):
    ring = []
    for i in indexes:
        # A negative index ~i means arc i walked backwards.
        arc = arcs[i] if i >= 0 else list(reversed(arcs[~i]))
        # Consecutive arcs share their joining point.
        ring.extend(arc if not ring else arc[1:])
    return ring


def unwrap(ring):
    """Makes longitudes continuous across the antimeridian, so no edge jumps
    across the whole map. Returns the rings to draw: a ring around a pole is
    closed along that pole; a ring reaching past +-180 gets a copy shifted by
    360 degrees, so both sides of the map show it."""
    out = [ring[0]]
    for lon, lat in ring[1:]:
        prev = out[-1][0]
        while lon - prev > 180:
            lon -= 360
        while lon - prev < -180:
            lon += 360
        out.append((lon, lat))
    span = out[-1][0] - out[0][0]
    if abs(span) > 180:
        # Encircles a pole (Antarctica): close the ring along it.
        pole = -90.0 if sum(p[1] for p in out) < 0 else 90.0
        out += [(out[-1][0], pole), (out[0][0], pole)]
    rings = [out]
    lo, hi = min(p[0] for p in out), max(p[0] for p in out)
    if lo < -180:
        rings.append([(lon + 360, lat) for lon, lat in out])
    if hi > 180:
        rings.append([(lon - 360, lat) for lon, lat in out])
    # A ring unwrapped entirely past the antimeridian is drawn by its copy.
    return [r for r in rings if min(p[0] for p in r) <= 180 and max(p[0] for p in r) >= -180]


def main():
    src, dst = sys.argv[1], sys.argv[2]
    with open(src) as f:
        topology = json.load(f)
    arcs = decode_arcs(topology)
    rings = []
    for geometry in topology["objects"]["land"]["geometries"]:
        polygons = geometry["arcs"]
        if geometry["type"] == "Polygon":
            polygons = [polygons]
        for polygon in polygons:
            for ring in polygon:
                pts = ring_points(arcs, ring)
                if len(pts) >= 3:
                    rings.extend(unwrap(pts))
    with open(dst, "wb") as out:
        out.write(b"WCLAND1\0")
        out.write(struct.pack("<I", len(rings)))
        for ring in rings:
            out.write(struct.pack("<I", len(ring)))
            for lon, lat in ring:
                out.write(struct.pack("<ff", lon, lat))
    print(f"{dst}: {len(rings)} rings, {sum(map(len, rings))} points")


if __name__ == "__main__":
    main()
