"""Figures of a sweep: fan charts, heatmaps, tornado charts, sensitivity bars.

* :func:`fan_chart` -- influence over time, median with 50% and 90% bands across
  runs; per patron (the standard figure of :func:`sim.plots.influence_over_time`)
  or, with ``by=key``, one fan per value of a swept parameter for one patron.
* :func:`heatmap` -- the mean of a summary metric over two swept parameters.
* :func:`tornado` -- one-at-a-time effects: how far the metric moves when one
  parameter goes from its lowest to its highest value, the others held at their
  middle values (grid designs; other designs compare the runs in the lowest and
  highest fifth of the parameter's range).
* :func:`indices_bar` -- Sobol' S1/ST or Morris mu*/sigma as bars with confidence
  intervals.

Each function returns a matplotlib Figure and reads only the columns it needs.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from sim import plots as base_plots
from sim.errors import InputError
from sim.labels import label, wrap
from sim.stats import bands
from sim.sweep.analysis import check_metric

if TYPE_CHECKING:
    from sim.sweep import SweepResult

_BY_COLORS = ["#440154", "#3b528b", "#21918c", "#5ec962", "#c8a600", "#e0542b", "#9e0142"]
MAX_GROUPS = 6
_HOW = {
    "one at a time": "others at their middle values",
    "marginal": "means over the other parameters",
    "lowest/highest fifth": "runs in the lowest and highest fifth",
}


def _check_key(res: SweepResult, key: str) -> str:
    if key not in res.param_keys:
        raise InputError(
            f"--by {key!r} is not a swept parameter of {res.path}; expected one of "
            f"{res.param_keys or '(none: this sweep has replicates only)'}"
        )
    return key


def namer(res: SweepResult) -> Callable[[str], str]:
    """Readable labels of the sweep's key paths and metrics (the scenario's ``labels:`` win)."""
    data = res.store.scenario_data()
    labels = data.get("labels") or {}
    currency = str(data.get("currency") or "USD")
    return lambda key: label(key, labels, currency=currency)


def _groups(values: pd.Series) -> tuple[pd.Series, list[str]]:
    """Group labels for a parameter: its values, or quantile bins when there are many."""
    uniq = pd.unique(values.dropna())
    if len(uniq) <= MAX_GROUPS:
        order = sorted(uniq, key=lambda v: (isinstance(v, str), v))
        labels = [f"{v:g}" if isinstance(v, float) else str(v) for v in order]
        mapping = dict(zip(order, labels, strict=True))
        return values.map(mapping), labels
    bins = pd.qcut(values.astype(float), q=4, duplicates="drop")
    labels = [f"{iv.left:.3g}-{iv.right:.3g}" for iv in bins.cat.categories]
    return bins.cat.rename_categories(labels).astype(str), labels


def fan_chart(
    res: SweepResult,
    *,
    patrons: Sequence[str] | None = None,
    targets: Sequence[str] | None = None,
    by: str | None = None,
    title: str | None = None,
) -> Figure:
    """Influence over time with median and 50%/90% bands across runs.

    Args:
        res: The sweep's results.
        patrons: Patrons to show (default all; with ``by``, the challenger).
        targets: Targets (default: the contested region).
        by: A swept parameter: one fan per value (or per quartile when it has many values).
        title: Figure title.
    """
    st = res.manifest["structure"]
    targets = list(targets) if targets else list(st["region"])
    for t in targets:
        if t not in st["actors"]:
            raise InputError(f"--target {t!r} is not an actor; expected one of {st['actors']}")
    for p in patrons or ():
        if p not in st["patrons"]:
            raise InputError(f"--patron {p!r} is not a patron; expected one of {st['patrons']}")
    if by is None:
        ts = res.timeseries(patron=patrons, target=targets, columns=["influence"])
        if ts.empty:
            raise InputError(f"{res.path} has no time series yet (no finished run)")
        n = ts["run"].nunique()
        return base_plots.influence_over_time(
            ts,
            targets=targets,
            patrons=patrons,
            title=title
            or f"{res.manifest['scenario']['name']}: influence over {n} runs "
            "(median, 50% and 90% bands)",
        )
    _check_key(res, by)
    name = namer(res)
    patron = (patrons or [st["rivalry"][0] if st.get("rivalry") else st["patrons"][0]])[0]
    ts = res.timeseries(patron=patron, target=targets, columns=["influence"])
    if ts.empty:
        raise InputError(f"{res.path} has no time series yet (no finished run)")
    runs = res.runs[["run", by]].copy()
    runs["group"], labels = _groups(runs[by])
    ts = ts.merge(runs[["run", "group"]], on="run")
    ncols = min(3, len(targets))
    nrows = int(np.ceil(len(targets) / ncols))
    fig, axes = plt.subplots(
        nrows,
        ncols,
        figsize=(4.2 * ncols, 2.8 * nrows + 1.0),
        sharex=True,
        sharey=True,
        squeeze=False,
        layout="constrained",
    )
    colors = dict(zip(labels, _BY_COLORS, strict=False))
    x = "date" if "date" in ts.columns else "month"
    for ax, target in zip(axes.ravel(), targets, strict=False):
        sub = ts[ts["target"] == target]
        for group in labels:
            g = sub[sub["group"] == group]
            if g.empty:
                continue
            q = bands(g, "influence", by=x)
            base_plots.fan(
                ax,
                q.index.to_numpy(),
                q.to_numpy().T,
                color=colors[group],
                label=f"{group} ({g['run'].nunique()} runs)",
            )
        ax.set_title(str(target), fontsize=10)
        ax.set_ylim(0, 1)
        ax.grid(alpha=0.3)
    for ax in axes.ravel()[len(targets) :]:
        ax.set_visible(False)
    if x == "date":
        base_plots.date_axis(axes[0, 0])
    else:
        for ax in axes[-1]:
            ax.set_xlabel("month")
    for ax in axes[:, 0]:
        ax.set_ylabel(f"{patron}'s influence")
    handles, lbls = axes.ravel()[0].get_legend_handles_labels()
    if handles:
        fig.legend(
            handles,
            lbls,
            loc="outside upper right",
            ncol=min(len(lbls), 4),
            frameon=False,
            title=wrap(name(by), 50),
            fontsize=8,
        )
    text = title or f"{patron}'s influence by {name(by)} (median, 50% and 90% bands)"
    fig.suptitle(wrap(text, max(30, 8 * ncols)), x=0.01, ha="left")
    return fig


def _binned(values: pd.Series, n: int = 8) -> pd.Series:
    if values.nunique() <= 12:
        return values
    return pd.cut(values.astype(float), bins=n).map(lambda iv: round(iv.mid, 4)).astype(float)


def heatmap(
    res: SweepResult, metric: str | None = None, *, by: Sequence[str] | None = None
) -> Figure:
    """The mean of a summary metric over two swept parameters (binned when continuous).

    Args:
        res: The sweep's results.
        metric: A numeric summary column (default: the challenger's regional index).
        by: The two parameters (default: the first two swept).
    """
    metric = check_metric(res, metric)
    keys = list(by) if by else res.param_keys[:2]
    if len(keys) != 2:
        raise InputError(
            f"a heatmap needs two swept parameters (--by k1,k2); {res.path} has {res.param_keys}"
        )
    for k in keys:
        _check_key(res, k)
    s = res.summary
    if s.empty:
        raise InputError(f"{res.path} has no finished run yet")
    df = pd.DataFrame(
        {"x": _binned(s[keys[0]]), "y": _binned(s[keys[1]]), "m": s[metric].astype(float)}
    )
    table = df.pivot_table(index="y", columns="x", values="m", aggfunc="mean", observed=True)
    table = table.sort_index().sort_index(axis=1)
    name = namer(res)
    fig, ax = plt.subplots(
        figsize=(2.0 + 0.9 * max(4, table.shape[1]), 1.4 + 0.6 * max(4, table.shape[0])),
        layout="constrained",
    )
    im = ax.imshow(table.to_numpy(), origin="lower", aspect="auto", cmap="viridis")
    ax.set_xticks(
        range(table.shape[1]),
        [f"{v:g}" if isinstance(v, float) else str(v) for v in table.columns],
        rotation=45,
    )
    ax.set_yticks(
        range(table.shape[0]), [f"{v:g}" if isinstance(v, float) else str(v) for v in table.index]
    )
    ax.set_xlabel(wrap(name(keys[0]), 50))
    ax.set_ylabel(wrap(name(keys[1]), 40))
    if table.size <= 144:
        vals = table.to_numpy()
        mid = np.nanmean(vals)
        for (i, j), v in np.ndenumerate(vals):
            if np.isfinite(v):
                ax.text(
                    j,
                    i,
                    f"{v:.3g}",
                    ha="center",
                    va="center",
                    fontsize=7,
                    color="white" if v < mid else "black",
                )
    fig.colorbar(im, ax=ax, label=wrap(f"mean of {name(metric)}", 40))
    ax.set_title(wrap(f"{name(metric)}: mean over runs", 50), fontsize=10, loc="left")
    return fig


def oat_effects(res: SweepResult, metric: str | None = None) -> pd.DataFrame:
    """One-at-a-time effects behind the tornado chart.

    Returns:
        One row per parameter: ``low``/``high`` values, the mean metric there
        (``at_low``, ``at_high``), the ``baseline`` and how they were taken (``method``).
    """
    metric = check_metric(res, metric)
    s = res.summary
    if s.empty:
        raise InputError(f"{res.path} has no finished run yet")
    keys = res.param_keys
    if not keys:
        raise InputError(f"{res.path} sweeps no parameter (replicates only); nothing to compare")
    num = {k: res.manifest["param_kinds"][k] == "number" for k in keys}
    grid = res.manifest["design"]["kind"] == "grid"
    middle: dict[str, object] = {}
    for k in keys:
        vals = sorted(s[k].dropna().unique(), key=lambda v: (isinstance(v, str), v))
        middle[k] = vals[(len(vals) - 1) // 2]
    base_mask = np.ones(len(s), dtype=bool)
    if grid:
        for k in keys:
            base_mask &= (s[k] == middle[k]).to_numpy()
    baseline = (
        float(s.loc[base_mask, metric].mean()) if base_mask.any() else float(s[metric].mean())
    )
    rows = []
    for k in keys:
        vals = sorted(s[k].dropna().unique(), key=lambda v: (isinstance(v, str), v))
        lo, hi = vals[0], vals[-1]
        method = "marginal"
        if grid:
            others = np.ones(len(s), dtype=bool)
            for o in keys:
                if o != k:
                    others &= (s[o] == middle[o]).to_numpy()
            at_lo = s.loc[others & (s[k] == lo).to_numpy(), metric]
            at_hi = s.loc[others & (s[k] == hi).to_numpy(), metric]
            method = "one at a time"
            if at_lo.empty or at_hi.empty:
                at_lo, at_hi, method = (
                    s.loc[s[k] == lo, metric],
                    s.loc[s[k] == hi, metric],
                    "marginal",
                )
        elif num[k]:
            x = s[k].astype(float)
            qlo, qhi = x.quantile(0.2), x.quantile(0.8)
            at_lo, at_hi = s.loc[x <= qlo, metric], s.loc[x >= qhi, metric]
            lo, hi = float(x[x <= qlo].mean()), float(x[x >= qhi].mean())
            method = "lowest/highest fifth"
        else:
            at_lo, at_hi = s.loc[s[k] == lo, metric], s.loc[s[k] == hi, metric]
        rows.append(
            {
                "parameter": k,
                "low": lo,
                "high": hi,
                "at_low": float(at_lo.mean()),
                "at_high": float(at_hi.mean()),
                "baseline": baseline,
                "method": method,
            }
        )
    df = pd.DataFrame(rows)
    df["swing"] = (df["at_high"] - df["at_low"]).abs()
    df = df.sort_values("swing", ascending=True).reset_index(drop=True)
    df.attrs["metric"] = metric
    return df


def tornado(res: SweepResult, metric: str | None = None) -> Figure:
    """Tornado chart of one-at-a-time effects on a summary metric (see :func:`oat_effects`)."""
    eff = oat_effects(res, metric)
    metric = str(eff.attrs["metric"])
    name = namer(res)
    fig, ax = plt.subplots(figsize=(9, 1.6 + 0.6 * len(eff)), layout="constrained")
    base = float(eff["baseline"].iloc[0])
    y = np.arange(len(eff))
    ax.barh(
        y, eff["at_low"] - base, left=base, color="#3b528b", alpha=0.85, label="at lowest value"
    )
    ax.barh(
        y, eff["at_high"] - base, left=base, color="#e0542b", alpha=0.85, label="at highest value"
    )

    def fmt(v: object) -> str:
        return f"{v:.3g}" if isinstance(v, float | int | np.floating) else str(v)

    ax.set_yticks(
        y,
        [
            f"{wrap(name(p), 36)}\n({fmt(lo)} .. {fmt(hi)})"
            for p, lo, hi in zip(eff["parameter"], eff["low"], eff["high"], strict=True)
        ],
        fontsize=8,
    )
    ax.axvline(base, color="black", lw=1)
    ax.set_xlabel(wrap(name(metric), 70))
    ax.legend(loc="lower right", fontsize=8, frameon=False)
    how = _HOW[str(eff["method"].iloc[-1])]
    ax.set_title(
        wrap(f"One-at-a-time effects on {name(metric)} ({how}; line: baseline)", 70),
        fontsize=10,
        loc="left",
    )
    ax.grid(axis="x", alpha=0.3)
    return fig


def indices_bar(indices: pd.DataFrame, *, title: str | None = None) -> Figure:
    """Bar chart of Sobol' (S1, ST) or Morris (mu*, sigma) indices with confidence intervals."""
    method = indices.attrs.get("method", "sobol" if "S1" in indices else "morris")
    metric = indices.attrs.get("metric", "")
    labels = indices.attrs.get("labels") or {}
    currency = str(indices.attrs.get("currency") or "USD")

    def name(key: str) -> str:
        return label(key, labels, currency=currency)

    names = indices["parameter"].tolist()
    y = np.arange(len(names))
    fig, ax = plt.subplots(figsize=(9, 1.8 + 0.6 * len(names)), layout="constrained")
    h = 0.38
    if method == "sobol":
        ax.barh(
            y - h / 2,
            indices["S1"],
            h,
            xerr=indices["S1_conf"],
            color="#21918c",
            label="S1 (first order)",
            capsize=3,
        )
        ax.barh(
            y + h / 2,
            indices["ST"],
            h,
            xerr=indices["ST_conf"],
            color="#440154",
            label="ST (total)",
            capsize=3,
        )
        ax.set_xlabel("Sobol' index (share of the metric's variance)")
        ax.axvline(0, color="black", lw=0.8)
    else:
        ax.barh(
            y - h / 2,
            indices["mu_star"],
            h,
            xerr=indices["mu_star_conf"],
            color="#e0542b",
            label="mu* (mean |effect|)",
            capsize=3,
        )
        ax.barh(
            y + h / 2,
            indices["sigma"],
            h,
            color="#5ec962",
            label="sigma (interactions, non-linearity)",
        )
        ax.set_xlabel(wrap(f"elementary effect on {name(metric)}", 70))
    ax.set_yticks(y, [wrap(name(n), 36) for n in names], fontsize=8)
    ax.invert_yaxis()
    ax.legend(loc="lower right", fontsize=8, frameon=False)
    conf = indices.attrs.get("conf_level", 0.95)
    text = title or f"{method.capitalize()} indices of {name(metric)} ({conf:.0%} intervals)"
    ax.set_title(wrap(text, 70), fontsize=10, loc="left")
    ax.grid(axis="x", alpha=0.3)
    return fig


__all__ = ["fan_chart", "heatmap", "indices_bar", "namer", "oat_effects", "tornado"]
