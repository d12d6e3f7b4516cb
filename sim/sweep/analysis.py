"""Sensitivity analysis of a sweep (SALib) and export to EMA Workbench.

* :func:`sobol_indices` -- first-order and total Sobol' indices (S1, ST) with
  confidence intervals, for a sweep made with ``--design sobol``.
* :func:`morris_indices` -- Morris elementary effects (mu, mu*, sigma, mu*
  confidence interval), for a sweep made with ``--design morris``.
* :func:`to_ema` -- the ``(experiments, outcomes)`` pair of EMA Workbench, so its
  scenario discovery (PRIM, CART, feature scoring) runs on our results.

The outcome ``Y`` of a design point is the mean of the metric over the point's
replicates (the analysis is of the expected outcome; replicates reduce the noise
of a stochastic model). A metric is any numeric column of the summary table,
e.g. ``regional_index.China.gdp_weighted`` or ``final_influence.China.Tajikistan``.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from sim.errors import InputError
from sim.sweep.design import Param

if TYPE_CHECKING:
    from sim.sweep import SweepResult


def default_metric(res: SweepResult) -> str:
    """The challenger's GDP-weighted regional influence (China's, in the article)."""
    st = res.manifest["structure"]
    patron = st["rivalry"][0] if st.get("rivalry") else st["patrons"][0]
    return f"regional_index.{patron}.gdp_weighted"


def metric_columns(res: SweepResult) -> list[str]:
    """The numeric columns of the summary table (possible metrics)."""
    from sim.sweep.chunk import Structure, summary_columns

    st = Structure(
        **{k: tuple(v) if isinstance(v, list) else v for k, v in res.manifest["structure"].items()}
    )
    return [n for n, t in summary_columns(st) if n != "run" and not str(t).startswith("string")]


def _figure_labels(res: SweepResult) -> dict[str, Any]:
    """The scenario's own labels and currency, for readable figures (sim.labels)."""
    data = res.store.scenario_data()
    return {"labels": dict(data.get("labels") or {}), "currency": data.get("currency", "USD")}


def check_metric(res: SweepResult, metric: str | None) -> str:
    """The metric, or a clear error naming the choices."""
    metric = metric or default_metric(res)
    cols = metric_columns(res)
    if metric not in cols:
        close = [c for c in cols if metric.split(".")[-1] in c][:6] or cols[:6]
        raise InputError(
            f"--metric {metric!r} is not a numeric column of the summary table; "
            f"expected e.g. {', '.join(close)}"
        )
    return metric


def point_outcomes(res: SweepResult, metric: str) -> np.ndarray:
    """``Y``: the metric's mean over each design point's replicates, in design order.

    Raises:
        InputError: some runs of the design have no value (failed, not run, or empty metric).
    """
    design = res.design
    summary = res.summary[["run", metric]]
    merged = design[["point", "run"]].merge(summary, on="run", how="left")
    missing = merged[metric].isna()
    if missing.any():
        n_failed = int((res.runs["status"] == "failed").sum())
        raise InputError(
            f"{int(missing.sum())} of {len(merged)} runs of the design have no value of "
            f"{metric} ({n_failed} failed; others not run yet, or the metric is empty for "
            "them, as overtake months are when nobody overtakes); the indices need a value "
            "for every point: finish the sweep, or choose another --metric"
        )
    y = merged.groupby("point", sort=True)[metric].mean()
    values: np.ndarray = y.to_numpy(dtype=float)
    if np.nanstd(values) == 0:
        raise InputError(
            f"{metric} is the same ({values[0]:.6g}) at every design point; nothing to attribute"
        )
    return values


def _problem(res: SweepResult, kind: str) -> dict[str, Any]:
    design = res.manifest["design"]
    if design["kind"] != kind:
        raise InputError(
            f"{res.path}: the sweep used --design {design['kind']}; "
            f"--method {kind} needs a sweep made with --design {kind}"
        )
    params = [
        Param(key=p["key"], spec=p["spec"], bounds=tuple(p["bounds"]))  # type: ignore[arg-type]
        for p in design["params"]
    ]
    from sim.sweep.design import salib_problem

    return salib_problem(params)


def sobol_indices(
    res: SweepResult,
    metric: str | None = None,
    *,
    conf_level: float = 0.95,
    num_resamples: int = 200,
) -> pd.DataFrame:
    """First-order and total Sobol' indices of ``metric``.

    Returns:
        One row per parameter: ``S1``, ``S1_conf``, ``ST``, ``ST_conf`` (the conf
        columns are half-widths of the ``conf_level`` bootstrap intervals).
    """
    from SALib.analyze import sobol

    metric = check_metric(res, metric)
    problem = _problem(res, "sobol")
    y = point_outcomes(res, metric)
    expected = res.manifest["design"]["samples"] * (problem["num_vars"] + 2)
    if len(y) != expected:
        raise InputError(
            f"{res.path}: the design has {len(y)} points, expected {expected} for a Sobol' "
            "design; was the design changed?"
        )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        si = sobol.analyze(
            problem,
            y,
            calc_second_order=False,
            conf_level=conf_level,
            num_resamples=num_resamples,
            seed=int(res.manifest["root_seed"]) % (2**32),
        )
    df = pd.DataFrame(
        {
            "parameter": problem["names"],
            "S1": si["S1"],
            "S1_conf": si["S1_conf"],
            "ST": si["ST"],
            "ST_conf": si["ST_conf"],
        }
    )
    df.attrs.update(metric=metric, method="sobol", conf_level=conf_level, points=len(y))
    df.attrs.update(_figure_labels(res))
    return df


def morris_indices(
    res: SweepResult,
    metric: str | None = None,
    *,
    conf_level: float = 0.95,
    num_resamples: int = 200,
) -> pd.DataFrame:
    """Morris elementary effects of ``metric``.

    Returns:
        One row per parameter: ``mu``, ``mu_star``, ``sigma``, ``mu_star_conf``.
    """
    from SALib.analyze import morris

    metric = check_metric(res, metric)
    problem = _problem(res, "morris")
    y = point_outcomes(res, metric)
    keys = problem["names"]
    x = res.design.drop_duplicates("point").sort_values("point")[keys].to_numpy(dtype=float)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        si = morris.analyze(
            problem,
            x,
            y,
            num_resamples=num_resamples,
            conf_level=conf_level,
            num_levels=int(res.manifest["design"]["levels"]),
            seed=int(res.manifest["root_seed"]) % (2**32),
        )
    df = pd.DataFrame(
        {
            "parameter": keys,
            "mu": np.asarray(si["mu"], dtype=float),
            "mu_star": np.asarray(si["mu_star"], dtype=float),
            "sigma": np.asarray(si["sigma"], dtype=float),
            "mu_star_conf": np.asarray(si["mu_star_conf"], dtype=float),
        }
    )
    df.attrs.update(metric=metric, method="morris", conf_level=conf_level, points=len(y))
    df.attrs.update(_figure_labels(res))
    return df


def to_ema(
    res: SweepResult,
    *,
    outcomes: Sequence[str] | None = None,
    timeseries: Sequence[tuple[str, str]] = (),
) -> tuple[pd.DataFrame, dict[str, np.ndarray]]:
    """The results as EMA Workbench's ``(experiments, outcomes)``.

    Args:
        res: The sweep's results.
        outcomes: Summary columns to export (default: every numeric one).
        timeseries: ``(patron, target)`` pairs whose influence over time is exported as
            ``(runs, months)`` arrays named ``influence.<patron>.<target>``.

    Returns:
        ``experiments``: one row per finished run, a column per swept parameter plus
        ``scenario`` (the run key), ``policy`` and ``model``, as EMA's
        ``perform_experiments`` returns them; ``outcomes``: name -> numpy array, rows in
        the same order. Failed runs are left out (EMA has no place for them).
    """
    keys = res.param_keys
    summary = res.summary.sort_values(["point", "replicate"]).reset_index(drop=True)
    experiments = summary[keys].copy()
    for k in keys:
        if res.manifest["param_kinds"][k] == "string":
            experiments[k] = experiments[k].astype("category")
    experiments["scenario"] = summary["run"].to_numpy()
    experiments["policy"] = "none"
    experiments["model"] = "greatgame"
    cols = list(outcomes) if outcomes is not None else metric_columns(res)
    for c in cols:
        check_metric(res, c)
    out: dict[str, np.ndarray] = {c: summary[c].to_numpy(dtype=float) for c in cols}
    for patron, target in timeseries:
        ts = res.timeseries(patron=patron, target=target, columns=["influence"])
        if ts.empty:
            raise InputError(
                f"no time series for patron {patron!r} and target {target!r}; expected names "
                f"from {res.manifest['structure']['patrons']} and "
                f"{res.manifest['structure']['actors']}"
            )
        wide = ts.pivot(index="run", columns="month", values="influence")
        out[f"influence.{patron}.{target}"] = wide.reindex(summary["run"]).to_numpy(dtype=float)
    return experiments, out


__all__ = [
    "check_metric",
    "default_metric",
    "metric_columns",
    "morris_indices",
    "point_outcomes",
    "sobol_indices",
    "to_ema",
]
