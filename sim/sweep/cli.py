"""``greatgame sweep``, ``greatgame plot``, ``greatgame analyze``: thin commands over the library.

:func:`register` adds them to the ``greatgame`` Typer app (``sim.cli``). Heavy
imports happen inside the commands, so ``greatgame --help`` stays fast.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from sim.errors import InputError
from sim.options import AllowExtendsOpt

out_console = Console(width=None if sys.stdout.isatty() else 120)
err_console = Console(stderr=True)

SWEEP_EPILOG = (
    "Examples:\n\n\b\n"
    "  greatgame sweep central_asia_2016 \\\n"
    "      patrons.China.budget=150,200,250 'parameters.decisiveness=range(0.5,2.1,0.5)' \\\n"
    "      --replicates 10 --months 60 --out out/budget\n\n\b\n"
    "  greatgame sweep central_asia_2016 \\\n"
    "      'patrons.China.budget=uniform(100,300)' 'patrons.Russia.attention=uniform(0.3,1)' \\\n"
    "      --design sobol --samples 256 --record yearly --out out/sobol\n\n\b\n"
    "  greatgame sweep central_asia_2016 patrons.China.budget=150,250 \\\n"
    "      --replicates 100 --dry-run\n\n"
    "Parameters: key.path=v1,v2 | key.path=range(a,b[,step]) (b excluded) | "
    "key.path=linspace(a,b,n) | key.path=uniform(lo,hi) (lhs, sobol, morris). Key paths are "
    "those of --set. Running the same command again resumes: finished runs are skipped, and a "
    "wider design runs only its new points. Dask: --dask starts a local cluster of --workers; "
    "--scheduler tcp://host:8786 (or DASK_SCHEDULER_ADDRESS) uses a running one."
)
PLOT_EPILOG = (
    "Examples:\n\n\b\n"
    "  greatgame plot out/budget --target Tajikistan --target Afghanistan \\\n"
    "      --by patrons.China.budget\n\n\b\n"
    "  greatgame plot out/budget --metric final_influence.China.Tajikistan \\\n"
    "      --by patrons.China.budget,parameters.decisiveness\n\n\b\n"
    "  greatgame plot out/budget --kind tornado --metric regional_index.China.gdp_weighted\n\n"
    "Kinds: fan (influence over time, median and 50%/90% bands; the default without --metric), "
    "heatmap (a metric over two swept parameters; the default with --metric and two --by keys), "
    "tornado (one-at-a-time effects of every swept parameter; the default with --metric alone)."
)
ANALYZE_EPILOG = (
    "Examples:\n\n\b\n"
    "  greatgame analyze out/sobol --method sobol --metric regional_index.China.gdp_weighted\n\n"
    "\b\n  greatgame analyze out/morris --method morris --json\n\n"
    "Sobol' needs a sweep made with --design sobol, Morris one made with --design morris. "
    "Metrics are the numeric columns of RESULTS/summary (e.g. final_influence.China.Tajikistan)."
)


def _split(values: list[str] | None) -> list[str]:
    out: list[str] = []
    for v in values or []:
        out += [x.strip() for x in v.split(",") if x.strip()]
    return out


def sweep_command(
    scenario: Annotated[
        Path, typer.Argument(help="Scenario YAML file (or a shipped scenario's name) to sweep.")
    ],
    params: Annotated[
        list[str] | None,
        typer.Argument(
            help="Swept parameters: key.path=v1,v2 | range(a,b,step) | linspace(a,b,n) | "
            "uniform(lo,hi).",
            show_default=False,
        ),
    ] = None,
    replicates: Annotated[int, typer.Option("--replicates", "-r", help="Runs per point.")] = 1,
    design: Annotated[str, typer.Option(help="grid, lhs, sobol or morris.")] = "grid",
    samples: Annotated[
        int | None,
        typer.Option(help="lhs: points; sobol: base samples (a power of 2); morris: trajectories."),
    ] = None,
    levels: Annotated[int, typer.Option(help="Morris grid levels (even).")] = 4,
    seed: Annotated[
        int | None, typer.Option(help="Root seed (default: the scenario's seed).")
    ] = None,
    workers: Annotated[
        int | None, typer.Option(help="Worker processes (default: the cores available).")
    ] = None,
    dask: Annotated[bool, typer.Option("--dask", help="Run on a local Dask cluster.")] = False,
    scheduler: Annotated[
        str | None,
        typer.Option(help="Address of a running Dask scheduler, e.g. tcp://host:8786."),
    ] = None,
    chunk_size: Annotated[
        int | None, typer.Option(help="Runs per ensemble (default: automatic, <= 256).")
    ] = None,
    record: Annotated[
        str, typer.Option(help="Time-series cadence: monthly, yearly or final.")
    ] = "monthly",
    months: Annotated[
        int | None, typer.Option(help="Months per run (default: the scenario's).")
    ] = None,
    set_: Annotated[
        list[str] | None,
        typer.Option("--set", help="A fixed override for every run, key.path=value (repeatable)."),
    ] = None,
    out: Annotated[
        Path | None, typer.Option(help="Results directory (default: out/sweep-<scenario>).")
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Count the runs and estimate the time; run nothing.")
    ] = False,
    retry_failed: Annotated[
        bool, typer.Option("--retry-failed", help="Run again the runs recorded as failed.")
    ] = False,
    crn: Annotated[
        bool,
        typer.Option(
            "--crn",
            help="Common random numbers: replicate r of every point draws the same random "
            "numbers (less noise when comparing points).",
        ),
    ] = False,
    allow_extends: AllowExtendsOpt = None,
) -> None:
    """Run a scenario over a design of parameter values, in parallel, into Parquet files."""
    from sim.sweep import RichProgress, plan, run_sweep
    from sim.sweep.executors import announce_env_scheduler, make_executor

    if dask and scheduler:
        raise InputError("give either --dask (a local cluster) or --scheduler ADDRESS, not both")
    if workers is not None and workers < 1:
        raise InputError(f"--workers must be >= 1, got {workers}")
    env_address = os.environ.get("DASK_SCHEDULER_ADDRESS") if workers is None else None
    env_dask = bool(env_address) and not dask and not scheduler
    ex = None
    if not dry_run and not (dask or scheduler or env_dask) and workers != 1:
        ex = make_executor("processes", workers=workers)  # its workers start while we plan
    try:
        p = plan(
            scenario,
            params or [],
            design=design,
            samples=samples,
            replicates=replicates,
            levels=levels,
            seed=seed,
            set=set_ or [],
            months=months,
            record=record,
            out=out,
            workers=workers,
            chunk_size=chunk_size,
            retry_failed=retry_failed,
            crn=crn,
            estimate=dry_run,
            allow_extends=allow_extends,
        )
        if dry_run:
            out_console.print(p.describe(), highlight=False, soft_wrap=True)
            if env_dask and env_address:
                announce_env_scheduler(env_address)
            return
        err_console.print(p.describe(), highlight=False, soft_wrap=True)
        if ex is None and p.todo:
            ex = make_executor(
                "dask" if (dask or scheduler) else None, workers=workers, scheduler=scheduler
            )
        if ex is not None:
            err_console.print(f"executor: {ex.name}, {ex.workers} workers", highlight=False)
        with RichProgress(f"sweep {p.scenario.name}") as bar:
            stats = run_sweep(p, executor=ex, progress=bar, warn=_warn)
    except BaseException:
        if ex is not None:
            ex.close(cancel=True)
        raise
    if ex is not None:
        ex.close()
    _print_stats(p, stats)


def _warn(message: str) -> None:
    err_console.print(f"warning: {message}", highlight=False, markup=False, soft_wrap=True)


def _print_stats(p: Any, stats: Any) -> None:
    from sim.sweep import load_results

    res = load_results(p.out)
    runs = res.runs
    n_failed = int((runs["status"] == "failed").sum())
    t = Table(title=f"sweep {p.scenario.name} -> {p.out}", title_justify="left")
    t.add_column("runs in design", justify="right")
    t.add_column("done before", justify="right")
    t.add_column("run now", justify="right")
    t.add_column("failed (all)", justify="right")
    t.add_column("time", justify="right")
    t.add_column("runs/s", justify="right")
    t.add_row(
        str(p.n_runs),
        str(stats.runs_done_before),
        str(stats.runs_run),
        str(n_failed),
        f"{stats.seconds:.1f} s",
        f"{stats.runs_per_second:.0f}" if stats.runs_run else "-",
    )
    out_console.print(t)
    if n_failed:
        errors = runs.loc[runs["status"] == "failed", "error"].value_counts().head(5)
        for msg, n in errors.items():
            err_console.print(f"  {n} run(s) failed: {msg}", highlight=False, markup=False)
        err_console.print(
            f"failed runs are listed in {p.out}/runs (status 'failed', with their error)",
            highlight=False,
        )


def plot_command(
    results: Annotated[Path, typer.Argument(help="A sweep's results directory.")],
    metric: Annotated[
        str | None, typer.Option(help="A numeric column of the summary table.")
    ] = None,
    by: Annotated[
        list[str] | None,
        typer.Option(help="Swept parameter(s) to break down by (k or k1,k2; repeatable)."),
    ] = None,
    kind: Annotated[str, typer.Option(help="auto, fan, heatmap or tornado.")] = "auto",
    patron: Annotated[
        list[str] | None, typer.Option(help="Patron(s) of the fan chart (repeatable).")
    ] = None,
    target: Annotated[
        list[str] | None, typer.Option(help="Target(s) of the fan chart (repeatable).")
    ] = None,
    out: Annotated[
        Path | None, typer.Option(help="PNG file (default: RESULTS/plot-<kind>.png).")
    ] = None,
) -> None:
    """Figures of a sweep: fan charts of influence, heatmaps, tornado charts."""
    import matplotlib

    matplotlib.use("Agg")
    from sim.sweep import load_results
    from sim.sweep.plots import fan_chart, heatmap, tornado

    res = load_results(results)
    keys = _split(by)
    if kind == "auto":
        kind = "fan" if metric is None else ("heatmap" if len(keys) == 2 else "tornado")
    if kind == "fan":
        if len(keys) > 1:
            raise InputError(f"a fan chart breaks down by one parameter; got --by {keys}")
        fig = fan_chart(
            res,
            patrons=_split(patron) or None,
            targets=_split(target) or None,
            by=keys[0] if keys else None,
        )
    elif kind == "heatmap":
        fig = heatmap(res, metric, by=keys or None)
    elif kind == "tornado":
        fig = tornado(res, metric)
    else:
        raise InputError(f"--kind must be auto, fan, heatmap or tornado, got {kind!r}")
    path = out or res.path / f"plot-{kind}.png"
    _save(fig, path)
    out_console.print(f"wrote {path}", highlight=False)


def _save(fig: Any, path: Path) -> None:
    import matplotlib.pyplot as plt

    from sim.safeio import check_output_dir, written_atomically

    if path.suffix.lower() not in (".png", ".pdf", ".svg"):
        raise InputError(f"--out {path}: expected a .png, .pdf or .svg file name")
    check_output_dir(path.parent)
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        with written_atomically(path) as tmp:
            fig.savefig(tmp, dpi=130, format=path.suffix.lower().lstrip("."))
    finally:
        plt.close(fig)


def analyze_command(
    results: Annotated[Path, typer.Argument(help="A sweep's results directory.")],
    method: Annotated[str, typer.Option(help="sobol or morris.")] = "sobol",
    metric: Annotated[
        str | None,
        typer.Option(help="A numeric summary column (default: the challenger's regional index)."),
    ] = None,
    out: Annotated[
        Path | None, typer.Option(help="Bar chart file (default: RESULTS/<method>-<metric>.png).")
    ] = None,
    json_: Annotated[bool, typer.Option("--json", help="Print the indices as JSON.")] = False,
) -> None:
    """Sensitivity indices of a sweep (SALib): Sobol' S1/ST or Morris mu*/sigma."""
    import matplotlib

    matplotlib.use("Agg")
    from sim.sweep import load_results
    from sim.sweep.analysis import morris_indices, sobol_indices
    from sim.sweep.plots import indices_bar

    res = load_results(results)
    if method == "sobol":
        df = sobol_indices(res, metric)
    elif method == "morris":
        df = morris_indices(res, metric)
    else:
        raise InputError(f"--method must be sobol or morris, got {method!r}")
    metric = str(df.attrs["metric"])
    if json_:
        sys.stdout.write(
            json.dumps(
                {"method": method, "metric": metric, "indices": df.to_dict(orient="records")},
                indent=2,
            )
            + "\n"
        )
    else:
        t = Table(
            title=f"{method.capitalize()} indices of {metric} ({df.attrs['points']} points, "
            f"{df.attrs['conf_level']:.0%} intervals)",
            title_justify="left",
        )
        t.add_column("parameter")
        if method == "sobol":
            for c in ("S1", "S1 ±", "ST", "ST ±"):
                t.add_column(c, justify="right")
            for r in df.itertuples(index=False):
                t.add_row(
                    r.parameter,
                    f"{r.S1:.3f}",
                    f"{r.S1_conf:.3f}",
                    f"{r.ST:.3f}",
                    f"{r.ST_conf:.3f}",
                )
        else:
            for c in ("mu", "mu*", "mu* ±", "sigma"):
                t.add_column(c, justify="right")
            for r in df.itertuples(index=False):
                t.add_row(
                    r.parameter,
                    f"{r.mu:.4g}",
                    f"{r.mu_star:.4g}",
                    f"{r.mu_star_conf:.4g}",
                    f"{r.sigma:.4g}",
                )
        out_console.print(t)
    path = out or res.path / f"{method}-{metric}.png"
    _save(indices_bar(df), path)
    err_console.print(f"wrote {path}", highlight=False)


def register(app: typer.Typer) -> None:
    """Add ``sweep``, ``plot`` and ``analyze`` to the ``greatgame`` app."""
    app.command(name="sweep", epilog=SWEEP_EPILOG)(sweep_command)
    app.command(name="plot", epilog=PLOT_EPILOG)(plot_command)
    app.command(name="analyze", epilog=ANALYZE_EPILOG)(analyze_command)


__all__ = ["analyze_command", "plot_command", "register", "sweep_command"]
