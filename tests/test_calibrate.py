"""Calibration against documented patterns (sim.patterns, sim.calibrate, sim.posterior).

The standard checks of an ABC calibration, each with a small budget: the patterns file is
checked before any run; misfits are what the module says; calibration recovers known
parameters from synthetic patterns the model itself generated (identifiability); a killed
calibration resumes to the same posterior; the posterior file round-trips; runs drawn from
a posterior are paired across variants and show wider bands than seed-only runs.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

import sim
from sim.calibrate import calibrate, simulate
from sim.errors import InputError
from sim.model import InfluenceModel
from sim.patterns import PatternHook, load_patterns
from sim.posterior import Posterior, load_posterior, write_posterior
from sim.scenario import with_values

GREATGAME = Path(sys.executable).parent / "greatgame"
ROOT = Path(__file__).resolve().parent.parent
ARTICLE = ROOT / "scenarios" / "central_asia_2016.yaml"


def patterns_file(tmp_path: Path, body: str, *, parameters: str | None = None) -> Path:
    params = parameters or textwrap.dedent("""\
        parameters:
          patrons.China.budget: {uniform: [100, 400], source: docs}
        """)
    text = (
        f'name: t\nscenario: {ARTICLE}\ncalibration_until: "2020-12"\n'
        + params
        + "patterns:\n"
        + textwrap.indent(textwrap.dedent(body), "  ")
    )
    f = tmp_path / "patterns.yaml"
    f.write_text(text)
    return f


GOOD = """\
csto:
  statement: they stay
  kind: membership
  states: [Kazakhstan]
  bloc: CSTO
  member: true
  window: {from: "2016-03", to: "2020-12"}
  tolerance: 0.0
  source: CSTO lists [high]
"""


@pytest.mark.parametrize(
    ("edit", "needle", "expected"),
    [
        (("kind: membership", "kind: mood"), "kind: mood", "patterns.csto.kind"),
        (("states: [Kazakhstan]", "states: [Atlantis]"), "Atlantis", "unknown state 'Atlantis'"),
        (('to: "2020-12"', 'to: "2030-12"'), "window:", "outside the run"),
        (
            ('from: "2016-03", to: "2020-12"', 'from: "2019-03", to: "2022-12"'),
            "window:",
            "runs across calibration_until",
        ),
        (("  source: CSTO lists [high]\n", ""), "csto:", "source"),
        (("  tolerance: 0.0\n", ""), "csto:", "tolerance"),
        (("bloc: CSTO", "bloc: NATO"), "bloc: NATO", "unknown bloc 'NATO'"),
    ],
)
def test_a_bad_patterns_file_is_one_sentence_before_any_run(
    tmp_path: Path, edit: tuple[str, str], needle: str, expected: str
) -> None:
    body = GOOD.replace(*edit)
    f = patterns_file(tmp_path, body)
    out = tmp_path / "cal"
    proc = subprocess.run(
        [str(GREATGAME), "calibrate", str(ARTICLE), str(f), "--out", str(out)],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert proc.returncode == 1, proc.stderr
    err = proc.stderr.strip()
    assert err.count("\n") == 0 and "Traceback" not in err, err
    assert str(f) in err and expected in err, err
    line = next(i for i, text in enumerate(f.read_text().splitlines(), 1) if needle in text)
    assert f", line {line}" in err, (line, err)
    assert not out.exists(), "nothing runs, nothing is written"


def test_an_unknown_parameter_or_a_bad_prior_is_refused(tmp_path: Path) -> None:
    f = patterns_file(
        tmp_path,
        GOOD,
        parameters="parameters:\n  patrons.China.wealth: {uniform: [1, 2], source: x}\n",
    )
    with pytest.raises(InputError, match=r"line 5: at parameters\.patrons\.China\.wealth"):
        load_patterns(f)
    f = patterns_file(
        tmp_path,
        GOOD,
        parameters="parameters:\n  patrons.China.budget: {uniform: [4, 2], source: x}\n",
    )
    with pytest.raises(InputError, match="low < high"):
        load_patterns(f)


def test_the_shipped_patterns_span_levels_and_split_by_date() -> None:
    spec = load_patterns("central_asia")
    kinds = {p.kind for p in spec.patterns}
    assert kinds == {"membership", "larger_stock", "stock_level"}
    assert spec.calibration and spec.validation
    assert all(p.last <= spec.split for p in spec.calibration)
    assert all(p.first > spec.split for p in spec.validation)
    assert all(p.fields.source for p in spec.patterns)


def test_misfits_by_hand(tmp_path: Path) -> None:
    """One run, three kinds of pattern, misfits computed from the records by hand."""
    f = patterns_file(
        tmp_path,
        GOOD
        + textwrap.dedent("""\
            security:
              statement: Russia the larger
              kind: larger_stock
              instrument: security
              states: [Tajikistan, Kazakhstan]
              larger: Russia
              smaller: China
              window: {from: "2016-03", to: "2017-02"}
              tolerance: 0.0
              source: x
            lending:
              statement: level
              kind: stock_level
              patron: China
              instrument: investment
              states: [Tajikistan, Kyrgyzstan]
              at: "2017-02"
              value: 4000 m USD
              tolerance: 2.0
              source: x
            """),
    )
    spec = load_patterns(f)
    hook = PatternHook(spec)
    model = InfluenceModel(spec.scenario, seeds=1, months=20, hooks=[hook])
    model.run()
    stats, mis = hook.statistics()[0], hook.misfits()[0]
    rec, w = model.records, model.world
    kz, cs = w.actor("Kazakhstan"), w.bloc("CSTO")
    assert stats[0] == pytest.approx(1 - rec.member[:20, 0, kz, cs].mean())
    idx = [w.actor("Tajikistan"), w.actor("Kazakhstan")]
    r, c = w.patron("Russia"), w.patron("China")
    off = rec.stocks[:12, 0, r, idx, 1] <= rec.stocks[:12, 0, c, idx, 1]
    assert stats[1] == pytest.approx(off.mean())
    level = rec.stocks[11, 0, c, [w.actor("Tajikistan"), w.actor("Kyrgyzstan")], 0].sum()
    assert stats[2] == pytest.approx(level)
    assert mis[2] == pytest.approx(max(0.0, abs(np.log(level / 4000)) / np.log(2) - 1))


def synthetic(tmp_path: Path, truth: dict[str, float]) -> Path:
    """Patterns generated by the model itself at ``truth``: China's investment stocks in
    Tajikistan, in Kyrgyzstan and in the five Central Asian states at three dates, each
    within 10%."""
    sc = sim.load("central_asia_2016").model_copy(update={"months": 48})
    model = InfluenceModel(with_values(sc, truth), seeds=[0, 1], months=48)
    model.run()
    w, rec = model.world, model.records
    c = w.patron("China")
    body = ""
    groups = {
        "tj": ["Tajikistan"],
        "kg": ["Kyrgyzstan"],
        "ca": ["Kazakhstan", "Kyrgyzstan", "Tajikistan", "Uzbekistan", "Turkmenistan"],
    }
    for month, date in ((11, "2017-02"), (23, "2018-02"), (35, "2019-02")):
        for name, states in groups.items():
            idx = [w.actor(s) for s in states]
            # (runs, states) -> the states' total, averaged over the two seeds
            value = rec.stocks[month, :, c, :, 0][:, idx].sum(axis=-1).mean()
            body += textwrap.dedent(f"""\
                {name}_{month}:
                  statement: synthetic
                  kind: stock_level
                  patron: China
                  instrument: investment
                  states: {states}
                  at: "{date}"
                  value: {value:.3f} m USD
                  tolerance: 1.1
                  source: the model at known parameters
                """)
    params = textwrap.dedent("""\
        parameters:
          patrons.China.budget: {uniform: [100, 400], source: test}
          patrons.China.stocks.Tajikistan.investment: {uniform: [300, 3000], source: test}
        """)
    f = patterns_file(tmp_path, body, parameters=params)
    f.write_text(
        f.read_text().replace('calibration_until: "2020-12"', 'calibration_until: "2019-06"')
    )
    return f


def test_calibration_recovers_known_parameters_from_synthetic_patterns(tmp_path: Path) -> None:
    """The standard identifiability check: patterns made by the model at known values; a
    small calibration's posterior holds the truth and is much narrower than the prior."""
    truth = {"patrons.China.budget": 260.0, "patrons.China.stocks.Tajikistan.investment": 1400.0}
    f = synthetic(tmp_path, truth)
    sc = sim.load("central_asia_2016").model_copy(update={"months": 48})
    res = calibrate(sc, f, out=tmp_path / "cal", particles=150, generations=8, replicates=2)
    ident = res.identifiability.set_index("parameter")
    for key, value in truth.items():
        row = ident.loc[key]
        assert row["posterior_5"] <= value <= row["posterior_95"], (key, row.to_dict())
        assert row["shrinkage"] > 0.6, (key, row["shrinkage"])
        assert row["verdict"] == "pinned"
    # and the posterior's runs reproduce the patterns (within 10%) most of the time
    assert (res.hit_rates["hit_rate"] > 0.8).all(), res.hit_rates


def test_a_killed_calibration_resumes_to_the_same_posterior(tmp_path: Path) -> None:
    """SIGKILL after the first generation is in the History; the same command finishes it, and
    the posterior equals an uninterrupted calibration's, particle for particle."""
    args = ["central_asia_2016", "central_asia", "--particles", "30", "--generations", "3",
            "--replicates", "1", "--workers", "1", "--seed", "5"]  # fmt: skip
    killed = tmp_path / "killed"
    proc = subprocess.Popen([str(GREATGAME), "calibrate", *args, "--out", str(killed)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)  # fmt: skip
    manifest = killed / "manifest.json"
    deadline = time.time() + 300
    while time.time() < deadline:
        if manifest.is_file() and json.loads(manifest.read_text())["generations_done"] >= 1:
            break
        if proc.poll() is not None:
            pytest.fail(f"finished before it could be killed: {proc.stderr.read()!r}")  # type: ignore[union-attr]
        time.sleep(0.05)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    done = json.loads(manifest.read_text())["generations_done"]
    assert 1 <= done < 3
    again = subprocess.run([str(GREATGAME), "calibrate", *args, "--out", str(killed)],
                           capture_output=True, text=True, timeout=600)  # fmt: skip
    assert again.returncode == 0, again.stderr
    whole = tmp_path / "whole"
    calibrate("central_asia_2016", "central_asia", out=whole, particles=30, generations=3,
              replicates=1, seed=5)  # fmt: skip
    a = load_posterior(killed / "posterior.parquet").frame
    b = load_posterior(whole / "posterior.parquet").frame
    pd.testing.assert_frame_equal(a, b)


def test_another_calibration_in_the_same_folder_is_refused(tmp_path: Path) -> None:
    calibrate("central_asia_2016", "central_asia", out=tmp_path / "c", particles=10,
              generations=1, replicates=1)  # fmt: skip
    before = sorted(p.name for p in (tmp_path / "c").iterdir())
    with pytest.raises(InputError, match="holds another calibration"):
        calibrate("central_asia_2016", "central_asia", out=tmp_path / "c", particles=12,
                  generations=1, replicates=1)  # fmt: skip
    assert sorted(p.name for p in (tmp_path / "c").iterdir()) == before


def test_chunks_and_executors_change_no_number() -> None:
    """Particles run on the run axis: their misfits do not depend on the chunk they share or on
    the executor (serial here, processes and Dask in test_calibration_executors)."""
    spec = load_patterns("central_asia")
    rng = np.random.default_rng(0)
    params = [{p.key: float(rng.uniform(p.low, p.high)) for p in spec.priors} for _ in range(7)]
    a = simulate(spec, params, seeds=[0, 1], chunk=7)
    b = simulate(spec, params, seeds=[0, 1], chunk=2)
    np.testing.assert_array_equal(a[0], b[0])
    np.testing.assert_array_equal(a[1], b[1])


@pytest.mark.dask
def test_a_calibration_on_dask_equals_the_serial_one(tmp_path: Path) -> None:
    kw: dict[str, Any] = {"particles": 12, "generations": 2, "replicates": 1, "seed": 3}
    serial = calibrate("central_asia_2016", "central_asia", out=tmp_path / "s", **kw)
    dask = calibrate("central_asia_2016", "central_asia", out=tmp_path / "d", workers=2,
                     dask=True, **kw)  # fmt: skip
    pd.testing.assert_frame_equal(serial.posterior, dask.posterior)


# --------------------------------------------------------------------------- the posterior


def test_the_posterior_file_round_trips(tmp_path: Path) -> None:
    frame = pd.DataFrame(
        {"particle": [0, 1, 2], "generation": 4, "weight": [0.2, 0.5, 0.3],
         "distance": [0.1, 0.0, 0.05], "patrons.China.budget": [150.0, 220.5, 301.25]}
    )  # fmt: skip
    meta = {"scenario": "central_asia_2016", "particles": 3}
    write_posterior(frame, tmp_path / "p.parquet", meta=meta)
    post = load_posterior(tmp_path / "p.parquet")
    pd.testing.assert_frame_equal(post.frame, frame)
    assert post.meta == meta and post.keys == ["patrons.China.budget"]


def test_a_bad_posterior_file_is_one_sentence(tmp_path: Path) -> None:
    bad = tmp_path / "x.parquet"
    bad.write_text("not parquet")
    with pytest.raises(InputError, match="not a readable posterior"):
        load_posterior(bad)
    with pytest.raises(InputError, match="no such posterior file"):
        load_posterior(tmp_path / "missing.parquet")
    frame = pd.DataFrame({"weight": [0.0, 0.0], "patrons.China.budget": [1.0, 2.0]})
    write_posterior(frame, tmp_path / "zero.parquet", meta={})
    with pytest.raises(InputError, match="all 0"):
        load_posterior(tmp_path / "zero.parquet")


def test_draws_are_paired_by_seed_and_follow_the_weights() -> None:
    post = Posterior(
        frame=pd.DataFrame({"weight": [0.9, 0.1], "patrons.China.budget": [150.0, 350.0]}),
        keys=["patrons.China.budget"],
    )
    seeds = list(range(400))
    draws = post.draw(seeds)
    assert draws == post.draw(seeds)  # the same seed, the same draw
    assert draws[:50] == post.draw(seeds[:50])  # whatever the ensemble
    share = np.mean([d["patrons.China.budget"] == 150.0 for d in draws])
    assert 0.85 < share < 0.95
    base = post.scenarios(sim.load("central_asia_2016"), seeds[:5])
    variant = post.scenarios(sim.load("russia_joins_quartet"), seeds[:5])
    assert [sc.patrons["China"].budget for sc in base] == [
        sc.patrons["China"].budget for sc in variant
    ]


def test_a_variant_skips_the_calibrated_keys_it_has_no_place_for(cli: Any, tmp_path: Path) -> None:
    """russia_refocuses drops the event russia_distracted: its runs draw every other
    calibrated key, paired with the base's draws, and say which key they skip; the report
    over all variants runs with the shipped posterior. A scenario holding none of the keys
    is refused in one sentence."""
    post = load_posterior("central_asia")
    refocused = sim.load("russia_refocuses")
    held, skipped = post.held_keys(refocused)
    assert skipped == ["events.russia_distracted.value"]
    assert set(held) == set(post.keys) - set(skipped)
    seeds = [4, 5, 6]
    base, variant = post.scenarios(sim.load(), seeds), post.scenarios(refocused, seeds)
    for b, v, draw in zip(base, variant, post.draw(seeds), strict=True):
        china = draw["patrons.China.budget"]
        assert b.patrons["China"].budget.amount == v.patrons["China"].budget.amount == china
        assert b.events["russia_distracted"].value == draw["events.russia_distracted.value"]
        assert "russia_distracted" not in v.events
    res = sim.run(refocused, seed=seeds, months=3, posterior=post)
    assert res.summary["posterior"]["skipped"] == skipped

    code, _out, err = cli(
        "report", "--seeds", "2", "--posterior", "central_asia", "--out", tmp_path / "rep"
    )
    assert code == 0, err
    page = (tmp_path / "rep" / "report.md").read_text()
    assert "russia_refocuses has no place for `events.russia_distracted.value`" in page

    lone = Posterior(frame=pd.DataFrame({"weight": [1.0], "events.nothing.value": [1.0]}),
                     keys=["events.nothing.value"])  # fmt: skip
    with pytest.raises(InputError, match="holds none of its calibrated keys"):
        lone.scenarios(sim.load(), [1])


def test_the_shipped_posterior_fits_the_shipped_scenario() -> None:
    post = load_posterior("central_asia")
    assert post.meta["scenario"] == "central_asia_2016"
    assert set(post.keys) == {p.key for p in load_patterns("central_asia").priors}
    sim.run("central_asia_2016", seed=[1, 2], months=3, posterior=post)


def test_posterior_bands_are_wider_than_seed_only_bands_where_parameters_are_loose() -> None:
    """With the shipped posterior each run draws its own parameters: where the patterns leave
    a parameter loose (the identifiability table), the bands over runs widen beyond what the
    seeds alone give."""
    from sim.calibrate import identifiability

    post = load_posterior("central_asia")
    table = identifiability(post.frame, load_patterns("central_asia"))
    loose = set(table[table["verdict"] != "pinned"]["parameter"])
    assert loose, "the calibration leaves some parameter loose"
    seeds = list(range(40))
    plain = sim.run("central_asia_2016", seed=seeds, months=60, record="final")
    drawn = sim.run("central_asia_2016", seed=seeds, months=60, record="final", posterior=post)
    region = [plain.model.world.actor(a) for a in plain.model.world.region]

    def spread(res: Any) -> float:
        inf = res.model.world.influence[:, :, region]  # (R, P, n)
        lo, hi = np.percentile(inf, [5, 95], axis=0)
        return float((hi - lo).mean())

    assert spread(drawn) > 1.5 * spread(plain)
    assert drawn.varies == "seeds and posterior draws" and plain.varies == "seeds"


def test_greatgame_run_with_a_posterior_says_what_its_bands_show(cli: Any, tmp_path: Path) -> None:
    code, _out, err = cli(
        "run", "--posterior", "central_asia", "--runs", "4", "--months", "12",
        "--out", tmp_path / "r", "--seed", "3",
    )  # fmt: skip
    assert code == 0, err
    summary = json.loads((tmp_path / "r" / "summary.json").read_text())
    assert summary["posterior"]["runs"] == 4
    assert summary["posterior"]["bands"] == "seeds and posterior draws"
    assert set(summary["posterior"]["draw"]) == set(load_posterior("central_asia").keys)
    code, _, err = cli("run", "--posterior", tmp_path / "none.parquet", "--months", "2")
    assert code == 1 and "no such posterior file" in err


def test_the_shipped_scenario_holds_the_posterior_medians() -> None:
    """The article's scenario is the calibration's point estimate: each calibrated leaf is
    the shipped posterior's weighted median to four significant figures, and its comment
    cites the posterior, so the scenario and the posterior cannot drift apart silently."""
    from sim.scenario_text import number_lines

    post = load_posterior("central_asia")
    base = sim.load("central_asia_2016")
    comments = {line.key: line.comment for line in number_lines(ARTICLE)}
    for row in post.summary().itertuples():
        value: Any = base
        for part in row.parameter.split("."):
            value = value[part] if isinstance(value, dict) else getattr(value, part)
        number = base.usd(value) if hasattr(value, "amount") else float(value)
        assert number == float(f"{row.median:.4g}"), (row.parameter, value, row.median)
        assert "posterior_central_asia.parquet" in comments[row.parameter], row.parameter
