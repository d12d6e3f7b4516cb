"""The region's map: country outlines from the shipped Natural Earth data, markers otherwise.

What a reader of ``map.png`` or the dashboard relies on: each state is its real
outline, filled with its dominant patron's colour, paler for a smaller share;
an invented state still appears (a marker at its location, its borders dashed);
the map is drawn to scale; ``greatgame run`` and the dashboard draw the same map;
the outlines ship with the package, with their licence, and can be remade.
"""

from __future__ import annotations

import importlib.util
import json
from importlib.resources import files
from pathlib import Path
from types import ModuleType

import matplotlib
import numpy as np
import pandas as pd
import pytest

matplotlib.use("Agg")
from matplotlib.collections import PathCollection
from matplotlib.patches import PathPatch

import sim
from sim import geo, plots
from sim.synthetic import synthetic_scenario

ROOT = Path(__file__).resolve().parents[1]
REGION = ["Afghanistan", "Pakistan", "Tajikistan", "Kyrgyzstan", "Kazakhstan", "Uzbekistan"]


def _by_gid(fig: matplotlib.figure.Figure, gid: str) -> object:
    found = [a for a in fig.axes[0].get_children() if a.get_gid() == gid]
    assert len(found) == 1, f"{gid}: {found}"
    return found[0]


def test_the_shipped_outlines_are_package_data_with_their_licence() -> None:
    data = files("sim").joinpath("geodata", "countries.geojson")
    notice = files("sim").joinpath("geodata", "NOTICE.md").read_text(encoding="utf-8")
    assert "Natural Earth" in notice and "public domain" in notice and "ISC" in notice
    text = data.read_text(encoding="utf-8")
    assert len(text.encode()) < 400_000  # small: a few hundred KB at most
    collection = json.loads(text)
    names = {f["properties"]["name"] for f in collection["features"]}
    assert set(sim.load().actors) <= names  # every actor of the article's scenario
    for feature in collection["features"]:  # RFC 7946: exteriors counter-clockwise, closed
        for polygon in feature["geometry"]["coordinates"]:
            ring = np.asarray(polygon[0])
            assert (ring[0] == ring[-1]).all()
            x, y = ring[:, 0], ring[:, 1]
            assert (x[:-1] * y[1:] - x[1:] * y[:-1]).sum() > 0, feature["properties"]["name"]


def test_outlines_are_found_by_name_alias_and_location() -> None:
    taj = geo.outline("Tajikistan")
    assert taj is not None and taj.contains_near(68.77, 38.56)  # Dushanbe
    assert geo.outline("  tajikistan ") is taj
    assert geo.outline("Russian Federation") is geo.outline("Russia") is not None
    assert geo.outline("Freedonia") is None
    # a real name at a place far from that country is an invented state: no outline
    assert geo.outline("China", (0.0, 0.0)) is None
    assert geo.outline("China", (43.83, 87.62)) is geo.outline("China")
    # Russia's Chukotka is continued east of 180 degrees, not drawn round the globe
    russia = geo.outline("Russia")
    assert russia is not None and russia.bbox[1] > 180 and russia.bbox[0] > 0


def _geography(states: dict[str, tuple[float, float]]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "state": list(states),
            "lat": [v[0] for v in states.values()],
            "lon": [v[1] for v in states.values()],
        }
    )


def test_states_are_outlines_coloured_by_holder_and_shaded_by_share() -> None:
    geography = _geography(
        {
            "Tajikistan": (38.56, 68.77),
            "Kyrgyzstan": (42.87, 74.59),
            "Freedonia": (40.0, 62.0),  # invented: a marker where Uzbekistan's desert is
            "China": (43.83, 87.62),
        }
    )
    borders = [("Tajikistan", "Kyrgyzstan"), ("Freedonia", "Tajikistan")]
    dominant = {"Tajikistan": "China", "Kyrgyzstan": "Russia", "Freedonia": None}
    shares = {"Tajikistan": 0.9, "Kyrgyzstan": 0.3, "Freedonia": 0.0}
    fig = plots.region_map(geography, borders, dominant, shares=shares, patrons=["China"])
    ax = fig.axes[0]
    colors = plots.patron_colors(["China", "Russia"])

    taj, kyr = _by_gid(fig, "Tajikistan"), _by_gid(fig, "Kyrgyzstan")
    assert isinstance(taj, PathPatch) and isinstance(kyr, PathPatch)
    np.testing.assert_allclose(taj.get_facecolor()[:3], plots.shade(colors["China"], 0.9))
    np.testing.assert_allclose(kyr.get_facecolor()[:3], plots.shade(colors["Russia"], 0.3))
    # a larger share is a deeper colour: further from white
    assert sum(plots.shade(colors["Russia"], 0.9)) < sum(plots.shade(colors["Russia"], 0.3))
    # the outline is the country's, from the data
    taj_bbox = taj.get_path().get_extents()
    assert taj_bbox.x0 == pytest.approx(geo.outline("Tajikistan").bbox[0])  # type: ignore[union-attr]
    china = _by_gid(fig, "China")
    assert isinstance(china, PathPatch) and china.get_hatch() == "///"

    freedonia = _by_gid(fig, "Freedonia")
    assert isinstance(freedonia, PathCollection)
    np.testing.assert_allclose(freedonia.get_offsets()[0], (62.0, 40.0))
    dashed = [ln for ln in ax.get_lines() if ln.get_linestyle() == "--"]
    assert len(dashed) == 1  # Freedonia-Tajikistan; the other border is a shared outline
    texts = [t.get_text() for t in ax.texts]
    assert "Tajikistan\n90%" in texts and "Kyrgyzstan\n30%" in texts and "Freedonia" in texts
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "held by Russia" in legend and "held by nobody" in legend and "border" in legend

    # to scale: a degree of latitude is 1/cos(middle latitude) degrees of longitude
    (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
    assert ax.get_aspect() == pytest.approx(1 / np.cos(np.radians((y0 + y1) / 2)), rel=0.02)
    # the view holds the region: Kyrgyzstan's whole outline and the marker
    w, e, s, n = geo.outline("Kyrgyzstan").bbox  # type: ignore[union-attr]
    assert x0 < 62 < w < e < x1 and y0 < s < n < y1


def test_greatgame_run_and_the_dashboard_draw_the_same_map() -> None:
    from sim.app import DashboardModel, holders, map_figure

    result = sim.run(seed=1, months=3)
    run_map = result.figures()["map"]
    model = DashboardModel(seed=1)
    for _ in range(3):
        model.step()
    page_map = map_figure(model, model.history[-1])
    dominant, _ = holders(model, model.history[-1])
    assert dominant == result.summary["dominant"]
    for state in REGION:
        a, b = _by_gid(run_map, state), _by_gid(page_map, state)
        assert isinstance(a, PathPatch) and isinstance(b, PathPatch)
        np.testing.assert_allclose(a.get_facecolor(), b.get_facecolor())
        np.testing.assert_array_equal(a.get_path().vertices, b.get_path().vertices)
    assert "shade: its share" in run_map.axes[0].get_title(loc="left")
    result.close()


def test_an_invented_region_is_drawn_with_markers_and_its_borders() -> None:
    sc = synthetic_scenario(8, 2, seed=3)
    result = sim.run(sc, seed=1, months=2)
    fig = result.figures()["map"]
    ax = fig.axes[0]
    for state in sc.actors:
        assert isinstance(_by_gid(fig, state), PathCollection)
    dashed = [ln for ln in ax.get_lines() if ln.get_linestyle() == "--"]
    assert len(dashed) == len({frozenset(b) for b in sc.borders}) > 0
    (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
    for actor in sc.actors.values():
        lat, lon = actor.location
        assert x0 < lon < x1 and y0 < lat < y1
    result.close()


def _make_geodata() -> ModuleType:
    spec = importlib.util.spec_from_file_location("make_geodata", ROOT / "scripts/make_geodata.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_outline_maker_keeps_shared_borders_and_the_box(tmp_path: Path) -> None:
    """scripts/make_geodata.py on a tiny topology: two squares, a far one, one across 180."""
    topology = {
        "type": "Topology",
        "transform": {"scale": [1, 1], "translate": [0, 0]},
        "arcs": [
            [[1, 0], [0, 1]],  # the border A|B, from (1,0) to (1,1)
            [[1, 1], [-1, 0], [0, -1], [1, 0]],  # the rest of A
            [[1, 1], [1, 0], [0, -1], [-1, 0]],  # the rest of B (walked backwards)
            [[50, 60], [1, 0], [0, 1], [-1, 0], [0, -1]],  # D, north of the box
            [[179, 10], [-358, 0], [0, 1], [358, 0], [0, -1]],  # C, across the antimeridian
            [[2, 0], [1, 0], [1, 0], [1, 0], [0, 1], [-3, 0], [0, -1]],  # E, collinear points
        ],
        "objects": {
            "countries": {
                "type": "GeometryCollection",
                "geometries": [
                    {"type": "Polygon", "arcs": [[0, 1]], "id": "1", "properties": {"name": "A"}},
                    {"type": "Polygon", "arcs": [[~2, ~0]], "id": "2", "properties": {"name": "B"}},
                    {"type": "Polygon", "arcs": [[3]], "id": "3", "properties": {"name": "D"}},
                    {"type": "Polygon", "arcs": [[4]], "id": "4", "properties": {"name": "C"}},
                    {"type": "Polygon", "arcs": [[5]], "id": "5", "properties": {"name": "Iran"}},
                ],
            }
        },
    }
    maker = _make_geodata()
    source = tmp_path / "countries.json"
    source.write_text(json.dumps(topology))
    out = tmp_path / "out.geojson"
    maker.main([str(source), "--out", str(out), "--box", "0", "185", "0", "20"])
    features = {f["properties"]["name"]: f for f in json.loads(out.read_text())["features"]}
    assert set(features) == {"A", "B", "C", "Iran"}  # D lies outside the box
    a = features["A"]["geometry"]["coordinates"][0][0]
    b = features["B"]["geometry"]["coordinates"][0][0]
    assert [1, 0] in a and [1, 1] in a and [1, 0] in b and [1, 1] in b  # the shared border
    for ring in (a, b):
        x, y = np.asarray(ring).T
        assert (x[:-1] * y[1:] - x[1:] * y[:-1]).sum() > 0  # counter-clockwise
    c = np.asarray(features["C"]["geometry"]["coordinates"][0][0])
    assert c[:, 0].min() == 179 and c[:, 0].max() == 181  # continued east of 180
    iran = features["Iran"]
    assert len(iran["geometry"]["coordinates"][0][0]) == 5  # collinear points simplified away
    assert "Islamic Republic of Iran" in iran["properties"]["other_names"]
