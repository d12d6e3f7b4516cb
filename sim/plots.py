"""Figures from tidy frames (matplotlib).

Plots take the tidy frames of :mod:`sim.records` (or of sweeps), never model
objects, so they serve single runs, ensembles, sweeps and notebooks alike.
China and Russia keep the same colours in every figure.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.colors import ListedColormap
from matplotlib.figure import Figure
from matplotlib.patches import Patch

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


#: The quantiles a fan chart draws: the 90% band, the 50% band and the median.
FAN_QUANTILES = (0.05, 0.25, 0.5, 0.75, 0.95)


def fan(ax: plt.Axes, x: np.ndarray, q: np.ndarray, *, color: str, label: str) -> None:
    """Draw a fan: the median line over the 50% and 90% bands.

    Args:
        ax: The axes.
        x: ``(T,)`` positions (months).
        q: ``(5, T)`` the :data:`FAN_QUANTILES` of the series at each position.
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


def influence_over_time(
    influence: pd.DataFrame,
    *,
    targets: Sequence[str] | None = None,
    patrons: Sequence[str] | None = None,
    x: str = "month",
    title: str | None = None,
    ncols: int = 3,
) -> Figure:
    """Small multiples: each patron's influence over each target, month by month.

    With several runs in the frame, draws the median and the 50% and 90%
    bands across runs (a fan chart); with one run, the line itself.

    Args:
        influence: Tidy frame with columns run, month, patron, target, influence.
        targets: Targets to show (default: every target someone holds).
        patrons: Patrons to show (default: all).
        x: ``month`` or ``date``.
        title: Figure title.
        ncols: Panels per row.
    """
    df = influence
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
        nrows, ncols, figsize=(4.2 * ncols, 2.8 * nrows), sharex=True, sharey=True, squeeze=False
    )
    runs = df["run"].nunique() if "run" in df else 1
    for ax, target in zip(axes.ravel(), targets, strict=False):
        sub = df[df["target"] == target]
        for p in pats:
            s = sub[sub["patron"] == p]
            if s.empty:
                continue
            if runs > 1:
                q = s.groupby("month")["influence"].quantile(list(FAN_QUANTILES)).unstack()
                fan(ax, q.index.to_numpy(), q.to_numpy().T, color=colors[p], label=p)
            else:
                s = s.sort_values("month")
                xs = s["month"] if x == "month" else pd.to_datetime(s["date"])
                ax.plot(xs, s["influence"], color=colors[p], lw=1.8, label=p)
        ax.set_title(str(target), fontsize=10)
        ax.set_ylim(0, 1)
        ax.grid(alpha=0.3)
    for ax in axes.ravel()[len(targets) :]:
        ax.set_visible(False)
    for ax in axes[-1]:
        ax.set_xlabel("month" if x == "month" else "date")
    for ax in axes[:, 0]:
        ax.set_ylabel("influence share")
    handles, labels = axes.ravel()[0].get_legend_handles_labels()
    if handles:
        fig.legend(handles, labels, loc="upper right", ncol=len(labels), frameon=False)
    band = " (median, 50% and 90% bands)" if runs > 1 else ""
    fig.suptitle(title or f"Influence over time{band}", x=0.01, ha="left")
    fig.tight_layout(rect=(0, 0, 1, 0.95))
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
        figsize=(10 + 3 * extra, 0.32 * max(len(rows), 4) + 1.2),
        squeeze=False,
        gridspec_kw={"width_ratios": [3] + [1] * extra},
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
    ax.set_xlabel("month")
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
        cx.set_xlabel("month")
        cx.legend(
            handles=[Patch(color=pal[n], label=f"{n}'s camp" if camp_names else n) for n in names],
            loc="upper center", bbox_to_anchor=(0.5, -0.12), ncol=2, fontsize=8, frameon=False,
        )  # fmt: skip
    fig.tight_layout()
    return fig


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
    """A map-like network: states at their locations, coloured by dominant patron, sized by GDP.

    Args:
        geography: Frame with state, lat, lon, gdp.
        borders: Pairs of states sharing a land border (the edges).
        dominant: State -> dominant patron (None: nobody).
        shares: Optional state -> dominant patron's share, drawn as the node's opacity.
        patrons: States drawn as patrons (squares in their own colour).
        title: Figure title.
        ax: Draw into this axes instead of a new figure.
    """
    geo = geography.set_index("state")
    if ax is None:
        fig, ax = plt.subplots(figsize=(8, 6))
    else:
        fig = ax.figure  # type: ignore[assignment]
    pats = sorted({p for p in dominant.values() if p} | set(patrons))
    colors = patron_colors(pats)
    for a, b in borders:
        if a in geo.index and b in geo.index:
            ax.plot(
                [geo.at[a, "lon"], geo.at[b, "lon"]],
                [geo.at[a, "lat"], geo.at[b, "lat"]],
                color="#999999",
                lw=1,
                zorder=1,
            )
    gdp = geo["gdp"].astype(float)
    size = 80 + 1400 * np.sqrt(gdp / gdp.max())
    for state, row in geo.iterrows():
        is_patron = str(state) in patrons
        p = str(state) if is_patron else dominant.get(str(state))
        alpha = 0.95 if shares is None else 0.35 + 0.6 * float(shares.get(str(state), 0.0))
        ax.scatter(
            row["lon"],
            row["lat"],
            s=size[state],
            color=colors.get(p, NOBODY_COLOR) if p else NOBODY_COLOR,
            alpha=0.95 if is_patron else alpha,
            marker="s" if is_patron else "o",
            edgecolor="black",
            lw=0.6,
            zorder=2,
        )
        ax.annotate(
            str(state), (row["lon"], row["lat"]), xytext=(0, -14), textcoords="offset points",
            ha="center", va="top", fontsize=8, zorder=3,
        )  # fmt: skip
    for p in pats:
        ax.scatter([], [], color=colors[p], s=80, label=f"held by {p}")
    ax.scatter([], [], color=NOBODY_COLOR, s=80, label="held by nobody")
    if patrons:
        ax.scatter([], [], color="white", edgecolor="black", marker="s", s=80, label="patron")
    ax.legend(loc="lower left", fontsize=8, frameon=False)
    ax.set_xlabel("longitude")
    ax.set_ylabel("latitude")
    ax.set_title(title, loc="left")
    ax.set_aspect("equal", adjustable="datalim")
    ax.margins(0.12)
    ax.grid(alpha=0.2)
    fig.tight_layout()
    return fig


def save(fig: Figure, path: str) -> None:
    """Save a figure as PNG (150 dpi) and close it."""
    fig.savefig(path, dpi=150)
    plt.close(fig)
