"""Make ``sim/geodata/countries.geojson``: the country outlines the maps draw.

Run once, by a developer, when the outlines should change; the result is
committed and shipped as package data, so greatgame never needs this script,
its source, or the network at run time.

Where the data comes from
    Natural Earth's Admin 0 country boundaries, 1:50m, version 4.1.0 (public
    domain, https://www.naturalearthdata.com), as redistributed in TopoJSON by
    the npm package ``world-atlas`` 2.0.2 (file ``countries-50m.json``; the
    package is ISC-licensed, see ``sim/geodata/NOTICE.md``). The TopoJSON form
    matters: each border is stored once and shared by the two countries on
    either side, so simplifying it keeps neighbours' outlines touching.

    Get the source with the npm client (no other download is needed)::

        npm pack world-atlas@2.0.2          # writes world-atlas-2.0.2.tgz
        python scripts/make_geodata.py world-atlas-2.0.2.tgz

What it does
    1. decodes the quantised, delta-encoded arcs into longitude/latitude;
    2. simplifies every shared arc once (Douglas-Peucker, ``--tolerance``
       degrees, 0.02 by default: about 2 km, finer than a map's pixel);
    3. keeps the countries with a part inside ``--box`` (Eurasia from the
       Black Sea to the Yellow Sea by default) and drops their parts wholly
       outside it (so a country far away with an island inside the box is kept
       for that island only);
    4. continues a ring that crosses the antimeridian east of 180 degrees
       (longitudes up to 190 for Chukotka), so flat maps draw it whole;
    5. rounds to 0.01 degree, orients rings as RFC 7946 asks (exteriors
       counter-clockwise) and writes one GeoJSON Feature per country with its
       name, ISO 3166-1 numeric code and a few common other names.

Example:
    python scripts/make_geodata.py world-atlas-2.0.2.tgz --out sim/geodata/countries.geojson
"""

from __future__ import annotations

import argparse
import itertools
import json
import math
import sys
import tarfile
from pathlib import Path
from typing import Any

SOURCE_MEMBER = "package/countries-50m.json"
SOURCE_NAME = "Natural Earth 1:50m Admin 0 countries v4.1.0, via world-atlas 2.0.2 (npm)"
DEFAULT_OUT = Path(__file__).resolve().parents[1] / "sim" / "geodata" / "countries.geojson"
#: (west, east, south, north) in degrees.
DEFAULT_BOX = (20.0, 120.0, 0.0, 75.0)

#: Other names a scenario may give a country (Natural Earth's names are the keys).
ALIASES: dict[str, list[str]] = {
    "Russia": ["Russian Federation"],
    "Kyrgyzstan": ["Kyrgyz Republic", "Kirghizia"],
    "Iran": ["Islamic Republic of Iran", "Persia"],
    "Turkey": ["Türkiye", "Turkiye"],
    "Syria": ["Syrian Arab Republic"],
    "South Korea": ["Republic of Korea", "Korea"],
    "North Korea": ["Democratic People's Republic of Korea", "DPRK"],
    "Myanmar": ["Burma"],
    "Moldova": ["Republic of Moldova"],
    "Vietnam": ["Viet Nam"],
    "Laos": ["Lao PDR", "Lao People's Democratic Republic"],
    "Palestine": ["State of Palestine"],
    "United Arab Emirates": ["UAE"],
    "S. Sudan": ["South Sudan"],
    "N. Cyprus": ["Northern Cyprus"],
    "Bosnia and Herz.": ["Bosnia and Herzegovina"],
    "Macedonia": ["North Macedonia"],
    "Czechia": ["Czech Republic"],
    "Dem. Rep. Congo": ["Democratic Republic of the Congo", "DR Congo"],
    "Central African Rep.": ["Central African Republic"],
    "Eq. Guinea": ["Equatorial Guinea"],
    "China": ["People's Republic of China", "PRC"],
    "Taiwan": ["Republic of China"],
    "India": ["Republic of India"],
}

Point = tuple[float, float]


def decode_arcs(topology: dict[str, Any]) -> list[list[Point]]:
    """The topology's arcs as absolute (lon, lat) points."""
    (sx, sy), (tx, ty) = topology["transform"]["scale"], topology["transform"]["translate"]
    arcs: list[list[Point]] = []
    for arc in topology["arcs"]:
        x = y = 0
        points: list[Point] = []
        for dx, dy in arc:
            x += dx
            y += dy
            points.append((x * sx + tx, y * sy + ty))
        arcs.append(points)
    return arcs


def simplify(points: list[Point], tolerance: float) -> list[Point]:
    """Douglas-Peucker: drop points closer than ``tolerance`` to the simplified line."""
    if len(points) < 3:
        return points
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        a, b = stack.pop()
        (x1, y1), (x2, y2) = points[a], points[b]
        dx, dy = x2 - x1, y2 - y1
        length = math.hypot(dx, dy)
        far, far_i = -1.0, -1
        for i in range(a + 1, b):
            x, y = points[i]
            d = (
                abs(dy * (x - x1) - dx * (y - y1)) / length
                if length
                else math.hypot(x - x1, y - y1)
            )
            if d > far:
                far, far_i = d, i
        if far > tolerance:
            keep[far_i] = True
            stack += [(a, far_i), (far_i, b)]
    return [p for p, k in zip(points, keep, strict=True) if k]


def _ring(arc_ids: list[int], arcs: list[list[Point]]) -> list[Point]:
    out: list[Point] = []
    for i in arc_ids:
        pts = arcs[i] if i >= 0 else arcs[~i][::-1]
        out.extend(pts if not out else pts[1:])
    dedup = [out[0], *(p for prev, p in itertools.pairwise(out) if p != prev)]
    if dedup[0] != dedup[-1]:
        dedup.append(dedup[0])
    if any(abs(b[0] - a[0]) > 180 for a, b in itertools.pairwise(dedup)):
        # a ring across the antimeridian (Russia's Chukotka): continue it east of 180
        # degrees, so that a flat map does not draw a line round the globe
        dedup = [(x + 360 if x < 0 else x, y) for x, y in dedup]
    return dedup


def _signed_area(ring: list[Point]) -> float:
    return 0.5 * sum(x1 * y2 - x2 * y1 for (x1, y1), (x2, y2) in itertools.pairwise(ring))


def _oriented(ring: list[Point], *, exterior: bool) -> list[list[float]]:
    ccw = _signed_area(ring) > 0
    if ccw != exterior:
        ring = ring[::-1]
    return [[x, y] for x, y in ring]


def _outside(ring: list[Point], box: tuple[float, float, float, float]) -> bool:
    west, east, south, north = box
    xs, ys = [x for x, _ in ring], [y for _, y in ring]
    return max(xs) < west or min(xs) > east or max(ys) < south or min(ys) > north


def build(
    topology: dict[str, Any], *, box: tuple[float, float, float, float], tolerance: float
) -> dict[str, Any]:
    """The GeoJSON FeatureCollection of the countries with a part inside ``box``."""
    arcs = [
        [(round(x, 2), round(y, 2)) for x, y in simplify(a, tolerance)]
        for a in decode_arcs(topology)
    ]
    features = []
    for g in topology["objects"]["countries"]["geometries"]:
        if g.get("type") not in ("Polygon", "MultiPolygon"):
            continue
        polygons = g["arcs"] if g["type"] == "MultiPolygon" else [g["arcs"]]
        kept = []
        for polygon in polygons:
            rings = [_ring(r, arcs) for r in polygon]
            if len(rings[0]) < 4 or _outside(rings[0], box):
                continue  # collapsed by the simplification, or far away
            holes = [r for r in rings[1:] if len(r) >= 4]
            kept.append(
                [
                    _oriented(rings[0], exterior=True),
                    *(_oriented(h, exterior=False) for h in holes),
                ]
            )
        if not kept:
            continue
        name = g["properties"]["name"]
        features.append(
            {
                "type": "Feature",
                "properties": {
                    "name": name,
                    "iso_n3": g.get("id"),
                    "other_names": ALIASES.get(name, []),
                },
                "geometry": {"type": "MultiPolygon", "coordinates": kept},
            }
        )
    features.sort(key=lambda f: f["properties"]["name"])
    return {
        "type": "FeatureCollection",
        "source": SOURCE_NAME,
        "license": "Natural Earth data: public domain. See NOTICE.md beside this file.",
        "simplification": f"Douglas-Peucker on shared arcs, {tolerance} degree; rounded to 0.01",
        "box": {"west": box[0], "east": box[1], "south": box[2], "north": box[3]},
        "features": features,
    }


def read_topology(source: Path) -> dict[str, Any]:
    """The TopoJSON from ``world-atlas-*.tgz`` (npm pack) or from ``countries-50m.json``."""
    if source.suffix in (".tgz", ".gz"):
        with tarfile.open(source) as tar:
            member = tar.extractfile(SOURCE_MEMBER)
            if member is None:
                raise SystemExit(f"{source}: no {SOURCE_MEMBER} inside; expected world-atlas 2.x")
            return json.load(member)
    return json.loads(source.read_text())


def main(argv: list[str] | None = None) -> None:
    """Command line: see the module's docstring."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("source", type=Path, help="world-atlas-2.0.2.tgz or countries-50m.json")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--tolerance", type=float, default=0.02, help="degrees (default 0.02)")
    parser.add_argument(
        "--box", type=float, nargs=4, default=DEFAULT_BOX, metavar=("W", "E", "S", "N")
    )
    args = parser.parse_args(argv)
    collection = build(read_topology(args.source), box=tuple(args.box), tolerance=args.tolerance)
    text = json.dumps(collection, separators=(",", ":"), ensure_ascii=False)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text + "\n", encoding="utf-8")
    sys.stderr.write(
        f"wrote {args.out}: {len(collection['features'])} countries, {len(text) // 1024} KiB\n"
    )


if __name__ == "__main__":
    main()
