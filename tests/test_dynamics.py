"""The model's math (sim.dynamics): MODEL.md properties 6 (half-lives) and 7 (the contest).

Property 6 is checked twice: on the pure functions, and on a real run with every budget and
event removed, where recorded stocks must halve in exactly the documented half-life.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from sim import dynamics
from sim.model import InfluenceModel
from sim.scenario import INSTRUMENTS, Scenario

RunModel = Callable[..., InfluenceModel]
ScenarioFrom = Callable[[dict[str, Any]], Scenario]


def one(*values: float) -> np.ndarray:
    """A run axis of length 1 (or len(values)) for per-run parameters."""
    return np.asarray(values, dtype=float)


# --------------------------------------------------------------------------- P6 half-lives


@pytest.mark.parametrize("h", [1.0, 2.5, 24.0, 36.0, 60.0, 1e4])
def test_p6_decay_factor_halves_in_the_half_life(h: float) -> None:
    ret = dynamics.decay_factor(h)
    assert float(ret) == pytest.approx(0.5 ** (1.0 / h), rel=1e-15)
    x = np.full((1, 1, 1, 1), 1234.5)
    steps = round(h) if float(h).is_integer() else None
    if steps is not None and steps <= 100:
        for _ in range(steps):
            x = dynamics.step_stocks(x, np.zeros_like(x), np.full((1, 1), ret))
        assert x[0, 0, 0, 0] == pytest.approx(1234.5 / 2, rel=1e-12)


def test_p6_decay_factor_refuses_non_positive_half_lives() -> None:
    with pytest.raises(ValueError, match="half-life must be > 0"):
        dynamics.decay_factor(np.array([12.0, 0.0]))


def _no_flow(raw: dict[str, Any], half_life: dict[str, float]) -> dict[str, Any]:
    """The article with every budget at zero, no events and the given half-lives."""
    for patron in raw["patrons"].values():
        patron["budget"] = 0
    raw["events"] = {}
    raw["parameters"]["half_life"] = half_life
    return raw


@pytest.mark.parametrize(
    "half_life",
    [
        {"investment": 60, "security": 24, "leverage": 36},  # the article's
        {"investment": 7, "security": 1, "leverage": 13.5},
    ],
)
def test_p6_stocks_without_flow_halve_in_exactly_the_half_life(
    article_raw: dict[str, Any],
    scenario_from: ScenarioFrom,
    run_model: RunModel,
    half_life: dict[str, float],
) -> None:
    """Zero budgets, no aid: stock(h) = stock(0) / 2 per instrument, to 1e-12 relative; each
    month keeps exactly 0.5 ** (1 / h) of the last."""
    sc = scenario_from(_no_flow(article_raw, half_life))
    months = 2 * int(max(half_life.values())) + 1
    model = InfluenceModel(sc, seeds=[1, 2], months=months)
    start = model.world.stocks.copy()  # (R, P, N, K) at month 0, before any decay
    model.run()
    rec = model.records.stocks  # slot m: after m + 1 months
    assert (rec[: model.records.n_recorded] >= 0).all()
    assert (model.records.flow == 0).all()
    for k, name in enumerate(INSTRUMENTS):
        h = float(half_life[name])
        held = start[..., k] > 0
        assert held.any(), f"the article holds {name} stocks"
        for periods in (1, 2):  # after one and after two half-lives (integral month counts)
            months_elapsed = periods * h
            if not months_elapsed.is_integer():
                continue
            after = rec[int(months_elapsed) - 1, ..., k]
            np.testing.assert_allclose(
                after[held], start[..., k][held] / 2**periods, rtol=1e-12, atol=0
            )
        ratio = rec[1:, ..., k][:, held] / rec[:-1, ..., k][:, held]
        np.testing.assert_allclose(ratio, 0.5 ** (1.0 / h), rtol=1e-12, atol=0)
        assert (rec[..., k][:, ~held] == 0).all()


def test_stocks_follow_the_stock_equation_with_flows(
    article: Scenario, run_model: RunModel
) -> None:
    """X(m) = (1 - delta) X(m - 1) + flow(m) for every recorded month of the article."""
    model = run_model(article, seeds=[3, 4], months=36)
    rec = model.records
    ret = model.world.retention  # (R, K)
    expected = rec.stocks[:-1] * ret[None, :, None, None, :] + rec.flow[1:]
    np.testing.assert_allclose(rec.stocks[1:], expected, rtol=1e-12, atol=1e-9)
    assert rec.flow.sum() > 0


# --------------------------------------------------------------------------- P7 contest


def contest(efforts: list[float], a: float, r: float) -> np.ndarray:
    """Shares of one target (P patrons) as a flat array."""
    e = np.asarray(efforts, dtype=float).reshape(1, -1, 1)
    return dynamics.contest(e, np.array([[a]]), one(r))[0, :, 0]


@pytest.mark.parametrize("r", [0.3, 1.0, 2.0, 7.0, 50.0])
@pytest.mark.parametrize("players", [2, 3, 5])
def test_p7_equal_efforts_without_autonomy_split_evenly(r: float, players: int) -> None:
    for effort in (1e-9, 0.02, 3.0, 1e6):
        shares = contest([effort] * players, 0.0, r)
        np.testing.assert_allclose(shares, 1.0 / players, rtol=1e-12)


@pytest.mark.parametrize(
    ("efforts", "a", "r", "expected"),
    [
        ([2.0, 1.0], 1.0, 1.0, [2 / 4, 1 / 4]),
        ([2.0, 1.0], 1.0, 2.0, [4 / 6, 1 / 6]),
        ([2.0, 1.0], 0.0, 1.0, [2 / 3, 1 / 3]),
        ([3.0, 1.0], 2.0, 0.5, [3**0.5 / (2**0.5 + 3**0.5 + 1), 1 / (2**0.5 + 3**0.5 + 1)]),
        ([0.0, 1.0], 1.0, 1.0, [0.0, 0.5]),
        ([0.0, 0.0], 1.0, 3.0, [0.0, 0.0]),
        ([0.0, 0.0], 0.0, 1.0, [0.0, 0.0]),  # nobody holds a target nobody contests
        ([0.0, 0.0], 0.0, 2.0, [0.0, 0.0]),
    ],
)
def test_p7_two_player_values(efforts: list[float], a: float, r: float, expected: list[float]):
    np.testing.assert_allclose(contest(efforts, a, r), expected, rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("r", [1.0, 5.0, 20.0, 50.0, 200.0, 2000.0])
def test_p7_large_decisiveness_is_winner_take_all(r: float) -> None:
    """Shares follow E_p^r / (a^r + sum E^r) in log space, finite for any r, and the leader's
    share tends to 1 as r grows, even against a rival only 2% behind."""
    efforts, a = [1.02, 1.0, 0.5], 0.9
    shares = contest(efforts, a, r)
    assert np.isfinite(shares).all()
    rel = np.array([1.0, *(x / efforts[0] for x in efforts[1:]), a / efforts[0]]) ** r
    np.testing.assert_allclose(shares[0], 1 / rel.sum(), rtol=1e-10)
    np.testing.assert_allclose(shares[1:], rel[1:3] / rel.sum(), rtol=1e-9, atol=1e-300)
    assert contest(efforts, a, 2 * r)[0] >= shares[0]
    if r < 2000:
        assert contest(efforts, a, 2 * r)[0] > shares[0]
    else:
        assert shares[0] == pytest.approx(1.0, abs=1e-15)
        assert shares[1:].sum() < 1e-15


def test_p7_lottery_fast_path_agrees_with_the_general_formula() -> None:
    """r = 1 uses a closed form; the log-space form of a mixed ensemble gives the same."""
    rng = np.random.default_rng(7)
    e = rng.exponential(0.05, size=(2, 3, 6))
    e[:, 1, 2] = 0.0
    a = rng.uniform(0.0, 0.1, size=(2, 6))
    a[:, 4] = 0.0
    fast, log_fast = dynamics.contest_terms(e[:1], a[:1], one(1.0))
    mixed, log_mixed = dynamics.contest_terms(e, a, one(1.0, 2.0))
    np.testing.assert_allclose(fast[0], mixed[0], rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(log_fast[0], log_mixed[0], rtol=1e-12)
    g_fast = dynamics.contest_gradient(e[:1], fast, log_fast, one(1.0))
    g_mixed = dynamics.contest_gradient(e, mixed, log_mixed, one(1.0, 2.0))
    np.testing.assert_allclose(g_fast[0], g_mixed[0], rtol=1e-9)


@pytest.mark.parametrize("r", [0.5, 1.0, 1.7, 4.0])
def test_p7_analytic_gradient_matches_finite_differences(r: float) -> None:
    rng = np.random.default_rng(int(r * 10))
    e = rng.uniform(0.01, 0.2, size=(1, 3, 5))
    a = rng.uniform(0.005, 0.1, size=(1, 5))
    dec = one(r)
    shares, log_d = dynamics.contest_terms(e, a, dec)
    grad = dynamics.contest_gradient(e, shares, log_d, dec)
    h = 1e-7
    for p in range(3):
        bumped_up, bumped_down = e.copy(), e.copy()
        bumped_up[:, p] += h
        bumped_down[:, p] -= h
        fd = (
            dynamics.contest(bumped_up, a, dec)[:, p] - dynamics.contest(bumped_down, a, dec)[:, p]
        ) / (2 * h)
        np.testing.assert_allclose(grad[:, p], fd, rtol=1e-6)
    assert (grad > 0).all()


def test_p7_gradient_at_zero_effort_is_the_one_sided_derivative() -> None:
    """A patron that spends nothing yet: r = 1 gives 1 / D, r > 1 gives 0."""
    e = np.array([[[0.0], [0.3]]])
    a = np.array([[0.1]])
    for r, expected in ((1.0, 1 / 0.4), (2.0, 0.0)):
        dec = one(r)
        shares, log_d = dynamics.contest_terms(e, a, dec)
        grad = dynamics.contest_gradient(e, shares, log_d, dec)
        h = 1e-9
        fd = (dynamics.contest(e + np.array([[[h], [0.0]]]), a, dec)[0, 0, 0] - 0.0) / h
        assert grad[0, 0, 0] == pytest.approx(expected, rel=1e-6, abs=1e-9)
        assert fd == pytest.approx(expected, rel=1e-5, abs=1e-6)


@pytest.mark.filterwarnings("error")
@settings(max_examples=200)
@given(
    efforts=arrays(
        np.float64,
        (2, 3, 4),
        elements=st.one_of(st.just(0.0), st.floats(1e-12, 1e6, allow_subnormal=False)),
    ),
    autonomy=arrays(np.float64, (2, 4), elements=st.one_of(st.just(0.0), st.floats(1e-12, 10.0))),
    r=st.sampled_from([0.1, 0.5, 1.0, 2.0, 10.0, 50.0]),
)
def test_p1_contest_shares_are_shares_for_any_efforts(
    efforts: np.ndarray, autonomy: np.ndarray, r: float
) -> None:
    shares, _ = dynamics.contest_terms(efforts, autonomy, one(r, r))
    assert np.isfinite(shares).all()
    assert (shares >= 0).all()
    assert (shares.sum(axis=1) <= 1 + 1e-12).all()
    # whoever spends more holds more
    order = np.argsort(efforts, axis=1)
    assert (np.diff(np.take_along_axis(shares, order, axis=1), axis=1) >= -1e-15).all()


# --------------------------------------------------------------------------- other pieces


def test_effort_divides_by_gdp_and_adds_dependencies() -> None:
    """US$46 million matters in Afghanistan and little in Kazakhstan."""
    stocks = np.zeros((1, 1, 2, 3))
    stocks[0, 0, :, 1] = 46.0  # security
    weights = np.ones((1, 2, 3))
    gdp = np.array([[19_900.0, 184_400.0]])
    fixed = np.array([[[0.0, 0.01]]])
    e = dynamics.effort(stocks, weights, gdp, np.ones((1, 1, 2, 3)), fixed)
    np.testing.assert_allclose(e[0, 0], [46 / 19_900, 46 / 184_400 + 0.01], rtol=1e-14)


def test_bloc_multiplier_rewards_leaders_and_partners() -> None:
    member = np.array([[[True, False], [False, False]]])  # (R, N, B): state 0 in bloc 0
    standing = np.array([[[1.0, 0.5], [0.0, 1.0]]])  # (R, B, P): patron 0 leads bloc 0
    boost = np.array([[[0.0, 0.5, 0.0], [0.3, 0.0, 0.0]]])  # (R, B, K)
    m = dynamics.bloc_multiplier(member, standing, boost)  # (R, P, N, K)
    np.testing.assert_allclose(m[0, 0, 0], [1.0, 1.5, 1.0])
    np.testing.assert_allclose(m[0, 1, 0], [1.0, 1.25, 1.0])
    np.testing.assert_allclose(m[0, :, 1], 1.0)  # state 1 is in no bloc


@settings(max_examples=100)
@given(
    threat=arrays(np.float64, (3, 5), elements=st.floats(0.0, 1.0)),
    baseline=arrays(np.float64, (3, 5), elements=st.floats(0.0, 1.0)),
    security=arrays(np.float64, (3, 5), elements=st.floats(0.0, 100.0)),
    shocks=arrays(np.float64, (3, 5), elements=st.floats(-1.0, 1.0)),
    rates=st.tuples(st.floats(0.0, 1.0), st.floats(0.0, 1.0), st.floats(0.0, 1e3)),
)
def test_threat_stays_within_zero_and_one(
    threat: np.ndarray,
    baseline: np.ndarray,
    security: np.ndarray,
    shocks: np.ndarray,
    rates: tuple[float, float, float],
) -> None:
    borders = dynamics.border_edges(np.array([[0, 1], [1, 2], [2, 3], [0, 4]]), 5)
    kappa, sigma, relief = rates
    new = dynamics.threat_step(
        threat,
        baseline,
        security,
        borders,
        reversion=np.full(3, kappa),
        spillover=np.full(3, sigma),
        relief=np.full(3, relief),
        shocks=shocks,
    )
    assert np.isfinite(new).all()
    assert ((new >= 0) & (new <= 1)).all()


def test_threat_spills_from_more_threatened_neighbours_and_security_relieves_it() -> None:
    borders = dynamics.border_edges(np.array([[0, 1]]), 3)  # 0-1 border; 2 is an island
    threat = np.array([[0.8, 0.2, 0.2]])
    kw: dict[str, Any] = {
        "reversion": one(0.0),
        "spillover": one(0.5),
        "relief": one(1.0),
        "shocks": np.zeros((1, 3)),
    }
    new = dynamics.threat_step(threat, threat.copy(), np.zeros((1, 3)), borders, **kw)
    np.testing.assert_allclose(new, [[0.8, 0.2 + 0.5 * 0.6, 0.2]])
    kw.update(reversion=one(0.5), spillover=one(0.0))
    relieved = dynamics.threat_step(threat, threat.copy(), np.ones((1, 3)), borders, **kw)
    np.testing.assert_allclose(relieved, threat - 0.5 * (threat - threat / 2))


def test_switch_probability_has_a_hysteresis_band() -> None:
    gain = np.array([[-1.0, 0.0, 0.1, 0.2, 5.0]])
    kw = {"temperature": one(0.02), "hysteresis": one(0.1), "rate": one(0.05)}
    p = dynamics.switch_probability(gain, **kw)
    assert (np.diff(p[0]) >= 0).all()
    assert p[0, 2] == pytest.approx(0.025)  # at the band's edge: half the rate
    assert p[0, 1] == pytest.approx(0.05 / (1 + np.exp(0.1 / 0.02)), rel=1e-12)
    assert p[0, 0] < 1e-20 and p[0, -1] == pytest.approx(0.05)
    det = dynamics.deterministic_switch(gain, hysteresis=one(0.1))
    assert det.tolist() == [[False, False, False, True, True]]
