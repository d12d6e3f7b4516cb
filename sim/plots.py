"""Figures from tidy frames (matplotlib).

Plots take the tidy frames of :mod:`sim.records` (or of sweeps), never model
objects, so they serve single runs, ensembles, sweeps and notebooks alike.
China and Russia keep the same colours in every figure.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from functools import cache
from typing import Any

import matplotlib.dates as mdates
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib import patheffects
from matplotlib.colors import ListedColormap, to_rgb
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, PathPatch
from matplotlib.path import Path
from matplotlib.ticker import FuncFormatter

from sim import geo
from sim.labels import wrap
from sim.stats import BAND_QUANTILES, bands

#: Fixed colours, so a patron looks the same in every figure and notebook.
PATRON_COLORS: dict[str, str] = {
    "China": "#d62728",
    "Russia": "#1f4e9c",
    "Pakistan": "#2ca02c",
    "United States": "#7f7f7f",
    "USA": "#7f7f7f",
    "India": "#ff7f0e",
    "Iran": "#8c564b",
}
_FALLBACK = ["#9467bd", "#17becf", "#bcbd22", "#e377c2", "#8c564b", "#ff7f0e", "#7f7f7f"]
NOBODY_COLOR = "#cccccc"
_BLOC_COLORS = [
    "#ff7f0e",
    "#2ca02c",
    "#9467bd",
    "#8c564b",
    "#e377c2",
    "#bcbd22",
    "#17becf",
    "#7f7f7f",
]


def patron_colors(names: Iterable[str]) -> dict[str, str]:
    """A colour per patron: the fixed ones for known powers, then a fixed cycle."""
    out: dict[str, str] = {}
    i = 0
    for n in names:
        if n in PATRON_COLORS:
            out[n] = PATRON_COLORS[n]
        else:
            out[n] = _FALLBACK[i % len(_FALLBACK)]
            i += 1
    return out


#: The quantiles a fan chart draws (one definition: :data:`sim.stats.BAND_QUANTILES`).
FAN_QUANTILES = BAND_QUANTILES


def fan(ax: plt.Axes, x: np.ndarray, q: np.ndarray, *, color: str, label: str) -> None:
    """Draw a fan: the median line over the 50% and 90% bands.

    Args:
        ax: The axes.
        x: ``(T,)`` positions (months).
        q: ``(5, T)`` the :data:`FAN_QUANTILES` of the series at each position, e.g.
            ``sim.stats.bands(frame, "influence").to_numpy().T``.
        color: Line and band colour.
        label: Legend label of the median line.
    """
    ax.fill_between(x, q[0], q[4], color=color, alpha=0.12, lw=0)
    ax.fill_between(x, q[1], q[3], color=color, alpha=0.25, lw=0)
    ax.plot(x, q[2], color=color, lw=1.8, label=label)


def _ordered(values: pd.Series) -> list[str]:
    if isinstance(values.dtype, pd.CategoricalDtype):
        present = set(values.unique())
        return [c for c in values.cat.categories if c in present]
    return list(dict.fromkeys(values))


def _time_axis(df: pd.DataFrame, x: str | None) -> str:
    """The column to draw time on: ``x`` if given, else ``date`` when the frame has one."""
    if x is None:
        return "date" if "date" in df.columns else "month"
    if x not in ("month", "date") or x not in df.columns:
        raise ValueError(f"x must be 'month' or 'date' (a column of the frame), got {x!r}")
    return x


def month_axis_label(df: pd.DataFrame) -> str:
    """``month (0 = March 2016)``: the x label of figures drawn over month numbers."""
    if "date" in df.columns and len(df):
        first = df.loc[df["month"].idxmin()]
        start = pd.Timestamp(first["date"]) - pd.DateOffset(months=int(first["month"]))
        return f"month (0 = {start:%B %Y})"
    return "month"


def date_axis(ax: plt.Axes, *, maxticks: int = 6) -> None:
    """Readable dates on the x axis: a few ticks, each written once (2017, Jul, 2018...)."""
    locator = mdates.AutoDateLocator(minticks=2, maxticks=maxticks)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))


def influence_over_time(
    influence: pd.DataFrame,
    *,
    targets: Sequence[str] | None = None,
    patrons: Sequence[str] | None = None,
    x: str | None = None,
    title: str | None = None,
    ncols: int = 3,
    varies: str = "seeds",
) -> Figure:
    """Small multiples: each patron's influence over each target, month by month.

    With several runs in the frame, draws the median and the 50% and 90%
    bands across runs (a fan chart); with one run, the line itself.

    Args:
        influence: Tidy frame with columns run, month, patron, target, influence (and date).
        targets: Targets to show (default: every target someone holds).
        patrons: Patrons to show (default: all).
        x: ``date`` or ``month`` (default: ``date`` when the frame has it).
        title: Figure title (wrapped to fit).
        ncols: Panels per row.
        varies: What the bands vary over, said in the title: ``seeds`` or ``seeds and
            posterior draws``.
    """
    df = influence
    x = _time_axis(df, x)
    pats = list(patrons) if patrons else _ordered(df["patron"])
    if targets is None:
        held = df.groupby("target", observed=True)["influence"].max()
        targets = [t for t in _ordered(df["target"]) if held.get(t, 0) > 1e-6]
    targets = list(targets)
    colors = patron_colors(pats)
    n = max(len(targets), 1)
    ncols = min(ncols, n)
    nrows = int(np.ceil(n / ncols))
    fig, axes = plt.subplots(
        nrows,
        ncols,
        figsize=(4.2 * ncols, 2.8 * nrows + 0.6),
        sharex=True,
        sharey=True,
        squeeze=False,
        layout="constrained",
    )
    runs = df["run"].nunique() if "run" in df else 1
    for ax, target in zip(axes.ravel(), targets, strict=False):
        sub = df[df["target"] == target]
        for p in pats:
            s = sub[sub["patron"] == p]
            if s.empty:
                continue
            if runs > 1:
                q = bands(s, "influence", by=x)
                fan(ax, q.index.to_numpy(), q.to_numpy().T, color=colors[p], label=p)
            else:
                s = s.sort_values("month")
                ax.plot(s[x].to_numpy(), s["influence"], color=colors[p], lw=1.8, label=p)
        ax.set_title(str(target), fontsize=10)
        ax.set_ylim(0, 1)
        ax.grid(alpha=0.3)
    for ax in axes.ravel()[len(targets) :]:
        ax.set_visible(False)
    for col in range(ncols):  # the last panel of each column carries the time axis
        bottom = axes.ravel()[[k for k in range(len(targets)) if k % ncols == col][-1]]
        bottom.xaxis.set_tick_params(labelbottom=True)
        if x == "month":
            bottom.set_xlabel(month_axis_label(df))
    if x == "date":
        date_axis(axes[0, 0])
    for ax in axes[:, 0]:
        ax.set_ylabel("influence share")
    handles, labels = axes.ravel()[0].get_legend_handles_labels()
    if handles:
        fig.legend(handles, labels, loc="outside upper right", ncol=len(labels), frameon=False)
    band = f" (median, 50% and 90% bands over {runs} runs: {varies})" if runs > 1 else ""
    width = max(30, int(14 * ncols))  # characters that fit beside the legend
    fig.suptitle(wrap((title or "Influence over time") + band, width), x=0.01, ha="left")
    return fig


def membership_timeline(
    membership: pd.DataFrame,
    *,
    run: int = 0,
    camps: pd.DataFrame | None = None,
    camp_names: tuple[str, str] | None = None,
) -> Figure:
    """Bloc membership over time: one row per (state, bloc) that was ever a member.

    Args:
        membership: Tidy frame with run, month, state, bloc, member.
        run: Which run to draw.
        camps: Optional tidy frame (month, state, camp) of predicted camps to draw beside.
        camp_names: The patrons whose camps are ``camp`` 0 and 1 (e.g. the incumbent and
            the challenger), for the colours and the legend.
    """
    df = membership[(membership["run"] == run) & membership["member"]]
    blocs = _ordered(membership["bloc"])
    states = _ordered(membership["state"])
    # bloc colours avoid the patrons' red and blue, which mean China and Russia everywhere
    bloc_color = {b: _BLOC_COLORS[i % len(_BLOC_COLORS)] for i, b in enumerate(blocs)}
    rows: list[tuple[str, str]] = [
        (s, b) for s in states for b in blocs if ((df["state"] == s) & (df["bloc"] == b)).any()
    ]
    months = np.sort(membership["month"].unique())
    step = float(np.median(np.diff(months))) if len(months) > 1 else 1.0
    extra = 0 if camps is None else 1
    fig, axes = plt.subplots(
        1,
        1 + extra,
        figsize=(10 + 3 * extra, 0.32 * max(len(rows), 4) + 1.5),
        squeeze=False,
        gridspec_kw={"width_ratios": [3] + [1] * extra},
        layout="constrained",
    )
    ax = axes[0, 0]
    for y, (s, b) in enumerate(rows):
        ms = np.sort(df[(df["state"] == s) & (df["bloc"] == b)]["month"].to_numpy())
        if ms.size == 0:
            continue
        # contiguous spans
        breaks = np.flatnonzero(np.diff(ms) > step * 1.01)
        starts = np.r_[ms[0], ms[breaks + 1]]
        ends = np.r_[ms[breaks], ms[-1]]
        ax.broken_barh(
            [(a, e - a + step) for a, e in zip(starts, ends, strict=True)],
            (y - 0.35, 0.7),
            color=bloc_color[b],
        )
    ax.set_yticks(range(len(rows)), [f"{s} in {b}" for s, b in rows], fontsize=8)
    ax.invert_yaxis()
    ax.set_xlabel(month_axis_label(membership))
    if len(months):
        ax.set_xlim(months.min(), months.max() + step)
    ax.grid(axis="x", alpha=0.3)
    ax.set_title(f"Bloc membership over time (run {run})", loc="left")
    if camps is not None:
        cx = axes[0, 1]
        c = camps[camps["run"] == run] if "run" in camps else camps
        pivot = c.pivot_table(index="state", columns="month", values="camp", observed=True)
        names = camp_names or ("camp 0", "camp 1")
        pal = patron_colors(names) if camp_names else {names[0]: "#3b4cc0", names[1]: "#b40426"}
        cmap = ListedColormap([pal[names[0]], pal[names[1]]])
        cols = pivot.columns.to_numpy(dtype=float)
        width = float(np.median(np.diff(cols))) if cols.size > 1 else 1.0
        cx.imshow(
            pivot.to_numpy(), aspect="auto", cmap=cmap, vmin=0, vmax=1, interpolation="nearest",
            extent=(cols.min(), cols.max() + width, len(pivot.index) - 0.5, -0.5),
        )  # fmt: skip
        cx.set_yticks(range(len(pivot.index)), list(pivot.index), fontsize=8)
        cx.set_title("predicted camp (landscape)", loc="left")
        cx.set_xlabel(month_axis_label(membership))
        cx.legend(
            handles=[Patch(color=pal[n], label=f"{n}'s camp" if camp_names else n) for n in names],
            loc="upper center", bbox_to_anchor=(0.5, -0.12), ncol=2, fontsize=8, frameon=False,
        )  # fmt: skip
    return fig


#: Map colours: the sea, countries that are not in the scenario, and outlines.
SEA_COLOR = "#dde8f0"
LAND_COLOR = "#f4f2ed"
OUTLINE_COLOR = "#6f6f6f"


def shade(color: str, share: float) -> tuple[float, float, float]:
    """``color`` mixed with white: full at share 1, pale (a quarter of it) at share 0."""
    f = 0.25 + 0.75 * float(np.clip(share, 0.0, 1.0))
    rgb = np.asarray(to_rgb(color))
    r, g, b = (1 - f) + f * rgb
    return (float(r), float(g), float(b))


@cache
def _country_path(name: str) -> Path:
    """One compound path per country: every part, holes included (drawn even-odd)."""
    o = geo.outline(name)
    assert o is not None
    verts, codes = [], []
    for polygon in o.polygons:
        for ring in polygon:
            verts.append(ring)
            codes.append([Path.MOVETO] + [Path.LINETO] * (len(ring) - 2) + [Path.CLOSEPOLY])
    return Path(np.concatenate(verts), np.concatenate(codes).astype(Path.code_type))


def _clip(ring: np.ndarray, box: tuple[float, float, float, float]) -> np.ndarray:
    """Sutherland-Hodgman: the part of a closed ring inside (west, east, south, north)."""
    pts = ring[:-1]
    for axis, bound, keep_above in ((0, box[0], True), (0, box[1], False),
                                    (1, box[2], True), (1, box[3], False)):  # fmt: skip
        if len(pts) == 0:
            break
        nxt = np.roll(pts, -1, axis=0)
        inside = pts[:, axis] >= bound if keep_above else pts[:, axis] <= bound
        inside_n = np.roll(inside, -1)
        out = []
        for p, q, pin, qin in zip(pts, nxt, inside, inside_n, strict=True):
            if pin:
                out.append(p)
            if pin != qin:
                t = (bound - p[axis]) / (q[axis] - p[axis])
                out.append(p + t * (q - p))
        pts = np.asarray(out).reshape(-1, 2)
    return pts


def _centroid(pts: np.ndarray) -> tuple[float, float, float]:
    """Area and centroid (x, y) of a polygon given by its vertices (not closed)."""
    x, y = pts[:, 0], pts[:, 1]
    x1, y1 = np.roll(x, -1), np.roll(y, -1)
    cross = x * y1 - x1 * y
    a = cross.sum() / 2
    if abs(a) < 1e-12:
        return 0.0, float(x.mean()), float(y.mean())
    return (
        abs(float(a)),
        float(((x + x1) * cross).sum() / (6 * a)),
        float(((y + y1) * cross).sum() / (6 * a)),
    )


@cache
def _label_point(
    name: str, view: tuple[float, float, float, float], fallback: tuple[float, float]
) -> tuple[float, float]:
    """Where a country's name goes: the centroid of its largest part inside the view."""
    found = geo.outline(name)
    if found is None:
        return fallback
    o = found
    best: tuple[float, float, float] = (0.0, *fallback)
    for polygon in o.polygons:
        part = _clip(polygon[0], view)
        if len(part) >= 3:
            c = _centroid(part)
            if c[0] > best[0]:
                best = c
    x, y = best[1], best[2]
    if best[0] > 0 and not _country_path(name).contains_point((x, y)):
        # a concave country whose centroid falls outside it: its vertex nearest the centroid
        ring = _clip(max(o.polygons, key=lambda p: len(_clip(p[0], view)))[0], view)
        if len(ring):
            x, y = ring[np.argmin(np.hypot(ring[:, 0] - x, ring[:, 1] - y))]
    return float(x), float(y)


def _view(
    points: Mapping[str, tuple[float, float]], outlines: Mapping[str, geo.Outline | None]
) -> tuple[float, float, float, float]:
    """(west, east, south, north): the states' outlines (or locations), with a margin."""
    west, east, south, north = np.inf, -np.inf, np.inf, -np.inf
    for state, (lon, lat) in points.items():
        o = outlines.get(state)
        w, e, s, n = o.bbox if o is not None else (lon, lon, lat, lat)
        west, east, south, north = min(west, w), max(east, e), min(south, s), max(north, n)
    pad_x = max(0.06 * (east - west), 2.0)
    pad_y = max(0.06 * (north - south), 2.0)
    return west - pad_x, east + pad_x, max(south - pad_y, -89.0), min(north + pad_y, 89.0)


def region_map(
    geography: pd.DataFrame,
    borders: Sequence[tuple[str, str]],
    dominant: Mapping[str, str | None],
    *,
    shares: Mapping[str, float] | None = None,
    patrons: Sequence[str] = (),
    title: str = "Who holds whom",
    ax: plt.Axes | None = None,
) -> Figure:
    """The region's map: each state's country outline, coloured by who holds it.

    A state is filled with the colour of its dominant patron, paler the smaller
    that patron's share (:func:`shade`), and labelled with its name and the share.
    Patrons are drawn in their own colour, hatched. Outlines come from the
    shipped Natural Earth data (:mod:`sim.geo`); a state without one (an invented
    country) is a round marker at its ``location``, and the scenario's borders
    from or to such a state are drawn as dashed lines (borders between outlined
    countries are visible as their shared outlines). Longitude and latitude are
    drawn to scale at the region's middle latitude.

    Args:
        geography: Frame with state, lat, lon (other columns are ignored).
        borders: Pairs of states sharing a land border.
        dominant: State -> dominant patron (None: nobody).
        shares: Optional state -> the dominant patron's share (default: full colour).
        patrons: States that are patrons (drawn in their own colour).
        title: Axes title.
        ax: Draw into this axes instead of a new figure.
    """
    geo_df = geography.set_index("state")
    if ax is None:
        fig, ax = plt.subplots(figsize=(8, 6.4))
    else:
        fig = ax.figure  # type: ignore[assignment]
    states = [str(s) for s in geo_df.index]
    loc = {s: (float(geo_df.at[s, "lon"]), float(geo_df.at[s, "lat"])) for s in states}
    outlines = {s: geo.outline(s, (loc[s][1], loc[s][0])) for s in states}
    is_patron = {s: s in patrons for s in states}
    pats = list(dict.fromkeys([*patrons, *sorted({p for p in dominant.values() if p})]))
    colors = patron_colors(pats)
    # the view: the contested states, and the patrons drawn as markers (a patron's outline,
    # such as Russia's, is far larger than the region: it shows at the edges)
    framed = [s for s in states if not is_patron[s] or outlines[s] is None] or states
    view = _view({s: loc[s] for s in framed}, outlines)
    west, east, south, north = view
    ax.set_facecolor(SEA_COLOR)

    # the neighbourhood: every country in the data that the view touches, not in the scenario
    drawn = {o.name for o in outlines.values() if o is not None}
    for country in geo.countries():
        w, e, s, n = country.bbox
        if country.name in drawn or e < west - 5 or w > east + 5 or n < south - 5 or s > north + 5:
            continue
        ax.add_artist(PathPatch(_country_path(country.name), facecolor=LAND_COLOR,
                               edgecolor="#b5b5b5", lw=0.4, zorder=1))  # fmt: skip

    def fill(state: str) -> tuple[float, float, float] | str:
        if is_patron[state]:
            return shade(colors[state], 0.45)
        holder = dominant.get(state)
        if not holder:
            return NOBODY_COLOR
        return shade(colors.get(holder, NOBODY_COLOR), 1.0 if shares is None else shares[state])

    def label(state: str) -> str:
        if is_patron[state]:
            return f"{state}\n(patron)"
        if shares is None or not dominant.get(state):
            return state
        return f"{state}\n{shares[state]:.0%}"

    halo = [patheffects.withStroke(linewidth=2.2, foreground="white")]
    anchor: dict[str, tuple[float, float]] = {}
    for state in states:
        found = outlines[state]
        if found is None:
            continue
        path = _country_path(found.name)
        if is_patron[state]:  # hatched in its own colour
            face = PathPatch(path, facecolor=shade(colors[state], 0.2), lw=0, zorder=2,
                             edgecolor=shade(colors[state], 0.75), hatch="///")  # fmt: skip
        else:
            face = PathPatch(path, facecolor=fill(state), lw=0, zorder=2)
        face.set_gid(state)  # tests and users find a state's patch by its name
        ax.add_artist(face)
        ax.add_artist(PathPatch(path, facecolor="none", edgecolor=OUTLINE_COLOR, lw=0.8, zorder=2))
        anchor[state] = _label_point(found.name, view, loc[state])
    # borders that no shared outline shows: from or to a state drawn as a marker
    dashed = False
    for a, b in dict.fromkeys(tuple(sorted(pair)) for pair in borders):
        if a in loc and b in loc and (outlines[a] is None or outlines[b] is None):
            (x1, y1), (x2, y2) = anchor.get(a, loc[a]), anchor.get(b, loc[b])
            ax.plot([x1, x2], [y1, y2], ls="--", color="#777777", lw=1, zorder=3)
            dashed = True
    for state in states:
        if outlines[state] is None:
            ax.scatter(*loc[state], s=260, color=fill(state), edgecolor="black", lw=0.8,
                       marker="s" if is_patron[state] else "o", zorder=4, gid=state)  # fmt: skip
            anchor[state] = (loc[state][0], loc[state][1] - 0.012 * (north - south))
            va = "top"
        else:
            va = "center"
        x, y = anchor[state]
        if west <= x <= east and south <= y <= north:
            ax.text(x, y, label(state), ha="center", va=va, fontsize=7.5, zorder=5,
                    path_effects=halo, linespacing=1.0,
                    fontweight="normal" if is_patron[state] else "bold")  # fmt: skip

    handles: list[Any] = [
        Patch(facecolor=colors[p], edgecolor=OUTLINE_COLOR, label=f"held by {p}")
        for p in pats
        if p in dominant.values()
    ]
    if any(not is_patron[s] and not dominant.get(s) for s in states):
        handles.append(
            Patch(facecolor=NOBODY_COLOR, edgecolor=OUTLINE_COLOR, label="held by nobody")
        )
    if any(is_patron[s] and outlines[s] is not None for s in states):
        handles.append(Patch(facecolor="white", edgecolor="#999999", hatch="///",
                             label="patron"))  # fmt: skip
    if any(is_patron[s] and outlines[s] is None for s in states):
        handles.append(Line2D([], [], ls="", marker="s", markerfacecolor="white",
                              markeredgecolor="black", label="patron"))  # fmt: skip
    if shares is not None:
        handles.append(Patch(facecolor=shade("#555555", 0.2), edgecolor=OUTLINE_COLOR,
                             label="paler: smaller share"))  # fmt: skip
    if dashed:
        handles.append(Line2D([], [], ls="--", color="#777777", label="border"))
    ax.legend(handles=handles, loc="lower left", fontsize=7, framealpha=0.9)
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}°E" if v >= 0 else f"{-v:g}°W"))
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}°N" if v >= 0 else f"{-v:g}°S"))
    ax.tick_params(labelsize=7)
    ax.set_title(title, loc="left")
    ax.set_xlim(west, east)
    ax.set_ylim(south, north)
    if len(fig.axes) == 1:
        fig.tight_layout()
    _fit(ax, view)
    return fig


def _fit(ax: plt.Axes, view: tuple[float, float, float, float]) -> None:
    """Show ``view`` to scale at its middle latitude, widened to fill the axes' box."""
    west, east, south, north = view
    k = 1 / max(np.cos(np.radians((south + north) / 2)), 0.2)  # a degree of latitude, in lon
    box = ax.get_position()
    fw, fh = ax.get_figure(root=True).get_size_inches()  # type: ignore[union-attr]
    box_ratio = (box.height * fh) / max(box.width * fw, 1e-9)  # height / width
    width, height = east - west, north - south
    if height * k / width < box_ratio:  # the view is flatter than the box: show more latitude
        extra = (width * box_ratio / k - height) / 2
        south, north = south - extra, north + extra
    else:
        extra = (height * k / box_ratio - width) / 2
        west, east = west - extra, east + extra
    ax.set_xlim(west, east)
    ax.set_ylim(south, north)
    ax.set_aspect(k, adjustable="box")


def save(fig: Figure, path: str) -> None:
    """Save a figure as PNG (150 dpi) and close it."""
    fig.savefig(path, dpi=150)
    plt.close(fig)
