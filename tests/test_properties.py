"""MODEL.md's properties 1-5 and 9, as assertions on real runs of the Mesa model.

Properties 6 (half-lives) and 7 (the contest) are in ``test_dynamics.py``; property 8
(landscape) in ``test_landscape.py``; run-versus-ensemble equivalence in ``test_ensemble.py``.
"""

from __future__ import annotations

import copy
import multiprocessing
import random
import re
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from pydantic import BaseModel

from sim.model import InfluenceModel
from sim.scenario import Money, Scenario, SetEvent, load_scenario

ROOT = Path(__file__).resolve().parent.parent
ARTICLE = ROOT / "scenarios" / "central_asia_2016.yaml"
VARIANTS = sorted(p for p in (ROOT / "scenarios").glob("*.yaml") if p != ARTICLE)

RunModel = Callable[..., InfluenceModel]
ScenarioFrom = Callable[[dict[str, Any]], Scenario]


# --------------------------------------------------------------------------- helpers


def outputs(model: InfluenceModel) -> dict[str, np.ndarray]:
    """The recorded arrays of a finished model: (T, R, ...) each."""
    rec = model.records
    return {
        "influence": rec.influence[: rec.n_recorded].copy(),
        "stocks": rec.stocks[: rec.n_recorded].copy(),
        "threat": rec.threat[: rec.n_recorded].copy(),
        "member": rec.member[: rec.n_recorded].copy(),
    }


def assert_same_outputs(a: InfluenceModel, b: InfluenceModel, *, atol: float = 1e-9) -> None:
    """Influence and threat equal to ``atol``, memberships exactly, summaries the same."""
    oa, ob = outputs(a), outputs(b)
    np.testing.assert_allclose(oa["influence"], ob["influence"], rtol=0, atol=atol)
    np.testing.assert_allclose(oa["threat"], ob["threat"], rtol=0, atol=atol)
    np.testing.assert_array_equal(oa["member"], ob["member"])
    for sa, sb in zip(a.records.summaries(), b.records.summaries(), strict=True):
        for key in ("dominant", "overtake_month", "bloc_sizes", "bloc_members"):
            assert sa[key] == sb[key], key


# --------------------------------------------------------------------------- P1 bounds


def _check_bounds(model: InfluenceModel) -> None:
    inf = model.records.influence[: model.records.n_recorded]  # (T, R, P, N)
    assert model.records.n_recorded == model.n_months
    assert np.isfinite(inf).all()
    assert (inf >= 0.0).all(), f"negative influence {inf.min()}"
    total = inf.sum(axis=2)  # over patrons
    # one rounding of the shares' division may push the sum a few ulps past 1
    assert (total <= 1.0 + 1e-12).all(), f"patrons hold {total.max()!r} of a state"
    # the states frame agrees: the autonomy share is what patrons do not hold
    assert np.isfinite(model.records.threat[: model.records.n_recorded]).all()


@pytest.mark.parametrize("path", [ARTICLE, *VARIANTS], ids=lambda p: Path(p).stem)
def test_p1_influence_is_a_share_at_every_step(path: Path, run_model: RunModel) -> None:
    """0 <= I[p, t] and sum_p I[p, t] <= 1, every state, every month, 8 seeds, 10 years."""
    model = run_model(load_scenario(path), seeds=list(range(8)))
    _check_bounds(model)
    inf = model.records.influence
    assert inf.max() > 0.3, "the article's patrons hold a visible share somewhere"


def test_p1_holds_at_extreme_parameters(
    article_raw: dict[str, Any], scenario_from: ScenarioFrom, run_model: RunModel
) -> None:
    """Winner-take-all decisiveness, zero autonomy, huge and tiny budgets: still shares."""
    scenarios = []
    for r, autonomy, budget in [
        (50.0, 0.0, "1e6 m USD"),
        (0.05, 0.0, "1e-6 m USD"),
        (20.0, 1e-9, "200 m USD"),
        (1.0, 0.0, "0 USD"),
    ]:
        d = copy.deepcopy(article_raw)
        d["parameters"]["decisiveness"] = r
        d["parameters"]["security_relief"] = 1000.0
        for actor in d["actors"].values():
            actor["autonomy"] = autonomy
        d["patrons"]["China"]["budget"] = budget
        scenarios.append(scenario_from(d))
    model = run_model(scenarios, seeds=[1, 2, 3, 4], months=60)
    _check_bounds(model)
    winner = model.records.influence[-1, 0].max(axis=0)  # r = 50, no autonomy
    held = winner[winner > 0]
    assert held.size and (held > 0.99).all(), "r = 50 is winner-take-all"


# --------------------------------------------------------------------------- P2 currency


def _walk(obj: Any, money: Callable[[Money], Any], budget_value: Callable[[float], Any]) -> Any:
    """Rebuild ``obj`` with every ``Money`` replaced by ``money(m)``.

    Budgets set by events (``set`` on ``patrons.<P>.budget``) are money in the scenario's
    currency too; their value goes through ``budget_value``.
    """
    if isinstance(obj, Money):
        return money(obj)
    if isinstance(obj, BaseModel):
        update = {
            name: _walk(getattr(obj, name), money, budget_value) for name in type(obj).model_fields
        }
        if isinstance(obj, SetEvent) and obj.path.endswith(".budget"):
            update["value"] = budget_value(obj.value)
        return obj.model_copy(update=update)
    if isinstance(obj, dict):
        return {k: _walk(v, money, budget_value) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_walk(v, money, budget_value) for v in obj]
    if isinstance(obj, tuple):
        return tuple(_walk(v, money, budget_value) for v in obj)
    return obj


def _to_raw(obj: Any, money: Callable[[Money], Any], budget_value: Callable[[float], Any]) -> Any:
    """A validated scenario back to raw YAML data, money written by ``money(m)``."""
    if isinstance(obj, Money):
        return money(obj)
    if isinstance(obj, BaseModel):
        out = {}
        for name, field in type(obj).model_fields.items():
            out[field.alias or name] = _to_raw(getattr(obj, name), money, budget_value)
        if isinstance(obj, SetEvent) and obj.path.endswith(".budget"):
            out["value"] = budget_value(obj.value)
        return out
    if isinstance(obj, dict):
        return {k: _to_raw(v, money, budget_value) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_to_raw(v, money, budget_value) for v in obj]
    return obj


@pytest.fixture
def money_scenario(article_raw: dict[str, Any], scenario_from: ScenarioFrom) -> Scenario:
    """The article plus a budget set by an event (money in the scenario's own currency)."""
    article_raw["events"]["russia_budget_cut"] = {
        "type": "set",
        "path": "patrons.Russia.budget",
        "value": 60.0,
        "from": 24,
        "to": 71,
    }
    return scenario_from(article_raw)


@pytest.mark.parametrize("c", [1e-3, 0.5, 7.3, 1e6])
def test_p2_scaling_every_amount_changes_no_output(
    money_scenario: Scenario, run_model: RunModel, c: float
) -> None:
    """Multiply every Money amount (and event-set budget) by c: the same influence and blocs."""
    found: list[Money] = []

    def scale(m: Money) -> Money:
        found.append(m)
        return Money(m.amount * c, m.currency)

    scaled = _walk(money_scenario, scale, lambda v: v * c)
    assert len(found) >= 50, "the walk reached GDPs, spending, budgets, stocks and aid"
    seeds = [11, 12, 13]
    base = run_model(money_scenario, seeds=seeds)
    other = run_model(scaled, seeds=seeds)
    # the money did change: GDPs, budgets and stocks are c times larger
    np.testing.assert_allclose(other.world.gdp, c * base.world.gdp, rtol=1e-12)
    np.testing.assert_allclose(other.world.budget_base, c * base.world.budget_base, rtol=1e-12)
    np.testing.assert_allclose(
        outputs(other)["stocks"], c * outputs(base)["stocks"], rtol=1e-9, atol=1e-12 * c
    )
    assert_same_outputs(base, other)


@pytest.mark.parametrize("style", ["CNY strings", "RUB strings", "RUB scenario currency"])
def test_p2_article_rewritten_in_another_currency_gives_the_same_run(
    money_scenario: Scenario, run_model: RunModel, write_yaml: Callable[..., Path], style: str
) -> None:
    """Every amount re-expressed in CNY or RUB at the scenario's rates: identical outputs."""
    sc = money_scenario
    cur = style[:3]
    rate = sc.rate(cur)
    bare = style.endswith("currency")

    def express(m: Money) -> Any:
        amount = sc.usd(m) * rate
        return amount if bare else f"{amount!r} m {cur}"

    def budget(v: float) -> float:
        usd = v / sc.rate(sc.currency)
        return usd * rate if bare else usd

    raw = _to_raw(sc, express, budget)
    if bare:
        raw["currency"] = cur
    path = write_yaml(raw, f"article_{style.replace(' ', '_')}.yaml")
    money_strings = re.findall(r"[0-9] m ([A-Z]{3})", path.read_text())
    assert set(money_strings) == (set() if bare else {cur}), "amounts written as the style says"
    rewritten = load_scenario(path)
    base = run_model(sc, seeds=[5, 6])
    other = run_model(rewritten, seeds=[5, 6])
    np.testing.assert_allclose(other.world.gdp, base.world.gdp, rtol=1e-12)
    assert_same_outputs(base, other)


# --------------------------------------------------------------------------- P3 relabelling


def _shuffled(d: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    items = list(d.items())
    for _ in range(10):  # a real reordering, not the identity
        rng.shuffle(items)
        if [k for k, _ in items] != list(d):
            break
    return dict(items)


def reorder(
    raw: dict[str, Any],
    rng: random.Random,
    *,
    actors: bool = True,
    patrons: bool = True,
    blocs: bool = True,
) -> dict[str, Any]:
    """The same scenario written in another order (borders, members, events, keys too)."""
    d = copy.deepcopy(raw)
    if actors:
        d["actors"] = _shuffled(d["actors"], rng)
    if patrons:
        d["patrons"] = _shuffled(d["patrons"], rng)
    if blocs:
        d["blocs"] = _shuffled(d["blocs"], rng)
    rng.shuffle(d["borders"])
    d["borders"] = [b if rng.random() < 0.5 else b[::-1] for b in d["borders"]]
    d["events"] = _shuffled(d["events"], rng)
    for bloc in d["blocs"].values():
        rng.shuffle(bloc["members"])
    for patron in d["patrons"].values():
        for key in ("allocation", "value", "stocks"):
            patron[key] = _shuffled(patron[key], rng)
    return d


def assert_permuted(a: InfluenceModel, b: InfluenceModel) -> None:
    """``b``'s outputs are ``a``'s, permuted by name (influence to 1e-12, blocs exactly)."""
    wa, wb = a.world, b.world
    pa = [wb.actors.index(x) for x in wa.actors]
    pp = [wb.patrons.index(x) for x in wa.patrons]
    pb = [wb.blocs.index(x) for x in wa.blocs]
    oa, ob = outputs(a), outputs(b)
    np.testing.assert_allclose(
        oa["influence"], ob["influence"][:, :, pp][:, :, :, pa], rtol=0, atol=1e-12
    )
    np.testing.assert_allclose(
        oa["stocks"], ob["stocks"][:, :, pp][:, :, :, pa], rtol=1e-12, atol=1e-9
    )
    np.testing.assert_allclose(oa["threat"], ob["threat"][:, :, pa], rtol=0, atol=1e-12)
    np.testing.assert_array_equal(oa["member"], ob["member"][:, :, pa][:, :, :, pb])
    keys = ["dominant", "bloc_sizes", "rivalry", "overtake_month"]
    for sa, sb in zip(a.records.summaries(), b.records.summaries(), strict=True):
        for key in keys:
            assert sa[key] == sb[key], key
        assert {k: sorted(v) for k, v in sa["bloc_members"].items()} == {
            k: sorted(v) for k, v in sb["bloc_members"].items()
        }
        for p, row in sa["regional_index"].items():
            for w, v in row.items():
                assert v == pytest.approx(sb["regional_index"][p][w], abs=1e-12)


@pytest.fixture
def noise_off(article_raw: dict[str, Any]) -> dict[str, Any]:
    article_raw["parameters"]["stochastic"] = False
    return article_raw


@pytest.mark.parametrize("order_seed", [1, 2, 3])
def test_p3_noise_off_any_reordering_permutes_outputs(
    noise_off: dict[str, Any], scenario_from: ScenarioFrom, run_model: RunModel, order_seed: int
) -> None:
    """Without noise, reordering actors, patrons, blocs, borders, members, events and keys
    permutes influence, stocks, threat, memberships and the summaries, and changes nothing
    else."""
    rng = random.Random(order_seed)
    other = reorder(noise_off, rng)
    assert list(other["actors"]) != list(noise_off["actors"])
    a = run_model(scenario_from(noise_off), seeds=7)
    b = run_model(scenario_from(other), seeds=7)
    assert_permuted(a, b)


@pytest.mark.parametrize("declared", [True, False], ids=["declared", "default"])
def test_p3_patron_order_does_not_choose_the_rivalry(
    noise_off: dict[str, Any], scenario_from: ScenarioFrom, run_model: RunModel, declared: bool
) -> None:
    """Writing Russia before China must not change whose overtaking the summary reports,
    whether the scenario declares its rivalry or leaves it to the default."""
    if not declared:
        noise_off.pop("rivalry", None)
    other = copy.deepcopy(noise_off)
    other["patrons"] = dict(reversed(list(other["patrons"].items())))
    a = run_model(scenario_from(noise_off), seeds=7, months=24)
    b = run_model(scenario_from(other), seeds=7, months=24)
    assert_permuted(a, b)


@pytest.mark.parametrize("order_seed", [5, 9])
def test_p3_noise_on_any_reordering_permutes_outputs_exactly(
    article_raw: dict[str, Any], scenario_from: ScenarioFrom, run_model: RunModel, order_seed: int
) -> None:
    """With noise on, each run's draws are made in name order (sim.world), so reordering
    actors, blocs, patrons, borders, members, events and keys permutes every output exactly,
    run by run: the same state draws the same numbers wherever the file lists it."""
    rng = random.Random(order_seed)
    other = reorder(article_raw, rng)
    assert list(other["actors"]) != list(article_raw["actors"])
    assert list(other["blocs"]) != list(article_raw["blocs"])
    seeds = [3, 4, 5, 6]
    a = run_model(scenario_from(article_raw), seeds=seeds)
    b = run_model(scenario_from(other), seeds=seeds)
    # the noise is real: the runs differ from each other
    assert not np.array_equal(a.records.member[:, 0], a.records.member[:, 1]) or not np.allclose(
        a.records.influence[:, 0], a.records.influence[:, 1]
    )
    assert_permuted(a, b)


# --------------------------------------------------------------------------- P4 idle patron


def test_p4_a_patron_with_no_budget_and_no_stocks_holds_nothing_forever(
    article_raw: dict[str, Any], scenario_from: ScenarioFrom, run_model: RunModel
) -> None:
    """India (adaptive, values Afghanistan, an SCO member) and Iran (fixed shares) spend
    nothing and start with nothing: zero influence over every state, every month, every run."""
    d = article_raw
    d["actors"]["India"] = {
        "gdp": "2100 bn USD",
        "population": 1324,
        "location": [28.61, 77.21],
        "autonomy": 1.0,
        "alignment_rule": "hedging",
    }
    d["actors"]["Iran"] = {
        "gdp": "400 bn USD",
        "population": 80,
        "location": [35.69, 51.39],
        "autonomy": 1.0,
    }
    d["borders"].append(["Iran", "Afghanistan"])
    d["borders"].append(["Iran", "Turkmenistan"])
    d["patrons"]["India"] = {"budget": 0, "strategy": "adaptive", "value": {"Afghanistan": 3.0}}
    d["patrons"]["Iran"] = {
        "budget": "0 m USD",
        "strategy": "fixed",
        "allocation": {"Afghanistan": {"security": 0.5}, "Tajikistan": {"leverage": 0.5}},
    }
    d["blocs"]["SCO"]["members"].append("India")
    model = run_model(scenario_from(d), seeds=[1, 2, 3, 4])
    w = model.world
    idle = [w.patron("India"), w.patron("Iran")]
    rec = model.records
    assert (rec.influence[:, :, idle] == 0.0).all()
    assert (rec.stocks[:, :, idle] == 0.0).all()
    assert (rec.flow[:, :, idle] == 0.0).all()
    # the others still compete
    assert rec.influence[-1, :, w.patron("China")].max() > 0.3


# --------------------------------------------------------------------------- P5 monotonicity


@pytest.fixture
def monotone_base(article_raw: dict[str, Any]) -> dict[str, Any]:
    """Noise off, China's strategy fixed."""
    article_raw["parameters"]["stochastic"] = False
    article_raw["patrons"]["China"]["strategy"] = "fixed"
    return article_raw


def _china_over_afghanistan(model: InfluenceModel) -> np.ndarray:
    w = model.world
    return model.records.influence[:, :, w.patron("China"), w.actor("Afghanistan")]  # (T, R)


@pytest.mark.parametrize("variant", ["article", "russia_joins_quartet"])
def test_p5_more_chinese_aid_to_kabul_never_lowers_chinas_influence(
    monotone_base: dict[str, Any], scenario_from: ScenarioFrom, run_model: RunModel, variant: str
) -> None:
    """The china_aid_kabul event from 0 to 1 bn CNY: China's influence over Afghanistan is
    non-decreasing in the amount at every month of ten years."""
    if variant == "russia_joins_quartet":
        monotone_base["events"]["russia_joins_qccm"] = {
            "type": "join",
            "state": "Russia",
            "bloc": "QCCM",
            "month": 0,
        }
    amounts = [0, 1, 30, 150, 300, 600, 1200, 3000, 10_000, 100_000, 1e6]
    scenarios = []
    for amount in amounts:
        d = copy.deepcopy(monotone_base)
        d["events"]["china_aid_kabul"]["amount"] = f"{amount} m CNY"
        scenarios.append(scenario_from(d))
    inf = _china_over_afghanistan(run_model(scenarios, seeds=[1] * len(amounts)))
    steps = np.diff(inf, axis=1)  # along increasing aid
    assert (steps >= 0).all(), f"more aid lowered China's influence by {-steps.min()}"
    assert (inf[-1, -1] - inf[-1, 0]) > 0.1, "the aid matters"


def test_p5_a_larger_security_allocation_to_afghanistan_never_lowers_influence(
    monotone_base: dict[str, Any], scenario_from: ScenarioFrom, run_model: RunModel
) -> None:
    """China's allocation to Afghan security from 0 to 3 (other shares fixed)."""
    shares = [0.0, 0.005, 0.02, 0.05, 0.1, 0.3, 1.0, 3.0]
    scenarios = []
    for s in shares:
        d = copy.deepcopy(monotone_base)
        d["patrons"]["China"]["allocation"]["Afghanistan"]["security"] = s
        scenarios.append(scenario_from(d))
    inf = _china_over_afghanistan(run_model(scenarios, seeds=[2] * len(shares)))
    assert (np.diff(inf, axis=1) >= 0).all()
    assert (inf[-1, -1] - inf[-1, 0]) > 0.1


# --------------------------------------------------------------------------- P9 same seed


def test_p9_same_seed_same_results(article: Scenario, run_model: RunModel) -> None:
    """Two runs with the same seed are identical, bit for bit; another seed differs."""
    a = outputs(run_model(article, seeds=[42, 43]))
    b = outputs(run_model(article, seeds=[42, 43]))
    for key in a:
        np.testing.assert_array_equal(a[key], b[key], err_msg=key)
    assert not np.array_equal(a["threat"][:, 0], a["threat"][:, 1]), "seeds matter"


def _run_in_worker(path: str, seed: int, months: int) -> dict[str, np.ndarray]:
    """Run one scenario in a worker process; return its recorded arrays."""
    model = InfluenceModel(load_scenario(path), seeds=seed, months=months)
    model.run()
    return outputs(model)


def test_p9_same_results_in_parallel_processes(article: Scenario, run_model: RunModel) -> None:
    """Runs in spawned worker processes (ProcessPoolExecutor) equal the runs in this process."""
    seeds = [3, 20160301, 77, 1234]
    ctx = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=2, mp_context=ctx) as pool:
        futures = [pool.submit(_run_in_worker, str(ARTICLE), s, 72) for s in seeds]
        remote = [f.result(timeout=120) for f in futures]
    for seed, got in zip(seeds, remote, strict=True):
        here = outputs(run_model(article, seeds=seed, months=72))
        for key in here:
            np.testing.assert_array_equal(got[key], here[key], err_msg=f"seed {seed}: {key}")
