"""Scenario sweeps at scale: designs, parallel ensembles, resumable Parquet results.

A sweep runs a scenario over a design of parameter values (grid, Latin
hypercube, Sobol', Morris) with replicates. Chunks of runs advance together as
one ensemble of the model (its run axis), in this process, a local process
pool or on Dask; results land chunk by chunk in a directory of Parquet files
that survives a crash and resumes where it stopped.

Example (a notebook or a script; nothing hangs, no ``__main__`` guard needed)::

    from sim.sweep import sweep

    res = sweep(
        "scenarios/central_asia_2016.yaml",
        {"patrons.China.budget": [150, 200, 250], "parameters.decisiveness": "range(0.5,2.1,0.5)"},
        replicates=5,
        months=60,
        out="out/budget-sweep",
    )
    res.summary          # one row per run: parameters + key figures (pandas)
    res.timeseries(patron="China", target="Tajikistan")
    res.fan_chart(targets=["Tajikistan"], by="patrons.China.budget")

Once imported, the package is also callable: ``import sim.sweep; sim.sweep(...)``.
See ``docs/sweeps.md`` for the command line (``greatgame sweep``, ``plot``, ``analyze``).
"""

from __future__ import annotations

import sys
import types
from collections.abc import Callable, Mapping, Sequence
from functools import cached_property
from pathlib import Path
from typing import Any

import pandas as pd

from sim.errors import InputError, shorten
from sim.scenario import Scenario
from sim.sweep.design import Param, check_value, parse_param, run_seed
from sim.sweep.executors import Executor
from sim.sweep.runner import RichProgress, SweepPlan, SweepStats, plan, run_sweep
from sim.sweep.store import ResultsStore

ParamsLike = Sequence[str | Param] | Mapping[str, Any]


def _params(params: ParamsLike) -> list[str | Param]:
    """Accept ``["key=spec", ...]`` or ``{"key": [values] | "spec" | Param}``."""
    if isinstance(params, str):
        return [params]
    if not isinstance(params, Mapping):
        return list(params)
    out: list[str | Param] = []
    for key, spec in params.items():
        if isinstance(spec, Param):
            out.append(spec)
        elif isinstance(spec, str):
            out.append(parse_param(f"{key}={spec}"))
        elif isinstance(spec, Sequence) or hasattr(spec, "__iter__"):
            values = list(spec)
            bad = [v for v in values if not isinstance(v, bool | int | float | str)]
            if not values or bad:
                raise InputError(
                    f"sweep parameter {key}: expected a non-empty list of numbers, words or "
                    f"true/false, got {shorten(repr(values))}"
                )
            p = parse_param(f"{key}=0")  # checks the key's form
            vals = tuple(
                check_value(v.item() if hasattr(v, "item") else v, f"sweep parameter {key}")
                for v in values
            )
            if len(set(map(repr, vals))) != len(vals):
                raise InputError(
                    f"sweep parameter {key}: the values {shorten(repr(values))} repeat"
                )
            out.append(Param(key=p.key, spec=",".join(map(str, vals)), values=vals))
        else:
            raise InputError(
                f"sweep parameter {key}: expected a list of values or a spec such as "
                f"'uniform(0.5,2)', got {shorten(repr(spec))}"
            )
    return out


class SweepResult:
    """A sweep's results directory, read as pandas DataFrames.

    Args:
        path: The results directory.
        all_runs: Include runs of earlier designs kept in the directory (default: only
            the runs of the current design).
        stats: What the sweep call did (set by :func:`sweep`).
    """

    def __init__(
        self, path: str | Path, *, all_runs: bool = False, stats: SweepStats | None = None
    ) -> None:
        self.store = ResultsStore(path)
        self.path = self.store.path
        self.manifest: dict[str, Any] = self.store.manifest()
        self.stats = stats
        self._all = all_runs

    def __repr__(self) -> str:
        runs = self.runs
        ok = int((runs["status"] == "ok").sum()) if len(runs) else 0
        return (
            f"<SweepResult {self.path}: {len(runs)} runs ({ok} ok, {len(runs) - ok} failed), "
            f"design {self.manifest['design']['kind']} over {self.param_keys}>"
        )

    # ------------------------------------------------------------------ tables
    @property
    def param_keys(self) -> list[str]:
        """The swept key paths."""
        return list(self.manifest["param_kinds"])

    @cached_property
    def design(self) -> pd.DataFrame:
        """The current design: point, replicate, run, parameters (sample order)."""
        return pd.read_parquet(self.path / "design.parquet")

    def _keys(self) -> list[int] | None:
        return None if self._all else self.design["run"].drop_duplicates().tolist()

    @cached_property
    def runs(self) -> pd.DataFrame:
        """One row per run done: key, design point, replicate, parameters, seed, status, error.

        Sorted by design point and replicate.
        """
        df = self.store.read("runs")
        points = self.design[["run", "point"]].drop_duplicates("run")
        df = df.merge(points, on="run", how="inner" if not self._all else "left")
        df = df.sort_values(["point", "replicate", "run"], na_position="last")
        cols = ["run", "point", *[c for c in df.columns if c not in ("run", "point")]]
        return df[cols].reset_index(drop=True)

    @property
    def failed(self) -> pd.DataFrame:
        """The failed runs, with their errors."""
        return self.runs[self.runs["status"] == "failed"].reset_index(drop=True)

    @cached_property
    def summary(self) -> pd.DataFrame:
        """One row per finished run: run, point, replicate, parameters, then the key figures."""
        s = self.store.read("summary")
        if not self._all:
            s = s[s["run"].isin(self.design["run"])]
        cols = ["run", "point", "replicate", *self.param_keys]
        return self.runs[cols].merge(s, on="run", how="inner").reset_index(drop=True)

    def timeseries(
        self,
        *,
        patron: str | Sequence[str] | None = None,
        target: str | Sequence[str] | None = None,
        runs: Sequence[int] | None = None,
        columns: Sequence[str] | None = None,
        with_params: bool = False,
    ) -> pd.DataFrame:
        """The time series (run, month, date, patron, target, values), filtered while reading.

        ``date`` is the first day of the month (``datetime64[ns]``), as in ``greatgame run``'s
        frames; it is computed from the sweep's start month, not stored.

        Args:
            patron: Only these patrons.
            target: Only these targets.
            runs: Only these run keys (default: the runs of the current design).
            columns: Value columns to read (default all).
            with_params: Add the swept parameters (and replicate) as columns.
        """
        import pyarrow.dataset as ds

        expr = None
        for name, val in (("patron", patron), ("target", target)):
            if val is None:
                continue
            vals = [val] if isinstance(val, str) else list(val)
            e = ds.field(name).isin(vals)
            expr = e if expr is None else expr & e
        cols = None
        if columns is not None:
            cols = ["month", "patron", "target", *[c for c in columns if c not in ("run",)]]
            cols = list(dict.fromkeys(cols))
        keys = list(runs) if runs is not None else self._keys()
        df = self.store.read("timeseries", columns=cols, filter=expr, runs=keys)
        if "month" in df.columns:
            from sim.records import month_dates

            start = self.manifest["scenario"]["start"]
            df.insert(df.columns.get_loc("month") + 1, "date", month_dates(start, df["month"]))
        if with_params:
            df = df.merge(self.runs[["run", "replicate", *self.param_keys]], on="run", how="left")
        return df

    # ------------------------------------------------------------------ one run again
    def rerun(self, run: int, *, record: str = "monthly") -> Any:
        """Run one run of the sweep again, alone, with full records: an InfluenceModel.

        The run's scenario is the sweep's with the run's parameter values, and its seed
        is the same ``SeedSequence``, so its numbers equal the sweep's.
        """
        from sim.model import InfluenceModel
        from sim.scenario import apply_overrides, validate_data
        from sim.sweep.design import overrides_for

        row = self.runs[self.runs["run"] == run]
        if row.empty:
            raise InputError(f"run {run} is not in {self.path}; expected a key of the runs table")
        design = self.design[self.design["run"] == run]
        params = self._point_values(design, row)
        sc = validate_data(apply_overrides(self.store.scenario_data(), overrides_for(params)))
        replicate = int(row["replicate"].iloc[0])
        seed_key = replicate if self.manifest.get("crn") else run
        model = InfluenceModel(
            sc, seeds=[run_seed(self.manifest["root_seed"], seed_key)], record=record
        )
        model.run()
        return model

    def _point_values(self, design: pd.DataFrame, row: pd.DataFrame) -> dict[str, Any]:
        """Typed parameter values of a run (ints stay ints, as in the design's specs)."""
        out: dict[str, Any] = {}
        specs = {p["key"]: p for p in self.manifest["design"]["params"]}
        src = design.iloc[0] if not design.empty else row.iloc[0]
        for k in self.param_keys:
            v = src[k]
            values = specs[k].get("values") or []
            match = [x for x in values if x == v and type(x) is not bool] or [
                x for x in values if x == v
            ]
            out[k] = match[0] if match else (v.item() if hasattr(v, "item") else v)
        return out

    # ------------------------------------------------------------------ analysis and figures
    def sobol(self, metric: str | None = None, **kw: Any) -> pd.DataFrame:
        """Sobol' indices (S1, ST with confidence intervals) of a summary metric."""
        from sim.sweep.analysis import sobol_indices

        return sobol_indices(self, metric, **kw)

    def morris(self, metric: str | None = None, **kw: Any) -> pd.DataFrame:
        """Morris elementary effects (mu, mu*, sigma, mu* confidence) of a summary metric."""
        from sim.sweep.analysis import morris_indices

        return morris_indices(self, metric, **kw)

    def to_ema(self, **kw: Any) -> tuple[pd.DataFrame, dict[str, Any]]:
        """``(experiments, outcomes)`` in EMA Workbench's form (see :func:`analysis.to_ema`)."""
        from sim.sweep.analysis import to_ema

        return to_ema(self, **kw)

    def fan_chart(self, **kw: Any) -> Any:
        """Influence over time: median and 50%/90% bands across runs (see :mod:`.plots`)."""
        from sim.sweep.plots import fan_chart

        return fan_chart(self, **kw)

    def heatmap(self, metric: str | None = None, by: Sequence[str] | None = None) -> Any:
        """Mean of a summary metric over two swept parameters."""
        from sim.sweep.plots import heatmap

        return heatmap(self, metric, by=by)

    def tornado(self, metric: str | None = None) -> Any:
        """One-at-a-time effects of each swept parameter on a summary metric."""
        from sim.sweep.plots import tornado

        return tornado(self, metric)


def load_results(path: str | Path, *, all_runs: bool = False) -> SweepResult:
    """Open a sweep's results directory (see :class:`SweepResult`)."""
    return SweepResult(path, all_runs=all_runs)


def sweep(
    scenario: Scenario | str | Path | None = None,
    params: ParamsLike = (),
    *,
    design: str = "grid",
    samples: int | None = None,
    replicates: int = 1,
    levels: int = 4,
    seed: int | None = None,
    set: Sequence[str] = (),
    months: int | None = None,
    record: str = "monthly",
    out: str | Path | None = None,
    workers: int | None = None,
    executor: str | Executor | None = None,
    scheduler: str | None = None,
    client: Any = None,
    chunk_size: int | None = None,
    retry_failed: bool = False,
    crn: bool = False,
    hooks: Sequence[Callable[..., None]] = (),
    progress: bool | Callable[[int, int, int], None] = True,
    start_method: str | None = None,
    allow_extends: Sequence[str | Path] | None = None,
) -> SweepResult:
    """Run a sweep (resuming any earlier one in ``out``) and return its results.

    Args:
        scenario: A path to a scenario YAML file (default: the article's), or a Scenario.
        params: ``["key=SPEC", ...]`` or ``{"key": [v1, v2] | "range(a,b,step)" |
            "uniform(lo,hi)"}`` (see :mod:`sim.sweep.design`).
        design: ``grid``, ``lhs``, ``sobol`` or ``morris``.
        samples: lhs points; sobol base samples (a power of 2); morris trajectories.
        replicates: Runs per design point.
        levels: Morris levels.
        seed: Root seed (default: the scenario's ``seed``).
        set: Fixed ``key.path=value`` overrides for every run.
        months: Months per run (default: the scenario's).
        record: Time-series cadence: ``monthly``, ``yearly`` or ``final``.
        out: Results directory (default ``out/sweep-<scenario name>``).
        workers: Parallel workers (default: the cores available).
        executor: ``serial``, ``processes`` or ``dask`` (default: processes, or dask when a
            scheduler, client or ``DASK_SCHEDULER_ADDRESS`` is given), or an
            :class:`~sim.sweep.executors.Executor` to use (and leave open: one process
            pool can serve several sweeps).
        scheduler: A Dask scheduler address (``tcp://host:8786``).
        client: A ``distributed.Client`` to run on.
        chunk_size: Runs per ensemble (default: about eight chunks per worker, 64 to 256).
        retry_failed: Run the runs recorded as failed again.
        crn: Common random numbers: replicate r of every point gets the same seed (see
            :mod:`sim.sweep.design`); fixed for a results directory.
        hooks: Per-month model hooks (picklable module-level functions ``hook(model, month)``).
        progress: Show a progress bar (stderr or the notebook), or a callback
            ``progress(done, total, failed)``.
        start_method: The process pool's start method (default: see
            :func:`sim.sweep.executors.start_method_for`).
        allow_extends: More directory trees the scenario's ``extends:`` may read (see
            :func:`sim.scenario.extends_roots`).

    Returns:
        The :class:`SweepResult` (its tables are pandas DataFrames).

    Raises:
        InputError: bad parameters or design, before anything runs.
    """
    from sim.sweep.executors import Executor, SerialExecutor, check_not_bootstrapping, make_executor

    check_not_bootstrapping()
    p = plan(
        scenario,
        _params(params),
        design=design,
        samples=samples,
        replicates=replicates,
        levels=levels,
        seed=seed,
        set=set,
        months=months,
        record=record,
        out=out,
        workers=workers,
        chunk_size=chunk_size,
        retry_failed=retry_failed,
        crn=crn,
        allow_extends=allow_extends,
    )
    own = not isinstance(executor, Executor)
    ex = executor if isinstance(executor, Executor) else None
    if own and p.todo:
        ex = (
            SerialExecutor()
            if executor == "serial"
            else make_executor(
                executor,  # type: ignore[arg-type]
                workers=workers,
                scheduler=scheduler,
                client=client,
                start_method=start_method,
            )
        )
    try:
        if callable(progress):
            stats = run_sweep(p, executor=ex, hooks=hooks, progress=progress)
        elif progress:
            with RichProgress(f"sweep {p.scenario.name}") as bar:
                stats = run_sweep(p, executor=ex, hooks=hooks, progress=bar)
        else:
            stats = run_sweep(p, executor=ex, hooks=hooks)
    except BaseException:
        if own and ex is not None:
            ex.close(cancel=True)
        raise
    if own and ex is not None:
        ex.close()
    return SweepResult(p.out, stats=stats)


__all__ = [
    "Param",
    "SweepPlan",
    "SweepResult",
    "SweepStats",
    "load_results",
    "parse_param",
    "plan",
    "run_sweep",
    "sweep",
]


class _CallableModule(types.ModuleType):
    """Lets ``import sim.sweep; sim.sweep(...)`` call :func:`sweep` (the issue's spelling)."""

    def __call__(self, *args: Any, **kwargs: Any) -> SweepResult:
        return sweep(*args, **kwargs)


sys.modules[__name__].__class__ = _CallableModule
