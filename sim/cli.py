"""The ``greatgame`` command line (Typer). Thin: every command calls the library.

Errors in user input print one sentence to stderr and exit with code 1,
without a traceback; progress and messages go to stderr, results to stdout.
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

from sim.errors import GreatGameError, InputError

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
        help="Scenario YAML file (default: scenarios/central_asia_2016.yaml, the article's).",
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
    from sim.scenario import default_scenario_path

    return path if path is not None else default_scenario_path()


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
        "  greatgame run scenarios/russia_joins_quartet.yaml --months 60 "
        "--set patrons.China.budget=250"
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
) -> None:
    """Run a scenario: print a summary, write time series, summary.json and figures."""
    import matplotlib

    matplotlib.use("Agg")
    from sim import api

    if record not in ("monthly", "yearly", "final"):
        raise InputError(f"--record must be monthly, yearly or final, got {record!r}")
    sc = api.load(_scenario_path(scenario), set=set_ or [])
    n_months = months or sc.months
    with _progress() as progress:
        task = progress.add_task(f"running {sc.name}", total=n_months)
        result = api.run(
            sc,
            seed=seed,
            months=months,
            record=record,
            progress=lambda m: progress.update(task, completed=m),
        )
    out_dir = out or Path("out") / sc.name
    written = result.save(out_dir, figures=figures)
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
    if s.get("predicted_camps"):
        camps = Table(title="Predicted camps at the end (landscape theory)", title_justify="left")
        camps.add_column("camp of")
        camps.add_column("states")
        for side, members in s["predicted_camps"].items():
            camps.add_row(side, ", ".join(members))
        out_console.print(camps)


# --------------------------------------------------------------------------- validate, schema


@app.command(
    epilog="Example:\n\n  greatgame validate scenarios/quartet_expands.yaml --set months=60"
)
def validate(
    scenario: Annotated[Path, typer.Argument(help="Scenario YAML file to check.")],
    set_: SetOpt = None,
) -> None:
    """Check a scenario file (and overrides) without running it."""
    from sim.model import InfluenceModel
    from sim.scenario import load_scenario

    sc = load_scenario(scenario, overrides=set_ or [])
    InfluenceModel(sc, seeds=sc.seed)  # builds every array: catches what only a build can see
    out_console.print(
        f"{scenario}: valid scenario {sc.name!r} ({len(sc.actors)} actors, {len(sc.patrons)} "
        f"patrons, {len(sc.blocs)} blocs, {len(sc.events)} events, {sc.months} months; "
        f"hash {sc.content_hash()})"
    )


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


# --------------------------------------------------------------------------- landscape


@app.command(
    epilog=(
        "Example:\n\n  greatgame landscape actors.csv propensity.csv --center 3 --json\n\n"
        "ACTORS.csv has the header 'actor,size'; PROPENSITY.csv is a square matrix whose first "
        "row is 'actor' then the names, each row starting with a name, diagonal cells empty."
    )
)
def landscape(
    actors_csv: Annotated[Path, typer.Argument(help="CSV with header actor,size.")],
    propensity_csv: Annotated[Path, typer.Argument(help="Square CSV matrix of propensities.")],
    center: Annotated[
        float, typer.Option(help="Subtract this from every off-diagonal propensity (e.g. 3).")
    ] = 0.0,
    json_: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Landscape theory of aggregation (Axelrod & Bennett 1993): every stable two-camp split."""
    from sim.landscape_io import main_landscape

    main_landscape(actors_csv, propensity_csv, center=center, as_json=json_)


# --------------------------------------------------------------------------- report


@app.command(
    epilog=(
        "Examples:\n\n  greatgame report\n\n  greatgame report --seeds 20 --out out/report\n\n"
        "Runs the article's scenario and every variant beside it in scenarios/ over the same "
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
        typer.Option(help="Base scenario; its variants are the other .yaml files beside it."),
    ] = None,
) -> None:
    """Face validity: how each variant moves influence and alignments, with bands over seeds."""
    import matplotlib

    matplotlib.use("Agg")
    from sim.report import checks, discover_variants, run_variants, write_report

    paths = discover_variants(base)
    with _progress() as progress:
        task = progress.add_task("scenarios", total=len(paths))
        results = run_variants(
            paths,
            seeds=range(seeds),
            progress=lambda name: progress.update(task, advance=1, description=name),
        )
    written = write_report(results, out)
    table = Table(title="Checks: the directions MODEL.md implies", title_justify="left")
    for col in ("holds", "claim", "measured"):
        table.add_column(col, overflow="fold")
    for c in checks(results):
        table.add_row("yes" if c.holds else "NO", c.claim, c.measured)
    out_console.print(table)
    err_console.print(f"wrote {len(written)} files to {out}/ (open {out / 'report.md'})")


# --------------------------------------------------------------------------- app


@app.command(
    "app",
    epilog=(
        "Examples:\n\n  greatgame app\n\n"
        "  greatgame app scenarios/russia_joins_quartet.yaml --port 8800\n\n"
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
) -> None:
    """Serve the live dashboard (Mesa SolaraViz): map, influence, blocs and controls."""
    from sim.app import serve

    serve(_scenario_path(scenario), host=host, port=port, set=set_ or [])


# --------------------------------------------------------------------------- sweeps


def _add_sweep_commands() -> None:
    """``sweep``, ``plot``, ``analyze`` live with the sweep package (sim/sweep/cli.py)."""
    from sim.sweep.cli import register

    register(app)


_add_sweep_commands()


# --------------------------------------------------------------------------- entry point


def main(argv: list[str] | None = None) -> None:
    """Entry point: run the app; bad input becomes one sentence on stderr and exit code 1."""
    args = sys.argv[1:] if argv is None else argv
    try:
        code = app(args=args, prog_name="greatgame", standalone_mode=False)
        if isinstance(code, int) and code:  # typer returns 130 for Ctrl-C in this mode
            if code == 130:
                sys.stderr.write("aborted\n")
            sys.exit(code)
    except GreatGameError as e:
        sys.stderr.write(f"error: {e}\n")
        sys.exit(1)
    except _cx.NoArgsIsHelpError as e:
        e.show()
        sys.exit(0)
    except _cx.UsageError as e:
        hint = f" (see 'greatgame {e.ctx.info_name} --help')" if e.ctx and e.ctx.info_name else ""
        if e.ctx and e.ctx.command_path:
            hint = f" (see '{e.ctx.command_path} --help')"
        sys.stderr.write(f"error: {e.format_message()}{hint}\n")
        sys.exit(1)
    except typer.Abort:
        sys.stderr.write("aborted\n")
        sys.exit(130)
    except typer.Exit as e:
        sys.exit(e.exit_code)
    except BrokenPipeError:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        sys.exit(0)


if __name__ == "__main__":
    main()
