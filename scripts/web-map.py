#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Writes the browser client's world map (resources/web/world.svg) from the
Natural Earth land rings the admin console ships (resources/map/land-50m.bin,
format in scripts/convert-map.py).

Equirectangular, 1 unit per degree: x = lon + 180, y = 90 - lat, so the page
turns a click into a position with no projection library. Simplified
(Douglas-Peucker, TOLERANCE degrees) and small islands dropped, to stay a
few tens of KiB.
The output is committed; run again only when the source map changes:
    python3 scripts/web-map.py resources/map/land-50m.bin resources/web/world.svg
"""
import struct
import sys

TOLERANCE = 0.35  # degrees; a click picks a region, not a street
MIN_AREA = 2.0  # square degrees; smaller islands are left out


def rings(path):
    data = open(path, "rb").read()
    assert data[:8] == b"WCLAND1\0", "not a land ring file"
    (count,) = struct.unpack_from("<I", data, 8)
    pos = 12
    for _ in range(count):
        (n,) = struct.unpack_from("<I", data, pos)
        pos += 4
        pts = struct.unpack_from("<%df" % (2 * n), data, pos)
        pos += 8 * n
        yield list(zip(pts[0::2], pts[1::2]))


def area(ring):
    return abs(sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in zip(ring, ring[1:] + ring[:1]))) / 2


def simplify(points, tolerance):
    """Douglas-Peucker, iterative (rings have thousands of points)."""
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        a, b = stack.pop()
        (ax, ay), (bx, by) = points[a], points[b]
        dx, dy = bx - ax, by - ay
        norm = (dx * dx + dy * dy) ** 0.5
        best, index = 0.0, -1
        for i in range(a + 1, b):
            px, py = points[i]
            if norm == 0:
                d = ((px - ax) ** 2 + (py - ay) ** 2) ** 0.5
            else:
                d = abs(dy * px - dx * py + bx * ay - by * ax) / norm
            if d > best:
                best, index = d, i
        if best > tolerance:
            keep[index] = True
            stack += [(a, index), (index, b)]
    return [p for p, k in zip(points, keep) if k]


def main(src, dst):
    paths = []
    for ring in rings(src):
        if area(ring) < MIN_AREA:
            continue
        snapped = []
        for x, y in simplify([(lon + 180, 90 - lat) for lon, lat in ring], TOLERANCE):
            p = (round(x, 1), round(y, 1))
            if not snapped or snapped[-1] != p:
                snapped.append(p)
        if len(snapped) < 4:
            continue
        fmt = lambda v: ("%g" % v)
        d = "M" + "L".join(fmt(x) + " " + fmt(y) for x, y in snapped) + "Z"
        paths.append(d)
    with open(dst, "w") as out:
        out.write('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 360 180" '
                  'preserveAspectRatio="none">\n')
        out.write('<title>World map</title>\n')
        out.write('<rect width="360" height="180" fill="#cfe3f2"/>\n')
        out.write('<path fill="#9fc48c" stroke="#6d9660" stroke-width="0.2" d="')
        out.write("".join(paths))
        out.write('"/>\n</svg>\n')


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
