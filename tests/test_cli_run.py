"""The command line end to end: `greatgame run`, `validate`, `schema`, `rules`, `--help`.

Most calls go through ``sim.cli.main`` in this process (the same entry point the installed
script calls); one runs the installed ``greatgame`` script in a fresh process and checks it
writes the very numbers this process computes (same seed, same results).
"""

from __future__ import annotations

import json
import struct
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jsonschema
import matplotlib.image
import numpy as np
import pandas as pd
import pytest
import typer.main

import sim
from sim.cli import app
from sim.scenario import load_raw, load_scenario

Cli = Callable[..., tuple[int, str, str]]
ROOT = Path(__file__).resolve().parent.parent
ARTICLE = ROOT / "scenarios" / "central_asia_2016.yaml"
SCENARIO_FILES = sorted((ROOT / "scenarios").glob("*.yaml"))

FRAMES = {
    "timeseries": [
        "run",
        "month",
        "date",
        "patron",
        "target",
        "influence",
        "stock_investment",
        "stock_security",
        "stock_leverage",
        "flow_investment",
        "flow_security",
        "flow_leverage",
        "threat",
    ],
    "states": ["run", "month", "date", "state", "threat", "autonomy_share", "dominant"],
    "memberships": ["run", "month", "date", "state", "bloc", "member"],
}
FIGURES = ("influence.png", "membership.png", "map.png")
SUMMARY_KEYS = {
    "scenario",
    "scenario_hash",
    "seed",
    "version",
    "months",
    "dominant",
    "overtake_month",
    "bloc_sizes",
    "regional_index",
}


def png_size(path: Path) -> tuple[int, int]:
    """(width, height) from a PNG's header; fails unless the file is a PNG."""
    head = path.read_bytes()[:24]
    assert head[:8] == b"\x89PNG\r\n\x1a\n", f"{path.name} is not a PNG"
    assert head[12:16] == b"IHDR"
    width, height = struct.unpack(">II", head[16:24])
    return width, height


def check_outputs(out: Path, *, months: list[int], scenario: Any) -> dict[str, pd.DataFrame]:
    """Every documented file is there, tidy, consistent; returns the Parquet frames."""
    P, N, B = len(scenario.patrons), len(scenario.actors), len(scenario.blocs)
    frames = {}
    for name, columns in FRAMES.items():
        df = pd.read_parquet(out / f"{name}.parquet")
        csv = pd.read_csv(out / f"{name}.csv")
        assert set(columns) <= set(df.columns), f"{name}: {list(df.columns)}"
        assert list(csv.columns) == list(df.columns)
        assert len(csv) == len(df)
        assert sorted(df["month"].unique()) == months
        assert (df["run"] == 0).all()
        frames[name] = df
        numeric = [c for c in columns if c not in ("run", "month") and df[c].dtype.kind == "f"]
        for col in numeric:
            np.testing.assert_allclose(csv[col], df[col], rtol=1e-12, err_msg=f"{name}.{col}")
    ts = frames["timeseries"]
    assert len(ts) == len(months) * P * N
    assert not ts.duplicated(["month", "patron", "target"]).any(), "one row per (month, p, t)"
    assert set(ts["patron"]) == set(scenario.patrons) and set(ts["target"]) == set(scenario.actors)
    assert ts["influence"].between(0, 1).all()
    assert (ts.groupby(["month", "target"], observed=True)["influence"].sum() <= 1 + 1e-12).all()
    assert len(frames["states"]) == len(months) * N
    assert len(frames["memberships"]) == len(months) * N * B
    assert frames["memberships"]["member"].dtype == bool
    for fig in FIGURES:
        width, height = png_size(out / fig)
        assert 400 <= width <= 5000 and 300 <= height <= 5000, (fig, width, height)
        pixels = matplotlib.image.imread(out / fig)
        assert pixels.reshape(-1, pixels.shape[-1]).std(axis=0).max() > 0.05, f"{fig} is blank"
    return frames


def test_run_default_scenario_with_seed_months_set_and_out(cli: Cli, tmp_path: Path) -> None:
    out = tmp_path / "demo"
    # a CSTO cap of 0.5% of GDP (inside the calibration's 5-95% range) binds on China
    cap = "blocs.CSTO.third_party_security_cap=0.005"
    code, stdout, stderr = cli(
        "run", "--seed", "7", "--months", "18", "--set", "patrons.China.budget=250",
        "--set", cap, "--out", out,
    )  # fmt: skip
    assert code == 0, stderr
    sc = load_scenario(ARTICLE, overrides=["patrons.China.budget=250", cap, "months=18"])
    frames = check_outputs(out, months=list(range(18)), scenario=sc)

    summary = json.loads((out / "summary.json").read_text())
    assert SUMMARY_KEYS <= set(summary)
    assert summary["scenario"] == "central_asia_2016"
    assert summary["seed"] == 7 and summary["months"] == 18
    assert summary["version"] == sim.__version__
    assert summary["scenario_hash"] == sc.content_hash()
    assert set(summary["dominant"]) == set(sc.actors)
    assert set(summary["bloc_sizes"]) == set(sc.blocs)
    assert set(summary["regional_index"]) == set(sc.patrons)
    # the summary agrees with the last month of the time series
    ts = frames["timeseries"]
    last = ts[ts["month"] == 17].set_index(["patron", "target"])["influence"]
    for state, patron in summary["dominant"].items():
        shares = last.xs(state, level="target")
        assert patron == (shares.idxmax() if shares.max() > 0 else None), state
    # the override took effect: from month 12 (the Kabul aid over) China puts 250 a month into
    # the region: spent, or refused by hosts that admit no more of its security money
    china = ts[(ts["patron"] == "China") & (ts["month"] >= 12)]
    cols = ["flow_investment", "flow_security", "flow_leverage", "refused_security"]
    budget = china.groupby("month")[cols].sum()
    np.testing.assert_allclose(budget.sum(axis=1), 250.0, rtol=1e-12)
    # the CSTO's hosts cap China's security: refused as the aid ends, less in the months after
    refused = budget["refused_security"]
    assert refused.iloc[0] > 0 and refused.iloc[-1] < refused.iloc[0]

    # stdout shows the summary table, stderr where the files went
    for text in ("dominant patron", "China first ahead of Russia", "Blocs at the end"):
        assert text in stdout
    for state in ("Afghanistan", "Tajikistan", "Kazakhstan", "CSTO", "QCCM"):
        assert state in stdout
    assert f"files to {out}" in stderr.replace("\n", "")


def test_run_a_variant(cli: Cli, tmp_path: Path) -> None:
    """russia_joins_quartet: Russia sits in the Quartet from month 0 in every output."""
    variant = ROOT / "scenarios" / "russia_joins_quartet.yaml"
    out = tmp_path / "variant"
    code, stdout, stderr = cli("run", variant, "--seed", "3", "--months", "12", "--out", out)
    assert code == 0, stderr
    frames = check_outputs(out, months=list(range(12)), scenario=load_scenario(variant))
    summary = json.loads((out / "summary.json").read_text())
    assert summary["scenario"] == "russia_joins_quartet" and summary["seed"] == 3
    mem = frames["memberships"]
    russia_in_qccm = mem[(mem["state"] == "Russia") & (mem["bloc"] == "QCCM")]
    assert len(russia_in_qccm) == 12
    # Russia joins at the Quartet's founding, month 5, and stays
    joined = russia_in_qccm.set_index("month")["member"]
    assert not joined.loc[:4].any() and joined.loc[5:].all()
    assert "Russia" in summary["bloc_members"]["QCCM"]
    assert "russia_joins_quartet" in stdout


def test_record_yearly_and_no_figures(cli: Cli, tmp_path: Path) -> None:
    out = tmp_path / "yearly"
    code, _, stderr = cli(
        "run", "--months", "30", "--record", "yearly", "--no-figures", "--out", out
    )
    assert code == 0, stderr
    ts = pd.read_parquet(out / "timeseries.parquet")
    assert sorted(ts["month"].unique()) == [11, 23, 29]
    assert not any((out / f).exists() for f in FIGURES)
    assert json.loads((out / "summary.json").read_text())["months"] == 30


def test_installed_script_in_a_fresh_process_writes_the_same_numbers(
    cli_subprocess: Cli, tmp_path: Path
) -> None:
    """The `greatgame` script, another process: the frames equal sim.run's here (P9)."""
    out = tmp_path / "subprocess"
    code, stdout, stderr = cli_subprocess("run", "--seed", "11", "--months", "24", "--out", out)
    assert code == 0, stderr
    assert "Traceback" not in stderr
    assert "dominant patron" in stdout
    here = sim.run(seed=11, months=24)
    try:
        for name, frame in (
            ("timeseries", here.influence),
            ("states", here.states),
            ("memberships", here.memberships),
        ):
            there = pd.read_parquet(out / f"{name}.parquet")
            pd.testing.assert_frame_equal(
                there.reset_index(drop=True), frame.reset_index(drop=True), check_exact=True
            )
        summary = json.loads((out / "summary.json").read_text())
        assert summary["overtake_month"] == here.summary["overtake_month"]
        assert summary["scenario_hash"] == here.summary["scenario_hash"]
    finally:
        here.close()


# --------------------------------------------------------------------------- other commands


def test_schema_is_valid_json_schema_that_accepts_the_article(cli: Cli) -> None:
    code, stdout, stderr = cli("schema")
    assert code == 0, stderr
    schema = json.loads(stdout)
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["$schema"].endswith("2020-12/schema")
    assert {"actors", "patrons", "blocs", "events", "extends"} <= set(schema["properties"])
    validator = jsonschema.Draft202012Validator(schema)
    errors = [f"{e.json_path}: {e.message}" for e in validator.iter_errors(load_raw(ARTICLE))]
    assert errors == [], errors[:5]
    bad = load_raw(ARTICLE)
    bad["patrons"]["China"]["budget"] = "-5 m USD"
    bad["actors"]["China"]["colour"] = "red"
    paths = {e.json_path for e in validator.iter_errors(bad)}
    assert {"$.patrons.China.budget", "$.actors.China"} <= paths


@pytest.mark.parametrize("path", SCENARIO_FILES, ids=lambda p: p.stem)
def test_validate_every_shipped_scenario(cli: Cli, path: Path) -> None:
    code, stdout, stderr = cli("validate", path)
    assert code == 0, stderr
    assert f"valid scenario '{load_scenario(path).name}'" in stdout.replace("\n", "")
    assert "hash" in stdout


def test_validate_with_an_override(cli: Cli) -> None:
    code, stdout, _ = cli("validate", ARTICLE, "--set", "months=60")
    assert code == 0
    assert "60 months" in stdout.replace("\n", " ")


def test_rules_lists_every_rule_and_strategy(cli: Cli) -> None:
    code, stdout, stderr = cli("rules")
    assert code == 0, stderr
    for name in ("balancing", "bandwagoning", "hedging", "fixed", "adaptive"):
        assert name in stdout
    for ref in ("Walt", "Kuik", "Tullock"):
        assert ref in stdout
    code, stdout, _ = cli("rules", "--kind", "alignment")
    assert code == 0
    assert "hedging" in stdout and "adaptive" not in stdout
    code, _, stderr = cli("rules", "--kind", "everything")
    assert code == 1 and stderr.startswith("error: --kind must be") and "'everything'" in stderr


COMMANDS = sorted(typer.main.get_command(app).commands)  # type: ignore[attr-defined]


@pytest.mark.parametrize("command", [None, *COMMANDS])
def test_every_command_has_help_with_an_example(cli: Cli, command: str | None) -> None:
    args = ["--help"] if command is None else [command, "--help"]
    code, stdout, stderr = cli(*args)
    assert code == 0, stderr
    assert "Usage" in stdout
    assert "Example" in stdout, f"greatgame {command or ''} --help shows no example"
    assert "greatgame" in stdout.split("Example", 1)[1], "the example is a command line"


def test_the_documented_commands_exist() -> None:
    assert {"run", "validate", "schema", "rules", "landscape"} <= set(COMMANDS)
