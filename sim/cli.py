"""The ``greatgame`` command line (Typer). Thin: every command calls the library.

Every failure prints one line to stderr, without a traceback, and exits with a code that
says whose problem it is (see :mod:`sim.errors`): 1 bad input, 2 an internal error (a bug;
``GREATGAME_DEBUG=1`` prints the traceback), 3 the environment (a full disk, a lost Dask
scheduler), 130 Ctrl-C. Progress and messages go to stderr, results to stdout.
"""

# ruff: noqa: E402  (a Ctrl-C guard is installed before the slow imports)
from __future__ import annotations

import signal
import sys
import threading


def _interrupted_while_starting(signum: int, frame: object) -> None:
    """Ctrl-C while the command line's modules load (a second or so): stop quietly, 130."""
    sys.stderr.write("aborted\n")
    raise SystemExit(130)


# imports below take most of a second (pandas, pyarrow...): a Ctrl-C then must not print a
# traceback of whatever module was loading; the previous handler is back at the end of this file
_STARTUP_SIGINT: object = None
if (
    threading.current_thread() is threading.main_thread()
    and signal.getsignal(signal.SIGINT) is signal.default_int_handler
):
    _STARTUP_SIGINT = signal.signal(signal.SIGINT, _interrupted_while_starting)

import errno
import json
import os
import traceback
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from sim.errors import (
    EXIT_INFRASTRUCTURE,
    EXIT_INPUT,
    EXIT_INTERNAL,
    EXIT_INTERRUPTED,
    GreatGameError,
    InfrastructureError,
    InputError,
    one_line,
    shorten,
)
from sim.options import AllowExtendsOpt

try:  # recent typer vendors click; older ones use the click package
    from typer._click import exceptions as _cx
except ImportError:  # pragma: no cover - depends on the installed typer
    from click import exceptions as _cx  # type: ignore[no-redef]

app = typer.Typer(
    name="greatgame",
    help=(
        "Simulate great-power competition for influence in Central Asia (Mesa).\n\n"
        "Example:  greatgame run --seed 1 --out out/demo"
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)
out_console = Console(width=None if sys.stdout.isatty() else 120)
err_console = Console(stderr=True)

ScenarioArg = Annotated[
    Path | None,
    typer.Argument(
        help=(
            "Scenario YAML file, or the name of a shipped scenario (greatgame scenarios lists "
            "them; default: central_asia_2016, the article's)."
        ),
        show_default=False,
    ),
]
SetOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--set",
        help="Override a scenario value, key.path=value (repeatable): patrons.China.budget=250",
    ),
]


def _scenario_path(path: Path | None) -> Path:
    """The scenario file: the path given, a shipped scenario's name, or the article's."""
    from sim.resources import find_scenario
    from sim.scenario import default_scenario_path

    return find_scenario(path) if path is not None else default_scenario_path()


def _progress() -> Any:
    from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        TimeRemainingColumn(),
        console=err_console,
        transient=True,
        disable=not err_console.is_terminal,
    )


# --------------------------------------------------------------------------- run


@app.command(
    epilog=(
        "Examples:\n\n"
        "  greatgame run --seed 1 --out out/demo\n\n"
        "  greatgame run russia_joins_quartet --months 60 --set patrons.China.budget=250\n\n"
        "  greatgame run my_scenarios/my_region.yaml --out out/mine"
    )
)
def run(
    scenario: ScenarioArg = None,
    seed: Annotated[
        int | None, typer.Option(min=0, help="Random seed >= 0 (default: the scenario's).")
    ] = None,
    months: Annotated[
        int | None, typer.Option(min=1, help="Months to simulate (default: the scenario's).")
    ] = None,
    set_: SetOpt = None,
    out: Annotated[
        Path | None, typer.Option(help="Output directory (default: out/<scenario name>).")
    ] = None,
    record: Annotated[
        str, typer.Option(help="Record cadence: monthly, yearly or final.")
    ] = "monthly",
    figures: Annotated[bool, typer.Option(help="Write the PNG figures.")] = True,
    runs: Annotated[
        int,
        typer.Option(
            min=1,
            help="Runs of an ensemble, seeds SEED..SEED+RUNS-1: the figures draw bands over them "
            "(the summary is run 0's).",
        ),
    ] = 1,
    posterior: Annotated[
        Path | None,
        typer.Option(
            help="A calibration's posterior.parquet (or a shipped name, central_asia): each run "
            "draws its own parameter set from it, so bands show parameter uncertainty too."
        ),
    ] = None,
    allow_extends: AllowExtendsOpt = None,
) -> None:
    """Run a scenario: print a summary, write time series, summary.json and figures."""
    import matplotlib

    matplotlib.use("Agg")
    from sim import api
    from sim.safeio import check_output_dir

    if record not in ("monthly", "yearly", "final"):
        raise InputError(f"--record must be monthly, yearly or final, got {record!r}")
    sc = api.load(_scenario_path(scenario), set=set_ or [], allow_extends=allow_extends)
    out_dir = out or Path("out") / sc.name
    check_output_dir(out_dir)  # before the simulation, not after it
    n_months = months or sc.months
    first = sc.seed if seed is None else seed
    with _progress() as progress:
        task = progress.add_task(f"running {sc.name}", total=n_months)
        result = api.run(
            sc,
            seed=list(range(first, first + runs)) if runs > 1 else first,
            months=months,
            record=record,
            progress=lambda m: progress.update(task, completed=m),
            posterior=posterior,
        )
    try:
        written = result.save(out_dir, figures=figures)
    except OSError as e:
        e.filename = e.filename or str(out_dir)  # where, when the writer does not say
        raise
    result.close()  # free the figures (matters when main() runs in a long-lived process)
    _print_summary(result.summary)
    err_console.print(f"wrote {len(written)} files to {out_dir}/")


def _print_summary(s: dict[str, Any]) -> None:
    from sim.records import month_label

    rivalry = s.get("rivalry") or ["-", "-"]
    table = Table(
        title=f"{s['scenario']} (seed {s['seed']}, {s['months']} months, to {s['date']})",
        title_justify="left",
    )
    table.add_column("state")
    table.add_column("dominant patron")
    for p in s["final_influence"]:
        table.add_column(f"{p} share", justify="right")
    table.add_column(f"{rivalry[0]} first ahead of {rivalry[1]}", justify="right")
    region = set(s.get("region") or s["dominant"])
    for state, dom in s["dominant"].items():
        if state not in region:
            continue
        m = s["overtake_month"].get(state)
        table.add_row(
            state,
            dom or "(nobody)",
            *[f"{s['final_influence'][p][state]:.2f}" for p in s["final_influence"]],
            "never" if m is None else f"month {m} ({month_label(s['start'], m)})",
        )
    out_console.print(table)
    blocs = Table(title="Blocs at the end", title_justify="left")
    blocs.add_column("bloc")
    blocs.add_column("size", justify="right")
    blocs.add_column("members")
    for b, n in s["bloc_sizes"].items():
        blocs.add_row(b, str(n), ", ".join(s["bloc_members"][b]))
    out_console.print(blocs)
    if s.get("attribution"):
        from sim.scenario import INSTRUMENTS

        att = Table(
            title=f"What carries each overtake ({rivalry[0]}'s effort then; the overtake "
            "without each instrument in that state, same seed)",
            title_justify="left",
        )
        att.add_column("state")
        att.add_column("month", justify="right")
        for k in INSTRUMENTS:
            att.add_column(k, justify="right")
        att.add_column("driver")
        for state, a in s["attribution"].items():
            cells = []
            for k in INSTRUMENTS:
                without = a["month_without"][k]
                shift = "never" if without is None else f"{without - a['month']:+d} mo"
                cells.append(f"{a['effort_shares'][k]:.0%} (without: {shift})")
            att.add_row(state, str(a["month"]), *cells, a["driver"])
        out_console.print(att)
    if s.get("predicted_camps"):
        camps = Table(title="Predicted camps at the end (landscape theory)", title_justify="left")
        camps.add_column("camp of")
        camps.add_column("states")
        for side, members in s["predicted_camps"].items():
            camps.add_row(side, ", ".join(members))
        out_console.print(camps)


# --------------------------------------------------------------------------- validate, schema


@app.command(
    epilog=(
        "Example:\n\n  greatgame validate quartet_expands --set months=60\n\n"
        "Besides errors, it lists the keys that change nothing in this scenario, and why "
        "(a fixed strategy never reads 'value'; a cap no patron comes near)."
    )
)
def validate(
    scenario: Annotated[
        Path, typer.Argument(help="Scenario YAML file (or a shipped scenario's name) to check.")
    ],
    set_: SetOpt = None,
    notes: Annotated[
        bool, typer.Option(help="List the keys that have no effect here (runs the scenario).")
    ] = True,
    allow_extends: AllowExtendsOpt = None,
) -> None:
    """Check a scenario file (and overrides) without running it; list keys with no effect."""
    from sim.model import InfluenceModel
    from sim.scenario import load_scenario

    sc = load_scenario(_scenario_path(scenario), overrides=set_ or [], allow_extends=allow_extends)
    InfluenceModel(sc, seeds=sc.seed)  # builds every array: catches what only a build can see
    out_console.print(
        f"{scenario}: valid scenario {sc.name!r} ({len(sc.actors)} actors, {len(sc.patrons)} "
        f"patrons, {len(sc.blocs)} blocs, {len(sc.events)} events, {sc.months} months; "
        f"hash {sc.content_hash()})"
    )
    if notes:
        from sim.validation import notes as find_notes

        found = find_notes(sc)
        if found:
            out_console.print(f"{len(found)} keys have no effect in this scenario:")
            for n in found:
                out_console.print(f"  {n.key}: {n.reason}", highlight=False, soft_wrap=True)


@app.command(epilog="Example:\n\n  greatgame schema > scenario.schema.json")
def schema() -> None:
    """Print the JSON Schema of scenario files (for editors' completion and checks)."""
    from sim.scenario import json_schema

    sys.stdout.write(json.dumps(json_schema(), indent=2) + "\n")


@app.command(epilog="Examples:\n\n  greatgame rules\n\n  greatgame rules --kind alignment")
def rules(
    kind: Annotated[
        str | None, typer.Option(help="Only 'alignment' rules or 'patron' strategies.")
    ] = None,
) -> None:
    """List the alignment rules and patron strategies, with their literature."""
    from sim.rules import describe_rules

    if kind not in (None, "alignment", "patron"):
        raise InputError(f"--kind must be 'alignment' or 'patron', got {kind!r}")
    table = Table(title="Decision rules", title_justify="left")
    for col in ("kind", "name", "summary", "reference"):
        table.add_column(col, overflow="fold")
    for row in describe_rules():
        if kind is None or row["kind"] == kind:
            table.add_row(row["kind"], row["name"], row["summary"], row["reference"])
    out_console.print(table)


# --------------------------------------------------------------------------- scenarios


@app.command(
    epilog=(
        "Examples:\n\n  greatgame scenarios\n\n  greatgame scenarios --copy my_scenarios\n\n"
        "Any command that takes a scenario file also takes a shipped scenario's name "
        "(greatgame run russia_joins_quartet). Copies are yours to edit; their 'extends' lines "
        "name the copied base beside them."
    )
)
def scenarios(
    copy: Annotated[
        Path | None,
        typer.Option(
            help="Write editable copies of every shipped scenario into this directory "
            "(created if missing; existing files are never overwritten)."
        ),
    ] = None,
) -> None:
    """List the scenarios shipped with greatgame, or copy them to edit."""
    from sim import resources
    from sim.scenario import load_raw

    if copy is not None:
        written = resources.copy_scenarios(copy)
        for path in written:
            out_console.print(str(path))
        err_console.print(
            f"copied {len(written)} scenarios to {copy}/ (run one: greatgame run "
            f"{copy / resources.DEFAULT_SCENARIO})"
        )
        return
    table = Table(title="Shipped scenarios", title_justify="left")
    for col in ("name", "description"):
        table.add_column(col, overflow="fold")
    for path in resources.shipped_scenarios():
        raw = load_raw(path)
        extends = "" if path.name == resources.DEFAULT_SCENARIO else " (a variant of the article's)"
        desc = " ".join(str(raw.get("description") or "").split())
        table.add_row(path.stem, desc + extends)
    out_console.print(table)
    err_console.print(
        f"files in {resources.scenarios_dir()}; run one with `greatgame run NAME`, "
        "or edit copies: `greatgame scenarios --copy DIR`"
    )
    examples = ", ".join(e.name for e in resources.landscape_examples())
    err_console.print(
        f"landscape examples: {examples} (`greatgame landscape --example NAME`); "
        f"facts table: {resources.facts_path()}"
    )


# --------------------------------------------------------------------------- landscape


@app.command(
    epilog=(
        "Examples:\n\n  greatgame landscape --example central_asia_2016 --center 1\n\n"
        "  greatgame landscape --example central_asia_2016 --copy my_landscape\n\n"
        "  greatgame landscape my_landscape/actors.csv my_landscape/propensity.csv "
        "--center 1 --json\n\n"
        "ACTORS.csv has the header 'actor,size'; PROPENSITY.csv is a square matrix whose first "
        "row is 'actor' then the names, each row starting with a name, diagonal cells empty."
    )
)
def landscape(
    actors_csv: Annotated[
        Path | None, typer.Argument(help="CSV with header actor,size.", show_default=False)
    ] = None,
    propensity_csv: Annotated[
        Path | None,
        typer.Argument(help="Square CSV matrix of propensities.", show_default=False),
    ] = None,
    example: Annotated[
        str | None,
        typer.Option(help="Use a shipped example instead of the two files (central_asia_2016)."),
    ] = None,
    copy: Annotated[
        Path | None,
        typer.Option(
            help="With --example: write its files into this directory to edit, instead of "
            "running it (existing files are never overwritten)."
        ),
    ] = None,
    center: Annotated[
        float, typer.Option(help="Subtract this from every off-diagonal propensity (e.g. 3).")
    ] = 0.0,
    json_: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Landscape theory of aggregation (Axelrod & Bennett 1993): every stable two-camp split."""
    from sim.landscape_io import main_landscape

    if example is not None:
        from sim.resources import copy_files, landscape_example

        if actors_csv is not None or propensity_csv is not None:
            raise InputError(
                "--example replaces ACTORS.csv and PROPENSITY.csv; expected either the two "
                "files or --example NAME, not both"
            )
        ex = landscape_example(example)
        if copy is not None:
            for path in copy_files(ex.files(), copy, what="files"):
                out_console.print(str(path))
            err_console.print(
                f"copied the example {ex.name!r} to {copy}/ (run it: greatgame landscape "
                f"{copy / ex.actors.name} {copy / ex.propensity.name})"
            )
            return
        actors_csv, propensity_csv = ex.actors, ex.propensity
        err_console.print(f"{ex.title} (files and sources in {ex.directory})")
    elif copy is not None:
        raise InputError("--copy copies a shipped example; expected it with --example NAME")
    elif actors_csv is None or propensity_csv is None:
        raise InputError(
            "expected two files, ACTORS.csv and PROPENSITY.csv, or --example NAME "
            "(e.g. greatgame landscape --example central_asia_2016 --center 1)"
        )
    main_landscape(actors_csv, propensity_csv, center=center, as_json=json_)


# --------------------------------------------------------------------------- report


@app.command(
    epilog=(
        "Examples:\n\n  greatgame report\n\n  greatgame report --seeds 20 --out out/report\n\n"
        "Runs the article's scenario and every variant beside it (the shipped ones) over the same "
        "seeds and writes report.md with its figures and CSV tables."
    )
)
def report(
    seeds: Annotated[
        int, typer.Option(min=2, help="Seeds per scenario (0..N-1), the same for each.")
    ] = 50,
    out: Annotated[Path, typer.Option(help="Output directory.")] = Path("out/report"),
    base: Annotated[
        Path | None,
        typer.Option(
            help="Base scenario (a file, or a shipped scenario's name); its variants are the "
            "other .yaml files beside it (default: the article's and the shipped variants)."
        ),
    ] = None,
    posterior: Annotated[
        Path | None,
        typer.Option(
            help="A calibration's posterior.parquet (or a shipped name, central_asia): run r of "
            "every scenario draws the same parameter set, so bands show parameter uncertainty."
        ),
    ] = None,
) -> None:
    """Face validity: how each variant moves influence and alignments, with bands over seeds."""
    import matplotlib

    matplotlib.use("Agg")
    from sim.report import discover_variants, gather, run_variants, write_report
    from sim.safeio import check_output_dir

    check_output_dir(out)  # before any run: nothing is lost to a bad path
    paths = discover_variants(base)
    with _progress() as progress:
        task = progress.add_task("scenarios", total=len(paths) + 1)
        results = run_variants(
            paths,
            seeds=range(seeds),
            progress=lambda name: progress.update(task, advance=1, description=name),
            posterior=posterior,
        )
        progress.update(task, description="attribution, response curves, noise")
        found = gather(results)
        progress.update(task, advance=1)
    written = write_report(results, out, findings=found)
    table = Table(
        title="Checks: the directions the mechanisms imply (paired change, 5-95% band)",
        title_justify="left",
    )
    for col in ("verdict", "claim", "measured"):
        table.add_column(col, overflow="fold")
    for c in found.checks:
        table.add_row(c.verdict if c.holds else c.verdict.upper(), c.claim, c.measured)
    out_console.print(table)
    if found.claims:
        claims = Table(title="The expert's predictions", title_justify="left")
        for col in ("verdict", "prediction", "what the model shows"):
            claims.add_column(col, overflow="fold")
        for cl in found.claims:
            claims.add_row(cl.verdict, cl.claim, cl.measured)
        out_console.print(claims)
    err_console.print(f"wrote {len(written)} files to {out}/ (open {out / 'report.md'})")


# --------------------------------------------------------------------------- calibrate


@app.command(
    epilog=(
        "Examples:\n\n"
        "  greatgame calibrate central_asia_2016 central_asia --out out/cal\n\n"
        "  greatgame calibrate central_asia_2016 central_asia --out out/cal --particles 200 "
        "--generations 4 --workers 2\n\n"
        "PATTERNS is a patterns file (or the shipped 'central_asia'): each pattern with its "
        "output, dates, tolerance and source, and the parameters to fit with their priors. "
        "Run the same command again to resume a killed calibration from its last finished "
        "generation."
    )
)
def calibrate(
    scenario: Annotated[
        Path, typer.Argument(help="Scenario YAML file (or a shipped scenario's name).")
    ],
    patterns: Annotated[
        Path, typer.Argument(help="Patterns file (or a shipped name: central_asia).")
    ],
    out: Annotated[Path, typer.Option(help="Output directory (resumes what is there).")],
    particles: Annotated[int, typer.Option(min=10, help="Particles per generation.")] = 1000,
    generations: Annotated[int, typer.Option(min=1, help="Generations in all.")] = 10,
    replicates: Annotated[
        int, typer.Option(min=1, help="Seeds per particle (the same for every particle).")
    ] = 2,
    seed: Annotated[int, typer.Option(min=0, help="Root seed of proposals and replicates.")] = 0,
    workers: Annotated[
        int | None,
        typer.Option(min=1, help="Processes simulating chunks (default: this machine's cores)."),
    ] = None,
    dask: Annotated[bool, typer.Option(help="Run chunks on a local Dask cluster.")] = False,
    scheduler: Annotated[
        str | None, typer.Option(help="Run chunks on the Dask scheduler at this address.")
    ] = None,
) -> None:
    """Fit a scenario's parameters to documented patterns (ABC-SMC, pyabc, on the run axis)."""
    import matplotlib

    matplotlib.use("Agg")
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    try:
        from sim.calibrate import calibrate as run_calibration
    except ImportError as exc:
        raise InputError(
            f"greatgame calibrate needs pyabc ({exc}); install the extra with: "
            "pip install 'greatgame[calibrate]'"
        ) from None
    from sim.sweep.executors import check_not_bootstrapping, default_workers

    check_not_bootstrapping()
    n_workers = workers or default_workers()
    progress = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed:.0f}/{task.total:.0f}"),
        TimeElapsedColumn(),
        console=err_console,
        transient=True,
        disable=not err_console.is_terminal,
    )
    with progress:
        gens = progress.add_task("generations", total=generations)
        parts = progress.add_task("particles accepted", total=particles)

        def show(e: dict[str, Any]) -> None:
            if e["event"] == "batch":
                progress.update(
                    parts,
                    completed=e["accepted"],
                    description=f"generation {e['generation']}: particles accepted "
                    f"({e['evaluated']} evaluated)",
                )
            else:
                progress.update(gens, completed=e["generation"] + 1)
                progress.update(parts, completed=0)
                err_console.print(
                    f"generation {e['generation']}: threshold {e['epsilon']:.4g}, acceptance "
                    f"{e['acceptance_rate']:.0%}, {e['seconds']:.1f} s",
                    highlight=False,
                )

        result = run_calibration(
            _scenario_path(scenario),
            patterns,
            out=out,
            particles=particles,
            generations=generations,
            replicates=replicates,
            seed=seed,
            workers=n_workers,
            dask=dask,
            scheduler=scheduler,
            progress=show,
        )
    table = Table(title="Hit rates of the posterior (validation: never calibrated on)",
                  title_justify="left")  # fmt: skip
    for col in ("window", "pattern", "hit rate"):
        table.add_column(col, overflow="fold")
    for r in result.hit_rates.itertuples():
        table.add_row(str(r.window), str(r.pattern), f"{r.hit_rate:.0%}")
    out_console.print(table)
    ident = Table(title="What the patterns pin down", title_justify="left")
    for col in ("parameter", "median", "5-95%", "shrinkage", "verdict"):
        ident.add_column(col, overflow="fold")
    for r in result.identifiability.itertuples():
        ident.add_row(
            str(r.parameter), f"{r.posterior_median:.4g}",
            f"{r.posterior_5:.4g}-{r.posterior_95:.4g}", f"{r.shrinkage:.2f}", str(r.verdict),
        )  # fmt: skip
    out_console.print(ident)
    err_console.print(f"wrote {len(result.files)} files to {out}/ (open {out / 'calibration.md'})")


# --------------------------------------------------------------------------- app


@app.command(
    "app",
    epilog=(
        "Examples:\n\n  greatgame app\n\n"
        "  greatgame app russia_joins_quartet --port 8800\n\n"
        "  greatgame app --host 0.0.0.0 --allow-host classroom-pc.local\n\n"
        "Open the printed URL in a browser. Move a control, press Reset to apply it, then "
        "Step or Play. Works offline; Ctrl-C stops the server."
    ),
)
def app_(
    scenario: ScenarioArg = None,
    port: Annotated[int, typer.Option(help="Port to listen on (0: any free port).")] = 8765,
    host: Annotated[
        str, typer.Option(help="Address to listen on (the default serves this machine only).")
    ] = "127.0.0.1",
    set_: SetOpt = None,
    allow_host: Annotated[
        list[str] | None,
        typer.Option(
            "--allow-host",
            help="Another host name the page answers to (repeatable), e.g. this machine's "
            "name on a class network; others get 403 (a guard against DNS rebinding).",
        ),
    ] = None,
) -> None:
    """Serve the live dashboard (Mesa): map, influence, a variant beside, blocs and controls."""
    from sim.app import serve

    serve(
        _scenario_path(scenario), host=host, port=port, set=set_ or [], allow_hosts=allow_host or []
    )


# --------------------------------------------------------------------------- sweeps


def _add_sweep_commands() -> None:
    """``sweep``, ``plot``, ``analyze`` live with the sweep package (sim/sweep/cli.py)."""
    from sim.sweep.cli import register

    register(app)


_add_sweep_commands()


# --------------------------------------------------------------------------- entry point


#: errno values of an OSError that mean the machine, not the input, failed (exit code 3).
_ENVIRONMENT_ERRNOS = {
    errno.ENOSPC,
    errno.EDQUOT,
    errno.EIO,
    errno.EROFS,
    errno.ENOMEM,
    errno.EMFILE,
    errno.ENFILE,
    errno.EACCES,
    errno.EPERM,
}
DEBUG_ENV = "GREATGAME_DEBUG"
_TRACKER_QUIET = "ignore::UserWarning:multiprocessing.resource_tracker"


#: Seconds an interrupted command may spend in the interpreter's own exit before it is cut short.
EXIT_GRACE = 10.0


def _fail(code: int, message: str) -> None:
    sys.stderr.write(f"{message}\n")
    if code == EXIT_INTERRUPTED:
        # Every result is already committed (atomic writes) and the pools are stopped; what is
        # left is the interpreter's exit, which joins process-pool threads without a timeout
        # and could wait forever on one a Ctrl-C caught mid-start. Bound it.
        sys.stderr.flush()
        sys.stdout.flush()
        timer = threading.Timer(EXIT_GRACE, os._exit, args=(code,))
        timer.daemon = True
        timer.start()
    sys.exit(code)


def _os_error(e: OSError) -> tuple[int, str]:
    """An OSError that reached the top: where, what, and whose problem it is."""
    where = f"{shorten(str(e.filename), 200)}: " if e.filename else ""
    what = e.strerror or type(e).__name__
    if e.errno in _ENVIRONMENT_ERRNOS:
        hint = (
            "; free some space and run the same command again"
            if e.errno in (errno.ENOSPC, errno.EDQUOT)
            else "; fix this and run the same command again"
        )
        return EXIT_INFRASTRUCTURE, f"error: cannot continue: {where}{what}{hint}"
    return EXIT_INPUT, f"error: {where}{what}"


def main(argv: list[str] | None = None) -> None:
    """Entry point: run the app and turn every failure into one line and an exit code.

    Exit codes (see :mod:`sim.errors`): 0 done, 1 bad input, 2 an internal error (a bug;
    ``GREATGAME_DEBUG=1`` prints its traceback), 3 the environment failed (disk full, a lost
    Dask scheduler), 130 interrupted.
    """
    args = sys.argv[1:] if argv is None else argv
    debug = bool(os.environ.get(DEBUG_ENV))
    # multiprocessing's resource tracker (a process of its own, started with this process's
    # -W options) may warn at exit about a semaphore of a pool that Ctrl-C interrupted while
    # it started: nothing a user can act on, and not the one line a failure gets
    if _TRACKER_QUIET not in sys.warnoptions:
        sys.warnoptions.append(_TRACKER_QUIET)
    try:
        code = app(args=args, prog_name="greatgame", standalone_mode=False)
        if isinstance(code, int) and code:  # typer returns 130 for Ctrl-C in this mode
            if code == EXIT_INTERRUPTED:
                _fail(EXIT_INTERRUPTED, "aborted")
            sys.exit(code)
    except InputError as e:
        _fail(EXIT_INPUT, one_line(f"error: {e}"))
    except InfrastructureError as e:
        if debug:
            traceback.print_exc()
        _fail(EXIT_INFRASTRUCTURE, one_line(f"error: {e}"))
    except GreatGameError as e:
        _fail(EXIT_INPUT, one_line(f"error: {e}"))
    except _cx.NoArgsIsHelpError as e:
        e.show()
        sys.exit(0)
    except _cx.UsageError as e:
        hint = f" (see 'greatgame {e.ctx.info_name} --help')" if e.ctx and e.ctx.info_name else ""
        if e.ctx and e.ctx.command_path:
            hint = f" (see '{e.ctx.command_path} --help')"
        _fail(EXIT_INPUT, one_line(f"error: {e.format_message()}{hint}"))
    except (typer.Abort, KeyboardInterrupt):
        _fail(EXIT_INTERRUPTED, "aborted")
    except typer.Exit as e:
        sys.exit(e.exit_code)
    except BrokenPipeError:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        sys.exit(0)
    except MemoryError:
        _fail(EXIT_INFRASTRUCTURE, "error: out of memory; free some memory or ask for less")
    except OSError as e:
        if debug:
            traceback.print_exc()
        _fail(*_os_error(e))
    except Exception as e:
        if debug:
            traceback.print_exc()
        where = ""
        tb = traceback.extract_tb(e.__traceback__)
        if tb:
            where = f" at {tb[-1].filename.rsplit('/', 1)[-1]}:{tb[-1].lineno}"
        _fail(
            EXIT_INTERNAL,
            one_line(
                f"internal error: {type(e).__name__}{where}: {e} (a bug in greatgame, not in "
                f"your input; please report it with the command that caused it; "
                f"{DEBUG_ENV}=1 prints the traceback)",
                limit=600,
            ),
        )


# the slow imports are done: Ctrl-C raises KeyboardInterrupt again (main() turns it into 130)
if _STARTUP_SIGINT is not None and signal.getsignal(signal.SIGINT) is _interrupted_while_starting:
    signal.signal(signal.SIGINT, _STARTUP_SIGINT)  # type: ignore[arg-type]


if __name__ == "__main__":
    main()
