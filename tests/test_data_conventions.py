"""Data conventions: datetime dates everywhere, ``to_xarray``, readable labels, unclipped figures.

* every ``date`` column (frames, Parquet, CSV read back, sweeps) is ``datetime64[ns]``, the
  first day of the month, the same for the same month everywhere;
* ``RunResult.to_xarray()`` holds exactly the numbers of the tidy frames;
* figures name things in words ("China's budget, US$ m/month"), the scenario's ``labels:``
  win, and no title, label or legend runs off the figure.
"""

from __future__ import annotations

import re
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure
from matplotlib.text import Text

import sim
from sim.errors import InputError
from sim.labels import label
from sim.records import month_dates
from sim.scenario import load_raw, validate_data
from sim.sweep import SweepResult, sweep
from sim.sweep import plots as sweep_plots

ROOT = Path(__file__).resolve().parent.parent
ARTICLE = ROOT / "scenarios" / "central_asia_2016.yaml"
BUDGET = "patrons.China.budget"
ATTENTION = "patrons.Russia.attention"
METRIC = "regional_index.China.gdp_weighted"
#: a raw key path or metric name, as it must never appear in a figure
RAW_KEY = re.compile(
    r"\b(patrons|actors|blocs|events|parameters|regional_index|final_influence|final_threat|"
    r"overtake_month|bloc_size|dominant)\.[A-Za-z]"
)


def texts(fig: Figure) -> list[Text]:
    """Every visible, non-empty text of a drawn figure."""
    fig.canvas.draw()
    return [t for t in fig.findobj(Text) if t.get_visible() and t.get_text().strip()]


def assert_readable_and_inside(fig: Figure) -> list[str]:
    """Nothing drawn runs off the figure, and no text is a raw key path. Returns the texts."""
    found = texts(fig)
    renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]
    drawn = fig.get_tightbbox(renderer)  # inches: every artist drawn, titles and legends too
    width, height = fig.get_size_inches()
    tol = 1 / fig.dpi
    assert drawn.x0 >= -tol and drawn.y0 >= -tol, f"clipped left or bottom: {drawn}"
    assert drawn.x1 <= width + tol and drawn.y1 <= height + tol, f"clipped right or top: {drawn}"
    out = [t.get_text() for t in found]
    for s in out:
        assert not RAW_KEY.search(s), f"raw key path in a figure: {s!r}"
    return out


# --------------------------------------------------------------------------- dates


@pytest.fixture(scope="module")
def ensemble() -> sim.RunResult:
    return sim.run(ARTICLE, seed=[1, 2, 3], months=15)


def test_month_dates_are_first_days_of_months() -> None:
    got = month_dates("2016-03", [0, 1, 10, 22])
    assert got.dtype == np.dtype("datetime64[ns]")
    assert [str(d)[:10] for d in got] == ["2016-03-01", "2016-04-01", "2017-01-01", "2018-01-01"]


def test_every_frame_has_datetime_dates_that_match_the_month(ensemble: sim.RunResult) -> None:
    for name in ("influence", "states", "runs", "memberships"):
        df = getattr(ensemble, name)
        assert df["date"].dtype == np.dtype("datetime64[ns]"), name
        expected = pd.Timestamp("2016-03-01") + df["month"].map(lambda m: pd.DateOffset(months=m))
        assert (df["date"] == expected).all(), name


def test_written_files_keep_datetime_dates(ensemble: sim.RunResult, tmp_path: Path) -> None:
    ensemble.save(tmp_path, figures=False)
    for name in ("timeseries", "states", "runs", "memberships"):
        parquet = pd.read_parquet(tmp_path / f"{name}.parquet")
        assert parquet["date"].dtype == np.dtype("datetime64[ns]"), name
        csv = pd.read_csv(tmp_path / f"{name}.csv", parse_dates=["date"])
        assert (csv["date"].to_numpy() == parquet["date"].to_numpy()).all(), name
    first = (tmp_path / "states.csv").read_text().splitlines()[1]
    assert ",2016-03-01," in first  # ISO dates in the CSV, readable by any tool


def test_sweep_timeseries_carries_the_same_dates(tmp_path: Path) -> None:
    res = sweep(ARTICLE, {BUDGET: "150,250"}, months=14, record="yearly", out=tmp_path / "s",
                executor="serial", progress=False)  # fmt: skip
    ts = res.timeseries(patron="China", target="Tajikistan")
    assert ts["date"].dtype == np.dtype("datetime64[ns]")
    assert sorted(ts["month"].unique()) == [11, 13]
    assert set(ts["date"]) == {pd.Timestamp("2017-02-01"), pd.Timestamp("2017-04-01")}
    assert list(ts.columns[:4]) == ["run", "month", "date", "patron"]


# --------------------------------------------------------------------------- xarray


def test_to_xarray_holds_the_frames_numbers(ensemble: sim.RunResult) -> None:
    ds = ensemble.to_xarray()
    assert ds["influence"].dims == ("run", "month", "patron", "state")
    assert ds["stock"].dims == ("run", "month", "patron", "state", "instrument")
    assert list(ds["seed"].values) == [1, 2, 3]
    assert ds["date"].values[0] == np.datetime64("2016-03-01")
    inf = ensemble.influence
    wide = ds["influence"].to_dataframe().reset_index()
    merged = inf.merge(
        wide.rename(columns={"state": "target", "influence": "x"}).astype(
            {"patron": str, "target": str}
        ),
        left_on=["run", "month", inf["patron"].astype(str), inf["target"].astype(str)],
        right_on=["run", "month", "patron", "target"],
    )
    assert len(merged) == len(inf)
    assert (merged["influence"].to_numpy() == merged["x"].to_numpy()).all()
    for k in ("investment", "security", "leverage"):
        # the frames are month-major: (month, run, patron, state)
        got = ds["stock"].sel(instrument=k).transpose("month", "run", "patron", "state")
        assert np.array_equal(got.values.ravel(), inf[f"stock_{k}"].to_numpy())
    states = ensemble.states
    for name in ("threat", "camp", "autonomy_share"):
        got = ds[name].transpose("month", "run", "state").values.ravel()
        assert np.array_equal(got, states[name].to_numpy()), name
    members = ensemble.memberships["member"].to_numpy()
    assert np.array_equal(ds["member"].transpose("month", "run", ...).values.ravel(), members)


# --------------------------------------------------------------------------- labels


def test_builtin_labels_name_the_common_paths() -> None:
    assert label(BUDGET) == "China's budget, US$ m/month"
    assert label(ATTENTION) == "Russia's attention"
    assert label(BUDGET, currency="CNY") == "China's budget, CNY m/month"
    assert label(METRIC) == "China's regional influence (GDP-weighted)"
    assert (
        label("final_influence.China.Tajikistan") == "China's influence over Tajikistan at the end"
    )
    assert label("events.china_aid_kabul.amount") == "china aid kabul: amount, US$ m"
    assert label(BUDGET, {BUDGET: "Beijing's purse"}) == "Beijing's purse"
    assert label("some_new_column") == "some new column"


def test_every_scalar_key_of_the_article_has_a_builtin_label() -> None:
    """Whatever a user sweeps in the article's scenario reads as words, not a key path."""
    from sim.labels import builtin_names

    sc = sim.load(ARTICLE)
    data = sc.model_dump(by_alias=True, mode="json")
    skip = {"name", "description", "start", "currency", "rivalry", "borders", "rates", "source",
            "location", "kind", "members", "leaders", "invited", "rivals", "type", "patron",
            "target", "instrument", "path", "state", "bloc", "method", "size",
            "labels"}  # fmt: skip

    def walk(node: object, path: list[str]) -> list[str]:
        if isinstance(node, dict):
            return [k for key, v in node.items() if key not in skip for k in walk(v, [*path, key])]
        if isinstance(node, list):
            return []
        return [".".join(path)]

    missing = [k for k in walk(data, []) if builtin_names(k) is None]
    assert missing == []


def test_scenario_labels_are_validated_with_their_line(tmp_path: Path) -> None:
    raw = load_raw(ARTICLE)
    sc = validate_data({**raw, "labels": {BUDGET: "Beijing's purse", METRIC: "China's weight"}})
    assert sc.labels[BUDGET] == "Beijing's purse"
    # a label changes no result: the scenario's hash is the same
    assert sc.content_hash() == sim.load(ARTICLE).content_hash()
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "extends: central_asia_2016.yaml\nname: bad\nlabels:\n"
        "  patrons.China.budget: fine\n  patrons.Chna.budget: typo\n"
    )
    with pytest.raises(InputError) as e:
        sim.load(bad)
    msg = str(e.value)
    assert msg.startswith(f"{bad}, line 5") and "'patrons.Chna.budget'" in msg
    assert "neither a key path of this scenario nor a summary metric" in msg


# --------------------------------------------------------------------------- figures


def test_run_figures_are_readable_and_inside(ensemble: sim.RunResult) -> None:
    one = sim.run(ARTICLE, seed=1, months=30)
    for result in (one, ensemble):
        for name, fig in result.figures().items():
            got = assert_readable_and_inside(fig)
            assert got, name
        result.close()


@pytest.fixture(scope="module")
def labelled_grid(tmp_path_factory: pytest.TempPathFactory) -> SweepResult:
    d = tmp_path_factory.mktemp("labelled")
    scenario = d / "labelled.yaml"
    scenario.write_text(
        f"extends: central_asia_2016.yaml\nname: labelled\nlabels:\n"
        f"  {ATTENTION}: Moscow's focus on the region\n"
    )
    return sweep(scenario, {BUDGET: "150,250", ATTENTION: "0.5,1.0"}, replicates=2, months=12,
                 out=d / "res", executor="serial", progress=False)  # fmt: skip


def test_sweep_figures_use_builtin_and_scenario_labels(labelled_grid: SweepResult) -> None:
    heat = labelled_grid.heatmap(METRIC, by=[BUDGET, ATTENTION])
    got = assert_readable_and_inside(heat)
    ax = heat.axes[0]
    assert ax.get_xlabel() == "China's budget, US$ m/month"
    assert ax.get_ylabel() == "Moscow's focus on the region"  # the scenario's own label
    assert any("China's regional influence (GDP-weighted)" in s for s in got)
    torn = labelled_grid.tornado(METRIC)
    got = assert_readable_and_inside(torn)
    assert any(s.startswith("China's budget, US$ m/month\n") for s in got)
    fan = labelled_grid.fan_chart(targets=["Tajikistan"], by=BUDGET)
    got = assert_readable_and_inside(fan)
    assert "China's budget, US$ m/month" in got  # the legend's title
    assert_readable_and_inside(labelled_grid.fan_chart())


def test_indices_bar_is_readable_with_long_labels() -> None:
    indices = pd.DataFrame(
        {"parameter": [BUDGET, "events.china_aid_kabul.amount", "parameters.decisiveness"],
         "S1": [0.6, 0.2, 0.1], "S1_conf": [0.05] * 3, "ST": [0.7, 0.25, 0.1],
         "ST_conf": [0.05] * 3}
    )  # fmt: skip
    indices.attrs.update(metric="final_influence.China.Tajikistan", method="sobol",
                         labels={"parameters.decisiveness": "r"}, currency="CNY")  # fmt: skip
    got = assert_readable_and_inside(sweep_plots.indices_bar(indices))
    assert "China's budget, CNY m/month" in got and "r" in got
    assert any("China's influence over Tajikistan at the end" in s for s in got)


def test_report_figures_are_inside() -> None:
    from sim.report import (
        _alignment_figure,
        _change_figure,
        _influence_figure,
        alignment_tables,
        influence_table,
        run_variants,
    )

    results = run_variants(seeds=range(2), months=6)
    patrons = list(results[0].patrons[:2])
    table = influence_table(results, patrons)
    for fig in (_influence_figure(table, results), _change_figure(table, results),
                _alignment_figure(*alignment_tables(results), results)):  # fmt: skip
        assert_readable_and_inside(fig)
