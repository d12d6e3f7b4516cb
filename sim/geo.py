"""Country outlines for the maps: Natural Earth's borders, shipped with the package.

``sim/geodata/countries.geojson`` holds simplified outlines of the countries of
Eurasia from the Black Sea to the Yellow Sea (Natural Earth 1:50m, public
domain; source, licence and how it was made: ``sim/geodata/NOTICE.md``). It is
package data, read with :mod:`importlib.resources`, so maps work offline and
from an installed wheel.

A scenario's actor gets an outline when its name is a country's name in the
data (or one of its common other names, e.g. "Russian Federation"), compared
without regard to case, *and* its ``location`` lies in or near that country: an
invented state that borrows a real name elsewhere on the globe keeps a marker.

Example:
    >>> from sim.geo import outline
    >>> outline("Tajikistan").name
    'Tajikistan'
    >>> outline("Freedonia") is None
    True
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from typing import Any

import numpy as np

#: Degrees by which a location may lie outside a country's bounding box and still be it.
NEAR = 2.0


@dataclass(frozen=True)
class Outline:
    """One country's outline.

    Attributes:
        name: Natural Earth's name of the country.
        polygons: Its parts; each part is its exterior ring then its holes, each ring a
            ``(k, 2)`` array of (longitude, latitude), closed (last point = first).
        bbox: (west, east, south, north) in degrees.
    """

    name: str
    polygons: tuple[tuple[np.ndarray, ...], ...]
    bbox: tuple[float, float, float, float]

    def contains_near(self, lon: float, lat: float, margin: float = NEAR) -> bool:
        """Whether (lon, lat) lies within ``margin`` degrees of the bounding box."""
        west, east, south, north = self.bbox
        return west - margin <= lon <= east + margin and south - margin <= lat <= north + margin

    def label_point(self) -> tuple[float, float]:
        """Where to write the name: the area centroid of the largest part's exterior."""
        ring = max((p[0] for p in self.polygons), key=lambda r: abs(_area(r)))
        x, y = ring[:-1, 0], ring[:-1, 1]
        x1, y1 = np.roll(x, -1), np.roll(y, -1)
        cross = x * y1 - x1 * y
        a = cross.sum() / 2
        if a == 0:
            return float(x.mean()), float(y.mean())
        return float(((x + x1) * cross).sum() / (6 * a)), float(((y + y1) * cross).sum() / (6 * a))


def _area(ring: np.ndarray) -> float:
    x, y = ring[:, 0], ring[:, 1]
    return float(0.5 * (x[:-1] * y[1:] - x[1:] * y[:-1]).sum())


def _outline(feature: dict[str, Any]) -> Outline:
    polygons = tuple(
        tuple(np.asarray(ring, dtype=float) for ring in polygon)
        for polygon in feature["geometry"]["coordinates"]
    )
    allpts = np.concatenate([p[0] for p in polygons])
    bbox = (
        float(allpts[:, 0].min()),
        float(allpts[:, 0].max()),
        float(allpts[:, 1].min()),
        float(allpts[:, 1].max()),
    )
    return Outline(feature["properties"]["name"], polygons, bbox)


@cache
def _data() -> tuple[dict[str, Outline], tuple[Outline, ...]]:
    text = files("sim").joinpath("geodata", "countries.geojson").read_text(encoding="utf-8")
    collection = json.loads(text)
    by_name: dict[str, Outline] = {}
    every: list[Outline] = []
    for feature in collection["features"]:
        o = _outline(feature)
        every.append(o)
        props = feature["properties"]
        for name in (props["name"], *props.get("other_names", [])):
            by_name.setdefault(name.casefold(), o)
    return by_name, tuple(every)


def outline(name: str, location: tuple[float, float] | None = None) -> Outline | None:
    """The outline of the country called ``name``, or None if the data has none.

    Args:
        name: A country's name (Natural Earth's, or a common other name); any case.
        location: Optional (latitude, longitude), as in a scenario: the outline is
            returned only if the location lies in or near the country.
    """
    o = _data()[0].get(name.strip().casefold())
    if o is None or location is None:
        return o
    lat, lon = location
    return o if o.contains_near(lon, lat) else None


def countries() -> Iterator[Outline]:
    """Every country in the shipped data (for a map's background)."""
    yield from _data()[1]


__all__ = ["NEAR", "Outline", "countries", "outline"]
