#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Converts the Natural Earth countries TopoJSON from the npm package
world-atlas into the compact border file the admin console ships as a Qt
resource (resources/map/borders-50m.bin).

Coastlines come from the land file (convert-map.py); this one keeps only the
lines two countries share: a TopoJSON arc used by two different country
geometries is a land border. Run through scripts/convert-map.sh; the output is
committed, so builds and tests never need npm.

Output format (little endian):
  8 bytes  magic b"WCBORD1\\0"
  uint32   country count
  per country: uint8 name length, UTF-8 name, float32 west, south, east, north
  uint32   line count
  per line: uint16 country a, uint16 country b, uint32 point count,
            then count x (float32 lon, float32 lat), degrees
"""
import importlib.util
import os
import struct
import sys
import json

_here = os.path.dirname(os.path.abspath(__file__))
_spec = importlib.util.spec_from_file_location("convert_map", os.path.join(_here, "convert-map.py"))
convert_map = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(convert_map)


def polygons_of(geometry):
    if geometry["type"] == "Polygon":
        return [geometry["arcs"]]
    if geometry["type"] == "MultiPolygon":
        return geometry["arcs"]
    return []


def split_at_antimeridian(line):
    """A border never runs the long way round: where two points are more than
    180 degrees of longitude apart, the line crosses +-180 and is cut there,
    each side ending on the map's edge."""
    pieces, current = [], [line[0]]
    for lon, lat in line[1:]:
        plon, plat = current[-1]
        if abs(lon - plon) > 180:
            edge = 180.0 if plon > 0 else -180.0
            shifted = lon + 360 if plon > 0 else lon - 360
            t = (edge - plon) / (shifted - plon)
            cut = plat + t * (lat - plat)
            current.append((edge, cut))
            pieces.append(current)
            current = [(-edge, cut)]
        current.append((lon, lat))
    pieces.append(current)
    return [p for p in pieces if len(p) >= 2]


def main():
    src, dst = sys.argv[1], sys.argv[2]
    with open(src) as f:
        topology = json.load(f)
    arcs = convert_map.decode_arcs(topology)
    geometries = topology["objects"]["countries"]["geometries"]
    users = {}  # arc index -> countries using it
    countries = []
    for index, geometry in enumerate(geometries):
        lons, lats = [], []
        for polygon in polygons_of(geometry):
            for ring in polygon:
                for i in ring:
                    users.setdefault(i if i >= 0 else ~i, set()).add(index)
                    for lon, lat in arcs[i if i >= 0 else ~i]:
                        lons.append(lon)
                        lats.append(lat)
        name = geometry.get("properties", {}).get("name", "").encode("utf-8")[:255]
        box = (min(lons), min(lats), max(lons), max(lats)) if lons else (0, 0, 0, 0)
        countries.append((name, box))
    lines = []
    for arc, owners in sorted(users.items()):
        if len(owners) != 2:
            continue
        a, b = sorted(owners)
        points = arcs[arc]
        # Drop repeated points (quantization makes some).
        dedup = [points[0]] + [p for prev, p in zip(points, points[1:]) if p != prev]
        if len(dedup) < 2:
            continue
        for piece in split_at_antimeridian(dedup):
            lines.append((a, b, piece))
    with open(dst, "wb") as out:
        out.write(b"WCBORD1\0")
        out.write(struct.pack("<I", len(countries)))
        for name, box in countries:
            out.write(struct.pack("<B", len(name)))
            out.write(name)
            out.write(struct.pack("<ffff", *box))
        out.write(struct.pack("<I", len(lines)))
        for a, b, points in lines:
            out.write(struct.pack("<HHI", a, b, len(points)))
            for lon, lat in points:
                out.write(struct.pack("<ff", lon, lat))
    print(f"{dst}: {len(countries)} countries, {len(lines)} border lines, "
          f"{sum(len(p) for _, _, p in lines)} points")


if __name__ == "__main__":
    main()
