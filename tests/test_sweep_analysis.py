"""Analysis and figures of sweeps: SALib indices, EMA Workbench export, plot/analyze commands.

The Sobol' and Morris checks use two parameters whose roles are known in the model and
verified here: China's monthly budget drives China's regional influence, and Pakistan's
``adapt_rate`` is never read (Pakistan's strategy is ``fixed``), so it cannot matter.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

import sim
from sim.sweep import SweepResult, sweep
from sim.sweep.plots import oat_effects

ROOT = Path(__file__).resolve().parent.parent
ARTICLE = ROOT / "scenarios" / "central_asia_2016.yaml"
METRIC = "regional_index.China.gdp_weighted"
DRIVER = "patrons.China.budget"
INERT = "patrons.Pakistan.adapt_rate"
CliFn = Callable[..., tuple[int, str, str]]


def test_the_inert_parameter_really_has_no_effect() -> None:
    sc = sim.load(ARTICLE)
    assert sc.patrons["Pakistan"].strategy == "fixed"
    a = sim.run(ARTICLE, seed=3, months=24, set=[f"{INERT}=0.0"]).summary
    b = sim.run(ARTICLE, seed=3, months=24, set=[f"{INERT}=1.0"]).summary
    c = sim.run(ARTICLE, seed=3, months=24, set=[f"{DRIVER}=300"]).summary
    assert (
        a["regional_index"] == b["regional_index"] and a["final_influence"] == b["final_influence"]
    )
    assert (
        c["regional_index"]["China"]["gdp_weighted"] > a["regional_index"]["China"]["gdp_weighted"]
    )


@pytest.fixture(scope="module")
def sobol_res(tmp_path_factory: pytest.TempPathFactory) -> SweepResult:
    return sweep(
        ARTICLE,
        {DRIVER: "uniform(100,300)", INERT: "uniform(0,1)"},
        design="sobol",
        samples=64,
        months=24,
        record="final",
        crn=True,
        out=tmp_path_factory.mktemp("sobol") / "res",
        executor="serial",
        progress=False,
    )


def test_sobol_indices_are_large_for_the_driver_and_zero_for_the_inert(
    sobol_res: SweepResult,
) -> None:
    idx = sobol_res.sobol(METRIC).set_index("parameter")
    assert len(sobol_res.design) == 64 * 4
    assert idx.loc[DRIVER, "S1"] > 0.8 and idx.loc[DRIVER, "ST"] > 0.8
    assert abs(idx.loc[INERT, "S1"]) < 0.02 and idx.loc[INERT, "ST"] < 0.01
    assert (idx[["S1_conf", "ST_conf"]] >= 0).all().all()
    assert idx.loc[DRIVER, "S1"] - idx.loc[DRIVER, "S1_conf"] > 0.6  # even its lower bound


def test_analyze_command_prints_the_indices_and_draws_them(
    sobol_res: SweepResult, cli: CliFn, tmp_path: Path
) -> None:
    png = tmp_path / "sobol.png"
    code, out, err = cli(
        "analyze", sobol_res.path, "--method", "sobol", "--metric", METRIC, "--out", png, "--json"
    )
    assert code == 0, err
    got = {r["parameter"]: r for r in json.loads(out)["indices"]}
    ref = sobol_res.sobol(METRIC).set_index("parameter")
    assert got[DRIVER]["S1"] == pytest.approx(ref.loc[DRIVER, "S1"])
    assert png.stat().st_size > 10_000
    code, out, _ = cli("analyze", sobol_res.path, "--method", "sobol", "--out", png)
    assert code == 0 and "S1" in out and DRIVER in out
    code, _, err = cli("analyze", sobol_res.path, "--method", "morris")
    assert code == 1 and "needs a sweep made with --design morris" in err
    code, _, err = cli("analyze", sobol_res.path, "--metric", "final_influence.China.Tajikstan")
    assert code == 1 and "is not a numeric column of the summary table" in err


def test_morris_ranks_the_driver_above_the_inert(tmp_path: Path) -> None:
    res = sweep(
        ARTICLE, {DRIVER: "uniform(100,300)", INERT: "uniform(0,1)"}, design="morris",
        samples=6, levels=4, months=24, record="final", crn=True, out=tmp_path / "res",
        executor="serial", progress=False,
    )  # fmt: skip
    idx = res.morris(METRIC).set_index("parameter")
    assert len(res.design) == 6 * 3
    assert idx.loc[DRIVER, "mu_star"] > 0.01
    assert idx.loc[INERT, "mu_star"] == 0 and idx.loc[INERT, "sigma"] == 0


def test_ema_workbench_prim_runs_on_the_export(sobol_res: SweepResult) -> None:
    from ema_workbench.analysis import prim

    experiments, outcomes = sobol_res.to_ema(timeseries=[("China", "Tajikistan")])
    assert len(experiments) == 256 and {"scenario", "policy", "model"} <= set(experiments)
    y = outcomes[METRIC]
    assert y.shape == (256,) and outcomes["influence.China.Tajikistan"].shape == (256, 1)
    high = y > np.quantile(y, 0.8)
    box = prim.Prim(experiments[[DRIVER, INERT]], high).find_box()
    limits = box.box_lims[-1]  # PRIM boxes the runs where China's influence is high
    assert limits.loc[0, DRIVER] > 200 and limits.loc[0, INERT] == pytest.approx(0, abs=0.02)


@pytest.fixture(scope="module")
def grid_res(tmp_path_factory: pytest.TempPathFactory) -> SweepResult:
    return sweep(
        ARTICLE,
        [f"{DRIVER}=100,200,300", "patrons.Russia.attention=0.5,0.75,1"],
        replicates=3,
        months=24,
        out=tmp_path_factory.mktemp("grid") / "res",
        executor="serial",
        progress=False,
    )


def test_one_at_a_time_effects_hold_the_others_at_their_middle(grid_res: SweepResult) -> None:
    eff = oat_effects(grid_res, METRIC).set_index("parameter")
    s = grid_res.summary
    middle = s[(s[DRIVER] == 200) & (s["patrons.Russia.attention"] == 0.75)]
    assert eff.loc[DRIVER, "baseline"] == pytest.approx(middle[METRIC].mean())
    at_high = s[(s[DRIVER] == 300) & (s["patrons.Russia.attention"] == 0.75)][METRIC].mean()
    assert eff.loc[DRIVER, "at_high"] == pytest.approx(at_high)
    assert eff.loc[DRIVER, "at_high"] > eff.loc[DRIVER, "baseline"] > eff.loc[DRIVER, "at_low"]
    assert eff.loc[DRIVER, "method"] == "one at a time"


@pytest.mark.parametrize(
    ("args", "name"),
    [
        ([], "plot-fan.png"),
        (["--target", "Tajikistan", "--target", "Afghanistan", "--by", DRIVER], "plot-fan.png"),
        (["--metric", METRIC, "--by", f"{DRIVER},patrons.Russia.attention"], "plot-heatmap.png"),
        (["--metric", METRIC], "plot-tornado.png"),
    ],
    ids=["fan", "fan-by", "heatmap", "tornado"],
)
def test_plot_command_draws_each_kind(
    grid_res: SweepResult, cli: CliFn, args: list[str], name: str, tmp_path: Path
) -> None:
    out = tmp_path / name
    code, stdout, err = cli("plot", grid_res.path, *args, "--out", out)
    assert code == 0, err
    assert f"wrote {out}" in stdout
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and out.stat().st_size > 20_000


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--by", "patrons.China.budgt"], "is not a swept parameter"),
        (["--target", "Mongolia"], "is not an actor"),
        (["--metric", METRIC, "--kind", "pie"], "--kind must be"),
        (["--out", "figure.gif"], "expected a .png, .pdf or .svg"),
    ],
)
def test_plot_command_refuses_bad_requests(
    grid_res: SweepResult, cli: CliFn, args: list[str], message: str
) -> None:
    code, _, err = cli("plot", grid_res.path, *args)
    assert code == 1 and message in err and "Traceback" not in err


def test_plot_of_a_directory_that_is_no_sweep(cli: CliFn, tmp_path: Path) -> None:
    code, _, err = cli("plot", tmp_path)
    assert code == 1 and "not a sweep results directory" in err
